//! Saving a blind second marking, and submitting it: the first marking is
//! then copied beside it, as it was, for agreement to be measured against.

use std::collections::BTreeMap;

use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::framework::FrameworkCache;
use crate::marking::{KeyQuestionInput, MAX_RATIONALE_CHARS};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{Answer, MarkingStatus};

/// A second marker's answers to save.
#[derive(Debug, Clone, Default)]
pub struct SecondMarking {
    pub key_questions: BTreeMap<String, KeyQuestionInput>,
    pub prompts: BTreeMap<String, String>,
    /// Submit: every key question must then be answered, and the first
    /// marking is shown beside it from then on.
    pub submit: bool,
}

/// Saves (and, if asked, submits) a second marking.
pub async fn save_second_marking(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    marking: &SecondMarking,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let (inspection_id, status, access) = access::for_case_change(&mut tx, actor, case_id).await?;
    let sampled = db::qa::sampled_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    access.check_second_marking(status, sampled.second_marker_id)?;
    if sampled.submitted_at.is_some() {
        return Err(Refusal::Locked(
            "This second marking has been submitted: it cannot change".into(),
        ));
    }
    if sampled.marking_status != MarkingStatus::Complete {
        return Err(Refusal::Locked(
            "The case's first marking is not complete yet: second marking starts when it is".into(),
        ));
    }
    let case = db::cases::get(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    let current = db::qa::second_answers(&mut tx, case_id).await?;
    let mut problems = Vec::new();
    let mut answers = Vec::new();
    for (code, input) in &marking.key_questions {
        let Some(kq) = framework.key_question(code) else {
            problems.push(Problem::new(
                Field::KeyQuestion(code.clone()),
                format!("There is no key question {code}"),
            ));
            continue;
        };
        // Only what the first marker was asked: the case's question set.
        if !framework.asks(case.question_set_id, kq.id) {
            problems.push(Problem::new(
                Field::KeyQuestion(code.clone()),
                format!("Key question {code} is not in this case's question set"),
            ));
            continue;
        }
        let raw = input.answer.as_deref().map(str::trim).unwrap_or("");
        let existing = current.get(&kq.id);
        let answer = if raw.is_empty() {
            existing.map(|a| a.answer)
        } else {
            match raw.parse::<Answer>() {
                Ok(a) => Some(a),
                Err(_) => {
                    problems.push(Problem::new(
                        Field::KeyQuestion(code.clone()),
                        format!("Key question {code} must be answered Yes, No or N/A"),
                    ));
                    continue;
                }
            }
        };
        let rationale = match &input.rationale {
            Some(text) => Some(text.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            None => existing.and_then(|a| a.rationale.clone()),
        };
        if rationale
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_RATIONALE_CHARS)
        {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("Rationale for {code} must be {MAX_RATIONALE_CHARS} characters or fewer"),
            ));
            continue;
        }
        match answer {
            Some(answer) => answers.push((kq.id, answer, rationale)),
            None if rationale.is_some() => problems.push(Problem::new(
                Field::KeyQuestion(code.clone()),
                format!("Select Yes, No or N/A for key question {code}, or remove its rationale"),
            )),
            None => {}
        }
    }
    let mut prompts = Vec::new();
    for (code, raw) in &marking.prompts {
        let Some(prompt) = framework.prompt(code) else {
            problems.push(Problem::new(
                Field::Prompt(code.clone()),
                format!("There is no prompt {code}"),
            ));
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        if framework.key_questions().any(|kq| {
            kq.prompts.iter().any(|p| p.id == prompt.id)
                && !framework.asks(case.question_set_id, kq.id)
        }) {
            problems.push(Problem::new(
                Field::Prompt(code.clone()),
                format!("Prompt {code} is under a key question not in this case's question set"),
            ));
            continue;
        }
        match raw.parse::<Answer>() {
            Ok(a) => prompts.push((prompt.id, a)),
            Err(_) => problems.push(Problem::new(
                Field::Prompt(code.clone()),
                format!("Prompt {code} must be answered Yes, No or N/A"),
            )),
        }
    }
    if marking.submit {
        for kq in framework
            .key_questions()
            .filter(|kq| framework.asks(case.question_set_id, kq.id))
        {
            let answered =
                current.contains_key(&kq.id) || answers.iter().any(|(id, _, _)| *id == kq.id);
            if !answered {
                problems.push(Problem::new(
                    Field::KeyQuestion(kq.code.clone()),
                    format!(
                        "Answer key question {} before submitting the second marking",
                        kq.code
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    db::qa::upsert_second_answers(&mut tx, case_id, &answers).await?;
    db::qa::upsert_second_prompts(&mut tx, case_id, &prompts).await?;
    let mut events: Vec<NewEvent> = answers
        .iter()
        .filter(|(id, answer, rationale)| {
            current
                .get(id)
                .is_none_or(|c| c.answer != *answer || c.rationale != *rationale)
        })
        .filter_map(|(id, answer, _)| {
            let kq = framework.key_questions().find(|k| k.id == *id)?;
            Some(NewEvent {
                inspection_id,
                case_id: Some(case_id),
                entity: "second_marking",
                code: Some(kq.code.clone()),
                field: Some("answer"),
                new_value: Some(answer.code().to_owned()),
                ..NewEvent::default()
            })
        })
        .collect();
    if marking.submit {
        db::qa::submit(&mut tx, case_id).await?;
        events.push(NewEvent {
            inspection_id,
            case_id: Some(case_id),
            entity: "second_marking",
            field: Some("submitted"),
            new_value: Some("submitted".into()),
            ..NewEvent::default()
        });
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}
