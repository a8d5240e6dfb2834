//! Test harness: a fresh PostgreSQL database per test, migrated, with the
//! real router served in-process by axum-test.
//!
//! The server is CASEMARK_TEST_DATABASE_URL, or the local PostgreSQL at
//! 127.0.0.1:5432 as user postgres. Each test's database is dropped when its
//! `TestApp` goes out of scope, also when the test fails.
//!
//! Over 400 lines on purpose: the harness every module shares (a fresh
//! database per test, the router, signed-in clients, fixtures and the
//! assertions on the database's refusals); the inspection builder is in
//! build.rs.

#![allow(dead_code)] // not every helper is used by every build of the suite

pub mod build;
pub mod chrome;
pub mod cluster;
pub mod process;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum_test::multipart::MultipartForm;
use axum_test::{TestRequest, TestResponse, TestServer, TestServerConfig};
pub use build::{Built, KEY_QUESTIONS, add_case, build};
use casemark::vocab::UserRole;
use casemark::{AppState, accounts, db, router};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

/// The password of every test user.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub pool: PgPool,
    pub state: AppState,
    router: Router,
    database: String,
    admin: PgConnectOptions,
}

/// A person in a browser: their own cookie jar and the CSRF token of their
/// session, added to every form they post.
pub struct Browser {
    pub server: TestServer,
    pub csrf: String,
}

/// The value of the hidden input `name` in a page, unescaped as a browser
/// would before sending it back.
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("type=\"hidden\" name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("page has a hidden {name} field"));
    let end = html[start..].find('"').expect("value ends") + start;
    html[start..end]
        .replace("&#10;", "\n")
        .replace("&#13;", "\r")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .expect("page has a CSRF token");
    let end = html[start..].find('"').expect("token ends") + start;
    html[start..end].to_owned()
}

impl Browser {
    pub fn get(&self, path: &str) -> TestRequest {
        self.server.get(path)
    }

    /// Posts a urlencoded form with the session's CSRF token.
    pub fn post_form<K: AsRef<str>, V: AsRef<str>>(
        &self,
        path: &str,
        fields: &[(K, V)],
    ) -> TestRequest {
        let mut all: Vec<(String, String)> = vec![("csrf_token".into(), self.csrf.clone())];
        all.extend(
            fields
                .iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self.server.post(path).form(&all)
    }

    /// Posts a form with nothing but the CSRF token (a button).
    pub fn post(&self, path: &str) -> TestRequest {
        self.post_form(path, &[] as &[(&str, &str)])
    }

    /// A multipart form that already carries the CSRF token.
    pub fn multipart(&self) -> MultipartForm {
        MultipartForm::new().add_text("csrf_token", self.csrf.clone())
    }

    /// Adds cases from a pasted CSV as a lead does: the preview, then its
    /// confirm button. Returns the confirm's response (or the preview's, if
    /// the preview found problems).
    pub async fn import_cases(&self, inspection: i64, csv: &str) -> TestResponse {
        let preview = self
            .server
            .post(&format!("/inspections/{inspection}/cases/import"))
            .multipart(self.multipart().add_text("csv", csv.to_owned()))
            .await;
        if preview.status_code() != 200 {
            return preview;
        }
        let text = hidden_value(&preview.text(), "csv");
        self.post_form(
            &format!("/inspections/{inspection}/cases/import/confirm"),
            &[("csv", text)],
        )
        .await
    }
}

/// A script with an API token.
pub struct Api {
    pub server: TestServer,
    pub token: String,
}

/// The URL of a database on the test server.
pub fn database_url_of(database: &str) -> String {
    let base = std::env::var("CASEMARK_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    match base.rfind('/') {
        Some(i) => format!("{}/{}", &base[..i], database),
        None => base,
    }
}

fn admin_options() -> PgConnectOptions {
    let url = std::env::var("CASEMARK_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    url.parse()
        .expect("CASEMARK_TEST_DATABASE_URL is a PostgreSQL URL")
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    /// A test app whose state is changed first (cookie settings, limits).
    pub async fn spawn_with(configure: impl FnOnce(&mut AppState)) -> TestApp {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let database = format!(
            "casemark_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = admin_options();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect_with(&admin)
            .await
            .expect("the test PostgreSQL server is reachable (see README)");
        sqlx::Executor::execute(
            &mut conn,
            sqlx::AssertSqlSafe(format!("drop database if exists {database} with (force)")),
        )
        .await
        .expect("drop stale test database");
        sqlx::Executor::execute(
            &mut conn,
            sqlx::AssertSqlSafe(format!("create database {database}")),
        )
        .await
        .expect("create test database");
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(4)
            .connect_with(admin.clone().database(&database))
            .await
            .expect("connect to test database");
        db::MIGRATOR.run(&pool).await.expect("migrations run");
        let static_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../static");
        let mut state = AppState::new(pool.clone());
        configure(&mut state);
        // As the server does: the listener that keeps the memory of
        // sessions right. Waiting for it makes every test run with it.
        let url = database_url_of(&database);
        state.listen_for_auth_changes(&url);
        state.listen_for_live_changes(&url);
        let started = std::time::Instant::now();
        while !state.auth_cache.is_live() && started.elapsed() < std::time::Duration::from_secs(5) {
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        assert!(state.auth_cache.is_live(), "the auth listener listens");
        TestApp {
            router: router(state.clone(), &static_dir),
            state,
            pool,
            database,
            admin,
        }
    }

    /// Serves the app on a loopback port for a real browser; returns its
    /// address. The server runs until the test's runtime ends.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("address");
        let app = self
            .router
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("server runs");
        });
        format!("http://{address}")
    }

    /// A client over real HTTP on loopback (so the server sees a client
    /// address), keeping cookies like a browser.
    pub fn client(&self) -> TestServer {
        let config = TestServerConfig {
            save_cookies: true,
            ..TestServerConfig::default()
        };
        TestServer::new_with_config(
            self.router
                .clone()
                .into_make_service_with_connect_info::<SocketAddr>(),
            config,
        )
    }

    /// A client that keeps no cookies, to look at the ones the server sets.
    pub fn cookieless_client(&self) -> TestServer {
        TestServer::new_with_config(
            self.router
                .clone()
                .into_make_service_with_connect_info::<SocketAddr>(),
            TestServerConfig::default(),
        )
    }

    /// Adds a user with [`PASSWORD`]; returns their id.
    pub async fn user(&self, email: &str, role: UserRole) -> i64 {
        accounts::add_user(
            &self.pool,
            &casemark::audit::Actor::system("tests"),
            email,
            None,
            PASSWORD,
            role,
        )
        .await
        .expect("user added")
    }

    /// Signs in through the sign-in form, as a browser would.
    pub async fn sign_in(&self, email: &str) -> Browser {
        let server = self.client();
        let form = server.get("/sign-in").await;
        let anonymous = csrf_in(&form.text());
        let signed_in = server
            .post("/sign-in")
            .form(&[
                ("email", email),
                ("password", PASSWORD),
                ("csrf_token", &anonymous),
                ("next", "/"),
            ])
            .await;
        assert_eq!(signed_in.status_code(), 303, "{email} signs in");
        let home = server.get("/my-cases").await;
        let csrf = csrf_in(&home.text());
        Browser { server, csrf }
    }

    /// A user with that role who signs in, created first.
    pub async fn browser(&self, email: &str, role: UserRole) -> Browser {
        self.user(email, role).await;
        self.sign_in(email).await
    }

    /// An API client with a token of an existing user.
    pub async fn api_for(&self, email: &str) -> Api {
        let token = accounts::create_token_for(&self.pool, email, "tests")
            .await
            .expect("token");
        let mut server = self.client();
        server.add_header(
            HeaderName::from_static("authorization"),
            HeaderValue::from_str(&format!("Bearer {token}")).expect("header"),
        );
        Api { server, token }
    }

    /// A new user with that role and an API token.
    pub async fn api(&self, email: &str, role: UserRole) -> Api {
        self.user(email, role).await;
        self.api_for(email).await
    }

    /// The URL of this test's database, for running the binary against it.
    pub fn database_url(&self) -> String {
        database_url_of(&self.database)
    }

    /// Runs SQL that changes sign-in state behind the app's back (ageing a
    /// session, say), then waits until the app's memory of sessions has
    /// heard of it from the database, as every server process does.
    pub async fn change_behind_the_app(&self, sql: &'static str) {
        let before = self.state.auth_cache.forgettings();
        sqlx::query(sql)
            .execute(&self.pool)
            .await
            .expect("the change");
        let started = std::time::Instant::now();
        while self.state.auth_cache.forgettings() == before {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "the database's notification of the change arrives"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// A digest of every row the application keeps, but the rows that
    /// change on any signed-in request (sessions' last activity, tokens'
    /// last use, sign-in throttling): equal before and after a refused
    /// request when it changed nothing.
    pub async fn fingerprint(&self) -> String {
        let tables: Vec<String> = sqlx::query_scalar(
            "select tablename::text from pg_tables where schemaname = 'public'
               and tablename not in ('user_session', 'api_token', 'sign_in_throttle', '_sqlx_migrations')
             order by 1",
        )
        .fetch_all(&self.pool)
        .await
        .expect("tables");
        let digests: Vec<String> = tables
            .iter()
            .map(|t| {
                format!(
                    "'{t}:' || (select count(*) from {t}) || ':' || \
                     (select md5(coalesce(string_agg(x::text, ',' order by x::text), '')) from {t} x)"
                )
            })
            .collect();
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select {}",
            digests.join(" || ' ' || ")
        )))
        .fetch_one(&self.pool)
        .await
        .expect("fingerprint")
    }

    pub async fn region_id(&self, name: &str) -> i16 {
        sqlx::query_scalar("select id from region where name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .expect("region exists")
    }

    pub async fn case_ids(&self, inspection_id: i64) -> Vec<i64> {
        sqlx::query_scalar("select id from sample_case where inspection_id = $1 order by reference")
            .bind(inspection_id)
            .fetch_all(&self.pool)
            .await
            .expect("case ids")
    }

    pub async fn status_of(&self, inspection_id: i64) -> String {
        sqlx::query_scalar("select status from inspection where id = $1")
            .bind(inspection_id)
            .fetch_one(&self.pool)
            .await
            .expect("status")
    }

    pub async fn count(&self, table_sql: &'static str) -> i64 {
        sqlx::query_scalar(table_sql)
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Drop runs outside async; a short-lived runtime on its own thread
        // removes the database (FORCE closes the pool's connections).
        let database = self.database.clone();
        let admin = self.admin.clone();
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut conn) =
                    <sqlx::PgConnection as sqlx::Connection>::connect_with(&admin).await
                {
                    let sql = format!("drop database if exists {database} with (force)");
                    let _ = sqlx::Executor::execute(&mut conn, sqlx::AssertSqlSafe(sql)).await;
                }
            });
        })
        .join();
    }
}

/// The published examples, with case-level counts (tests/fixtures).
#[derive(Debug, serde::Deserialize)]
pub struct Fixtures {
    pub pdus: Vec<PublishedPdu>,
}

#[derive(Debug, serde::Deserialize)]
pub struct PublishedPdu {
    pub name: String,
    pub region: String,
    pub fieldwork_start: String,
    pub cases: usize,
    pub community_orders: usize,
    pub domain_one: std::collections::BTreeMap<String, String>,
    pub key_questions: std::collections::BTreeMap<String, PublishedKeyQuestion>,
    pub domain_two: std::collections::BTreeMap<String, String>,
    pub score: u8,
    pub overall: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct PublishedKeyQuestion {
    pub published_percent: u8,
    pub yes: usize,
    pub no: usize,
    pub na: usize,
}

impl PublishedKeyQuestion {
    /// The answer of the case at `index`: the first `yes` cases Yes, the
    /// next `no` cases No, the rest N/A.
    pub fn answer_for(&self, index: usize) -> &'static str {
        if index < self.yes {
            "yes"
        } else if index < self.yes + self.no {
            "no"
        } else {
            "na"
        }
    }
}

pub fn fixtures() -> Fixtures {
    serde_json::from_str(include_str!("../fixtures/published-examples.json"))
        .expect("fixtures parse")
}

/// Asserts that PostgreSQL refused a statement for the rule we mean (its
/// SQLSTATE and message), not for any other reason such as a typo in the
/// test's SQL.
pub fn assert_refused(
    result: Result<sqlx::postgres::PgQueryResult, sqlx::Error>,
    sqlstate: &str,
    message: &str,
) {
    match result {
        Err(sqlx::Error::Database(e)) => {
            assert_eq!(e.code().as_deref(), Some(sqlstate), "{e}");
            assert!(e.message().contains(message), "{e}");
        }
        other => panic!("expected the database to refuse ({sqlstate}), got {other:?}"),
    }
}

/// The `Location` of a 303.
pub fn location(response: &TestResponse) -> String {
    assert_eq!(
        response.status_code(),
        303,
        "expected a redirect, got {}",
        response.text()
    );
    response
        .header("location")
        .to_str()
        .expect("location is text")
        .to_owned()
}

/// "Requires improvement" → "requires_improvement", as the API writes ratings.
pub fn rating_code(label: &str) -> String {
    label.to_lowercase().replace(' ', "_")
}

/// An inspection made through the API by `api` (a lead's client), moved
/// along its lifecycle to `status`, with no cases: [`build`] in one line.
pub async fn inspection(
    api: &TestServer,
    pdu: &str,
    region: &str,
    fieldwork: &str,
    status: &'static str,
) -> i64 {
    build(api)
        .pdu(pdu)
        .region(region)
        .fieldwork(fieldwork)
        .status(status)
        .await_built()
        .await
        .id
}

/// The `field` of each error in a JSON error body, in order.
pub fn error_fields(response: &TestResponse) -> Vec<serde_json::Value> {
    pluck(&response.json::<serde_json::Value>()["errors"], &["field"])
}

/// Some fields of each object of a JSON array, in order: the value itself
/// for one key, else an array of the values, to compare with `json!`.
pub fn pluck(array: &serde_json::Value, keys: &[&str]) -> Vec<serde_json::Value> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .map(|item| match keys {
            [key] => item[*key].clone(),
            _ => serde_json::Value::Array(keys.iter().map(|k| item[*k].clone()).collect()),
        })
        .collect()
}

/// One sheet of an inspection's workbook (`annexe.xlsx`), as text cells.
pub async fn workbook_sheet(api: &TestServer, id: i64, sheet: &str) -> Vec<Vec<String>> {
    use calamine::Reader;
    let bytes = api
        .get(&format!("/api/v1/inspections/{id}/annexe.xlsx"))
        .await
        .into_bytes();
    let mut workbook: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    workbook
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("{sheet}: {e}"))
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

/// An inspection's ratings document (`GET /api/v1/inspections/{id}/ratings`).
pub async fn ratings(api: &TestServer, id: i64) -> serde_json::Value {
    let response = api.get(&format!("/api/v1/inspections/{id}/ratings")).await;
    response.assert_status_ok();
    response.json::<serde_json::Value>()
}

/// A standard of a ratings document (`GET /api/v1/inspections/{id}/ratings`)
/// by its code.
pub fn standard_in(ratings: &serde_json::Value, code: &str) -> serde_json::Value {
    ratings["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .find(|s| s["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("standard {code}"))
}

/// A standard's cell in an inspections list, as the page writes it: a
/// compact rating tag whose full name is for screen readers, or "–" (not
/// rated) for any other label.
pub fn list_rating_cell(label: &str) -> String {
    let (class, short) = match label {
        "Outstanding" => ("govuk-tag--green", "Out"),
        "Good" => ("govuk-tag--turquoise", "Good"),
        "Requires improvement" => ("govuk-tag--yellow", "RI"),
        "Inadequate" => ("govuk-tag--red", "Inad"),
        _ => {
            return "<td class=\"govuk-table__cell\"><span aria-hidden=\"true\">–</span>\
                    <span class=\"govuk-visually-hidden\">Not rated</span></td>"
                .to_owned();
        }
    };
    format!(
        "<td class=\"govuk-table__cell\"><strong class=\"govuk-tag {class} casemark-tag--compact\">\
         <span aria-hidden=\"true\">{short}</span><span class=\"govuk-visually-hidden\">{label}</span>\
         </strong></td>"
    )
}
