//! Faults really caused: the database stopped and started under marking
//! traffic, the server killed and terminated mid-request, the pool
//! exhausted, a request past its time limit. And the edges every response
//! passes: health endpoints, security headers, request ids.
//!
//! The invariant throughout: a save that was acknowledged is there
//! afterwards; a save that was refused left nothing behind.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;
use crate::support::cluster;
use crate::support::process;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum_test::TestServer;
use casemark::vocab::UserRole;
use casemark::{AppState, db, router};
use serde_json::{Value, json};
use sqlx::PgPool;
use support::TestApp;

fn static_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static")
}

/// A save that sets key question 2.1.1's rationale to `mark`.
fn save_json(mark: &str) -> Value {
    json!({"key_questions": {"2.1.1": {"answer": "yes", "rationale": mark}}})
}

pub(crate) fn save_body(mark: &str) -> String {
    save_json(mark).to_string()
}

/// What a save's response says happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Acknowledged,
    /// Refused before reaching the database: must have left nothing.
    Refused,
    /// The connection broke mid-request: either way is allowed.
    Unknown,
}

pub(crate) fn outcome(status: u16, body: &str) -> Outcome {
    match status {
        200 => Outcome::Acknowledged,
        503 if body.contains("The change was saved") => Outcome::Acknowledged,
        503 if body.contains("nothing was saved") => Outcome::Refused,
        503 => Outcome::Unknown,
        other => panic!("a save answered {other}: {body}"),
    }
}

/// Every rationale written to each case's 2.1.1, from the audit trail, and
/// the rationale the case holds now.
async fn stored_marks(pool: &PgPool, case: i64) -> (BTreeSet<String>, Option<String>) {
    let audited: Vec<Option<String>> = sqlx::query_scalar(
        "select new_value from audit_event
         where case_id = $1 and entity = 'judgement' and field = 'rationale' and code = '2.1.1'",
    )
    .bind(case)
    .fetch_all(pool)
    .await
    .expect("audit");
    let current: Option<String> = sqlx::query_scalar(
        "select j.rationale from key_question_judgement j
         join key_question k on k.id = j.key_question_id
         where j.case_id = $1 and k.code = '2.1.1'",
    )
    .bind(case)
    .fetch_optional(pool)
    .await
    .expect("judgement")
    .flatten();
    (audited.into_iter().flatten().collect(), current)
}

/// Checks the invariant for saves made one after another per case, marks
/// numbered in order: every acknowledged mark is stored, nothing refused is,
/// and the case holds the last stored mark.
pub(crate) async fn assert_nothing_lost(
    pool: &PgPool,
    saves: &BTreeMap<i64, Vec<(String, Outcome)>>,
) {
    for (case, attempts) in saves {
        let (stored, current) = stored_marks(pool, *case).await;
        for (mark, outcome) in attempts {
            match outcome {
                Outcome::Acknowledged => {
                    assert!(
                        stored.contains(mark),
                        "acknowledged {mark} of case {case} lost"
                    )
                }
                Outcome::Refused => assert!(
                    !stored.contains(mark),
                    "refused {mark} of case {case} was written"
                ),
                Outcome::Unknown => {}
            }
        }
        let last_stored = attempts
            .iter()
            .rev()
            .find(|(mark, _)| stored.contains(mark))
            .map(|(mark, _)| mark.clone());
        assert_eq!(
            current, last_stored,
            "case {case} holds its last stored save"
        );
    }
}

/// The counts kept by triggers agree with a recount, and every judgement
/// has the audit event that wrote its current answer and rationale.
pub(crate) async fn assert_consistent(pool: &PgPool) {
    let drift: i64 = sqlx::query_scalar(
        "select count(*) from key_question_tally t
         cross join lateral (
            select count(*) filter (where j.answer = 'yes') as yes,
                   count(*) filter (where j.answer = 'no') as no,
                   count(*) filter (where j.answer = 'na') as na
            from key_question_judgement j join sample_case c on c.id = j.case_id
            where c.inspection_id = t.inspection_id and j.key_question_id = t.key_question_id) r
         where (t.yes::bigint, t.no::bigint, t.na::bigint) is distinct from (r.yes, r.no, r.na)",
    )
    .fetch_one(pool)
    .await
    .expect("drift");
    assert_eq!(drift, 0, "tallies agree with a recount");
    let unaudited: i64 = sqlx::query_scalar(
        "select count(*) from key_question_judgement j
         join key_question k on k.id = j.key_question_id
         where j.rationale is distinct from (
            select a.new_value from audit_event a
            where a.case_id = j.case_id and a.entity = 'judgement' and a.field = 'rationale'
              and a.code = k.code
            order by a.id desc limit 1)",
    )
    .fetch_one(pool)
    .await
    .expect("audit check");
    assert_eq!(unaudited, 0, "every rationale is the last one audited");
}

#[tokio::test]
async fn health_endpoints_answer_without_signing_in() {
    let app = TestApp::spawn().await;
    let client = app.cookieless_client();
    let health = client.get("/healthz").await;
    health.assert_status_ok();
    assert_eq!(health.text(), "ok\n");
    let ready = client.get("/readyz").await;
    ready.assert_status_ok();
    assert_eq!(ready.json::<Value>()["status"], "ready");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let browser = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let anonymous = app.cookieless_client();
    let mut responses = vec![
        ("sign-in page", anonymous.get("/sign-in").await),
        ("asset", anonymous.get("/assets/app.css").await),
        ("redirect", anonymous.get("/inspections/new").await),
        ("API refusal", anonymous.get("/api/v1/inspections").await),
        ("health", anonymous.get("/healthz").await),
        ("readiness", anonymous.get("/readyz").await),
        ("page", browser.get("/").await),
        ("not found", browser.get("/no-such-page").await),
        (
            "CSRF refusal",
            browser.server.post("/inspections/new").await,
        ),
    ];
    for (what, response) in responses.drain(..) {
        let header = |name: &str| {
            response
                .maybe_header(name)
                .map(|v| v.to_str().expect("ASCII").to_owned())
                .unwrap_or_else(|| panic!("{what}: no {name}"))
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        assert_eq!(header("referrer-policy"), "same-origin", "{what}");
        assert_eq!(header("x-request-id").len(), 16, "{what}");
        assert!(
            response.maybe_header("strict-transport-security").is_none(),
            "{what}: no HSTS over plain http"
        );
    }
    // Over https (as the public URL says), HSTS too.
    let mut state = app.state.clone();
    state.sessions.secure_cookies = true;
    let https = TestServer::new(router(state, &static_dir()));
    let response = https.get("/healthz").await;
    assert_eq!(
        response.header("strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
}

#[tokio::test]
async fn request_ids_are_kept_from_upstream_or_made_and_shown_on_errors() {
    let app = TestApp::spawn().await;
    let client = app.cookieless_client();
    let given = client
        .get("/healthz")
        .add_header("x-request-id", "lb-1234")
        .await;
    assert_eq!(given.header("x-request-id"), "lb-1234");
    let hostile = client
        .get("/healthz")
        .add_header("x-request-id", "a b<script>")
        .await;
    let made = hostile.header("x-request-id");
    assert_ne!(made, "a b<script>");
    assert_eq!(made.len(), 16);
    // A server-side failure names its request: a stopped database here.
    let state = AppState::new(
        sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_millis(300))
            .connect_lazy("postgres://postgres@127.0.0.1:1/nowhere")
            .expect("lazy pool"),
    );
    let down = TestServer::new(router(state, &static_dir()));
    // (The sign-in page itself needs no database; a session cookie does.)
    let page = down
        .get("/sign-in")
        .add_header("cookie", "casemark_session=anything")
        .add_header("x-request-id", "req-77")
        .await;
    page.assert_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().contains("req-77"), "{}", page.text());
    let api = down
        .get("/api/v1/inspections")
        .add_header("authorization", "Bearer x")
        .add_header("x-request-id", "req-78")
        .await;
    api.assert_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(api.json::<Value>()["request_id"], "req-78");
}

#[tokio::test]
async fn a_request_past_its_time_limit_gets_a_503_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (inspection, cases) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    let mut state = app.state.clone();
    state.request_timeout = Duration::from_millis(300);
    let mut limited = TestServer::new(router(state, &static_dir()));
    limited.add_header("authorization", format!("Bearer {}", lead.token));
    // Another session holds the inspection for writing: the save waits.
    let mut blocker = app.pool.begin().await.expect("transaction");
    sqlx::query("select 1 from inspection where id = $1 for update")
        .bind(inspection)
        .execute(&mut *blocker)
        .await
        .expect("lock");
    let started = Instant::now();
    let response = limited
        .put(&format!("/api/v1/cases/{}/judgements", cases[0]))
        .json(&save_json("too slow"))
        .await;
    response.assert_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        response.text().contains("took too long"),
        "{}",
        response.text()
    );
    blocker.rollback().await.expect("release");
    // The abandoned transaction was rolled back: nothing of it remains.
    let (stored, current) = stored_marks(&app.pool, cases[0]).await;
    assert!(stored.is_empty() && current.is_none());
    // And the same save within the limit succeeds.
    limited
        .put(&format!("/api/v1/cases/{}/judgements", cases[0]))
        .json(&save_json("in time"))
        .await
        .assert_status_ok();
}

#[tokio::test]
async fn an_exhausted_pool_gives_bounded_503s_and_recovers() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (_, cases) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    // A small pool of the app's own kind, with a short wait for a connection.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_millis(500))
        .connect(&app.database_url())
        .await
        .expect("pool");
    let mut server = TestServer::new(router(AppState::new(pool.clone()), &static_dir()));
    server.add_header("authorization", format!("Bearer {}", lead.token));
    let server = Arc::new(server);
    // Two slow queries take both connections for two seconds.
    let slow: Vec<_> = (0..2)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                sqlx::query("select pg_sleep(2)")
                    .execute(&pool)
                    .await
                    .expect("slow query");
            })
        })
        .collect();
    // Both connections are taken once PostgreSQL runs both sleeps.
    let taken = Instant::now();
    loop {
        let running: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity
             where query = 'select pg_sleep(2)' and state = 'active' and datname = current_database()",
        )
        .fetch_one(&app.pool)
        .await
        .expect("activity");
        if running == 2 {
            break;
        }
        assert!(
            taken.elapsed() < Duration::from_secs(5),
            "both slow queries start"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    let waiting: Vec<_> = (0..6)
        .map(|i| {
            let server = Arc::clone(&server);
            let case = cases[0];
            tokio::spawn(async move {
                let response = server
                    .put(&format!("/api/v1/cases/{case}/judgements"))
                    .json(&save_json(&format!("crowded {i}")))
                    .await;
                (response.status_code().as_u16(), response.text())
            })
        })
        .collect();
    for request in waiting {
        let (status, body) = request.await.expect("request");
        assert_eq!(status, 503, "{body}");
        assert!(body.contains("nothing was saved"), "{body}");
    }
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "refused within the pool's wait, not hung: {:?}",
        started.elapsed()
    );
    let health = server.get("/healthz").await;
    health.assert_status_ok();
    for task in slow {
        task.await.expect("slow query ends");
    }
    server
        .put(&format!("/api/v1/cases/{}/judgements", cases[0]))
        .json(&save_json("after"))
        .await
        .assert_status_ok();
    let (stored, current) = stored_marks(&app.pool, cases[0]).await;
    assert_eq!(stored, BTreeSet::from(["after".to_owned()]));
    assert_eq!(current.as_deref(), Some("after"));
}

/// Saves, one after another per case, until told to stop; each attempt's
/// mark and outcome.
async fn mark_until(
    server: Arc<TestServer>,
    cases: Vec<i64>,
    worker: usize,
    stop: tokio::sync::watch::Receiver<bool>,
) -> BTreeMap<i64, Vec<(String, Outcome)>> {
    let mut saves: BTreeMap<i64, Vec<(String, Outcome)>> = BTreeMap::new();
    let mut n = 0;
    while !*stop.borrow() {
        let case = cases[n % cases.len()];
        let mark = format!("w{worker}-{n}");
        let response = server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&save_json(&mark))
            .await;
        let outcome = outcome(response.status_code().as_u16(), &response.text());
        saves.entry(case).or_default().push((mark, outcome));
        n += 1;
    }
    saves
}

#[tokio::test]
async fn a_database_outage_loses_no_acknowledged_save_and_the_app_recovers_alone() {
    let cluster = cluster::Cluster::start();
    let pool = db::prepare(&cluster.url("casemark"), 4)
        .await
        .expect("migrated on the throwaway cluster");
    let (server, _) = cluster::lead_api_on(&pool).await;
    let (_, cases) = support::build(&server)
        .licence_cases(4)
        .await_built()
        .await
        .parts();
    let server = Arc::new(server);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = [cases[..2].to_vec(), cases[2..].to_vec()]
        .into_iter()
        .enumerate()
        .map(|(worker, own)| {
            tokio::spawn(mark_until(
                Arc::clone(&server),
                own,
                worker,
                stopped.clone(),
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.crash();
    // While it is down: the process answers, readiness says no, promptly.
    let started = Instant::now();
    server.get("/healthz").await.assert_status_ok();
    assert!(started.elapsed() < Duration::from_secs(1));
    let started = Instant::now();
    let ready = server.get("/readyz").await;
    ready.assert_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(3));
    let started = Instant::now();
    let refused = server.get("/api/v1/inspections").await;
    refused.assert_status(axum::http::StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "a request during the outage is answered within the pool's wait"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;

    cluster.up();
    let started = Instant::now();
    loop {
        if server.get("/readyz").await.status_code() == 200 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ready again within 30 s of the database's return, without a restart"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.send(true).expect("stop workers");
    let mut saves = BTreeMap::new();
    for worker in workers {
        saves.extend(worker.await.expect("worker"));
    }
    let count = |wanted: Outcome| {
        saves
            .values()
            .flatten()
            .filter(|(_, o)| *o == wanted)
            .count()
    };
    eprintln!(
        "outage: {} acknowledged, {} refused, {} unknown",
        count(Outcome::Acknowledged),
        count(Outcome::Refused),
        count(Outcome::Unknown)
    );
    assert!(count(Outcome::Refused) > 0, "some saves met the outage");
    assert!(
        saves.values().all(|attempts| attempts
            .last()
            .is_some_and(|(_, o)| *o == Outcome::Acknowledged)),
        "saves succeed again after the outage"
    );
    assert_nothing_lost(&pool, &saves).await;
    assert_consistent(&pool).await;
    pool.close().await;
}

#[tokio::test]
async fn a_server_killed_mid_save_leaves_no_half_saved_standard() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (_, cases) = support::build(&lead.server)
        .licence_cases(4)
        .await_built()
        .await
        .parts();
    let mut server = process::Server::start(&app.database_url()).await;
    let addr = server.addr.clone();
    let token = lead.token.clone();
    // A whole standard per save: three answers and their rationales, which
    // must all land or none.
    let workers: Vec<_> = cases
        .iter()
        .map(|&case| {
            let addr = addr.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let mut attempts = Vec::new();
                for n in 0.. {
                    let mark = format!("c{case}-{n}");
                    let body = json!({"key_questions": {
                        "2.1.1": {"answer": (["yes", "no"][n % 2]), "rationale": mark},
                        "2.1.2": {"answer": (["no", "yes"][n % 2]), "rationale": mark},
                        "2.1.3": {"answer": "na", "rationale": mark},
                    }})
                    .to_string();
                    let path = format!("/api/v1/cases/{case}/judgements");
                    match process::send(&addr, "PUT", &path, Some(&token), Some(&body)).await {
                        Ok(reply) if reply.status == 200 => {
                            attempts.push((mark, Outcome::Acknowledged))
                        }
                        Ok(reply) => panic!("save answered {}: {}", reply.status, reply.body),
                        // The server died: this one may or may not have landed.
                        Err(_) => {
                            attempts.push((mark, Outcome::Unknown));
                            break;
                        }
                    }
                }
                (case, attempts)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    let mut saves = BTreeMap::new();
    for worker in workers {
        let (case, attempts) = worker.await.expect("worker");
        saves.insert(case, attempts);
    }
    let acknowledged = saves
        .values()
        .flatten()
        .filter(|(_, o)| *o == Outcome::Acknowledged)
        .count();
    eprintln!("kill: {acknowledged} saves acknowledged before SIGKILL");
    assert!(
        acknowledged > 4,
        "saves were under way when the server died"
    );
    let server = process::Server::start(&app.database_url()).await;
    assert_nothing_lost(&app.pool, &saves).await;
    assert_consistent(&app.pool).await;
    // No half-saved standard: the three rationales of each case are one save's.
    let split: i64 = sqlx::query_scalar(
        "select count(*) from (
            select j.case_id from key_question_judgement j
            join key_question k on k.id = j.key_question_id
            where k.code in ('2.1.1', '2.1.2', '2.1.3')
            group by j.case_id having count(distinct j.rationale) <> 1 or count(*) <> 3) s",
    )
    .fetch_one(&app.pool)
    .await
    .expect("split standards");
    assert_eq!(split, 0, "every standard was saved whole");
    // The restarted server serves the saved work.
    let reply = process::send(
        &server.addr,
        "GET",
        &format!("/api/v1/cases/{}", cases[0]),
        Some(&token),
        None,
    )
    .await
    .expect("case");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn sigterm_lets_the_request_in_flight_finish_refuses_new_ones_and_exits() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (_, cases) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    let mut server = process::Server::start(&app.database_url()).await;
    // A save in flight: its headers and half its body sent.
    let body = save_body("sent across a shutdown");
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = tokio::net::TcpStream::connect(&server.addr)
        .await
        .expect("connect");
    let path = format!("/api/v1/cases/{}/judgements", cases[0]);
    stream
        .write_all(process::head("PUT", &path, Some(&lead.token), body.len()).as_bytes())
        .await
        .expect("head");
    stream.write_all(first.as_bytes()).await.expect("half");
    // The request is in flight once the server has read what was sent: its
    // end of the connection has nothing left unread (no pause guessed at).
    let ports = (
        server
            .addr
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("server port"),
        stream.local_addr().expect("local address").port(),
    );
    let sent = Instant::now();
    while unread_by_server(ports.0, ports.1) != Some(0) {
        assert!(
            sent.elapsed() < Duration::from_secs(5),
            "the server reads the request"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.signal("TERM");
    // New connections are refused as soon as the listener has closed.
    let signalled = Instant::now();
    while tokio::net::TcpStream::connect(&server.addr).await.is_ok() {
        assert!(
            signalled.elapsed() < Duration::from_secs(5),
            "the listener closed on SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The request in flight completes.
    stream.write_all(rest.as_bytes()).await.expect("rest");
    let reply = process::read_reply(&mut stream).await.expect("reply");
    assert_eq!(reply.status, 200, "{}", reply.body);
    // And the process exits, promptly and cleanly.
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "exited within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (stored, current) = stored_marks(&app.pool, cases[0]).await;
    assert!(stored.contains("sent across a shutdown"));
    assert_eq!(current.as_deref(), Some("sent across a shutdown"));
}

#[tokio::test]
async fn a_restored_backup_gives_identical_ratings_and_history() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (inspection, cases) = support::build(&lead.server)
        .licence_cases(3)
        .await_built()
        .await
        .parts();
    for (n, case) in cases.iter().enumerate() {
        lead.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": {
                "2.1.1": {"answer": (["yes", "no", "na"][n]), "rationale": format!("seen {n}")},
                "2.2.1": "yes",
            }, "prompts": {"2.1.1.a": "no"}}))
            .await
            .assert_status_ok();
    }
    lead.server
        .put(&format!("/api/v1/inspections/{inspection}/domain-one"))
        .json(&json!({"1.1": "good", "1.2": "requires_improvement"}))
        .await
        .assert_status_ok();
    let ratings_path = format!("/api/v1/inspections/{inspection}/ratings");
    let ratings = lead.server.get(&ratings_path).await.json::<Value>();
    let history_sql = "select coalesce(json_agg(a order by a.id), '[]')::text from audit_event a";
    let history: String = sqlx::query_scalar(history_sql)
        .fetch_one(&app.pool)
        .await
        .expect("history");
    assert!(history.len() > 100, "there is a history to compare");

    let source = app.database_url();
    let restored_url = format!("{source}_restored");
    let restored_name = restored_url.rsplit('/').next().expect("name").to_owned();
    let dump = std::env::temp_dir().join(format!("casemark-{}.dump", std::process::id()));
    let run = |program: &str, args: &[&str]| {
        let output = std::process::Command::new(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run {program}: {e}"));
        assert!(
            output.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let dump_path = dump.display().to_string();
    run(
        "pg_dump",
        &["--format=custom", "--file", &dump_path, "--dbname", &source],
    );
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "create database {restored_name}"
    )))
    .execute(&app.pool)
    .await
    .expect("create the restore target");
    run(
        "pg_restore",
        &[
            "--no-owner",
            "--exit-on-error",
            "--dbname",
            &restored_url,
            &dump_path,
        ],
    );
    let _ = std::fs::remove_file(&dump);

    let restored = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&restored_url)
        .await
        .expect("restored database");
    let mut server = TestServer::new(router(AppState::new(restored.clone()), &static_dir()));
    // The token is in the backup too (hashed): the same caller reads it.
    server.add_header("authorization", format!("Bearer {}", lead.token));
    assert_eq!(server.get(&ratings_path).await.json::<Value>(), ratings);
    let restored_history: String = sqlx::query_scalar(history_sql)
        .fetch_one(&restored)
        .await
        .expect("restored history");
    assert_eq!(restored_history, history);
    restored.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "drop database {restored_name} with (force)"
    )))
    .execute(&app.pool)
    .await
    .expect("drop the restored copy");
}

/// Bytes the server has not yet read from a loopback connection, from the
/// kernel's table of TCP sockets (`/proc/net/tcp`): the socket whose local
/// port is the server's and remote port the client's.
fn unread_by_server(server_port: u16, client_port: u16) -> Option<u64> {
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let port = |address: &str| {
        address
            .rsplit(':')
            .next()
            .and_then(|p| u16::from_str_radix(p, 16).ok())
    };
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (local, remote, queues) = (fields.get(1)?, fields.get(2)?, fields.get(4)?);
        (port(local)? == server_port && port(remote)? == client_port)
            .then(|| u64::from_str_radix(queues.split(':').nth(1)?, 16).ok())
            .flatten()
    })
}
