//! Saving a case's judgements: the one path by which answers are written,
//! whether they come from the marking form or the JSON API.
//!
//! A save is all or nothing: the case row is locked, every value is checked
//! against the case's framework version, and only if nothing is wrong are the
//! answers and the marking status written, in one transaction.

use std::collections::BTreeMap;

use sqlx::{PgConnection, PgPool};

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::answers::{CaseAnswers, Judgement};
use crate::db::audit::{Event, NewEvent};
use crate::framework::{Framework, FrameworkCache};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{Answer, MarkingStatus, OutcomeAnswer};

/// The longest rationale kept: a few paragraphs, as reports quote.
pub const MAX_RATIONALE_CHARS: usize = 5000;

/// What someone asked to record for a case. Only what is given changes.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// By key question code.
    pub key_questions: BTreeMap<String, KeyQuestionInput>,
    /// Raw answer by prompt code.
    pub prompts: BTreeMap<String, String>,
    /// Raw answer by outcome code.
    pub outcomes: BTreeMap<String, String>,
    /// `Some(true)`: mark complete (refused unless every key question is
    /// answered). `Some(false)`: no longer complete. `None`: unchanged.
    pub complete: Option<bool>,
    /// The case revision the form was loaded at. When given, a save that
    /// would overwrite answers someone else changed since is refused.
    pub revision: Option<i64>,
    /// The domain two standard whose form was posted ("2.1"), when the
    /// save comes from one: a standard the case's framework does not have
    /// is not found, checked in the save's own transaction before anything
    /// is written (so the form's handler needs no connection of its own).
    pub standard: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct KeyQuestionInput {
    pub answer: Option<String>,
    /// `Some("")` clears the rationale; `None` leaves it as it is.
    pub rationale: Option<String>,
    /// Quote the rationale in the report draft; `None` leaves it as it is
    /// (and a cleared rationale, or an N/A, is no longer quoted).
    pub quote: Option<bool>,
}

/// The state of a case after a successful save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub marking_status: MarkingStatus,
}

pub async fn save(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    submission: &Submission,
) -> Result<Saved, Refusal> {
    let mut tx = pool.begin().await?;
    let saved = save_in(&mut tx, frameworks, actor, case_id, submission).await?;
    tx.commit().await?;
    Ok(saved)
}

/// [`save`] on the caller's transaction, so that an import of many cases is
/// written all together or not at all. Nothing is written when it fails.
pub async fn save_in(
    tx: &mut PgConnection,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    submission: &Submission,
) -> Result<Saved, Refusal> {
    let inspection_id = db::cases::inspection_of(&mut *tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (status, access) = access::stage_and_standing(&mut *tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let case = db::cases::get_for_update(&mut *tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    let framework = frameworks.get(&mut *tx, case.framework_version_id).await?;
    if let Some(code) = &submission.standard
        && framework.domain_two().all(|s| &s.code != code)
    {
        return Err(Refusal::NotFound);
    }
    access.check_marking(status, case.assigned_to)?;
    refuse_replaced(&case)?;
    let current = db::answers::load(&mut *tx, case_id).await?;

    let change = validate(&framework, case.question_set_id, &current, submission)?;
    if let Some(loaded_at) = submission.revision.filter(|r| *r < case.revision) {
        let since = db::audit::for_case_since(&mut *tx, case_id, loaded_at).await?;
        let clashes: Vec<Event> = since
            .into_iter()
            .filter(|e| {
                change
                    .items
                    .iter()
                    .any(|i| i.entity == e.entity && Some(&i.code) == e.code.as_ref())
            })
            .collect();
        if !clashes.is_empty() {
            return Err(Refusal::Conflict(clashes));
        }
    }

    let any_answer = !current.is_empty() || !change.is_empty();
    let marking_status = match submission.complete {
        Some(true) => MarkingStatus::Complete,
        None if case.marking_status == MarkingStatus::Complete => MarkingStatus::Complete,
        _ if any_answer => MarkingStatus::InProgress,
        _ => MarkingStatus::NotStarted,
    };
    if change.is_empty() && marking_status == case.marking_status {
        return Ok(Saved { marking_status });
    }
    let revision = db::cases::bump_revision(&mut *tx, case.id).await?;
    write(&mut *tx, case.id, case.framework_version_id, &change).await?;
    // The first member to save answers is the case's marker; later saves
    // (a lead's correction in moderation, say) do not change who marked it.
    if let Some((user_id, role)) = access.marking_as().filter(|_| !change.is_empty()) {
        db::cases::set_marker_if_unset(&mut *tx, case.id, user_id, role).await?;
    }
    db::cases::set_marking_status(&mut *tx, case.id, marking_status).await?;
    let mut events: Vec<NewEvent> = change
        .items
        .iter()
        .map(|i| NewEvent {
            inspection_id: case.inspection_id,
            case_id: Some(case.id),
            case_revision: Some(revision),
            entity: i.entity,
            code: Some(i.code.clone()),
            standard: Some(i.standard.clone()),
            field: Some(i.field),
            old_value: i.old.clone(),
            new_value: i.new.clone(),
            reason: None,
        })
        .collect();
    if marking_status != case.marking_status {
        events.push(NewEvent {
            inspection_id: case.inspection_id,
            case_id: Some(case.id),
            case_revision: Some(revision),
            entity: "case",
            field: Some("marking_status"),
            old_value: Some(case.marking_status.code().to_owned()),
            new_value: Some(marking_status.code().to_owned()),
            ..NewEvent::default()
        });
    }
    db::audit::append(&mut *tx, actor.id, &actor.label, &events).await?;
    Ok(Saved { marking_status })
}

/// A case replaced by a reserve keeps what it was, unchanged.
pub(crate) fn refuse_replaced(case: &db::cases::Case) -> Result<(), Refusal> {
    match &case.replaced_reason {
        Some(reason) => Err(Refusal::Locked(format!(
            "This case was replaced by {} ({reason}): it is no longer marked",
            case.replaced_by_reference.as_deref().unwrap_or("a reserve")
        ))),
        None => Ok(()),
    }
}

/// The rows a valid submission writes, with framework ids resolved.
#[derive(Debug, Default)]
struct Change {
    judgements: Vec<(i32, Judgement)>,
    prompts: Vec<(i32, Answer)>,
    outcomes: Vec<(i32, OutcomeAnswer)>,
    /// One entry per changed value, for the audit trail.
    items: Vec<ChangedValue>,
}

impl Change {
    /// Nothing to write (the audit items follow from the writes).
    fn is_empty(&self) -> bool {
        self.judgements.is_empty() && self.prompts.is_empty() && self.outcomes.is_empty()
    }
}

#[derive(Debug)]
struct ChangedValue {
    entity: &'static str,
    code: String,
    standard: String,
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
}

/// The standard a key question or prompt code belongs to: "2.1.3.b" → "2.1".
pub(crate) fn standard_of(code: &str) -> String {
    code.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// Checks a submission against the framework and the case's question set
/// (`set`: a key question the set does not ask, or one of its prompts, is
/// refused: it would count for a case it does not apply to).
fn validate(
    framework: &Framework,
    set: Option<i32>,
    current: &CaseAnswers,
    submission: &Submission,
) -> Result<Change, Refusal> {
    let mut problems = Vec::new();
    let mut change = Change::default();
    let mut problem = |field: Field, message: String| problems.push(Problem::new(field, message));

    for (code, input) in &submission.key_questions {
        let Some(kq) = framework.key_question(code) else {
            problem(
                Field::KeyQuestion(code.clone()),
                format!("There is no key question {code}"),
            );
            continue;
        };
        if !framework.asks(set, kq.id) {
            problem(
                Field::KeyQuestion(code.clone()),
                not_asked(framework, set, code),
            );
            continue;
        }
        let existing = current.key_questions.get(&kq.id);
        let answer = match input
            .answer
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            Some(raw) => match raw.parse::<Answer>() {
                Ok(a) => Some(a),
                Err(_) => {
                    problem(
                        Field::KeyQuestion(code.clone()),
                        format!("Key question {code} must be answered Yes, No or N/A"),
                    );
                    continue;
                }
            },
            None => existing.map(|j| j.answer),
        };
        let rationale = match &input.rationale {
            Some(text) => Some(text.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            None => existing.and_then(|j| j.rationale.clone()),
        };
        if rationale
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_RATIONALE_CHARS)
        {
            problem(
                Field::Rationale(code.clone()),
                format!("Rationale for {code} must be {MAX_RATIONALE_CHARS} characters or fewer"),
            );
            continue;
        }
        // A rationale quoted in the report draft: asked for, or kept; never
        // of an N/A or without a rationale (asked for, that is refused).
        let asked_to_quote = input.quote == Some(true);
        if asked_to_quote
            && (rationale.is_none() || answer == Some(Answer::NotApplicable) || answer.is_none())
        {
            problem(
                Field::Rationale(code.clone()),
                format!(
                    "Only the rationale of a Yes or a No can be quoted in the report: give {code} one first"
                ),
            );
            continue;
        }
        let quote = input
            .quote
            .unwrap_or_else(|| existing.is_some_and(|j| j.quote))
            && rationale.is_some()
            && answer != Some(Answer::NotApplicable);
        match answer {
            Some(answer) => {
                let judgement = Judgement {
                    answer,
                    rationale,
                    quote,
                };
                if existing != Some(&judgement) {
                    let old_answer = existing.map(|j| j.answer.code().to_owned());
                    if old_answer.as_deref() != Some(answer.code()) {
                        change.items.push(ChangedValue {
                            entity: "judgement",
                            code: kq.code.clone(),
                            standard: standard_of(&kq.code),
                            field: "answer",
                            old: old_answer,
                            new: Some(answer.code().to_owned()),
                        });
                    }
                    let old_rationale = existing.and_then(|j| j.rationale.clone());
                    if old_rationale != judgement.rationale {
                        change.items.push(ChangedValue {
                            entity: "judgement",
                            code: kq.code.clone(),
                            standard: standard_of(&kq.code),
                            field: "rationale",
                            old: old_rationale,
                            new: judgement.rationale.clone(),
                        });
                    }
                    let old_quote = existing.is_some_and(|j| j.quote);
                    if old_quote != judgement.quote {
                        let yes_no = |q: bool| Some(if q { "yes" } else { "no" }.to_owned());
                        change.items.push(ChangedValue {
                            entity: "judgement",
                            code: kq.code.clone(),
                            standard: standard_of(&kq.code),
                            field: "quote_in_report",
                            old: yes_no(old_quote),
                            new: yes_no(judgement.quote),
                        });
                    }
                    change.judgements.push((kq.id, judgement));
                }
            }
            None if rationale.is_some() => problem(
                Field::KeyQuestion(code.clone()),
                format!("Select Yes, No or N/A for key question {code}, or remove its rationale"),
            ),
            None => {}
        }
    }

    for (code, raw) in &submission.prompts {
        let Some(prompt) = framework.prompt(code) else {
            problem(
                Field::Prompt(code.clone()),
                format!("There is no prompt {code}"),
            );
            continue;
        };
        // Only where there are sets: the PDU framework's saves skip the search.
        if !framework.question_sets.is_empty()
            && let Some(kq) = framework
                .key_questions()
                .find(|kq| kq.prompts.iter().any(|p| p.id == prompt.id))
                .filter(|kq| !framework.asks(set, kq.id))
        {
            problem(
                Field::Prompt(code.clone()),
                not_asked(framework, set, &kq.code),
            );
            continue;
        }
        match raw.parse::<Answer>() {
            Ok(a) if current.prompts.get(&prompt.id) != Some(&a) => {
                change.items.push(ChangedValue {
                    entity: "prompt",
                    code: prompt.code.clone(),
                    standard: standard_of(&prompt.code),
                    field: "answer",
                    old: current.prompts.get(&prompt.id).map(|o| o.code().to_owned()),
                    new: Some(a.code().to_owned()),
                });
                change.prompts.push((prompt.id, a));
            }
            Ok(_) => {}
            Err(_) => problem(
                Field::Prompt(code.clone()),
                format!("Prompt {code} must be answered Yes, No or N/A"),
            ),
        }
    }

    for (code, raw) in &submission.outcomes {
        let Some(outcome) = framework.outcome(code) else {
            problem(
                Field::Outcome(code.clone()),
                format!("There is no outcome question {code}"),
            );
            continue;
        };
        match raw.parse::<OutcomeAnswer>() {
            Ok(a) if current.outcomes.get(&outcome.id) != Some(&a) => {
                change.items.push(ChangedValue {
                    entity: "outcome",
                    code: outcome.code.clone(),
                    standard: "outcomes".to_owned(),
                    field: "answer",
                    old: current
                        .outcomes
                        .get(&outcome.id)
                        .map(|o| o.code().to_owned()),
                    new: Some(a.code().to_owned()),
                });
                change.outcomes.push((outcome.id, a));
            }
            Ok(_) => {}
            Err(_) => problem(
                Field::Outcome(code.clone()),
                format!("Outcome '{}' must be answered Yes or No", outcome.text),
            ),
        }
    }

    if submission.complete == Some(true) {
        for missing in unanswered(framework, set, current, &change) {
            problem(Field::KeyQuestion(missing.0.clone()), missing.1);
        }
    }

    if problems.is_empty() {
        Ok(change)
    } else {
        Err(Refusal::Invalid(problems))
    }
}

/// Key questions with no answer once the change is applied, with the message
/// the error summary shows for each.
fn unanswered(
    framework: &Framework,
    set: Option<i32>,
    current: &CaseAnswers,
    change: &Change,
) -> Vec<(String, String)> {
    let mut missing = Vec::new();
    for standard in framework.domain_two() {
        for kq in framework.asked(standard, set) {
            let answered = current.key_questions.contains_key(&kq.id)
                || change.judgements.iter().any(|(id, _)| *id == kq.id);
            if !answered {
                missing.push((
                    kq.code.clone(),
                    format!(
                        "Answer key question {} ({}: {}) before marking the case complete",
                        kq.code,
                        standard.name,
                        kq.area.label().to_lowercase()
                    ),
                ));
            }
        }
    }
    missing
}

fn not_asked(framework: &Framework, set: Option<i32>, code: &str) -> String {
    let name = framework.question_set(set).map_or("", |s| s.name.as_str());
    format!(
        "Key question {code} is not asked of this case: its question set ({name}) leaves it out"
    )
}

async fn write(
    conn: &mut PgConnection,
    case_id: i64,
    version: i32,
    change: &Change,
) -> Result<(), sqlx::Error> {
    db::answers::upsert_judgements(conn, case_id, version, &change.judgements).await?;
    db::answers::upsert_prompts(conn, case_id, version, &change.prompts).await?;
    db::answers::upsert_outcomes(conn, case_id, version, &change.outcomes).await?;
    Ok(())
}
