//! `/inspections/{id}/judgements/import`: importing judgements marked
//! elsewhere (previewed, then confirmed).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::annexe::import::{self, Mode, Summary};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::refusal::{Problem, Refusal};
use crate::web::form::{Form, FormErrors};
use crate::web::inspections::{load_inspection, refused};
use crate::web::upload::{self, ConfirmForm, UploadPage};
use crate::web::{Nav, WebError};

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
    let mut conn = state.pool.acquire().await?;
    crate::qa::check_not_blind_in(&mut conn, &user.actor(), id).await?;
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
            crate::web::flash::redirect(state, user, &format!("/inspections/{id}"), &notice).await
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
