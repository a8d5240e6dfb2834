//! Importing judgements from the long-format CSV that [`super::long`]
//! writes, for moving marking done elsewhere into casemark.
//!
//! The rules, as an inspector would expect them:
//! - Only the lead inspector imports, at the stages when the lead may mark.
//! - A case not yet in the inspection is added from the facts on its first
//!   row (when cases may still be added); a case already there keeps its
//!   facts.
//! - A blank answer or rationale changes nothing; a given one replaces what
//!   is recorded, through the same checks and audit trail as the marking
//!   form. A marking status of "Complete" marks the case complete, which
//!   needs every key question answered.
//! - Domain one rating rows record the lead's domain one ratings.
//! - Everything is written in one transaction, or nothing is, and a preview
//!   runs the very same steps and rolls them back.
//!
//! Reading the file and applying it stay in one module (about 470 lines
//! before its tests): both work on `ImportFile` and its row numbers, and
//! every problem applying finds is reported at the row reading recorded.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::PgPool;

use super::COLUMNS;
use crate::audit::Actor;
use crate::csv_file;
use crate::domain_one::{self, DomainOneInput};
use crate::framework::FrameworkCache;
use crate::intake::{self, NumberedCase, RawCase};
use crate::marking::{self, KeyQuestionInput, Submission};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{AnnexeItem, MarkingStatus};
use crate::{access, db};

/// One case's rows of the file.
#[derive(Debug, Clone)]
pub struct ImportCase {
    pub reference: String,
    /// The spreadsheet row of the case's first row.
    pub row: usize,
    /// The facts on that first row, used if the case is new.
    pub facts: RawCase,
    pub submission: Submission,
    /// Where each answer came from, for messages: (item, code) → row.
    rows: HashMap<(AnnexeItem, String), usize>,
    /// How many answers the file gives for the case.
    pub answers: usize,
}

/// A judgements file, read but not yet applied.
#[derive(Debug, Clone, Default)]
pub struct ImportFile {
    pub cases: Vec<ImportCase>,
    /// Domain one ratings: (row, standard code, rating as written).
    pub domain_one: Vec<(usize, String, String)>,
}

/// What an import wrote (or, previewed, would write).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ImportSummary)]
pub struct Summary {
    pub cases_added: usize,
    pub cases_updated: usize,
    pub answers: usize,
    pub cases_complete: usize,
    pub domain_one_ratings: usize,
}

fn column_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The long-format column a header names ("Case reference" and
/// "case_reference" alike).
fn column_of(header: &str) -> Option<&'static str> {
    let key = column_key(header);
    COLUMNS.iter().copied().find(|c| column_key(c) == key)
}

/// The case-fact field a long-format column fills, if it is one.
fn fact_field(column: &str) -> Option<&'static str> {
    match column {
        "case_reference" => Some("reference"),
        other => intake::FIELDS.iter().copied().find(|f| *f == other),
    }
}

fn problem(row: usize, column: &'static str, message: impl Into<String>) -> Problem {
    Problem::in_row(row, column, message)
}

/// Reads a judgements file. Every problem found is returned, with its row
/// and column, and then nothing is imported.
pub fn parse(text: &str) -> Result<ImportFile, Vec<Problem>> {
    let mut reader = csv_file::reader(text);
    let headers = reader
        .headers()
        .map_err(|e| vec![problem(1, "file", csv_file::row_error(&e))])?
        .clone();
    if let Some(message) = csv_file::wrong_delimiter(&headers) {
        return Err(vec![problem(1, "file", message)]);
    }
    let mut columns = Vec::with_capacity(headers.len());
    let mut problems = Vec::new();
    for header in &headers {
        match column_of(header) {
            Some(column) if columns.contains(&Some(column)) => {
                problems.push(problem(
                    1,
                    "file",
                    format!("Column '{header}' appears twice"),
                ));
            }
            Some(column) => columns.push(Some(column)),
            None => {
                problems.push(problem(
                    1,
                    "file",
                    format!(
                        "Unknown column '{header}': the columns are those of casemark's data annexe CSV ({})",
                        COLUMNS.join(", ")
                    ),
                ));
                columns.push(None);
            }
        }
    }
    for required in ["case_reference", "item", "code", "answer"] {
        if !columns.contains(&Some(required)) {
            problems.push(problem(
                1,
                "file",
                format!("The header row has no {required} column"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut file = ImportFile::default();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut inspections = HashSet::new();
    let mut rows_read = 0;
    for (index, record) in reader.records().enumerate() {
        let row = csv_file::spreadsheet_row(index);
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(problem(row, "file", csv_file::row_error(&e)));
                continue;
            }
        };
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        rows_read += 1;
        let mut cell: HashMap<&'static str, &str> = HashMap::new();
        for (column, value) in columns.iter().zip(record.iter()) {
            if let Some(column) = column {
                cell.insert(column, csv_file::restore(value.trim()));
            }
        }
        let get = |column: &str| cell.get(column).copied().unwrap_or("");
        if !get("inspection_id").is_empty() {
            inspections.insert(get("inspection_id").to_owned());
        }
        let item = match get("item").parse::<AnnexeItem>() {
            Ok(item) => item,
            Err(e) => {
                problems.push(problem(row, "item", e.to_string()));
                continue;
            }
        };
        let code = get("code").to_owned();
        if code.is_empty() {
            problems.push(problem(
                row,
                "code",
                "Enter the question's code, like 2.1.3",
            ));
            continue;
        }
        let answer = get("answer");
        let rationale = get("rationale");
        if !rationale.is_empty() && item != AnnexeItem::KeyQuestion {
            problems.push(problem(
                row,
                "rationale",
                "Only key questions have a rationale: leave this cell blank",
            ));
        }
        if item == AnnexeItem::DomainOneRating {
            if !answer.is_empty() {
                file.domain_one.push((row, code, answer.to_owned()));
            }
            continue;
        }
        let reference = get("case_reference");
        if reference.is_empty() {
            problems.push(problem(row, "case_reference", "Enter the case reference"));
            continue;
        }
        let position = *index_of.entry(reference.to_lowercase()).or_insert_with(|| {
            let mut facts = RawCase::default();
            for (column, value) in &cell {
                if let Some(field) = fact_field(column) {
                    facts.set(field, (*value).to_owned());
                }
            }
            file.cases.push(ImportCase {
                reference: reference.to_owned(),
                row,
                facts,
                submission: Submission::default(),
                rows: HashMap::new(),
                answers: 0,
            });
            file.cases.len() - 1
        });
        let case = &mut file.cases[position];
        match get("marking_status") {
            "" => {}
            status => match status.parse::<MarkingStatus>() {
                Ok(MarkingStatus::Complete) => case.submission.complete = Some(true),
                Ok(_) => {}
                Err(e) => problems.push(problem(row, "marking_status", e.to_string())),
            },
        }
        if answer.is_empty() && rationale.is_empty() {
            continue;
        }
        if let Some(first) = case.rows.insert((item, code.clone()), row) {
            problems.push(problem(
                row,
                "code",
                format!(
                    "{} {code} of case {} is also on row {first}: give each answer once",
                    item.label(),
                    case.reference
                ),
            ));
            continue;
        }
        case.answers += usize::from(!answer.is_empty());
        let answer = Some(answer.to_owned()).filter(|a| !a.is_empty());
        let s = &mut case.submission;
        match item {
            AnnexeItem::KeyQuestion => {
                s.key_questions.insert(
                    code,
                    KeyQuestionInput {
                        answer,
                        rationale: Some(rationale.to_owned()).filter(|r| !r.is_empty()),
                        quote: None,
                    },
                );
            }
            AnnexeItem::Prompt => {
                s.prompts.insert(code, answer.unwrap_or_default());
            }
            AnnexeItem::Outcome => {
                s.outcomes.insert(code, answer.unwrap_or_default());
            }
            AnnexeItem::DomainOneRating => {}
        }
    }
    if inspections.len() > 1 {
        problems.push(problem(
            1,
            "inspection_id",
            format!(
                "The file holds {} inspections: import one inspection's rows at a time",
                inspections.len()
            ),
        ));
    }
    if rows_read == 0 && problems.is_empty() {
        problems.push(problem(1, "file", "The file has a header row but no rows"));
    }
    if problems.is_empty() {
        Ok(file)
    } else {
        problems.sort_by_key(|p| p.row);
        Err(problems)
    }
}

/// Whether to keep what an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Run every step, report, and roll back.
    Preview,
    Commit,
}

/// Applies a judgements file to an inspection: all of it, or (on any
/// problem, or in preview) none of it.
pub async fn apply(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    file: &ImportFile,
    mode: Mode,
) -> Result<Summary, Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    if !access.is_lead() {
        return Err(Refusal::Forbidden);
    }
    access.check_marking(status, None)?;
    let inspection = db::inspections::get(&mut tx, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;

    let mut problems = Vec::new();
    let mut summary = Summary::default();
    let mut ids: HashMap<String, i64> = db::cases::ids_by_reference(&mut tx, inspection_id)
        .await?
        .into_iter()
        .collect();
    let new: Vec<NumberedCase> = file
        .cases
        .iter()
        .filter(|c| !ids.contains_key(&c.reference.to_lowercase()))
        .map(|c| NumberedCase {
            row: c.row,
            raw: c.facts.clone(),
        })
        .collect();
    if !new.is_empty() {
        match intake::validate_batch(&mut tx, actor, inspection_id, &new).await {
            Ok(valid) => {
                let added = intake::insert_cases(
                    &mut tx,
                    actor,
                    inspection_id,
                    inspection.framework_version_id,
                    valid,
                )
                .await?;
                summary.cases_added = added.len();
                for case in added {
                    ids.insert(case.facts.reference.to_lowercase(), case.id);
                }
            }
            Err(Refusal::Invalid(found)) => problems.extend(found.into_iter().map(|p| Problem {
                field: match p.field {
                    Field::Named("reference") => Field::Named("case_reference"),
                    other => other,
                },
                ..p
            })),
            Err(Refusal::Locked(message)) => {
                for case in &new {
                    problems.push(problem(
                        case.row,
                        "case_reference",
                        format!(
                            "Case {} is not in this inspection, and cases cannot be added now: {message}",
                            case.raw.reference.as_deref().unwrap_or_default()
                        ),
                    ));
                }
            }
            Err(e) => return Err(e),
        }
    }

    for case in &file.cases {
        let Some(&case_id) = ids.get(&case.reference.to_lowercase()) else {
            continue; // its facts were refused above
        };
        match marking::save_in(&mut tx, frameworks, actor, case_id, &case.submission).await {
            Ok(saved) => {
                summary.answers += case.answers;
                summary.cases_complete +=
                    usize::from(saved.marking_status == MarkingStatus::Complete);
            }
            Err(Refusal::Invalid(found)) => {
                problems.extend(found.into_iter().map(|p| locate(case, p)));
            }
            // No revision is given, so a save cannot conflict.
            Err(e) => return Err(e),
        }
    }
    summary.cases_updated = file.cases.len() - summary.cases_added;

    if !file.domain_one.is_empty() {
        let inputs: BTreeMap<String, DomainOneInput> = file
            .domain_one
            .iter()
            .map(|(_, code, rating)| {
                (
                    code.clone(),
                    DomainOneInput {
                        rating: Some(rating.clone()),
                        ..DomainOneInput::default()
                    },
                )
            })
            .collect();
        let row_of = |code: &str| {
            file.domain_one
                .iter()
                .find(|(_, c, _)| c == code)
                .map_or(1, |(row, _, _)| *row)
        };
        match domain_one::record_in(&mut tx, frameworks, actor, inspection_id, &inputs).await {
            Ok(()) => summary.domain_one_ratings = inputs.len(),
            Err(Refusal::Invalid(found)) => {
                problems.extend(found.into_iter().map(|p| {
                    let (code, column) = match &p.field {
                        Field::DomainOne { code, part } if *part == "standard" => {
                            (code.as_str(), "code")
                        }
                        Field::DomainOne { code, .. } => (code.as_str(), "answer"),
                        _ => ("", "answer"),
                    };
                    problem(row_of(code), column, p.message)
                }));
            }
            Err(Refusal::Locked(m)) => {
                for (row, _, _) in &file.domain_one {
                    problems.push(problem(*row, "answer", m.clone()));
                }
            }
            Err(e) => return Err(e),
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.row);
        return Err(Refusal::Invalid(problems));
    }
    if mode == Mode::Commit {
        tx.commit().await?;
    }
    Ok(summary)
}

/// The row and column of the file that a marking problem is about.
fn locate(case: &ImportCase, p: Problem) -> Problem {
    let (key, field) = match &p.field {
        Field::KeyQuestion(code) => (Some((AnnexeItem::KeyQuestion, code.clone())), "answer"),
        Field::Rationale(code) => (Some((AnnexeItem::KeyQuestion, code.clone())), "rationale"),
        Field::Prompt(code) => (Some((AnnexeItem::Prompt, code.clone())), "answer"),
        Field::Outcome(code) => (Some((AnnexeItem::Outcome, code.clone())), "answer"),
        _ => (None, "answer"),
    };
    match key.and_then(|key| case.rows.get(&key)) {
        Some(row) => problem(
            *row,
            field,
            format!("Case {}: {}", case.reference, p.message),
        ),
        // A key question missing from a case marked complete has no row.
        None => problem(
            case.row,
            "marking_status",
            format!("Case {}: {}", case.reference, p.message),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "case_reference,sentence_type,marking_status,item,code,answer,rationale\n";

    #[test]
    fn groups_rows_by_case_and_reads_each_kind() {
        let text = format!(
            "{HEADER}A1,Licence,Complete,key_question,2.1.1,Yes,'=good\n\
             a1,Licence,Complete,prompt,2.1.1.1,N/A,\n\
             A1,Licence,Complete,outcome,O1,,\n\
             ,,,domain_one_rating,1.1,Good,\n"
        );
        let file = parse(&text).expect("parses");
        assert_eq!(file.cases.len(), 1);
        let case = &file.cases[0];
        assert_eq!(case.row, 2);
        assert_eq!(case.answers, 2);
        assert_eq!(case.submission.complete, Some(true));
        let kq = &case.submission.key_questions["2.1.1"];
        assert_eq!(kq.answer.as_deref(), Some("Yes"));
        assert_eq!(kq.rationale.as_deref(), Some("=good"));
        assert!(case.submission.outcomes.is_empty());
        assert_eq!(file.domain_one, vec![(5, "1.1".into(), "Good".into())]);
    }

    #[test]
    fn reports_every_problem_with_its_row_and_column() {
        let text = format!(
            "{HEADER}A1,Licence,,key_question,2.1.1,Yes,\n\
             A1,Licence,,key_question,2.1.1,No,\n\
             ,Licence,,key_question,2.1.2,Yes,\n\
             A2,Licence,Done,question,2.1.1,Yes,\n\
             A3,Licence,,prompt,2.1.1.1,Yes,because\n"
        );
        let problems = parse(&text).expect_err("refused");
        let found: Vec<_> = problems.iter().map(|p| (p.row, p.field.name())).collect();
        assert_eq!(
            found,
            [
                (Some(3), Some("code")),
                (Some(4), Some("case_reference")),
                (Some(5), Some("item")),
                (Some(6), Some("rationale"))
            ]
        );
    }

    #[test]
    fn refuses_files_of_several_inspections_and_unknown_columns() {
        let text = "inspection_id,case_reference,item,code,answer\n1,A,prompt,2.1.1.1,Yes\n2,B,prompt,2.1.1.1,Yes\n";
        assert!(
            parse(text).expect_err("two")[0]
                .message
                .contains("2 inspections")
        );
        let text = "case_reference,item,code,answer,colour\n";
        assert!(
            parse(text).expect_err("unknown")[0]
                .message
                .contains("Unknown column 'colour'")
        );
    }
}
