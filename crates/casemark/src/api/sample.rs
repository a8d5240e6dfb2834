//! Drawing the case sample from the long list (docs/sampling.md): the
//! long list upload, the draw (previewed or confirmed) and replacing a
//! case with a reserve.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::ApiError;
use super::body::{ApiJson, ApiQuery, CsvOrWorkbook};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::long_list::{self, Uploaded};
use crate::sample_draw::{self, DrawInput, Drawn, Replacement};

/// `POST /inspections/{id}/long-list`, the list as CSV or an Excel workbook.
#[utoipa::path(
    post,
    operation_id = "sample_upload",
    path = "/inspections/{id}/long-list",
    tag = "sample",
    summary = "Uploads the long list (CSV, or an Excel workbook)",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 201, description = "Created", body = Uploaded),
        super::openapi::Writing,
        (status = 413, description = "Over the size limit", body = super::error::ErrorBody),
        (status = 415, description = "Not sent as a type this takes", body = super::error::ErrorBody)
    )
)]
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    CsvOrWorkbook(text): CsvOrWorkbook,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    let uploaded = long_list::upload(&state.pool, &user.actor(), id, &text).await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    size: Option<i64>,
    buffer_percent: Option<i64>,
    seed: Option<i64>,
    /// The preview's `long_list`: the confirm is refused if it changed.
    long_list: Option<String>,
    #[serde(default)]
    confirm: bool,
}

/// `POST /inspections/{id}/sample/draw`: the draw as it would be (200), or
/// with `"confirm": true` made (201).
#[utoipa::path(
    post,
    operation_id = "sample_draw",
    path = "/inspections/{id}/sample/draw",
    tag = "sample",
    summary = "Draws the sample (preview, or confirmed)",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = DrawBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Drawn),
        super::openapi::Writing
    )
)]
pub async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<DrawBody>,
) -> Result<(StatusCode, Json<Drawn>), ApiError> {
    let input = DrawInput {
        size: body.size,
        buffer_percent: body.buffer_percent,
        seed: body.seed,
        long_list: body.long_list,
    };
    if body.confirm {
        let drawn = sample_draw::confirm(&state.pool, &user.actor(), id, &input).await?;
        Ok((StatusCode::CREATED, Json(drawn)))
    } else {
        let drawn = sample_draw::preview(&state.pool, &user.actor(), id, &input).await?;
        Ok((StatusCode::OK, Json(drawn)))
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceBody {
    reason: Option<String>,
}

/// `POST /cases/{id}/replace`: the next reserve of the case's stratum
/// takes its place.
#[utoipa::path(
    post,
    operation_id = "sample_replace",
    path = "/cases/{id}/replace",
    tag = "sample",
    summary = "Replaces a drawn case with a reserve",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = ReplaceBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = Replacement),
        super::openapi::Writing
    )
)]
pub async fn replace(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<ReplaceBody>,
) -> Result<Json<Replacement>, ApiError> {
    let replaced =
        sample_draw::replace(&state.pool, &user.actor(), id, body.reason.as_deref()).await?;
    Ok(Json(replaced))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct FieldworkQuery {
    /// Days without a save before a case is flagged (default 3).
    stale_days: Option<u32>,
}

/// `GET /inspections/{id}/fieldwork`: the control board's figures.
#[utoipa::path(
    get,
    operation_id = "sample_fieldwork",
    path = "/inspections/{id}/fieldwork",
    tag = "sample",
    summary = "Fieldwork's control board",
    params(("id" = i64, Path, description = "The inspection's id"), FieldworkQuery),
    responses(
        (status = 200, description = "OK", body = crate::fieldwork::Board),
        super::openapi::ReadingAsLead,
        super::openapi::Unprocessable
    )
)]
pub async fn fieldwork(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiQuery(query): ApiQuery<FieldworkQuery>,
) -> Result<Json<crate::fieldwork::Board>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (inspection, _) = super::readable_inspection(&mut conn, &state, &user, id).await?;
    let stale_days = query
        .stale_days
        .map_or(crate::fieldwork::STALE_DAYS, i64::from);
    Ok(Json(
        crate::fieldwork::board(&mut conn, &inspection, stale_days).await?,
    ))
}
