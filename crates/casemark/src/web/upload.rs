//! Reading a CSV upload form: a file chooser and, for small lists, a text
//! box to paste into. Both import pages (cases, judgements) use it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::Nav;
use super::form::FormErrors;
use crate::auth::CurrentUser;
use crate::csv_file::{self, UploadError};
use crate::db::inspections::Inspection;

/// The upload form of either import.
#[derive(Template, WebTemplate)]
#[template(path = "import_form.html")]
pub struct UploadPage {
    nav: Nav,
    inspection: Inspection,
    heading: &'static str,
    intro: &'static [&'static str],
    paste_hint: &'static str,
    action: String,
    back: String,
    button: &'static str,
    pasted: String,
    errors: FormErrors,
    max_mb: usize,
    /// The file may be an Excel workbook (the long list).
    workbooks: bool,
}

/// What differs between the two upload forms.
struct Wording {
    heading: &'static str,
    intro: &'static [&'static str],
    paste_hint: &'static str,
    /// Under /inspections/{id}/.
    path: &'static str,
    button: &'static str,
}

const CASES: Wording = Wording {
    heading: "Add cases from CSV",
    intro: &[
        "The first row names the columns. Case reference and sentence type are required; \
         the other columns are optional: start date, office, practitioner grade, practitioner \
         count, sex, age at start, ethnicity group, RoSH level, MAPPA eligible.",
        "You will see every row and any problems before anything is added. Either every \
         case is added or none is.",
    ],
    paste_hint: "For example, a header row of reference, sentence_type, practitioner_grade \
                 and then one line per case",
    path: "cases/import",
    button: "Check the cases",
};

const JUDGEMENTS: Wording = Wording {
    heading: "Import judgements",
    intro: &[
        "Upload judgements in the format of casemark's data annexe CSV: one row per case \
         per question, with the columns case_reference, item, code, answer and, if you have \
         them, rationale, marking_status and the case facts.",
        "Cases not yet in the sample are added from the facts on their first row. A blank \
         answer changes nothing. A case whose marking status is Complete is marked complete.",
        "You will see what would change, and any problems, before anything is saved. \
         Either everything is imported or nothing is.",
    ],
    paste_hint: "For example, a header row of case_reference, sentence_type, item, code, \
                 answer and then one line per answer",
    path: "judgements/import",
    button: "Check the judgements",
};

const LONG_LIST: Wording = Wording {
    heading: "Upload the long list",
    intro: &[
        "The long list is every case whose order or licence started in the sample weeks. \
         The first row names the columns: CRN, sex, sentence type, office, practitioner and \
         start date are required; PNC, first name, last name, date of birth, RoSH level and \
         sensitive are read if present.",
        "PNCs, names and dates of birth are used only to find duplicates, and are deleted \
         from every row once the sample is drawn. A new list replaces the old one until then.",
    ],
    paste_hint: "For example, a header row of crn, sex, sentence_type, office, practitioner, \
                 start_date and then one line per case",
    path: "long-list",
    button: "Upload the long list",
};

impl UploadPage {
    fn new(
        user: &CurrentUser,
        inspection: Inspection,
        wording: &Wording,
        errors: FormErrors,
    ) -> Self {
        let id = inspection.id;
        UploadPage {
            nav: Nav::from(user),
            heading: wording.heading,
            intro: wording.intro,
            paste_hint: wording.paste_hint,
            action: format!("/inspections/{id}/{}", wording.path),
            back: format!("/inspections/{id}"),
            button: wording.button,
            inspection,
            pasted: String::new(),
            errors,
            max_mb: csv_file::MAX_UPLOAD_BYTES / 1024 / 1024,
            workbooks: false,
        }
    }

    /// Adding a case list to the sample.
    pub fn cases(user: &CurrentUser, inspection: Inspection, errors: FormErrors) -> Self {
        Self::new(user, inspection, &CASES, errors)
    }

    /// The long list a sample is drawn from.
    pub fn long_list(user: &CurrentUser, inspection: Inspection, errors: FormErrors) -> Self {
        let mut page = Self::new(user, inspection, &LONG_LIST, errors);
        page.back = format!("/inspections/{}/sample", page.inspection.id);
        page.workbooks = true;
        page
    }

    /// Importing judgements in the data annexe's long CSV format.
    pub fn judgements(user: &CurrentUser, inspection: Inspection, errors: FormErrors) -> Self {
        Self::new(user, inspection, &JUDGEMENTS, errors)
    }

    /// The form again, with what was pasted and why it was refused (less
    /// any control characters, which were the reason or would be).
    pub fn refused(mut self, pasted: String) -> Response {
        self.pasted = pasted
            .chars()
            .filter(|c| !crate::text::is_forbidden(*c))
            .collect();
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}

/// The confirm button of a preview sends the previewed file back.
#[derive(Debug, serde::Deserialize)]
pub struct ConfirmForm {
    pub csv: String,
}

/// What the form sent: the text to import (the file's when one was chosen,
/// else the pasted text) and the pasted text, to show again on error.
#[derive(Debug, Default)]
pub struct Upload {
    pub text: String,
    pub pasted: String,
}

/// Why an upload was refused, and which field to report it against.
#[derive(Debug)]
pub struct UploadProblem {
    pub field: &'static str,
    pub message: String,
}

impl UploadProblem {
    pub fn into_errors(self) -> FormErrors {
        FormErrors::single(self.field, self.message)
    }
}

fn on_file(message: impl Into<String>) -> UploadProblem {
    UploadProblem {
        field: "file",
        message: message.into(),
    }
}

pub async fn read(multipart: Multipart) -> Result<Upload, UploadProblem> {
    read_as(multipart, false).await
}

/// [`read`], also taking an Excel workbook (.xlsx) as the file: its first
/// sheet is read as CSV (the long list).
pub async fn read_or_workbook(multipart: Multipart) -> Result<Upload, UploadProblem> {
    read_as(multipart, true).await
}

async fn read_as(mut multipart: Multipart, workbooks: bool) -> Result<Upload, UploadProblem> {
    let mut pasted = String::new();
    let mut file: Option<Vec<u8>> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(on_file(UploadError::TooLarge.to_string()));
            }
            Err(_) => return Err(on_file("The upload could not be read: try again")),
        };
        let name = field.name().unwrap_or_default().to_owned();
        // A file input left empty still sends a part, with no file name.
        let chosen = field.file_name().is_some_and(|n| !n.is_empty());
        let bytes = field
            .bytes()
            .await
            .map_err(|_| on_file("The upload could not be read: try again"))?;
        match name.as_str() {
            "csv" => pasted = String::from_utf8_lossy(&bytes).into_owned(),
            "file" if chosen || !bytes.is_empty() => file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    let text = match &file {
        Some(bytes) if workbooks && crate::spreadsheet::is_workbook(bytes) => {
            if bytes.len() > csv_file::MAX_UPLOAD_BYTES {
                return Err(on_file(UploadError::TooLarge.to_string()));
            }
            crate::spreadsheet::first_sheet_as_csv(bytes).map_err(on_file)?
        }
        Some(bytes) => csv_file::decode(bytes)
            .map_err(|e| on_file(e.to_string()))?
            .to_owned(),
        None if pasted.trim().is_empty() => {
            return Err(UploadProblem {
                field: "csv",
                message: "Choose a CSV file, or paste the rows".into(),
            });
        }
        None => {
            csv_file::check_text(&pasted).map_err(|e| UploadProblem {
                field: "csv",
                message: e.to_string(),
            })?;
            pasted.clone()
        }
    };
    if text.len() > csv_file::MAX_UPLOAD_BYTES {
        return Err(on_file(UploadError::TooLarge.to_string()));
    }
    Ok(Upload { text, pasted })
}
