//! `/cases/{id}/facts`: correcting a case's facts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::CurrentUser;
use crate::extract::Id;
use crate::intake::{self, RawCase};
use crate::refusal::Refusal;
use crate::web::form::{Form, FormErrors};
use crate::web::inspections::cases::NewCasePage;
use crate::web::inspections::{load_inspection, refused};
use crate::web::{Nav, WebError};
use crate::{AppState, db};

async fn facts_page(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    form: Option<RawCase>,
    errors: FormErrors,
) -> Result<NewCasePage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, case_id)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let (inspection, framework, access) = load_inspection(state, user, case.inspection_id).await?;
    access
        .check_marking(inspection.status, case.assigned_to)
        .map_err(refused)?;
    Ok(NewCasePage {
        nav: Nav::from(user),
        heading: "Correct the case facts",
        action: format!("/cases/{case_id}/facts"),
        button: "Save case facts",
        back: format!("/cases/{case_id}"),
        inspection,
        form: form.unwrap_or_else(|| RawCase::from_facts(&case.facts)),
        errors,
        case_types: framework.case_types.clone(),
    })
}

pub async fn facts_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<NewCasePage, WebError> {
    facts_page(&state, &user, id, None, FormErrors::default()).await
}

pub async fn save_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<RawCase>,
) -> Result<Response, WebError> {
    match intake::update_facts(&state.pool, &state.frameworks, &user.actor(), id, &form).await {
        Ok(saved) => {
            let saved = if saved.moved_to_set.is_some() {
                "facts-set"
            } else {
                "facts"
            };
            Ok(Redirect::to(&format!("/cases/{id}?saved={saved}")).into_response())
        }
        Err(Refusal::Invalid(problems)) => {
            let errors = FormErrors::of(problems);
            let page = facts_page(&state, &user, id, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
