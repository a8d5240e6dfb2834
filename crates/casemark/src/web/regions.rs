//! `/regions/{id}`: one region's inspections, as the national table shows
//! them.

use axum::extract::State;

use super::WebError;
use super::form::Query;
use super::home::{InspectionsPage, ListQuery, inspections_page};
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::{AppState, db};

/// One region's inspections.
pub async fn region(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<ListQuery>,
) -> Result<InspectionsPage, WebError> {
    let id = i16::try_from(id).map_err(|_| WebError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let region = db::places::region(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    inspections_page(
        &state,
        &user,
        query,
        Some(id),
        format!("Inspections in {}", region.name),
    )
    .await
}
