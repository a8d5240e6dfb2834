//! Signing in and out, the one-time first-run setup, and a user's own API
//! tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::form::FormErrors;
use super::{Nav, WebError};
use crate::auth::throttle::{self, ClientAddress, Verdict};
use crate::auth::{CurrentUser, MaybeUser, csrf, password, secret, session};
use crate::db::accounts::TokenRow;
use crate::extract::Id;
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
    match session::read_cookie(headers, csrf::COOKIE) {
        Some(token) => (token, None),
        None => {
            let token = secret::random_token();
            let cookie = session::set_cookie(csrf::COOKIE, Some(&token), &state.sessions);
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
        next: query.next,
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

/// Only paths on this site, so sign-in cannot be used to send people away.
fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") {
        next
    } else {
        "/"
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
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
            next: form.next.clone(),
            errors,
        };
        Ok((status, page).into_response())
    };
    let mut conn = state.pool.acquire().await?;
    let delay = match throttle::check(&mut conn, &form.email, &address).await? {
        Verdict::Locked => {
            return refuse(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Too many failed attempts to sign in. Wait {} minutes, then try again",
                    throttle::LOCK_MINUTES
                ),
            );
        }
        Verdict::Allowed(delay) => delay,
    };
    let found = db::accounts::password_hash(&mut conn, &form.email).await?;
    // No connection held while waiting or while the hash is checked: a
    // burst of failing sign-ins must not occupy the pool.
    drop(conn);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let (id, stored) = found.unzip();
    let verified = password::verify_gated(&form.password, stored).await;
    let user_id = id.filter(|_| verified);
    let mut conn = state.pool.acquire().await?;
    let Some(user_id) = user_id else {
        throttle::failed(&mut conn, &form.email, &address).await?;
        return refuse(
            StatusCode::UNAUTHORIZED,
            "Enter a correct email address and password",
        );
    };
    throttle::succeeded(&mut conn, &form.email, &address).await?;
    // A new session id at every sign-in: an id planted before sign-in is useless.
    let id = session::start(&mut conn, user_id).await?;
    tracing::info!(user_id, "signed in");
    let mut response = Redirect::to(safe_next(&form.next)).into_response();
    let cookie = session::set_cookie(session::COOKIE, Some(&id), &state.sessions);
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    Ok(response)
}

fn signed_out(state: &AppState) -> Response {
    let mut response = Redirect::to("/sign-in").into_response();
    if let Ok(value) = session::set_cookie(session::COOKIE, None, &state.sessions).parse() {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(value) = session::read_cookie(&headers, session::COOKIE) {
        let mut conn = state.pool.acquire().await?;
        session::end(&mut conn, &value).await?;
    }
    Ok(signed_out(&state))
}

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let ended = db::accounts::delete_sessions_of(&mut conn, user.id()).await?;
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
        Err(accounts::AccountError::Invalid(field, message)) => {
            let mut errors = FormErrors::default();
            errors.add(field, field, message);
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
        Err(accounts::AccountError::UnknownUser(_)) => Err(WebError::NotFound),
        Err(accounts::AccountError::Database(e)) => Err(e.into()),
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
    })
}

pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<AccountPage, WebError> {
    account_page(&state, &user, None, FormErrors::default()).await
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
    match accounts::create_token(&state.pool, user.id(), &form.label).await {
        Ok(token) => Ok(
            account_page(&state, &user, Some(token), FormErrors::default())
                .await?
                .into_response(),
        ),
        Err(accounts::AccountError::Invalid(field, message)) => {
            let mut errors = FormErrors::default();
            errors.add(field, field, message);
            let page = account_page(&state, &user, None, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(accounts::AccountError::UnknownUser(_)) => Err(WebError::NotFound),
        Err(accounts::AccountError::Database(e)) => Err(e.into()),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    if db::accounts::revoke_token(&mut conn, user.id(), id).await? {
        Ok(Redirect::to("/account").into_response())
    } else {
        Err(WebError::NotFound)
    }
}
