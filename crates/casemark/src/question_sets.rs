//! A case's question set (docs/frameworks.md, "Question sets"): chosen by
//! the case's facts when it is added and again whenever they change, unless
//! the lead has chosen one with a reason.
//!
//! Every change of set goes through `apply`, so that it always does the
//! same things in the caller's transaction: the case moves to the set; the
//! answers to key questions the new set does not ask are removed (the case
//! history keeps them, and left in place they would count for a question
//! the case is not asked); a complete case the new set asks more of is no
//! longer complete; and each of these is audited.

use sqlx::{PgConnection, PgPool};

use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::cases::{Case, CaseFacts};
use crate::framework::{Framework, FrameworkCache, QuestionSet, choose_set};
use crate::marking::standard_of;
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::MarkingStatus;

/// The longest reason a lead may give for choosing a set.
pub const MAX_REASON_CHARS: usize = 2000;

/// The value of the override form that hands the choice back to the facts.
pub const BY_FACTS: &str = "facts";

/// The set a case is on, as its pages and the API show it.
#[derive(Debug, Clone)]
pub struct CaseSet<'a> {
    pub set: &'a QuestionSet,
    /// Why: the facts' reason, or the lead's.
    pub reason: String,
    /// The lead chose it.
    pub overridden: bool,
}

/// The case's set and why; `None` where its framework has no sets.
pub fn of_case<'a>(framework: &'a Framework, case: &Case) -> Option<CaseSet<'a>> {
    let set = framework.question_set(case.question_set_id)?;
    if let Some(reason) = &case.question_set_override {
        return Some(CaseSet {
            set,
            reason: reason.clone(),
            overridden: true,
        });
    }
    let reason = match choose_set(&framework.question_sets, &case.facts) {
        Some((chosen, reason)) if chosen.id == set.id => reason,
        // Only if the rules changed under a stored case, which a frozen
        // framework version prevents; say so rather than give a wrong reason.
        _ => "Chosen when the case was added.".to_owned(),
    };
    Some(CaseSet {
        set,
        reason,
        overridden: false,
    })
}

/// The set new cases with these facts start on (`None`: no sets).
pub fn for_new_case(sets: &[QuestionSet], facts: &CaseFacts) -> Option<i32> {
    choose_set(sets, facts).map(|(set, _)| set.id)
}

/// After a case's facts changed: moves it to the set they now choose,
/// unless the lead chose its set. Returns the new set when it moved.
pub(crate) async fn follow_facts<'a>(
    conn: &mut PgConnection,
    actor: &Actor,
    framework: &'a Framework,
    case: &Case,
    facts: &CaseFacts,
    revision: i64,
) -> Result<Option<&'a QuestionSet>, sqlx::Error> {
    if case.question_set_override.is_some() {
        return Ok(None);
    }
    let Some((chosen, reason)) = choose_set(&framework.question_sets, facts) else {
        return Ok(None);
    };
    if Some(chosen.id) == case.question_set_id {
        return Ok(None);
    }
    apply(conn, actor, framework, case, chosen, None, reason, revision).await?;
    Ok(Some(chosen))
}

/// What a lead asked for: a set by code, or [`BY_FACTS`].
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct OverrideInput {
    pub set: Option<String>,
    pub reason: Option<String>,
}

/// The lead chooses a case's set, with a reason, or hands the choice back
/// to the facts. All or nothing, with its audit rows.
pub async fn choose(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    input: &OverrideInput,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let inspection_id = db::cases::inspection_of(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (status, access) = crate::access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let case = db::cases::get_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    // A case whose framework has no sets has no set to choose.
    if !access.can_read() || framework.question_sets.is_empty() {
        return Err(Refusal::NotFound);
    }
    access.check_lead_change(status)?;

    let mut problems = Vec::new();
    let wanted = input.set.as_deref().map(str::trim).unwrap_or_default();
    let target = if wanted == BY_FACTS {
        choose_set(&framework.question_sets, &case.facts).map(|(set, _)| set)
    } else {
        framework.question_sets.iter().find(|s| s.code == wanted)
    };
    if target.is_none() {
        let codes: Vec<&str> = framework
            .question_sets
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        problems.push(Problem::new(
            Field::Named("set"),
            format!(
                "Select a question set ({}) or '{BY_FACTS}' to follow the case facts",
                codes.join(", ")
            ),
        ));
    }
    let reason = input.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        problems.push(Problem::new(
            Field::Named("reason"),
            "Enter why this case's question set is changed",
        ));
    } else if reason.chars().count() > MAX_REASON_CHARS {
        problems.push(Problem::new(
            Field::Named("reason"),
            format!("The reason must be {MAX_REASON_CHARS} characters or fewer"),
        ));
    }
    let Some(target) = target.filter(|_| problems.is_empty()) else {
        return Err(Refusal::Invalid(problems));
    };
    let overridden = (wanted != BY_FACTS).then_some(reason);
    if Some(target.id) == case.question_set_id
        && overridden == case.question_set_override.as_deref()
    {
        return Ok(());
    }
    let revision = db::cases::bump_revision(&mut tx, case.id).await?;
    apply(
        &mut tx,
        actor,
        &framework,
        &case,
        target,
        overridden,
        reason.to_owned(),
        revision,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Moves a case to `to` (see the module's comment). `overridden` is the
/// lead's reason when the lead chose it; `reason` goes on the audit rows.
#[allow(clippy::too_many_arguments)]
async fn apply(
    conn: &mut PgConnection,
    actor: &Actor,
    framework: &Framework,
    case: &Case,
    to: &QuestionSet,
    overridden: Option<&str>,
    reason: String,
    revision: i64,
) -> Result<(), sqlx::Error> {
    let answers = db::answers::load(&mut *conn, case.id).await?;
    let event = |entity: &'static str, code: Option<String>, field: &'static str| NewEvent {
        inspection_id: case.inspection_id,
        case_id: Some(case.id),
        case_revision: Some(revision),
        standard: code.as_deref().map(standard_of),
        entity,
        code,
        field: Some(field),
        reason: Some(reason.clone()),
        ..NewEvent::default()
    };
    let from = framework.question_set(case.question_set_id);
    let mut events = vec![NewEvent {
        old_value: from.map(|s| s.code.clone()),
        new_value: Some(to.code.clone()),
        ..event("case", None, "question_set")
    }];
    let mut removed_key_questions = Vec::new();
    let mut removed_prompts = Vec::new();
    let mut unanswered = false;
    for kq in framework.key_questions() {
        if to.asks(kq.id) {
            unanswered |= !answers.key_questions.contains_key(&kq.id);
            continue;
        }
        if let Some(judgement) = answers.key_questions.get(&kq.id) {
            removed_key_questions.push(kq.id);
            events.push(NewEvent {
                old_value: Some(judgement.answer.code().to_owned()),
                ..event("judgement", Some(kq.code.clone()), "answer")
            });
            if let Some(rationale) = &judgement.rationale {
                events.push(NewEvent {
                    old_value: Some(rationale.clone()),
                    ..event("judgement", Some(kq.code.clone()), "rationale")
                });
            }
        }
        for prompt in &kq.prompts {
            if let Some(answer) = answers.prompts.get(&prompt.id) {
                removed_prompts.push(prompt.id);
                events.push(NewEvent {
                    old_value: Some(answer.code().to_owned()),
                    ..event("prompt", Some(prompt.code.clone()), "answer")
                });
            }
        }
    }
    db::answers::remove(
        &mut *conn,
        case.id,
        &removed_key_questions,
        &removed_prompts,
    )
    .await?;
    db::cases::set_question_set(&mut *conn, case.id, to.id, overridden).await?;
    if case.marking_status == MarkingStatus::Complete && unanswered {
        db::cases::set_marking_status(&mut *conn, case.id, MarkingStatus::InProgress).await?;
        events.push(NewEvent {
            old_value: Some(MarkingStatus::Complete.code().to_owned()),
            new_value: Some(MarkingStatus::InProgress.code().to_owned()),
            ..event("case", None, "marking_status")
        });
    }
    db::audit::append(conn, actor.id, &actor.label, &events).await
}
