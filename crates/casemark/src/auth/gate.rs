//! What both front ends' gates need to know who is asking, and nothing
//! about how either answers: the session of a cookie, the user of a bearer
//! token (each from memory when `auth::cache` may serve it, so the
//! handler's connection is usually the request's only one), and the CSRF
//! check of a form. `web::gate` and `api::gate` render the outcomes.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};

use super::{csrf, secret, session};
use crate::db::accounts::User;
use crate::db::sessions::SessionRow;
use crate::{AppState, db};

/// The largest form accepted from someone not signed in.
pub const ANONYMOUS_BODY_BYTES: usize = 8 * 1024;

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The active user of an API token: from memory when it was seen in the
/// last minute, else from the database (which records the use).
pub async fn token_user(state: &AppState, token: &str) -> Result<Option<User>, sqlx::Error> {
    let hash = secret::hash(token);
    if let Some(user) = state.auth_cache.token(&hash) {
        return Ok(Some(user));
    }
    let ticket = state.auth_cache.ticket();
    let mut conn = state.pool.acquire().await?;
    let user = match db::tokens::use_token(&mut conn, &hash).await? {
        Some(user_id) => db::accounts::user(&mut conn, user_id).await?,
        None => None,
    };
    if let Some(user) = &user {
        state.auth_cache.keep_token(ticket, hash, user.clone());
    }
    Ok(user)
}

/// The live session of the request's cookie and its user, if any: from
/// memory when it may be served from there, else from the database.
pub async fn session_user(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(String, SessionRow, User)>, sqlx::Error> {
    let Some(cookie) = session::read_cookie(headers, state.sessions.session_cookie()) else {
        return Ok(None);
    };
    let hash = session::hash_of(&cookie);
    if let Some((session, user)) = state.auth_cache.session(&hash, state.sessions.absolute) {
        return Ok(Some((cookie, session, user)));
    }
    let ticket = state.auth_cache.ticket();
    let mut conn = state.pool.acquire().await?;
    let found = session::resolve(&mut conn, &cookie, &state.sessions).await?;
    Ok(found.map(|(session, user)| {
        state
            .auth_cache
            .keep_session(ticket, hash, session.clone(), user.clone());
        (cookie, session, user)
    }))
}

/// Why a form was refused before any handler saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormRefusal {
    /// Over the size limit (a few kilobytes before anyone is signed in).
    TooLarge,
    /// No CSRF token, or not the one expected.
    Csrf,
}

/// Checks the CSRF token of a state-changing request against `expected`
/// (the session's token, or the anonymous form cookie's), reading the body
/// up to `limit`; gives the request back with its body for the handler.
pub async fn check_form(
    req: Request,
    expected: Option<String>,
    limit: usize,
) -> Result<Request, FormRefusal> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(req);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let path = req.uri().path().to_owned();
    let (parts, body) = req.into_parts();
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| FormRefusal::TooLarge)?;
    let given = csrf::token_in(&content_type, &bytes).await;
    if matches!((&expected, &given), (Some(e), Some(g)) if secret::same(e, g)) {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        tracing::warn!(path, "refused a form without a valid CSRF token");
        Err(FormRefusal::Csrf)
    }
}
