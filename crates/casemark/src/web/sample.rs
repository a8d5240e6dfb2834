//! The inspection page (its case sample, filterable down to the cases behind
//! any dashboard count) and adding cases one at a time or from CSV.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::Nav;
use super::WebError;
use super::form::{Form, FormErrors, Query};
use super::inspections::long_date;
use super::upload::{self, ConfirmForm, UploadPage};
use crate::access::{self, Access, Denied};
use crate::auth::CurrentUser;
use crate::db::accounts::Member;
use crate::db::cases::{Case, CaseFilter};
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::framework::Framework;
use crate::intake::{self, CsvCases, NumberedCase, RawCase};
use crate::refusal::{Problem, Refusal};
use crate::vocab::{
    Answer, EthnicityGroup, InspectionStatus, MarkingStatus, MemberRole, PractitionerGrade,
    RoshLevel, SentenceType, Sex,
};
use crate::{AppState, db};

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
    if !access.can_read() {
        return Err(WebError::NotFound);
    }
    let framework = state
        .frameworks
        .get(&mut conn, inspection.framework_version_id)
        .await?;
    Ok((inspection, framework, access))
}

/// A refusal from the access rules as a page.
pub fn refused(denied: Denied) -> WebError {
    Refusal::from(denied).into()
}

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
    can_import_judgements: bool,
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
    let mut page = inspection_page(&state, &user, id, query, FormErrors::default()).await?;
    page.notice = super::flash::take(&state, &user).await?;
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
    let can_import_judgements =
        access.is_lead() && access.check_marking(inspection.status, None).is_ok();
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
        can_import_judgements,
        members,
        next_statuses,
        errors,
        notice: None,
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
        self.form.get(field).unwrap_or_default()
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
        &[NumberedCase {
            row: 1,
            raw: form.clone(),
        }],
    )
    .await;
    match added {
        Ok(added) => {
            let case_id = added.first().map(|c| c.id).unwrap_or_default();
            Ok(Redirect::to(&format!("/cases/{case_id}")).into_response())
        }
        Err(Refusal::Invalid(problems)) => {
            let errors = FormErrors::of(problems);
            let page = NewCasePage::adding(&user, inspection, form, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
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
        Err(Refusal::Invalid(problems)) => {
            let errors = FormErrors::of(problems);
            let page = facts_page(&state, &user, id, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<UploadPage, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    Ok(UploadPage::cases(&user, inspection, FormErrors::default()))
}

/// One row of the file as the preview shows it: the values as written and
/// what is wrong with them.
#[derive(Debug)]
pub struct PreviewRow {
    row: usize,
    cells: Vec<String>,
    problems: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_cases_preview.html")]
pub struct CasesPreviewPage {
    nav: super::Nav,
    inspection: Inspection,
    /// The file's text, sent again when the lead confirms.
    csv: String,
    /// The file's own column names.
    columns: Vec<String>,
    rows: Vec<PreviewRow>,
    errors: FormErrors,
}

impl CasesPreviewPage {
    fn new(
        user: &CurrentUser,
        inspection: Inspection,
        csv: String,
        parsed: &CsvCases,
        problems: &[Problem],
    ) -> Self {
        let mut errors = FormErrors::default();
        // Problems with the file as a whole are on its header row.
        let row_of = |p: &Problem| p.row.unwrap_or(1);
        let column_of = |p: &Problem| parsed.column_name(p.field.name().unwrap_or("file"));
        for p in problems {
            let row = row_of(p);
            errors.add(
                format!("row-{row}"),
                &format!("row-{row}"),
                format!("Row {row}, {}: {}", column_of(p), p.message),
            );
        }
        let mut rows: Vec<PreviewRow> = parsed
            .cases
            .iter()
            .map(|case| PreviewRow {
                row: case.row,
                cells: parsed
                    .columns
                    .iter()
                    .map(|(field, _)| case.raw.get(field).unwrap_or_default().to_owned())
                    .collect(),
                problems: Vec::new(),
            })
            .collect();
        for p in problems {
            let message = format!("{}: {}", column_of(p), p.message);
            match rows.iter_mut().find(|r| r.row == row_of(p)) {
                Some(row) => row.problems.push(message),
                None => rows.push(PreviewRow {
                    row: row_of(p),
                    cells: vec![String::new(); parsed.columns.len()],
                    problems: vec![message],
                }),
            }
        }
        rows.sort_by_key(|r| r.row);
        CasesPreviewPage {
            nav: Nav::from(user),
            inspection,
            csv,
            columns: parsed.columns.iter().map(|(_, h)| h.clone()).collect(),
            rows,
            errors,
        }
    }
}

/// The preview of a case list: every row with its problems, and a button to
/// add them all only when there are none.
async fn preview_cases(
    state: &AppState,
    user: &CurrentUser,
    inspection: Inspection,
    text: String,
    pasted: String,
    outcome: Option<Refusal>,
) -> Result<Response, WebError> {
    let parsed = match intake::parse_csv(&text) {
        Ok(parsed) => parsed,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                errors.add("file", "file", p.message);
            }
            return Ok(UploadPage::cases(user, inspection, errors).refused(pasted));
        }
    };
    let mut problems = parsed.problems.clone();
    let checked = match outcome {
        Some(e) => Err(e),
        None => intake::check_cases(&state.pool, &user.actor(), inspection.id, &parsed.cases)
            .await
            .map(|_| ()),
    };
    match checked {
        Ok(()) => {}
        Err(Refusal::Invalid(found)) => problems.extend(found),
        Err(e) => return Err(e.into()),
    }
    problems.sort_by_key(|p| p.row);
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CasesPreviewPage::new(user, inspection, text, &parsed, &problems);
    Ok((status, page).into_response())
}

/// Reads the upload and shows the preview; nothing is written yet.
pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    match upload::read(multipart).await {
        Ok(upload) => {
            preview_cases(&state, &user, inspection, upload.text, upload.pasted, None).await
        }
        Err(problem) => {
            Ok(UploadPage::cases(&user, inspection, problem.into_errors()).refused(String::new()))
        }
    }
}

/// Adds the previewed cases: the file is read and checked again inside the
/// transaction that writes it, so what is written is what passed the checks.
pub async fn confirm_import(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    let Ok(parsed) = intake::parse_csv(&form.csv) else {
        return preview_cases(&state, &user, inspection, form.csv, String::new(), None).await;
    };
    if !parsed.problems.is_empty() {
        return preview_cases(&state, &user, inspection, form.csv, String::new(), None).await;
    }
    let added = intake::add_cases(
        &state.pool,
        &user.actor(),
        id,
        inspection.framework_version_id,
        &parsed.cases,
    )
    .await;
    match added {
        Ok(added) => {
            Ok(Redirect::to(&format!("/inspections/{id}?added={}", added.len())).into_response())
        }
        Err(e @ Refusal::Invalid(_)) => {
            preview_cases(&state, &user, inspection, form.csv, String::new(), Some(e)).await
        }
        Err(e) => Err(e.into()),
    }
}
