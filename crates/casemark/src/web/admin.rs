//! Administration: users and PDUs. Administrators manage people and places;
//! they do not mark.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::form::FormErrors;
use super::{Nav, WebError};
use crate::accounts::{self, AccountError};
use crate::auth::CurrentUser;
use crate::db::accounts::User;
use crate::db::places::{Pdu, Region};
use crate::vocab::UserRole;
use crate::{AppState, db};

fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    if user.is_administrator() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

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
    Query(query): Query<NoticeQuery>,
) -> Result<UsersPage, WebError> {
    require_admin(&user)?;
    users_page(
        &state,
        &user,
        NewUserForm::default(),
        FormErrors::default(),
        query.notice,
    )
    .await
}

pub async fn add_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewUserForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let mut errors = FormErrors::default();
    let role = form.role.parse::<UserRole>();
    if role.is_err() {
        errors.add("role", "role", "Select the user's role");
    }
    if let (Ok(role), true) = (role, errors.is_empty()) {
        match accounts::add_user(
            &state.pool,
            &form.email,
            Some(&form.name),
            &form.password,
            role,
        )
        .await
        {
            Ok(_) => {
                let notice = format!("{} added", form.email.trim());
                let query = serde_urlencoded::to_string([("notice", notice)]).unwrap_or_default();
                return Ok(Redirect::to(&format!("/admin/users?{query}")).into_response());
            }
            Err(AccountError::Invalid(field, message)) => errors.add(field, field, message),
            Err(AccountError::UnknownUser(_)) => return Err(WebError::NotFound),
            Err(AccountError::Database(e)) => return Err(e.into()),
        }
    }
    let page = users_page(&state, &user, form, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub struct RegionPdus {
    region: Region,
    pdus: Vec<Pdu>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_pdus.html")]
pub struct PdusPage {
    nav: Nav,
    regions: Vec<RegionPdus>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn pdus_page(
    state: &AppState,
    user: &CurrentUser,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<PdusPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let mut regions = Vec::new();
    for region in db::places::regions(&mut conn).await? {
        let pdus = db::places::pdus_in_region(&mut conn, region.id).await?;
        regions.push(RegionPdus { region, pdus });
    }
    Ok(PdusPage {
        nav: Nav::from(user),
        regions,
        errors,
        notice,
    })
}

pub async fn pdus(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NoticeQuery>,
) -> Result<PdusPage, WebError> {
    require_admin(&user)?;
    pdus_page(&state, &user, FormErrors::default(), query.notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewPduForm {
    region: String,
    name: String,
}

pub async fn add_pdu(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewPduForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let mut errors = FormErrors::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.add(
            "name",
            "name",
            "Enter the PDU name (200 characters or fewer)",
        );
    }
    let mut conn = state.pool.acquire().await?;
    let region = match form.region.parse::<i16>() {
        Ok(id) => db::places::region(&mut conn, id).await?,
        Err(_) => None,
    };
    if region.is_none() {
        errors.add("region", "region", "Select the region");
    }
    if let (Some(region), true) = (region, errors.is_empty()) {
        let pdu = db::places::find_or_create_pdu(&mut conn, region.id, name).await?;
        let notice = format!("{} is a PDU of {}", pdu.name, region.name);
        let query = serde_urlencoded::to_string([("notice", notice)]).unwrap_or_default();
        return Ok(Redirect::to(&format!("/admin/pdus?{query}")).into_response());
    }
    drop(conn);
    let page = pdus_page(&state, &user, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Stops (or restores) a user's access at once: their sessions and tokens
/// stop working because both are checked against the active flag.
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
    if id == user.id() && !active {
        return Err(WebError::BadRequest(
            "You cannot deactivate your own account".into(),
        ));
    }
    let mut conn = state.pool.acquire().await?;
    let target = db::accounts::user(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    db::accounts::set_active(&mut conn, id, active).await?;
    let notice = format!(
        "{} {}",
        target.email,
        if active {
            "can sign in again"
        } else {
            "can no longer sign in"
        }
    );
    let query = serde_urlencoded::to_string([("notice", notice)]).unwrap_or_default();
    Ok(Redirect::to(&format!("/admin/users?{query}")).into_response())
}
