//! Load: workers that act like inspectors, leads and readers, over HTTP or
//! (for the baseline) by calling casemark's data layer directly with the
//! same SQL and no HTTP, templates or sessions; closed and open loops; and
//! the figures they produce.
//!
//! About 480 lines: the workers, both loops and the turning of samples
//! into figures belong together, since each figure is defined by how its
//! samples were taken.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use casemark::audit::Actor;
use casemark::framework::FrameworkCache;
use casemark::marking::{KeyQuestionInput, Submission};
use casemark::vocab::UserRole;
use casemark::{access, db, marking, ratings};
use hyper::StatusCode;
use sqlx::PgPool;

use crate::dataset::{Made, Rng};
use crate::http::Session;

/// What the load can touch.
#[derive(Debug)]
pub struct World {
    pub inspections: Vec<Made>,
    /// Indexes into `inspections` by the user id of the inspector whose
    /// cases they are.
    pub marked_by: HashMap<i64, Vec<usize>>,
    pub pool: PgPool,
    pub frameworks: Arc<FrameworkCache>,
}

impl World {
    pub fn new(inspections: Vec<Made>, pool: PgPool) -> Self {
        let mut marked_by: HashMap<i64, Vec<usize>> = HashMap::new();
        for (index, made) in inspections.iter().enumerate() {
            marked_by.entry(made.inspector).or_default().push(index);
        }
        World {
            inspections,
            marked_by,
            pool,
            frameworks: Arc::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// (a) save one standard of a case, then load the dashboard.
    Marking,
    /// (b) the ratings dashboard of a random inspection.
    Dashboard,
    /// (c) the national table, then a region's page.
    National,
    /// (d) the national picture: the PDU ratings table and the national
    /// figures over every published inspection.
    Figures,
    /// One operation of the workloads alone ("save", "dashboard",
    /// "national", "region"), to measure its own CPU per request.
    Only(&'static str),
}

/// The operations a CPU probe runs alone, one each.
pub const OPERATIONS: [&str; 4] = ["save", "dashboard", "national", "region"];

pub enum Via {
    Http(Box<Session>),
    Sql,
}

pub struct Worker {
    pub via: Via,
    pub user_id: i64,
    /// The user's own role: an inspector marks, a lead or a viewer reads.
    pub role: UserRole,
    pub rng: Rng,
    pub world: Arc<World>,
}

/// One timed operation: its name and how long it took, or the error.
pub type Sample = (&'static str, Result<Duration, String>);

fn submission(rng: &mut Rng) -> (Submission, Vec<(String, String)>) {
    let mut submission = Submission::default();
    let mut form = Vec::new();
    for area in 1..=3 {
        let code = format!("2.1.{area}");
        let answer = rng.answer().code().to_owned();
        form.push((format!("kq-{code}"), answer.clone()));
        submission.key_questions.insert(
            code,
            KeyQuestionInput {
                answer: Some(answer),
                rationale: None,
                quote: None,
            },
        );
    }
    (submission, form)
}

impl Worker {
    fn pick_own(&mut self) -> (i64, i64) {
        let world = Arc::clone(&self.world);
        let own = &world.marked_by[&self.user_id];
        let made = &world.inspections[own[self.rng.below(own.len())]];
        (made.id, made.cases[self.rng.below(made.cases.len())])
    }

    fn pick_any(&mut self) -> i64 {
        let n = self.world.inspections.len();
        self.world.inspections[self.rng.below(n)].id
    }

    fn actor(&self) -> Actor {
        Actor {
            id: Some(self.user_id),
            label: format!("bench-{}", self.user_id),
            role: Some(self.role),
        }
    }

    /// One round of a workload; each operation timed on its own.
    pub async fn step(&mut self, workload: Workload) -> Vec<Sample> {
        match workload {
            Workload::Marking => {
                let (inspection, case) = self.pick_own();
                let save = self.save(case).await;
                let dashboard = self.dashboard(inspection).await;
                vec![("save", save), ("dashboard", dashboard)]
            }
            Workload::Dashboard => {
                let inspection = self.pick_any();
                vec![("dashboard", self.dashboard(inspection).await)]
            }
            Workload::National => {
                let national = self.national(None).await;
                let region = (self.rng.below(12) + 1) as i16;
                vec![
                    ("national", national),
                    ("region", self.national(Some(region)).await),
                ]
            }
            Workload::Figures => vec![("figures", self.figures().await)],
            Workload::Only("save") => {
                let (_, case) = self.pick_own();
                vec![("save", self.save(case).await)]
            }
            Workload::Only("national") => vec![("national", self.national(None).await)],
            Workload::Only("region") => {
                let region = (self.rng.below(12) + 1) as i16;
                vec![("region", self.national(Some(region)).await)]
            }
            Workload::Only(_) => {
                let inspection = self.pick_any();
                vec![("dashboard", self.dashboard(inspection).await)]
            }
        }
    }

    pub async fn save(&mut self, case: i64) -> Result<Duration, String> {
        let (submission, form) = submission(&mut self.rng);
        let actor = self.actor();
        let world = Arc::clone(&self.world);
        timed(async {
            match &mut self.via {
                Via::Http(session) => {
                    let mut fields: Vec<(&str, &str)> =
                        form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let csrf = session.csrf.clone();
                    fields.push(("csrf_token", &csrf));
                    let reply = session
                        .post(&format!("/cases/{case}/standards/2.1"), &fields)
                        .await
                        .map_err(|e| e.to_string())?;
                    expect(reply.status, StatusCode::SEE_OTHER, "save")
                }
                Via::Sql => {
                    marking::save(&world.pool, &world.frameworks, &actor, case, &submission)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
            }
        })
        .await
    }

    pub async fn dashboard(&mut self, inspection: i64) -> Result<Duration, String> {
        let actor = self.actor();
        let world = Arc::clone(&self.world);
        timed(async {
            match &mut self.via {
                Via::Http(session) => {
                    let reply = session
                        .get(&format!("/inspections/{inspection}/ratings"))
                        .await
                        .map_err(|e| e.to_string())?;
                    expect(reply.status, StatusCode::OK, "dashboard")
                }
                Via::Sql => {
                    // The SQL the dashboard handler issues, without HTTP or
                    // the template.
                    let mut conn = world.pool.acquire().await.map_err(|e| e.to_string())?;
                    let found = db::inspections::get(&mut conn, inspection)
                        .await
                        .map_err(|e| e.to_string())?
                        .ok_or("no inspection")?;
                    access::load(&mut conn, &actor, inspection)
                        .await
                        .map_err(|e| e.to_string())?;
                    let framework = world
                        .frameworks
                        .get(&mut conn, found.framework_version_id)
                        .await
                        .map_err(|e| e.to_string())?;
                    ratings::for_inspection(&mut conn, &framework, &found)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
            }
        })
        .await
    }

    pub async fn national(&mut self, region: Option<i16>) -> Result<Duration, String> {
        let world = Arc::clone(&self.world);
        timed(async {
            match &mut self.via {
                Via::Http(session) => {
                    let path = region.map_or("/".to_owned(), |r| format!("/regions/{r}"));
                    let reply = session.get(&path).await.map_err(|e| e.to_string())?;
                    expect(reply.status, StatusCode::OK, "national table")
                }
                Via::Sql => {
                    let mut conn = world.pool.acquire().await.map_err(|e| e.to_string())?;
                    // The first page of 50, as the page shows it.
                    let filter = db::inspections::ListFilter {
                        region,
                        per_page: casemark::web::PER_PAGE,
                        ..db::inspections::ListFilter::default()
                    };
                    ratings::list_page(&mut conn, &world.frameworks, &filter)
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(())
                }
            }
        })
        .await
    }
}

impl Worker {
    pub async fn figures(&mut self) -> Result<Duration, String> {
        let world = Arc::clone(&self.world);
        timed(async {
            match &mut self.via {
                Via::Http(session) => {
                    let reply = session.get("/national").await.map_err(|e| e.to_string())?;
                    expect(reply.status, StatusCode::OK, "national figures")
                }
                Via::Sql => {
                    // The queries the page issues, without HTTP or the template.
                    let mut conn = world.pool.acquire().await.map_err(|e| e.to_string())?;
                    let filter = casemark::national::Filter::default();
                    let (framework, rows) =
                        casemark::national::table(&mut conn, &world.frameworks, &filter)
                            .await
                            .map_err(|e| e.to_string())?;
                    casemark::national::figures(&mut conn, &framework, &rows)
                        .await
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                }
            }
        })
        .await
    }
}

fn expect(got: StatusCode, want: StatusCode, what: &str) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: {got}"))
    }
}

async fn timed(work: impl Future<Output = Result<(), String>>) -> Result<Duration, String> {
    let start = Instant::now();
    work.await.map(|()| start.elapsed())
}

/// Figures of one operation under one load.
#[derive(Debug, Clone)]
pub struct Figures {
    pub workload: String,
    pub op: &'static str,
    pub clients: String,
    pub ops: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub per_second: f64,
    /// `None` when nothing succeeded: there is no latency to report.
    pub p50: Option<Duration>,
    pub p99: Option<Duration>,
    pub max: Option<Duration>,
    pub peak_rss_mb: Option<f64>,
    /// CPU milliseconds per request of this operation, measured with the
    /// operation run alone (see [`Workload::Only`]): the server, the load
    /// generator (this process), and the rest of the machine (PostgreSQL).
    pub cpu_ms: Option<[f64; 3]>,
}

pub fn figures(
    workload: &str,
    clients: &str,
    elapsed: Duration,
    samples: Vec<Sample>,
    peak_rss_kb: Option<u64>,
) -> Vec<Figures> {
    let mut by_op: Vec<(&'static str, Vec<Duration>, usize, Option<String>)> = Vec::new();
    for (op, result) in samples {
        let index = match by_op.iter().position(|(o, ..)| *o == op) {
            Some(i) => i,
            None => {
                by_op.push((op, Vec::new(), 0, None));
                by_op.len() - 1
            }
        };
        match result {
            Ok(d) => by_op[index].1.push(d),
            Err(e) => {
                by_op[index].2 += 1;
                by_op[index].3.get_or_insert(e);
            }
        }
    }
    by_op
        .into_iter()
        .map(|(op, mut latencies, errors, first_error)| {
            latencies.sort();
            let at = |q: f64| {
                latencies
                    .get(((latencies.len() as f64 * q).ceil() as usize).saturating_sub(1))
                    .copied()
            };
            Figures {
                workload: workload.to_owned(),
                op,
                clients: clients.to_owned(),
                ops: latencies.len(),
                errors,
                first_error,
                per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
                p50: at(0.50),
                p99: at(0.99),
                max: latencies.last().copied(),
                peak_rss_mb: peak_rss_kb.map(|kb| kb as f64 / 1024.0),
                cpu_ms: None,
            }
        })
        .collect()
}

/// The median of several runs' figures, row by row (rows matched by
/// workload, op and clients, in the first run's order): median throughput
/// and latencies, errors summed over all runs, the highest RSS seen.
pub fn median(runs: &[Vec<Figures>]) -> Vec<Figures> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .map(|row| {
            let same: Vec<&Figures> = runs
                .iter()
                .filter_map(|run| {
                    run.iter().find(|f| {
                        f.workload == row.workload && f.op == row.op && f.clients == row.clients
                    })
                })
                .collect();
            /// The median of the runs that measured one (none if none did).
            fn mid_some(values: Vec<Option<Duration>>) -> Option<Duration> {
                let measured: Vec<Duration> = values.into_iter().flatten().collect();
                (!measured.is_empty()).then(|| mid(measured))
            }
            fn mid<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
                values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                values[values.len() / 2]
            }
            Figures {
                workload: row.workload.clone(),
                op: row.op,
                clients: row.clients.clone(),
                ops: mid(same.iter().map(|f| f.ops).collect()),
                errors: same.iter().map(|f| f.errors).sum(),
                first_error: same.iter().find_map(|f| f.first_error.clone()),
                per_second: mid(same.iter().map(|f| f.per_second).collect()),
                p50: mid_some(same.iter().map(|f| f.p50).collect()),
                p99: mid_some(same.iter().map(|f| f.p99).collect()),
                max: mid_some(same.iter().map(|f| f.max).collect()),
                peak_rss_mb: same
                    .iter()
                    .filter_map(|f| f.peak_rss_mb)
                    .fold(None, |peak, mb| Some(peak.map_or(mb, |p: f64| p.max(mb)))),
                cpu_ms: {
                    let all: Vec<[f64; 3]> = same.iter().filter_map(|f| f.cpu_ms).collect();
                    (!all.is_empty())
                        .then(|| [0, 1, 2].map(|i| mid(all.iter().map(|c| c[i]).collect())))
                },
            }
        })
        .collect()
}

/// Runs `workers` flat out (no think time) for `duration`.
pub async fn closed_loop(
    workers: Vec<Worker>,
    workload: Workload,
    duration: Duration,
) -> (Vec<Worker>, Vec<Sample>, Duration) {
    let start = Instant::now();
    let deadline = start + duration;
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|mut worker| {
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    samples.extend(worker.step(workload).await);
                }
                (worker, samples)
            })
        })
        .collect();
    let mut workers = Vec::new();
    let mut samples = Vec::new();
    for task in tasks {
        match task.await {
            Ok((worker, s)) => {
                workers.push(worker);
                samples.extend(s);
            }
            // A worker that panicked is an error of the run, not a silence.
            Err(e) => samples.push(("worker", Err(format!("worker panicked: {e}")))),
        }
    }
    (workers, samples, start.elapsed())
}

/// The realistic peak: each inspector saves a standard every `save_every`
/// and each lead opens a dashboard every `refresh_every`, with ±10% jitter,
/// whatever the server's speed. Latency counts from when the request was
/// due, so a slow server cannot hide its queue.
pub async fn open_loop(
    inspectors: Vec<Worker>,
    leads: Vec<Worker>,
    save_every: Duration,
    refresh_every: Duration,
    duration: Duration,
) -> (Vec<Sample>, Duration) {
    let start = tokio::time::Instant::now();
    let end = start + duration;
    let mut tasks = Vec::new();
    for (kind, period, group) in [
        (Workload::Marking, save_every, inspectors),
        (Workload::Dashboard, refresh_every, leads),
    ] {
        for mut worker in group {
            tasks.push(tokio::spawn(async move {
                let mut samples = Vec::new();
                let period_ms = period.as_millis() as usize;
                let mut due = start + Duration::from_millis(worker.rng.below(period_ms) as u64);
                while due < end {
                    tokio::time::sleep_until(due).await;
                    let result = if kind == Workload::Marking {
                        let (_, case) = worker.pick_own();
                        worker.save(case).await.map(|_| due.elapsed())
                    } else {
                        let inspection = worker.pick_any();
                        worker.dashboard(inspection).await.map(|_| due.elapsed())
                    };
                    samples.push((
                        if kind == Workload::Marking {
                            "save"
                        } else {
                            "dashboard"
                        },
                        result,
                    ));
                    let jitter = worker.rng.below(period_ms / 5) as u64;
                    due += Duration::from_millis((period_ms - period_ms / 10) as u64 + jitter);
                }
                samples
            }));
        }
    }
    let mut samples = Vec::new();
    for task in tasks {
        match task.await {
            Ok(s) => samples.extend(s),
            Err(e) => samples.push(("worker", Err(format!("worker panicked: {e}")))),
        }
    }
    (samples, start.elapsed())
}
