//! `/inspections/{id}`: an inspection's page (its cases, team and stage),
//! and the lead's changes posted from it: assignments, members, status.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::access;
use crate::auth::CurrentUser;
use crate::db::cases::{Case, CaseFilter};
use crate::db::inspections::Inspection;
use crate::db::members::Member;
use crate::extract::Id;
use crate::refusal::{Field, Refusal};
use crate::vocab::{Answer, InspectionStatus, MarkingStatus, MemberRole};
use crate::web::filters::long_date;
use crate::web::form::{Form, FormErrors, Query};
use crate::web::inspections::load_inspection;
use crate::web::{Nav, WebError};
use crate::{AppState, db, team};

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub kq: String,
    pub prompt: String,
    pub answer: String,
    pub added: Option<usize>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection.html")]
pub struct InspectionPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    fieldwork: String,
    sample_weeks: Option<String>,
    cases: Vec<Case>,
    status_filter: String,
    /// "Cases judged No on key question 2.1.3: …", when filtered by an answer.
    answer_filter: Option<String>,
    /// When filtered by a key question, its code: the list then shows each
    /// case's rationale for it, so "which cases were No on 2.1.3, and why?"
    /// is answered on one page.
    rationale_of: Option<String>,
    /// Those rationales, by case id.
    rationales: HashMap<i64, String>,
    added: Option<usize>,
    /// Lead controls: assignment, members, lifecycle.
    is_lead: bool,
    can_change: bool,
    can_add_cases: bool,
    can_import_judgements: bool,
    members: Vec<Member>,
    /// Statuses the lead may move the inspection to.
    next_statuses: Vec<InspectionStatus>,
    errors: FormErrors,
    notice: Option<String>,
    /// For a region inspection, the PDU inspections it pools; for a PDU
    /// inspection, the region inspections that pool it.
    linked: Vec<Inspection>,
}

impl InspectionPage {
    fn rationale(&self, case_id: &i64) -> Option<&str> {
        self.rationales.get(case_id).map(String::as_str)
    }

    fn markers(&self) -> Vec<&Member> {
        self.members
            .iter()
            .filter(|m| {
                matches!(
                    m.role,
                    MemberRole::Lead | MemberRole::Inspector | MemberRole::LocalAssessor
                )
            })
            .collect()
    }
}

pub async fn inspection(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<ListQuery>,
) -> Result<InspectionPage, WebError> {
    let mut page = inspection_page(&state, &user, id, query, FormErrors::default()).await?;
    page.notice = crate::web::flash::take(&state, &user).await?;
    Ok(page)
}

pub async fn inspection_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    query: ListQuery,
    errors: FormErrors,
) -> Result<InspectionPage, WebError> {
    let (inspection, framework, access) = load_inspection(state, user, id).await?;
    let mut filter = CaseFilter {
        status: query.status.parse::<MarkingStatus>().ok(),
        ..CaseFilter::default()
    };
    let mut answer_filter = None;
    let mut rationale_of = None;
    if let Ok(answer) = query.answer.parse::<Answer>() {
        if let Some(kq) = framework.key_question(&query.kq) {
            filter.key_question = Some((kq.id, answer));
            rationale_of = Some(kq.code.clone());
            answer_filter = Some(format!(
                "Cases judged {} on key question {}: {}",
                answer.label(),
                kq.code,
                kq.text
            ));
        } else if let Some(prompt) = framework.prompt(&query.prompt) {
            filter.prompt = Some((prompt.id, answer));
            answer_filter = Some(format!(
                "Cases answered {} on prompt {}: {}",
                answer.label(),
                prompt.code,
                prompt.text
            ));
        }
    }
    let mut conn = state.pool.acquire().await?;
    let mut cases = db::cases::list(&mut conn, id, &filter).await?;
    if filter.key_question.is_some() || filter.prompt.is_some() {
        // A list by answer shows first markings: a blind second marker's
        // own open cases are left out of it.
        let hidden = crate::qa::hidden_cases(&mut conn, &user.actor()).await?;
        cases.retain(|c| !hidden.contains(&c.id));
    }
    let rationales = match filter.key_question {
        Some((kq_id, _)) => db::answers::rationales(&mut conn, id, kq_id).await?,
        None => HashMap::new(),
    };
    let members = db::members::members(&mut conn, id).await?;
    let next_statuses = InspectionStatus::ALL
        .iter()
        .copied()
        .filter(|to| access::check_transition(inspection.status, *to, Some("reason")).is_ok())
        .collect();
    let sample_weeks = match (inspection.sample_week_1, inspection.sample_week_2) {
        (Some(a), Some(b)) => Some(format!(
            "Weeks commencing {} and {}",
            long_date(a),
            long_date(b)
        )),
        (Some(a), None) => Some(format!("Week commencing {}", long_date(a))),
        _ => None,
    };
    let can_change = access.check_lead_change(inspection.status).is_ok();
    let can_add_cases = access.check_adding_cases(inspection.status).is_ok();
    let can_import_judgements =
        access.is_lead() && access.check_marking(inspection.status, None).is_ok();
    let linked = {
        let mut conn = state.pool.acquire().await?;
        if inspection.of_region {
            db::inspections::pool_of(&mut conn, inspection.id).await?
        } else {
            db::inspections::pooled_into(&mut conn, inspection.id).await?
        }
    };
    Ok(InspectionPage {
        linked,
        fieldwork: long_date(inspection.fieldwork_start),
        sample_weeks,
        inspection,
        cases,
        status_filter: filter
            .status
            .map(|s| s.code().to_owned())
            .unwrap_or_default(),
        answer_filter,
        rationale_of,
        rationales,
        added: query.added,
        is_lead: access.is_lead(),
        can_change,
        can_add_cases,
        can_import_judgements,
        members,
        next_statuses,
        errors,
        notice: None,
        nav: Nav::from(user),
    })
}

/// Back to the inspection page with a success message.
async fn done(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: &str,
) -> Result<Response, WebError> {
    crate::web::flash::redirect(state, user, &format!("/inspections/{id}"), notice).await
}

/// A refused change: the inspection page with the message beside its field,
/// or an error page.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    refusal: Refusal,
) -> Result<Response, WebError> {
    match refusal {
        Refusal::Invalid(problems) => {
            let errors = FormErrors::of(problems);
            let page = inspection_page(state, user, id, ListQuery::default(), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        other => Err(other.into()),
    }
}

pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let case_ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "case")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let assignee = fields
        .iter()
        .find(|(k, _)| k == "assignee")
        .and_then(|(_, v)| v.parse::<i64>().ok());
    match team::assign(&state.pool, &user.actor(), id, &case_ids, assignee).await {
        Ok(n) => done(&state, &user, id, &format!("{n} cases assigned")).await,
        Err(e) => refused(&state, &user, id, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MemberForm {
    email: String,
    role: String,
}

pub async fn set_member(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<MemberForm>,
) -> Result<Response, WebError> {
    let Ok(role) = form.role.parse::<MemberRole>() else {
        return refused(
            &state,
            &user,
            id,
            Refusal::invalid(Field::Named("role"), "Select a role"),
        )
        .await;
    };
    match team::set_member(&state.pool, &user.actor(), id, &form.email, role).await {
        Ok(()) => {
            let notice = format!(
                "{} is a {} of this inspection",
                crate::email::EmailKey::of(&form.email),
                role.label().to_lowercase()
            );
            done(&state, &user, id, &notice).await
        }
        Err(e) => refused(&state, &user, id, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StatusForm {
    status: String,
    reason: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<StatusForm>,
) -> Result<Response, WebError> {
    let Ok(to) = form.status.parse::<InspectionStatus>() else {
        return refused(
            &state,
            &user,
            id,
            Refusal::invalid(Field::Named("status"), "Select the new status"),
        )
        .await;
    };
    match team::change_status(&state.pool, &user.actor(), id, to, Some(&form.reason)).await {
        Ok(()) => {
            let notice = format!("The inspection is now in {}", to.label().to_lowercase());
            done(&state, &user, id, &notice).await
        }
        // A transition the lifecycle does not allow is shown beside the
        // status choice.
        Err(Refusal::Locked(m)) => {
            refused(
                &state,
                &user,
                id,
                Refusal::invalid(Field::Named("status"), m),
            )
            .await
        }
        Err(e) => refused(&state, &user, id, e).await,
    }
}
