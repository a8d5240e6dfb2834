//! Slowing, then locking, repeated failed sign-ins, per account (by the email
//! typed, normalised by [`crate::email`], whether or not such an account
//! exists, so the response reveals nothing) and per client address. Kept in
//! PostgreSQL so every app instance sees the same counts. Attempts are
//! counted before the password is checked, so parallel guesses cannot
//! exceed the limits.

use std::time::Duration;

use sqlx::PgConnection;

use crate::db;
use crate::email::EmailKey;

/// Failures of one account before it is locked.
pub const ACCOUNT_LIMIT: i32 = 5;
/// Failures from one address before it is locked: higher, as an office may
/// share one address.
pub const ADDRESS_LIMIT: i32 = 30;
pub const LOCK_MINUTES: i32 = 15;

fn account_key(email: &EmailKey) -> String {
    format!("account:{email}")
}

fn address_key(address: &str) -> String {
    format!("address:{address}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Check the password after waiting this long. The attempt is already
    /// counted: `account_attempts` and `address_attempts` include it.
    Allowed {
        delay: Duration,
        account_attempts: i32,
        address_attempts: i32,
    },
    Locked,
}

impl Verdict {
    /// Whether a failure of this attempt is the one that locked the account
    /// (or the address): the moment to record a lockout.
    pub fn locks_account(&self) -> bool {
        matches!(self, Verdict::Allowed { account_attempts, .. } if *account_attempts == ACCOUNT_LIMIT)
    }

    pub fn locks_address(&self) -> bool {
        matches!(self, Verdict::Allowed { address_attempts, .. } if *address_attempts == ADDRESS_LIMIT)
    }
}

/// Counts a sign-in attempt, before its password is checked, for the
/// account typed and for the client address. Each count is one atomic
/// statement, so however many attempts race, at most the limit of them get
/// as far as a password check; the rest are `Locked`.
pub async fn attempt(
    conn: &mut PgConnection,
    email: &EmailKey,
    address: &str,
) -> Result<Verdict, sqlx::Error> {
    let account_attempts =
        db::throttle::count_attempt(conn, &account_key(email), ACCOUNT_LIMIT, LOCK_MINUTES).await?;
    let address_attempts =
        db::throttle::count_attempt(conn, &address_key(address), ADDRESS_LIMIT, LOCK_MINUTES)
            .await?;
    if account_attempts > ACCOUNT_LIMIT || address_attempts > ADDRESS_LIMIT {
        return Ok(Verdict::Locked);
    }
    // The third and later failures cost a growing wait, up to two seconds.
    let earlier_failures = account_attempts - 1;
    let steps = u64::try_from(earlier_failures.saturating_sub(2))
        .unwrap_or(0)
        .min(8);
    Ok(Verdict::Allowed {
        delay: Duration::from_millis(250 * steps),
        account_attempts,
        address_attempts,
    })
}

/// A successful sign-in: the account's failures are forgotten, and the
/// address gets this attempt back (an office shares its address).
pub async fn succeeded(
    conn: &mut PgConnection,
    email: &EmailKey,
    address: &str,
) -> Result<(), sqlx::Error> {
    db::throttle::clear_throttle(conn, &account_key(email)).await?;
    db::throttle::give_back_attempt(conn, &address_key(address), ADDRESS_LIMIT).await
}

/// The client's address: as the socket saw it, or, behind a trusted
/// reverse proxy, as the proxy's X-Forwarded-For says ([`client_ip`]);
/// "unknown" when the server was not started with connection info, as in
/// in-process tests.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl axum::extract::FromRequestParts<crate::AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::AppState,
    ) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(ClientAddress(info.map_or_else(
            || "unknown".to_owned(),
            |c| client_ip(c.0.ip(), forwarded, &state.trusted_proxies).to_string(),
        )))
    }
}

/// Who sent a request that reached us from `peer`. A peer that is not a
/// trusted proxy is the client, whatever headers it sends (so the header
/// cannot be forged past the throttle). From a trusted proxy, the client is
/// the right-most X-Forwarded-For address that is not itself a trusted
/// proxy: each proxy appends the address it saw, so addresses further left
/// were written by the client and are not believed. A missing or malformed
/// header leaves the peer.
pub fn client_ip(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else {
        return peer;
    };
    for entry in header.rsplit(',') {
        match entry.trim().parse::<std::net::IpAddr>() {
            Ok(address) if trusted.contains(&address) => continue,
            Ok(address) => return address,
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod client_tests {
    use super::client_ip;
    use std::net::IpAddr;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_its_own_entry() {
        let proxy = ip("10.0.0.2");
        let trusted = [proxy, ip("10.0.0.3")];
        // Straight from a client: the header is ignored.
        assert_eq!(
            client_ip(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // Through the proxy: the address it appended.
        assert_eq!(
            client_ip(proxy, Some("203.0.113.9"), &trusted),
            ip("203.0.113.9")
        );
        // A client's forged entry stays to the left of the real one.
        assert_eq!(
            client_ip(proxy, Some("1.2.3.4, 203.0.113.9"), &trusted),
            ip("203.0.113.9")
        );
        // Two proxies: skip the inner one.
        assert_eq!(
            client_ip(proxy, Some("203.0.113.9, 10.0.0.3"), &trusted),
            ip("203.0.113.9")
        );
        // Nothing to believe: the proxy itself.
        assert_eq!(client_ip(proxy, None, &trusted), proxy);
        assert_eq!(client_ip(proxy, Some("garbage"), &trusted), proxy);
        // With no trusted proxies (the default) the header never counts.
        assert_eq!(client_ip(proxy, Some("203.0.113.9"), &[]), proxy);
    }
}
