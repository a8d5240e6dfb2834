//! `/inspections/new` and `POST /inspections`: a lead starts an inspection
//! (region, then PDU and dates).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::CurrentUser;
use crate::db::framework::Listed;
use crate::db::places::{Pdu, Region};
use crate::refusal::Refusal;
use crate::setup::{InspectionRequest, PduChoice};
use crate::web::WebError;
use crate::{AppState, db};

/// `/inspections/new`: the first step, choosing the region.
#[derive(Template, WebTemplate)]
#[template(path = "new_inspection_region.html")]
pub struct RegionPage {
    nav: crate::web::Nav,
    regions: Vec<Region>,
    errors: FormErrors,
}
use crate::web::form::{DateInput, Form, FormErrors, Query};

/// Starting an inspection, of a PDU or a region: any lead.
pub(crate) fn require_lead(user: &CurrentUser) -> Result<(), WebError> {
    if crate::access::may_create_inspection(&user.actor()) {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}

pub async fn choose_region(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<RegionPage, WebError> {
    require_lead(&user)?;
    let mut conn = state.pool.acquire().await?;
    Ok(RegionPage {
        nav: crate::web::Nav::from(&user),
        regions: db::places::regions(&mut conn).await?,
        errors: FormErrors::default(),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RegionQuery {
    #[serde(default)]
    region: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "new_inspection_details.html")]
pub struct DetailsPage {
    nav: crate::web::Nav,
    region: Region,
    pdus: Vec<Pdu>,
    /// The framework versions in use, to choose from (the current PDU
    /// framework first, chosen unless the form says otherwise).
    frameworks: Vec<Listed>,
    form: DetailsForm,
    errors: FormErrors,
}

impl DetailsPage {
    fn framework_chosen(&self, code: &str) -> bool {
        if self.form.framework.is_empty() {
            code == db::framework::CURRENT_FRAMEWORK_CODE
        } else {
            self.form.framework == code
        }
    }
}

/// The versions an inspection may be created under, the current first.
async fn frameworks_in_use(state: &AppState) -> Result<Vec<Listed>, WebError> {
    let mut conn = state.pool.acquire().await?;
    let mut listed: Vec<Listed> = db::framework::list(&mut conn)
        .await?
        .into_iter()
        .filter(|f| f.status == "in_use" && f.level == "pdu")
        .collect();
    listed.sort_by_key(|f| f.code != db::framework::CURRENT_FRAMEWORK_CODE);
    Ok(listed)
}

/// The details form as posted; kept as text so it can be shown back.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    region: String,
    framework: String,
    pdu: String,
    new_pdu: String,
    #[serde(rename = "fieldwork_start-day")]
    fieldwork_day: String,
    #[serde(rename = "fieldwork_start-month")]
    fieldwork_month: String,
    #[serde(rename = "fieldwork_start-year")]
    fieldwork_year: String,
    #[serde(rename = "sample_week_1-day")]
    week_1_day: String,
    #[serde(rename = "sample_week_1-month")]
    week_1_month: String,
    #[serde(rename = "sample_week_1-year")]
    week_1_year: String,
    #[serde(rename = "sample_week_2-day")]
    week_2_day: String,
    #[serde(rename = "sample_week_2-month")]
    week_2_month: String,
    #[serde(rename = "sample_week_2-year")]
    week_2_year: String,
}

impl DetailsForm {
    fn fieldwork(&self) -> DateInput {
        date(
            &self.fieldwork_day,
            &self.fieldwork_month,
            &self.fieldwork_year,
        )
    }
    fn week_1(&self) -> DateInput {
        date(&self.week_1_day, &self.week_1_month, &self.week_1_year)
    }
    fn week_2(&self) -> DateInput {
        date(&self.week_2_day, &self.week_2_month, &self.week_2_year)
    }
}

fn date(day: &str, month: &str, year: &str) -> DateInput {
    DateInput {
        day: day.to_owned(),
        month: month.to_owned(),
        year: year.to_owned(),
    }
}

/// The region a form's `region` field names by id, if any.
pub(crate) async fn region_from(state: &AppState, raw: &str) -> Result<Option<Region>, WebError> {
    let Ok(id) = raw.trim().parse::<i16>() else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    Ok(db::places::region(&mut conn, id).await?)
}

async fn region_page_with_error(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let mut errors = FormErrors::default();
    errors.add("region", "region", "Select the region of the PDU");
    let page = RegionPage {
        nav: crate::web::Nav::from(user),
        regions: db::places::regions(&mut conn).await?,
        errors,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn details(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RegionQuery>,
) -> Result<Response, WebError> {
    require_lead(&user)?;
    let Some(region) = region_from(&state, &query.region).await? else {
        return region_page_with_error(&state, &user).await;
    };
    let mut conn = state.pool.acquire().await?;
    let pdus = db::places::pdus_in_region(&mut conn, region.id).await?;
    let form = DetailsForm {
        region: region.id.to_string(),
        ..DetailsForm::default()
    };
    Ok(DetailsPage {
        nav: crate::web::Nav::from(&user),
        region,
        pdus,
        frameworks: frameworks_in_use(&state).await?,
        form,
        errors: FormErrors::default(),
    }
    .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DetailsForm>,
) -> Result<Response, WebError> {
    require_lead(&user)?;
    let Some(region) = region_from(&state, &form.region).await? else {
        return region_page_with_error(&state, &user).await;
    };
    let mut errors = FormErrors::default();
    let pdu = match form.pdu.as_str() {
        "new" if form.new_pdu.trim().is_empty() => {
            errors.add("new_pdu", "new_pdu", "Enter the name of the new PDU");
            None
        }
        "new" => Some(PduChoice::Named(form.new_pdu.clone())),
        other => match other.parse::<i64>() {
            Ok(id) => Some(PduChoice::Existing(id)),
            Err(_) => {
                errors.add("pdu", "pdu", "Select the PDU, or add a new one");
                None
            }
        },
    };
    let fieldwork =
        form.fieldwork()
            .required("fieldwork_start", "Fieldwork start date", &mut errors);
    let mut week = |input: DateInput, field: &str, label: &str| match input.parse(label) {
        Ok(d) => d,
        Err(message) => {
            errors.add(field, &format!("{field}-day"), message);
            None
        }
    };
    let week_1 = week(form.week_1(), "sample_week_1", "First sample week");
    let week_2 = week(form.week_2(), "sample_week_2", "Second sample week");

    if let (Some(pdu), Some(fieldwork_start), true) = (pdu, fieldwork, errors.is_empty()) {
        let request = InspectionRequest {
            region_id: region.id,
            pdu,
            fieldwork_start,
            sample_week_1: week_1,
            sample_week_2: week_2,
            framework: Some(form.framework.trim().to_owned()).filter(|f| !f.is_empty()),
        };
        match crate::setup::create_inspection(&state.pool, &user.actor(), &request).await {
            Ok(id) => return Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
            Err(Refusal::Invalid(problems)) => {
                for p in problems {
                    // Dates link to their day box.
                    let field = p.field.name().unwrap_or("pdu");
                    let id = match field {
                        "pdu" | "framework" => field.to_owned(),
                        date => format!("{date}-day"),
                    };
                    errors.add(field, &id, p.message);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut conn = state.pool.acquire().await?;
    let pdus = db::places::pdus_in_region(&mut conn, region.id).await?;
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        DetailsPage {
            nav: crate::web::Nav::from(&user),
            region,
            pdus,
            frameworks: frameworks_in_use(&state).await?,
            form,
            errors,
        },
    )
        .into_response())
}
