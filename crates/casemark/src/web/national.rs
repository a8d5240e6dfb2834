//! `/national`: the annual report's national picture: the PDU ratings
//! table (as a page, CSV and XLSX) and the national figures with a picture
//! per standard, over published inspections by publication date and region.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casemark_rules::Rating;

use super::chart::{CountChart, count_chart};
use super::filters;
use super::form::{FormErrors, Query};
use super::{Nav, WebError};
use crate::auth::CurrentUser;
use crate::db::places::Region;
use crate::framework::Framework;
use crate::national::{self, Figures, Filter, TableRow, rating_label};
use crate::{AppState, db};

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NationalQuery {
    from: String,
    to: String,
    region: String,
}

impl NationalQuery {
    /// The filter, or the form's errors beside its fields.
    fn filter(&self, user: &CurrentUser) -> Result<Filter, FormErrors> {
        let mut errors = FormErrors::default();
        let mut date = |field: &str, value: &str| match value.trim() {
            "" => None,
            v => crate::intake::parse_date(v).or_else(|| {
                errors.add(
                    field,
                    field,
                    format!("'{v}' must be a real date, like 2024-03-27 or 27/03/2024"),
                );
                None
            }),
        };
        let from = date("from", &self.from);
        let to = date("to", &self.to);
        if errors.is_empty() {
            Ok(Filter {
                from,
                to,
                region: self.region.parse().ok(),
                member: user.member_filter(),
            })
        } else {
            Err(errors)
        }
    }

    /// The query string the page's links carry.
    fn query_string(&self) -> String {
        serde_urlencoded::to_string([
            ("from", self.from.trim()),
            ("to", self.to.trim()),
            ("region", self.region.trim()),
        ])
        .unwrap_or_default()
    }
}

pub struct StandardFigure {
    code: String,
    name: String,
    chart: CountChart,
    counts: [(&'static str, u32); 4],
}

#[derive(Template, WebTemplate)]
#[template(path = "national.html")]
pub struct NationalPage {
    nav: Nav,
    query: NationalQuery,
    regions: Vec<Region>,
    errors: FormErrors,
    codes: Vec<(String, String)>,
    rows: Vec<TableRow>,
    figures: Option<Figures>,
    standards: Vec<StandardFigure>,
    files: String,
    /// Published region inspections' ratings, counted.
    region_level: Option<national::RegionLevel>,
}

impl NationalPage {
    /// The filter's date fields: (name, label, example).
    fn date_fields(&self) -> [(&'static str, &'static str, &'static str); 2] {
        [
            ("from", "Published from", "2024-04-01"),
            ("to", "Published to", "2025-03-31"),
        ]
    }

    fn typed(&self, field: &str) -> &str {
        match field {
            "from" => &self.query.from,
            _ => &self.query.to,
        }
    }

    fn label(&self, rating: &Option<Rating>) -> &'static str {
        rating_label(*rating)
    }

    fn ratings(&self) -> [Rating; 4] {
        [
            Rating::Outstanding,
            Rating::Good,
            Rating::RequiresImprovement,
            Rating::Inadequate,
        ]
    }
}

fn standard_figures(figures: &Figures) -> Vec<StandardFigure> {
    figures
        .standards
        .iter()
        .map(|s| StandardFigure {
            code: s.code.clone(),
            name: s.name.clone(),
            chart: count_chart(
                &format!("national-{}", filters::dom_id(&s.code)),
                format!(
                    "{} {}: inspections by rating, shown in the table after it",
                    s.code, s.name
                ),
                &s.ratings,
            ),
            counts: [
                Rating::Outstanding,
                Rating::Good,
                Rating::RequiresImprovement,
                Rating::Inadequate,
            ]
            .map(|r| (r.label(), s.ratings.get(r))),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NationalQuery>,
) -> Result<Response, WebError> {
    let mut conn = state.pool.acquire().await?;
    let regions = db::places::regions(&mut conn).await?;
    let (filter, errors) = match query.filter(&user) {
        Ok(filter) => (filter, FormErrors::default()),
        // The page still shows everything, unfiltered by the bad dates.
        Err(errors) => (
            Filter {
                member: user.member_filter(),
                ..Filter::default()
            },
            errors,
        ),
    };
    let (framework, rows) = national::table(&mut conn, &state.frameworks, &filter).await?;
    let figures = national::figures(&mut conn, &framework, &rows).await?;
    let region_level = national::region_level(&mut conn, &state.frameworks, &filter).await?;
    drop(conn);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = NationalPage {
        nav: Nav::from(&user),
        files: query.query_string(),
        query,
        regions,
        errors,
        codes: codes(&framework),
        standards: standard_figures(&figures),
        figures: Some(figures),
        rows,
        region_level: Some(region_level),
    };
    Ok((status, page).into_response())
}

fn codes(framework: &Framework) -> Vec<(String, String)> {
    framework
        .standards
        .iter()
        .map(|s| (s.code.clone(), s.name.clone()))
        .collect()
}

/// The table's header and rows, as the files write them.
fn table_cells(framework: &Framework, rows: &[TableRow]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = [
        "PDU",
        "Region",
        "Overall rating",
        "Published",
        "Score (out of 21)",
    ]
    .map(str::to_owned)
    .to_vec();
    header.extend(
        framework
            .standards
            .iter()
            .map(|s| format!("{} {}", s.code, s.name)),
    );
    let cells = rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.published.inspection.pdu_name.clone(),
                r.published.inspection.region_name.clone(),
                rating_label(r.summary.overall).to_owned(),
                r.published.published_on.to_string(),
                r.summary.score.map(|s| s.to_string()).unwrap_or_default(),
            ];
            row.extend(
                r.summary
                    .standards
                    .iter()
                    .map(|s| rating_label(*s).to_owned()),
            );
            row
        })
        .collect();
    (header, cells)
}

/// The table's header and rows for a file, filtered as the page is.
async fn table_for(
    state: &AppState,
    user: &CurrentUser,
    query: &NationalQuery,
) -> Result<(Vec<String>, Vec<Vec<String>>), WebError> {
    let filter = query.filter(user).map_err(|_| {
        WebError::BadRequest("The dates must be real dates, like 2024-03-27".into())
    })?;
    let mut conn = state.pool.acquire().await?;
    let (framework, rows) = national::table(&mut conn, &state.frameworks, &filter).await?;
    Ok(table_cells(&framework, &rows))
}

/// The PDU ratings table as CSV.
pub async fn csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NationalQuery>,
) -> Result<Response, WebError> {
    let (header, cells) = table_for(&state, &user, &query).await?;
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    super::csv::download("pdu-ratings.csv", &header, cells)
}

/// The PDU ratings table as an Excel workbook.
pub async fn xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NationalQuery>,
) -> Result<Response, WebError> {
    let (header, cells) = table_for(&state, &user, &query).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        crate::annexe::workbook::table("PDU ratings", &header, &cells)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?
    .map_err(|e| WebError::Internal(format!("could not write the workbook: {e}")))?;
    Ok(crate::annexe::download(
        crate::annexe::XLSX_TYPE,
        "pdu-ratings.xlsx",
        bytes.into(),
    ))
}
