//! Judging domain one key questions, and naming who may.

use std::collections::BTreeMap;

use casemark_rules::Rating;
use sqlx::PgPool;

use super::{Refusal, open_change, problem, rating_code, text};
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::framework::FrameworkCache;
use crate::vocab::MemberRole;

/// Records judgements: key-question code → rating code, blank to withdraw.
/// The caller must be the lead or the inspector named for each standard
/// the questions belong to; all or nothing.
pub async fn judge(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    judgements: &BTreeMap<String, String>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    let records = db::ratings::domain_one(&mut tx, inspection_id).await?;
    let current = db::domain_one::judgements(&mut tx, inspection_id).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    for (code, value) in judgements {
        let Some((standard, question)) = change.framework.domain_one_question(code) else {
            problems.push(problem(
                code,
                "question",
                format!("{code} is not a domain one key question"),
            ));
            continue;
        };
        let judge_id = records.get(&standard.id).and_then(|r| r.judge_id);
        change
            .access
            .check_domain_one_judging(change.status, judge_id)?;
        let rating = match text(value).map(|v| v.parse::<Rating>()).transpose() {
            Ok(rating) => rating,
            Err(e) => {
                problems.push(problem(code, "judgement", format!("{code}: {e}")));
                continue;
            }
        };
        let before = current.get(&question.id).map(|j| j.rating);
        if before != rating {
            writes.push((
                standard.code.clone(),
                code.clone(),
                question.id,
                before,
                rating,
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    let mut events = Vec::new();
    for (standard, code, question_id, before, rating) in writes {
        match rating {
            Some(rating) => {
                db::domain_one::set_judgement(
                    &mut tx,
                    inspection_id,
                    change.framework.id,
                    question_id,
                    rating,
                    actor.id,
                    &actor.label,
                )
                .await?
            }
            None => db::domain_one::clear_judgement(&mut tx, inspection_id, question_id).await?,
        }
        events.push(NewEvent {
            inspection_id,
            entity: "domain_one",
            code: Some(code),
            standard: Some(standard),
            field: Some("judgement"),
            old_value: rating_code(before),
            new_value: rating_code(rating),
            ..NewEvent::default()
        });
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}

/// Names the inspector who judges a standard's key questions (`None`: only
/// the lead). The lead's decision; the inspector must be on the team.
pub async fn name_judge(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    standard_code: &str,
    judge: Option<i64>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    change.access.check_lead_change(change.status)?;
    let Some(standard) = change
        .framework
        .domain_one()
        .find(|s| s.code == standard_code)
    else {
        return Err(Refusal::NotFound);
    };
    let members = db::members::members(&mut tx, inspection_id).await?;
    let name_of = |id: Option<i64>| {
        id.map(|id| {
            members
                .iter()
                .find(|m| m.user_id == id)
                .map_or_else(|| format!("user {id}"), |m| m.display_name.clone())
        })
    };
    if let Some(id) = judge
        && !members
            .iter()
            .any(|m| m.user_id == id && m.role == MemberRole::Inspector)
    {
        return Err(Refusal::Invalid(vec![problem(
            standard_code,
            "judge",
            "Choose an inspector on this inspection's team",
        )]));
    }
    let mut record = db::ratings::domain_one(&mut tx, inspection_id)
        .await?
        .remove(&standard.id)
        .unwrap_or_default();
    if record.judge_id == judge {
        return Ok(());
    }
    let event = NewEvent {
        inspection_id,
        entity: "domain_one",
        code: Some(standard.code.clone()),
        standard: Some(standard.code.clone()),
        field: Some("judge"),
        old_value: name_of(record.judge_id),
        new_value: name_of(judge),
        ..NewEvent::default()
    };
    record.judge_id = judge;
    db::ratings::save_domain_one(
        &mut tx,
        inspection_id,
        change.framework.id,
        standard.id,
        &record,
    )
    .await?;
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(())
}
