//! Request extractors shared by the pages and the API.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

/// A numeric id from the path. Anything that is not one is a plain 404 (no
/// such inspection or case exists), which the front end's rejection layer
/// renders as its own (see `edge::rejections`).
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let raw = match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(raw)) => raw,
            Err(_) => return Err(not_found()),
        };
        parse_id(&raw).map(Id).ok_or_else(not_found)
    }
}

/// Ids are positive; anything else names nothing.
pub fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Two ids from a path such as /inspections/{id}/staff-survey/{item}.
pub fn two_ids((first, second): &(String, String)) -> Option<(i64, i64)> {
    Some((parse_id(first)?, parse_id(second)?))
}

fn not_found() -> Response {
    (axum::http::StatusCode::NOT_FOUND, "Not found").into_response()
}
