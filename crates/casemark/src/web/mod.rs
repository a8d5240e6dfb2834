//! The server-rendered pages (GOV.UK Design System). One module per page
//! family; each page is a handler plus a `#[derive(Template)]` struct beside
//! it, named after its template file in `templates/`.
//!
//! Every page works without JavaScript: forms post and redirect (303), and
//! validation failures re-render the form with a GOV.UK error summary.

mod dashboard;
mod domain_one;
mod error;
mod form;
mod inspections;
mod marking;
mod sample;

use axum::Router;
use axum::routing::{get, post};

pub use error::{WebError, not_found};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(inspections::list))
        .route("/inspections/new", get(inspections::choose_region))
        .route("/inspections/new/details", get(inspections::details))
        .route("/inspections", post(inspections::create))
        .route("/inspections/{id}", get(sample::inspection))
        .route("/inspections/{id}/cases/new", get(sample::new_case))
        .route("/inspections/{id}/cases", post(sample::add_case))
        .route(
            "/inspections/{id}/cases/import",
            get(sample::import_form).post(sample::import),
        )
        .route("/inspections/{id}/ratings", get(dashboard::ratings))
        .route(
            "/inspections/{id}/domain-one",
            get(domain_one::form).post(domain_one::save),
        )
        .route("/cases/{id}", get(marking::case))
        .route(
            "/cases/{id}/standards/{code}",
            get(marking::standard).post(marking::save_standard),
        )
        .route(
            "/cases/{id}/outcomes",
            get(marking::outcomes).post(marking::save_outcomes),
        )
        .route("/cases/{id}/complete", post(marking::complete))
}

/// An element id for a framework code: "2.1.3" → "2-1-3", so that fragment
/// links and CSS selectors need no escaping.
pub fn dom_id(code: &str) -> String {
    code.replace('.', "-")
}
