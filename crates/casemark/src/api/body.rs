//! Body extractors whose rejections are API errors with a JSON body:
//! malformed JSON is a 400, JSON of the wrong shape a 422, a body of the
//! wrong media type a 415, and one over the size limit a 413.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header;

use super::ApiError;

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError::BadRequest(format!(
                "Malformed JSON: {}",
                e.body_text()
            ))),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(ApiError::Unprocessable(vec![super::FieldError::whole(
                    e.body_text(),
                )]))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType(
                "Send the body as JSON with Content-Type: application/json".into(),
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::PayloadTooLarge),
            Err(e) => Err(ApiError::BadRequest(e.body_text())),
        }
    }
}

/// A CSV file sent as the body with `Content-Type: text/csv`, decoded by
/// the rules of [`crate::csv_file::decode`].
#[derive(Debug)]
pub struct CsvText(pub String);

/// Whether a request says its body is CSV.
pub fn is_csv(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"))
}

impl<S> FromRequest<S> for CsvText
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_csv(&req) {
            return Err(ApiError::UnsupportedMediaType(
                "Send the file as CSV with Content-Type: text/csv".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(e.body_text())
            }
        })?;
        match crate::csv_file::decode(&bytes) {
            Ok(text) => Ok(CsvText(text.to_owned())),
            Err(crate::csv_file::UploadError::TooLarge) => Err(ApiError::PayloadTooLarge),
            Err(e) => Err(ApiError::Unprocessable(vec![super::FieldError::new(
                "file",
                e.to_string(),
            )])),
        }
    }
}
