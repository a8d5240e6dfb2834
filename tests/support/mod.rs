//! Test harness: a fresh PostgreSQL database per test, migrated, with the
//! real router served in-process by axum-test.
//!
//! The server is CASEMARK_TEST_DATABASE_URL, or the local PostgreSQL at
//! 127.0.0.1:5432 as user postgres. Each test's database is dropped when its
//! `TestApp` goes out of scope, also when the test fails.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::sync::atomic::{AtomicU32, Ordering};

use axum_test::TestServer;
use casemark::{AppState, db, router};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

pub struct TestApp {
    pub server: TestServer,
    pub pool: PgPool,
    database: String,
    admin: PgConnectOptions,
}

fn admin_options() -> PgConnectOptions {
    let url = std::env::var("CASEMARK_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    url.parse()
        .expect("CASEMARK_TEST_DATABASE_URL is a PostgreSQL URL")
}

impl TestApp {
    pub async fn spawn() -> TestApp {
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
        let server = TestServer::new(router(AppState::new(pool.clone()), &static_dir));
        TestApp {
            server,
            pool,
            database,
            admin,
        }
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

/// "Requires improvement" → "requires_improvement", as the API writes ratings.
pub fn rating_code(label: &str) -> String {
    label.to_lowercase().replace(' ', "_")
}
