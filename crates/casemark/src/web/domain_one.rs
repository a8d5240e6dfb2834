//! The domain one form: a rating, strengths and areas for improvement for
//! each of 1.1–1.3.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use casemark_rules::Rating;

use super::form::FormErrors;
use super::sample::load_inspection;
use super::{WebError, dom_id};
use crate::access::Refusal;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::domain_one::{DomainOneError, DomainOneInput};
use crate::extract::Id;
use crate::{AppState, db};

pub struct StandardView {
    code: String,
    dom: String,
    name: String,
    statement: String,
    rating: String,
    strengths: String,
    areas: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "domain_one.html")]
pub struct DomainOnePage {
    nav: super::Nav,
    inspection: Inspection,
    standards: Vec<StandardView>,
    errors: FormErrors,
    read_only: Option<String>,
}

impl DomainOnePage {
    fn ratings(&self) -> [Rating; 4] {
        // Best first, as inspectors read the scale.
        [
            Rating::Outstanding,
            Rating::Good,
            Rating::RequiresImprovement,
            Rating::Inadequate,
        ]
    }
}

pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<DomainOnePage, WebError> {
    page(&state, &user, id, None, FormErrors::default()).await
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    submitted: Option<&BTreeMap<String, DomainOneInput>>,
    errors: FormErrors,
) -> Result<DomainOnePage, WebError> {
    let (inspection, framework, access) = load_inspection(state, user, id).await?;
    let read_only = match access.check_lead_change(inspection.status) {
        Ok(()) => None,
        Err(Refusal::Locked(m)) => Some(m),
        Err(Refusal::Forbidden) => Some("Only the lead inspector records domain one.".into()),
    };
    let mut conn = state.pool.acquire().await?;
    let saved = db::ratings::domain_one(&mut conn, id).await?;
    let standards = framework
        .domain_one()
        .map(|s| {
            let stored = saved.get(&s.id);
            let typed = submitted.and_then(|m| m.get(&s.code));
            let pick = |typed: Option<&Option<String>>, stored: Option<String>| {
                typed.cloned().flatten().or(stored).unwrap_or_default()
            };
            StandardView {
                code: s.code.clone(),
                dom: dom_id(&s.code),
                name: s.name.clone(),
                statement: s.statement.clone(),
                rating: pick(
                    typed.map(|t| &t.rating),
                    stored.and_then(|d| d.rating).map(|r| r.code().to_owned()),
                ),
                strengths: pick(
                    typed.map(|t| &t.strengths),
                    stored.and_then(|d| d.strengths.clone()),
                ),
                areas: pick(
                    typed.map(|t| &t.areas_for_improvement),
                    stored.and_then(|d| d.areas_for_improvement.clone()),
                ),
            }
        })
        .collect();
    Ok(DomainOnePage {
        nav: super::Nav::from(user),
        read_only,
        inspection,
        standards,
        errors,
    })
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut inputs: BTreeMap<String, DomainOneInput> = BTreeMap::new();
    for (name, value) in fields {
        let Some((part, code)) = name.split_once('-') else {
            continue;
        };
        let input = inputs.entry(code.to_owned()).or_default();
        match part {
            "rating" => input.rating = Some(value),
            "strengths" => input.strengths = Some(value),
            "areas" => input.areas_for_improvement = Some(value),
            _ => {}
        }
    }
    load_inspection(&state, &user, id).await?;
    match crate::domain_one::record(&state.pool, &state.frameworks, &user.actor(), id, &inputs)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/inspections/{id}/ratings")).into_response()),
        Err(DomainOneError::Invalid(problems)) => {
            let mut errors = FormErrors::default();
            for p in problems {
                let prefix = match p.part {
                    "areas_for_improvement" => "areas",
                    other => other,
                };
                errors.add(
                    format!("{prefix}-{}", p.standard),
                    &format!("{prefix}-{}", dom_id(&p.standard)),
                    p.message,
                );
            }
            let page = page(&state, &user, id, Some(&inputs), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(DomainOneError::NotFound) => Err(WebError::NotFound),
        Err(DomainOneError::Forbidden) => Err(WebError::Forbidden),
        Err(DomainOneError::Locked(m)) => Err(WebError::Locked(m)),
        Err(DomainOneError::Database(e)) => Err(e.into()),
    }
}
