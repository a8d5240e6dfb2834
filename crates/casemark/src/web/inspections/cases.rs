//! `/inspections/{id}/cases/...`: adding cases to the sample, one by one
//! or from a CSV file (previewed, then confirmed).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{load_inspection, refused};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::intake::{self, CsvCases, NumberedCase, RawCase};
use crate::refusal::{Problem, Refusal};
use crate::vocab::{EthnicityGroup, PractitionerGrade, RoshLevel, SentenceType, Sex};
use crate::web::form::{Form, FormErrors};
use crate::web::upload::{self, ConfirmForm, UploadPage};
use crate::web::{Nav, WebError};

#[derive(Template, WebTemplate)]
#[template(path = "new_case.html")]
pub struct NewCasePage {
    pub(crate) nav: crate::web::Nav,
    pub(crate) heading: &'static str,
    pub(crate) action: String,
    pub(crate) button: &'static str,
    pub(crate) back: String,
    pub(crate) inspection: Inspection,
    pub(crate) form: RawCase,
    pub(crate) errors: FormErrors,
    /// The framework's kinds of case (none: the question is not asked).
    pub(crate) case_types: Vec<crate::framework_file::CaseType>,
}

/// The inspection a lead is adding cases to (or drawing them from a long
/// list for), if cases may be added now.
pub(super) async fn inspection_taking_cases(
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
        framework: &crate::framework::Framework,
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
            case_types: framework.case_types.clone(),
        }
    }

    /// Whether `code` is the case type the form shows chosen: the one
    /// given, or the main kind (the first) when none is.
    fn case_type_chosen(&self, code: &str, first: &bool) -> bool {
        match self.form.get("case_type").filter(|v| !v.is_empty()) {
            Some(given) => given == code,
            None => *first,
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
    let mut conn = state.pool.acquire().await?;
    let framework = state
        .frameworks
        .get(&mut conn, inspection.framework_version_id)
        .await?;
    Ok(NewCasePage::adding(
        &user,
        inspection,
        &framework,
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
    let (inspection, framework, _) = load_inspection(&state, &user, id).await?;
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
            let page = NewCasePage::adding(&user, inspection, &framework, form, errors);
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
    nav: crate::web::Nav,
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
