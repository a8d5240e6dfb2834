//! The ratings dashboard: a published report's ratings page, live. Every
//! count links to the cases behind it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use casemark_rules::Rating;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::ratings::{self, InspectionRatings};
use crate::web::WebError;
use crate::web::filters;
use crate::web::inspections::load_inspection;

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
pub struct DashboardPage {
    nav: crate::web::Nav,
    inspection: Inspection,
    ratings: InspectionRatings,
    rated_standards: usize,
}

impl DashboardPage {
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
        nav: crate::web::Nav::from(&user),
        inspection,
        ratings,
        rated_standards,
    })
}
