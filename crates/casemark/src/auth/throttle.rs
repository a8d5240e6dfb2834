//! Slowing, then locking, repeated failed sign-ins, per account (by the email
//! typed, whether or not such an account exists, so the response reveals
//! nothing) and per client address. Kept in PostgreSQL so every app instance
//! sees the same counts.

use std::time::Duration;

use chrono::Utc;
use sqlx::PgConnection;

use crate::db;

/// Failures of one account before it is locked.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures from one address before it is locked: higher, as an office may
/// share one address.
pub const ADDRESS_LIMIT: i32 = 30;
pub const LOCK_MINUTES: i32 = 15;

fn keys(email: &str, address: &str) -> [String; 2] {
    [
        format!("account:{}", email.trim().to_lowercase()),
        format!("address:{address}"),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead after waiting this long.
    Allowed(Duration),
    Locked,
}

pub async fn check(
    conn: &mut PgConnection,
    email: &str,
    address: &str,
) -> Result<Verdict, sqlx::Error> {
    let mut failures = 0;
    for key in keys(email, address) {
        if let Some((count, locked_until)) = db::accounts::throttle(conn, &key).await? {
            if locked_until.is_some_and(|until| until > Utc::now()) {
                return Ok(Verdict::Locked);
            }
            if key.starts_with("account:") {
                failures = count;
            }
        }
    }
    // The third and later failures cost a growing wait, up to two seconds.
    let steps = u64::try_from(failures.saturating_sub(2))
        .unwrap_or(0)
        .min(8);
    Ok(Verdict::Allowed(Duration::from_millis(250 * steps)))
}

pub async fn failed(
    conn: &mut PgConnection,
    email: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    let [account, addr] = keys(email, address);
    db::accounts::record_failure(conn, &account, ACCOUNT_LIMIT, LOCK_MINUTES).await?;
    db::accounts::record_failure(conn, &addr, ADDRESS_LIMIT, LOCK_MINUTES).await?;
    Ok(())
}

pub async fn succeeded(
    conn: &mut PgConnection,
    email: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    let [account, _] = keys(email, address);
    db::accounts::clear_throttle(conn, &account).await
}

/// The client's address as the socket saw it ("unknown" when the server was
/// not started with connection info, as in in-process tests).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(ClientAddress(info.map_or_else(
            || "unknown".to_owned(),
            |c| c.0.ip().to_string(),
        )))
    }
}
