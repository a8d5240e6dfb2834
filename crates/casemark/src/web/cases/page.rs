//! `/cases/{id}`: a case's task list (standards, outcomes, facts), and
//! `POST /cases/{id}/complete`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Loaded, form_field, load};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::answers::CaseAnswers;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::framework::{Framework, Standard};
use crate::marking::{self, Submission};
use crate::refusal::{Field, Refusal};
use crate::vocab::{Answer, SentenceType};
use crate::web::WebError;
use crate::web::filters::dom_id;
use crate::web::filters::long_date;
use crate::web::form::{FormError, FormErrors, Query};

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
    nav: crate::web::Nav,
    case: Case,
    inspection: Inspection,
    facts: Vec<Fact>,
    tasks: Vec<TaskRow>,
    saved: Option<String>,
    /// Key questions judged No with no rationale: the form asks for one.
    no_without_rationale: Vec<String>,
    errors: FormErrors,
    read_only: Option<String>,
    /// The case's question set, where its framework has sets.
    question_set: Option<SetSummary>,
    may_choose_set: bool,
    may_replace: bool,
}

/// The case's question set as its page shows it.
pub struct SetSummary {
    name: String,
    reason: String,
    overridden: bool,
    asked: usize,
    of: usize,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CaseQuery {
    saved: Option<String>,
}

fn facts_of(case: &Case, framework: &Framework) -> Vec<Fact> {
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
    .into_iter()
    // A licence's length, for licence cases only.
    .chain((f.sentence_type == SentenceType::Licence).then(|| Fact {
        key: "Licence length",
        value: or_not(f.licence_weeks.map(|w| match w {
            1 => "1 week".to_owned(),
            w => format!("{w} weeks"),
        })),
    }))
    // The kind of case, where the framework marks more than one.
    .chain(framework.case_types.first().map(|main| {
        Fact {
            key: "Kind of case",
            value: framework
                .case_type_name(case.facts.case_type.as_deref().unwrap_or(&main.code))
                .to_owned(),
        }
    }))
    .collect()
}

/// A standard's progress over the key questions the case's set asks.
fn standard_progress(
    framework: &Framework,
    standard: &Standard,
    set: Option<i32>,
    answers: &CaseAnswers,
) -> (&'static str, &'static str) {
    let asked: Vec<_> = framework.asked(standard, set).collect();
    let answered = asked
        .iter()
        .filter(|kq| answers.key_questions.contains_key(&kq.id))
        .count();
    match answered {
        _ if asked.is_empty() => ("Not in this case's question set", "govuk-tag--grey"),
        0 => ("Not started", "govuk-tag--grey"),
        n if n == asked.len() => ("Completed", ""),
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
        may_choose_set,
        may_replace,
    } = loaded;
    let mut tasks: Vec<TaskRow> = framework
        .domain_two()
        .map(|s| {
            let (status, tag_class) =
                standard_progress(&framework, s, case.question_set_id, &answers);
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
        } else if code == "facts-set" || code == "question-set" {
            let set = framework.question_set(case.question_set_id);
            let name = set.map_or("", |s| s.name.as_str());
            Some(if code == "facts-set" {
                format!("Case facts saved: the case is now marked on the {name} question set")
            } else {
                format!("Question set changed: the case is now marked on the {name} set")
            })
        } else if code == "complete" {
            Some("Case marked complete".to_owned())
        } else if code == "replacement" {
            Some(format!(
                "Case {} replaced: this reserve takes its place",
                case.replacement_of_reference.as_deref().unwrap_or_default()
            ))
        } else {
            framework
                .standard(&code)
                .map(|s| format!("{} {} saved", s.code, s.name))
        }
    });
    let question_set = crate::question_sets::of_case(&framework, &case).map(|s| SetSummary {
        name: s.set.name.clone(),
        reason: s.reason,
        overridden: s.overridden,
        asked: framework
            .key_questions()
            .filter(|kq| s.set.asks(kq.id))
            .count(),
        of: framework.key_questions().count(),
    });
    CasePage {
        nav,
        read_only,
        question_set,
        may_choose_set,
        may_replace,
        facts: facts_of(&case, &framework),
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
) -> Result<Response, WebError> {
    match load(&state, &user, id).await {
        Ok(loaded) => Ok(case_page(loaded, query.saved, FormErrors::default()).into_response()),
        // Its second marker meets the case where they can mark it blind.
        Err(WebError::Blind) => {
            Ok(Redirect::to(&format!("/cases/{id}/second-marking")).into_response())
        }
        Err(e) => Err(e),
    }
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
