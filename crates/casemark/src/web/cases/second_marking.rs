//! `/cases/{id}/second-marking`: a case's blind second marking. While it is
//! open only its second marker sees it, and they see none of the first
//! marking; once submitted, everyone who reads the inspection sees the two
//! side by side.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::standards::PromptView;
use super::{form_errors, submission_from};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::db::qa::Sampled;
use crate::extract::Id;
use crate::qa::{self, SecondMarking};
use crate::refusal::Refusal;
use crate::vocab::{Answer, InspectionStatus, MarkingStatus};
use crate::web::filters::{self, dom_id};
use crate::web::form::{Form, FormErrors, Query};
use crate::web::{Nav, WebError};
use crate::{AppState, access, db};

pub struct KeyQuestionView {
    code: String,
    dom: String,
    area: String,
    text: String,
    answer: String,
    rationale: String,
    /// Once submitted: the first marking's answer and rationale.
    first_answer: Option<Answer>,
    first_rationale: Option<String>,
    prompts: Vec<PromptView>,
}

impl KeyQuestionView {
    fn agrees(&self) -> bool {
        self.first_answer.map(|a| a.code()) == Some(self.answer.as_str())
    }

    fn answer_label(&self) -> &'static str {
        self.answer
            .parse::<Answer>()
            .map_or("Not answered", |a| a.label())
    }
}

pub struct StandardView {
    code: String,
    name: String,
    key_questions: Vec<KeyQuestionView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "second_marking.html")]
pub struct SecondMarkingPage {
    nav: Nav,
    inspection: Inspection,
    sampled: Sampled,
    standards: Vec<StandardView>,
    errors: FormErrors,
    /// Why the form cannot be used now, if it cannot.
    read_only: Option<String>,
    saved: bool,
}

impl SecondMarkingPage {
    fn answers(&self) -> &'static [Answer] {
        Answer::ALL
    }

    fn submitted(&self) -> bool {
        self.sampled.submitted_at.is_some()
    }

    fn disagreements(&self) -> usize {
        self.standards
            .iter()
            .flat_map(|s| &s.key_questions)
            .filter(|kq| !kq.agrees())
            .count()
    }
}

async fn second_marking_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    typed: Option<&SecondMarking>,
    errors: FormErrors,
) -> Result<SecondMarkingPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let access = access::load(&mut conn, &user.actor(), case.inspection_id).await?;
    if !access.can_read() {
        return Err(WebError::NotFound);
    }
    let sampled = db::qa::sampled(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let mine = sampled.second_marker_id == user.user.id;
    if sampled.submitted_at.is_none() && !mine {
        // Until submitted, a second marking is its marker's alone.
        return Err(WebError::Forbidden);
    }
    let inspection = db::inspections::get(&mut conn, case.inspection_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let framework = state
        .frameworks
        .get(&mut conn, case.framework_version_id)
        .await?;
    let answers = db::qa::second_answers(&mut conn, id).await?;
    let prompt_answers = db::qa::second_prompts(&mut conn, id).await?;
    drop(conn);
    let read_only = if sampled.submitted_at.is_some() {
        None
    } else if !matches!(
        inspection.status,
        InspectionStatus::Fieldwork | InspectionStatus::Moderation
    ) {
        Some(format!(
            "The inspection is in {}: second marking happens in fieldwork and moderation.",
            inspection.status.label().to_lowercase()
        ))
    } else if case.marking_status != MarkingStatus::Complete {
        Some(
            "The case's first marking is not complete yet: you can second-mark it once it is."
                .into(),
        )
    } else {
        None
    };
    let empty = BTreeMap::new();
    let typed_prompts = typed.map_or(&empty, |t| &t.prompts);
    // The key questions the case's question set asks; a standard it asks
    // none of is left out.
    let set = case.question_set_id;
    let standards = framework
        .domain_two()
        .filter(|standard| framework.asked(standard, set).next().is_some())
        .map(|standard| StandardView {
            code: standard.code.clone(),
            name: standard.name.clone(),
            key_questions: framework
                .asked(standard, set)
                .map(|kq| {
                    let saved = answers.get(&kq.id);
                    let given = typed.and_then(|t| t.key_questions.get(&kq.code));
                    KeyQuestionView {
                        code: kq.code.clone(),
                        dom: dom_id(&kq.code),
                        area: kq.area.label().to_owned(),
                        text: kq.text.clone(),
                        answer: given
                            .and_then(|g| g.answer.clone())
                            .or_else(|| saved.map(|a| a.answer.code().to_owned()))
                            .unwrap_or_default(),
                        rationale: given
                            .and_then(|g| g.rationale.clone())
                            .or_else(|| saved.and_then(|a| a.rationale.clone()))
                            .unwrap_or_default(),
                        first_answer: saved.and_then(|a| a.first_answer),
                        first_rationale: saved.and_then(|a| a.first_rationale.clone()),
                        prompts: kq
                            .prompts
                            .iter()
                            .map(|p| PromptView {
                                code: p.code.clone(),
                                dom: dom_id(&p.code),
                                text: p.text.clone(),
                                answer: typed_prompts
                                    .get(&p.code)
                                    .cloned()
                                    .or_else(|| {
                                        prompt_answers.get(&p.id).map(|a| a.code().to_owned())
                                    })
                                    .unwrap_or_default(),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(SecondMarkingPage {
        nav: Nav::from(user),
        inspection,
        sampled,
        standards,
        errors,
        read_only,
        saved: false,
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<Saved>,
) -> Result<SecondMarkingPage, WebError> {
    let mut page = second_marking_page(&state, &user, id, None, FormErrors::default()).await?;
    page.saved = query.saved.is_some();
    Ok(page)
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let submit = fields.iter().any(|(k, v)| k == "action" && v == "submit");
    let submission = submission_from(fields);
    let marking = SecondMarking {
        key_questions: submission.key_questions,
        prompts: submission.prompts,
        submit,
    };
    match qa::save_second_marking(&state.pool, &state.frameworks, &user.actor(), id, &marking).await
    {
        Ok(()) if submit => {
            Ok(Redirect::to(&format!("/cases/{id}/second-marking")).into_response())
        }
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}/second-marking?saved=1")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let page =
                second_marking_page(&state, &user, id, Some(&marking), form_errors(problems))
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
