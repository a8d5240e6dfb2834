//! The JSON API under /api/v1 (documented in docs/api.md). Handlers are thin:
//! they translate JSON to the same services the pages use and back.

mod cases;
mod error;
mod inspections;
mod json;

use axum::Router;
use axum::routing::{get, post, put};

pub use error::{ApiError, FieldError};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/inspections",
            get(inspections::list).post(inspections::create),
        )
        .route(
            "/api/v1/inspections/{id}/ratings",
            get(inspections::ratings),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one",
            put(inspections::domain_one),
        )
        .route("/api/v1/inspections/{id}/cases", post(cases::create))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route("/api/v1/cases/{id}/judgements", put(cases::judgements))
        .fallback(error::not_found)
}
