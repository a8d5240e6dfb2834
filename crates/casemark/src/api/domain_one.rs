//! /api/v1/inspections/{id}/domain-one and /staff-survey: domain one's
//! judgements, evidence, survey figures and confirmed ratings as JSON.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use casemark_rules::Rating;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::body::ApiJson;
use super::inspections::{Created, ProposalJson, RatingsJson, ratings_of};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::domain_one::SurveyItem;
use crate::domain_one::{DomainOneInput, EvidenceInput, EvidenceView, StandardView, SurveyInput};
use crate::extract::{Id, parse_id, two_ids};
use crate::vocab::{EvidenceKind, EvidenceSource};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DomainOneJson {
    standards: Vec<StandardJson>,
    staff_survey: Vec<SurveyItemJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = DomainOneStandardJson)]
struct StandardJson {
    code: String,
    name: String,
    /// The lead's confirmed rating; null until confirmed.
    rating: Option<Rating>,
    proposal: Option<ProposalJson>,
    /// The proposal when the rating was confirmed, and the reason given
    /// when the confirmation differs from it.
    proposed_when_confirmed: Option<Rating>,
    reason: Option<String>,
    confirmed_by: Option<String>,
    confirmed_at: Option<DateTime<Utc>>,
    strengths: Option<String>,
    areas_for_improvement: Option<String>,
    judge: Option<JudgeJson>,
    key_questions: Vec<QuestionJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct JudgeJson {
    user_id: i64,
    name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct QuestionJson {
    code: String,
    text: String,
    judgement: Option<Rating>,
    judged_by: Option<String>,
    evidence: Vec<EvidenceJson>,
    case_evidence: Vec<CaseFigureJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct EvidenceJson {
    id: i64,
    kind: EvidenceKind,
    source: EvidenceSource,
    text: String,
    survey_item: Option<SurveyItemJson>,
    added_by: String,
    added_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CaseFigureJson {
    prompt: String,
    yes: u32,
    no: u32,
    na: u32,
    percent: Option<u8>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SurveyItemJson {
    id: i64,
    question: String,
    positive: i32,
    respondents: i32,
    /// "19 out of 36 staff".
    figure: String,
}

impl From<SurveyItem> for SurveyItemJson {
    fn from(item: SurveyItem) -> Self {
        SurveyItemJson {
            figure: item.figure(),
            id: item.id,
            question: item.question,
            positive: item.positive,
            respondents: item.respondents,
        }
    }
}

fn evidence_json(e: EvidenceView) -> EvidenceJson {
    EvidenceJson {
        id: e.evidence.id,
        kind: e.evidence.kind,
        source: e.evidence.source,
        text: e.evidence.text,
        survey_item: e.survey.map(SurveyItemJson::from),
        added_by: e.evidence.added_by_name,
        added_at: e.evidence.created_at,
    }
}

fn standard_json(s: StandardView) -> StandardJson {
    StandardJson {
        code: s.code,
        name: s.name,
        rating: s.record.rating,
        proposal: s.proposal.map(ProposalJson::from),
        proposed_when_confirmed: s.record.proposed_rating,
        reason: s.record.reason,
        confirmed_by: s.record.confirmed_by,
        confirmed_at: s.record.confirmed_at,
        strengths: s.record.strengths,
        areas_for_improvement: s.record.areas_for_improvement,
        judge: s.record.judge_id.map(|user_id| JudgeJson {
            user_id,
            name: s.judge_name.unwrap_or_default(),
        }),
        key_questions: s
            .questions
            .into_iter()
            .map(|q| QuestionJson {
                code: q.code,
                text: q.text,
                judgement: q.judgement.as_ref().map(|j| j.rating),
                judged_by: q.judgement.map(|j| j.judged_by_name),
                evidence: q
                    .strengths
                    .into_iter()
                    .chain(q.improvements)
                    .map(evidence_json)
                    .collect(),
                case_evidence: q
                    .case_figures
                    .into_iter()
                    .map(|f| CaseFigureJson {
                        prompt: f.code,
                        yes: f.counts.yes,
                        no: f.counts.no,
                        na: f.counts.na,
                        percent: f.percent,
                    })
                    .collect(),
            })
            .collect(),
    }
}

async fn domain_one_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<DomainOneJson, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (_, framework) = super::readable_inspection(&mut conn, state, user, id).await?;
    let (standards, survey) = crate::domain_one::load_view(&mut conn, &framework, id).await?;
    Ok(DomainOneJson {
        standards: standards.into_iter().map(standard_json).collect(),
        staff_survey: survey.into_iter().map(SurveyItemJson::from).collect(),
    })
}

#[utoipa::path(
    get,
    operation_id = "domain_one_get",
    path = "/inspections/{id}/domain-one",
    tag = "domain one",
    summary = "Domain one: ratings, judgements, evidence and survey",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = DomainOneJson),
        super::openapi::Reading
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<DomainOneJson>, ApiError> {
    Ok(Json(domain_one_of(&state, &user, id).await?))
}

/// A confirmed rating: a rating code (or null to withdraw it), or an object
/// that may also carry the reason and the summary text.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ConfirmedValue {
    Rating(Option<String>),
    Detailed {
        rating: Option<String>,
        strengths: Option<String>,
        areas_for_improvement: Option<String>,
        reason: Option<String>,
    },
}

/// PUT /domain-one: confirmed ratings, as imports of inspections marked
/// elsewhere send them. Answers with the inspection's ratings.
#[utoipa::path(
    put,
    operation_id = "domain_one_confirm",
    path = "/inspections/{id}/domain-one",
    tag = "domain one",
    summary = "Confirms domain one ratings (by standard code)",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = BTreeMap<String, ConfirmedValue>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = crate::api::inspections::RatingsJson),
        super::openapi::Writing
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<BTreeMap<String, ConfirmedValue>>,
) -> Result<Json<RatingsJson>, ApiError> {
    let inputs: BTreeMap<String, DomainOneInput> = body
        .into_iter()
        .map(|(code, value)| {
            let input = match value {
                ConfirmedValue::Rating(rating) => DomainOneInput {
                    rating: Some(rating.unwrap_or_default()),
                    ..DomainOneInput::default()
                },
                ConfirmedValue::Detailed {
                    rating,
                    strengths,
                    areas_for_improvement,
                    reason,
                } => DomainOneInput {
                    rating,
                    reason,
                    strengths,
                    areas_for_improvement,
                },
            };
            (code, input)
        })
        .collect();
    crate::domain_one::record(&state.pool, &state.frameworks, &user.actor(), id, &inputs).await?;
    Ok(Json(
        ratings_of(&state, &user, id)
            .await
            .map_err(ApiError::after_commit)?,
    ))
}

/// PUT /domain-one/judgements: key-question code → rating code, or null to
/// withdraw a judgement.
#[utoipa::path(
    put,
    operation_id = "domain_one_judgements",
    path = "/inspections/{id}/domain-one/judgements",
    tag = "domain one",
    summary = "Judges domain one key questions (code to rating, or null to clear)",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = BTreeMap<String, Option<String>>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = DomainOneJson),
        super::openapi::Writing
    )
)]
pub async fn judgements(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<BTreeMap<String, Option<String>>>,
) -> Result<Json<DomainOneJson>, ApiError> {
    let judgements = body
        .into_iter()
        .map(|(code, rating)| (code, rating.unwrap_or_default()))
        .collect();
    crate::domain_one::judge(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &judgements,
    )
    .await?;
    after_change(&state, &user, id).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgeBody {
    /// The inspector to name, or null for the lead alone.
    user_id: Option<i64>,
}

/// PUT /domain-one/{standard}/judge: who judges a standard's key questions.
#[utoipa::path(
    put,
    operation_id = "domain_one_judge",
    path = "/inspections/{id}/domain-one/{standard}/judge",
    tag = "domain one",
    summary = "Names who judges a domain one standard",
    params(("id" = i64, Path, description = "The inspection's id"), ("standard" = String, Path, description = "The standard's code, 1.1")),
    request_body(content = JudgeBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = DomainOneJson),
        super::openapi::Writing
    )
)]
pub async fn judge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, standard)): Path<(String, String)>,
    ApiJson(body): ApiJson<JudgeBody>,
) -> Result<Json<DomainOneJson>, ApiError> {
    let id = parse_id(&id).ok_or(ApiError::NotFound)?;
    crate::domain_one::name_judge(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &standard,
        body.user_id,
    )
    .await?;
    after_change(&state, &user, id).await
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    question: String,
    kind: String,
    source: String,
    text: String,
    survey_item: Option<i64>,
}

#[utoipa::path(
    post,
    operation_id = "domain_one_add_evidence",
    path = "/inspections/{id}/domain-one/evidence",
    tag = "domain one",
    summary = "Adds an evidence bullet",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = EvidenceBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Created),
        super::openapi::Writing
    )
)]
pub async fn add_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<EvidenceBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = EvidenceInput {
        question: body.question,
        kind: body.kind,
        source: body.source,
        text: body.text,
        survey_item: body.survey_item,
    };
    let created =
        crate::domain_one::add_evidence(&state.pool, &state.frameworks, &user.actor(), id, &input)
            .await?;
    Ok((StatusCode::CREATED, Json(Created { id: created })))
}

#[utoipa::path(
    delete,
    operation_id = "domain_one_remove_evidence",
    path = "/inspections/{id}/domain-one/evidence/{evidence}",
    tag = "domain one",
    summary = "Removes an evidence bullet",
    params(("id" = i64, Path, description = "The inspection's id"), ("evidence" = i64, Path, description = "The bullet's id")),
    responses(
        (status = 204, description = "Removed"),
        super::openapi::Writing
    )
)]
pub async fn remove_evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, evidence) = two_ids(&raw).ok_or(ApiError::NotFound)?;
    crate::domain_one::remove_evidence(&state.pool, &state.frameworks, &user.actor(), id, evidence)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    operation_id = "domain_one_survey",
    path = "/inspections/{id}/staff-survey",
    tag = "domain one",
    summary = "The staff survey's items",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = Vec<SurveyItemJson>),
        super::openapi::Reading
    )
)]
pub async fn survey(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<Vec<SurveyItemJson>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    super::readable(&mut conn, &user, id).await?;
    let items = crate::db::domain_one::survey_items(&mut conn, id).await?;
    Ok(Json(items.into_iter().map(SurveyItemJson::from).collect()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyBody {
    question: String,
    positive: i64,
    respondents: i64,
}

#[utoipa::path(
    post,
    operation_id = "domain_one_add_survey_item",
    path = "/inspections/{id}/staff-survey",
    tag = "domain one",
    summary = "Adds a staff survey item",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = SurveyBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Created),
        super::openapi::Writing
    )
)]
pub async fn add_survey_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<SurveyBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let input = SurveyInput {
        question: body.question,
        positive: body.positive.to_string(),
        respondents: body.respondents.to_string(),
    };
    let created = crate::domain_one::add_survey_item(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &input,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Created { id: created })))
}

#[utoipa::path(
    delete,
    operation_id = "domain_one_remove_survey_item",
    path = "/inspections/{id}/staff-survey/{item}",
    tag = "domain one",
    summary = "Removes a staff survey item",
    params(("id" = i64, Path, description = "The inspection's id"), ("item" = i64, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Removed"),
        super::openapi::Writing
    )
)]
pub async fn remove_survey_item(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(raw): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let (id, item) = two_ids(&raw).ok_or(ApiError::NotFound)?;
    crate::domain_one::remove_survey_item(&state.pool, &state.frameworks, &user.actor(), id, item)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The domain one view after a committed change.
async fn after_change(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Json<DomainOneJson>, ApiError> {
    Ok(Json(
        domain_one_of(state, user, id)
            .await
            .map_err(ApiError::after_commit)?,
    ))
}
