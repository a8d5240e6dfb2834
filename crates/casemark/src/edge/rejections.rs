//! The framework's own refusals (a method the route does not take, a path
//! or body an extractor could not read) come back as plain text, or as an
//! empty body. This layer renders each as casemark renders its own errors:
//! a GOV.UK error page on pages, a JSON error body on the API. casemark's
//! responses are never `text/plain`, so only the framework's are touched.

use axum::body::to_bytes;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use super::Refusals;

/// More than any rejection message; a longer body is not the framework's.
const MAX_MESSAGE_BYTES: usize = 4 * 1024;

fn is_plain(response: &Response) -> bool {
    match response.headers().get(header::CONTENT_TYPE) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|v| v.starts_with("text/plain")),
    }
}

pub async fn render<R: Refusals>(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !status.is_client_error() || !is_plain(&response) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, MAX_MESSAGE_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let message = if text.is_empty() {
        match status.as_u16() {
            405 => "This address does not take that kind of request.".to_owned(),
            404 => "Not found".to_owned(),
            _ => status
                .canonical_reason()
                .unwrap_or("Bad request")
                .to_owned(),
        }
    } else {
        text
    };
    let mut rendered = R::rejected(status, message);
    // A 405 says which methods the address takes.
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    rendered
}
