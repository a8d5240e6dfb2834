//! /api/v1 downloads of the data annexe and the judgement import.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;

use super::body::{ApiQuery, CsvText};
use super::cases::WriteQuery;
use super::{ApiError, readable};
use crate::annexe::import::{self, Mode, Summary};
use crate::annexe::{self, long};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::{AppState, db};

async fn inspection(state: &AppState, user: &CurrentUser, id: i64) -> Result<Inspection, ApiError> {
    let mut conn = state.pool.acquire().await?;
    readable(&mut conn, user, id).await?;
    // Both exports show every case's first marking.
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    db::inspections::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)
}

#[utoipa::path(
    get,
    operation_id = "annexe_inspection_csv",
    path = "/inspections/{id}/annexe.csv",
    tag = "annexe",
    summary = "Every judgement of the inspection as CSV",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "The annexe", content_type = "text/csv", body = String),
        super::openapi::Reading
    )
)]
pub async fn inspection_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let inspection = inspection(&state, &user, id).await?;
    let name = long::file_name(&inspection, "csv");
    Ok(annexe::download(
        annexe::CSV_TYPE,
        &name,
        long::stream(state, vec![inspection], Vec::new()),
    ))
}

#[utoipa::path(
    get,
    operation_id = "annexe_national_csv",
    path = "/annexe.csv",
    tag = "annexe",
    summary = "Every judgement of the inspections the token's user may read, as CSV",
    responses(
        (status = 200, description = "The national annexe", content_type = "text/csv", body = String),
        super::openapi::Unauthorised
    )
)]
pub async fn national_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let inspections = db::inspections::list(&mut conn, user.member_filter(), None).await?;
    let hidden = crate::qa::hidden_cases(&mut conn, &user.actor()).await?;
    drop(conn);
    Ok(annexe::download(
        annexe::CSV_TYPE,
        &annexe::national_file_name(),
        long::stream(state, inspections, hidden),
    ))
}

#[utoipa::path(
    get,
    operation_id = "annexe_workbook",
    path = "/inspections/{id}/annexe.xlsx",
    tag = "annexe",
    summary = "The inspection's workbook (Excel)",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        super::openapi::Reading
    )
)]
pub async fn workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let inspection = inspection(&state, &user, id).await?;
    let name = long::file_name(&inspection, "xlsx");
    let bytes = annexe::workbook_for(&state, inspection)
        .await
        .map_err(|e| match e {
            annexe::WorkbookError::Database(e) => ApiError::Database(e),
            annexe::WorkbookError::Build(message) => ApiError::Internal(message),
        })?;
    Ok(annexe::download(annexe::XLSX_TYPE, &name, bytes.into()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Imported {
    dry_run: bool,
    #[serde(flatten)]
    summary: Summary,
}

/// Imports judgements from the long CSV (`Content-Type: text/csv`), all or
/// nothing; `?dry_run=true` reports what would change and writes nothing.
#[utoipa::path(
    post,
    operation_id = "annexe_import_judgements",
    path = "/inspections/{id}/judgements",
    tag = "annexe",
    summary = "Imports judgements from a CSV annexe (text/csv)",
    params(("id" = i64, Path, description = "The inspection's id"), crate::api::cases::WriteQuery),
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "OK", body = Imported),
        super::openapi::Writing
    )
)]
pub async fn import_judgements(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiQuery(query): ApiQuery<WriteQuery>,
    CsvText(text): CsvText,
) -> Result<Json<Imported>, ApiError> {
    {
        // A preview shows the answers it would change.
        let mut conn = state.pool.acquire().await?;
        crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    }
    let file = import::parse(&text).map_err(Refusal::Invalid)?;
    let mode = if query.dry_run() {
        Mode::Preview
    } else {
        Mode::Commit
    };
    match import::apply(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &file,
        mode,
    )
    .await
    {
        Ok(summary) => Ok(Json(Imported {
            dry_run: mode == Mode::Preview,
            summary,
        })),
        Err(e) => Err(e.into()),
    }
}
