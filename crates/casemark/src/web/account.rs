//! Signing in and out, the one-time first-run setup, and a user's own API
//! tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::form::{Form, FormErrors, Query};
use super::{Nav, WebError};
use crate::audit::Actor;
use crate::auth::throttle::{self, ClientAddress, Verdict};
use crate::auth::{CurrentUser, MaybeUser, password, secret, session};
use crate::db::accounts::{AuthChange, TokenRow};
use crate::email::EmailKey;
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::security::{self, EventKind, NewSecurityEvent};
use crate::vocab::UserRole;
use crate::{AppState, accounts, db};

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
fn anonymous_csrf(headers: &HeaderMap, state: &AppState) -> (String, Option<String>) {
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

fn with_cookie(page: impl IntoResponse, cookie: Option<String>) -> Response {
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

fn signed_out(state: &AppState) -> Response {
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

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let ended = db::accounts::delete_sessions_of(&mut conn, user.id()).await?;
    state.auth_cache.forget(&AuthChange::User(user.id()));
    tracing::info!(user_id = user.id(), ended, "signed out everywhere");
    Ok(signed_out(&state))
}

// ---------------------------------------------------------------- setup

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
pub struct SetupPage {
    nav: Nav,
    token: String,
    email: String,
    name: String,
    errors: FormErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SetupForm {
    token: String,
    email: String,
    name: String,
    password: String,
    csrf_token: String,
}

/// The setup link is valid only while no user exists and only with the
/// secret printed in the server's log.
async fn setup_allowed(state: &AppState, token: &str) -> Result<bool, WebError> {
    let expected = state
        .setup_token
        .lock()
        .map(|t| t.clone())
        .unwrap_or_else(|e| e.into_inner().clone());
    let Some(expected) = expected else {
        return Ok(false);
    };
    let mut conn = state.pool.acquire().await?;
    Ok(secret::same(&expected, token) && db::accounts::count_users(&mut conn).await? == 0)
}

pub async fn setup_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(form): Query<SetupForm>,
) -> Result<Response, WebError> {
    if !setup_allowed(&state, &form.token).await? {
        return Err(WebError::NotFound);
    }
    let (token, cookie) = anonymous_csrf(&headers, &state);
    let page = SetupPage {
        nav: Nav {
            csrf: token,
            ..Nav::default()
        },
        token: form.token,
        email: String::new(),
        name: String::new(),
        errors: FormErrors::default(),
    };
    Ok(with_cookie(page, cookie))
}

pub async fn setup(
    State(state): State<AppState>,
    Form(form): Form<SetupForm>,
) -> Result<Response, WebError> {
    if !setup_allowed(&state, &form.token).await? {
        return Err(WebError::NotFound);
    }
    match accounts::add_user(
        &state.pool,
        &Actor::system("first-run setup"),
        &form.email,
        Some(&form.name),
        &form.password,
        UserRole::Administrator,
    )
    .await
    {
        Ok(_) => {
            if let Ok(mut token) = state.setup_token.lock() {
                *token = None;
            }
            tracing::info!("first administrator created; the setup link no longer works");
            Ok(Redirect::to("/sign-in").into_response())
        }
        Err(Refusal::Invalid(problems)) => {
            let errors = FormErrors::of(problems);
            let page = SetupPage {
                nav: Nav {
                    csrf: form.csrf_token.clone(),
                    ..Nav::default()
                },
                token: form.token,
                email: form.email,
                name: form.name,
                errors,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// -------------------------------------------------------------- account

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    nav: Nav,
    email: String,
    role: UserRole,
    tokens: Vec<TokenRow>,
    /// A token just created: shown this once.
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    new_token: Option<String>,
    errors: FormErrors,
) -> Result<AccountPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    Ok(AccountPage {
        nav: Nav::from(user),
        email: user.user.email.clone(),
        role: user.user.role,
        tokens: db::accounts::live_tokens(&mut conn, user.id()).await?,
        new_token,
        errors,
        notice: None,
    })
}

/// The account page again with one field's error.
async fn account_refused(
    state: &AppState,
    user: &CurrentUser,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let page = account_page(state, user, None, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<AccountPage, WebError> {
    let mut page = account_page(&state, &user, None, FormErrors::default()).await?;
    page.notice = super::flash::take(&state, &user).await?;
    Ok(page)
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TokenForm {
    label: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, WebError> {
    match accounts::create_token(&state.pool, &user.actor(), &form.label).await {
        Ok(token) => Ok(
            account_page(&state, &user, Some(token), FormErrors::default())
                .await?
                .into_response(),
        ),
        Err(Refusal::Invalid(problems)) => {
            account_refused(&state, &user, FormErrors::of(problems)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    accounts::revoke_token(&state.pool, &user.actor(), id).await?;
    state.auth_cache.forget(&AuthChange::User(user.id()));
    super::flash::redirect(&state, &user, "/account", "The token was revoked").await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

/// Changes the user's password; every other session of theirs ends.
pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let keep = user.session.clone().unwrap_or_default();
    match accounts::change_password(
        &state.pool,
        &user.actor(),
        &keep,
        &form.current_password,
        &form.new_password,
        &form.confirm_password,
    )
    .await
    {
        Ok(ended) => {
            state.auth_cache.forget(&AuthChange::User(user.id()));
            let notice = match ended {
                0 => "Your password was changed".to_owned(),
                1 => "Your password was changed, and your other session was signed out".to_owned(),
                n => format!(
                    "Your password was changed, and your {n} other sessions were signed out"
                ),
            };
            super::flash::redirect(&state, &user, "/account", &notice).await
        }
        Err(Refusal::Invalid(problems)) => {
            account_refused(&state, &user, FormErrors::of(problems)).await
        }
        Err(e) => Err(e.into()),
    }
}
