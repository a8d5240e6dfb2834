//! /api/v1/region-inspections: start a region inspection over a region's
//! PDU inspections, and read its ratings (the same shape as a PDU
//! inspection's, out of 24 under the region framework).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::body::ApiJson;
use super::inspections::{Created, RatingsJson, fieldwork_field, ratings_of, region_field};
use super::{ApiError, FieldError};
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::region_inspections::RegionInspectionRequest;
use crate::{AppState, db};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegionInspectionBody {
    region: Option<String>,
    fieldwork_start: Option<String>,
    pdu_inspections: Option<Vec<i64>>,
    /// A region framework's code (default: region-2024).
    framework: Option<String>,
}

#[utoipa::path(
    post,
    operation_id = "region_inspections_create",
    path = "/region-inspections",
    tag = "region inspections",
    summary = "Starts a region inspection pooling PDU inspections",
    request_body(content = NewRegionInspectionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Created),
        super::openapi::Creating
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewRegionInspectionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let mut errors = Vec::new();
    let region = region_field(
        &state,
        body.region.as_deref(),
        "Give the region inspected",
        &mut errors,
    )
    .await?;
    let fieldwork_start = fieldwork_field(&body.fieldwork_start, &mut errors);
    if body.pdu_inspections.is_none() {
        errors.push(FieldError::new(
            "pdu_inspections",
            "Give the ids of the PDU inspections to pool, as a list",
        ));
    }
    let (Some(region), Some(fieldwork_start), Some(pdu_inspections), true) = (
        region,
        fieldwork_start,
        body.pdu_inspections,
        errors.is_empty(),
    ) else {
        return Err(ApiError::Unprocessable(errors));
    };
    let request = RegionInspectionRequest {
        region_id: region.id,
        fieldwork_start,
        pdu_inspections,
        framework: body.framework,
    };
    let id = crate::region_inspections::create(&state.pool, &user.actor(), &request).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A region inspection's ratings; 404 for a PDU inspection (read it at
/// /inspections/{id}/ratings).
#[utoipa::path(
    get,
    operation_id = "region_inspections_ratings",
    path = "/region-inspections/{id}/ratings",
    tag = "region inspections",
    summary = "A region inspection's ratings",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = crate::api::inspections::RatingsJson),
        super::openapi::Reading
    )
)]
pub async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<RatingsJson>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    super::readable(&mut conn, &user, id).await?;
    let of_region = db::inspections::get(&mut conn, id)
        .await?
        .is_some_and(|i| i.of_region);
    drop(conn);
    if !of_region {
        return Err(ApiError::NotFound);
    }
    Ok(Json(ratings_of(&state, &user, id).await?))
}
