//! /api/v1/inspections/{id}/cases and /api/v1/cases/{id}: adding cases,
//! reading a case and recording its judgements.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::body::{self, ApiJson, ApiQuery, CsvText};
use super::{ApiError, FieldError};
use crate::auth::CurrentUser;
use crate::db::cases::CaseFacts;
use crate::extract::Id;
use crate::intake::{FIELDS as CASE_FIELDS, NumberedCase, RawCase};
use crate::marking::{KeyQuestionInput, Submission};
use crate::refusal::{Problem, Refusal};
use crate::vocab::MarkingStatus;
use crate::{AppState, db, intake, marking};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseJson {
    id: i64,
    marking_status: MarkingStatus,
    revision: i64,
    assigned_to: Option<String>,
    #[serde(flatten)]
    facts: CaseFacts,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedCases {
    cases: Vec<CaseJson>,
}

/// Turns a JSON object of case facts into text values; numbers and booleans
/// are accepted where a form would take text, unknown keys are errors.
fn raw_case(
    prefix: &str,
    object: serde_json::Map<String, Value>,
    errors: &mut Vec<FieldError>,
) -> RawCase {
    let mut raw = RawCase::default();
    for (key, value) in object {
        let field = format!("{prefix}{key}");
        if !CASE_FIELDS.contains(&key.as_str()) {
            errors.push(FieldError::new(
                field,
                format!("Unknown case field '{key}'"),
            ));
            continue;
        }
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => if b { "yes" } else { "no" }.to_owned(),
            Value::Array(_) | Value::Object(_) => {
                errors.push(FieldError::new(
                    field,
                    format!("'{key}' must be text, a number or true/false"),
                ));
                continue;
            }
        };
        raw.set(&key, text);
    }
    raw
}

/// A list of cases as JSON, or a CSV file of them.
#[derive(Debug)]
pub enum CasesBody {
    Json(Vec<serde_json::Map<String, Value>>),
    Csv(String),
}

impl<S: Send + Sync> FromRequest<S> for CasesBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if body::is_csv(&req) {
            let CsvText(text) = CsvText::from_request(req, state).await?;
            Ok(CasesBody::Csv(text))
        } else {
            let ApiJson(list) = ApiJson::from_request(req, state).await?;
            Ok(CasesBody::Json(list))
        }
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WriteQuery {
    /// "true": check everything and report, writing nothing.
    dry_run: Option<String>,
}

impl WriteQuery {
    pub fn dry_run(&self) -> bool {
        matches!(self.dry_run.as_deref(), Some("true" | "1" | "yes"))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CheckedCases {
    dry_run: bool,
    cases: Vec<CaseFacts>,
}

/// Adds cases from a JSON list or a CSV file (`Content-Type: text/csv`),
/// all or none; `?dry_run=true` checks them without writing.
#[utoipa::path(
    post,
    operation_id = "cases_create",
    path = "/inspections/{id}/cases",
    tag = "cases",
    summary = "Adds cases, all or none, from a JSON list or a CSV file (text/csv)",
    params(("id" = i64, Path, description = "The inspection's id"), WriteQuery),
    request_body(content = Vec<serde_json::Map<String, serde_json::Value>>, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = CreatedCases),
        (status = 200, description = "dry_run: checked, nothing written", body = CheckedCases),
        super::openapi::Writing,
        (status = 413, description = "Over the size limit", body = super::error::ErrorBody),
        (status = 415, description = "Not sent as a type this takes", body = super::error::ErrorBody)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiQuery(query): ApiQuery<WriteQuery>,
    body: CasesBody,
) -> Result<Response, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let inspection = db::inspections::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    drop(conn);
    let from_csv = matches!(body, CasesBody::Csv(_));
    let (cases, mut problems) = match body {
        CasesBody::Json(list) => {
            if list.is_empty() {
                return Err(ApiError::Unprocessable(vec![FieldError::whole(
                    "Send at least one case",
                )]));
            }
            let mut errors = Vec::new();
            let raws: Vec<RawCase> = list
                .into_iter()
                .enumerate()
                .map(|(index, object)| raw_case(&format!("[{index}]."), object, &mut errors))
                .collect();
            if !errors.is_empty() {
                return Err(ApiError::Unprocessable(errors));
            }
            (NumberedCase::in_order(raws), Vec::new())
        }
        CasesBody::Csv(text) => {
            let parsed = intake::parse_csv(&text).map_err(|problems| {
                ApiError::Unprocessable(problems.into_iter().map(FieldError::of).collect())
            })?;
            let problems = parsed.problems.into_iter().map(FieldError::of).collect();
            (parsed.cases, problems)
        }
    };
    // A JSON body's cases are named by their index in the array; a CSV's
    // by their row.
    let as_errors = |found: Vec<Problem>| -> Vec<FieldError> {
        found
            .into_iter()
            .map(|p| match (from_csv, p.row, p.field.name()) {
                (false, Some(row), Some(name)) => {
                    FieldError::new(format!("[{}].{name}", row - 1), p.message)
                }
                _ => FieldError::of(p),
            })
            .collect()
    };
    let actor = user.actor();
    if query.dry_run() || !problems.is_empty() {
        return match intake::check_cases(&state.pool, &actor, id, &cases).await {
            Ok(_) if !problems.is_empty() => Err(ApiError::Unprocessable(problems)),
            Ok(facts) => Ok(Json(CheckedCases {
                dry_run: true,
                cases: facts,
            })
            .into_response()),
            Err(Refusal::Invalid(found)) => {
                problems.extend(as_errors(found));
                problems.sort_by_key(|p| p.row);
                Err(ApiError::Unprocessable(problems))
            }
            Err(e) => Err(e.into()),
        };
    }
    match intake::add_cases(
        &state.pool,
        &actor,
        id,
        inspection.framework_version_id,
        &cases,
    )
    .await
    {
        Ok(added) => Ok((
            StatusCode::CREATED,
            Json(CreatedCases {
                cases: added
                    .into_iter()
                    .map(|c| CaseJson {
                        id: c.id,
                        marking_status: MarkingStatus::NotStarted,
                        revision: 0,
                        assigned_to: None,
                        facts: c.facts,
                    })
                    .collect(),
            }),
        )
            .into_response()),
        Err(Refusal::Invalid(found)) => Err(ApiError::Unprocessable(as_errors(found))),
        Err(e) => Err(e.into()),
    }
}

/// Corrects a case's facts: the same object as when adding a case.
#[utoipa::path(
    put,
    operation_id = "cases_update_facts",
    path = "/cases/{id}/facts",
    tag = "cases",
    summary = "Corrects a case's facts",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = serde_json::Map<String, serde_json::Value>, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = CaseDetail),
        super::openapi::Writing
    )
)]
pub async fn update_facts(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<serde_json::Map<String, Value>>,
) -> Result<Json<CaseDetail>, ApiError> {
    let mut errors = Vec::new();
    let raw = raw_case("", body, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(errors));
    }
    match intake::update_facts(&state.pool, &state.frameworks, &user.actor(), id, &raw).await {
        Ok(_) => Ok(Json(
            detail(&state, &user, id)
                .await
                .map_err(ApiError::after_commit)?,
        )),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetail {
    #[serde(flatten)]
    case: CaseJson,
    inspection_id: i64,
    /// Absent where the case's framework has no question sets.
    #[serde(skip_serializing_if = "Option::is_none")]
    question_set: Option<QuestionSetJson>,
    key_questions: BTreeMap<String, JudgementJson>,
    prompts: BTreeMap<String, String>,
    outcomes: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct QuestionSetJson {
    code: String,
    name: String,
    /// Why the case is on it: the facts that chose it, or the lead's reason.
    reason: String,
    /// The lead chose it over the set the facts choose.
    overridden: bool,
    /// The key questions the case is asked, in framework order.
    key_questions: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct JudgementJson {
    answer: String,
    rationale: Option<String>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: i64) -> Result<CaseDetail, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let case = db::cases::get(&mut conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    super::readable(&mut conn, user, case.inspection_id).await?;
    crate::qa::check_not_blind_to_case(&mut conn, &user.actor(), id).await?;
    let answers = db::answers::load(&mut conn, id).await?;
    let framework = state
        .frameworks
        .get(&mut conn, case.framework_version_id)
        .await?;
    drop(conn);
    let question_set = crate::question_sets::of_case(&framework, &case).map(|s| QuestionSetJson {
        code: s.set.code.clone(),
        name: s.set.name.clone(),
        reason: s.reason,
        overridden: s.overridden,
        key_questions: framework
            .key_questions()
            .filter(|kq| s.set.asks(kq.id))
            .map(|kq| kq.code.clone())
            .collect(),
    });
    let mut key_questions = BTreeMap::new();
    for kq in framework.key_questions() {
        if let Some(j) = answers.key_questions.get(&kq.id) {
            key_questions.insert(
                kq.code.clone(),
                JudgementJson {
                    answer: j.answer.code().to_owned(),
                    rationale: j.rationale.clone(),
                },
            );
        }
    }
    let prompts = framework
        .prompts()
        .filter_map(|p| {
            answers
                .prompts
                .get(&p.id)
                .map(|a| (p.code.clone(), a.code().to_owned()))
        })
        .collect();
    let outcomes = framework
        .outcomes
        .iter()
        .filter_map(|o| {
            answers
                .outcomes
                .get(&o.id)
                .map(|a| (o.code.clone(), a.code().to_owned()))
        })
        .collect();
    Ok(CaseDetail {
        inspection_id: case.inspection_id,
        question_set,
        case: CaseJson {
            id: case.id,
            marking_status: case.marking_status,
            revision: case.revision,
            assigned_to: case.assignee_name.clone(),
            facts: case.facts,
        },
        key_questions,
        prompts,
        outcomes,
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionSetBody {
    set: Option<String>,
    reason: Option<String>,
}

/// The lead chooses the case's question set with a reason, or hands the
/// choice back to its facts (`"set": "facts"`).
#[utoipa::path(
    put,
    operation_id = "cases_question_set",
    path = "/cases/{id}/question-set",
    tag = "cases",
    summary = "Chooses a case's question set",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = QuestionSetBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = CaseDetail),
        super::openapi::Writing
    )
)]
pub async fn question_set(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<QuestionSetBody>,
) -> Result<Json<CaseDetail>, ApiError> {
    let input = crate::question_sets::OverrideInput {
        set: body.set,
        reason: body.reason,
    };
    crate::question_sets::choose(&state.pool, &state.frameworks, &user.actor(), id, &input).await?;
    Ok(Json(
        detail(&state, &user, id)
            .await
            .map_err(ApiError::after_commit)?,
    ))
}

#[utoipa::path(
    get,
    operation_id = "cases_get",
    path = "/cases/{id}",
    tag = "cases",
    summary = "A case: facts, answers and revision",
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "OK", body = CaseDetail),
        super::openapi::Reading
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(detail(&state, &user, id).await?))
}

/// A key-question value: "yes" / "no" / "na", or an object with a rationale.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum KeyQuestionValue {
    Answer(String),
    Detailed {
        answer: Option<String>,
        rationale: Option<String>,
        /// Quote the rationale in the report draft.
        quote: Option<bool>,
    },
}

impl From<KeyQuestionValue> for KeyQuestionInput {
    fn from(value: KeyQuestionValue) -> Self {
        match value {
            KeyQuestionValue::Answer(answer) => KeyQuestionInput {
                answer: Some(answer),
                rationale: None,
                quote: None,
            },
            KeyQuestionValue::Detailed {
                answer,
                rationale,
                quote,
            } => KeyQuestionInput {
                answer,
                rationale,
                quote,
            },
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementsBody {
    #[serde(default)]
    key_questions: BTreeMap<String, KeyQuestionValue>,
    #[serde(default)]
    prompts: BTreeMap<String, String>,
    #[serde(default)]
    outcomes: BTreeMap<String, String>,
    complete: Option<bool>,
    /// The case revision the client last read (`GET /api/v1/cases/{id}`);
    /// when given, overwriting someone else's newer answers is refused (409).
    revision: Option<i64>,
}

#[utoipa::path(
    put,
    operation_id = "cases_judgements",
    path = "/cases/{id}/judgements",
    tag = "cases",
    summary = "Saves a case's answers",
    params(("id" = i64, Path, description = "The case's id")),
    request_body(content = JudgementsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "OK", body = CaseDetail),
        super::openapi::Writing
    )
)]
pub async fn judgements(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    ApiJson(body): ApiJson<JudgementsBody>,
) -> Result<Json<CaseDetail>, ApiError> {
    {
        // The reply shows the case's answers: a blind second marker gets
        // the refusal before anything is written, not after.
        let mut conn = state.pool.acquire().await?;
        crate::qa::check_not_blind_to_case(&mut conn, &user.actor(), id).await?;
    }
    let submission = Submission {
        key_questions: body
            .key_questions
            .into_iter()
            .map(|(code, value)| (code, KeyQuestionInput::from(value)))
            .collect(),
        prompts: body.prompts,
        outcomes: body.outcomes,
        complete: body.complete,
        revision: body.revision,
        standard: None,
    };
    match marking::save(
        &state.pool,
        &state.frameworks,
        &user.actor(),
        id,
        &submission,
    )
    .await
    {
        Ok(_) => Ok(Json(
            detail(&state, &user, id)
                .await
                .map_err(ApiError::after_commit)?,
        )),
        Err(e) => Err(e.into()),
    }
}
