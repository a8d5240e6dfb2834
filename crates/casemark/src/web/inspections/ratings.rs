//! The ratings dashboard: a published report's ratings page, live. Every
//! count links to the cases behind it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use casemark_rules::{Range, Rating, Thresholds};

use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::ratings::{self, InspectionRatings, KeyQuestionResult, StandardResult};
use crate::web::WebError;
use crate::web::chart::{BandChart, band_chart};
use crate::web::filters;
use crate::web::inspections::load_inspection;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    ratings: InspectionRatings,
    rated_standards: usize,
    /// The framework's key-question bands, for the pictures and margins.
    thresholds: Thresholds,
    /// Quality assurance so far, if there is a QA sample.
    qa: Option<crate::qa::Summary>,
    /// A region inspection's pooled PDU inspections (empty for a PDU's).
    pooled: Vec<Inspection>,
}

impl DashboardPage {
    fn rating_label(&self, rating: &Option<Rating>) -> &'static str {
        rating.map_or("Not yet rated", Rating::label)
    }

    fn percent(&self, value: &Option<u8>) -> String {
        value.map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
    }

    fn chart(&self, standard: &StandardResult) -> BandChart {
        band_chart(standard, &self.thresholds)
    }

    /// "Settled" or "Can still end between Inadequate and Good".
    fn standing(&self, standard: &StandardResult) -> String {
        let Some(outlook) = &standard.outlook else {
            return match standard.rating {
                Some(_) => "Confirmed by the lead inspector".to_owned(),
                None => "Awaiting the lead inspector's confirmation".to_owned(),
            };
        };
        match outlook.range {
            _ if outlook.settled => {
                "Settled: the answers still to come cannot change it".to_owned()
            }
            Some(Range { worst, best }) if worst != best => {
                format!("Can still end between {worst} and {best}")
            }
            Some(Range { worst, .. }) => format!("Will be {worst} once the cases are answered"),
            None => "Nothing to rate yet".to_owned(),
        }
    }

    /// The score and overall rating the answers still to come could give.
    fn score_range(&self) -> Option<String> {
        let range = self.ratings.composite_range?;
        let (worst, best) = (range.worst, range.best);
        Some(if worst == best {
            format!(
                "Nothing still to come can change the score ({} out of {}, {}).",
                worst.score, worst.max_score, worst.overall
            )
        } else {
            format!(
                "The score can still end between {} and {} out of {} ({} to {}), \
                 depending on the answers still to come and domain one's confirmation.",
                worst.score, best.score, worst.max_score, worst.overall, best.overall
            )
        })
    }

    /// "3 more Yes for Good; 6 fewer for Inadequate".
    fn margin(&self, kq: &KeyQuestionResult) -> String {
        let Some(band) = kq.percent.map(|p| self.thresholds.rate(p)) else {
            return "–".to_owned();
        };
        let margin = kq.outlook.margin;
        let up = margin
            .up
            .zip(band.above())
            .map(|(k, above)| format!("{k} more Yes for {above}"));
        let down = margin
            .down
            .zip(band.below())
            .map(|(k, below)| format!("{k} fewer Yes for {below}"));
        match (up, down) {
            (Some(up), Some(down)) => format!("{up}; {down}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => "–".to_owned(),
        }
    }

    /// "Quality assurance: 2 of 3 cases second-marked; 91% of answers the
    /// same (κ 0.45); 2 disagreements awaiting a final answer."
    fn qa_line(&self) -> Option<String> {
        let qa = self.qa.as_ref()?;
        let mut line = format!(
            "{} of {} cases in the QA sample second-marked",
            qa.submitted, qa.sampled
        );
        if let (Some(percent), Some(kappa)) = (qa.overall.percent, qa.overall.kappa) {
            line.push_str(&format!(
                "; {percent}% of answers the same (Cohen's κ {kappa:.2})"
            ));
        }
        match qa.unadjudicated {
            0 => line.push('.'),
            1 => line.push_str("; 1 disagreement awaiting a final answer."),
            n => line.push_str(&format!("; {n} disagreements awaiting a final answer.")),
        }
        Some(line)
    }

    /// "45%–72%", the 95% interval.
    fn interval(&self, kq: &KeyQuestionResult) -> String {
        kq.outlook
            .interval
            .map_or_else(|| "–".to_owned(), |i| format!("{}%–{}%", i.low, i.high))
    }

    /// "44%–69% (18 to answer)", or that nothing is left to answer.
    fn range(&self, kq: &KeyQuestionResult) -> String {
        match kq.outlook.range {
            _ if kq.outlook.unjudged == 0 => "All answered".to_owned(),
            Some(r) => format!(
                "{}%–{}% ({} to answer)",
                r.worst, r.best, kq.outlook.unjudged
            ),
            None => "–".to_owned(),
        }
    }
}

pub async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<DashboardPage, WebError> {
    let (inspection, framework, _) = load_inspection(&state, &user, id).await?;
    let thresholds = framework.bands.key_question;
    let mut conn = state.pool.acquire().await?;
    let ratings = ratings::for_inspection(&mut conn, &framework, &inspection).await?;
    let qa = crate::qa::summary(&mut conn, id).await?;
    let pooled = if inspection.of_region {
        crate::db::inspections::pool_of(&mut conn, id).await?
    } else {
        Vec::new()
    };
    let rated_standards = ratings
        .standards
        .iter()
        .filter(|s| s.rating.is_some())
        .count();
    Ok(DashboardPage {
        nav: crate::web::Nav::from(&user),
        inspection,
        ratings,
        rated_standards,
        thresholds,
        qa,
        pooled,
    })
}

/// The dashboard's live updates: an event per committed change to the
/// inspection's figures (`live::stream`), for readers of the dashboard.
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    load_inspection(&state, &user, id).await?;
    if !crate::live::wants_stream(&headers) {
        return Err(WebError::NotAcceptable);
    }
    Ok(crate::live::stream(&state.live, crate::live::Watched::Inspection(id)).into_response())
}

/// One region key question by PDU: the drill-down from a pooled figure to
/// the PDU inspections it sums, each linking on to its cases.
#[derive(Template, WebTemplate)]
#[template(path = "pooled.html")]
pub struct PooledPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    key_question: KeyQuestionResult,
    parts: Vec<PooledRow>,
}

pub struct PooledRow {
    part: crate::db::ratings::PooledPart,
    percent: String,
}

impl PooledPage {
    fn percent(&self, value: &Option<u8>) -> String {
        value.map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
    }
}

pub async fn pooled(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path((id, code)): axum::extract::Path<(String, String)>,
) -> Result<PooledPage, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let (inspection, framework, _) = load_inspection(&state, &user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let ratings = ratings::for_inspection(&mut conn, &framework, &inspection).await?;
    let key_question = ratings
        .standards
        .into_iter()
        .flat_map(|s| s.key_questions)
        .find(|kq| kq.code == code && kq.pooled_from.is_some())
        .ok_or(WebError::NotFound)?;
    let from = key_question.pooled_from.clone().unwrap_or_default();
    let parts = crate::db::ratings::pooled_parts(&mut conn, id, &from)
        .await?
        .into_iter()
        .map(|part| {
            let counts = casemark_rules::Counts::new(
                ratings::count(part.yes),
                ratings::count(part.no),
                ratings::count(part.na),
            );
            PooledRow {
                percent: counts
                    .percent()
                    .map_or_else(|| "–".to_owned(), |p| format!("{p}%")),
                part,
            }
        })
        .collect();
    Ok(PooledPage {
        nav: crate::web::Nav::from(&user),
        inspection,
        key_question,
        parts,
    })
}
