//! The request gate: resolves the user (session cookie for pages, bearer
//! token for the API; from memory when `auth::cache` may serve it, so the
//! handler's connection is usually the request's only one), sends
//! anonymous visitors to sign in, and checks the CSRF token of every
//! state-changing form before any handler runs.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::{CurrentUser, csrf, secret, session};
use crate::api::ApiError;
use crate::db::accounts::{SessionRow, User};
use crate::web::WebError;
use crate::{AppState, MAX_BODY_BYTES, db};

/// The largest form accepted from someone not signed in.
pub const ANONYMOUS_BODY_BYTES: usize = 8 * 1024;

/// Pages anyone may open.
fn is_public(path: &str) -> bool {
    path == "/sign-in" || path == "/setup" || path.starts_with("/assets/")
}

/// The response for a request with no signed-in user.
pub fn unauthenticated(path: &str, _method: &str) -> Response {
    if path.starts_with("/api/") {
        return ApiError::Unauthorized.into_response();
    }
    let next: String = path.chars().filter(|c| !c.is_control()).collect();
    Redirect::to(&format!("/sign-in?next={}", urlencode(&next))).into_response()
}

fn urlencode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Paths that need no user and must not touch the database on the way in:
/// assets, and the health endpoints (which must answer during an outage).
fn needs_no_user(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/healthz" || path == "/readyz"
}

/// The active user of an API token: from memory when it was seen in the
/// last minute, else from the database (which records the use).
async fn token_user(state: &AppState, token: &str) -> Result<Option<User>, sqlx::Error> {
    let hash = secret::hash(token);
    if let Some(user) = state.auth_cache.token(&hash) {
        return Ok(Some(user));
    }
    let ticket = state.auth_cache.ticket();
    let mut conn = state.pool.acquire().await?;
    let user = match db::accounts::use_token(&mut conn, &hash).await? {
        Some(user_id) => db::accounts::user(&mut conn, user_id).await?,
        None => None,
    };
    if let Some(user) = &user {
        state.auth_cache.keep_token(ticket, hash, user.clone());
    }
    Ok(user)
}

/// The live session of a cookie and its user: from memory when it may be
/// served from there (see `auth::cache`), else from the database.
async fn session_user(
    state: &AppState,
    cookie: &str,
) -> Result<Option<(SessionRow, User)>, sqlx::Error> {
    let hash = session::hash_of(cookie);
    if let Some(found) = state.auth_cache.session(&hash, state.sessions.absolute) {
        return Ok(Some(found));
    }
    let ticket = state.auth_cache.ticket();
    let mut conn = state.pool.acquire().await?;
    let found = session::resolve(&mut conn, cookie, &state.sessions).await?;
    if let Some((session, user)) = &found {
        state
            .auth_cache
            .keep_session(ticket, hash, session.clone(), user.clone());
    }
    Ok(found)
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if needs_no_user(&path) {
        return next.run(req).await;
    }

    if path.starts_with("/api/") {
        let Some(token) = bearer(req.headers()) else {
            return ApiError::Unauthorized.into_response();
        };
        return match token_user(&state, token).await {
            Ok(Some(user)) => {
                req.extensions_mut().insert(CurrentUser {
                    user,
                    csrf_token: None,
                    session: None,
                    flash: None,
                });
                next.run(req).await
            }
            Ok(None) => ApiError::Unauthorized.into_response(),
            Err(e) => ApiError::Database(e).into_response(),
        };
    }

    let cookie = session::read_cookie(req.headers(), state.sessions.session_cookie());
    let signed_in = match &cookie {
        Some(value) => match session_user(&state, value).await {
            Ok(found) => found,
            Err(e) => return WebError::Database(e).into_response(),
        },
        None => None,
    };
    if signed_in.is_none() && !is_public(&path) {
        return unauthenticated(&path, req.method().as_str());
    }

    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let expected = match &signed_in {
            Some((session, _)) => Some(session.csrf_token.clone()),
            None => session::read_cookie(req.headers(), state.sessions.csrf_cookie()),
        };
        // Before anyone is signed in (the sign-in and setup forms) a body is
        // a few fields: refuse more before reading it.
        let limit = if signed_in.is_some() {
            MAX_BODY_BYTES
        } else {
            ANONYMOUS_BODY_BYTES
        };
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, limit).await else {
            return WebError::TooLarge.into_response();
        };
        let given = csrf::token_in(&content_type, &bytes).await;
        let valid = matches!((&expected, &given), (Some(e), Some(g)) if secret::same(e, g));
        if !valid {
            tracing::warn!(path, "refused a form without a valid CSRF token");
            return WebError::Csrf.into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }

    if let (Some((session, user)), Some(cookie)) = (signed_in, cookie) {
        req.extensions_mut().insert(CurrentUser {
            user,
            csrf_token: Some(session.csrf_token),
            session: Some(session::hash_of(&cookie)),
            flash: session.flash,
        });
    }
    next.run(req).await
}
