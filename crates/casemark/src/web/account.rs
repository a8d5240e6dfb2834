//! Signing in and out, the one-time first-run setup, and a user's own API
//! tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::form::{Form, FormErrors};
use super::sign_in::signed_out;
use super::{Nav, WebError};
use crate::auth::CurrentUser;
use crate::db::accounts::AuthChange;
use crate::db::tokens::TokenRow;
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::vocab::UserRole;
use crate::{AppState, accounts, db};

pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let ended = db::sessions::delete_sessions_of(&mut conn, user.id()).await?;
    state.auth_cache.forget(&AuthChange::User(user.id()));
    tracing::info!(user_id = user.id(), ended, "signed out everywhere");
    Ok(signed_out(&state))
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
        tokens: db::tokens::live_tokens(&mut conn, user.id()).await?,
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
