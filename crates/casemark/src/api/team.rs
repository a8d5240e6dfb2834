//! /api/v1 for running an inspection: status, members, assignments, and the
//! audit history.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::body::ApiJson;
use super::{ApiError, FieldError};
use crate::auth::CurrentUser;
use crate::db::audit::Event;
use crate::extract::Id;
use crate::team;
use crate::vocab::{InspectionStatus, MemberRole};
use crate::{AppState, db};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
    reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatusJson {
    id: i64,
    status: InspectionStatus,
}

#[utoipa::path(
    put,
    operation_id = "team_set_status",
    path = "/inspections/{id}/status",
    tag = "team",
    summary = "Moves the inspection through its lifecycle",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = StatusBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = StatusJson),
        super::openapi::Writing
    )
)]
pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<StatusBody>,
) -> Result<Json<StatusJson>, ApiError> {
    let to = body
        .status
        .parse::<InspectionStatus>()
        .map_err(|e| ApiError::Unprocessable(vec![FieldError::new("status", e.to_string())]))?;
    team::change_status(&state.pool, &user.actor(), id, to, body.reason.as_deref()).await?;
    Ok(Json(StatusJson { id, status: to }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    email: String,
    role: String,
}

#[utoipa::path(
    put,
    operation_id = "team_set_member",
    path = "/inspections/{id}/members",
    tag = "team",
    summary = "Adds, changes or removes a member of the team",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = MemberBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = Vec<MemberJson>),
        super::openapi::Writing
    )
)]
pub async fn set_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<MemberBody>,
) -> Result<Json<Vec<MemberJson>>, ApiError> {
    let role = body
        .role
        .parse::<MemberRole>()
        .map_err(|e| ApiError::Unprocessable(vec![FieldError::new("role", e.to_string())]))?;
    team::set_member(&state.pool, &user.actor(), id, &body.email, role).await?;
    let members = async {
        let mut conn = state.pool.acquire().await?;
        db::members::members(&mut conn, id).await
    }
    .await
    .map_err(|e| ApiError::Database(e).after_commit())?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberJson {
                email: m.email,
                name: m.display_name,
                role: m.role,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MemberJson {
    email: String,
    name: String,
    role: MemberRole,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    cases: Vec<i64>,
    /// Email of the inspector (or lead); null unassigns.
    assignee: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignedJson {
    changed: usize,
}

#[utoipa::path(
    put,
    operation_id = "team_assign",
    path = "/inspections/{id}/assignments",
    tag = "team",
    summary = "Assigns cases",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = AssignmentBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = AssignedJson),
        super::openapi::Writing
    )
)]
pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<AssignmentBody>,
) -> Result<Json<AssignedJson>, ApiError> {
    let assignee = match body.assignee.as_deref() {
        None => None,
        Some(email) => {
            let mut conn = state.pool.acquire().await?;
            let found =
                db::accounts::user_by_email(&mut conn, &crate::email::EmailKey::of(email)).await?;
            Some(found.map(|u| u.id).ok_or_else(|| {
                ApiError::Unprocessable(vec![FieldError::new(
                    "assignee",
                    format!("No user has the email {email}"),
                )])
            })?)
        }
    };
    let changed = team::assign(&state.pool, &user.actor(), id, &body.cases, assignee).await?;
    Ok(Json(AssignedJson { changed }))
}

#[utoipa::path(
    get,
    operation_id = "team_inspection_history",
    path = "/inspections/{id}/history",
    tag = "history",
    summary = "An inspection's audit trail, oldest first",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = Vec<Event>),
        super::openapi::Reading
    )
)]
pub async fn inspection_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Vec<Event>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    super::readable(&mut conn, &user, id).await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    Ok(Json(
        db::audit::for_inspection(&mut conn, id, None, None).await?,
    ))
}

#[utoipa::path(
    get,
    operation_id = "team_case_history",
    path = "/cases/{id}/history",
    tag = "history",
    summary = "A case's audit trail, oldest first",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "OK", body = Vec<Event>),
        super::openapi::Reading
    )
)]
pub async fn case_history(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Vec<Event>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::readable(&mut conn, &user, case.inspection_id).await?;
    crate::qa::check_not_blind_to_case(&mut conn, &user.actor(), id).await?;
    Ok(Json(db::audit::for_case(&mut conn, id).await?))
}
