//! Marking a case: the case page (a task list of the four standards and the
//! outcomes), one form per standard, the outcomes form and "mark complete".

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use super::form::{Form, FormError, FormErrors, Query};
use super::inspections::long_date;
use super::{WebError, dom_id};
use crate::access::{self, Denied};
use crate::auth::CurrentUser;
use crate::db::answers::CaseAnswers;
use crate::db::audit::Event;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::{Id, parse_id};
use crate::framework::{Framework, Standard};
use crate::marking::{self, Submission};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::Answer;
use crate::{AppState, db};

/// Everything a marking page shows about its case.
struct Loaded {
    case: Case,
    inspection: Inspection,
    framework: Arc<Framework>,
    answers: CaseAnswers,
    nav: Nav,
    /// Why the user cannot change this case now, if they cannot.
    read_only: Option<String>,
}

/// Loads a case the user may read (403 otherwise) and whether they may mark it.
async fn load(state: &AppState, user: &CurrentUser, case_id: i64) -> Result<Loaded, WebError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, case_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let inspection = db::inspections::get(&mut conn, case.inspection_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let access = access::load(&mut conn, &user.actor(), case.inspection_id).await?;
    if !access.can_read() {
        return Err(WebError::NotFound);
    }
    let answers = db::answers::load(&mut conn, case_id).await?;
    let framework = state
        .frameworks
        .get(&mut conn, case.framework_version_id)
        .await?;
    drop(conn);
    let read_only = match access.check_marking(inspection.status, case.assigned_to) {
        Ok(()) => None,
        Err(Denied::Locked(message)) => Some(message),
        Err(Denied::Forbidden) => {
            Some("You can read this case but not change it: it is not assigned to you.".into())
        }
    };
    Ok(Loaded {
        case,
        inspection,
        framework,
        answers,
        nav: Nav::from(user),
        read_only,
    })
}

/// How a conflicting change reads in the message.
fn describe(event: &Event) -> String {
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

/// Reads a marking form's fields (`kq-2.1.1`, `rationale-2.1.1`,
/// `prompt-2.1.1.a`, `outcome-compliance`) into a submission. Other fields
/// are not answers and are ignored.
fn submission_from(fields: Vec<(String, String)>) -> Submission {
    let mut submission = Submission::default();
    for (name, value) in fields {
        if let Some(code) = name.strip_prefix("kq-") {
            submission
                .key_questions
                .entry(code.to_owned())
                .or_default()
                .answer = Some(value);
        } else if let Some(code) = name.strip_prefix("rationale-") {
            submission
                .key_questions
                .entry(code.to_owned())
                .or_default()
                .rationale = Some(value);
        } else if let Some(code) = name.strip_prefix("prompt-") {
            submission.prompts.insert(code.to_owned(), value);
        } else if let Some(code) = name.strip_prefix("outcome-") {
            submission.outcomes.insert(code.to_owned(), value);
        } else if name == "revision" {
            // A form always says which revision it showed; junk is treated
            // as the oldest, so a doubtful save is checked, never skipped.
            submission.revision = Some(value.trim().parse().unwrap_or(0));
        }
    }
    submission
}

/// A marking problem as a form error: (field name, element id).
fn form_field(field: &Field) -> (String, String) {
    match field {
        Field::KeyQuestion(code) => (format!("kq-{code}"), format!("kq-{}", dom_id(code))),
        Field::Rationale(code) => (
            format!("rationale-{code}"),
            format!("rationale-{}", dom_id(code)),
        ),
        Field::Prompt(code) => (format!("prompt-{code}"), format!("prompt-{}", dom_id(code))),
        Field::Outcome(code) => (
            format!("outcome-{code}"),
            format!("outcome-{}", dom_id(code)),
        ),
        // The marking service names only the framework's own fields.
        other => {
            let name = other.name().unwrap_or("main-content");
            (name.to_owned(), name.to_owned())
        }
    }
}

/// Problems shown on the page of the form that was posted.
fn form_errors(problems: Vec<Problem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        let (field, element) = form_field(&p.field);
        errors.add(field, &element, p.message);
    }
    errors
}

// ---------------------------------------------------------------- case page

pub struct TaskRow {
    href: String,
    title: String,
    status: &'static str,
    tag_class: &'static str,
    dom: String,
}

pub struct Fact {
    key: &'static str,
    value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
pub struct CasePage {
    nav: super::Nav,
    case: Case,
    inspection: Inspection,
    facts: Vec<Fact>,
    tasks: Vec<TaskRow>,
    saved: Option<String>,
    /// Key questions judged No with no rationale: the form asks for one.
    no_without_rationale: Vec<String>,
    errors: FormErrors,
    read_only: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CaseQuery {
    saved: Option<String>,
}

fn facts_of(case: &Case) -> Vec<Fact> {
    let f = &case.facts;
    let or_not = |v: Option<String>| v.unwrap_or_else(|| "Not recorded".to_owned());
    vec![
        Fact {
            key: "Sentence type",
            value: f.sentence_type.label().to_owned(),
        },
        Fact {
            key: "Sentence or release date",
            value: or_not(f.start_date.map(long_date)),
        },
        Fact {
            key: "Office",
            value: or_not(f.office.clone()),
        },
        Fact {
            key: "Practitioner grade",
            value: or_not(f.practitioner_grade.map(|g| g.label().to_owned())),
        },
        Fact {
            key: "Practitioners on the case",
            value: or_not(f.practitioner_count.map(|c| c.to_string())),
        },
        Fact {
            key: "Sex",
            value: or_not(f.sex.map(|s| s.label().to_owned())),
        },
        Fact {
            key: "Age at start",
            value: or_not(f.age_at_start.map(|a| {
                if f.young_adult() == Some(true) {
                    format!("{a} (young adult)")
                } else {
                    a.to_string()
                }
            })),
        },
        Fact {
            key: "Ethnicity group",
            value: or_not(f.ethnicity_group.map(|e| e.label().to_owned())),
        },
        Fact {
            key: "Risk of serious harm",
            value: or_not(f.rosh_level.map(|r| r.label().to_owned())),
        },
        Fact {
            key: "MAPPA eligible",
            value: or_not(
                f.mappa_eligible
                    .map(|m| if m { "Yes" } else { "No" }.to_owned()),
            ),
        },
    ]
}

fn standard_progress(standard: &Standard, answers: &CaseAnswers) -> (&'static str, &'static str) {
    let answered = standard
        .key_questions
        .iter()
        .filter(|kq| answers.key_questions.contains_key(&kq.id))
        .count();
    match answered {
        0 => ("Not started", "govuk-tag--grey"),
        n if n == standard.key_questions.len() => ("Completed", ""),
        _ => ("In progress", "govuk-tag--light-blue"),
    }
}

fn case_page(loaded: Loaded, saved: Option<String>, errors: FormErrors) -> CasePage {
    let Loaded {
        case,
        inspection,
        framework,
        answers,
        nav,
        read_only,
    } = loaded;
    let mut tasks: Vec<TaskRow> = framework
        .domain_two()
        .map(|s| {
            let (status, tag_class) = standard_progress(s, &answers);
            TaskRow {
                href: format!("/cases/{}/standards/{}", case.id, s.code),
                title: format!("{} {}", s.code, s.name),
                status,
                tag_class,
                dom: dom_id(&s.code),
            }
        })
        .collect();
    let outcomes_answered = framework
        .outcomes
        .iter()
        .filter(|o| answers.outcomes.contains_key(&o.id))
        .count();
    let (status, tag_class) = match outcomes_answered {
        0 => ("Not started", "govuk-tag--grey"),
        n if n == framework.outcomes.len() => ("Completed", ""),
        _ => ("In progress", "govuk-tag--light-blue"),
    };
    tasks.push(TaskRow {
        href: format!("/cases/{}/outcomes", case.id),
        title: "Outcomes".to_owned(),
        status,
        tag_class,
        dom: "outcomes".to_owned(),
    });
    let no_without_rationale = framework
        .key_questions()
        .filter(|kq| {
            answers
                .key_questions
                .get(&kq.id)
                .is_some_and(|j| j.answer == Answer::No && j.rationale.is_none())
        })
        .map(|kq| kq.code.clone())
        .collect();
    let saved = saved.and_then(|code| {
        if code == "outcomes" {
            Some("Outcomes saved".to_owned())
        } else if code == "facts" {
            Some("Case facts saved".to_owned())
        } else if code == "complete" {
            Some("Case marked complete".to_owned())
        } else {
            framework
                .standard(&code)
                .map(|s| format!("{} {} saved", s.code, s.name))
        }
    });
    CasePage {
        nav,
        read_only,
        facts: facts_of(&case),
        case,
        inspection,
        tasks,
        saved,
        no_without_rationale,
        errors,
    }
}

pub async fn case(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<CaseQuery>,
) -> Result<CasePage, WebError> {
    let loaded = load(&state, &user, id).await?;
    Ok(case_page(loaded, query.saved, FormErrors::default()))
}

pub async fn complete(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let submission = Submission {
        complete: Some(true),
        ..Submission::default()
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
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?saved=complete")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let loaded = load(&state, &user, id).await?;
            let mut errors = FormErrors::default();
            for p in problems {
                let (field, element) = form_field(&p.field);
                // The missing answer is on its standard's page.
                let standard = match &p.field {
                    Field::KeyQuestion(code) => code.rsplit_once('.').map(|(s, _)| s.to_owned()),
                    _ => None,
                };
                let href = match standard {
                    Some(s) => format!("/cases/{id}/standards/{s}#{element}"),
                    None => format!("#{element}"),
                };
                errors.0.push(FormError {
                    field,
                    href,
                    message: p.message,
                });
            }
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                case_page(loaded, None, errors),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------ standard form

pub struct PromptView {
    code: String,
    dom: String,
    text: String,
    answer: String,
}

pub struct KeyQuestionView {
    code: String,
    dom: String,
    area: &'static str,
    text: String,
    answer: String,
    rationale: String,
    prompts: Vec<PromptView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "standard.html")]
pub struct StandardPage {
    nav: super::Nav,
    case: Case,
    inspection: Inspection,
    code: String,
    name: String,
    statement: String,
    key_questions: Vec<KeyQuestionView>,
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
    } = loaded;
    let standard = framework
        .domain_two()
        .find(|s| s.code == code)
        .ok_or(WebError::NotFound)?;
    let empty = BTreeMap::new();
    let given = submitted.map_or(&empty, |s| &s.prompts);
    let key_questions = standard
        .key_questions
        .iter()
        .map(|kq| {
            let saved = answers.key_questions.get(&kq.id);
            let typed = submitted.and_then(|s| s.key_questions.get(&kq.code));
            KeyQuestionView {
                code: kq.code.clone(),
                dom: dom_id(&kq.code),
                area: kq.area.label(),
                text: kq.text.clone(),
                answer: typed
                    .and_then(|t| t.answer.clone())
                    .or_else(|| saved.map(|j| j.answer.code().to_owned()))
                    .unwrap_or_default(),
                rationale: typed
                    .and_then(|t| t.rationale.clone())
                    .or_else(|| saved.and_then(|j| j.rationale.clone()))
                    .unwrap_or_default(),
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
    // checked before anything is saved.
    let framework = {
        let mut conn = state.pool.acquire().await?;
        let case = db::cases::get(&mut conn, id)
            .await?
            .ok_or(WebError::NotFound)?;
        state
            .frameworks
            .get(&mut conn, case.framework_version_id)
            .await?
    };
    if framework.domain_two().all(|s| s.code != code) {
        return Err(WebError::NotFound);
    }
    let submission = submission_from(fields);
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

// ------------------------------------------------------------ outcomes form

pub struct OutcomeView {
    code: String,
    text: String,
    answer: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "outcomes.html")]
pub struct OutcomesPage {
    nav: super::Nav,
    case: Case,
    inspection: Inspection,
    outcomes: Vec<OutcomeView>,
    errors: FormErrors,
    read_only: Option<String>,
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
        Err(e) => Err(e.into()),
    }
}
