//! CSRF tokens. A signed-in user's token lives in their session row; forms
//! seen before sign-in (sign-in, first-run setup) use a random cookie that the
//! form must repeat. Every state-changing request outside the API (which uses
//! bearer tokens, not cookies) must carry the token as the `csrf_token` field.

use axum::body::Bytes;

pub const FIELD: &str = "csrf_token";
pub const COOKIE: &str = "casemark_csrf";
/// Over https, with the `__Host-` prefix (see `session::SECURE_COOKIE`).
pub const SECURE_COOKIE: &str = "__Host-casemark_csrf";

/// The `csrf_token` field of a form body, urlencoded or multipart.
pub async fn token_in(content_type: &str, body: &Bytes) -> Option<String> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        return pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v);
    }
    if content_type.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(content_type).ok()?;
        let body = body.clone();
        let stream =
            futures_util::stream::once(async move { Ok::<Bytes, std::convert::Infallible>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some(FIELD) {
                return field.text().await.ok();
            }
        }
    }
    None
}
