//! Domain one pages: an overview of the three standards, and a page per
//! standard where the team records evidence and judges the key questions
//! and the lead confirms the proposed rating.
//!
//! About 450 lines: the standard's page is posted to by five forms
//! (confirm, judgement, judge, evidence added and removed), which all
//! re-render it with their own typed values and errors through
//! `standard_page` and `form_field`; split apart, each would need both.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use casemark_rules::Rating;
use serde::Deserialize;

use crate::access::{Access, Denied};
use crate::auth::CurrentUser;
use crate::db::domain_one::SurveyItem;
use crate::db::inspections::Inspection;
use crate::db::members::Member;
use crate::domain_one::{DomainOneInput, EvidenceInput, EvidenceView, QuestionView, StandardView};
use crate::extract::{Id, parse_id};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{EvidenceKind, EvidenceSource, MemberRole};
use crate::web::WebError;
use crate::web::filters;
use crate::web::filters::dom_id;
use crate::web::form::{Form, FormErrors, Query};
use crate::web::inspections::load_inspection;
use crate::{AppState, db};

/// The scale best first, as inspectors read it.
const SCALE: [Rating; 4] = [
    Rating::Outstanding,
    Rating::Good,
    Rating::RequiresImprovement,
    Rating::Inadequate,
];

#[derive(Template, WebTemplate)]
#[template(path = "domain_one.html")]
pub struct OverviewPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    standards: Vec<StandardView>,
    survey_items: usize,
}

pub async fn overview(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<OverviewPage, WebError> {
    let (inspection, framework, _) = load_inspection(&state, &user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let (standards, survey) = crate::domain_one::load_view(&mut conn, &framework, id).await?;
    Ok(OverviewPage {
        nav: crate::web::Nav::from(&user),
        inspection,
        standards,
        survey_items: survey.len(),
    })
}

/// What the caller may do on a standard's page.
struct Rights {
    judge: bool,
    contribute: bool,
    confirm: bool,
    is_lead: bool,
    /// Why some of the page is read-only, when it is.
    limits: Option<String>,
}

fn rights(access: &Access, inspection: &Inspection, judge_id: Option<i64>) -> Rights {
    let status = inspection.status;
    let reason = |r: Denied| match r {
        Denied::Locked(m) => m,
        Denied::Forbidden => "You can read domain one; the inspection team records its evidence \
                               and the lead inspector its ratings."
            .to_owned(),
    };
    let contribute = access.check_domain_one_evidence(status);
    Rights {
        judge: access.check_domain_one_judging(status, judge_id).is_ok(),
        confirm: access.check_lead_change(status).is_ok(),
        is_lead: access.is_lead(),
        limits: contribute.as_ref().err().cloned().map(reason),
        contribute: contribute.is_ok(),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    areas: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct EvidenceForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    survey_item: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "domain_one_standard.html")]
pub struct StandardPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    s: StandardView,
    survey: Vec<SurveyItem>,
    inspectors: Vec<Member>,
    judge: bool,
    contribute: bool,
    confirm: bool,
    is_lead: bool,
    limits: Option<String>,
    /// The confirm form as shown: what was typed, or what is recorded.
    confirm_form: ConfirmForm,
    evidence_form: EvidenceForm,
    errors: FormErrors,
    notice: Option<&'static str>,
}

impl StandardPage {
    fn scale(&self) -> [Rating; 4] {
        SCALE
    }

    fn kinds(&self) -> &'static [EvidenceKind] {
        EvidenceKind::ALL
    }

    fn sources(&self) -> &'static [EvidenceSource] {
        EvidenceSource::ALL
    }

    /// The two lists of bullets under a key question, with their headings and ids.
    fn evidence_lists<'q>(
        &self,
        q: &'q QuestionView,
    ) -> [(&'static str, &'q [EvidenceView], &'static str); 2] {
        [
            ("Strengths", &q.strengths, "strengths"),
            ("Areas for improvement", &q.improvements, "improvements"),
        ]
    }

    fn is_judge(&self, user_id: &i64) -> bool {
        self.s.record.judge_id == Some(*user_id)
    }

    fn may_remove(&self, e: &EvidenceView) -> bool {
        self.contribute && (self.is_lead || e.evidence.added_by == Some(self.nav.user_id))
    }

    /// "Outstanding 0, Good 2, Requires improvement 1, Inadequate 0", best first.
    fn spread(&self) -> String {
        let Some(p) = self.s.proposal else {
            return String::new();
        };
        let mut parts: Vec<String> = p
            .spread_by_rating()
            .map(|(r, n)| format!("{} {n}", r.label()))
            .collect();
        parts.reverse();
        parts.join(", ")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "judged" => "Judgement saved",
        "evidence" => "Evidence added",
        "removed" => "Evidence removed",
        "judge" => "Judge saved",
        "confirmed" => "Rating saved",
        _ => return None,
    })
}

/// The page's inputs: the inspection and the standard's code from the path.
fn standard_path((id, code): &(String, String)) -> Result<(i64, String), WebError> {
    Ok((parse_id(id).ok_or(WebError::NotFound)?, code.clone()))
}

async fn standard_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    code: &str,
    typed: (Option<ConfirmForm>, Option<EvidenceForm>),
    errors: FormErrors,
    notice: Option<&'static str>,
) -> Result<StandardPage, WebError> {
    let (inspection, framework, access) = load_inspection(state, user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let (standards, survey) = crate::domain_one::load_view(&mut conn, &framework, id).await?;
    let s = standards
        .into_iter()
        .find(|s| s.code == code)
        .ok_or(WebError::NotFound)?;
    let inspectors = db::members::members(&mut conn, id)
        .await?
        .into_iter()
        .filter(|m| m.role == MemberRole::Inspector)
        .collect();
    let rights = rights(&access, &inspection, s.record.judge_id);
    let confirm_form = typed.0.unwrap_or_else(|| ConfirmForm {
        rating: s
            .record
            .rating
            .or(s.proposal.map(|p| p.rating))
            .map(|r| r.code().to_owned())
            .unwrap_or_default(),
        reason: s.record.reason.clone().unwrap_or_default(),
        strengths: s.record.strengths.clone().unwrap_or_default(),
        areas: s.record.areas_for_improvement.clone().unwrap_or_default(),
    });
    Ok(StandardPage {
        nav: crate::web::Nav::from(user),
        inspection,
        s,
        survey,
        inspectors,
        judge: rights.judge,
        contribute: rights.contribute,
        confirm: rights.confirm,
        is_lead: rights.is_lead,
        limits: rights.limits,
        confirm_form,
        evidence_form: typed.1.unwrap_or_default(),
        errors,
        notice,
    })
}

pub async fn standard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Result<StandardPage, WebError> {
    let (id, code) = standard_path(&raw)?;
    standard_page(
        &state,
        &user,
        id,
        &code,
        (None, None),
        FormErrors::default(),
        notice(done.done.as_deref()),
    )
    .await
}

fn back_to(id: i64, code: &str, done: &str) -> Response {
    Redirect::to(&format!("/inspections/{id}/domain-one/{code}?done={done}")).into_response()
}

/// The form field and element id a problem belongs to on the standard's page.
fn form_field(p: &Problem) -> (String, String) {
    let field = match &p.field {
        Field::DomainOne { code, part } => match *part {
            "judgement" => format!("judgement-{}", dom_id(code)),
            "question" | "kind" | "source" | "text" | "survey_item" => format!("evidence-{part}"),
            "areas_for_improvement" => "areas".to_owned(),
            other => other.to_owned(),
        },
        other => other.name().unwrap_or("main-content").to_owned(),
    };
    (field.clone(), field)
}

/// A refused change as the page shows it: the standard's page again with
/// the messages beside their fields, or the refusal itself.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    (id, code): (i64, &str),
    typed: (Option<ConfirmForm>, Option<EvidenceForm>),
    error: Refusal,
) -> Result<Response, WebError> {
    match error {
        Refusal::Invalid(problems) => {
            let mut errors = FormErrors::default();
            for p in &problems {
                let (field, id) = form_field(p);
                errors.add(field, &id, p.message.clone());
            }
            let page = standard_page(state, user, id, code, typed, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        other => Err(other.into()),
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let (id, code) = standard_path(&raw)?;
    let input = DomainOneInput {
        rating: Some(form.rating.clone()),
        reason: Some(form.reason.clone()),
        strengths: Some(form.strengths.clone()),
        areas_for_improvement: Some(form.areas.clone()),
    };
    let inputs = [(code.clone(), input)].into_iter().collect();
    match crate::domain_one::record(&state.pool, &state.frameworks, &user.actor(), id, &inputs)
        .await
    {
        Ok(()) => Ok(back_to(id, &code, "confirmed")),
        Err(e) => refused(&state, &user, (id, &code), (Some(form), None), e).await,
    }
}

pub async fn judge_question(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (id, code) = standard_path(&raw)?;
    // One key question per form: `question` names it, `judgement` holds the
    // rating code (absent when no radio was chosen).
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let Some(question) = field("question") else {
        return Err(WebError::NotFound);
    };
    let Some(rating) = field("judgement") else {
        let mut errors = FormErrors::default();
        let dom = format!("judgement-{}", dom_id(&question));
        errors.add(
            dom.clone(),
            &dom,
            format!("Choose a judgement for {question}"),
        );
        let page = standard_page(&state, &user, id, &code, (None, None), errors, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let judgements = [(question, rating)].into_iter().collect();
    match crate::domain_one::judge(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &judgements,
    )
    .await
    {
        Ok(()) => Ok(back_to(id, &code, "judged")),
        Err(e) => refused(&state, &user, (id, &code), (None, None), e).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct JudgeForm {
    #[serde(default)]
    judge: String,
}

pub async fn name_judge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(form): Form<JudgeForm>,
) -> Result<Response, WebError> {
    let (id, code) = standard_path(&raw)?;
    let judge = match form.judge.trim() {
        "" => None,
        other => Some(parse_id(other).unwrap_or(0)),
    };
    match crate::domain_one::name_judge(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &code,
        judge,
    )
    .await
    {
        Ok(()) => Ok(back_to(id, &code, "judge")),
        Err(e) => refused(&state, &user, (id, &code), (None, None), e).await,
    }
}

pub async fn add_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
    Form(form): Form<EvidenceForm>,
) -> Result<Response, WebError> {
    let (id, code) = standard_path(&raw)?;
    let survey_item = match form.survey_item.trim() {
        "" => None,
        // An id that names nothing is reported by add_evidence like a stale one.
        other => Some(parse_id(other).unwrap_or(0)),
    };
    let input = EvidenceInput {
        question: form.question.clone(),
        kind: form.kind.clone(),
        source: form.source.clone(),
        text: form.text.clone(),
        survey_item,
    };
    match crate::domain_one::add_evidence(&state.pool, &state.frameworks, &user.actor(), id, &input)
        .await
    {
        Ok(_) => Ok(back_to(id, &code, "evidence")),
        Err(e) => refused(&state, &user, (id, &code), (None, Some(form)), e).await,
    }
}

pub async fn remove_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, code, evidence)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (id, code) = standard_path(&(id, code))?;
    let evidence = parse_id(&evidence).ok_or(WebError::NotFound)?;
    match crate::domain_one::remove_evidence(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        evidence,
    )
    .await
    {
        Ok(()) => Ok(back_to(id, &code, "removed")),
        Err(e) => refused(&state, &user, (id, &code), (None, None), e).await,
    }
}
