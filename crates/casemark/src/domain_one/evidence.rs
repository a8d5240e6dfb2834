//! Evidence bullets under domain one key questions: a strength or an area
//! for improvement, tagged with where it came from. Any inspector of the
//! team may add one; its author or the lead may remove it.

use std::str::FromStr;

use sqlx::PgPool;

use super::{Problem, Refusal, open_change, problem, text};
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::domain_one::{Evidence, NewEvidence};
use crate::framework::FrameworkCache;
use crate::vocab::{EvidenceKind, EvidenceSource, NotInVocabulary, parse_optional};

/// A bullet is a sentence or two; the report's summary holds the rest.
pub const MAX_BULLET_CHARS: usize = 2_000;

/// A bullet as typed: codes and text, checked by [`add_evidence`].
#[derive(Debug, Clone, Default)]
pub struct EvidenceInput {
    /// The key question's code, "1.2.3".
    pub question: String,
    pub kind: String,
    pub source: String,
    pub text: String,
    /// A staff survey item of this inspection that the bullet quotes.
    pub survey_item: Option<i64>,
}

/// Adds a bullet; returns its id.
pub async fn add_evidence(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    input: &EvidenceInput,
) -> Result<i64, Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    change.access.check_domain_one_evidence(change.status)?;
    let code = input.question.trim();
    let mut problems = Vec::new();
    let question = change.framework.domain_one_question(code);
    if question.is_none() {
        problems.push(problem(
            code,
            "question",
            if code.is_empty() {
                "Choose the key question the evidence is for".to_owned()
            } else {
                format!("{code} is not a domain one key question")
            },
        ));
    }
    let kind: Option<EvidenceKind> = required(
        &input.kind,
        (code, "kind"),
        "Choose whether this is a strength or an area for improvement",
        &mut problems,
    );
    let source: Option<EvidenceSource> = required(
        &input.source,
        (code, "source"),
        "Choose where the evidence came from",
        &mut problems,
    );
    let body = text(&input.text);
    match &body {
        None => problems.push(problem(code, "text", "Enter the evidence")),
        Some(t) if t.chars().count() > MAX_BULLET_CHARS => problems.push(problem(
            code,
            "text",
            format!("The evidence must be {MAX_BULLET_CHARS} characters or fewer"),
        )),
        Some(_) => {}
    }
    let survey = match input.survey_item {
        None => None,
        Some(_) if source != Some(EvidenceSource::StaffSurvey) => {
            problems.push(problem(
                code,
                "survey_item",
                "Only evidence from the staff survey can quote a survey figure",
            ));
            None
        }
        Some(id) => {
            let items = db::domain_one::survey_items(&mut tx, inspection_id).await?;
            let found = items.into_iter().find(|i| i.id == id);
            if found.is_none() {
                problems.push(problem(
                    code,
                    "survey_item",
                    "Choose a survey question recorded for this inspection",
                ));
            }
            found
        }
    };
    let (Some((standard, question)), Some(kind), Some(source), Some(body), true) =
        (question, kind, source, body, problems.is_empty())
    else {
        return Err(Refusal::Invalid(problems));
    };
    let id = db::domain_one::add_evidence(
        &mut tx,
        &NewEvidence {
            inspection_id,
            framework_version_id: change.framework.id,
            question_id: question.id,
            kind,
            source,
            text: &body,
            survey_item_id: survey.as_ref().map(|s| s.id),
            added_by: actor.id,
            added_by_name: &actor.label,
        },
    )
    .await?;
    let event = NewEvent {
        inspection_id,
        entity: "domain_one",
        code: Some(question.code.clone()),
        standard: Some(standard.code.clone()),
        field: Some(kind.code()),
        new_value: Some(describe(kind, source, &body, survey.as_ref())),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a bullet: its author's or the lead's change.
pub async fn remove_evidence(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    evidence_id: i64,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    change.access.check_domain_one_evidence(change.status)?;
    let evidence: Evidence = db::domain_one::evidence_by_id(&mut tx, inspection_id, evidence_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !change.access.is_lead() && evidence.added_by != actor.id {
        return Err(Refusal::Forbidden);
    }
    let (standard, question) = change
        .framework
        .domain_one_questions()
        .find(|(_, q)| q.id == evidence.question_id)
        .ok_or(Refusal::NotFound)?;
    let survey = match evidence.survey_item_id {
        Some(id) => db::domain_one::survey_items(&mut tx, inspection_id)
            .await?
            .into_iter()
            .find(|i| i.id == id),
        None => None,
    };
    db::domain_one::remove_evidence(&mut tx, inspection_id, evidence_id).await?;
    let event = NewEvent {
        inspection_id,
        entity: "domain_one",
        code: Some(question.code.clone()),
        standard: Some(standard.code.clone()),
        field: Some(evidence.kind.code()),
        old_value: Some(describe(
            evidence.kind,
            evidence.source,
            &evidence.text,
            survey.as_ref(),
        )),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(())
}

/// A vocabulary value that must be given.
fn required<T: FromStr<Err = NotInVocabulary>>(
    value: &str,
    (code, part): (&str, &'static str),
    missing: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match parse_optional(Some(value)) {
        Ok(Some(v)) => Some(v),
        Ok(None) => {
            problems.push(problem(code, part, missing));
            None
        }
        Err(e) => {
            problems.push(problem(code, part, e.to_string()));
            None
        }
    }
}

/// A bullet as the history shows it: "[Staff survey] text (19 out of 36 staff: question)".
fn describe(
    kind: EvidenceKind,
    source: EvidenceSource,
    text: &str,
    survey: Option<&db::domain_one::SurveyItem>,
) -> String {
    let quoted = survey
        .map(|s| format!(" ({}: {})", s.figure(), s.question))
        .unwrap_or_default();
    format!("{}, {}: {text}{quoted}", kind.label(), source.label())
}
