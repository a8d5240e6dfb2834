//! The final answer to each disagreement, with its reason; a final answer
//! that differs from the case's changes it, audited, in one transaction.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::framework::FrameworkCache;
use crate::marking::standard_of;
use crate::refusal::{Field, Problem, Refusal};
use crate::team::MAX_REASON_CHARS;
use crate::vocab::Answer;

/// The final answer to one disagreement, and why.
#[derive(Debug, Clone)]
pub struct Decision {
    pub answer: String,
    pub reason: String,
}

/// Records the final answers to a case's disagreements (by key question
/// code). Where one differs from the case's answer, the case's answer
/// changes in the same transaction, audited as an adjudication naming both
/// markers' answers; the tallies and the cached ratings follow (triggers).
pub async fn adjudicate(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    decisions: &BTreeMap<String, Decision>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let (inspection_id, status, access) = access::for_case_change(&mut tx, actor, case_id).await?;
    access.check_quality_assurance(status)?;
    let sampled = db::qa::sampled_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if sampled.submitted_at.is_none() {
        return Err(Refusal::Locked(
            "The case's second marking is not submitted yet: there is nothing to adjudicate".into(),
        ));
    }
    if decisions.is_empty() {
        return Err(Refusal::invalid(
            Field::Whole,
            "Give the final answer to at least one disagreement",
        ));
    }
    let case = db::cases::get_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    let second = db::qa::second_answers(&mut tx, case_id).await?;
    let current = db::answers::load(&mut tx, case_id).await?;
    let mut problems = Vec::new();
    let mut accepted = Vec::new();
    for (code, decision) in decisions {
        let field = Field::KeyQuestion(code.clone());
        let Some(kq) = framework.key_question(code) else {
            problems.push(Problem::new(
                field,
                format!("There is no key question {code}"),
            ));
            continue;
        };
        let Some(pair) = second
            .get(&kq.id)
            .filter(|p| p.first_answer != Some(p.answer))
        else {
            problems.push(Problem::new(
                field,
                format!(
                    "The two markings of this case agree on {code}: there is nothing to adjudicate"
                ),
            ));
            continue;
        };
        let Ok(answer) = decision.answer.trim().parse::<Answer>() else {
            problems.push(Problem::new(
                field,
                format!("Give the final answer to {code}: Yes, No or N/A"),
            ));
            continue;
        };
        let reason = decision.reason.trim();
        if reason.is_empty() {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("Give the reason for the final answer to {code}"),
            ));
            continue;
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("The reason for {code} must be {MAX_REASON_CHARS} characters or fewer"),
            ));
            continue;
        }
        accepted.push((kq, pair.clone(), answer, reason.to_owned()));
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    let mut events = Vec::new();
    let mut changed = Vec::new();
    for (kq, pair, answer, reason) in &accepted {
        db::qa::upsert_adjudication(&mut tx, case_id, kq.id, *answer, reason, actor.id).await?;
        let both = format!(
            "first marker {}, second marker {}",
            pair.first_answer.map_or("unanswered", |a| a.label()),
            pair.answer.label()
        );
        events.push(NewEvent {
            inspection_id,
            case_id: Some(case_id),
            entity: "adjudication",
            code: Some(kq.code.clone()),
            standard: Some(standard_of(&kq.code)),
            field: Some("answer"),
            old_value: Some(both),
            new_value: Some(answer.code().to_owned()),
            reason: Some(reason.clone()),
            ..NewEvent::default()
        });
        let judgement = current.key_questions.get(&kq.id);
        if judgement.map(|j| j.answer) != Some(*answer) {
            changed.push((
                kq.id,
                db::answers::Judgement {
                    answer: *answer,
                    rationale: judgement.and_then(|j| j.rationale.clone()),
                    // An N/A says nothing to quote.
                    quote: judgement.is_some_and(|j| j.quote) && *answer != Answer::NotApplicable,
                },
            ));
            events.push(NewEvent {
                inspection_id,
                case_id: Some(case_id),
                entity: "judgement",
                code: Some(kq.code.clone()),
                standard: Some(standard_of(&kq.code)),
                field: Some("answer"),
                old_value: judgement.map(|j| j.answer.code().to_owned()),
                new_value: Some(answer.code().to_owned()),
                reason: Some(format!("Adjudicated: {reason}")),
                ..NewEvent::default()
            });
        }
    }
    if !changed.is_empty() {
        let revision = db::cases::bump_revision(&mut tx, case_id).await?;
        for event in events.iter_mut().filter(|e| e.entity == "judgement") {
            event.case_revision = Some(revision);
        }
        db::answers::upsert_judgements(&mut tx, case_id, case.framework_version_id, &changed)
            .await?;
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}
