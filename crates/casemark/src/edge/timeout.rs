//! A time limit on every request, so that nothing holds a connection (or a
//! person) for ever: past it the handler is dropped, which rolls back any
//! transaction it had open, and the caller gets a 503 that says so.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::Refusals;
use crate::AppState;

/// Long enough for the largest import preview on a slow machine; streamed
/// downloads only need their first bytes within it.
pub const DEFAULT: Duration = Duration::from_secs(30);

pub async fn limit<R: Refusals>(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    match tokio::time::timeout(state.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                path,
                limit_ms = state.request_timeout.as_millis() as u64,
                "request timed out"
            );
            R::timeout()
        }
    }
}
