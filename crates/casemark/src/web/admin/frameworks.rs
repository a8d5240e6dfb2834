//! `/admin/frameworks`: the stored framework versions, each downloadable
//! as its file, and a framework file checked or imported
//! (docs/frameworks.md).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::require_admin;
use crate::auth::CurrentUser;
use crate::db::framework::Listed;
use crate::framework_file::FileProblem;
use crate::framework_import::{ImportRefusal, import};
use crate::web::form::{Form, FormErrors};
use crate::web::{Nav, WebError};
use crate::{AppState, db};

#[derive(Template, WebTemplate)]
#[template(path = "admin_frameworks.html")]
pub struct FrameworksPage {
    nav: Nav,
    frameworks: Vec<Listed>,
    file: String,
    errors: FormErrors,
    notice: Option<String>,
}

async fn frameworks_page(
    state: &AppState,
    user: &CurrentUser,
    file: String,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<FrameworksPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    Ok(FrameworksPage {
        nav: Nav::from(user),
        frameworks: db::framework::list(&mut conn).await?,
        file,
        errors,
        notice,
    })
}

pub async fn frameworks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<FrameworksPage, WebError> {
    require_admin(&user)?;
    let notice = crate::web::flash::take(&state, &user).await?;
    frameworks_page(&state, &user, String::new(), FormErrors::default(), notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FrameworkForm {
    file: String,
    action: String,
}

/// Each problem beside the text box, placed by its line.
fn problems(found: &[FileProblem]) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in found {
        let place = if p.line == 0 {
            p.field.clone()
        } else {
            format!("Line {}, {}", p.line, p.field)
        };
        errors.add("file", "file", format!("{place}: {}", p.message));
    }
    errors
}

/// Check (`action=check`) or import (`action=import`) the pasted file.
pub async fn check_or_import(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<FrameworkForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let refused = |errors: FormErrors| async {
        let page = frameworks_page(&state, &user, form.file.clone(), errors, None).await?;
        Ok::<Response, WebError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    if form.file.trim().is_empty() {
        return refused(FormErrors::single(
            "file",
            "Paste the framework file (TOML) to check or import",
        ))
        .await;
    }
    if form.action != "import" {
        return match crate::framework_file::parse(&form.file) {
            Ok(d) => {
                let notice = format!(
                    "The file is a valid framework: {} version {}, {} standards",
                    d.code,
                    d.version,
                    d.standards.len()
                );
                let page = frameworks_page(
                    &state,
                    &user,
                    form.file.clone(),
                    FormErrors::default(),
                    Some(notice),
                )
                .await?;
                Ok(page.into_response())
            }
            Err(found) => refused(problems(&found)).await,
        };
    }
    match import(&state.pool, &user.actor(), &form.file).await {
        Ok(imported) => {
            let notice = format!(
                "{} framework {}",
                if imported.replaced {
                    "Replaced the draft"
                } else {
                    "Imported"
                },
                imported.code
            );
            crate::web::flash::redirect(&state, &user, "/admin/frameworks", &notice).await
        }
        Err(ImportRefusal::Problems(found)) => refused(problems(&found)).await,
        Err(ImportRefusal::Exists(message)) => refused(FormErrors::single("file", message)).await,
        Err(ImportRefusal::Database(e)) => Err(e.into()),
    }
}

/// `/admin/frameworks/{code}/file`: a stored version as its file.
pub async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let mut conn = state.pool.acquire().await?;
    let definition = db::framework::definition(&mut conn, &code)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/toml; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::edge::download::attachment(&format!("{code}.toml")),
            ),
        ],
        crate::framework_file::write(&definition),
    )
        .into_response())
}
