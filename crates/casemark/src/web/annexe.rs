//! Downloads of the data annexe (an inspection's CSV and workbook, and the
//! national CSV) and the judgement import: upload, preview, confirm.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::form::{Form, FormErrors};
use super::sample::{load_inspection, refused};
use super::upload::{self, ConfirmForm, UploadPage};
use super::{Nav, WebError};
use crate::annexe::import::{self, Mode, Summary};
use crate::annexe::{self, long};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::refusal::{Problem, Refusal};
use crate::{AppState, db};

pub async fn inspection_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (inspection, _, _) = load_inspection(&state, &user, id).await?;
    let name = long::file_name(&inspection, "csv");
    let body = long::stream(state, vec![inspection]);
    Ok(annexe::download(annexe::CSV_TYPE, &name, body))
}

pub async fn national_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let inspections = db::inspections::list(&mut conn, user.member_filter(), None).await?;
    drop(conn);
    let body = long::stream(state, inspections);
    Ok(annexe::download(
        annexe::CSV_TYPE,
        &annexe::national_file_name(),
        body,
    ))
}

pub async fn workbook(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Response, WebError> {
    let (inspection, _, _) = load_inspection(&state, &user, id).await?;
    let name = long::file_name(&inspection, "xlsx");
    let bytes = annexe::workbook_for(&state, inspection)
        .await
        .map_err(|e| match e {
            annexe::WorkbookError::Database(e) => WebError::Database(e),
            annexe::WorkbookError::Build(message) => WebError::Internal(message),
        })?;
    Ok(annexe::download(annexe::XLSX_TYPE, &name, bytes.into()))
}

/// The inspection a lead is importing judgements into, if they may now.
async fn inspection_importing(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Inspection, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    if !access.is_lead() {
        return Err(WebError::Forbidden);
    }
    access
        .check_marking(inspection.status, None)
        .map_err(refused)?;
    Ok(inspection)
}

pub async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<UploadPage, WebError> {
    let inspection = inspection_importing(&state, &user, id).await?;
    Ok(UploadPage::judgements(
        &user,
        inspection,
        FormErrors::default(),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "import_judgements_preview.html")]
pub struct JudgementsPreviewPage {
    nav: Nav,
    inspection: Inspection,
    csv: String,
    summary: Summary,
    problems: Vec<Problem>,
    errors: FormErrors,
}

impl JudgementsPreviewPage {
    fn row(&self, problem: &Problem) -> String {
        problem.row.map(|r| r.to_string()).unwrap_or_default()
    }

    fn column(&self, problem: &Problem) -> &'static str {
        match problem.field.name() {
            Some("file") | None => "Whole file",
            Some(column) => column,
        }
    }
}

/// Runs the import as a preview (or for real) and shows what happened.
async fn run(
    state: &AppState,
    user: &CurrentUser,
    inspection: Inspection,
    text: String,
    mode: Mode,
) -> Result<Response, WebError> {
    let file = match import::parse(&text) {
        Ok(file) => file,
        Err(problems) => {
            return Ok(preview(
                user,
                inspection,
                text,
                Summary::default(),
                problems,
            ));
        }
    };
    let id = inspection.id;
    match import::apply(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &file,
        mode,
    )
    .await
    {
        Ok(summary) if mode == Mode::Commit => {
            let notice = format!(
                "Imported {} answers for {} cases",
                summary.answers,
                summary.cases_added + summary.cases_updated
            );
            super::flash::redirect(state, user, &format!("/inspections/{id}"), &notice).await
        }
        Ok(summary) => Ok(preview(user, inspection, text, summary, Vec::new())),
        Err(Refusal::Invalid(problems)) => Ok(preview(
            user,
            inspection,
            text,
            Summary::default(),
            problems,
        )),
        Err(e) => Err(e.into()),
    }
}

fn preview(
    user: &CurrentUser,
    inspection: Inspection,
    csv: String,
    summary: Summary,
    problems: Vec<Problem>,
) -> Response {
    let mut errors = FormErrors::default();
    for p in &problems {
        let row = p.row.unwrap_or(1);
        errors.add(
            format!("row-{row}"),
            "problems",
            format!(
                "Row {row}, {}: {}",
                p.field.name().unwrap_or("file"),
                p.message
            ),
        );
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = JudgementsPreviewPage {
        nav: Nav::from(user),
        inspection,
        csv,
        summary,
        problems,
        errors,
    };
    (status, page).into_response()
}

pub async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let inspection = inspection_importing(&state, &user, id).await?;
    match upload::read(multipart).await {
        Ok(upload) => run(&state, &user, inspection, upload.text, Mode::Preview).await,
        Err(problem) => Ok(
            UploadPage::judgements(&user, inspection, problem.into_errors()).refused(String::new()),
        ),
    }
}

/// Imports the previewed file: read and checked again inside the
/// transaction that writes it.
pub async fn confirm_import(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, WebError> {
    let inspection = inspection_importing(&state, &user, id).await?;
    run(&state, &user, inspection, form.csv, Mode::Commit).await
}
