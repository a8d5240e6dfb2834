//! Quality assurance over the API: the QA sample, second marking,
//! adjudication and the agreement figures (docs/api.md, "Quality
//! assurance").

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::body::ApiJson;
use super::cases::KeyQuestionValue;
use super::{ApiError, FieldError};
use crate::auth::CurrentUser;
use crate::db::qa::Sampled;
use crate::extract::Id;
use crate::marking::KeyQuestionInput;
use crate::qa::{self, AgreementFigures, Choice, Decision, Report, SecondMarking};
use crate::vocab::MemberRole;
use crate::{AppState, db};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SampleBody {
    marker: Option<String>,
    cases: Option<Vec<i64>>,
    random: Option<usize>,
    seed: Option<u64>,
    local_assessors: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SampledJson {
    case_id: i64,
    reference: String,
    first_marker: Option<String>,
    marked_as: Option<MemberRole>,
    second_marker: String,
    chosen: String,
    seed: Option<u64>,
    submitted: bool,
}

impl From<Sampled> for SampledJson {
    fn from(s: Sampled) -> Self {
        SampledJson {
            case_id: s.case_id,
            reference: s.reference,
            first_marker: s.first_marker,
            marked_as: s.marked_as,
            second_marker: s.second_marker,
            chosen: s.chosen,
            // Kept as PostgreSQL's bigint: the same 64 bits.
            seed: s.seed.map(|seed| seed as u64),
            submitted: s.submitted_at.is_some(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SampleJson {
    cases: Vec<SampledJson>,
}

/// `POST /inspections/{id}/qa/sample`: exactly one of `cases`, `random`
/// (with `seed`) or `local_assessors`, and the `marker`.
#[utoipa::path(
    post,
    operation_id = "qa_add_to_sample",
    path = "/inspections/{id}/qa/sample",
    tag = "quality assurance",
    summary = "Adds cases to the second-marking sample",
    params(("id" = i64, Path, description = "The inspection's id")),
    request_body(content = SampleBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = SampleJson),
        super::openapi::Writing
    )
)]
pub async fn add_to_sample(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<SampleBody>,
) -> Result<(StatusCode, Json<SampleJson>), ApiError> {
    let mut errors = Vec::new();
    let marker = body.marker.unwrap_or_default();
    if marker.trim().is_empty() {
        errors.push(FieldError::new(
            "marker",
            "Give the email address of the second marker",
        ));
    }
    let choice = match (body.cases, body.random, body.local_assessors) {
        (Some(cases), None, None | Some(false)) => Some(Choice::Cases(cases)),
        (None, Some(n), None | Some(false)) => match body.seed {
            Some(seed) => Some(Choice::Random { n, seed }),
            None => {
                errors.push(FieldError::new(
                    "seed",
                    "Give the seed of the random draw, so that it can be repeated",
                ));
                None
            }
        },
        (None, None, Some(true)) => Some(Choice::LocalAssessors),
        _ => {
            errors.push(FieldError::new(
                "cases",
                "Give exactly one of cases, random (with a seed) or local_assessors: true",
            ));
            None
        }
    };
    let Some(choice) = choice.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Unprocessable(errors));
    };
    let added = qa::add_to_sample(&state.pool, &user.actor(), id, &choice, &marker).await?;
    Ok((
        StatusCode::CREATED,
        Json(SampleJson {
            cases: added.into_iter().map(SampledJson::from).collect(),
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondMarkingBody {
    #[serde(default)]
    key_questions: BTreeMap<String, KeyQuestionValue>,
    #[serde(default)]
    prompts: BTreeMap<String, String>,
    #[serde(default)]
    submit: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnswerJson {
    answer: String,
    rationale: Option<String>,
}

/// A second marking: its own answers, and once submitted the first
/// marking's beside them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondMarkingJson {
    case_id: i64,
    second_marker: String,
    submitted: bool,
    key_questions: BTreeMap<String, AnswerJson>,
    prompts: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    first: Option<BTreeMap<String, AnswerJson>>,
}

async fn second_marking_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<SecondMarkingJson, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::readable(&mut conn, user, case.inspection_id).await?;
    let sampled = db::qa::sampled(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let submitted = sampled.submitted_at.is_some();
    // Until it is submitted, a second marking is its marker's alone.
    if !submitted && sampled.second_marker_id != user.user.id {
        return Err(ApiError::Forbidden);
    }
    let framework = state
        .frameworks
        .get(&mut conn, case.framework_version_id)
        .await?;
    let answers = db::qa::second_answers(&mut conn, id).await?;
    let prompt_answers = db::qa::second_prompts(&mut conn, id).await?;
    let mut key_questions = BTreeMap::new();
    let mut first = BTreeMap::new();
    for kq in framework.key_questions() {
        if let Some(a) = answers.get(&kq.id) {
            key_questions.insert(
                kq.code.clone(),
                AnswerJson {
                    answer: a.answer.code().to_owned(),
                    rationale: a.rationale.clone(),
                },
            );
            if let Some(first_answer) = a.first_answer {
                first.insert(
                    kq.code.clone(),
                    AnswerJson {
                        answer: first_answer.code().to_owned(),
                        rationale: a.first_rationale.clone(),
                    },
                );
            }
        }
    }
    let prompts = framework
        .prompts()
        .filter_map(|p| {
            prompt_answers
                .get(&p.id)
                .map(|a| (p.code.clone(), a.code().to_owned()))
        })
        .collect();
    Ok(SecondMarkingJson {
        case_id: id,
        second_marker: sampled.second_marker,
        submitted,
        key_questions,
        prompts,
        first: submitted.then_some(first),
    })
}

#[utoipa::path(
    get,
    operation_id = "qa_get_second_marking",
    path = "/cases/{id}/second-marking",
    tag = "quality assurance",
    summary = "A case's second marking",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "OK", body = SecondMarkingJson),
        super::openapi::ReadingAsLead
    )
)]
pub async fn get_second_marking(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<SecondMarkingJson>, ApiError> {
    Ok(Json(second_marking_of(&state, &user, id).await?))
}

#[utoipa::path(
    put,
    operation_id = "qa_second_marking",
    path = "/cases/{id}/second-marking",
    tag = "quality assurance",
    summary = "Saves (or submits) a second marking",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = SecondMarkingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = SecondMarkingJson),
        super::openapi::Writing
    )
)]
pub async fn second_marking(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<SecondMarkingBody>,
) -> Result<Json<SecondMarkingJson>, ApiError> {
    let marking = SecondMarking {
        key_questions: body
            .key_questions
            .into_iter()
            .map(|(code, value)| (code, KeyQuestionInput::from(value)))
            .collect(),
        prompts: body.prompts,
        submit: body.submit,
    };
    qa::save_second_marking(&state.pool, &state.frameworks, &user.actor(), id, &marking).await?;
    Ok(Json(
        second_marking_of(&state, &user, id)
            .await
            .map_err(ApiError::after_commit)?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    answer: Option<String>,
    reason: Option<String>,
}

/// `PUT /cases/{id}/adjudication`: `{"2.1.3": {"answer": "no", "reason": "…"}}`.
#[utoipa::path(
    put,
    operation_id = "qa_adjudicate",
    path = "/cases/{id}/adjudication",
    tag = "quality assurance",
    summary = "Decides disagreements (code to decision)",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = BTreeMap<String, DecisionBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = QaJson),
        super::openapi::Writing
    )
)]
pub async fn adjudicate(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<BTreeMap<String, DecisionBody>>,
) -> Result<Json<QaJson>, ApiError> {
    let decisions = body
        .into_iter()
        .map(|(code, d)| {
            (
                code,
                Decision {
                    answer: d.answer.unwrap_or_default(),
                    reason: d.reason.unwrap_or_default(),
                },
            )
        })
        .collect();
    let inspection = {
        let mut conn = state.pool.acquire().await?;
        db::cases::inspection_of(&mut conn, id)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    qa::adjudicate(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &decisions,
    )
    .await?;
    Ok(Json(
        report_of(&state, &user, inspection)
            .await
            .map_err(ApiError::after_commit)?,
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresJson {
    pairs: u32,
    agreed: u32,
    agreement_percent: Option<u8>,
    /// Cohen's κ to three decimal places.
    kappa: Option<f64>,
    few_pairs: bool,
}

impl From<&AgreementFigures> for FiguresJson {
    fn from(f: &AgreementFigures) -> Self {
        FiguresJson {
            pairs: f.agreement.pairs(),
            agreed: f.agreement.agreed(),
            agreement_percent: f.percent,
            kappa: f.kappa.map(|k| (k * 1000.0).round() / 1000.0),
            few_pairs: f.few,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemJson {
    code: String,
    #[serde(flatten)]
    figures: FiguresJson,
    /// Standards: the rating from the first markings of the second-marked
    /// cases and from their second markings.
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_first: Option<casemark_rules::Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_second: Option<casemark_rules::Rating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rating_agrees: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarkerJson {
    first_marker: String,
    #[serde(flatten)]
    figures: FiguresJson,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DisagreementJson {
    case_id: i64,
    reference: String,
    key_question: String,
    first_marker: Option<String>,
    first_answer: String,
    first_rationale: Option<String>,
    second_marker: String,
    second_answer: String,
    second_rationale: Option<String>,
    final_answer: Option<String>,
    reason: Option<String>,
    adjudicated_by: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QaJson {
    #[serde(flatten)]
    overall: FiguresJson,
    sample: Vec<SampledJson>,
    standards: Vec<ItemJson>,
    key_questions: Vec<ItemJson>,
    markers: Vec<MarkerJson>,
    disagreements: Vec<DisagreementJson>,
    unadjudicated: usize,
}

impl From<Report> for QaJson {
    fn from(r: Report) -> Self {
        let unadjudicated = r.unadjudicated();
        let item = |i: &qa::ItemAgreement| ItemJson {
            code: i.code.clone(),
            figures: (&i.figures).into(),
            rating_first: i.rating.map(|r| r.first),
            rating_second: i.rating.map(|r| r.second),
            rating_agrees: i.rating.map(|r| r.agrees()),
        };
        QaJson {
            overall: (&r.overall).into(),
            sample: r.sample.into_iter().map(SampledJson::from).collect(),
            standards: r.standards.iter().map(item).collect(),
            key_questions: r.key_questions.iter().map(item).collect(),
            markers: r
                .markers
                .iter()
                .map(|m| MarkerJson {
                    first_marker: m.name.clone(),
                    figures: (&m.figures).into(),
                })
                .collect(),
            disagreements: r
                .disagreements
                .into_iter()
                .map(|d| DisagreementJson {
                    case_id: d.pair.case_id,
                    reference: d.pair.reference,
                    key_question: d.code,
                    first_marker: d.pair.first_marker,
                    first_answer: d.pair.first_answer.code().to_owned(),
                    first_rationale: d.pair.first_rationale,
                    second_marker: d.pair.second_marker,
                    second_answer: d.pair.second_answer.code().to_owned(),
                    second_rationale: d.pair.second_rationale,
                    final_answer: d.pair.final_answer.map(|a| a.code().to_owned()),
                    reason: d.pair.reason,
                    adjudicated_by: d.pair.adjudicated_by,
                })
                .collect(),
            unadjudicated,
        }
    }
}

async fn report_of(state: &AppState, user: &CurrentUser, id: i64) -> Result<QaJson, ApiError> {
    let mut conn = state.pool.acquire().await?;
    // Figures and disagreements come from submitted second markings only,
    // so they never show a blind marker the first marking of an open case.
    let (_, framework) = super::readable_inspection(&mut conn, state, user, id).await?;
    Ok(qa::report(&mut conn, &framework, id).await?.into())
}

#[utoipa::path(
    get,
    operation_id = "qa_report",
    path = "/inspections/{id}/qa",
    tag = "quality assurance",
    summary = "Second marking: agreement and disagreements",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = QaJson),
        super::openapi::ReadingAsLead
    )
)]
pub async fn report(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<QaJson>, ApiError> {
    Ok(Json(report_of(&state, &user, id).await?))
}
