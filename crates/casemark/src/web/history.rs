//! `/inspections/{id}/history` and `/cases/{id}/history` (and their `.csv`
//! downloads): the audit trail, as a page and as a file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;

use super::form::Query;
use super::{Nav, WebError};
use crate::auth::CurrentUser;
use crate::db::audit::Event;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::web::inspections::load_inspection;
use crate::{AppState, db};

// ------------------------------------------------------------------ history

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct HistoryQuery {
    person: String,
    standard: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "history.html")]
pub struct HistoryPage {
    nav: Nav,
    inspection: Inspection,
    /// The case, when this is one case's history.
    case: Option<(i64, String)>,
    events: Vec<Event>,
    people: Vec<(i64, String)>,
    person: String,
    standard: String,
    csv_link: String,
}

impl HistoryPage {
    fn standards(&self) -> [&'static str; 8] {
        ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "outcomes"]
    }

    fn when(&self, event: &Event) -> String {
        event.at.format("%-d %b %Y %H:%M:%S").to_string()
    }

    fn value(&self, value: &Option<String>) -> String {
        value.clone().unwrap_or_else(|| "–".to_owned())
    }
}

fn people_of(events: &[Event]) -> Vec<(i64, String)> {
    let mut people: Vec<(i64, String)> = events
        .iter()
        .filter_map(|e| e.actor_id.map(|id| (id, e.actor.clone())))
        .collect();
    people.sort();
    people.dedup();
    people
}

async fn case_events(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Inspection, String, Vec<Event>), WebError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let (inspection, _, _) = load_inspection(state, user, case.inspection_id).await?;
    let mut conn = state.pool.acquire().await?;
    crate::qa::check_not_blind_to_case(&mut conn, &user.actor(), id).await?;
    let events = db::audit::for_case(&mut conn, id).await?;
    Ok((inspection, case.facts.reference, events))
}

pub async fn case_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<HistoryPage, WebError> {
    let (inspection, reference, events) = case_events(&state, &user, id).await?;
    Ok(HistoryPage {
        nav: Nav::from(&user),
        people: people_of(&events),
        inspection,
        case: Some((id, reference)),
        events,
        person: String::new(),
        standard: String::new(),
        csv_link: format!("/cases/{id}/history.csv"),
    })
}

pub async fn case_history_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (_, reference, events) = case_events(&state, &user, id).await?;
    csv_download(&format!("case-{reference}-history.csv"), &events)
}

async fn inspection_events(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    query: &HistoryQuery,
) -> Result<(Inspection, Vec<Event>), WebError> {
    let (inspection, _, _) = load_inspection(state, user, id).await?;
    let person = query.person.parse::<i64>().ok();
    let standard = Some(query.standard.trim()).filter(|s| !s.is_empty());
    let mut conn = state.pool.acquire().await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    let events = db::audit::for_inspection(&mut conn, id, person, standard).await?;
    Ok((inspection, events))
}

pub async fn inspection_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<HistoryQuery>,
) -> Result<HistoryPage, WebError> {
    let (inspection, events) = inspection_events(&state, &user, id, &query).await?;
    // Everyone who changed anything, for the filter (not only those shown).
    let mut conn = state.pool.acquire().await?;
    let everyone = db::audit::for_inspection(&mut conn, id, None, None).await?;
    let csv_query =
        serde_urlencoded::to_string([("person", &query.person), ("standard", &query.standard)])
            .unwrap_or_default();
    Ok(HistoryPage {
        nav: Nav::from(&user),
        people: people_of(&everyone),
        inspection,
        case: None,
        events,
        person: query.person,
        standard: query.standard,
        csv_link: format!("/inspections/{id}/history.csv?{csv_query}"),
    })
}

pub async fn inspection_history_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, WebError> {
    let (_, events) = inspection_events(&state, &user, id, &query).await?;
    csv_download(&format!("inspection-{id}-history.csv"), &events)
}

fn csv_download(filename: &str, events: &[Event]) -> Result<Response, WebError> {
    let header = [
        "id",
        "at",
        "actor",
        "case_reference",
        "case_revision",
        "entity",
        "code",
        "standard",
        "field",
        "old_value",
        "new_value",
        "reason",
    ];
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rows = events.iter().map(|e| {
        vec![
            e.id.to_string(),
            e.at.to_rfc3339(),
            e.actor.clone(),
            text(&e.case_reference),
            e.case_revision.map(|r| r.to_string()).unwrap_or_default(),
            e.entity.clone(),
            text(&e.code),
            text(&e.standard),
            text(&e.field),
            text(&e.old_value),
            text(&e.new_value),
            text(&e.reason),
        ]
    });
    super::csv::download(filename, &header, rows)
}
