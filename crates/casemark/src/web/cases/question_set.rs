//! `/cases/{id}/question-set`: the lead chooses the question set a case is
//! marked on, with a reason, or hands the choice back to its facts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Loaded, load};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::framework::choose_set;
use crate::question_sets::{self, BY_FACTS, OverrideInput};
use crate::refusal::Refusal;
use crate::web::WebError;
use crate::web::form::{Form, FormErrors};

/// One choice of the form.
pub struct SetOption {
    value: String,
    label: String,
    hint: String,
    checked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "question_set.html")]
pub struct QuestionSetPage {
    nav: crate::web::Nav,
    case: Case,
    inspection: Inspection,
    current: String,
    options: Vec<SetOption>,
    reason: String,
    errors: FormErrors,
}

fn page(
    loaded: Loaded,
    form: Option<&OverrideInput>,
    errors: FormErrors,
) -> Result<QuestionSetPage, WebError> {
    let Loaded {
        case,
        inspection,
        framework,
        answers,
        nav,
        may_choose_set,
        ..
    } = loaded;
    // A case whose framework has no sets has no set to choose.
    let current = question_sets::of_case(&framework, &case).ok_or(WebError::NotFound)?;
    if !may_choose_set {
        return Err(WebError::Forbidden);
    }
    let by_facts = choose_set(&framework.question_sets, &case.facts);
    let chosen = form.and_then(|f| f.set.clone());
    // What moving to a set would remove: answers to key questions it does
    // not ask (kept in the case history).
    let removes = |set: &crate::framework::QuestionSet| -> String {
        let gone: Vec<&str> = framework
            .key_questions()
            .filter(|kq| !set.asks(kq.id) && answers.key_questions.contains_key(&kq.id))
            .map(|kq| kq.code.as_str())
            .collect();
        let asked = framework
            .key_questions()
            .filter(|kq| set.asks(kq.id))
            .count();
        let mut hint = format!("Asks {asked} key questions.");
        if !gone.is_empty() {
            hint.push_str(&format!(
                " Removes this case's answers to {} (kept in its history).",
                gone.join(", ")
            ));
        }
        hint
    };
    let mut options: Vec<SetOption> = framework
        .question_sets
        .iter()
        .map(|s| SetOption {
            value: s.code.clone(),
            label: s.name.clone(),
            hint: removes(s),
            checked: chosen.as_deref() == Some(&s.code),
        })
        .collect();
    if let Some((set, reason)) = by_facts {
        options.push(SetOption {
            value: BY_FACTS.to_owned(),
            label: format!("Follow the case facts ({})", set.name),
            hint: format!("{reason} {}", removes(set)),
            checked: chosen.as_deref() == Some(BY_FACTS),
        });
    }
    Ok(QuestionSetPage {
        nav,
        current: format!(
            "{} ({})",
            current.set.name,
            if current.overridden {
                "chosen by the lead inspector"
            } else {
                "chosen by the case facts"
            }
        ),
        case,
        inspection,
        options,
        reason: form.and_then(|f| f.reason.clone()).unwrap_or_default(),
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<QuestionSetPage, WebError> {
    let loaded = load(&state, &user, id).await?;
    page(loaded, None, FormErrors::default())
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(input): Form<OverrideInput>,
) -> Result<Response, WebError> {
    match question_sets::choose(&state.pool, &state.frameworks, &user.actor(), id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?saved=question-set")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let loaded = load(&state, &user, id).await?;
            let page = page(loaded, Some(&input), FormErrors::of(problems))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
