//! A request id on every request: taken from an upstream proxy's
//! `X-Request-Id` when it is a plain token, made up otherwise. It names the
//! request's log lines (the trace span carries it), is returned in the
//! response header, and is printed on error pages and in JSON errors so a
//! user's report can be matched to the logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use rand_core::{OsRng, RngCore};

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, if called while handling one.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// An id from upstream is kept only if it cannot garble a log line.
fn acceptable(given: &str) -> bool {
    (1..=64).contains(&given.len())
        && given
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn fresh() -> String {
    let mut bytes = [0u8; 8];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The id of a request that has been through [`assign`].
pub fn of(req: &Request) -> &str {
    req.headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// Middleware: gives the request its id before anything else sees it.
pub async fn assign(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map_or_else(fresh, str::to_owned);
    // Both forms of the id are plain ASCII tokens, so this cannot fail.
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("-"));
    req.headers_mut().insert(HEADER, value.clone());
    let mut response = REQUEST_ID.scope(id, next.run(req)).await;
    response.headers_mut().insert(HEADER, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_taken_from_upstream() {
        assert!(acceptable("3f2a-b_c.9"));
        assert!(!acceptable(""));
        assert!(!acceptable("has space"));
        assert!(!acceptable("line\nbreak"));
        assert!(!acceptable(&"x".repeat(65)));
        assert_eq!(fresh().len(), 16);
        assert_ne!(fresh(), fresh());
    }
}
