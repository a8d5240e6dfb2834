//! The pages' gate: the session of the request's cookie, the CSRF token of
//! every form, and the GOV.UK answers when either is missing. Signed-in
//! pages send anyone else to sign in; the public pages (sign-in, first-run
//! setup) take anonymous forms against their CSRF cookie, a few kilobytes at
//! most.

use axum::extract::{Request, State};
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::WebError;
use crate::auth::gate::{self, ANONYMOUS_BODY_BYTES, FormRefusal};
use crate::auth::{CurrentUser, session};
use crate::db::accounts::User;
use crate::db::sessions::SessionRow;
use crate::{AppState, MAX_BODY_BYTES};

/// To the sign-in page, coming back here afterwards.
fn sign_in_first(uri: &Uri) -> Response {
    let next: String = uri.path().chars().filter(|c| !c.is_control()).collect();
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/sign-in?{query}")).into_response()
}

fn refused(refusal: FormRefusal) -> Response {
    match refusal {
        FormRefusal::TooLarge => WebError::TooLarge.into_response(),
        FormRefusal::Csrf => WebError::Csrf.into_response(),
    }
}

fn signed_in(cookie: &str, session: SessionRow, user: User) -> CurrentUser {
    CurrentUser {
        user,
        session: Some(session::hash_of(cookie)),
        flash: session.flash,
        csrf_token: Some(session.csrf_token),
    }
}

/// Every page but sign-in and setup: a signed-in user, and a valid CSRF
/// token on every form.
pub async fn pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let found = match gate::session_user(&state, req.headers()).await {
        Ok(found) => found,
        Err(e) => return WebError::Database(e).into_response(),
    };
    let Some((cookie, session, user)) = found else {
        return sign_in_first(req.uri());
    };
    let expected = Some(session.csrf_token.clone());
    let mut req = match gate::check_form(req, expected, MAX_BODY_BYTES).await {
        Ok(req) => req,
        Err(refusal) => return refused(refusal),
    };
    req.extensions_mut()
        .insert(signed_in(&cookie, session, user));
    next.run(req).await
}

/// Sign-in and setup: anyone, signed in or not; a form carries the
/// session's CSRF token, or before sign-in the anonymous CSRF cookie's.
pub async fn public(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let found = match gate::session_user(&state, req.headers()).await {
        Ok(found) => found,
        Err(e) => return WebError::Database(e).into_response(),
    };
    let (expected, limit) = match &found {
        Some((_, session, _)) => (Some(session.csrf_token.clone()), MAX_BODY_BYTES),
        None => (
            session::read_cookie(req.headers(), state.sessions.csrf_cookie()),
            ANONYMOUS_BODY_BYTES,
        ),
    };
    let mut req = match gate::check_form(req, expected, limit).await {
        Ok(req) => req,
        Err(refusal) => return refused(refusal),
    };
    if let Some((cookie, session, user)) = found {
        req.extensions_mut()
            .insert(signed_in(&cookie, session, user));
    }
    next.run(req).await
}

/// How the pages answer what the edge refuses: GOV.UK error pages.
#[derive(Debug, Clone, Copy)]
pub struct Pages;

impl crate::edge::Refusals for Pages {
    fn not_found() -> Response {
        WebError::NotFound.into_response()
    }

    fn timeout() -> Response {
        WebError::Timeout.into_response()
    }

    fn rejected(status: axum::http::StatusCode, message: String) -> Response {
        if status == axum::http::StatusCode::NOT_FOUND {
            WebError::NotFound.into_response()
        } else {
            WebError::Rejected(status, message).into_response()
        }
    }
}
