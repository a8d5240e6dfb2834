//! Adding cases to an inspection's sample: validating case facts (from the
//! form, the JSON API or a CSV file) and writing a batch all or nothing.

use std::collections::HashSet;

use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};

use crate::access;
use crate::audit::Actor;
use crate::db::audit::NewEvent;
use crate::db::cases::CaseFacts;
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{NotInVocabulary, parse_optional};
use crate::{csv_file, db};

/// Case facts as given, before validation: every value is text, as it comes
/// from a form or a CSV cell (the JSON API turns numbers and booleans into
/// text first), and blank means "not recorded".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct RawCase {
    pub reference: Option<String>,
    pub sentence_type: Option<String>,
    pub start_date: Option<String>,
    pub office: Option<String>,
    pub practitioner_grade: Option<String>,
    pub practitioner_count: Option<String>,
    pub sex: Option<String>,
    pub age_at_start: Option<String>,
    pub ethnicity_group: Option<String>,
    pub rosh_level: Option<String>,
    pub mappa_eligible: Option<String>,
}

/// The case fact fields, named as in forms, the JSON API and CSV headers.
pub const FIELDS: [&str; 11] = [
    "reference",
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
];

impl RawCase {
    /// A field by its name in [`FIELDS`], as given.
    pub fn get(&self, field: &str) -> Option<&str> {
        let slot = match field {
            "reference" => &self.reference,
            "sentence_type" => &self.sentence_type,
            "start_date" => &self.start_date,
            "office" => &self.office,
            "practitioner_grade" => &self.practitioner_grade,
            "practitioner_count" => &self.practitioner_count,
            "sex" => &self.sex,
            "age_at_start" => &self.age_at_start,
            "ethnicity_group" => &self.ethnicity_group,
            "rosh_level" => &self.rosh_level,
            "mappa_eligible" => &self.mappa_eligible,
            _ => return None,
        };
        slot.as_deref()
    }

    /// Sets a field by its name in [`FIELDS`]; other names are ignored.
    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "reference" => &mut self.reference,
            "sentence_type" => &mut self.sentence_type,
            "start_date" => &mut self.start_date,
            "office" => &mut self.office,
            "practitioner_grade" => &mut self.practitioner_grade,
            "practitioner_count" => &mut self.practitioner_count,
            "sex" => &mut self.sex,
            "age_at_start" => &mut self.age_at_start,
            "ethnicity_group" => &mut self.ethnicity_group,
            "rosh_level" => &mut self.rosh_level,
            "mappa_eligible" => &mut self.mappa_eligible,
            _ => return,
        };
        *slot = Some(value);
    }
}

fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Checks one case's facts; every problem is reported, not just the first.
pub fn validate(raw: &RawCase) -> Result<CaseFacts, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut report = |field: &'static str, message: String| {
        problems.push(Problem::new(Field::Named(field), message))
    };
    let vocab = |e: NotInVocabulary| e.to_string();

    let reference = match blank(&raw.reference) {
        None => {
            report("reference", "Enter the case reference".into());
            String::new()
        }
        Some(r) if r.chars().count() > 50 => {
            report(
                "reference",
                "Case reference must be 50 characters or fewer".into(),
            );
            String::new()
        }
        Some(r) if crate::text::is_multiline(r) => {
            report(
                "reference",
                "Case reference must be one line, without tabs or line breaks".into(),
            );
            String::new()
        }
        Some(r) => r.to_owned(),
    };
    let sentence_type = match blank(&raw.sentence_type) {
        None => {
            report(
                "sentence_type",
                "Select the sentence type: community order or licence".into(),
            );
            None
        }
        Some(v) => v
            .parse()
            .map_err(|e| report("sentence_type", vocab(e)))
            .ok(),
    };
    let start_date = match blank(&raw.start_date) {
        None => None,
        Some(v) => match parse_date(v) {
            Some(d) => Some(d),
            None => {
                report(
                    "start_date",
                    format!("Start date '{v}' must be a real date, like 2024-03-27 or 27/03/2024"),
                );
                None
            }
        },
    };
    let office = match blank(&raw.office) {
        Some(o) if o.chars().count() > 200 => {
            report("office", "Office must be 200 characters or fewer".into());
            None
        }
        other => other.map(str::to_owned),
    };
    let practitioner_grade = parse_optional(raw.practitioner_grade.as_deref())
        .map_err(|e| report("practitioner_grade", vocab(e)))
        .unwrap_or(None);
    let practitioner_count = number(blank(&raw.practitioner_count), 1, 99)
        .map_err(|()| {
            report(
                "practitioner_count",
                "Number of practitioners must be a whole number from 1 to 99".into(),
            )
        })
        .unwrap_or(None);
    let sex = parse_optional(raw.sex.as_deref())
        .map_err(|e| report("sex", vocab(e)))
        .unwrap_or(None);
    let age_at_start = number(blank(&raw.age_at_start), 10, 120)
        .map_err(|()| {
            report(
                "age_at_start",
                "Age at start must be a whole number from 10 to 120".into(),
            )
        })
        .unwrap_or(None);
    let ethnicity_group = parse_optional(raw.ethnicity_group.as_deref())
        .map_err(|e| report("ethnicity_group", vocab(e)))
        .unwrap_or(None);
    let rosh_level = parse_optional(raw.rosh_level.as_deref())
        .map_err(|e| report("rosh_level", vocab(e)))
        .unwrap_or(None);
    let mappa_eligible = match blank(&raw.mappa_eligible) {
        None => None,
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                report(
                    "mappa_eligible",
                    format!("MAPPA eligibility '{v}' must be yes or no"),
                );
                None
            }
        },
    };

    match (problems.is_empty(), sentence_type) {
        (true, Some(sentence_type)) => Ok(CaseFacts {
            reference,
            sentence_type,
            start_date,
            office,
            practitioner_grade,
            practitioner_count,
            sex,
            age_at_start,
            ethnicity_group,
            rosh_level,
            mappa_eligible,
        }),
        _ => Err(problems),
    }
}

/// ISO dates (2024-03-27) and the UK's day-first form (27/03/2024).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
}

fn number(value: Option<&str>, min: i16, max: i16) -> Result<Option<i16>, ()> {
    match value {
        None => Ok(None),
        Some(v) => match v.parse::<i16>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(()),
        },
    }
}

/// A case written by [`add_cases`].
#[derive(Debug, Clone)]
pub struct AddedCase {
    pub id: i64,
    pub facts: CaseFacts,
}

/// A case as given, with the row it came from (the CSV file's spreadsheet
/// row, or its place in a JSON list counting from 1).
#[derive(Debug, Clone)]
pub struct NumberedCase {
    pub row: usize,
    pub raw: RawCase,
}

impl NumberedCase {
    /// Numbers cases 1, 2, 3… in the order given.
    pub fn in_order(raws: Vec<RawCase>) -> Vec<NumberedCase> {
        raws.into_iter()
            .enumerate()
            .map(|(index, raw)| NumberedCase {
                row: index + 1,
                raw,
            })
            .collect()
    }
}

/// Checks a batch of cases as [`add_cases`] would, writing nothing: the
/// preview of an import.
pub async fn check_cases(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    cases: &[NumberedCase],
) -> Result<Vec<CaseFacts>, Refusal> {
    let mut tx = pool.begin().await?;
    let valid = validate_batch(&mut tx, actor, inspection_id, cases).await?;
    Ok(valid.into_iter().map(|(_, facts)| facts).collect())
}

/// Validates every case, refuses references that repeat within the batch or
/// are already in the inspection, and writes all of them in one transaction
/// or none.
pub async fn add_cases(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    framework_version_id: i32,
    cases: &[NumberedCase],
) -> Result<Vec<AddedCase>, Refusal> {
    let mut tx = pool.begin().await?;
    let valid = validate_batch(&mut tx, actor, inspection_id, cases).await?;
    let added = insert_cases(&mut tx, actor, inspection_id, framework_version_id, valid).await?;
    tx.commit().await?;
    Ok(added)
}

/// The checks of [`add_cases`]: who may add cases at this stage, each case's
/// facts, and references unique within the batch and the inspection.
pub(crate) async fn validate_batch(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
    cases: &[NumberedCase],
) -> Result<Vec<(usize, CaseFacts)>, Refusal> {
    let (status, access) = access::stage_and_standing(conn, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_adding_cases(status)?;
    let existing: HashSet<String> = db::cases::references_in(conn, inspection_id)
        .await?
        .into_iter()
        .collect();
    let mut problems = Vec::new();
    let mut valid = Vec::with_capacity(cases.len());
    let mut seen = HashSet::new();
    for case in cases {
        match validate(&case.raw) {
            Ok(facts) => valid.push((case.row, facts)),
            Err(found) => problems.extend(found.into_iter().map(|p| Problem {
                row: Some(case.row),
                ..p
            })),
        }
        // References are compared as given, so that a repeat is reported
        // even when the other row has problems of its own.
        if let Some(reference) = blank(&case.raw.reference) {
            let key = reference.to_lowercase();
            if existing.contains(&key) {
                problems.push(duplicate(
                    case.row,
                    reference,
                    "is already in this inspection",
                ));
            } else if !seen.insert(key) {
                problems.push(duplicate(case.row, reference, "appears more than once"));
            }
        }
    }
    if problems.is_empty() {
        Ok(valid)
    } else {
        problems.sort_by_key(|p| p.row);
        Err(Refusal::Invalid(problems))
    }
}

/// Writes validated cases and their audit events on the caller's transaction.
pub(crate) async fn insert_cases(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
    framework_version_id: i32,
    valid: Vec<(usize, CaseFacts)>,
) -> Result<Vec<AddedCase>, Refusal> {
    let mut added = Vec::with_capacity(valid.len());
    let mut events = Vec::with_capacity(valid.len());
    for (row, facts) in valid {
        match db::cases::insert(conn, inspection_id, framework_version_id, &facts).await {
            Ok(id) => {
                events.push(NewEvent {
                    inspection_id,
                    case_id: Some(id),
                    case_revision: Some(0),
                    entity: "case",
                    field: Some("reference"),
                    new_value: Some(facts.reference.clone()),
                    ..NewEvent::default()
                });
                added.push(AddedCase { id, facts });
            }
            // Someone else added the same reference since we looked.
            Err(e) if db::violates(&e, db::cases::REFERENCE_KEY) => {
                return Err(Refusal::Invalid(vec![duplicate(
                    row,
                    &facts.reference,
                    "is already in this inspection",
                )]));
            }
            Err(e) => return Err(e.into()),
        }
    }
    db::audit::append(conn, actor.id, &actor.label, &events).await?;
    Ok(added)
}

impl RawCase {
    /// The form's starting values for a case that exists.
    pub fn from_facts(facts: &CaseFacts) -> RawCase {
        let mut raw = RawCase::default();
        for (field, value) in facts.as_text() {
            raw.set(field, value);
        }
        raw
    }
}

/// Corrects a case's facts: whoever may mark the case may correct them, at
/// the same stages. Each changed fact is audited.
pub async fn update_facts(
    pool: &PgPool,
    actor: &Actor,
    case_id: i64,
    raw: &RawCase,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let inspection_id = db::cases::inspection_of(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let case = db::cases::get_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_marking(status, case.assigned_to)?;
    let facts = validate(raw).map_err(Refusal::Invalid)?;
    let before = case.facts.as_text();
    let after = facts.as_text();
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(old, new)| old.1 != new.1)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    match db::cases::update_facts(&mut tx, case_id, &facts).await {
        Err(e) if db::violates(&e, db::cases::REFERENCE_KEY) => {
            return Err(Refusal::Invalid(vec![duplicate(
                1,
                &facts.reference,
                "is already in this inspection",
            )]));
        }
        other => other?,
    }
    let revision = db::cases::bump_revision(&mut tx, case_id).await?;
    let blank = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let events: Vec<NewEvent> = changed
        .into_iter()
        .map(|(old, new)| NewEvent {
            inspection_id: case.inspection_id,
            case_id: Some(case_id),
            case_revision: Some(revision),
            entity: "case_fact",
            code: Some(old.0.to_owned()),
            field: Some(old.0),
            old_value: blank(&old.1),
            new_value: blank(&new.1),
            ..NewEvent::default()
        })
        .collect();
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}

fn duplicate(row: usize, reference: &str, what: &str) -> Problem {
    Problem::in_row(
        row,
        "reference",
        format!("Case reference {reference} {what}"),
    )
}

/// A CSV file of cases, read: the cases with their spreadsheet rows, the
/// file's own column names for each field (for messages), and the rows that
/// could not be read at all.
#[derive(Debug, Clone, Default)]
pub struct CsvCases {
    pub cases: Vec<NumberedCase>,
    /// (field, header as written in the file), in the file's order.
    pub columns: Vec<(&'static str, String)>,
    pub problems: Vec<Problem>,
}

impl CsvCases {
    /// The file's name for a field, falling back to the field's own name.
    pub fn column_name(&self, field: &str) -> String {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| field.replace('_', " "), |(_, h)| h.clone())
    }
}

/// Reads a CSV of cases (header row first). Headers are matched without case,
/// spaces or punctuation, with common variants ("Case ref", "CRN",
/// "Sentence", "RoSH"); an unknown header is a problem, not silently dropped.
/// Problems with the header row refuse the whole file (`Err`); a row that
/// cannot be read is reported beside the others (`CsvCases::problems`).
pub fn parse_csv(text: &str) -> Result<CsvCases, Vec<Problem>> {
    let mut reader = csv_file::reader(text);
    let problem = |row: usize, message: String| Problem::in_row(row, "file", message);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![problem(1, csv_file::row_error(&e))]),
    };
    if let Some(message) = csv_file::wrong_delimiter(&headers) {
        return Err(vec![problem(1, message)]);
    }
    let mut parsed = CsvCases::default();
    let mut problems = Vec::new();
    for header in &headers {
        match header_field(header) {
            Some(field) if parsed.columns.iter().any(|(f, _)| *f == field) => {
                problems.push(problem(
                    1,
                    format!(
                        "Column '{header}' repeats the {} column",
                        field.replace('_', " ")
                    ),
                ))
            }
            Some(field) => parsed.columns.push((field, header.trim().to_owned())),
            None => problems.push(problem(
                1,
                format!(
                    "Unknown column '{header}': expected columns are {}",
                    FIELDS.join(", ")
                ),
            )),
        }
    }
    for required in ["reference", "sentence_type"] {
        if !parsed.columns.iter().any(|(f, _)| *f == required) {
            problems.push(problem(
                1,
                format!(
                    "The header row has no {} column",
                    required.replace('_', " ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for (index, record) in reader.records().enumerate() {
        let row = csv_file::spreadsheet_row(index);
        match record {
            Ok(record) if record.iter().all(|v| v.trim().is_empty()) => {}
            Ok(record) => {
                let mut raw = RawCase::default();
                for ((field, _), value) in parsed.columns.iter().zip(record.iter()) {
                    raw.set(field, csv_file::restore(value).to_owned());
                }
                parsed.cases.push(NumberedCase { row, raw });
            }
            Err(e) => parsed.problems.push(problem(row, csv_file::row_error(&e))),
        }
    }
    if parsed.cases.is_empty() && parsed.problems.is_empty() {
        return Err(vec![problem(
            1,
            "The file has a header row but no cases".into(),
        )]);
    }
    Ok(parsed)
}

fn header_field(header: &str) -> Option<&'static str> {
    let key: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "reference" | "casereference" | "caseref" | "ref" | "crn" | "case" => "reference",
        "sentencetype" | "sentence" | "type" | "ordertype" => "sentence_type",
        "startdate" | "sentencedate" | "releasedate" | "start" => "start_date",
        "office" | "team" | "location" => "office",
        "practitionergrade" | "grade" | "practitioner" => "practitioner_grade",
        "practitionercount" | "numberofpractitioners" | "practitioners" => "practitioner_count",
        "sex" | "gender" => "sex",
        "ageatstart" | "age" => "age_at_start",
        "ethnicitygroup" | "ethnicity" | "ethnicgroup" => "ethnicity_group",
        "roshlevel" | "rosh" | "riskofseriousharm" | "riskofseriousharmlevel" => "rosh_level",
        "mappaeligible" | "mappa" | "mappaeligibility" => "mappa_eligible",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::SentenceType;

    #[test]
    fn validates_and_reports_every_problem() {
        let raw = RawCase {
            reference: Some(" ".into()),
            sentence_type: Some("parole".into()),
            start_date: Some("31/02/2024".into()),
            age_at_start: Some("eight".into()),
            ..RawCase::default()
        };
        let problems = validate(&raw).expect_err("invalid");
        let fields: Vec<_> = problems.iter().map(|p| p.field.name()).collect();
        assert_eq!(
            fields,
            ["reference", "sentence_type", "start_date", "age_at_start"].map(Some)
        );
    }

    #[test]
    fn accepts_labels_and_uk_dates() {
        let raw = RawCase {
            reference: Some("X123".into()),
            sentence_type: Some("Licence".into()),
            start_date: Some("27/03/2024".into()),
            mappa_eligible: Some("Yes".into()),
            ..RawCase::default()
        };
        let facts = validate(&raw).expect("valid");
        assert_eq!(facts.sentence_type, SentenceType::Licence);
        assert_eq!(facts.start_date, NaiveDate::from_ymd_opt(2024, 3, 27));
        assert_eq!(facts.mappa_eligible, Some(true));
    }

    #[test]
    fn csv_headers_match_variants_and_report_unknown_ones() {
        let parsed =
            parse_csv("\u{feff}Case ref,Sentence Type,RoSH\r\nA1,community order,high\r\n")
                .expect("parses");
        let case = &parsed.cases[0];
        assert_eq!(case.row, 2);
        assert_eq!(case.raw.reference.as_deref(), Some("A1"));
        assert_eq!(case.raw.rosh_level.as_deref(), Some("high"));
        assert_eq!(parsed.column_name("rosh_level"), "RoSH");
        let problems =
            parse_csv("reference,sentence_type,shoe size\nA1,licence,9\n").expect_err("unknown");
        assert!(problems[0].message.contains("Unknown column 'shoe size'"));
        let ragged = parse_csv("reference,sentence_type\nA1,licence,extra\nA2,licence\n")
            .expect("header is fine");
        assert_eq!(ragged.problems[0].row, Some(2));
        assert!(ragged.problems[0].message.contains("has 3 values"));
        assert_eq!(ragged.cases.len(), 1);
    }
}
