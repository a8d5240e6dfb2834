//! `/inspections/{id}/sample`: the long list and the sample drawn from it
//! (docs/sampling.md): upload, the draw previewed and confirmed, and the
//! strata, reserves and replaced cases afterwards.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::cases::inspection_taking_cases;
use super::load_inspection;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::db::long_list::{ReplacedCase, SampleDraw};
use crate::extract::Id;
use crate::long_list::Excluded;
use crate::refusal::Refusal;
use crate::sample_draw::{self, DrawInput, Drawn};
use crate::web::form::{Form, FormErrors, Query};
use crate::web::upload::{self, UploadPage};
use crate::web::{Nav, WebError};
use crate::{AppState, db};

/// The draw form as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DrawForm {
    size: String,
    buffer_percent: String,
    seed: String,
    /// The long list the preview was drawn from (its confirm form sends it).
    long_list: String,
    /// "yes" on the preview's confirm button.
    confirm: String,
}

impl DrawForm {
    /// Numbers as given; text that is not a number is refused beside its
    /// field by the same checks as a number out of range.
    fn input(&self) -> DrawInput {
        let number = |v: &str, blank: Option<i64>| {
            let v = v.trim();
            if v.is_empty() {
                blank
            } else {
                Some(v.parse::<i64>().unwrap_or(-1))
            }
        };
        DrawInput {
            size: number(&self.size, None),
            buffer_percent: number(&self.buffer_percent, Some(0)),
            seed: number(&self.seed, None),
            long_list: Some(self.long_list.clone()).filter(|l| !l.is_empty()),
        }
    }
}

pub struct StratumNow {
    name: &'static str,
    in_sample: i64,
    reserves_left: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "sample.html")]
pub struct SamplePage {
    nav: Nav,
    inspection: Inspection,
    may_draw: bool,
    /// Before the draw: the long list's rows, eligible cases and exclusions.
    long_list: Option<(usize, usize, Vec<Excluded>)>,
    draw: Option<SampleDraw>,
    strata: Vec<StratumNow>,
    replaced: Vec<ReplacedCase>,
    form: DrawForm,
    errors: FormErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SampleQuery {
    uploaded: Option<usize>,
    drawn: Option<usize>,
}

async fn sample_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: DrawForm,
    errors: FormErrors,
    banner: Option<String>,
) -> Result<SamplePage, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let draw = db::long_list::draw_of(&mut conn, id).await?;
    let long_list = match (&draw, db::long_list::rows(&mut conn, id).await?) {
        (None, Some(rows)) => {
            let excluded = crate::long_list::exclusions(&rows, inspection.fieldwork_start);
            Some((rows.len(), rows.len() - excluded.len(), excluded))
        }
        _ => None,
    };
    let counts = db::long_list::strata_now(&mut conn, id).await?;
    let strata = casemark_rules::Stratum::ALL
        .iter()
        .map(|s| {
            let (in_sample, reserves_left) = counts
                .iter()
                .find(|(code, _, _)| code == s.code())
                .map_or((0, 0), |(_, n, r)| (*n, *r));
            StratumNow {
                name: s.name(),
                in_sample,
                reserves_left,
            }
        })
        .collect();
    let replaced = db::long_list::replaced(&mut conn, id).await?;
    Ok(SamplePage {
        nav: Nav::from(user),
        may_draw: access.check_adding_cases(inspection.status).is_ok(),
        inspection,
        long_list,
        draw,
        strata,
        replaced,
        form,
        errors,
        notice: banner,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<SampleQuery>,
) -> Result<SamplePage, WebError> {
    let banner = match (query.uploaded, query.drawn) {
        (Some(n), _) => Some(format!("Long list uploaded: {n} rows")),
        (_, Some(n)) => Some(format!("Sample drawn: {n} cases added to the inspection")),
        _ => None,
    };
    let form = DrawForm {
        buffer_percent: "20".into(),
        ..DrawForm::default()
    };
    sample_page(&state, &user, id, form, FormErrors::default(), banner).await
}

pub async fn upload_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<UploadPage, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    Ok(UploadPage::long_list(
        &user,
        inspection,
        FormErrors::default(),
    ))
}

pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let inspection = inspection_taking_cases(&state, &user, id).await?;
    let file = match upload::read_or_workbook(multipart).await {
        Ok(file) => file,
        Err(problem) => {
            return Ok(
                UploadPage::long_list(&user, inspection, problem.into_errors())
                    .refused(String::new()),
            );
        }
    };
    match crate::long_list::upload(&state.pool, &user.actor(), id, &file.text).await {
        Ok(uploaded) => Ok(Redirect::to(&format!(
            "/inspections/{id}/sample?uploaded={}",
            uploaded.rows
        ))
        .into_response()),
        Err(Refusal::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let column = p.field.name().unwrap_or("file").replace('_', " ");
                let message = match p.row {
                    Some(row) if row > 1 => format!("Row {row}, {column}: {}", p.message),
                    _ => p.message,
                };
                errors.add("file", "file", message);
            }
            Ok(UploadPage::long_list(&user, inspection, errors).refused(file.pasted))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "sample_preview.html")]
pub struct PreviewPage {
    nav: Nav,
    inspection: Inspection,
    drawn: Drawn,
}

/// Hundredths of a percent as people read them: 38.89%.
fn percent(hundredths: &Option<u32>) -> String {
    match hundredths {
        Some(h) => format!("{}.{:02}%", h / 100, h % 100),
        None => "–".to_owned(),
    }
}

impl PreviewPage {
    fn share(&self, hundredths: &Option<u32>) -> String {
        percent(hundredths)
    }
}

/// The draw form: a preview, or (from the preview's button) the draw made.
pub async fn draw(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<DrawForm>,
) -> Result<Response, WebError> {
    let input = form.input();
    let actor = user.actor();
    let outcome = if form.confirm == "yes" {
        sample_draw::confirm(&state.pool, &actor, id, &input).await
    } else {
        sample_draw::preview(&state.pool, &actor, id, &input).await
    };
    match outcome {
        Ok(drawn) if form.confirm == "yes" => Ok(Redirect::to(&format!(
            "/inspections/{id}/sample?drawn={}",
            drawn.cases.len()
        ))
        .into_response()),
        Ok(drawn) => {
            let (inspection, _, _) = load_inspection(&state, &user, id).await?;
            Ok(PreviewPage {
                nav: Nav::from(&user),
                inspection,
                drawn,
            }
            .into_response())
        }
        Err(Refusal::Invalid(problems)) => {
            let page = sample_page(&state, &user, id, form, FormErrors::of(problems), None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
