//! A marking form open while someone else saves the case (docs/architecture.md,
//! "Live updates"): `/cases/{id}/events` tells the page each time the case is
//! saved, and `/cases/{id}/changes?since=R` is the notice it then shows,
//! saying what changed after the revision R the form was loaded at. The
//! lost-update check still refuses a save over a changed question; the
//! notice says so before the person tries.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::readable_case;
use super::standards::describe;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::web::WebError;
use crate::web::form::Query;

/// An event per committed save of the case (`live::stream`), for anyone who
/// may read it.
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    readable_case(&mut conn, &user, id).await?;
    drop(conn);
    if !crate::live::wants_stream(&headers) {
        return Err(WebError::NotAcceptable);
    }
    Ok(crate::live::stream(&state.live, crate::live::Watched::Case(id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Since {
    /// The revision the open form shows (none: every change).
    since: Option<i64>,
}

/// The notice, a fragment the page inserts into its live region.
#[derive(Template, WebTemplate)]
#[template(path = "partials/case_changes.html")]
pub struct ChangesNotice {
    changes: Vec<String>,
}

/// What changed since the form's revision, worded as the lost-update
/// refusal words it; 204 when nothing has.
pub async fn changes(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<Since>,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    readable_case(&mut conn, &user, id).await?;
    let since = query.since.unwrap_or(0);
    let events = crate::db::audit::for_case_since(&mut conn, id, since).await?;
    if events.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok(ChangesNotice {
        changes: events.iter().map(describe).collect(),
    }
    .into_response())
}
