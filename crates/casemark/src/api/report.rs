//! The report draft (docs/report.md): `GET /inspections/{id}/report` as
//! JSON, `GET /inspections/{id}/report.docx` as a Word document, and
//! `PUT /inspections/{id}/recommendations`, the lead's numbered list.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::body::ApiJson;
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::report::{self, Draft};
use crate::{AppState, db};

/// The draft of an inspection the caller may read (a blind second marker
/// is refused it, as the exports: it quotes first markings).
async fn draft_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(db::inspections::Inspection, Draft), ApiError> {
    let mut conn = state.pool.acquire().await?;
    super::readable(&mut conn, user, id).await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    let inspection = db::inspections::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let draft = report::of_inspection(&mut conn, &state.frameworks, &inspection).await?;
    Ok((inspection, draft))
}

pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Draft>, ApiError> {
    Ok(Json(draft_of(&state, &user, id).await?.1))
}

pub async fn docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let (inspection, draft) = draft_of(&state, &user, id).await?;
    let bytes = report::docx::write(&draft).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(crate::annexe::download(
        report::DOCX_TYPE,
        &report::file_name(&inspection),
        bytes.into(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendationsBody {
    recommendations: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RecommendationsJson {
    recommendations: Vec<String>,
}

pub async fn recommendations(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<RecommendationsBody>,
) -> Result<Json<RecommendationsJson>, ApiError> {
    let recommendations =
        report::recommendations::replace(&state.pool, &user.actor(), id, &body.recommendations)
            .await?;
    Ok(Json(RecommendationsJson { recommendations }))
}
