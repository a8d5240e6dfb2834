//! Administration: users, PDUs and the security events. Administrators
//! manage people and places; they do not mark.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::form::{DateInput, Form, FormErrors, Query};
use super::{Nav, WebError};
use crate::accounts::{self, AccountError};
use crate::auth::CurrentUser;
use crate::db::accounts::User;
use crate::db::places::{Pdu, Region};
use crate::db::security::{Filter, SecurityEvent};
use crate::security::EventKind;
use crate::vocab::UserRole;
use crate::{AppState, db};

fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    if user.is_administrator() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

impl From<AccountError> for WebError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Invalid(_, message) => WebError::BadRequest(message),
            AccountError::UnknownUser(_) | AccountError::NotFound => WebError::NotFound,
            AccountError::Database(e) => WebError::Database(e),
        }
    }
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
) -> Result<UsersPage, WebError> {
    require_admin(&user)?;
    let notice = super::flash::take(&state, &user).await?;
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
    field: &str,
    message: String,
) -> Result<Response, WebError> {
    let mut errors = FormErrors::default();
    errors.add(field, field, message);
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
        return users_refused(&state, &user, form, "role", "Select the user's role".into()).await;
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
            super::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(AccountError::Invalid(field, message)) => {
            users_refused(&state, &user, form, field, message).await
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
            "role",
            "Select the user's role".into(),
        )
        .await;
    };
    match accounts::set_role(&state.pool, &user.actor(), id, role).await {
        Ok(()) => {
            let mut conn = state.pool.acquire().await?;
            let email = db::accounts::user(&mut conn, id)
                .await?
                .map(|u| u.email)
                .unwrap_or_default();
            drop(conn);
            let notice = format!("{email} is now {}", role.label().to_lowercase());
            super::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(AccountError::Invalid(field, message)) => {
            users_refused(&state, &user, NewUserForm::default(), field, message).await
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
            let notice = if active {
                format!("{email} can sign in again")
            } else {
                format!("{email} can no longer sign in")
            };
            super::flash::redirect(&state, &user, "/admin/users", &notice).await
        }
        Err(AccountError::Invalid(field, message)) => {
            users_refused(&state, &user, NewUserForm::default(), field, message).await
        }
        Err(e) => Err(e.into()),
    }
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

pub async fn pdus(State(state): State<AppState>, user: CurrentUser) -> Result<PdusPage, WebError> {
    require_admin(&user)?;
    let notice = super::flash::take(&state, &user).await?;
    pdus_page(&state, &user, FormErrors::default(), notice).await
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
    if name.is_empty() || name.chars().count() > 200 || crate::text::is_multiline(name) {
        errors.add(
            "name",
            "name",
            "Enter the PDU name on one line (200 characters or fewer)",
        );
    }
    let mut tx = state.pool.begin().await?;
    let region = match form.region.parse::<i16>() {
        Ok(id) => db::places::region(&mut tx, id).await?,
        Err(_) => None,
    };
    if region.is_none() {
        errors.add("region", "region", "Select the region");
    }
    if let (Some(region), true) = (region, errors.is_empty()) {
        let (pdu, created) = db::places::find_or_create_pdu(&mut tx, region.id, name).await?;
        if created {
            crate::security::pdu_added(&mut tx, &user.actor(), &pdu).await?;
        }
        tx.commit().await?;
        let notice = format!("{} is a PDU of {}", pdu.name, region.name);
        return super::flash::redirect(&state, &user, "/admin/pdus", &notice).await;
    }
    drop(tx);
    let page = pdus_page(&state, &user, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

// ------------------------------------------------------- security events

/// The most events one page (or one CSV download) shows: the newest first.
const MAX_EVENTS: i64 = 1000;

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EventsQuery {
    kind: String,
    person: String,
    #[serde(rename = "from-day")]
    from_day: String,
    #[serde(rename = "from-month")]
    from_month: String,
    #[serde(rename = "from-year")]
    from_year: String,
    #[serde(rename = "to-day")]
    to_day: String,
    #[serde(rename = "to-month")]
    to_month: String,
    #[serde(rename = "to-year")]
    to_year: String,
}

impl EventsQuery {
    fn from(&self) -> DateInput {
        DateInput {
            day: self.from_day.clone(),
            month: self.from_month.clone(),
            year: self.from_year.clone(),
        }
    }

    fn to(&self) -> DateInput {
        DateInput {
            day: self.to_day.clone(),
            month: self.to_month.clone(),
            year: self.to_year.clone(),
        }
    }

    /// The filter, or the errors to show beside the fields.
    fn filter(&self) -> (Filter, FormErrors) {
        let mut errors = FormErrors::default();
        let kind = match self.kind.as_str() {
            "" => None,
            code => {
                let kind = EventKind::parse(code);
                if kind.is_none() {
                    errors.add("kind", "kind", "Select a kind of event");
                }
                kind
            }
        };
        let mut date = |field: &str, input: DateInput, label: &str| match input.parse(label) {
            Ok(date) => date,
            Err(message) => {
                errors.add(field, &format!("{field}-day"), message);
                None
            }
        };
        let from = date("from", self.from(), "From date");
        let to = date("to", self.to(), "To date");
        let person = self.person.trim();
        let filter = Filter {
            kind,
            person: (!person.is_empty()).then(|| person.chars().take(254).collect()),
            from,
            to,
        };
        (filter, errors)
    }

    /// The same filter as a query string, for the CSV link.
    fn csv_link(&self) -> String {
        let query = serde_urlencoded::to_string([
            ("kind", self.kind.as_str()),
            ("person", self.person.as_str()),
            ("from-day", self.from_day.as_str()),
            ("from-month", self.from_month.as_str()),
            ("from-year", self.from_year.as_str()),
            ("to-day", self.to_day.as_str()),
            ("to-month", self.to_month.as_str()),
            ("to-year", self.to_year.as_str()),
        ])
        .unwrap_or_default();
        format!("/admin/security-events.csv?{query}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_security_events.html")]
pub struct SecurityEventsPage {
    nav: Nav,
    query: EventsQuery,
    events: Vec<SecurityEvent>,
    errors: FormErrors,
    limit: i64,
}

impl SecurityEventsPage {
    fn kinds(&self) -> &'static [EventKind] {
        EventKind::ALL
    }

    fn label(&self, code: &str) -> String {
        EventKind::label_of(code)
    }
}

async fn filtered_events(
    state: &AppState,
    query: &EventsQuery,
) -> Result<(Vec<SecurityEvent>, FormErrors), WebError> {
    let (filter, errors) = query.filter();
    if !errors.is_empty() {
        return Ok((Vec::new(), errors));
    }
    let mut conn = state.pool.acquire().await?;
    let events = db::security::list(&mut conn, &filter, MAX_EVENTS).await?;
    Ok((events, errors))
}

/// Security events, newest first, filtered by kind, person and dates.
pub async fn security_events(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<EventsQuery>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let (events, errors) = filtered_events(&state, &query).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SecurityEventsPage {
        nav: Nav::from(&user),
        query,
        events,
        errors,
        limit: MAX_EVENTS,
    };
    Ok((status, page).into_response())
}

/// The same events as CSV.
pub async fn security_events_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<EventsQuery>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let (events, errors) = filtered_events(&state, &query).await?;
    if let Some(error) = errors.all().first() {
        return Err(WebError::BadRequest(error.message.clone()));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    let failed = |e: csv::Error| WebError::Internal(format!("could not write CSV: {e}"));
    writer
        .write_record([
            "id",
            "at",
            "kind",
            "actor",
            "subject",
            "detail",
            "client_address",
        ])
        .map_err(failed)?;
    for e in &events {
        let opt = |v: &Option<String>| super::team::neutralise(v.as_deref().unwrap_or_default());
        writer
            .write_record([
                e.id.to_string(),
                e.at.to_rfc3339(),
                e.kind.clone(),
                super::team::neutralise(&e.actor),
                opt(&e.subject),
                opt(&e.detail),
                opt(&e.client_address),
            ])
            .map_err(failed)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(format!("could not write CSV: {e}")))?;
    Ok(crate::annexe::download(
        crate::annexe::CSV_TYPE,
        "security-events.csv",
        body.into(),
    ))
}
