//! `/`: every inspection of the programme, a page of 50 at a time with
//! filters and sorts, and `/annexe.csv`, the national annexe (all of it,
//! streamed).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::Response;
use casemark_rules::Rating;

use super::WebError;
use super::filters::{self, long_date};
use super::form::Query;
use crate::annexe::{self, long};
use crate::auth::CurrentUser;
use crate::db::inspections::{ListFilter, ListSort};
use crate::db::places::Region;
use crate::vocab::InspectionStatus;
use crate::{AppState, db, ratings};

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

pub(super) async fn inspections_page(
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

pub async fn national_csv(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let inspections = db::inspections::list(&mut conn, user.member_filter(), None).await?;
    let hidden = crate::qa::hidden_cases(&mut conn, &user.actor()).await?;
    drop(conn);
    let body = long::stream(state, inspections, hidden);
    Ok(annexe::download(
        annexe::CSV_TYPE,
        &annexe::national_file_name(),
        body,
    ))
}
