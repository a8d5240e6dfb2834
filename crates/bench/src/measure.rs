//! What the benchmark reads off the machine while it runs: CPU time of the
//! server, of itself and of the whole machine (from /proc), and the server's
//! resident memory.

use std::time::Duration;

/// CPU seconds used so far, from /proc: by the server, by this process and
/// by the whole machine (all cores, busy time only).
#[derive(Debug, Clone, Copy)]
pub struct CpuTimes {
    server: f64,
    client: f64,
    machine: f64,
}

/// Linux reports these times in USER_HZ, which is 100 on every mainstream
/// kernel configuration.
const TICKS_PER_SECOND: f64 = 100.0;

fn process_cpu(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses:
    // state is the first, utime the 12th and stime the 13th.
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / TICKS_PER_SECOND)
}

fn machine_busy() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<f64> = line
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal: the first seven but
    // idle and iowait. Steal (time a virtual machine's host gave to others)
    // is not work done here, so it is left out.
    let busy: f64 = ticks
        .iter()
        .take(7)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    Some(busy / TICKS_PER_SECOND)
}

pub fn cpu_times(server_pid: u32) -> Option<CpuTimes> {
    Some(CpuTimes {
        server: process_cpu(&format!("/proc/{server_pid}/stat"))?,
        client: process_cpu("/proc/self/stat")?,
        machine: machine_busy()?,
    })
}

/// CPU milliseconds per request over a stretch in which `requests` requests
/// of one operation were made: the server's, this process's, and the rest
/// of the machine's.
pub fn cpu_per_request(
    before: Option<CpuTimes>,
    after: Option<CpuTimes>,
    requests: usize,
) -> Option<[f64; 3]> {
    let (b, a) = (before?, after?);
    if requests == 0 {
        return None;
    }
    let per = |seconds: f64| seconds * 1000.0 / requests as f64;
    let server = a.server - b.server;
    let client = a.client - b.client;
    let rest = (a.machine - b.machine - server - client).max(0.0);
    Some([per(server), per(client), per(rest)])
}

/// Samples a process's resident memory until told to stop; returns the
/// largest value seen, in kB.
pub fn watch_rss(
    pid: u32,
) -> (
    tokio::sync::watch::Sender<bool>,
    tokio::task::JoinHandle<Option<u64>>,
) {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(async move {
        let mut peak = None;
        loop {
            if let Some(kb) = rss_kb(pid) {
                peak = Some(peak.map_or(kb, |p: u64| p.max(kb)));
            }
            tokio::select! {
                _ = stopped.changed() => return peak,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
    });
    (stop, handle)
}

pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
