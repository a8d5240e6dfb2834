//! Helpers shared by the forms: the form and query extractors (which hold
//! the text rule of [`crate::text`] and render their refusals as GOV.UK
//! error pages), field errors for the GOV.UK error summary and the
//! three-field GOV.UK date input.

use axum::extract::rejection::RawFormRejection;
use axum::extract::{FromRequest, FromRequestParts, RawForm, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::NaiveDate;
use serde::de::DeserializeOwned;

use super::WebError;
use crate::refusal::Problem;

/// A urlencoded form body (or, for GET, the query string), like
/// `axum::Form`, but every name and value is checked by [`crate::text`]
/// first, and a body that cannot be read (wrong encoding, duplicate or
/// missing fields, wrong media type) is a GOV.UK error page, not plain text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawForm(bytes) = RawForm::from_request(req, state)
            .await
            .map_err(|e| match e {
                RawFormRejection::InvalidFormContentType(_) => WebError::BadRequest(
                    "The form was not sent as a web form (application/x-www-form-urlencoded)"
                        .into(),
                ),
                e if e.status() == StatusCode::PAYLOAD_TOO_LARGE => WebError::TooLarge,
                e => WebError::BadRequest(format!("The form could not be read: {}", e.body_text())),
            })?;
        decode(&bytes).map(Form)
    }
}

/// The query string, checked and rejected as [`Form`] is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        decode(parts.uri.query().unwrap_or_default().as_bytes()).map(Query)
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let unreadable = |e: serde_urlencoded::de::Error| {
        WebError::BadRequest(format!("The form could not be read: {e}"))
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(unreadable)?;
    crate::text::check_pairs(&pairs)?;
    serde_urlencoded::from_bytes(bytes).map_err(unreadable)
}

/// One error: the summary links to `href`, the field shows `message`.
#[derive(Debug, Clone)]
pub struct FormError {
    /// The form field name the error belongs to.
    pub field: String,
    /// The element the summary's link goes to (`#` + id).
    pub href: String,
    pub message: String,
}

/// The errors of one form submission, in the order the form shows fields.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(pub Vec<FormError>);

impl FormErrors {
    /// Adds an error for `field`, linking to the element with id `id`.
    pub fn add(&mut self, field: impl Into<String>, id: &str, message: impl Into<String>) {
        self.0.push(FormError {
            field: field.into(),
            href: format!("#{id}"),
            message: message.into(),
        });
    }

    /// One field's error (a refused form that names one field).
    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FormErrors::default();
        errors.add(field, field, message);
        errors
    }

    /// A service's problems on a form whose elements are named (and have
    /// the ids of) the service's field names; a problem with the request as
    /// a whole links to the page's main content.
    pub fn of(problems: Vec<Problem>) -> Self {
        let mut errors = FormErrors::default();
        for p in problems {
            let name = p.field.name().unwrap_or("main-content");
            errors.add(name, name, p.message);
        }
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn all(&self) -> &[FormError] {
        &self.0
    }

    /// The message to show beside a field, if it has one.
    pub fn message(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// The three boxes of a GOV.UK date input, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct DateInput {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl DateInput {
    /// The date of a required date input named `field`, or `None` with the
    /// error added beside its day box ("Enter the fieldwork start date").
    pub fn required(&self, field: &str, label: &str, errors: &mut FormErrors) -> Option<NaiveDate> {
        let message = match self.parse(label) {
            Ok(Some(date)) => return Some(date),
            Ok(None) => format!("Enter the {}", label.to_lowercase()),
            Err(message) => message,
        };
        errors.add(field, &format!("{field}-day"), message);
        None
    }

    pub fn is_blank(&self) -> bool {
        self.day.trim().is_empty() && self.month.trim().is_empty() && self.year.trim().is_empty()
    }

    /// The date, or the GOV.UK-style message explaining what is wrong.
    /// `label` names the date in messages ("Fieldwork start date").
    pub fn parse(&self, label: &str) -> Result<Option<NaiveDate>, String> {
        if self.is_blank() {
            return Ok(None);
        }
        let part = |s: &str| s.trim().parse::<u32>().ok();
        match (part(&self.day), part(&self.month), part(&self.year)) {
            (None, _, _) if self.day.trim().is_empty() => {
                Err(format!("{label} must include a day"))
            }
            (_, None, _) if self.month.trim().is_empty() => {
                Err(format!("{label} must include a month"))
            }
            (_, _, None) if self.year.trim().is_empty() => {
                Err(format!("{label} must include a year"))
            }
            (Some(d), Some(m), Some(y)) if (1900..=2200).contains(&y) => i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
                .map(Some)
                .ok_or_else(|| format!("{label} must be a real date")),
            (_, _, Some(y)) if !(1900..=2200).contains(&y) => {
                Err(format!("{label} year must include 4 numbers"))
            }
            _ => Err(format!("{label} must be a real date")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(day: &str, month: &str, year: &str) -> DateInput {
        DateInput {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        }
    }

    #[test]
    fn parses_and_explains_dates() {
        assert_eq!(
            input("8", "9", "2025").parse("Date"),
            Ok(NaiveDate::from_ymd_opt(2025, 9, 8))
        );
        assert_eq!(input("", "", "").parse("Date"), Ok(None));
        assert_eq!(
            input("31", "2", "2025").parse("Date"),
            Err("Date must be a real date".into())
        );
        assert_eq!(
            input("1", "", "2025").parse("Date"),
            Err("Date must include a month".into())
        );
        assert_eq!(
            input("1", "2", "25").parse("Date"),
            Err("Date year must include 4 numbers".into())
        );
    }
}
