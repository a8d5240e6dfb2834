//! Body and query extractors whose rejections are API errors with a JSON
//! body: malformed JSON is a 400, JSON of the wrong shape a 422, text with
//! a control character a 422 naming its field (the rule of
//! [`crate::text`]), a body of the wrong media type a 415, and one over the
//! size limit a 413.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header;
use axum::http::request::Parts;

use super::ApiError;

/// Whether a request says its body is JSON (`application/json`, or any
/// `+json` type), as `axum::Json` decides it.
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| {
            v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
        })
}

/// Whether a JSON body may hold a forbidden character, so it is worth
/// parsing twice: C0 controls can appear only as escapes (`\u0000`, `\b`,
/// `\f`), behind a backslash; DEL and the C1 controls may also appear raw
/// (byte 0x7F, or 0xC2 then 0x80–0x9F in UTF-8).
fn may_hold_controls(bytes: &[u8]) -> bool {
    bytes.contains(&b'\\')
        || bytes.contains(&0x7f)
        || bytes
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
}

/// The whole body, or the API's answer for one over the limit.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })
}

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(&req) {
            return Err(ApiError::UnsupportedMediaType(
                "Send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let bytes = body_bytes(req, state).await?;
        if may_hold_controls(&bytes)
            && let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            crate::text::check_json(&value)?;
        }
        match axum::Json::<T>::from_bytes(&bytes) {
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
        let bytes = body_bytes(req, state).await?;
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

/// The query string, checked by [`crate::text`]; one that cannot be read
/// is a 400 with a JSON body.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default().as_bytes();
        let unreadable =
            |e: serde_urlencoded::de::Error| ApiError::BadRequest(format!("Bad query string: {e}"));
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(query).map_err(unreadable)?;
        crate::text::check_pairs(&pairs)?;
        serde_urlencoded::from_bytes(query)
            .map(ApiQuery)
            .map_err(unreadable)
    }
}

/// The Content-Type of an Excel workbook (.xlsx).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A long list: CSV (`text/csv`) as [`CsvText`] takes it, or an Excel
/// workbook whose first sheet is read as CSV.
#[derive(Debug)]
pub struct CsvOrWorkbook(pub String);

impl<S> FromRequest<S> for CsvOrWorkbook
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let workbook = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with(XLSX));
        if !workbook {
            return CsvText::from_request(req, state)
                .await
                .map(|CsvText(text)| CsvOrWorkbook(text));
        }
        let bytes = body_bytes(req, state).await?;
        if bytes.len() > crate::csv_file::MAX_UPLOAD_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        crate::spreadsheet::first_sheet_as_csv(&bytes)
            .map(CsvOrWorkbook)
            .map_err(|message| {
                ApiError::Unprocessable(vec![super::FieldError::new("file", message)])
            })
    }
}
