//! `/inspections/{id}/report`: the report draft as a page and as a Word
//! document, and `/inspections/{id}/recommendations`, where the lead
//! writes, orders and removes the recommendations it numbers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{load_inspection, refused};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::report::recommendations::{self, Edit};
use crate::report::{self, Draft, NO_IMPROVEMENTS, NO_RECOMMENDATIONS, NO_STRENGTHS};
use crate::web::filters;
use crate::web::form::{Form, FormErrors};
use crate::web::{Nav, WebError};

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    nav: Nav,
    inspection: Inspection,
    draft: Draft,
    is_lead: bool,
}

impl ReportPage {
    fn no_strengths(&self) -> &'static str {
        NO_STRENGTHS
    }
    fn no_improvements(&self) -> &'static str {
        NO_IMPROVEMENTS
    }
    fn no_recommendations(&self) -> &'static str {
        NO_RECOMMENDATIONS
    }
}

/// The draft: quoted rationales are first markings, so a blind second
/// marker is refused it as they are the exports.
async fn draft_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Inspection, Draft, bool), WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    let mut conn = state.pool.acquire().await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
    let draft = report::of_inspection(&mut conn, &state.frameworks, &inspection).await?;
    Ok((inspection, draft, access.is_lead()))
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<ReportPage, WebError> {
    let (inspection, draft, is_lead) = draft_of(&state, &user, id).await?;
    Ok(ReportPage {
        nav: Nav::from(&user),
        inspection,
        draft,
        is_lead,
    })
}

pub async fn docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (inspection, draft, _) = draft_of(&state, &user, id).await?;
    let bytes = report::docx::write(&draft).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(crate::annexe::download(
        report::DOCX_TYPE,
        &report::file_name(&inspection),
        bytes.into(),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "recommendations.html")]
pub struct RecommendationsPage {
    nav: Nav,
    inspection: Inspection,
    recommendations: Vec<String>,
    /// What was typed into the new recommendation's box, kept on an error.
    text: String,
    errors: FormErrors,
}

async fn recommendations_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    text: String,
    errors: FormErrors,
) -> Result<RecommendationsPage, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    access
        .check_lead_change(inspection.status)
        .map_err(refused)?;
    Ok(RecommendationsPage {
        nav: Nav::from(user),
        inspection,
        recommendations: recommendations::current(&state.pool, id).await?,
        text,
        errors,
    })
}

pub async fn recommendations_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<RecommendationsPage, WebError> {
    recommendations_page(&state, &user, id, String::new(), FormErrors::default()).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RecommendationForm {
    /// "add", "up", "down" or "remove".
    action: String,
    /// The recommendation moved or removed, from 1 as numbered.
    number: String,
    text: String,
}

pub async fn change_recommendations(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<RecommendationForm>,
) -> Result<Response, WebError> {
    let index = || {
        form.number
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .ok_or_else(|| WebError::BadRequest("Which recommendation?".into()))
    };
    let edit = match form.action.as_str() {
        "add" if form.text.trim().is_empty() => {
            let mut errors = FormErrors::default();
            errors.add("text", "text", "Enter the recommendation");
            let page = recommendations_page(&state, &user, id, String::new(), errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
        "add" => Edit::Add(form.text.clone()),
        "up" => Edit::Up(index()?),
        "down" => Edit::Down(index()?),
        "remove" => Edit::Remove(index()?),
        _ => return Err(WebError::BadRequest("Unknown change".into())),
    };
    let current = recommendations::current(&state.pool, id).await?;
    match recommendations::replace(
        &state.pool,
        &user.actor(),
        id,
        &recommendations::apply(current, edit),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}/recommendations")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add("text", "text", p.message);
            }
            let page = recommendations_page(&state, &user, id, form.text, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
