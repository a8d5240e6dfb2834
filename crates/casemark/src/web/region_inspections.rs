//! `/region-inspections/new` and `POST /region-inspections`: a lead starts a
//! region inspection, choosing the region, the fieldwork date and the
//! region's PDU inspections whose casework it pools.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::db::places::Region;
use crate::refusal::Refusal;
use crate::region_inspections::RegionInspectionRequest;
use crate::web::WebError;
use crate::web::form::{DateInput, Form, FormErrors, Query};
use crate::web::inspections::new::{region_from, require_lead};
use crate::{AppState, db};

#[derive(Template, WebTemplate)]
#[template(path = "new_region_inspection.html")]
pub struct NewRegionInspectionPage {
    nav: crate::web::Nav,
    regions: Vec<Region>,
    /// Chosen: the form for the rest; `None`: choose the region first.
    region: Option<Region>,
    /// The region's PDU inspections, latest fieldwork first.
    inspections: Vec<Inspection>,
    /// The ids ticked (all, on first showing).
    ticked: Vec<i64>,
    fieldwork: DateInput,
    errors: FormErrors,
}

impl NewRegionInspectionPage {
    fn is_ticked(&self, id: &i64) -> bool {
        self.ticked.contains(id)
    }

    fn date(&self, date: &chrono::NaiveDate) -> String {
        crate::web::filters::long_date(*date)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RegionQuery {
    #[serde(default)]
    region: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    region: Option<Region>,
    ticked: Option<Vec<i64>>,
    fieldwork: DateInput,
    errors: FormErrors,
) -> Result<NewRegionInspectionPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let regions = db::places::regions(&mut conn).await?;
    let inspections = match &region {
        Some(r) => db::inspections::list(&mut conn, None, Some(r.id))
            .await?
            .into_iter()
            .filter(|i| !i.of_region)
            .collect(),
        None => Vec::new(),
    };
    let ticked = ticked.unwrap_or_else(|| inspections.iter().map(|i: &Inspection| i.id).collect());
    Ok(NewRegionInspectionPage {
        nav: crate::web::Nav::from(user),
        regions,
        region,
        inspections,
        ticked,
        fieldwork,
        errors,
    })
}

pub async fn new(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RegionQuery>,
) -> Result<Response, WebError> {
    require_lead(&user)?;
    let region = region_from(&state, &query.region).await?;
    let mut errors = FormErrors::default();
    if region.is_none() && !query.region.is_empty() {
        errors.add("region", "region", "Select the region inspected");
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = page(&state, &user, region, None, DateInput::default(), errors).await?;
    Ok((status, page).into_response())
}

/// The form as posted: the region, the fieldwork date's three boxes and
/// one `pdu_inspection` per ticked box (so read as pairs).
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    require_lead(&user)?;
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let Some(region) = region_from(&state, &value("region")).await? else {
        let mut errors = FormErrors::default();
        errors.add("region", "region", "Select the region inspected");
        let page = page(&state, &user, None, None, DateInput::default(), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let fieldwork = DateInput {
        day: value("fieldwork_start-day"),
        month: value("fieldwork_start-month"),
        year: value("fieldwork_start-year"),
    };
    let mut errors = FormErrors::default();
    let mut ticked = Vec::new();
    for (_, v) in pairs.iter().filter(|(k, _)| k == "pdu_inspection") {
        match v.parse::<i64>() {
            Ok(id) => ticked.push(id),
            Err(_) => return Err(WebError::BadRequest(format!("'{v}' is not an inspection"))),
        }
    }
    let fieldwork_start =
        fieldwork.required("fieldwork_start", "Fieldwork start date", &mut errors);
    if let Some(fieldwork_start) = fieldwork_start {
        let request = RegionInspectionRequest {
            region_id: region.id,
            fieldwork_start,
            pdu_inspections: ticked.clone(),
            framework: None,
        };
        match crate::region_inspections::create(&state.pool, &user.actor(), &request).await {
            Ok(id) => return Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
            Err(Refusal::Invalid(problems)) => {
                for p in problems {
                    let field = p.field.name().unwrap_or("pdu_inspections");
                    let id = match field {
                        "pdu_inspections" => "pdu_inspections".to_owned(),
                        "fieldwork_start" => "fieldwork_start-day".to_owned(),
                        other => other.to_owned(),
                    };
                    errors.add(field, &id, p.message);
                }
            }
            Err(e) => return Err(e.into()),
        }
    } else if ticked.is_empty() {
        errors.add(
            "pdu_inspections",
            "pdu_inspections",
            "Select the PDU inspections whose cases the region inspection pools",
        );
    }
    let page = page(&state, &user, Some(region), Some(ticked), fieldwork, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
