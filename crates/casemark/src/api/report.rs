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

#[utoipa::path(
    get,
    operation_id = "report_get",
    path = "/inspections/{id}/report",
    tag = "report",
    summary = "The report draft",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = crate::report::Draft),
        super::openapi::ReadingAsLead
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Draft>, ApiError> {
    Ok(Json(draft_of(&state, &user, id).await?.1))
}

#[utoipa::path(
    get,
    operation_id = "report_docx",
    path = "/inspections/{id}/report.docx",
    tag = "report",
    summary = "The report draft as a Word document",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "The draft", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
        super::openapi::ReadingAsLead
    )
)]
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendationsBody {
    recommendations: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecommendationsJson {
    recommendations: Vec<String>,
}

#[utoipa::path(
    put,
    operation_id = "report_recommendations",
    path = "/inspections/{id}/recommendations",
    tag = "report",
    summary = "Replaces the numbered recommendations",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = RecommendationsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = RecommendationsJson),
        super::openapi::Writing
    )
)]
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
