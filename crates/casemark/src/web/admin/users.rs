//! `/admin/users`: adding users, changing their role, deactivating and
//! reactivating them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::require_admin;
use crate::auth::CurrentUser;
use crate::db::accounts::{AuthChange, User};
use crate::refusal::Refusal;
use crate::vocab::UserRole;
use crate::web::form::{Form, FormErrors};
use crate::web::{Nav, WebError};
use crate::{AppState, accounts, db};

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    nav: Nav,
    users: Vec<User>,
    form: NewUserForm,
    errors: FormErrors,
    notice: Option<String>,
}

impl UsersPage {
    fn roles(&self) -> &'static [UserRole] {
        UserRole::ALL
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    name: String,
    role: String,
    password: String,
}

async fn users_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewUserForm,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<UsersPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    Ok(UsersPage {
        nav: Nav::from(user),
        users: db::accounts::users(&mut conn).await?,
        form,
        errors,
        notice,
    })
}

pub async fn users(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<UsersPage, WebError> {
    require_admin(&user)?;
    let notice = crate::web::flash::take(&state, &user).await?;
    users_page(
        &state,
        &user,
        NewUserForm::default(),
        FormErrors::default(),
        notice,
    )
    .await
}

/// The users page again with one field's error (a refused role change or
/// deactivation names the user in its message).
async fn users_refused(
    state: &AppState,
    user: &CurrentUser,
    form: NewUserForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let page = users_page(state, user, form, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn add_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let Ok(role) = form.role.parse::<UserRole>() else {
        return users_refused(
            &state,
            &user,
            form,
            FormErrors::single("role", "Select the user's role"),
        )
        .await;
    };
    match accounts::add_user(
        &state.pool,
        &user.actor(),
        &form.email,
        Some(&form.name),
        &form.password,
        role,
    )
    .await
    {
        Ok(_) => {
            let notice = format!("{} added", crate::email::EmailKey::of(&form.email));
            crate::web::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(Refusal::Invalid(problems)) => {
            users_refused(&state, &user, form, FormErrors::of(problems)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RoleForm {
    role: String,
}

/// Changes a user's default role.
pub async fn set_role(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let id = crate::extract::parse_id(&id).ok_or(WebError::NotFound)?;
    let Ok(role) = form.role.parse::<UserRole>() else {
        let blank = NewUserForm::default();
        return users_refused(
            &state,
            &user,
            blank,
            FormErrors::single("role", "Select the user's role"),
        )
        .await;
    };
    match accounts::set_role(&state.pool, &user.actor(), id, role).await {
        Ok(()) => {
            state.auth_cache.forget(&AuthChange::User(id));
            let mut conn = state.pool.acquire().await?;
            let email = db::accounts::user(&mut conn, id)
                .await?
                .map(|u| u.email)
                .unwrap_or_default();
            drop(conn);
            let notice = format!("{email} is now {}", role.label().to_lowercase());
            crate::web::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(Refusal::Invalid(problems)) => {
            users_refused(
                &state,
                &user,
                NewUserForm::default(),
                FormErrors::of(problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops (or restores) a user's access. Deactivating ends their sessions
/// and revokes their tokens at once (see `accounts::set_active`).
pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let id = crate::extract::parse_id(&id).ok_or(WebError::NotFound)?;
    let active = match action.as_str() {
        "activate" => true,
        "deactivate" => false,
        _ => return Err(WebError::NotFound),
    };
    match accounts::set_active(&state.pool, &user.actor(), id, active).await {
        Ok(email) => {
            state.auth_cache.forget(&AuthChange::User(id));
            let notice = if active {
                format!("{email} can sign in again")
            } else {
                format!("{email} can no longer sign in")
            };
            crate::web::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(Refusal::Invalid(problems)) => {
            users_refused(
                &state,
                &user,
                NewUserForm::default(),
                FormErrors::of(problems),
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
