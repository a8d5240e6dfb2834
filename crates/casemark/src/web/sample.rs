//! The inspection page (its case sample, filterable down to the cases behind
//! any dashboard count) and adding cases one at a time or from CSV.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use super::WebError;
use super::form::FormErrors;
use super::inspections::long_date;
use crate::access::{self, Access, Refusal};
use crate::auth::CurrentUser;
use crate::db::accounts::Member;
use crate::db::cases::{Case, CaseFilter};
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::framework::Framework;
use crate::intake::{self, IntakeError, RawCase, RowProblem};
use crate::vocab::{
    Answer, EthnicityGroup, InspectionStatus, MarkingStatus, MemberRole, PractitionerGrade,
    RoshLevel, SentenceType, Sex,
};
use crate::{AppState, db};

/// The largest CSV accepted, in bytes: a sample of hundreds of cases is a few
/// tens of kilobytes.
pub const MAX_CSV_BYTES: usize = 1024 * 1024;

/// Loads an inspection the user may read, with its framework and the
/// user's standing in it: 404 if there is none, 403 if it is not theirs.
pub async fn load_inspection(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Inspection, Arc<Framework>, Access), WebError> {
    let mut conn = state.pool.acquire().await?;
    let inspection = db::inspections::get(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let access = access::load(&mut conn, &user.actor(), id).await?;
    drop(conn);
    if !access.can_read() {
        return Err(WebError::Forbidden);
    }
    let framework = state
        .frameworks
        .get(&state.pool, inspection.framework_version_id)
        .await?;
    Ok((inspection, framework, access))
}

/// A refusal from the access rules as a page.
pub fn refused(r: Refusal) -> WebError {
    match r {
        Refusal::Forbidden => WebError::Forbidden,
        Refusal::Locked(m) => WebError::Locked(m),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    pub kq: String,
    pub prompt: String,
    pub answer: String,
    pub added: Option<usize>,
    pub notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "inspection.html")]
pub struct InspectionPage {
    nav: super::Nav,
    inspection: Inspection,
    fieldwork: String,
    sample_weeks: Option<String>,
    cases: Vec<Case>,
    status_filter: String,
    /// "Cases judged No on key question 2.1.3: …", when filtered by an answer.
    answer_filter: Option<String>,
    added: Option<usize>,
    /// Lead controls: assignment, members, lifecycle.
    is_lead: bool,
    can_change: bool,
    can_add_cases: bool,
    members: Vec<Member>,
    /// Statuses the lead may move the inspection to.
    next_statuses: Vec<InspectionStatus>,
    errors: FormErrors,
    notice: Option<String>,
}

impl InspectionPage {
    fn markers(&self) -> Vec<&Member> {
        self.members
            .iter()
            .filter(|m| matches!(m.role, MemberRole::Lead | MemberRole::Inspector))
            .collect()
    }
}

pub async fn inspection(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<ListQuery>,
) -> Result<InspectionPage, WebError> {
    inspection_page(&state, &user, id, query, FormErrors::default()).await
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
    if let Ok(answer) = query.answer.parse::<Answer>() {
        if let Some(kq) = framework.key_question(&query.kq) {
            filter.key_question = Some((kq.id, answer));
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
    let cases = db::cases::list(&mut conn, id, &filter).await?;
    let members = db::accounts::members(&mut conn, id).await?;
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
    Ok(InspectionPage {
        fieldwork: long_date(inspection.fieldwork_start),
        sample_weeks,
        inspection,
        cases,
        status_filter: filter
            .status
            .map(|s| s.code().to_owned())
            .unwrap_or_default(),
        answer_filter,
        added: query.added,
        is_lead: access.is_lead(),
        can_change,
        can_add_cases,
        members,
        next_statuses,
        errors,
        notice: query.notice,
        nav: Nav::from(user),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "new_case.html")]
pub struct NewCasePage {
    nav: super::Nav,
    heading: &'static str,
    action: String,
    button: &'static str,
    back: String,
    inspection: Inspection,
    form: RawCase,
    errors: FormErrors,
}

/// The inspection a lead is adding cases to, if cases may be added now.
async fn inspection_taking_cases(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Inspection, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    access
        .check_adding_cases(inspection.status)
        .map_err(refused)?;
    Ok(inspection)
}

impl NewCasePage {
    /// The "Add a case" form (the page also serves to correct a case's facts).
    fn adding(
        user: &CurrentUser,
        inspection: Inspection,
        form: RawCase,
        errors: FormErrors,
    ) -> Self {
        let id = inspection.id;
        NewCasePage {
            nav: Nav::from(user),
            heading: "Add a case",
            action: format!("/inspections/{id}/cases"),
            button: "Add case",
            back: format!("/inspections/{id}"),
            inspection,
            form,
            errors,
        }
    }

    fn value<'a>(&'a self, field: &str) -> &'a str {
        let v = match field {
            "reference" => &self.form.reference,
            "sentence_type" => &self.form.sentence_type,
            "start_date" => &self.form.start_date,
            "office" => &self.form.office,
            "practitioner_grade" => &self.form.practitioner_grade,
            "practitioner_count" => &self.form.practitioner_count,
            "sex" => &self.form.sex,
            "age_at_start" => &self.form.age_at_start,
            "ethnicity_group" => &self.form.ethnicity_group,
            "rosh_level" => &self.form.rosh_level,
            "mappa_eligible" => &self.form.mappa_eligible,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }

    fn sentence_types(&self) -> &'static [SentenceType] {
        SentenceType::ALL
    }
    fn grades(&self) -> &'static [PractitionerGrade] {
        PractitionerGrade::ALL
    }
    fn sexes(&self) -> &'static [Sex] {
        Sex::ALL
    }
    fn ethnicities(&self) -> &'static [EthnicityGroup] {
        EthnicityGroup::ALL
    }
    fn rosh_levels(&self) -> &'static [RoshLevel] {
        RoshLevel::ALL
    }
}

pub async fn new_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<NewCasePage, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    Ok(NewCasePage::adding(
        &user,
        inspection,
        RawCase::default(),
        FormErrors::default(),
    ))
}

pub async fn add_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<RawCase>,
) -> Result<Response, WebError> {
    let (inspection, _, _) = load_inspection(&state, &user, id).await?;
    let added = intake::add_cases(
        &state.pool,
        &user.actor(),
        id,
        inspection.framework_version_id,
        std::slice::from_ref(&form),
    )
    .await;
    match added {
        Ok(added) => {
            let case_id = added.first().map(|c| c.id).unwrap_or_default();
            Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
        }
        Err(IntakeError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(p.field, p.field, p.message);
            }
            let page = NewCasePage::adding(&user, inspection, form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(intake_error(e)),
    }
}

async fn facts_page(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    form: Option<RawCase>,
    errors: FormErrors,
) -> Result<NewCasePage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, case_id)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let (inspection, _, access) = load_inspection(state, user, case.inspection_id).await?;
    access
        .check_marking(inspection.status, case.assigned_to)
        .map_err(refused)?;
    Ok(NewCasePage {
        nav: Nav::from(user),
        heading: "Correct the case facts",
        action: format!("/cases/{case_id}/facts"),
        button: "Save case facts",
        back: format!("/cases/{case_id}"),
        inspection,
        form: form.unwrap_or_else(|| RawCase::from_facts(&case.facts)),
        errors,
    })
}

pub async fn facts_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<NewCasePage, WebError> {
    facts_page(&state, &user, id, None, FormErrors::default()).await
}

pub async fn save_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<RawCase>,
) -> Result<Response, WebError> {
    match intake::update_facts(&state.pool, &user.actor(), id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{id}?saved=facts")).into_response()),
        Err(IntakeError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add(p.field, p.field, p.message);
            }
            let page = facts_page(&state, &user, id, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(intake_error(e)),
    }
}

fn intake_error(e: IntakeError) -> WebError {
    match e {
        IntakeError::Invalid(_) | IntakeError::NotFound => WebError::NotFound,
        IntakeError::Forbidden => WebError::Forbidden,
        IntakeError::Locked(m) => WebError::Locked(m),
        IntakeError::Database(e) => e.into(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import_cases.html")]
pub struct ImportPage {
    nav: super::Nav,
    inspection: Inspection,
    pasted: String,
    errors: FormErrors,
    problems: Vec<RowProblem>,
    max_kb: usize,
}

impl ImportPage {
    fn empty(user: &CurrentUser, inspection: Inspection) -> Self {
        ImportPage {
            nav: Nav::from(user),
            inspection,
            pasted: String::new(),
            errors: FormErrors::default(),
            problems: Vec::new(),
            max_kb: MAX_CSV_BYTES / 1024,
        }
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<ImportPage, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    Ok(ImportPage::empty(&user, inspection))
}

/// Reads the pasted text or the uploaded file (the file wins when both are
/// given), refusing anything too large or not UTF-8.
async fn read_upload(mut multipart: Multipart) -> Result<(String, String), String> {
    let mut pasted = String::new();
    let mut file = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(format!(
                    "The file must be smaller than {} KB",
                    MAX_CSV_BYTES / 1024
                ));
            }
            Err(_) => return Err("The upload could not be read: try again".into()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field
            .bytes()
            .await
            .map_err(|_| "The upload could not be read: try again".to_owned())?;
        if bytes.len() > MAX_CSV_BYTES {
            return Err(format!(
                "The file must be smaller than {} KB",
                MAX_CSV_BYTES / 1024
            ));
        }
        match name.as_str() {
            "csv" => pasted = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes.to_vec(),
            _ => {}
        }
    }
    if file.is_empty() {
        return Ok((pasted.clone(), pasted));
    }
    match String::from_utf8(file) {
        Ok(text) => Ok((text, pasted)),
        Err(_) => Err(
            "The file must be saved as CSV UTF-8 (it contains characters that are not UTF-8)"
                .into(),
        ),
    }
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    let mut page = ImportPage::empty(&user, inspection);
    let text = match read_upload(multipart).await {
        Ok((text, pasted)) => {
            page.pasted = pasted;
            text
        }
        Err(message) => {
            page.errors.add("file", "file", message);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    if text.trim().is_empty() {
        page.errors
            .add("csv", "csv", "Paste the cases or choose a CSV file");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let result = match intake::parse_csv(&text) {
        Ok(raws) => {
            intake::add_cases(
                &state.pool,
                &user.actor(),
                id,
                page.inspection.framework_version_id,
                &raws,
            )
            .await
        }
        Err(problems) => Err(IntakeError::Invalid(problems)),
    };
    match result {
        Ok(added) => {
            Ok(Redirect::to(&format!("/inspections/{id}?added={}", added.len())).into_response())
        }
        Err(IntakeError::Invalid(problems)) => {
            page.errors.add(
                "csv",
                "csv",
                format!(
                    "No cases were added: fix the {} problems listed below and try again",
                    problems.len()
                ),
            );
            page.problems = problems;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(intake_error(e)),
    }
}
