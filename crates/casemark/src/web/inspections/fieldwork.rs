//! `/inspections/{id}/fieldwork`: the fieldwork control board, and moving
//! a marker's unfinished cases to someone else from it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::load_inspection;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::db::members::Member;
use crate::extract::Id;
use crate::fieldwork::{Board, STALE_DAYS};
use crate::refusal::{Field, Refusal};
use crate::vocab::{MarkingStatus, MemberRole};
use crate::web::form::{Form, FormErrors, Query};
use crate::web::{Nav, WebError};
use crate::{AppState, db, team};

#[derive(Template, WebTemplate)]
#[template(path = "fieldwork.html")]
pub struct FieldworkPage {
    nav: Nav,
    inspection: Inspection,
    board: Board,
    /// Who may be given cases: leads, inspectors and local assessors.
    assignees: Vec<Member>,
    may_reassign: bool,
    stale_days: String,
    notice: Option<String>,
    errors: FormErrors,
}

impl FieldworkPage {
    fn share(&self, hundredths: &Option<u32>) -> String {
        match hundredths {
            Some(h) => format!("{}.{:02}%", h / 100, h % 100),
            None => "–".to_owned(),
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BoardQuery {
    stale_days: String,
}

async fn board_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    stale_days: &str,
    errors: FormErrors,
) -> Result<FieldworkPage, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    let mut errors = errors;
    let days = match stale_days.trim() {
        "" => STALE_DAYS,
        v => match v.parse::<i64>() {
            Ok(n) if (0..=365).contains(&n) => n,
            _ => {
                errors.add(
                    "stale_days",
                    "stale_days",
                    "Enter a number of days from 0 to 365",
                );
                STALE_DAYS
            }
        },
    };
    let mut conn = state.pool.acquire().await?;
    let board = crate::fieldwork::board(&mut conn, &inspection, days).await?;
    let assignees = db::members::members(&mut conn, id)
        .await?
        .into_iter()
        .filter(|m| {
            matches!(
                m.role,
                MemberRole::Lead | MemberRole::Inspector | MemberRole::LocalAssessor
            )
        })
        .collect();
    drop(conn);
    Ok(FieldworkPage {
        nav: Nav::from(user),
        may_reassign: access.check_lead_change(inspection.status).is_ok(),
        inspection,
        board,
        assignees,
        stale_days: if stale_days.trim().is_empty() {
            days.to_string()
        } else {
            stale_days.trim().to_owned()
        },
        notice: crate::web::flash::take(state, user).await?,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let page = board_page(&state, &user, id, &query.stale_days, FormErrors::default()).await?;
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReassignForm {
    from: String,
    to: String,
}

/// Moves every unfinished case of one marker to another, in one change.
pub async fn reassign(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<ReassignForm>,
) -> Result<Response, WebError> {
    // Who may move cases first, so that nobody else learns what is wrong
    // with their form.
    let (inspection, _, access) = load_inspection(&state, &user, id).await?;
    access
        .check_lead_change(inspection.status)
        .map_err(super::refused)?;
    let from = form.from.parse::<i64>().ok();
    let to = form.to.parse::<i64>().ok();
    let outcome = match (from, to) {
        (Some(from), Some(to)) if from != to => {
            let mut conn = state.pool.acquire().await?;
            let cases: Vec<i64> = db::fieldwork::activity(&mut conn, id)
                .await?
                .into_iter()
                .filter(|c| c.assigned_to == Some(from))
                .filter(|c| c.marking_status != MarkingStatus::Complete)
                .map(|c| c.id)
                .collect();
            drop(conn);
            if cases.is_empty() {
                Err(Refusal::invalid(
                    Field::Named("from"),
                    "They have no unfinished cases to move",
                ))
            } else {
                team::assign(&state.pool, &user.actor(), id, &cases, Some(to)).await
            }
        }
        (Some(_), Some(_)) => Err(Refusal::invalid(
            Field::Named("to"),
            "Choose someone else to give the cases to",
        )),
        (None, _) => Err(Refusal::invalid(
            Field::Named("from"),
            "Choose whose cases to move",
        )),
        (_, None) => Err(Refusal::invalid(
            Field::Named("to"),
            "Choose who to give the cases to",
        )),
    };
    match outcome {
        Ok(n) => {
            crate::web::flash::redirect(
                &state,
                &user,
                &format!("/inspections/{id}/fieldwork"),
                &format!("{n} cases moved"),
            )
            .await
        }
        Err(Refusal::Invalid(problems)) => {
            let page = board_page(&state, &user, id, "", FormErrors::of(problems)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
