//! The inspections list and the new-inspection journey (region, then PDU
//! and dates).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;

use super::WebError;
use super::form::{DateInput, Form, FormErrors, Query};
use crate::auth::CurrentUser;
use crate::db::inspections::{ListFilter, ListSort};
use crate::db::places::{Pdu, Region};
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::setup::{InspectionRequest, PduChoice};
use crate::vocab::InspectionStatus;
use crate::{AppState, db, ratings};
use casemark_rules::Rating;

pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

pub struct InspectionRow {
    pub id: i64,
    pub pdu: String,
    pub region: String,
    pub region_id: i16,
    pub fieldwork: String,
    pub status: InspectionStatus,
    pub cases_complete: i64,
    pub cases_total: i64,
    /// The seven standards' ratings, in framework order.
    pub standards: Vec<Option<Rating>>,
    pub score: Option<u8>,
    /// The overall rating, provisional or not, once all seven are rated.
    pub overall: Option<Rating>,
    pub provisional: bool,
}

/// Inspections on one page of the national table.
pub const PER_PAGE: u32 = 50;

#[derive(Template, WebTemplate)]
#[template(path = "inspections.html")]
pub struct InspectionsPage {
    nav: super::Nav,
    /// "Inspections", or "Inspections in Wales" on a region's page.
    heading: String,
    /// Where the filters and pages point: "/" or "/regions/{id}".
    base: String,
    /// The regions to filter by (the national table only).
    regions: Vec<Region>,
    query: ListQuery,
    /// Column headings for the seven standards: code and name.
    standards: Vec<(String, String)>,
    rows: Vec<InspectionRow>,
    total: i64,
    /// From 0.
    page: u32,
    can_create: bool,
}

impl InspectionsPage {
    fn rating(&self, rating: &Option<Rating>) -> &'static str {
        rating.map_or("–", |r| r.label())
    }

    fn statuses(&self) -> &'static [InspectionStatus] {
        InspectionStatus::ALL
    }

    fn ratings(&self) -> [Rating; 4] {
        [
            Rating::Outstanding,
            Rating::Good,
            Rating::RequiresImprovement,
            Rating::Inadequate,
        ]
    }

    fn sorts(&self) -> [ListSort; 5] {
        ListSort::ALL
    }

    fn pages(&self) -> u32 {
        u32::try_from(self.total.max(0))
            .unwrap_or(u32::MAX)
            .div_ceil(PER_PAGE)
    }

    /// "Showing 51 to 100 of 2,000 inspections".
    fn showing(&self) -> String {
        let first = i64::from(self.page) * i64::from(PER_PAGE) + 1;
        let last = (first + self.rows.len() as i64 - 1).max(first);
        format!("Showing {first} to {last} of {} inspections", self.total)
    }

    /// The link to page `page` (from 0) with the same filters.
    fn page_link(&self, page: impl std::borrow::Borrow<u32>) -> String {
        self.query.link(&self.base, *page.borrow())
    }

    /// The page numbers to offer: the first, the last, and those around
    /// this one; `None` where some are left out.
    fn page_numbers(&self) -> Vec<Option<u32>> {
        let pages = self.pages();
        let mut out = Vec::new();
        for n in 0..pages {
            let near = n.abs_diff(self.page) <= 1;
            if n == 0 || n + 1 == pages || near {
                out.push(Some(n));
            } else if out.last().is_some_and(Option::is_some) {
                out.push(None);
            }
        }
        out
    }
}

/// The national table's filters, order and page, as the query string
/// carries them. Unknown values are ignored (the unfiltered table).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ListQuery {
    region: String,
    status: String,
    overall: String,
    sort: String,
    /// From 1, as people count pages.
    page: String,
}

impl ListQuery {
    fn filter(&self, user: &CurrentUser, region: Option<i16>) -> ListFilter {
        let overall = match self.overall.as_str() {
            "none" => Some(None),
            code => code.parse::<Rating>().ok().map(Some),
        };
        ListFilter {
            member: user.member_filter(),
            region: region.or_else(|| self.region.parse().ok()),
            status: self.status.parse().ok(),
            overall,
            sort: ListSort::parse(&self.sort).unwrap_or_default(),
            page: self.page.parse::<u32>().map_or(0, |p| p.saturating_sub(1)),
            per_page: PER_PAGE,
        }
    }

    fn link(&self, base: &str, page: u32) -> String {
        let page = (page + 1).to_string();
        let pairs: Vec<(&str, &str)> = [
            ("region", self.region.as_str()),
            ("status", self.status.as_str()),
            ("overall", self.overall.as_str()),
            ("sort", self.sort.as_str()),
            ("page", page.as_str()),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        format!("{base}?{query}")
    }
}

/// The national table: every inspection the user may see, with its seven
/// ratings, score and overall rating, 50 a page, filtered and sorted.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<InspectionsPage, WebError> {
    inspections_page(&state, &user, query, None, "Inspections".to_owned()).await
}

/// One region's inspections.
pub async fn region(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Query(query): Query<ListQuery>,
) -> Result<InspectionsPage, WebError> {
    let id = i16::try_from(id).map_err(|_| WebError::NotFound)?;
    let mut conn = state.pool.acquire().await?;
    let region = db::places::region(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    inspections_page(
        &state,
        &user,
        query,
        Some(id),
        format!("Inspections in {}", region.name),
    )
    .await
}

async fn inspections_page(
    state: &AppState,
    user: &CurrentUser,
    query: ListQuery,
    region: Option<i16>,
    heading: String,
) -> Result<InspectionsPage, WebError> {
    let filter = query.filter(user, region);
    let mut conn = state.pool.acquire().await?;
    // The national table filters by region; a region's page has its own.
    let regions = match region {
        None => db::places::regions(&mut conn).await?,
        Some(_) => Vec::new(),
    };
    let listed = ratings::list_page(&mut conn, &state.frameworks, &filter).await?;
    let standards = match listed.rows.first() {
        Some((first, _)) => state
            .frameworks
            .get(&mut conn, first.framework_version_id)
            .await?
            .standards
            .iter()
            .map(|s| (s.code.clone(), s.name.clone()))
            .collect(),
        None => Vec::new(),
    };
    drop(conn);
    let rows = listed
        .rows
        .into_iter()
        .map(|(i, summary)| InspectionRow {
            id: i.id,
            pdu: i.pdu_name,
            region: i.region_name,
            region_id: i.region_id,
            fieldwork: long_date(i.fieldwork_start),
            status: i.status,
            cases_complete: i.cases_complete,
            cases_total: i.cases_total,
            standards: summary.standards,
            score: summary.score,
            overall: summary.overall,
            provisional: summary.provisional,
        })
        .collect();
    Ok(InspectionsPage {
        nav: super::Nav::from(user),
        heading,
        base: region.map_or_else(|| "/".to_owned(), |id| format!("/regions/{id}")),
        regions,
        query,
        standards,
        total: listed.total,
        page: filter.page,
        can_create: crate::access::may_create_inspection(&user.actor()),
        rows,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "new_inspection_region.html")]
pub struct RegionPage {
    nav: super::Nav,
    regions: Vec<Region>,
    errors: FormErrors,
}

fn require_lead(user: &CurrentUser) -> Result<(), WebError> {
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
        nav: super::Nav::from(&user),
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
    nav: super::Nav,
    region: Region,
    pdus: Vec<Pdu>,
    form: DetailsForm,
    errors: FormErrors,
}

/// The details form as posted; kept as text so it can be shown back.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    region: String,
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

async fn region_from(state: &AppState, raw: &str) -> Result<Option<Region>, WebError> {
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
        nav: super::Nav::from(user),
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
        nav: super::Nav::from(&user),
        region,
        pdus,
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
    let fieldwork = match form.fieldwork().parse("Fieldwork start date") {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.add(
                "fieldwork_start",
                "fieldwork_start-day",
                "Enter the fieldwork start date",
            );
            None
        }
        Err(message) => {
            errors.add("fieldwork_start", "fieldwork_start-day", message);
            None
        }
    };
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
        };
        match crate::setup::create_inspection(&state.pool, &user.actor(), &request).await {
            Ok(id) => return Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
            Err(Refusal::Invalid(problems)) => {
                for p in problems {
                    // Dates link to their day box.
                    let field = p.field.name().unwrap_or("pdu");
                    let id = match field {
                        "pdu" => "pdu".to_owned(),
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
            nav: super::Nav::from(&user),
            region,
            pdus,
            form,
            errors,
        },
    )
        .into_response())
}
