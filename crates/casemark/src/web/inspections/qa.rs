//! `/inspections/{id}/qa`: the inspection's quality assurance — the QA
//! sample and who second-marks each case, agreement (share and Cohen's κ)
//! by standard, key question and first marker, and the disagreements with
//! their final answers; and what is posted from it: cases added to the
//! sample, and a case's adjudication (`/cases/{id}/adjudication`).

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use rand_core::RngCore;

use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::db::members::Member;
use crate::db::qa::Candidate;
use crate::extract::Id;
use crate::qa::{self, AgreementFigures, Choice, Decision, Disagreement, Report};
use crate::refusal::{Field, Refusal};
use crate::vocab::{Answer, MarkingStatus, MemberRole};
use crate::web::filters::{self, dom_id};
use crate::web::form::{Form, FormErrors, Query};
use crate::web::inspections::load_inspection;
use crate::web::{Nav, WebError};
use crate::{AppState, access, db};

/// What the "add to the sample" form held, to show it again with errors.
#[derive(Debug, Clone, Default)]
pub struct SampleForm {
    how: String,
    marker: String,
    random: String,
    seed: String,
    cases: Vec<i64>,
}

/// One case's disagreements, with the adjudication form's values.
pub struct CaseDisagreements {
    case_id: i64,
    reference: String,
    items: Vec<DisagreementView>,
}

pub struct DisagreementView {
    d: Disagreement,
    dom: String,
    /// The final answer and reason as saved or typed.
    answer: String,
    reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "qa.html")]
pub struct QaPage {
    nav: Nav,
    inspection: Inspection,
    report: Report,
    /// The lead or quality lead, at a stage where QA may change.
    may_run: bool,
    /// Why the page is read-only for this person, if it is.
    limits: Option<String>,
    second_markers: Vec<Member>,
    candidates: Vec<Candidate>,
    disagreements: Vec<CaseDisagreements>,
    form: SampleForm,
    errors: FormErrors,
    notice: Option<String>,
}

impl QaPage {
    fn percent(&self, figures: &AgreementFigures) -> String {
        figures
            .percent
            .map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
    }

    fn kappa(&self, figures: &AgreementFigures) -> String {
        figures
            .kappa
            .map_or_else(|| "–".to_owned(), |k| format!("{k:.2}"))
    }

    fn answers(&self) -> &'static [Answer] {
        Answer::ALL
    }

    fn submitted(&self) -> usize {
        self.report
            .sample
            .iter()
            .filter(|s| s.submitted_at.is_some())
            .count()
    }

    /// Complete cases marked by local assessors and not yet in the sample:
    /// every one of them is meant for QA.
    fn awaiting_local(&self) -> usize {
        self.candidates
            .iter()
            .filter(|c| c.marked_as == Some(MemberRole::LocalAssessor))
            .count()
    }

    fn chosen_case(&self, id: &i64) -> bool {
        self.form.cases.contains(id)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn qa_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: SampleForm,
    typed: BTreeMap<(i64, String), (String, String)>,
    errors: FormErrors,
) -> Result<QaPage, WebError> {
    let (inspection, framework, standing) = load_inspection(state, user, id).await?;
    let mut conn = state.pool.acquire().await?;
    // Figures and disagreements come from submitted second markings only,
    // so they never show a blind second marker an open case's first marking.
    let report = qa::report(&mut conn, &framework, id).await?;
    let members = db::members::members(&mut conn, id).await?;
    let candidates = db::qa::candidates(&mut conn, id)
        .await?
        .into_iter()
        .filter(|c| c.marking_status == MarkingStatus::Complete)
        .collect();
    drop(conn);
    let allowed = standing.check_quality_assurance(inspection.status);
    let mut by_case: BTreeMap<(String, i64), Vec<DisagreementView>> = BTreeMap::new();
    for d in &report.disagreements {
        let key = (d.pair.case_id, d.code.clone());
        let (answer, reason) = typed.get(&key).cloned().unwrap_or_else(|| {
            (
                d.pair
                    .final_answer
                    .map(|a| a.code().to_owned())
                    .unwrap_or_default(),
                d.pair.reason.clone().unwrap_or_default(),
            )
        });
        by_case
            .entry((d.pair.reference.clone(), d.pair.case_id))
            .or_default()
            .push(DisagreementView {
                dom: format!("{}-{}", d.pair.case_id, dom_id(&d.code)),
                d: d.clone(),
                answer,
                reason,
            });
    }
    Ok(QaPage {
        nav: Nav::from(user),
        may_run: allowed.is_ok(),
        limits: allowed.err().map(|denied| match denied {
            access::Denied::Locked(message) => message,
            access::Denied::Forbidden => {
                "You can read the quality assurance figures; the lead inspector and the quality lead run it."
                    .to_owned()
            }
        }),
        second_markers: members
            .into_iter()
            .filter(|m| {
                matches!(
                    m.role,
                    MemberRole::Lead | MemberRole::Inspector | MemberRole::QualityLead
                )
            })
            .collect(),
        candidates,
        disagreements: by_case
            .into_iter()
            .map(|((reference, case_id), items)| CaseDisagreements {
                case_id,
                reference,
                items,
            })
            .collect(),
        inspection,
        report,
        form,
        errors,
        notice: None,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(done): Query<Done>,
) -> Result<QaPage, WebError> {
    let mut page = qa_page(
        &state,
        &user,
        id,
        SampleForm::default(),
        BTreeMap::new(),
        FormErrors::default(),
    )
    .await?;
    page.notice = match done.done.as_deref() {
        Some("sampled") => Some("Cases added to the QA sample".to_owned()),
        Some("adjudicated") => Some("Final answers saved".to_owned()),
        _ => None,
    };
    Ok(page)
}

/// Where a refusal of the sample form is shown on the page.
fn sample_field(field: &Field) -> &'static str {
    match field {
        Field::Named("marker") => "marker",
        Field::Named("random") | Field::Named("seed") => "random",
        Field::Named("cases") => "cases",
        _ => "how",
    }
}

pub async fn add_to_sample(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut form = SampleForm::default();
    for (name, value) in fields {
        match name.as_str() {
            "how" => form.how = value,
            "marker" => form.marker = value,
            "random" => form.random = value.trim().to_owned(),
            "seed" => form.seed = value.trim().to_owned(),
            "case" => form.cases.extend(value.trim().parse::<i64>().ok()),
            _ => {}
        }
    }
    let mut errors = FormErrors::default();
    let choice = match form.how.as_str() {
        "random" => {
            let n = form.random.parse::<usize>().ok().filter(|n| *n > 0);
            // No seed given: casemark picks one, and records it.
            let seed = if form.seed.is_empty() {
                Some(u64::from(rand_core::OsRng.next_u32() % 1_000_000))
            } else {
                form.seed.parse::<u64>().ok()
            };
            if n.is_none() {
                errors.add(
                    "random",
                    "random",
                    "Enter how many cases to draw, as a whole number above 0",
                );
            }
            if seed.is_none() {
                errors.add(
                    "seed",
                    "seed",
                    "Enter the seed as a whole number, or leave it blank",
                );
            }
            n.zip(seed).map(|(n, seed)| Choice::Random { n, seed })
        }
        "local_assessors" => Some(Choice::LocalAssessors),
        "cases" => Some(Choice::Cases(form.cases.clone())),
        _ => {
            errors.add("how", "how", "Choose how to pick the cases");
            None
        }
    };
    let Some(choice) = choice.filter(|_| errors.is_empty()) else {
        let page = qa_page(&state, &user, id, form, BTreeMap::new(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    match qa::add_to_sample(&state.pool, &user.actor(), id, &choice, &form.marker).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}/qa?done=sampled")).into_response()),
        Err(Refusal::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let field = sample_field(&p.field);
                errors.add(field, field, p.message);
            }
            let page = qa_page(&state, &user, id, form, BTreeMap::new(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /cases/{id}/adjudication`, from the QA page: `final-{code}` and
/// `reason-{code}` for each of the case's disagreements.
pub async fn adjudicate(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(case_id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut decisions: BTreeMap<String, Decision> = BTreeMap::new();
    for (name, value) in fields {
        if let Some(code) = name.strip_prefix("final-") {
            decisions
                .entry(code.to_owned())
                .or_insert_with(|| Decision {
                    answer: String::new(),
                    reason: String::new(),
                })
                .answer = value;
        } else if let Some(code) = name.strip_prefix("reason-") {
            decisions
                .entry(code.to_owned())
                .or_insert_with(|| Decision {
                    answer: String::new(),
                    reason: String::new(),
                })
                .reason = value;
        }
    }
    let inspection_id = {
        let mut conn = state.pool.acquire().await?;
        db::cases::inspection_of(&mut conn, case_id)
            .await?
            .ok_or(WebError::NotFound)?
    };
    match qa::adjudicate(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        case_id,
        &decisions,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/inspections/{inspection_id}/qa?done=adjudicated#case-{case_id}"
        ))
        .into_response()),
        Err(Refusal::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let (name, id) = match &p.field {
                    Field::KeyQuestion(code) => (
                        format!("final-{case_id}-{code}"),
                        format!("final-{case_id}-{}", dom_id(code)),
                    ),
                    Field::Rationale(code) => (
                        format!("reason-{case_id}-{code}"),
                        format!("reason-{case_id}-{}", dom_id(code)),
                    ),
                    _ => (format!("case-{case_id}"), format!("case-{case_id}")),
                };
                errors.add(name, &id, p.message);
            }
            let typed = decisions
                .into_iter()
                .map(|(code, d)| ((case_id, code), (d.answer, d.reason)))
                .collect();
            let page = qa_page(
                &state,
                &user,
                inspection_id,
                SampleForm::default(),
                typed,
                errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
