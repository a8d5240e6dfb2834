//! casemark's benchmark. Builds a synthetic national dataset through the
//! app's data layer, starts the real server on loopback against it, drives
//! it over HTTP with signed-in simulated inspectors, leads and readers, and
//! runs the same work straight through the data layer (no HTTP, templates or
//! sessions) as the baseline. Prints a Markdown table and, for a full run,
//! writes it to docs/performance.md. Not a test: it asserts no timings.
//!
//!     cargo build --release && cargo run --release -p casemark-bench
//!     cargo run -p casemark-bench -- --smoke     (seconds; what CI runs)

mod dataset;
mod http;
mod load;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use casemark::accounts;
use casemark::db;
use casemark::vocab::UserRole;
use clap::Parser;
use sqlx::Connection;

use dataset::Rng;
use http::Session;
use load::{Figures, Via, Worker, Workload, World};

const PASSWORD: &str = "benchmark password, not secret";

#[derive(Debug, Parser)]
#[command(about = "Benchmark casemark at national scale")]
struct Args {
    /// Inspections in the full dataset.
    #[arg(long, default_value_t = 2000)]
    inspections: usize,
    /// Cases per inspection.
    #[arg(long, default_value_t = 60)]
    cases: usize,
    /// Closed-loop client counts.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 32, 128])]
    clients: Vec<usize>,
    /// Seconds each closed-loop run lasts.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds of the open-loop realistic peak.
    #[arg(long, default_value_t = 30)]
    peak_seconds: u64,
    /// Inspectors and leads in the realistic peak.
    #[arg(long, default_value_t = 200)]
    peak_inspectors: usize,
    #[arg(long, default_value_t = 20)]
    peak_leads: usize,
    /// The server binary to start.
    #[arg(long, default_value = "target/release/casemark")]
    server: String,
    /// A PostgreSQL server URL; the benchmark uses its own database there.
    #[arg(
        long,
        env = "CASEMARK_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    database_url: String,
    /// Connections in the server's pool and the baseline's.
    #[arg(long, default_value_t = 8)]
    pool: u32,
    /// Instead of the measurements: this many minutes of the realistic peak
    /// (saves and dashboards), watching errors and the server's memory;
    /// writes docs/reliability.md's soak section.
    #[arg(long, default_value_t = 0)]
    soak_minutes: u64,
    /// Times each measurement is repeated; the report gives medians.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// A tiny run that only checks that everything works (for CI).
    #[arg(long)]
    smoke: bool,
    /// Where to write the Markdown report (full runs only).
    #[arg(long, default_value = "docs/performance.md")]
    out: String,
}

#[derive(Debug, thiserror::Error)]
enum BenchError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Setup(String),
}

fn setup(e: impl std::fmt::Display) -> BenchError {
    BenchError::Setup(e.to_string())
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(args: &Args, database: &str) -> Result<Server, BenchError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(setup)?
        .port();
    let child = Command::new(&args.server)
        .env("DATABASE_URL", database)
        .env("CASEMARK_ADDR", format!("127.0.0.1:{port}"))
        .env("CASEMARK_DB_POOL", args.pool.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| {
            setup(format!(
                "cannot start {} (build it first): {e}",
                args.server
            ))
        })?;
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = http::client();
    for _ in 0..300 {
        let mut probe = Session::anonymous(&client, &server.base);
        if probe.get("/sign-in").await.is_ok_and(|r| r.status == 200) {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err(setup("the server did not answer within 30 s"))
}

/// The benchmark's own database on the given server, created afresh.
async fn fresh_database(admin: &str) -> Result<String, BenchError> {
    let url = match admin.rfind('/') {
        Some(i) => format!("{}/casemark_bench", &admin[..i]),
        None => return Err(setup("the database URL has no database name")),
    };
    let mut conn = sqlx::PgConnection::connect(admin).await?;
    sqlx::query("drop database if exists casemark_bench with (force)")
        .execute(&mut conn)
        .await?;
    Ok(url)
}

fn table(rows: &[Figures]) -> String {
    let mut out = String::from(
        "| workload | op | clients | ops | ops/s | p50 ms | p99 ms | max ms | errors | server peak RSS MB | CPU ms/request: server · load generator · rest of the machine (PostgreSQL) |\n\
         |---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for f in rows {
        // Nothing succeeded: no latency, rather than a 0.0 that reads as fast.
        let ms = |d: Option<Duration>| {
            d.map_or("–".to_owned(), |d| {
                format!("{:.1}", d.as_secs_f64() * 1000.0)
            })
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:.0} | {} | {} | {} | {} | {} | {} |\n",
            f.workload,
            f.op,
            f.clients,
            f.ops,
            f.per_second,
            ms(f.p50),
            ms(f.p99),
            ms(f.max),
            f.errors,
            f.peak_rss_mb.map_or("–".to_owned(), |m| format!("{m:.0}")),
            f.cpu_ms
                .map_or("–".to_owned(), |[server, client, rest]| format!(
                    "{server:.2} · {client:.2} · {rest:.2}"
                )),
        ));
    }
    out
}

fn report_errors(rows: &[Figures]) -> usize {
    let mut errors = 0;
    for f in rows {
        if let Some(e) = &f.first_error {
            eprintln!(
                "{} {} ({} clients): {} errors, first: {e}",
                f.workload, f.op, f.clients, f.errors
            );
        }
        errors += f.errors;
    }
    errors
}

#[tokio::main]
async fn main() -> Result<(), BenchError> {
    let mut args = Args::parse();
    if args.smoke {
        args.inspections = 3;
        args.cases = 4;
        args.clients = vec![1, 2];
        args.seconds = 1;
        args.peak_seconds = 2;
        args.peak_inspectors = 2;
        args.peak_leads = 1;
        args.runs = 1;
    }
    args.runs = args.runs.max(1);
    let started = Instant::now();
    let url = fresh_database(&args.database_url).await?;
    let pool = db::prepare(&url, args.pool).await.map_err(setup)?;
    let most_clients = args.clients.iter().copied().max().unwrap_or(1);
    let markers = args.peak_inspectors.max(most_clients);
    eprintln!("bench: {markers} inspectors and a reader signing up");
    let mut leads = Vec::new();
    for i in 0..markers {
        let email = format!("inspector{i}@bench.example");
        leads.push(
            accounts::add_user(
                &pool,
                &casemark::audit::Actor::system("benchmark"),
                &email,
                None,
                PASSWORD,
                UserRole::Lead,
            )
            .await
            .map_err(setup)?,
        );
    }
    accounts::add_user(
        &pool,
        &casemark::audit::Actor::system("benchmark"),
        "reader@bench.example",
        None,
        PASSWORD,
        UserRole::Viewer,
    )
    .await
    .map_err(setup)?;
    let frameworks = casemark::framework::FrameworkCache::default();
    let framework = {
        let mut conn = pool.acquire().await?;
        let version = db::framework::current_id(&mut conn).await?;
        frameworks.get(&mut conn, version).await?
    };

    let small = 10.min(args.inspections);
    eprintln!("bench: {small} inspections × {} cases", args.cases);
    let mut made = dataset::grow(&pool, &framework, &leads, 0, small, args.cases).await?;
    let server = start_server(&args, &url).await?;
    let pid = server.child.id();
    let client = http::client();
    let mut readers = Vec::new();
    for _ in 0..(most_clients.max(args.peak_leads)) {
        readers.push(
            Session::sign_in(&client, &server.base, "reader@bench.example", PASSWORD)
                .await
                .map_err(setup)?,
        );
    }
    let scale_clients = 32.min(most_clients);
    let world = Arc::new(World::new(made.clone(), pool.clone()));
    let mut small_runs = Vec::new();
    for _ in 0..args.runs {
        let workers = readers_as_workers(&readers, scale_clients, &world);
        let (_, samples, elapsed) = load::closed_loop(
            workers,
            Workload::Dashboard,
            Duration::from_secs(args.seconds),
        )
        .await;
        small_runs.push(load::figures(
            &format!("(b) dashboard, {small} inspections"),
            &scale_clients.to_string(),
            elapsed,
            samples,
            None,
        ));
    }
    let mut rows = load::median(&small_runs);

    if args.inspections > small {
        eprintln!("bench: growing to {} inspections", args.inspections);
        let grown = Instant::now();
        // In steps, with ANALYZE between them as autovacuum would (it is
        // off on some development machines), so plans follow the growth.
        let step = (args.inspections / 8).max(1);
        let mut from = small;
        while from < args.inspections {
            let to = (from + step).min(args.inspections);
            made.extend(dataset::grow(&pool, &framework, &leads, from, to, args.cases).await?);
            sqlx::query("analyze").execute(&pool).await?;
            eprintln!("bench: {to} inspections");
            from = to;
        }
        eprintln!(
            "bench: dataset built in {:.0} s",
            grown.elapsed().as_secs_f64()
        );
        sqlx::query("vacuum analyze").execute(&pool).await?;
    }
    let world = Arc::new(World::new(made, pool.clone()));
    let mut markers_signed_in = Vec::new();
    for (i, lead) in leads.iter().enumerate() {
        if !world.led_by.contains_key(lead) {
            continue;
        }
        let session = Session::sign_in(
            &client,
            &server.base,
            &format!("inspector{i}@bench.example"),
            PASSWORD,
        )
        .await
        .map_err(setup)?;
        markers_signed_in.push((*lead, session));
    }
    eprintln!(
        "bench: {} sessions signed in",
        markers_signed_in.len() + readers.len()
    );
    if args.soak_minutes > 0 {
        let outcome = soak::run(&args, pid, &world, &markers_signed_in, &readers).await;
        drop(server);
        pool.close().await;
        return outcome;
    }

    let mut runs = Vec::new();
    for run in 1..=args.runs {
        eprintln!("bench: run {run} of {}", args.runs);
        let mut run_rows = Vec::new();
        for &clients in &args.clients {
            for (workload, name) in [
                (Workload::Marking, "(a) marking"),
                (Workload::Dashboard, "(b) dashboard"),
                (Workload::National, "(c) national table"),
            ] {
                for via_http in [true, false] {
                    let workers: Vec<Worker> = match (workload, via_http) {
                        (Workload::Marking, true) => {
                            markers_as_workers(&markers_signed_in, clients, 7, &world)
                        }
                        (Workload::Marking, false) => markers_signed_in
                            .iter()
                            .cycle()
                            .take(clients)
                            .enumerate()
                            .map(|(n, (lead, _))| Worker {
                                via: Via::Sql,
                                user_id: *lead,
                                rng: Rng::new(n as u64 + 7),
                                world: Arc::clone(&world),
                            })
                            .collect(),
                        (_, true) => readers_as_workers(&readers, clients, &world),
                        (_, false) => (0..clients)
                            .map(|n| Worker {
                                via: Via::Sql,
                                user_id: leads[0],
                                rng: Rng::new(n as u64 + 11),
                                world: Arc::clone(&world),
                            })
                            .collect(),
                    };
                    let label = if via_http {
                        name.to_owned()
                    } else {
                        format!("{name}, baseline")
                    };
                    eprintln!("bench: {label}, {clients} clients");
                    let (stop, rss) = load::watch_rss(pid);
                    let cpu_before = load::cpu_times(pid);
                    let (_, samples, elapsed) =
                        load::closed_loop(workers, workload, Duration::from_secs(args.seconds))
                            .await;
                    let cpu_after = load::cpu_times(pid);
                    let _ = stop.send(true);
                    let peak = rss.await.ok().flatten().filter(|_| via_http);
                    run_rows.extend(load::with_cpu(
                        load::figures(&label, &clients.to_string(), elapsed, samples, peak),
                        cpu_before,
                        cpu_after,
                    ));
                }
            }
        }

        eprintln!(
            "bench: realistic peak, {} inspectors and {} leads",
            args.peak_inspectors, args.peak_leads
        );
        let inspectors = markers_as_workers(&markers_signed_in, args.peak_inspectors, 101, &world);
        let lead_readers = readers_as_workers(&readers, args.peak_leads, &world);
        let (stop, rss) = load::watch_rss(pid);
        let (samples, elapsed) = load::open_loop(
            inspectors,
            lead_readers,
            Duration::from_secs(5),
            Duration::from_secs(2),
            Duration::from_secs(args.peak_seconds),
        )
        .await;
        let _ = stop.send(true);
        let peak = rss.await.ok().flatten();
        run_rows.extend(load::figures(
            "realistic peak (open loop)",
            &format!("{}+{}", args.peak_inspectors, args.peak_leads),
            elapsed,
            samples,
            peak,
        ));

        runs.push(run_rows);
    }
    rows.extend(load::median(&runs));

    let markdown = table(&rows);
    println!("{markdown}");
    let errors = report_errors(&rows);
    eprintln!("bench: done in {:.0} s", started.elapsed().as_secs_f64());
    drop(server);
    pool.close().await;
    // Errors are figures too: a full run records them before failing.
    if !args.smoke {
        let generated = report::document(&args_line(), args.runs, &markdown, &url).await;
        let existing = std::fs::read_to_string(&args.out).unwrap_or_default();
        std::fs::write(&args.out, report::splice(&existing, &generated)).map_err(setup)?;
        eprintln!("bench: wrote {}", args.out);
    }
    if errors > 0 {
        return Err(setup(format!("{errors} requests failed")));
    }
    Ok(())
}

fn args_line() -> String {
    std::env::args().skip(1).collect::<Vec<_>>().join(" ")
}

/// `n` signed-in inspectors as workers over HTTP, taking the sessions in
/// turn; worker k's random choices are seeded with `seed + k`.
fn markers_as_workers(
    signed_in: &[(i64, Session)],
    n: usize,
    seed: u64,
    world: &Arc<World>,
) -> Vec<Worker> {
    signed_in
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(k, (lead, session))| Worker {
            via: Via::Http(Box::new(session.clone())),
            user_id: *lead,
            rng: Rng::new(seed + k as u64),
            world: Arc::clone(world),
        })
        .collect()
}

fn readers_as_workers(readers: &[Session], n: usize, world: &Arc<World>) -> Vec<Worker> {
    readers
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, session)| Worker {
            via: Via::Http(Box::new(session.clone())),
            user_id: 0,
            rng: Rng::new(i as u64 + 3),
            world: Arc::clone(world),
        })
        .collect()
}

mod soak {
    //! The soak run: the realistic peak for many minutes, a row a minute.

    use super::*;

    pub async fn run(
        args: &Args,
        pid: u32,
        world: &Arc<World>,
        inspectors: &[(i64, Session)],
        readers: &[Session],
    ) -> Result<(), BenchError> {
        let started = Instant::now();
        let mut minutes = Vec::new();
        let mut rss = Vec::new();
        for minute in 1..=args.soak_minutes {
            let markers =
                markers_as_workers(inspectors, args.peak_inspectors, minute * 1000, world);
            let leads = readers_as_workers(readers, args.peak_leads, world);
            let (samples, elapsed) = load::open_loop(
                markers,
                leads,
                Duration::from_secs(5),
                Duration::from_secs(2),
                Duration::from_secs(60),
            )
            .await;
            let kb = load::rss_kb(pid);
            rss.push(kb.unwrap_or(0));
            let rows = load::figures(
                &format!("minute {minute}"),
                &format!("{}+{}", args.peak_inspectors, args.peak_leads),
                elapsed,
                samples,
                kb,
            );
            eprintln!(
                "bench: soak minute {minute}: {} requests, {} errors, RSS {} MB",
                rows.iter().map(|f| f.ops + f.errors).sum::<usize>(),
                rows.iter().map(|f| f.errors).sum::<usize>(),
                kb.unwrap_or(0) / 1024
            );
            minutes.extend(rows);
        }
        let markdown = table(&minutes);
        println!("{markdown}");
        let errors = report_errors(&minutes);
        let first = rss.first().copied().unwrap_or(0) as f64 / 1024.0;
        let last = rss.last().copied().unwrap_or(0) as f64 / 1024.0;
        let summary = format!(
            "{} minutes, {} requests, {errors} errors; server RSS {first:.0} MB after the first \
             minute and {last:.0} MB after the last ({:+.0} MB).\n\n",
            args.soak_minutes,
            minutes.iter().map(|f| f.ops + f.errors).sum::<usize>(),
            last - first,
        );
        eprintln!(
            "bench: {summary}bench: soak done in {:.0} s",
            started.elapsed().as_secs_f64()
        );
        let generated = format!(
            "## Latest soak run\n\n\
             Command: `cargo build --release && cargo run --release -p casemark-bench -- {}`; {}.\n\n\
             {summary}{markdown}",
            args_line(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        );
        let out = "docs/reliability.md";
        let existing = std::fs::read_to_string(out).unwrap_or_default();
        std::fs::write(out, report::splice_between(&existing, &generated, "soak"))
            .map_err(setup)?;
        eprintln!("bench: wrote {out}");
        if errors > 0 {
            return Err(setup(format!("{errors} requests failed")));
        }
        Ok(())
    }
}

mod report {
    //! docs/performance.md's generated part: the machine, the command and
    //! the figures beside the targets.

    fn machine() -> String {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .map_or("unknown".to_owned(), |kb| {
                format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0)
            });
        let rustc = std::process::Command::new("rustc")
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default();
        format!("{cores} cores, {memory} memory; {rustc}")
    }

    /// The document with its generated part replaced (or, in a new
    /// document, added at the end); the hand-written text is kept.
    pub fn splice(existing: &str, generated: &str) -> String {
        splice_between(existing, generated, "bench")
    }

    /// [`splice`] for the block marked `<!-- {name}:start … -->` …
    /// `<!-- {name}:end -->`.
    pub fn splice_between(existing: &str, generated: &str, name: &str) -> String {
        let start_marker = format!("<!-- {name}:start");
        let start_line = format!("{start_marker} (written by crates/bench; edit around it) -->");
        let end_marker = format!("<!-- {name}:end -->");
        let block = format!("{start_line}\n{generated}{end_marker}\n");
        match (existing.find(&start_marker), existing.find(&end_marker)) {
            (Some(start), Some(end)) if start < end => {
                format!(
                    "{}{block}{}",
                    &existing[..start],
                    &existing[end + end_marker.len()..].trim_start_matches('\n')
                )
            }
            _ => format!(
                "{existing}{}{block}",
                if existing.is_empty() { "" } else { "\n" }
            ),
        }
    }

    pub async fn document(args: &str, runs: usize, table: &str, url: &str) -> String {
        let postgres = match sqlx::postgres::PgPool::connect(url).await {
            Ok(pool) => sqlx::query_as::<_, (String, String, String)>(
                "select current_setting('server_version'), current_setting('autovacuum'),
                        current_setting('jit')",
            )
            .fetch_one(&pool)
            .await
            .map(|(version, autovacuum, jit)| {
                format!("{version}, autovacuum {autovacuum}, server JIT setting {jit}")
            })
            .unwrap_or_default(),
            Err(_) => String::new(),
        };
        format!(
            "## Latest run\n\n\
             Machine: {}; PostgreSQL {postgres}; {}.\n\n\
             Command: `cargo build --release && cargo run --release -p casemark-bench -- {args}`\n\n\
             Medians of {runs} runs over one dataset (errors are summed over the runs, RSS is \
             the highest seen).\n\n\
             {table}",
            machine(),
            chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        )
    }
}
