//! The administrator's page of security events (see [`crate::security`]):
//! filtered by kind, person and dates, and the same as CSV.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::require_admin;
use crate::auth::CurrentUser;
use crate::db::security::{Filter, SecurityEvent};
use crate::security::EventKind;
use crate::web::form::{DateInput, FormErrors, Query};
use crate::web::{Nav, WebError};
use crate::{AppState, db};

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
pub async fn page(
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
pub async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<EventsQuery>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let (events, errors) = filtered_events(&state, &query).await?;
    if let Some(error) = errors.all().first() {
        return Err(WebError::BadRequest(error.message.clone()));
    }
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rows = events.iter().map(|e| {
        vec![
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.kind.clone(),
            e.actor.clone(),
            text(&e.subject),
            text(&e.detail),
            text(&e.client_address),
        ]
    });
    let header = [
        "id",
        "at",
        "kind",
        "actor",
        "subject",
        "detail",
        "client_address",
    ];
    crate::web::csv::download("security-events.csv", &header, rows)
}
