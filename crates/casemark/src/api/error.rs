//! API errors as JSON: `{"errors": [{"field", "message"}]}` with the status
//! that says what went wrong. Internal causes are logged, never returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::db::audit::Event;
use crate::refusal::{Field, Problem, Refusal};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// For a CSV body: the spreadsheet row (the header is row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The JSON path of the offending value (for CSV, the column), or null
    /// for the body as a whole.
    pub field: Option<String>,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            row: None,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A problem with the request as a whole.
    pub fn whole(message: impl Into<String>) -> Self {
        FieldError {
            row: None,
            field: None,
            message: message.into(),
        }
    }

    /// A service's problem, named as the API's bodies name their fields.
    pub fn of(problem: Problem) -> Self {
        FieldError {
            row: problem.row,
            field: field_path(&problem.field),
            message: problem.message,
        }
    }
}

/// The JSON path of the value a problem is about (for a CSV body, its
/// column), or null for the body as a whole.
fn field_path(field: &Field) -> Option<String> {
    Some(match field {
        Field::Whole => return None,
        Field::Named(name) => (*name).to_owned(),
        Field::KeyQuestion(code) => format!("key_questions.{code}"),
        Field::Rationale(code) => format!("key_questions.{code}.rationale"),
        Field::Prompt(code) => format!("prompts.{code}"),
        Field::Outcome(code) => format!("outcomes.{code}"),
        // A standard's or key question's code for its rating or judgement,
        // the body's own field names for evidence and survey items, and
        // "1.1.reason" style for the other parts of a standard.
        Field::DomainOne { code, part } => match *part {
            "rating" | "standard" | "judgement" => code.clone(),
            "judge" => "user_id".to_owned(),
            "question" | "kind" | "source" | "text" | "survey_item" | "positive"
            | "respondents" => (*part).to_owned(),
            part => format!("{code}.{part}"),
        },
    })
}

/// The one way a service's refusal becomes an API response. A stage that
/// does not allow the change is a conflict with the inspection's state
/// (409), as is another person's change to the same answers.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::NotFound => ApiError::NotFound,
            Refusal::Forbidden => ApiError::Forbidden,
            Refusal::Blind => ApiError::Blind,
            Refusal::Locked(message) => ApiError::Conflict(message),
            Refusal::Invalid(problems) => {
                ApiError::Unprocessable(problems.into_iter().map(FieldError::of).collect())
            }
            Refusal::Conflict(events) => ApiError::Conflict(conflict_message(&events)),
            Refusal::Database(e) => ApiError::Database(e),
        }
    }
}

/// Who changed what since the caller's revision, so that a client can show
/// it before trying again.
fn conflict_message(events: &[Event]) -> String {
    let changes: Vec<String> = events
        .iter()
        .map(|e| {
            format!(
                "{} set {} {} to {}.",
                e.actor,
                e.code.as_deref().unwrap_or_default(),
                e.field.as_deref().unwrap_or_default(),
                e.new_value.as_deref().unwrap_or("nothing")
            )
        })
        .collect();
    format!(
        "The case changed since the revision you sent; nothing was saved. {}",
        changes.join(" ")
    )
}

impl From<crate::text::ControlCharacter> for ApiError {
    fn from(problem: crate::text::ControlCharacter) -> Self {
        ApiError::Unprocessable(vec![FieldError::new(
            problem.field.clone(),
            problem.to_string(),
        )])
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("hidden while second-marking")]
    Blind,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// An event stream asked for as something else (see `live::wants_stream`).
    #[error("not acceptable")]
    NotAcceptable,
    #[error("invalid request")]
    Unprocessable(Vec<FieldError>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The request took longer than the time limit and was stopped.
    #[error("request timed out")]
    Timeout,
    /// A change was committed, then reading it back for the response
    /// failed: the caller must not be told it was not saved.
    #[error("saved, but not read back: {0}")]
    SavedButUnread(sqlx::Error),
    /// A failure of our own (logged with its cause, returned without it).
    #[error("internal error: {0}")]
    Internal(String),
    /// A request the framework refused before any handler ran (method not
    /// allowed, an unreadable path): its status and message, as JSON.
    #[error("rejected: {1}")]
    Rejected(StatusCode, String),
}

/// Every error's body (docs/api.md).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    errors: Vec<FieldError>,
    /// On server-side failures: the request id, to match a report to the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

fn whole(message: impl Into<String>) -> Vec<FieldError> {
    vec![FieldError::whole(message)]
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, errors) = match self {
            ApiError::NotFound => (StatusCode::NOT_FOUND, whole("Not found")),
            ApiError::Unauthorized => {
                let mut response = (
                    StatusCode::UNAUTHORIZED,
                    Json(ErrorBody {
                        errors: whole("Send a valid API token: Authorization: Bearer <token>"),
                        request_id: None,
                    }),
                )
                    .into_response();
                response.headers_mut().insert(
                    axum::http::header::WWW_AUTHENTICATE,
                    axum::http::HeaderValue::from_static("Bearer"),
                );
                return response;
            }
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                whole("You do not have the rights to do this"),
            ),
            ApiError::Blind => (StatusCode::FORBIDDEN, whole(crate::refusal::BLIND)),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, whole(message)),
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, whole(message)),
            ApiError::NotAcceptable => (
                StatusCode::NOT_ACCEPTABLE,
                whole("This is an event stream: send Accept: text/event-stream"),
            ),
            ApiError::UnsupportedMediaType(message) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, whole(message))
            }
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                whole(format!(
                    "The request body is too large: files must be smaller than {} MB",
                    crate::csv_file::MAX_UPLOAD_BYTES / 1024 / 1024
                )),
            ),
            ApiError::Unprocessable(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
            ApiError::Rejected(status, message) => (status, whole(message)),
            ApiError::SavedButUnread(e) => {
                tracing::warn!(error = %e, "saved, but the response could not be read back");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    whole(
                        "The change was saved, but it could not be read back because the database \
                         is unavailable: read it again shortly.",
                    ),
                )
            }
            ApiError::Timeout => (
                StatusCode::SERVICE_UNAVAILABLE,
                whole(
                    "The request took too long and was stopped; if it was a change, check whether \
                     it was saved before sending it again.",
                ),
            ),
            // No connection was had: the request changed nothing.
            ApiError::Database(e @ sqlx::Error::PoolTimedOut) => {
                tracing::warn!(error = %e, "database unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    whole("The database is unavailable; nothing was saved. Try again shortly."),
                )
            }
            // The connection broke during the request: if it broke while a
            // commit's answer was on its way, the change may have been kept.
            ApiError::Database(e) if crate::db::is_unavailable(&e) => {
                tracing::warn!(error = %e, "database connection lost");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    whole(
                        "The connection to the database was lost; a change may or may not have been \
                         saved. Check before sending it again.",
                    ),
                )
            }
            e @ (ApiError::Database(_) | ApiError::Internal(_)) => {
                tracing::error!(error = %e, "API request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    whole("Internal error; nothing was saved."),
                )
            }
        };
        let request_id = status
            .is_server_error()
            .then(crate::edge::request_id::current)
            .flatten();
        (status, Json(ErrorBody { errors, request_id })).into_response()
    }
}

impl ApiError {
    /// For the read that follows a committed change: a database failure now
    /// says the change stands (found by the outage test: a save whose
    /// read-back met the outage answered "nothing was saved" although it was).
    pub fn after_commit(self) -> ApiError {
        match self {
            ApiError::Database(e) => ApiError::SavedButUnread(e),
            other => other,
        }
    }
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn json(refusal: Refusal) -> (StatusCode, serde_json::Value) {
        let response = ApiError::from(refusal).into_response();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, serde_json::from_slice(&body).expect("JSON"))
    }

    #[tokio::test]
    async fn an_invalid_request_is_a_422_with_each_field_named_as_the_api_names_it() {
        let (status, body) = json(Refusal::Invalid(vec![
            Problem::new(Field::Rationale("2.1.1".into()), "Too long"),
            Problem::in_row(4, "crn", "Enter the CRN"),
            Problem::new(
                Field::DomainOne {
                    code: "1.1".into(),
                    part: "reason",
                },
                "Give a reason",
            ),
            Problem::new(Field::Whole, "Send a body"),
        ]))
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body["errors"],
            serde_json::json!([
                {"field": "key_questions.2.1.1.rationale", "message": "Too long"},
                {"row": 4, "field": "crn", "message": "Enter the CRN"},
                {"field": "1.1.reason", "message": "Give a reason"},
                {"field": null, "message": "Send a body"},
            ])
        );
    }

    #[tokio::test]
    async fn a_stage_lock_and_another_persons_change_are_conflicts() {
        assert_eq!(
            json(Refusal::Locked("Published".into())).await.0,
            StatusCode::CONFLICT
        );
        assert_eq!(
            json(Refusal::Conflict(Vec::new())).await.0,
            StatusCode::CONFLICT
        );
        assert_eq!(json(Refusal::NotFound).await.0, StatusCode::NOT_FOUND);
        assert_eq!(json(Refusal::Forbidden).await.0, StatusCode::FORBIDDEN);
    }
}
