//! The ratings dashboard: a published report's ratings page, live. Every
//! count links to the cases behind it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use casemark_rules::Rating;

use super::WebError;
use super::sample::load_inspection;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::ratings::{self, InspectionRatings};

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    nav: super::Nav,
    inspection: Inspection,
    ratings: InspectionRatings,
    rated_standards: usize,
}

impl DashboardPage {
    /// The GOV.UK tag colour for a rating; the tag's text carries the meaning.
    fn tag_class(&self, rating: &Option<Rating>) -> &'static str {
        super::tag_class(*rating)
    }

    fn rating_label(&self, rating: &Option<Rating>) -> &'static str {
        rating.map_or("Not yet rated", Rating::label)
    }

    fn percent(&self, value: &Option<u8>) -> String {
        value.map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
    }
}

pub async fn ratings(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<DashboardPage, WebError> {
    let (inspection, framework, _) = load_inspection(&state, &user, id).await?;
    let mut conn = state.pool.acquire().await?;
    let ratings = ratings::for_inspection(&mut conn, &framework, &inspection).await?;
    let rated_standards = ratings
        .standards
        .iter()
        .filter(|s| s.rating.is_some())
        .count();
    Ok(DashboardPage {
        nav: super::Nav::from(&user),
        inspection,
        ratings,
        rated_standards,
    })
}
