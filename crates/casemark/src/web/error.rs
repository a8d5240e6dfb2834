//! Errors of the HTML pages, rendered as GOV.UK error pages. Internal
//! errors are logged with their cause and shown to people without it.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden")]
    Forbidden,
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("request body too large")]
    TooLarge,
    #[error("locked: {0}")]
    Locked(String),
    /// Text holding a character casemark refuses (see `crate::text`).
    #[error(transparent)]
    ControlCharacter(#[from] crate::text::ControlCharacter),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The request took longer than the time limit and was stopped.
    #[error("request timed out")]
    Timeout,
    /// A failure of our own (logged with its cause, shown without it).
    #[error("internal error: {0}")]
    Internal(String),
    /// A request the framework refused before any handler ran (method not
    /// allowed, an unreadable path): its status and message.
    #[error("rejected: {1}")]
    Rejected(StatusCode, String),
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    nav: super::Nav,
    title: &'static str,
    message: String,
    /// The request id, shown on server-side failures so a report can be
    /// matched to the logs.
    reference: Option<String>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, message) = match &self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, the \
                 inspection or case may have been removed."
                    .to_owned(),
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "You do not have access to this page",
                "Ask the lead inspector of the inspection, or an administrator, for access.".to_owned(),
            ),
            WebError::Csrf => (
                StatusCode::FORBIDDEN,
                "Your form could not be sent",
                "The page was out of date or did not come from casemark, so nothing was changed. Go back, \
                 reload the page and try again."
                    .to_owned(),
            ),
            WebError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "What you sent is too large",
                format!(
                    "Nothing was saved. Files must be smaller than {} MB: send a smaller file or less text.",
                    crate::csv_file::MAX_UPLOAD_BYTES / 1024 / 1024
                ),
            ),
            WebError::Locked(reason) => (StatusCode::CONFLICT, "This cannot be changed now", reason.clone()),
            WebError::Rejected(status, message) => (
                *status,
                "There is a problem with the request",
                message.clone(),
            ),
            WebError::ControlCharacter(problem) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "There is a problem with what you sent",
                format!("Nothing was saved. {problem}."),
            ),
            WebError::BadRequest(reason) => (
                StatusCode::BAD_REQUEST,
                "There is a problem with the request",
                reason.clone(),
            ),
            WebError::Timeout => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, that took too long",
                "The request was stopped before it finished. If you were saving, it may not have been \
                 saved: reload the page to check before trying again."
                    .to_owned(),
            ),
            WebError::Database(sqlx::Error::PoolTimedOut) => {
                tracing::warn!(error = %self, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, the service is unavailable",
                    "The database is not answering. Nothing was saved by this request. Try again in a few minutes."
                        .to_owned(),
                )
            }
            WebError::Database(e) if crate::db::is_unavailable(e) => {
                tracing::warn!(error = %self, "database connection lost");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sorry, the service is unavailable",
                    "The connection to the database was lost. If you were saving, your change may not \
                     have been saved: reload the page in a few minutes to check."
                        .to_owned(),
                )
            }
            WebError::Database(_) | WebError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sorry, there is a problem with the service",
                    "Nothing was saved by this request. Try again later.".to_owned(),
                )
            }
        };
        let page = ErrorPage {
            nav: super::Nav::default(),
            title,
            message,
            reference: status
                .is_server_error()
                .then(crate::edge::request_id::current)
                .flatten(),
        };
        (status, page).into_response()
    }
}

/// The fallback for unknown paths.
pub async fn not_found() -> WebError {
    WebError::NotFound
}
