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
//! - [`annexe`], [`csv_file`]: the data annexe (CSV and Excel) and importing
//!   judgements in the same format.
//! - [`ratings`]: an inspection's ratings, computed by the pure
//!   `casemark_rules` crate from counts the data layer aggregates;
//!   [`national`]: the national picture over published inspections.
//! - [`framework_file`], [`framework_import`]: frameworks as TOML files;
//!   [`question_sets`]: the question set each case is marked on.
//! - [`long_list`], [`sample_draw`], [`spreadsheet`]: the long list, the
//!   case sample drawn from it and its reserves; [`fieldwork`]: the lead's
//!   control board. [`qa`]: second marking and agreement.
//! - [`auth`], [`access`], [`accounts`], [`audit`], [`team`]: who is asking,
//!   what they may do at which stage, and the append-only record of changes.
//! - [`security`]: the append-only record of account, token, PDU and sign-in
//!   events; [`email`] and [`text`]: the one rule each for email addresses
//!   and for the characters text may hold.
//! - [`web`]: the GOV.UK pages; [`api`]: the JSON API under /api/v1.
//! - [`demo`]: a filled demo inspection for newcomers.
//!
//! docs/architecture.md follows a request through these layers, from the
//! socket to the commit and back.

pub mod access;
pub mod accounts;
pub mod annexe;
pub mod api;
pub mod audit;
pub mod auth;
pub mod config;
pub mod csv_file;
pub mod db;
pub mod demo;
pub mod domain_one;
pub mod edge;
pub mod email;
pub mod extract;
pub mod fieldwork;
pub mod framework;
pub mod framework_file;
pub mod framework_import;
pub mod intake;
pub mod live;
pub mod long_list;
pub mod marking;
pub mod national;
pub mod qa;
pub mod question_sets;
pub mod ratings;
pub mod refusal;
pub mod region_inspections;
pub mod report;
pub mod routes;
pub mod sample_draw;
pub mod security;
pub mod setup;
pub mod spreadsheet;
pub mod team;
pub mod text;
pub mod vocab;
pub mod web;

use std::sync::{Arc, Mutex};

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
    pub sessions: auth::session::Settings,
    /// While no user exists: the secret of the one-time setup link.
    pub setup_token: Arc<Mutex<Option<String>>>,
    /// The longest a request may take before it is stopped with a 503.
    pub request_timeout: std::time::Duration,
    /// Recent sessions and tokens (see `auth::cache`): serves nothing until
    /// `auth::cache::listen` runs for this database.
    pub auth_cache: Arc<auth::cache::AuthCache>,
    /// Serving the demo (`casemark --demo`): the sign-in page says so.
    pub demo: bool,
    /// Reverse proxies whose X-Forwarded-For is believed (config's
    /// CASEMARK_TRUSTED_PROXIES).
    pub trusted_proxies: Arc<Vec<std::net::IpAddr>>,
    /// Committed changes to inspections' figures and to cases, for the
    /// event streams (see `live`): served once `listen_for_live_changes`
    /// runs.
    pub live: Arc<live::Live>,
}

impl AppState {
    pub fn new(pool: PgPool) -> Self {
        AppState {
            pool,
            frameworks: Arc::default(),
            sessions: auth::session::Settings::default(),
            setup_token: Arc::default(),
            request_timeout: edge::timeout::DEFAULT,
            auth_cache: Arc::default(),
            demo: false,
            trusted_proxies: Arc::default(),
            live: Arc::default(),
        }
    }

    /// Starts this instance's listener for committed changes to
    /// inspections' figures and to cases (on a connection of its own),
    /// feeding `live`.
    pub fn listen_for_live_changes(&self, database_url: &str) {
        tokio::spawn(live::listen(database_url.to_owned(), self.live.clone()));
    }

    /// Starts the listener that keeps `auth_cache` right (on a connection
    /// of its own to `database_url`); until it listens, nothing is cached.
    pub fn listen_for_auth_changes(&self, database_url: &str) {
        tokio::spawn(auth::cache::listen(
            database_url.to_owned(),
            self.auth_cache.clone(),
        ));
    }
}

/// The largest request body accepted: the largest CSV upload with room for
/// the rest of its form.
pub const MAX_BODY_BYTES: usize = csv_file::MAX_UPLOAD_BYTES + 64 * 1024;

fn health_routes() -> routes::Routes {
    routes::Routes::new()
        .get("/healthz", edge::health::healthz)
        .get("/readyz", edge::health::readyz)
}

/// Every (method, path) the application routes, pages, API and health
/// endpoints (not /assets, which serves files): what the access test walks.
pub fn route_list() -> Vec<(&'static str, String)> {
    [
        web::routes(),
        web::public_routes(),
        api::routes(),
        api::public_routes(),
        health_routes(),
    ]
    .iter()
    .flat_map(|r| r.list().iter().cloned())
    .collect()
}

/// The whole application: pages, API, health endpoints and static assets.
/// Tests drive this same router in-process.
///
/// Each front end brings its own gate and the edge layers that answer in
/// its own format (see `web::router`, `api::router`). Around them all, run
/// outermost (last added) first: the request id, the trace span that
/// carries it, the security and cache headers on whatever comes back, and
/// the body limit. Health endpoints and assets pass no gate: they need no
/// user and must not touch the database on the way in.
pub fn router(state: AppState, static_dir: &std::path::Path) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    Router::new()
        .merge(web::router(&state))
        .nest(api::PREFIX, api::router(&state))
        .merge(health_routes().into_router())
        // govuk-frontend's CSS looks for its fonts and images under /assets.
        .nest_service("/assets", ServeDir::new(static_dir))
        .fallback(web::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(state.clone(), edge::headers::add))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::extract::Request| {
                tracing::info_span!(
                    "request",
                    request_id = %edge::request_id::of(req),
                    method = %req.method(),
                    path = %req.uri().path(),
                )
            }),
        )
        .layer(from_fn(edge::request_id::assign))
        .with_state(state)
}
