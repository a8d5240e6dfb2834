//! `GET /national`: the national figures and the PDU ratings table over
//! published inspections (docs/api.md, "The national picture").

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};

use super::ApiError;
use super::body::ApiQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::national::{self, Figures, Filter};

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default, deny_unknown_fields)]
pub struct NationalQuery {
    from: Option<String>,
    to: Option<String>,
    region: Option<i16>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NationalJson {
    #[serde(flatten)]
    figures: Figures,
    /// Published region inspections' ratings, counted.
    region_inspections: national::RegionLevel,
    /// The PDU ratings table, highest score first.
    pdus: Vec<PduRow>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PduRow {
    id: i64,
    pdu: String,
    region: String,
    published_on: chrono::NaiveDate,
    score: Option<u8>,
    overall: Option<casemark_rules::Rating>,
    /// In framework order.
    ratings: Vec<RatingCell>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RatingCell {
    code: String,
    rating: Option<casemark_rules::Rating>,
}

fn date(field: &'static str, value: Option<&str>) -> Result<Option<chrono::NaiveDate>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                ApiError::Unprocessable(vec![super::FieldError::new(
                    field,
                    format!("'{v}' is not a date written YYYY-MM-DD"),
                )])
            }),
    }
}

#[utoipa::path(
    get,
    operation_id = "national_get",
    path = "/national",
    tag = "national",
    summary = "The national picture: published inspections' ratings and figures",
    params(NationalQuery),
    responses(
        (status = 200, description = "OK", body = NationalJson),
        super::openapi::Unauthorised,
        super::openapi::Unprocessable
    )
)]
pub async fn get(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<NationalQuery>,
) -> Result<Json<NationalJson>, ApiError> {
    let filter = Filter {
        from: date("from", query.from.as_deref())?,
        to: date("to", query.to.as_deref())?,
        region: query.region,
        member: user.member_filter(),
    };
    let mut conn = state.pool.acquire().await?;
    let (framework, rows) = national::table(&mut conn, &state.frameworks, &filter).await?;
    let figures = national::figures(&mut conn, &framework, &rows).await?;
    let region_inspections = national::region_level(&mut conn, &state.frameworks, &filter).await?;
    let pdus = rows
        .into_iter()
        .map(|r| PduRow {
            id: r.published.inspection.id,
            pdu: r.published.inspection.pdu_name,
            region: r.published.inspection.region_name,
            published_on: r.published.published_on,
            score: r.summary.score,
            overall: r.summary.overall,
            ratings: framework
                .standards
                .iter()
                .zip(r.summary.standards)
                .map(|(s, rating)| RatingCell {
                    code: s.code.clone(),
                    rating,
                })
                .collect(),
        })
        .collect();
    Ok(Json(NationalJson {
        figures,
        region_inspections,
        pdus,
    }))
}
