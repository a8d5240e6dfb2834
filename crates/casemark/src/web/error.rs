//! Errors of the HTML pages, rendered as GOV.UK error pages. Internal
//! errors are logged with their cause and shown to people without it.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::refusal::{Problem, Refusal};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("page not found")]
    NotFound,
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("forbidden")]
    Forbidden,
    /// A blind second marker asked for a first marking (`Refusal::Blind`).
    #[error("hidden while second-marking")]
    Blind,
    #[error("missing or invalid CSRF token")]
    Csrf,
    #[error("request body too large")]
    TooLarge,
    /// An event stream asked for as something else (see `live::wants_stream`).
    #[error("not acceptable")]
    NotAcceptable,
    #[error("locked: {0}")]
    Locked(String),
    /// A request a service refused as invalid, on a page that has no form
    /// to show the problems beside (a link, a button): listed on an error
    /// page, never shown as "not found".
    #[error("invalid: {0:?}")]
    Invalid(Vec<Problem>),
    /// Someone else changed the same thing since the page was loaded.
    #[error("changed by someone else")]
    Conflict,
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

/// The one way a service's refusal becomes a page, for whatever a handler
/// does not show beside its own form fields.
impl From<Refusal> for WebError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound => WebError::NotFound,
            Refusal::Forbidden => WebError::Forbidden,
            Refusal::Blind => WebError::Blind,
            Refusal::Locked(message) => WebError::Locked(message),
            Refusal::Invalid(problems) => WebError::Invalid(problems),
            Refusal::Conflict(_) => WebError::Conflict,
            Refusal::Database(e) => WebError::Database(e),
        }
    }
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
            WebError::Blind => (
                StatusCode::FORBIDDEN,
                "Hidden while you second-mark",
                crate::refusal::BLIND.to_owned(),
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
            WebError::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                "This address is an event stream",
                "It sends live updates to an open page (text/event-stream). Open the page itself instead.".to_owned(),
            ),
            WebError::Invalid(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "There is a problem with what you sent",
                format!(
                    "Nothing was saved. {}",
                    problems
                        .iter()
                        .map(|p| p.message.trim_end_matches('.').to_owned() + ".")
                        .collect::<Vec<_>>()
                        .join(" ")
                ),
            ),
            WebError::Conflict => (
                StatusCode::CONFLICT,
                "Someone else changed this",
                "Someone else saved a change to this since you opened the page, so nothing was saved. \
                 Go back and reload the page to see their change, then try again."
                    .to_owned(),
            ),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::refusal::{Field, Problem};

    async fn page(refusal: Refusal) -> (StatusCode, String) {
        let response = WebError::from(refusal).into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn an_invalid_request_is_a_422_naming_its_problems_never_a_404() {
        let (status, body) = page(Refusal::Invalid(vec![
            Problem::new(Field::Named("cases"), "Select the cases to assign"),
            Problem::new(Field::KeyQuestion("2.1.1".into()), "Answer Yes, No or N/A."),
        ]))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            body.contains("Nothing was saved. Select the cases to assign. Answer Yes, No or N/A."),
            "{body}"
        );
        assert!(!body.contains("Page not found"));
    }

    #[tokio::test]
    async fn each_refusal_has_its_own_status() {
        for (refusal, expected) in [
            (Refusal::NotFound, StatusCode::NOT_FOUND),
            (Refusal::Forbidden, StatusCode::FORBIDDEN),
            (Refusal::Locked("Published".into()), StatusCode::CONFLICT),
            (Refusal::Conflict(Vec::new()), StatusCode::CONFLICT),
        ] {
            let name = format!("{refusal:?}");
            assert_eq!(page(refusal).await.0, expected, "{name}");
        }
    }
}
