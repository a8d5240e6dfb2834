//! The inspection data annexe: an inspection's case facts, judgements and
//! ratings as files people open in a spreadsheet.
//!
//! - [`long`]: one tidy CSV, one row per case per question (plus a row per
//!   domain one rating), streamed for one inspection or all of them.
//! - [`workbook`]: an Excel workbook laid out like a published annexe.
//! - [`import`]: reading the long CSV back into an inspection, so marking
//!   done elsewhere (or exported from another casemark) can move in.
//!
//! The long format is the contract between export and import; its columns
//! are [`COLUMNS`] and docs/data-annexe.md describes them.

pub mod import;
pub mod long;
mod qa_sheet;
pub mod workbook;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgConnection;

use crate::db::answers::CaseAnswers;
use crate::db::cases::{Case, CaseFacts, CaseFilter};
use crate::db::domain_one::SurveyItem;
use crate::db::inspections::Inspection;
use crate::db::ratings::DomainOne;
use crate::domain_one::StandardView;
use crate::framework::{Framework, FrameworkCache};
use crate::{AppState, db};

/// The columns of the long-format CSV, in order.
pub const COLUMNS: [&str; 27] = [
    "inspection_id",
    "region",
    "pdu",
    "fieldwork_start",
    "case_reference",
    "sentence_type",
    "start_date",
    "office",
    "practitioner_grade",
    "practitioner_count",
    "sex",
    "age_at_start",
    "ethnicity_group",
    "rosh_level",
    "mappa_eligible",
    "marking_status",
    "standard",
    "item",
    "code",
    "question",
    "answer",
    "rationale",
    // Who first marked the case, and as what (lead, inspector or local
    // assessor): last, so files made before they were added still read.
    "marked_by",
    "marked_as",
    // Added with question sets (after the marker, for the same reason): the
    // licence's length, read back as a case fact, and the case's set, which
    // an import does not read (a new case's facts choose it).
    "licence_weeks",
    "question_set",
    // Added with case types (region inspections): read back as a case fact.
    "case_type",
];

/// Everything an export of one inspection holds, loaded in a handful of
/// queries whatever the number of cases.
#[derive(Debug)]
pub struct InspectionData {
    pub inspection: Inspection,
    pub framework: Arc<Framework>,
    /// Ordered by reference.
    pub cases: Vec<Case>,
    pub answers: HashMap<i64, CaseAnswers>,
    pub domain_one: HashMap<i32, DomainOne>,
    /// Domain one's key questions with their judgements and evidence.
    pub domain_one_view: Vec<StandardView>,
    pub staff_survey: Vec<SurveyItem>,
}

impl InspectionData {
    pub async fn load(
        conn: &mut PgConnection,
        frameworks: &FrameworkCache,
        inspection: Inspection,
    ) -> Result<Self, sqlx::Error> {
        let framework = frameworks
            .get(&mut *conn, inspection.framework_version_id)
            .await?;
        let mut cases = db::cases::list(&mut *conn, inspection.id, &CaseFilter::default()).await?;
        cases.sort_by_key(|c| c.facts.reference.to_lowercase());
        let answers = db::answers::for_inspection(&mut *conn, inspection.id).await?;
        let domain_one = db::ratings::domain_one(&mut *conn, inspection.id).await?;
        let (domain_one_view, staff_survey) =
            crate::domain_one::load_view(&mut *conn, &framework, inspection.id).await?;
        Ok(InspectionData {
            domain_one_view,
            staff_survey,
            inspection,
            framework,
            cases,
            answers,
            domain_one,
        })
    }

    /// A case's answers (empty when nothing is recorded yet).
    pub fn answers_of(&self, case_id: i64) -> &CaseAnswers {
        static NONE: std::sync::LazyLock<CaseAnswers> =
            std::sync::LazyLock::new(CaseAnswers::default);
        self.answers.get(&case_id).unwrap_or(&NONE)
    }
}

/// A case's facts as people read them (labels, ISO dates, Yes/No), in the
/// order of the fact columns of [`COLUMNS`].
pub fn fact_cells(facts: &CaseFacts) -> [String; 11] {
    fn label<T: Copy>(value: Option<T>, label: fn(T) -> &'static str) -> String {
        value.map(label).unwrap_or_default().to_owned()
    }
    fn number<T: ToString>(value: Option<T>) -> String {
        value.map(|v| v.to_string()).unwrap_or_default()
    }
    [
        facts.reference.clone(),
        facts.sentence_type.label().to_owned(),
        number(facts.start_date),
        facts.office.clone().unwrap_or_default(),
        label(facts.practitioner_grade, |g| g.label()),
        number(facts.practitioner_count),
        label(facts.sex, |s| s.label()),
        number(facts.age_at_start),
        label(facts.ethnicity_group, |e| e.label()),
        label(facts.rosh_level, |r| r.label()),
        label(facts.mappa_eligible, |m| if m { "Yes" } else { "No" }),
    ]
}

pub const CSV_TYPE: &str = "text/csv; charset=utf-8";
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file download: its type, the name browsers save it under, its body.
pub fn download(content_type: &'static str, file_name: &str, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                crate::edge::download::attachment(file_name),
            ),
        ],
        body,
    )
        .into_response()
}

#[derive(Debug, thiserror::Error)]
pub enum WorkbookError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the workbook could not be built: {0}")]
    Build(String),
}

/// An inspection's annexe workbook, built off the async threads (zipping a
/// workbook is CPU work).
pub async fn workbook_for(
    state: &AppState,
    inspection: Inspection,
) -> Result<Vec<u8>, WorkbookError> {
    let mut conn = state.pool.acquire().await?;
    let data = InspectionData::load(&mut conn, &state.frameworks, inspection).await?;
    let ratings =
        crate::ratings::for_inspection(&mut conn, &data.framework, &data.inspection).await?;
    let qa = crate::qa::report(&mut conn, &data.framework, data.inspection.id).await?;
    let fieldwork =
        crate::fieldwork::board(&mut conn, &data.inspection, crate::fieldwork::STALE_DAYS).await?;
    drop(conn);
    tokio::task::spawn_blocking(move || workbook::build(&data, &ratings, &qa, &fieldwork))
        .await
        .map_err(|e| WorkbookError::Build(e.to_string()))?
        .map_err(|e| WorkbookError::Build(e.to_string()))
}

/// The national CSV's file name, dated so successive downloads sort.
pub fn national_file_name() -> String {
    format!(
        "casemark-all-inspections-{}.csv",
        chrono::Utc::now().date_naive()
    )
}
