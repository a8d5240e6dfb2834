//! `/cases/{id}/outcomes`: the case's outcome questions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Loaded, form_errors, load, submission_from};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::marking::{self, Submission};
use crate::refusal::Refusal;
use crate::web::WebError;
use crate::web::form::{Form, FormErrors};

// ------------------------------------------------------------ outcomes form

pub struct OutcomeView {
    code: String,
    text: String,
    answer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "outcomes.html")]
pub struct OutcomesPage {
    nav: crate::web::Nav,
    case: Case,
    inspection: Inspection,
    outcomes: Vec<OutcomeView>,
    errors: FormErrors,
    read_only: Option<String>,
    /// Someone else's changes that stopped this save.
    conflicts: Vec<String>,
}

fn outcomes_page(
    loaded: Loaded,
    submitted: Option<&Submission>,
    errors: FormErrors,
) -> OutcomesPage {
    let Loaded {
        case,
        inspection,
        framework,
        answers,
        nav,
        read_only,
        ..
    } = loaded;
    let outcomes = framework
        .outcomes
        .iter()
        .map(|o| OutcomeView {
            code: o.code.clone(),
            text: o.text.clone(),
            answer: submitted
                .and_then(|s| s.outcomes.get(&o.code).cloned())
                .or_else(|| answers.outcomes.get(&o.id).map(|a| a.code().to_owned()))
                .unwrap_or_default(),
        })
        .collect();
    OutcomesPage {
        nav,
        read_only,
        case,
        inspection,
        outcomes,
        errors,
        conflicts: Vec::new(),
    }
}

pub async fn outcomes(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<OutcomesPage, WebError> {
    let loaded = load(&state, &user, id).await?;
    Ok(outcomes_page(loaded, None, FormErrors::default()))
}

pub async fn save_outcomes(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut submission = submission_from(fields);
    // Only outcomes belong to this form.
    submission.key_questions.clear();
    submission.prompts.clear();
    match marking::save(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &submission,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=outcomes")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let loaded = load(&state, &user, id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                outcomes_page(loaded, Some(&submission), form_errors(problems)),
            )
                .into_response())
        }
        Err(Refusal::Conflict(events)) => {
            // Show the newer answers, which were kept, and what changed.
            let loaded = load(&state, &user, id).await?;
            let mut page = outcomes_page(loaded, None, FormErrors::default());
            page.conflicts = events.iter().map(super::standards::describe).collect();
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
