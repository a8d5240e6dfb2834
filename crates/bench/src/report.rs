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
         Each figure is the median of that figure over {runs} runs on one dataset, taken \
         figure by figure (so a row's p50 and p99 may come from different runs); errors are \
         summed over the runs and RSS is the highest seen. CPU per request is per \
         operation: in each run every operation also runs alone for a few seconds at the \
         scale client count (32), over HTTP and through the data layer, and its CPU time \
         (server process, load generator, the rest of the machine, which is PostgreSQL on \
         this machine) is divided by its requests; every row of that operation shows it.\n\n\
         {table}",
        machine(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
    )
}
