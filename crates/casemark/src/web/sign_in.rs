//! `/sign-in` and `POST /sign-out`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::form::{Form, FormErrors, Query};
use super::{Nav, WebError};
use crate::auth::throttle::{self, ClientAddress, Verdict};
use crate::auth::{MaybeUser, password, secret, session};
use crate::db::accounts::AuthChange;
use crate::email::EmailKey;
use crate::security::{self, EventKind, NewSecurityEvent};
use crate::{AppState, db};

#[derive(Template, WebTemplate)]
#[template(path = "sign_in.html")]
pub struct SignInPage {
    nav: Nav,
    email: String,
    next: String,
    errors: FormErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    next: String,
}

/// The token anonymous forms repeat, set as a cookie when first needed.
pub(super) fn anonymous_csrf(headers: &HeaderMap, state: &AppState) -> (String, Option<String>) {
    let name = state.sessions.csrf_cookie();
    match session::read_cookie(headers, name) {
        Some(token) => (token, None),
        None => {
            let token = secret::random_token();
            let cookie = session::set_cookie(name, Some(&token), &state.sessions);
            (token, Some(cookie))
        }
    }
}

pub(super) fn with_cookie(page: impl IntoResponse, cookie: Option<String>) -> Response {
    let mut response = page.into_response();
    if let Some(cookie) = cookie
        && let Ok(value) = cookie.parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    headers: HeaderMap,
    Query(query): Query<SignInQuery>,
) -> Response {
    // Someone already signed in posts with their session's token.
    let (token, cookie) = match user {
        Some(user) => (user.csrf().to_owned(), None),
        None => anonymous_csrf(&headers, &state),
    };
    let page = SignInPage {
        nav: Nav {
            csrf: token,
            demo: state.demo,
            ..Nav::default()
        },
        email: String::new(),
        next: safe_next(&query.next).to_owned(),
        errors: FormErrors::default(),
    };
    with_cookie(page, cookie)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignInForm {
    email: String,
    password: String,
    next: String,
    csrf_token: String,
}

/// Where to go after signing in: only a path on this site, so sign-in
/// cannot send people away. A single leading `/`, then no `/` or `\`
/// straight after it (`//host`, `/\host`), no backslash anywhere, no
/// whitespace or control character (browsers drop tabs and newlines from a
/// URL, so `/<tab>/host` is read as `//host`), and no `:` in the first
/// segment (a scheme). Anything else is `/`.
pub fn safe_next(next: &str) -> &str {
    let Some(rest) = next.strip_prefix('/') else {
        return "/";
    };
    let first_segment = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let safe = !rest.starts_with('/')
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_whitespace() || c.is_control())
        && !first_segment.contains(':')
        && next.len() <= 2048;
    if safe { next } else { "/" }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let refuse = |status: StatusCode, message: &str| {
        let mut errors = FormErrors::default();
        errors.add("email", "email", message);
        let page = SignInPage {
            nav: Nav {
                csrf: form.csrf_token.clone(),
                demo: state.demo,
                ..Nav::default()
            },
            email: form.email.clone(),
            next: safe_next(&form.next).to_owned(),
            errors,
        };
        Ok((status, page).into_response())
    };
    let email = EmailKey::of(&form.email);
    let mut conn = state.pool.acquire().await?;
    // Counted before the password is checked: parallel guesses cannot pass
    // the limit (see auth::throttle).
    let verdict = throttle::attempt(&mut conn, &email, &address).await?;
    let Verdict::Allowed { delay, .. } = verdict else {
        tracing::warn!(target: "casemark::security", client_address = %address, "sign-in refused: locked");
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            &format!(
                "Too many failed attempts to sign in. Wait {} minutes, then try again",
                throttle::LOCK_MINUTES
            ),
        );
    };
    let found = db::accounts::password_hash(&mut conn, &email).await?;
    // No connection held while waiting or while the hash is checked: a
    // burst of failing sign-ins must not occupy the pool.
    drop(conn);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (id, stored) = found.unzip();
    let verified = password::verify_gated(&form.password, stored).await;
    let user_id = id.filter(|_| verified);
    let mut tx = state.pool.begin().await?;
    let Some(user_id) = user_id else {
        let failed = NewSecurityEvent::sign_in(EventKind::SignInFailed, &form.email, &address);
        security::record(&mut tx, failed).await?;
        if verdict.locks_account() {
            let event =
                NewSecurityEvent::sign_in(EventKind::Lockout, &form.email, &address).detail(
                    format!("account locked for {} minutes", throttle::LOCK_MINUTES),
                );
            security::record(&mut tx, event).await?;
        }
        if verdict.locks_address() {
            let event = NewSecurityEvent::sign_in(EventKind::Lockout, &form.email, &address)
                .detail(format!(
                    "client address locked for {} minutes",
                    throttle::LOCK_MINUTES
                ));
            security::record(&mut tx, event).await?;
        }
        tx.commit().await?;
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Enter a correct email address and password",
        );
    };
    throttle::succeeded(&mut tx, &email, &address).await?;
    // Signing in ends the session this browser had, whoever's it was.
    let previous = session::read_cookie(&headers, state.sessions.session_cookie());
    if let Some(previous) = &previous {
        session::end(&mut tx, previous).await?;
    }
    // A new session id at every sign-in: an id planted before sign-in is useless.
    let id = session::start(&mut tx, user_id).await?;
    let event = NewSecurityEvent::sign_in(EventKind::SignedIn, email.as_str(), &address)
        .subject(Some(user_id), email.as_str());
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    if let Some(previous) = previous {
        state
            .auth_cache
            .forget(&AuthChange::Session(session::hash_of(&previous)));
    }
    let mut response = Redirect::to(safe_next(&form.next)).into_response();
    let cookie = session::set_cookie(state.sessions.session_cookie(), Some(&id), &state.sessions);
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

pub(super) fn signed_out(state: &AppState) -> Response {
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) =
        session::set_cookie(state.sessions.session_cookie(), None, &state.sessions).parse()
    {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(value) = session::read_cookie(&headers, state.sessions.session_cookie()) {
        let mut conn = state.pool.acquire().await?;
        session::end(&mut conn, &value).await?;
        state
            .auth_cache
            .forget(&AuthChange::Session(session::hash_of(&value)));
    }
    Ok(signed_out(&state))
}
