//! Security headers on every response, pages, API and assets alike.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Scripts, styles, fonts and images only from casemark itself: no inline
/// script or style anywhere (the templates have none), no framing, forms
/// only back to casemark. `data:` images are allowed because
/// govuk-frontend's stylesheet uses one.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ALWAYS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// A year, subdomains included: sent only when casemark is reached over
/// https (a browser ignores it over http anyway, and a developer's
/// localhost must not be pinned to https).
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// Signed-in pages, exports and API replies hold personal data about cases
/// and staff: no browser or proxy may keep a copy. Everything but /assets.
const NO_STORE: &str = "no-store";

/// The stylesheet, scripts, fonts and images: the same for everyone. Their
/// names carry no version, so a day rather than for ever.
const ASSETS: &str = "public, max-age=86400";

pub async fn add(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut response = next.run(req).await;
    // A missing asset's 404 is not worth keeping for a day.
    let cache = if is_asset && response.status().is_success() {
        ASSETS
    } else {
        NO_STORE
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    for (name, value) in ALWAYS {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    if state.sessions.secure_cookies {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    response
}
