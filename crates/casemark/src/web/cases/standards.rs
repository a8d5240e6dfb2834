//! `/cases/{id}/standards/{code}`: one standard's key questions and prompts,
//! and saving them (with the lost-update check).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

use super::{Loaded, form_errors, load, submission_from};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::audit::Event;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::parse_id;
use crate::marking::{self, Submission};
use crate::refusal::Refusal;
use crate::vocab::Answer;
use crate::web::WebError;
use crate::web::filters::dom_id;
use crate::web::form::{Form, FormErrors};

/// How a conflicting change reads in the message.
pub(super) fn describe(event: &Event) -> String {
    let value = |v: &Option<String>| v.clone().unwrap_or_else(|| "nothing".into());
    format!(
        "{} changed {} {} from {} to {} at {}",
        event.actor,
        event.code.clone().unwrap_or_default(),
        event.field.clone().unwrap_or_default(),
        value(&event.old_value),
        value(&event.new_value),
        event.at.format("%H:%M on %-d %B %Y")
    )
}

// ------------------------------------------------------------ standard form

/// A prompt on a marking form (also the second-marking form's).
pub struct PromptView {
    pub(super) code: String,
    pub(super) dom: String,
    pub(super) text: String,
    pub(super) answer: String,
}

pub struct KeyQuestionView {
    code: String,
    dom: String,
    area: String,
    text: String,
    answer: String,
    rationale: String,
    /// Its rationale is quoted in the report draft.
    quote: bool,
    prompts: Vec<PromptView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "standard.html")]
pub struct StandardPage {
    nav: crate::web::Nav,
    case: Case,
    inspection: Inspection,
    code: String,
    name: String,
    statement: String,
    key_questions: Vec<KeyQuestionView>,
    /// The standard's key questions the case's question set does not ask,
    /// and the set's name.
    not_asked: Vec<String>,
    set_name: String,
    errors: FormErrors,
    read_only: Option<String>,
    /// Someone else's changes that stopped this save.
    conflicts: Vec<String>,
}

impl StandardPage {
    fn answers(&self) -> &'static [Answer] {
        Answer::ALL
    }
}

fn standard_page(
    loaded: Loaded,
    code: &str,
    submitted: Option<&Submission>,
    errors: FormErrors,
) -> Result<StandardPage, WebError> {
    let Loaded {
        case,
        inspection,
        framework,
        answers,
        nav,
        read_only,
        ..
    } = loaded;
    let standard = framework
        .domain_two()
        .find(|s| s.code == code)
        .ok_or(WebError::NotFound)?;
    let empty = BTreeMap::new();
    let given = submitted.map_or(&empty, |s| &s.prompts);
    let set = case.question_set_id;
    let not_asked = standard
        .key_questions
        .iter()
        .filter(|kq| !framework.asks(set, kq.id))
        .map(|kq| kq.code.clone())
        .collect();
    let set_name = framework
        .question_set(set)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    let key_questions = framework
        .asked(standard, set)
        .map(|kq| {
            let saved = answers.key_questions.get(&kq.id);
            let typed = submitted.and_then(|s| s.key_questions.get(&kq.code));
            KeyQuestionView {
                code: kq.code.clone(),
                dom: dom_id(&kq.code),
                area: kq.area.label().to_owned(),
                text: kq.text.clone(),
                answer: typed
                    .and_then(|t| t.answer.clone())
                    .or_else(|| saved.map(|j| j.answer.code().to_owned()))
                    .unwrap_or_default(),
                rationale: typed
                    .and_then(|t| t.rationale.clone())
                    .or_else(|| saved.and_then(|j| j.rationale.clone()))
                    .unwrap_or_default(),
                quote: typed
                    .and_then(|t| t.quote)
                    .unwrap_or_else(|| saved.is_some_and(|j| j.quote)),
                prompts: kq
                    .prompts
                    .iter()
                    .map(|p| PromptView {
                        code: p.code.clone(),
                        dom: dom_id(&p.code),
                        text: p.text.clone(),
                        answer: given
                            .get(&p.code)
                            .cloned()
                            .or_else(|| answers.prompts.get(&p.id).map(|a| a.code().to_owned()))
                            .unwrap_or_default(),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(StandardPage {
        nav,
        read_only,
        conflicts: Vec::new(),
        not_asked,
        set_name,
        code: standard.code.clone(),
        name: standard.name.clone(),
        statement: standard.statement.clone(),
        case,
        inspection,
        key_questions,
        errors,
    })
}

/// `/cases/{id}/standards/{code}`: both parts are checked, so a bad id or an
/// unknown standard is a plain 404.
fn case_and_standard(raw: &(String, String)) -> Result<i64, WebError> {
    parse_id(&raw.0).ok_or(WebError::NotFound)
}

pub async fn standard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
) -> Result<StandardPage, WebError> {
    let id = case_and_standard(&raw)?;
    let loaded = load(&state, &user, id).await?;
    standard_page(loaded, &raw.1, None, FormErrors::default())
}

pub async fn save_standard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = case_and_standard(&raw)?;
    let code = raw.1;
    // A post to a standard the case's framework does not have is a 404,
    // checked by the save before anything is written.
    let submission = Submission {
        standard: Some(code.clone()),
        ..submission_from(fields)
    };
    match marking::save(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &submission,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved={code}")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let loaded = load(&state, &user, id).await?;
            let page = standard_page(loaded, &code, Some(&submission), form_errors(problems))?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(Refusal::Conflict(events)) => {
            // Show the newer answers, which were kept, and what changed.
            let loaded = load(&state, &user, id).await?;
            let mut page = standard_page(loaded, &code, None, FormErrors::default())?;
            page.conflicts = events.iter().map(describe).collect();
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
