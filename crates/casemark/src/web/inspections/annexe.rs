//! `/inspections/{id}/annexe.csv` and `.xlsx`: an inspection's annexe
//! downloads.

use axum::extract::State;
use axum::response::Response;

use crate::AppState;
use crate::annexe::{self, long};
use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::web::WebError;
use crate::web::inspections::load_inspection;

pub async fn inspection_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (inspection, _, _) = load_inspection(&state, &user, id).await?;
    not_blind(&state, &user, id).await?;
    let name = long::file_name(&inspection, "csv");
    let body = long::stream(state, vec![inspection], Vec::new());
    Ok(annexe::download(annexe::CSV_TYPE, &name, body))
}

pub async fn workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (inspection, _, _) = load_inspection(&state, &user, id).await?;
    not_blind(&state, &user, id).await?;
    let name = long::file_name(&inspection, "xlsx");
    let bytes = annexe::workbook_for(&state, inspection)
        .await
        .map_err(|e| match e {
            annexe::WorkbookError::Database(e) => WebError::Database(e),
            annexe::WorkbookError::Build(message) => WebError::Internal(message),
        })?;
    Ok(annexe::download(annexe::XLSX_TYPE, &name, bytes.into()))
}

/// Every case's first marking is in an export: refused while the caller
/// second-marks a case of the inspection blind.
async fn not_blind(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), WebError> {
    let mut conn = state.pool.acquire().await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    Ok(())
}
