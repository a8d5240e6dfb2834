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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    status: String,
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StatusJson {
    id: i64,
    status: InspectionStatus,
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    email: String,
    role: String,
}

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

#[derive(Debug, Serialize)]
pub struct MemberJson {
    email: String,
    name: String,
    role: MemberRole,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignmentBody {
    cases: Vec<i64>,
    /// Email of the inspector (or lead); null unassigns.
    assignee: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AssignedJson {
    changed: usize,
}

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
