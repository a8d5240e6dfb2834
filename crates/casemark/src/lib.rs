//! casemark: probation inspection case marking.
//!
//! Inspectors mark a PDU's case sample in the browser; lead inspectors record
//! domain one and watch the ratings dashboard fill in. A map of the crate:
//!
//! - [`vocab`]: answers, case facts and statuses as closed enums.
//! - [`framework`]: standards, key questions, prompts and bands of a framework version.
//! - [`db`]: every SQL statement, as named functions (the data layer).
//! - [`setup`], [`intake`], [`marking`], [`domain_one`]: the writes, each one
//!   transaction, each shared by the pages and the API.
//! - [`ratings`]: an inspection's ratings, computed by the pure
//!   `casemark_rules` crate from counts the data layer aggregates.
//! - [`web`]: the GOV.UK pages; [`api`]: the JSON API under /api/v1.
//! - [`demo`]: a filled demo inspection for newcomers.

pub mod api;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain_one;
pub mod extract;
pub mod framework;
pub mod intake;
pub mod marking;
pub mod ratings;
pub mod setup;
pub mod vocab;
pub mod web;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use sqlx::PgPool;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub frameworks: Arc<framework::FrameworkCache>,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        AppState {
            pool,
            frameworks: Arc::default(),
        }
    }
}

/// The largest request body accepted: a CSV upload of a case sample with
/// room to spare (its own limit is checked with a clearer message).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// The whole application: pages, API and static assets. Tests drive this
/// same router in-process.
pub fn router(state: AppState, static_dir: &std::path::Path) -> Router {
    Router::new()
        .merge(web::router())
        .merge(api::router())
        // govuk-frontend's CSS looks for its fonts and images under /assets.
        .nest_service("/assets", ServeDir::new(static_dir))
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
