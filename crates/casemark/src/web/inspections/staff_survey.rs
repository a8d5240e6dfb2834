//! The staff survey page: survey questions with their figures, quoted as
//! "X out of Y staff" wherever evidence cites them.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::domain_one::SurveyItem;
use crate::db::inspections::Inspection;
use crate::domain_one::SurveyInput;
use crate::extract::{Id, two_ids};
use crate::refusal::{Field, Refusal};
use crate::web::WebError;
use crate::web::form::{Form, FormErrors, Query};
use crate::web::inspections::load_inspection;
use crate::{AppState, db};

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SurveyForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    positive: String,
    #[serde(default)]
    respondents: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff_survey.html")]
pub struct SurveyPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    items: Vec<SurveyItem>,
    may_change: bool,
    is_lead: bool,
    limits: Option<String>,
    form: SurveyForm,
    errors: FormErrors,
    notice: Option<&'static str>,
}

impl SurveyPage {
    /// The same rule as evidence bullets: whoever recorded it, or the lead.
    fn may_remove(&self, item: &SurveyItem) -> bool {
        self.may_change && (self.is_lead || item.added_by == Some(self.nav.user_id))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

async fn survey_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: SurveyForm,
    errors: FormErrors,
    notice: Option<&'static str>,
) -> Result<SurveyPage, WebError> {
    let (inspection, _, access) = load_inspection(state, user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let items = db::domain_one::survey_items(&mut conn, id).await?;
    let change = access.check_domain_one_evidence(inspection.status);
    Ok(SurveyPage {
        nav: crate::web::Nav::from(user),
        inspection,
        items,
        may_change: change.is_ok(),
        is_lead: access.is_lead(),
        limits: change.err().map(|r| match r {
            crate::access::Denied::Locked(m) => m,
            crate::access::Denied::Forbidden => {
                "You can read the survey figures; the inspection team records them.".to_owned()
            }
        }),
        form,
        errors,
        notice,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(done): Query<Done>,
) -> Result<SurveyPage, WebError> {
    let notice = match done.done.as_deref() {
        Some("added") => Some("Survey question added"),
        Some("removed") => Some("Survey question removed"),
        _ => None,
    };
    survey_page(
        &state,
        &user,
        id,
        SurveyForm::default(),
        FormErrors::default(),
        notice,
    )
    .await
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    form: SurveyForm,
    error: Refusal,
) -> Result<Response, WebError> {
    match error {
        Refusal::Invalid(problems) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let part = match &p.field {
                    Field::DomainOne { part, .. } => part,
                    other => other.name().unwrap_or("main-content"),
                };
                errors.add(part, part, p.message);
            }
            let page = survey_page(state, user, id, form, errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        other => Err(other.into()),
    }
}

pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<SurveyForm>,
) -> Result<Response, WebError> {
    let input = SurveyInput {
        question: form.question.clone(),
        positive: form.positive.clone(),
        respondents: form.respondents.clone(),
    };
    match crate::domain_one::add_survey_item(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &input,
    )
    .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/inspections/{id}/staff-survey?done=added")).into_response())
        }
        Err(e) => refused(&state, &user, id, form, e).await,
    }
}

pub async fn remove(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (id, item) = two_ids(&raw).ok_or(WebError::NotFound)?;
    match crate::domain_one::remove_survey_item(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        item,
    )
    .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/inspections/{id}/staff-survey?done=removed")).into_response(),
        ),
        Err(e) => refused(&state, &user, id, SurveyForm::default(), e).await,
    }
}
