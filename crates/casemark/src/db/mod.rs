//! The data layer: every SQL statement of casemark lives in this module's
//! children, as named functions taking a connection (or transaction), so
//! handlers never hold SQL and a reader finds each query by what it does.

pub mod accounts;
pub mod answers;
pub mod audit;
pub mod cases;
pub mod domain_one;
pub mod fieldwork;
pub mod framework;
pub mod framework_store;
pub mod inspections;
pub mod long_list;
pub mod members;
pub mod national;
pub mod places;
pub mod qa;
pub mod ratings;
pub mod report;
pub mod security;
pub mod sessions;
pub mod throttle;
pub mod tokens;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// The schema, embedded at build time from the repository's migrations/.
pub static MIGRATOR: Migrator = sqlx::migrate!("../../migrations");

/// Why the server could not get a usable database at start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot reach PostgreSQL at {url}: {source}")]
    Unreachable { url: String, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Creates the database if it is missing, connects a small pool and brings
/// the schema up to date.
pub async fn prepare(url: &str, max_connections: u32) -> Result<PgPool, StartupError> {
    let unreachable = |source| StartupError::Unreachable {
        url: redact(url),
        source,
    };
    if !sqlx::Postgres::database_exists(url)
        .await
        .map_err(unreachable)?
    {
        // Instances starting at once on a new database race to create it:
        // the one that loses finds it made and carries on. PostgreSQL says
        // so as duplicate_database, or, when the two creates overlap, as a
        // unique violation on its catalogue (seen in tests/deployment.rs).
        match sqlx::Postgres::create_database(url).await {
            Ok(()) => tracing::info!(database = %redact(url), "created database"),
            Err(sqlx::Error::Database(e))
                if matches!(e.code().as_deref(), Some("42P04" | "23505")) => {}
            Err(e) => return Err(unreachable(e)),
        }
    }
    let pool = connect(url, max_connections).await.map_err(unreachable)?;
    // sqlx's migrator holds an advisory lock while it runs, so instances
    // starting together apply each migration once, one after another.
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// A pool sized for a small machine: more connections than cores only queue
/// inside PostgreSQL. Waiting for a connection is bounded so that an
/// overloaded or absent database yields a prompt 503, not a hung request.
///
/// JIT compilation is off for these connections: casemark's queries are
/// short reads and writes by key, and PostgreSQL's cost estimate for the
/// larger lists crossed the JIT threshold, spending 26 ms compiling a query
/// that then ran in a few (docs/performance.md).
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.options([("jit", "off")]);
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
}

/// A round trip to the database, for readiness checks.
pub async fn ping(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("select 1").execute(conn).await?;
    Ok(())
}

/// True when an error means PostgreSQL cannot be reached or is going away
/// (so a request should get "try again", a 503, not a 500): no connection
/// free in time, a broken, refused or garbled connection (a server killed
/// mid-reply), or a server shutting down or starting up (SQLSTATE classes
/// 08 and 57P).
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => e
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// True when a database error is the violation of the named constraint or
/// unique index, so callers can turn it into a message about a field.
pub fn violates(error: &sqlx::Error, constraint: &str) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some(constraint))
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/casemark"),
            "postgres://app:***@db:5432/casemark"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/casemark"),
            "postgres://postgres@127.0.0.1/casemark"
        );
    }
}
