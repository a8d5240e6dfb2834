//! casemark's benchmark. Builds a synthetic national dataset through the
//! app's data layer, starts the real server on loopback against it, drives
//! it over HTTP with signed-in simulated inspectors, leads and readers, and
//! runs the same work straight through the data layer (no HTTP, templates or
//! sessions) as the baseline. Prints a Markdown table and, for a full run,
//! writes it to docs/performance.md. Not a test: it asserts no timings.
//!
//!     cargo build --release && cargo run --release -p casemark-bench
//!     cargo run -p casemark-bench -- --smoke     (seconds; what CI runs)
//!
//! `main` is the benchmark's script, phase by phase in the order the report
//! shows them (about 500 lines with its worker constructors); the workloads
//! are in `load`, what it reads off the machine in `measure`, the report in
//! `report` and the soak run in `soak`.

mod dataset;
mod http;
mod live;
mod load;
mod measure;
mod report;
mod soak;

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
    /// Dashboards held open on a second instance during (e).
    #[arg(long, default_value_t = 200)]
    live_dashboards: usize,
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
        "| workload | op | clients | ops | ops/s | p50 ms | p99 ms | max ms | errors | server peak RSS MB | CPU ms per request of this op (run alone): server · load generator · rest of the machine (PostgreSQL) |\n\
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
        args.live_dashboards = 4;
        args.runs = 1;
    }
    args.runs = args.runs.max(1);
    let started = Instant::now();
    let url = fresh_database(&args.database_url).await?;
    let pool = db::prepare(&url, args.pool).await.map_err(setup)?;
    let most_clients = args.clients.iter().copied().max().unwrap_or(1);
    let markers = args.peak_inspectors.max(most_clients);
    eprintln!("bench: a lead, {markers} inspectors and a reader signing up");
    let system = casemark::audit::Actor::system("benchmark");
    let add = |email: String, role: UserRole| {
        let (pool, system) = (pool.clone(), system.clone());
        async move {
            accounts::add_user(&pool, &system, &email, None, PASSWORD, role)
                .await
                .map_err(setup)
        }
    };
    let lead = add("lead@bench.example".into(), UserRole::Lead).await?;
    let mut inspectors = Vec::new();
    for i in 0..markers {
        inspectors.push(add(format!("inspector{i}@bench.example"), UserRole::Inspector).await?);
    }
    let team = dataset::Team { lead, inspectors };
    let reader = add("reader@bench.example".into(), UserRole::Viewer).await?;
    let frameworks = casemark::framework::FrameworkCache::default();
    let framework = {
        let mut conn = pool.acquire().await?;
        let version = db::framework::current_id(&mut conn).await?;
        frameworks.get(&mut conn, version).await?
    };

    let small = 10.min(args.inspections);
    eprintln!("bench: {small} inspections × {} cases", args.cases);
    let mut made = dataset::grow(&pool, &framework, &team, 0, small, args.cases).await?;
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
        let workers = reader_workers(&readers, reader, scale_clients, &world, true);
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
            made.extend(dataset::grow(&pool, &framework, &team, from, to, args.cases).await?);
            sqlx::query("analyze").execute(&pool).await?;
            eprintln!("bench: {to} inspections");
            from = to;
        }
        eprintln!(
            "bench: dataset built in {:.0} s",
            grown.elapsed().as_secs_f64()
        );
        sqlx::query("vacuum analyze").execute(&pool).await?;
        // Write the freshly loaded dataset out now, so the checkpoints a bulk
        // load brings do not land in the middle of the measurements (seen in
        // PostgreSQL's log: 270 s of checkpoint writes during the first runs).
        // Needs superuser or pg_checkpoint; without it the run goes on as is.
        if let Err(e) = sqlx::query("checkpoint").execute(&pool).await {
            eprintln!("bench: no checkpoint after the build ({e}); measuring anyway");
        }
    }
    let world = Arc::new(World::new(made, pool.clone()));
    let mut markers_signed_in = Vec::new();
    for (i, inspector) in team.inspectors.iter().enumerate() {
        if !world.marked_by.contains_key(inspector) {
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
        markers_signed_in.push((*inspector, session));
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
                    let workers = if workload == Workload::Marking {
                        marker_workers(&markers_signed_in, clients, 7, &world, via_http)
                    } else {
                        reader_workers(&readers, reader, clients, &world, via_http)
                    };
                    let label = if via_http {
                        name.to_owned()
                    } else {
                        format!("{name}, baseline")
                    };
                    eprintln!("bench: {label}, {clients} clients");
                    let (stop, rss) = measure::watch_rss(pid);
                    let (_, samples, elapsed) =
                        load::closed_loop(workers, workload, Duration::from_secs(args.seconds))
                            .await;
                    let _ = stop.send(true);
                    let peak = rss.await.ok().flatten().filter(|_| via_http);
                    run_rows.extend(load::figures(
                        &label,
                        &clients.to_string(),
                        elapsed,
                        samples,
                        peak,
                    ));
                }
            }
        }

        eprintln!(
            "bench: realistic peak, {} inspectors and {} leads",
            args.peak_inspectors, args.peak_leads
        );
        let inspectors =
            marker_workers(&markers_signed_in, args.peak_inspectors, 101, &world, true);
        let lead_readers = reader_workers(&readers, reader, args.peak_leads, &world, true);
        let (stop, rss) = measure::watch_rss(pid);
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

        // CPU per request, per operation: each operation alone at the
        // scale client count, over HTTP and through the data layer, so that
        // no row shows a figure mixed from other operations.
        let probe = Duration::from_secs(args.seconds.clamp(1, 5));
        for op in load::OPERATIONS {
            for via_http in [true, false] {
                let workers = if op == "save" {
                    marker_workers(&markers_signed_in, scale_clients, 31, &world, via_http)
                } else {
                    reader_workers(&readers, reader, scale_clients, &world, via_http)
                };
                eprintln!(
                    "bench: CPU of {op} alone{}",
                    if via_http { "" } else { ", baseline" }
                );
                let before = measure::cpu_times(pid);
                let (_, samples, _) = load::closed_loop(workers, Workload::Only(op), probe).await;
                let after = measure::cpu_times(pid);
                let cpu = measure::cpu_per_request(before, after, samples.len());
                for row in run_rows
                    .iter_mut()
                    .filter(|r| r.op == op && r.workload.ends_with(", baseline") != via_http)
                {
                    row.cpu_ms = cpu;
                }
            }
        }
        runs.push(run_rows);
    }
    rows.extend(load::median(&runs));
    let people = People {
        team: &team,
        markers: &markers_signed_in,
        readers: &readers,
        reader,
    };
    rows.extend(live_updates(&args, &url, &server, &people, &world, &framework).await?);

    // (d) The national picture reads published inspections only: publish
    // them all (the marking runs are over), with publication dates spread
    // over a year, and read it with one client.
    eprintln!("bench: publishing every inspection for the national figures");
    sqlx::query(
        "update inspection set status = 'published', published_on = current_date - (id % 365)::int",
    )
    .execute(&pool)
    .await?;
    let mut figure_runs = Vec::new();
    for _ in 0..args.runs {
        let mut run_rows = Vec::new();
        for via_http in [true, false] {
            let workers = reader_workers(&readers, reader, 1, &world, via_http);
            let label = if via_http {
                "(d) national figures".to_owned()
            } else {
                "(d) national figures, baseline".to_owned()
            };
            eprintln!("bench: {label}, 1 client");
            let (stop, rss) = measure::watch_rss(pid);
            let (_, samples, elapsed) = load::closed_loop(
                workers,
                Workload::Figures,
                Duration::from_secs(args.seconds),
            )
            .await;
            let _ = stop.send(true);
            let peak = rss.await.ok().flatten().filter(|_| via_http);
            run_rows.extend(load::figures(&label, "1", elapsed, samples, peak));
        }
        figure_runs.push(run_rows);
    }
    rows.extend(load::median(&figure_runs));

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

/// The benchmark's signed-in people.
#[derive(Clone, Copy)]
struct People<'a> {
    team: &'a dataset::Team,
    markers: &'a [(i64, Session)],
    readers: &'a [Session],
    /// The readers' user id (for the baseline's actor).
    reader: i64,
}

/// (e) The realistic peak again, on the first instance, with dashboards
/// open on a second instance (the readers' sessions, as a balancer would
/// send them there): most on inspections the peak marks, a few on a probe
/// inspection of its own whose saves are timed to their events.
async fn live_updates(
    args: &Args,
    url: &str,
    server: &Server,
    people: &People<'_>,
    world: &Arc<World>,
    framework: &Arc<casemark::framework::Framework>,
) -> Result<Vec<Figures>, BenchError> {
    let People {
        team,
        markers: markers_signed_in,
        readers,
        reader,
    } = *people;
    let second = start_server(args, url).await?;
    // The probe's inspection is not in `world`: only the probe saves there.
    let at = world.inspections.len();
    let probe_made = dataset::grow(&world.pool, framework, team, at, at + 1, 2)
        .await?
        .remove(0);
    let probe_inspector = team
        .inspectors
        .iter()
        .position(|i| *i == probe_made.inspector)
        .ok_or_else(|| setup("the probe's inspector"))?;
    let client = http::client();
    let mut marker = Session::sign_in(
        &client,
        &server.base,
        &format!("inspector{probe_inspector}@bench.example"),
        PASSWORD,
    )
    .await
    .map_err(setup)?;
    let listeners = (args.live_dashboards / 50).clamp(1, 4);
    let watcher = readers
        .first()
        .ok_or_else(|| setup("a reader"))?
        .at(&second.base);
    let label = format!(
        "(e) live: {} dashboards open on a 2nd instance",
        args.live_dashboards
    );
    let mut runs = Vec::new();
    for run in 1..=args.runs {
        eprintln!("bench: {label}, run {run} of {}", args.runs);
        let mut rng = Rng::new(run as u64);
        let mut watched: Vec<i64> = (listeners..args.live_dashboards)
            .map(|_| world.inspections[rng.below(world.inspections.len())].id)
            .collect();
        watched.extend(std::iter::repeat_n(probe_made.id, listeners));
        let dashboards = live::OpenDashboards::open(&watcher, &watched)
            .await
            .map_err(setup)?;
        let inspectors = marker_workers(markers_signed_in, args.peak_inspectors, 211, world, true);
        let lead_readers = reader_workers(readers, reader, args.peak_leads, world, true);
        let (stop, rss) = measure::watch_rss(second.child.id());
        let peak = load::open_loop(
            inspectors,
            lead_readers,
            Duration::from_secs(5),
            Duration::from_secs(2),
            Duration::from_secs(args.peak_seconds),
        );
        let probing = live::probe(
            &mut marker,
            (probe_made.id, probe_made.cases[0]),
            &dashboards,
            listeners,
            Duration::from_millis(250),
            Duration::from_secs(args.peak_seconds),
        );
        let ((mut samples, elapsed), probed) = tokio::join!(peak, probing);
        let _ = stop.send(true);
        let second_rss = rss.await.ok().flatten();
        samples.extend(probed);
        samples.extend(dashboards.close().await);
        runs.push(load::figures(
            &label,
            &format!("{}+{}", args.peak_inspectors, args.peak_leads),
            elapsed,
            samples,
            second_rss,
        ));
    }
    drop(second);
    Ok(load::median(&runs))
}

fn args_line() -> String {
    std::env::args().skip(1).collect::<Vec<_>>().join(" ")
}

/// `n` of the signed-in inspectors as workers, taking them in turn: over
/// HTTP with their sessions, or (the baseline) as the same people through
/// the data layer. Worker k's random choices are seeded with `seed + k`.
fn marker_workers(
    signed_in: &[(i64, Session)],
    n: usize,
    seed: u64,
    world: &Arc<World>,
    over_http: bool,
) -> Vec<Worker> {
    signed_in
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(k, (inspector, session))| Worker {
            via: if over_http {
                Via::Http(Box::new(session.clone()))
            } else {
                Via::Sql
            },
            user_id: *inspector,
            role: UserRole::Inspector,
            rng: Rng::new(seed + k as u64),
            world: Arc::clone(world),
        })
        .collect()
}

/// `n` readers as workers: the viewer's signed-in sessions over HTTP, or
/// (the baseline) the viewer account through the data layer.
fn reader_workers(
    sessions: &[Session],
    reader: i64,
    n: usize,
    world: &Arc<World>,
    over_http: bool,
) -> Vec<Worker> {
    sessions
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(k, session)| Worker {
            via: if over_http {
                Via::Http(Box::new(session.clone()))
            } else {
                Via::Sql
            },
            user_id: reader,
            role: UserRole::Viewer,
            rng: Rng::new(k as u64 + 3),
            world: Arc::clone(world),
        })
        .collect()
}
