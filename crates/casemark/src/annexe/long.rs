//! The long-format CSV: one row per case per question, the case's facts
//! repeated on each row so that any row stands alone in a pivot table, and
//! one row per domain one rating. Every question of the framework appears
//! for every case; an unanswered one has a blank answer.

use std::borrow::Cow;

use axum::body::{Body, Bytes};
use tokio::sync::mpsc;

use super::{COLUMNS, InspectionData, fact_cells};
use crate::AppState;
use crate::csv_file::neutralise;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::vocab::AnnexeItem;

/// Bytes handed to the client at a time. The writer buffers about this much
/// before it waits for the client to read, so an export of every inspection
/// holds one inspection's data and one chunk in memory, not the whole file.
const CHUNK: usize = 64 * 1024;

/// Writes one row, neutralising cells a spreadsheet would run as formulas.
fn write_row<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    cells: &[&str; COLUMNS.len()],
) -> csv::Result<()> {
    out.write_record(
        cells
            .iter()
            .map(|c| neutralise(c))
            .collect::<Vec<Cow<str>>>()
            .iter()
            .map(|c| c.as_bytes()),
    )
}

/// The rows that describe the inspection rather than a case: its domain one
/// ratings.
pub fn write_domain_one<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    data: &InspectionData,
) -> csv::Result<()> {
    let i = &data.inspection;
    let (id, fieldwork) = (i.id.to_string(), i.fieldwork_start.to_string());
    for standard in data.framework.domain_one() {
        let rating = data
            .domain_one
            .get(&standard.id)
            .and_then(|d| d.rating)
            .map_or("", |r| r.label());
        let mut cells = [""; COLUMNS.len()];
        cells[..4].copy_from_slice(&[&id, &i.region_name, &i.pdu_name, &fieldwork]);
        cells[16..21].copy_from_slice(&[
            &standard.code,
            AnnexeItem::DomainOneRating.code(),
            &standard.code,
            &standard.name,
            rating,
        ]);
        write_row(out, &cells)?;
    }
    Ok(())
}

/// Every question of the framework for one case, in the order the marking
/// forms show them: each standard's key questions followed by their prompts,
/// then the outcomes.
pub fn write_case<W: std::io::Write>(
    out: &mut csv::Writer<W>,
    data: &InspectionData,
    case: &Case,
) -> csv::Result<()> {
    let i = &data.inspection;
    let (id, fieldwork) = (i.id.to_string(), i.fieldwork_start.to_string());
    let facts = fact_cells(&case.facts);
    let answers = data.answers_of(case.id);
    let mut cells = [""; COLUMNS.len()];
    cells[..4].copy_from_slice(&[&id, &i.region_name, &i.pdu_name, &fieldwork]);
    for (slot, fact) in cells[4..15].iter_mut().zip(&facts) {
        *slot = fact;
    }
    cells[15] = case.marking_status.label();
    cells[22] = case.marker_name.as_deref().unwrap_or("");
    cells[23] = case.marked_as.map_or("", |r| r.label());
    let licence_weeks = case
        .facts
        .licence_weeks
        .map(|w| w.to_string())
        .unwrap_or_default();
    cells[24] = &licence_weeks;
    let set = data.framework.question_set(case.question_set_id);
    cells[25] = set.map_or("", |s| s.code.as_str());
    cells[26] = case.facts.case_type.as_deref().unwrap_or("");
    for standard in data.framework.domain_two() {
        cells[16] = &standard.code;
        // A key question the case's set does not ask has no row: it is not
        // part of the case, rather than unanswered.
        for kq in data.framework.asked(standard, case.question_set_id) {
            let judgement = answers.key_questions.get(&kq.id);
            cells[17..22].copy_from_slice(&[
                AnnexeItem::KeyQuestion.code(),
                &kq.code,
                &kq.text,
                judgement.map_or("", |j| j.answer.label()),
                judgement.and_then(|j| j.rationale.as_deref()).unwrap_or(""),
            ]);
            write_row(out, &cells)?;
            for prompt in &kq.prompts {
                cells[17..22].copy_from_slice(&[
                    AnnexeItem::Prompt.code(),
                    &prompt.code,
                    &prompt.text,
                    answers.prompts.get(&prompt.id).map_or("", |a| a.label()),
                    "",
                ]);
                write_row(out, &cells)?;
            }
        }
    }
    cells[16] = "";
    for outcome in &data.framework.outcomes {
        cells[17..22].copy_from_slice(&[
            AnnexeItem::Outcome.code(),
            &outcome.code,
            &outcome.text,
            answers.outcomes.get(&outcome.id).map_or("", |a| a.label()),
            "",
        ]);
        write_row(out, &cells)?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
enum ExportError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error("the client stopped reading")]
    Gone,
}

type Chunk = Result<Bytes, std::io::Error>;

/// The long CSV of the given inspections as a streamed response body.
///
/// A task writes the file one inspection at a time into a channel of two
/// chunks; when the client reads slowly the task waits, and when it goes
/// away the task stops. A database connection is held only while one
/// inspection loads, never while the client reads.
pub fn stream(state: AppState, inspections: Vec<Inspection>, hidden: Vec<i64>) -> Body {
    let (sender, receiver) = mpsc::channel::<Chunk>(2);
    tokio::spawn(async move {
        match produce(&state, inspections, &hidden, &sender).await {
            Ok(()) | Err(ExportError::Gone) => {}
            Err(e) => {
                // The status line has gone already: ending the body with an
                // error makes the client see a broken download, not a short
                // file that looks complete.
                tracing::error!(error = %e, "CSV export failed part way");
                let _ = sender.send(Err(std::io::Error::other(e.to_string()))).await;
            }
        }
    });
    Body::from_stream(futures_util::stream::unfold(
        receiver,
        |mut receiver| async move { receiver.recv().await.map(|chunk| (chunk, receiver)) },
    ))
}

async fn produce(
    state: &AppState,
    inspections: Vec<Inspection>,
    hidden: &[i64],
    sender: &mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut buffer = Vec::with_capacity(CHUNK * 2);
    // A byte-order mark, so that Excel opens the file as UTF-8 (names with
    // accents intact); casemark's importers skip it.
    buffer.extend_from_slice("\u{feff}".as_bytes());
    write_with(&mut buffer, |out| out.write_record(COLUMNS))?;
    for inspection in inspections {
        let mut data = {
            let mut conn = state.pool.acquire().await?;
            InspectionData::load(&mut conn, &state.frameworks, inspection).await?
        };
        // A blind second marker's own open cases are left out.
        data.cases.retain(|c| !hidden.contains(&c.id));
        write_with(&mut buffer, |out| write_domain_one(out, &data))?;
        for case in &data.cases {
            write_with(&mut buffer, |out| write_case(out, &data, case))?;
            if buffer.len() >= CHUNK {
                send(&mut buffer, sender).await?;
            }
        }
    }
    send(&mut buffer, sender).await
}

/// Appends rows to the buffer through a short-lived CSV writer, so the
/// buffer can be handed to the client between calls.
fn write_with(
    buffer: &mut Vec<u8>,
    rows: impl FnOnce(&mut csv::Writer<&mut Vec<u8>>) -> csv::Result<()>,
) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(buffer);
    rows(&mut out)?;
    out.flush()?;
    Ok(())
}

async fn send(buffer: &mut Vec<u8>, sender: &mpsc::Sender<Chunk>) -> Result<(), ExportError> {
    if buffer.is_empty() {
        return Ok(());
    }
    let bytes = std::mem::replace(buffer, Vec::with_capacity(CHUNK * 2));
    sender
        .send(Ok(Bytes::from(bytes)))
        .await
        .map_err(|_| ExportError::Gone)
}

/// A file name from an inspection's PDU and date, safe in any header.
pub fn file_name(inspection: &Inspection, extension: &str) -> String {
    let pdu: String = inspection
        .pdu_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let pdu = pdu
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    format!("{pdu}-{}-annexe.{extension}", inspection.fieldwork_start)
}
