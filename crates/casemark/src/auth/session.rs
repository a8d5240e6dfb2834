//! Browser sessions: a random id in an HttpOnly, SameSite=Lax cookie (Secure
//! over https); the row in PostgreSQL holds its hash, the user and the CSRF
//! token. A new id is issued at every sign-in.

use axum::http::HeaderMap;
use chrono::{Duration, Utc};
use cookie::{Cookie, SameSite};
use sqlx::PgConnection;

use super::secret;
use crate::db;
use crate::db::accounts::User;
use crate::db::sessions::SessionRow;

/// The session cookie's name over http (a developer's machine, tests).
pub const COOKIE: &str = "casemark_session";
/// Over https the name carries the `__Host-` prefix: the browser then takes
/// the cookie only if it is Secure, for the whole site, from this host
/// alone, so a sibling subdomain cannot plant one.
pub const SECURE_COOKIE: &str = "__Host-casemark_session";

/// Cookie and timeout settings.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Mark cookies Secure (when the service is reached over https).
    pub secure_cookies: bool,
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after signing in, however active.
    pub absolute: Duration,
}

impl Settings {
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_COOKIE
        } else {
            COOKIE
        }
    }

    pub fn csrf_cookie(&self) -> &'static str {
        if self.secure_cookies {
            super::csrf::SECURE_COOKIE
        } else {
            super::csrf::COOKIE
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: false,
            idle: Duration::hours(2),
            absolute: Duration::hours(12),
        }
    }
}

/// Starts a session; returns the cookie value (the only copy of the id).
pub async fn start(conn: &mut PgConnection, user_id: i64) -> Result<String, sqlx::Error> {
    let id = secret::random_token();
    db::sessions::create_session(conn, &secret::hash(&id), user_id, &secret::random_token())
        .await?;
    Ok(id)
}

/// The live session named by the cookie, if any. Expired sessions are
/// deleted; activity is recorded at most once a minute to spare writes.
pub async fn resolve(
    conn: &mut PgConnection,
    cookie_value: &str,
    settings: &Settings,
) -> Result<Option<(SessionRow, User)>, sqlx::Error> {
    let hash = secret::hash(cookie_value);
    let Some((session, user)) = db::sessions::session_with_user(conn, &hash).await? else {
        return Ok(None);
    };
    let now = Utc::now();
    if now - session.last_seen_at > settings.idle || now - session.created_at > settings.absolute {
        db::sessions::delete_session(conn, &hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > Duration::minutes(1) {
        db::sessions::touch_session(conn, &hash).await?;
    }
    Ok(Some((session, user)))
}

pub async fn end(conn: &mut PgConnection, cookie_value: &str) -> Result<(), sqlx::Error> {
    db::sessions::delete_session(conn, &secret::hash(cookie_value)).await
}

/// The hash a session row is kept under, from the cookie's value.
pub fn hash_of(cookie_value: &str) -> Vec<u8> {
    secret::hash(cookie_value)
}

/// A `Set-Cookie` value; `None` removes the cookie.
pub fn set_cookie(name: &'static str, value: Option<&str>, settings: &Settings) -> String {
    let mut cookie = Cookie::build((name, value.unwrap_or_default().to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .build();
    if value.is_none() {
        cookie.make_removal();
    }
    cookie.to_string()
}

/// A cookie sent by the browser.
pub fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}
