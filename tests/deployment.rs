//! Deployment (docs/deployment.md): instances that start at once on an
//! empty database both come up, with each migration applied and each
//! shipped framework stored once.

use crate::support::process::Server;

#[tokio::test]
async fn two_instances_starting_at_once_on_an_empty_database_both_come_up() {
    let database = format!("casemark_deploy_{}", std::process::id());
    let url = crate::support::database_url_of(&database);
    let (mut first, mut second) = tokio::join!(Server::start(&url), Server::start(&url));
    let pool = sqlx::PgPool::connect(&url)
        .await
        .expect("the database exists");
    let applied: i64 = sqlx::query_scalar("select count(*) from _sqlx_migrations where success")
        .fetch_one(&pool)
        .await
        .expect("migrations table");
    let migrations = casemark::db::MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .count();
    assert_eq!(applied, migrations as i64);
    let frameworks: Vec<String> =
        sqlx::query_scalar("select code from framework_version order by code")
            .fetch_all(&pool)
            .await
            .expect("frameworks");
    assert_eq!(
        frameworks,
        ["pdu-2023", "pdu-2024", "region-2024", "youth-2018"]
    );
    first.kill();
    second.kill();
    pool.close().await;
    let admin = crate::support::database_url_of("postgres");
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("admin connection");
    sqlx::Executor::execute(
        &mut conn,
        sqlx::AssertSqlSafe(format!("drop database if exists {database} with (force)")),
    )
    .await
    .expect("dropped");
}
