//! Adding cases to an inspection's sample: validating case facts (from the
//! form, the JSON API or a CSV file) and writing a batch all or nothing.

mod csv_cases;
mod facts;

use std::collections::HashSet;

use sqlx::{PgConnection, PgPool};

use crate::audit::Actor;
use crate::db::audit::NewEvent;
use crate::db::cases::CaseFacts;
use crate::framework::FrameworkCache;
use crate::refusal::{Problem, Refusal};
use crate::{access, db};
use facts::blank;

pub use csv_cases::{CsvCases, parse_csv};
pub use facts::{FIELDS, MAX_LICENCE_WEEKS, RawCase, fact_kind, parse_date, validate};

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
    let case_types = db::cases::case_types_of(conn, inspection_id).await?;
    let mut problems = Vec::new();
    let mut valid = Vec::with_capacity(cases.len());
    let mut seen = HashSet::new();
    for case in cases {
        match validate(&case.raw).and_then(|facts| check_case_type(&case_types, facts)) {
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

/// A case's type must be one of its framework's (`types`, codes in order);
/// the first, the main kind, is stored as none, so that a case of the main
/// kind reads the same whether or not its type was given.
fn check_case_type(types: &[String], mut facts: CaseFacts) -> Result<CaseFacts, Vec<Problem>> {
    let Some(given) = &facts.case_type else {
        return Ok(facts);
    };
    if types.first() == Some(given) {
        facts.case_type = None;
        return Ok(facts);
    }
    if types.contains(given) {
        return Ok(facts);
    }
    let message = if types.is_empty() {
        "This inspection's framework has one kind of case: leave the case type blank".to_owned()
    } else {
        format!(
            "Case type '{given}' is not one of this framework's: {}",
            types.join(", ")
        )
    };
    Err(vec![Problem::new(
        crate::refusal::Field::Named("case_type"),
        message,
    )])
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
    // Each case starts on the question set its facts choose (none where the
    // framework has no sets).
    let sets = db::framework::question_sets(conn, framework_version_id).await?;
    for (row, facts) in valid {
        let set = crate::question_sets::for_new_case(&sets, &facts);
        match db::cases::insert(conn, inspection_id, framework_version_id, set, &facts).await {
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
                if let Some(set) = sets.iter().find(|s| Some(s.id) == set) {
                    events.push(NewEvent {
                        inspection_id,
                        case_id: Some(id),
                        case_revision: Some(0),
                        entity: "case",
                        field: Some("question_set"),
                        new_value: Some(set.code.clone()),
                        ..NewEvent::default()
                    });
                }
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

/// What correcting a case's facts did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsSaved {
    /// The name of the question set the new facts moved the case to.
    pub moved_to_set: Option<String>,
}

/// Corrects a case's facts: whoever may mark the case may correct them, at
/// the same stages. Each changed fact is audited, and the case follows its
/// facts to another question set if they now choose one (see
/// `question_sets`).
pub async fn update_facts(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    raw: &RawCase,
) -> Result<FactsSaved, Refusal> {
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
    crate::marking::refuse_replaced(&case)?;
    let case_types = db::cases::case_types_of(&mut tx, inspection_id).await?;
    let facts = validate(raw)
        .and_then(|facts| check_case_type(&case_types, facts))
        .map_err(Refusal::Invalid)?;
    let before = case.facts.as_text();
    let after = facts.as_text();
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(old, new)| old.1 != new.1)
        .collect();
    if changed.is_empty() {
        return Ok(FactsSaved::default());
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
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    let moved =
        crate::question_sets::follow_facts(&mut tx, actor, &framework, &case, &facts, revision)
            .await?;
    let saved = FactsSaved {
        moved_to_set: moved.map(|s| s.name.clone()),
    };
    tx.commit().await?;
    Ok(saved)
}

fn duplicate(row: usize, reference: &str, what: &str) -> Problem {
    Problem::in_row(
        row,
        "reference",
        format!("Case reference {reference} {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::SentenceType;
    use chrono::NaiveDate;

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
