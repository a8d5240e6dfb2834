//! /api/v1/inspections: create, list and ratings.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use std::collections::BTreeMap;

use casemark_rules::{Interval, Margin, Proposal, Range, Rating};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::body::ApiJson;
use super::{ApiError, FieldError};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::ratings::InspectionRatings;
use crate::setup::{InspectionRequest, PduChoice};
use crate::vocab::InspectionStatus;
use crate::{AppState, db, ratings};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspectionBody {
    pdu: Option<String>,
    region: Option<String>,
    fieldwork_start: Option<String>,
    sample_week_1: Option<String>,
    sample_week_2: Option<String>,
    /// A framework's code (default: the current PDU framework).
    framework: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Created {
    pub(super) id: i64,
}

fn date_field(
    value: &Option<String>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("'{value}' is not a date in the form YYYY-MM-DD"),
            ));
            None
        }
    }
}

/// The region named in a body's `region`, or `None` with the problem
/// added (`missing`: what to say when it is not given).
pub(super) async fn region_field(
    state: &AppState,
    value: Option<&str>,
    missing: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<db::places::Region>, ApiError> {
    let Some(name) = value.map(str::trim).filter(|r| !r.is_empty()) else {
        errors.push(FieldError::new("region", missing));
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    let found = db::places::region_named(&mut conn, name).await?;
    if found.is_none() {
        errors.push(FieldError::new(
            "region",
            format!("'{name}' is not one of the 12 probation regions"),
        ));
    }
    Ok(found)
}

/// A body's required `fieldwork_start`, or `None` with the problem added.
pub(super) fn fieldwork_field(
    value: &Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<NaiveDate> {
    if value.as_deref().is_none_or(|f| f.trim().is_empty()) {
        errors.push(FieldError::new(
            "fieldwork_start",
            "Give the fieldwork start date as YYYY-MM-DD",
        ));
        return None;
    }
    date_field(value, "fieldwork_start", errors)
}

#[utoipa::path(
    post,
    operation_id = "inspections_create",
    path = "/inspections",
    tag = "inspections",
    summary = "Starts a PDU inspection",
    request_body(content = NewInspectionBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = Created),
        super::openapi::Creating
    )
)]
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewInspectionBody>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let mut errors = Vec::new();
    let region = region_field(
        &state,
        body.region.as_deref(),
        "Give the region of the PDU",
        &mut errors,
    )
    .await?;
    let pdu = body.pdu.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if pdu.is_none() {
        errors.push(FieldError::new("pdu", "Give the name of the PDU"));
    }
    let fieldwork_start = fieldwork_field(&body.fieldwork_start, &mut errors);
    let sample_week_1 = date_field(&body.sample_week_1, "sample_week_1", &mut errors);
    let sample_week_2 = date_field(&body.sample_week_2, "sample_week_2", &mut errors);
    let (Some(region), Some(pdu), Some(fieldwork_start), true) =
        (region, pdu, fieldwork_start, errors.is_empty())
    else {
        return Err(ApiError::Unprocessable(errors));
    };
    let request = InspectionRequest {
        region_id: region.id,
        pdu: PduChoice::Named(pdu.to_owned()),
        fieldwork_start,
        sample_week_1,
        sample_week_2,
        framework: body.framework.clone(),
    };
    match crate::setup::create_inspection(&state.pool, &user.actor(), &request).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(Created { id }))),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InspectionJson {
    id: i64,
    /// "pdu", or "region" for a region inspection (whose `pdu` is the
    /// region's name, "North West region").
    level: &'static str,
    pdu: String,
    region: String,
    fieldwork_start: NaiveDate,
    sample_week_1: Option<NaiveDate>,
    sample_week_2: Option<NaiveDate>,
    status: InspectionStatus,
    cases_total: i64,
    cases_complete: i64,
}

impl From<Inspection> for InspectionJson {
    fn from(i: Inspection) -> Self {
        InspectionJson {
            id: i.id,
            level: if i.of_region { "region" } else { "pdu" },
            pdu: i.pdu_name,
            region: i.region_name,
            fieldwork_start: i.fieldwork_start,
            sample_week_1: i.sample_week_1,
            sample_week_2: i.sample_week_2,
            status: i.status,
            cases_total: i.cases_total,
            cases_complete: i.cases_complete,
        }
    }
}

#[utoipa::path(
    get,
    operation_id = "inspections_list",
    path = "/inspections",
    tag = "inspections",
    summary = "Inspections the token's user may read",
    responses(
        (status = 200, description = "OK", body = Vec<InspectionJson>),
        super::openapi::Unauthorised
    )
)]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<Vec<InspectionJson>>, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let all = db::inspections::list(&mut conn, user.member_filter(), None).await?;
    Ok(Json(all.into_iter().map(InspectionJson::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingsJson {
    cases_total: u32,
    cases_complete: u32,
    provisional: bool,
    score: Option<u8>,
    max_score: u8,
    overall: Option<Rating>,
    /// The score if every unjudged answer were No / Yes and every
    /// unconfirmed domain one standard Inadequate / Outstanding.
    score_range: Option<RangeJson<u8>>,
    overall_range: Option<RangeJson<Rating>>,
    standards: Vec<StandardJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RangeJson<T> {
    worst: T,
    best: T,
}

impl<T> From<Range<T>> for RangeJson<T> {
    fn from(r: Range<T>) -> Self {
        RangeJson {
            worst: r.worst,
            best: r.best,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MarginJson {
    up: Option<u32>,
    down: Option<u32>,
}

impl From<Margin> for MarginJson {
    fn from(m: Margin) -> Self {
        MarginJson {
            up: m.up,
            down: m.down,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntervalJson {
    low: u8,
    high: u8,
}

impl From<Interval> for IntervalJson {
    fn from(i: Interval) -> Self {
        IntervalJson {
            low: i.low,
            high: i.high,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StandardJson {
    code: String,
    name: String,
    domain: i16,
    /// "cases" or "evidence".
    rated_from: &'static str,
    /// Whether it counts towards the score.
    scored: bool,
    rating: Option<Rating>,
    score: Option<u8>,
    /// Domain one only: whether `rating` is the lead's confirmation (false
    /// while the standard waits for one; `proposal` then says what its
    /// key-question judgements point to).
    #[serde(skip_serializing_if = "Option::is_none")]
    confirmed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proposal: Option<ProposalJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    driving_key_question: Option<String>,
    /// Domain two only: how far the rating is from its neighbours.
    #[serde(skip_serializing_if = "Option::is_none")]
    margin: Option<MarginJson>,
    /// Domain two only: one case's answer could change the rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    fragile: Option<bool>,
    /// Domain two only: the ratings the unjudged answers leave open (null
    /// when nothing is judged yet).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RangeJson<Rating>>)]
    range: Option<Option<RangeJson<Rating>>>,
    /// Domain two only: no unjudged answer can change the rating.
    #[serde(skip_serializing_if = "Option::is_none")]
    settled: Option<bool>,
    /// Domain two only: the rating in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    key_questions: Vec<KeyQuestionJson>,
}

/// A domain one proposal: the rating and how many key questions were
/// judged at each point of the scale.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProposalJson {
    rating: Rating,
    spread: BTreeMap<&'static str, u32>,
}

impl From<Proposal> for ProposalJson {
    fn from(p: Proposal) -> Self {
        ProposalJson {
            rating: p.rating,
            spread: p.spread_by_rating().map(|(r, n)| (r.code(), n)).collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct KeyQuestionJson {
    code: String,
    /// The area's code ("safety").
    area: String,
    yes: u32,
    no: u32,
    na: u32,
    percent: Option<u8>,
    margin: MarginJson,
    /// Cases whose question set asks it: the whole sample where the
    /// framework has no question sets.
    cases_asked: u32,
    unjudged: u32,
    range: Option<RangeJson<u8>>,
    interval: Option<IntervalJson>,
    small_sample: bool,
    prompts: Vec<PromptJson>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PromptJson {
    code: String,
    yes: u32,
    no: u32,
    na: u32,
}

impl From<InspectionRatings> for RatingsJson {
    fn from(r: InspectionRatings) -> Self {
        RatingsJson {
            cases_total: r.cases_total,
            cases_complete: r.cases_complete,
            provisional: r.provisional,
            score: r.score,
            max_score: r.max_score,
            overall: r.overall,
            score_range: r.composite_range.map(|c| {
                RangeJson::from(Range {
                    worst: c.worst.score,
                    best: c.best.score,
                })
            }),
            overall_range: r.composite_range.map(|c| {
                RangeJson::from(Range {
                    worst: c.worst.overall,
                    best: c.best.overall,
                })
            }),
            standards: r
                .standards
                .into_iter()
                .map(|s| StandardJson {
                    score: s.score(),
                    confirmed: s.from_evidence().then_some(s.rating.is_some()),
                    proposal: s.proposal.map(ProposalJson::from),
                    code: s.code,
                    name: s.name,
                    domain: s.domain,
                    rated_from: s.rated_from.code(),
                    scored: s.scored,
                    rating: s.rating,
                    driving_key_question: s.driving_key_question,
                    margin: s.outlook.as_ref().map(|o| o.margin.into()),
                    fragile: s.outlook.as_ref().map(|o| o.fragile),
                    range: s.outlook.as_ref().map(|o| o.range.map(RangeJson::from)),
                    settled: s.outlook.as_ref().map(|o| o.settled),
                    explanation: s.outlook.map(|o| o.explanation),
                    key_questions: s
                        .key_questions
                        .into_iter()
                        .map(|kq| KeyQuestionJson {
                            code: kq.code,
                            area: kq.area.code().to_owned(),
                            yes: kq.counts.yes,
                            no: kq.counts.no,
                            na: kq.counts.na,
                            percent: kq.percent,
                            margin: kq.outlook.margin.into(),
                            cases_asked: kq.applicable,
                            unjudged: kq.outlook.unjudged,
                            range: kq.outlook.range.map(RangeJson::from),
                            interval: kq.outlook.interval.map(IntervalJson::from),
                            small_sample: kq.outlook.small_sample,
                            prompts: kq
                                .prompts
                                .into_iter()
                                .map(|p| PromptJson {
                                    code: p.code,
                                    yes: p.counts.yes,
                                    no: p.counts.no,
                                    na: p.counts.na,
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

pub(super) async fn ratings_of(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<RatingsJson, ApiError> {
    let mut conn = state.pool.acquire().await?;
    let (inspection, framework) = super::readable_inspection(&mut conn, state, user, id).await?;
    Ok(ratings::for_inspection(&mut conn, &framework, &inspection)
        .await?
        .into())
}

/// `GET /inspections/{id}/events`: an event per committed change to the
/// inspection's figures, for integrations (`live::stream`).
#[utoipa::path(
    get,
    operation_id = "inspections_events",
    path = "/inspections/{id}/events",
    tag = "ratings",
    summary = "Server-sent events: one per committed change to the inspection's figures",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "`text/event-stream`: `ready`, then `ratings` after each committed change and `resync` when changes may have been missed; data `{\"inspection\": id}`", content_type = "text/event-stream", body = String),
        super::openapi::Reading,
        (status = 406, description = "The request does not accept text/event-stream", body = super::error::ErrorBody)
    )
)]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let mut conn = state.pool.acquire().await?;
    super::readable(&mut conn, &user, id).await?;
    drop(conn);
    if !crate::live::wants_stream(&headers) {
        return Err(ApiError::NotAcceptable);
    }
    Ok(crate::live::stream(&state.live, crate::live::Watched::Inspection(id)).into_response())
}

#[utoipa::path(
    get,
    operation_id = "inspections_ratings",
    path = "/inspections/{id}/ratings",
    tag = "ratings",
    summary = "An inspection's ratings, explained",
    params(("id" = i64, Path, description = "The inspection's id")),
    responses(
        (status = 200, description = "OK", body = RatingsJson),
        super::openapi::Reading
    )
)]
pub async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<Json<RatingsJson>, ApiError> {
    Ok(Json(ratings_of(&state, &user, id).await?))
}
