//! `/setup`: the first-run page that creates the first administrator,
//! open only with the token printed at start and only while there are no
//! users.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::form::{Form, FormErrors, Query};
use super::sign_in::{anonymous_csrf, with_cookie};
use super::{Nav, WebError};
use crate::audit::Actor;
use crate::auth::secret;
use crate::refusal::Refusal;
use crate::vocab::UserRole;
use crate::{AppState, accounts, db};

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
