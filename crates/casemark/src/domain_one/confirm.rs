//! The lead's confirmation of a domain one standard's rating, and the
//! summary text that goes with it. The browser's confirm form and
//! PUT /api/v1/inspections/{id}/domain-one (imports of inspections marked
//! elsewhere) both come here; all standards of a request or none are saved.

use std::collections::BTreeMap;

use casemark_rules::Rating;
use sqlx::{PgConnection, PgPool};

use super::{Refusal, judgements_of, open_change, problem, proposal, rating_code, text};
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::ratings::DomainOne;
use crate::framework::FrameworkCache;
use crate::team::MAX_REASON_CHARS;

pub const MAX_EVIDENCE_CHARS: usize = 10_000;

/// What to change for one standard; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct DomainOneInput {
    /// A rating code confirms it; blank withdraws the confirmation.
    pub rating: Option<String>,
    /// Why the confirmed rating differs from the proposal. Without a new
    /// rating it cannot be given; with the same rating as before, `None`
    /// keeps the reason already recorded.
    pub reason: Option<String>,
    pub strengths: Option<String>,
    pub areas_for_improvement: Option<String>,
}

pub async fn record(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    inputs: &BTreeMap<String, DomainOneInput>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    record_in(&mut tx, frameworks, actor, inspection_id, inputs).await?;
    tx.commit().await?;
    Ok(())
}

/// [`record`] on the caller's transaction (an import writes domain one with
/// the cases, all or nothing). Nothing is written when it fails.
pub async fn record_in(
    tx: &mut PgConnection,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    inputs: &BTreeMap<String, DomainOneInput>,
) -> Result<(), Refusal> {
    let change = open_change(&mut *tx, frameworks, actor, inspection_id).await?;
    change.access.check_lead_change(change.status)?;
    let framework = &change.framework;
    let judgements = judgements_of(&mut *tx, inspection_id).await?;
    let mut current = db::ratings::domain_one(&mut *tx, inspection_id).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    let mut events = Vec::new();
    for (code, input) in inputs {
        let Some(standard) = framework.domain_one().find(|s| &s.code == code) else {
            problems.push(problem(
                code,
                "standard",
                format!("{code} is not a domain one standard: use 1.1, 1.2 or 1.3"),
            ));
            continue;
        };
        let name = format!("{code} {}", standard.name);
        let before: DomainOne = current.remove(&standard.id).unwrap_or_default();
        let mut entry = before.clone();
        let proposed = proposal(standard, &judgements).map(|p| p.rating);
        let reason = match input.reason.as_deref() {
            Some(r) if r.chars().count() > MAX_REASON_CHARS => {
                problems.push(problem(
                    code,
                    "reason",
                    format!("The reason for {name} must be {MAX_REASON_CHARS} characters or fewer"),
                ));
                None
            }
            Some(r) => text(r),
            None => None,
        };
        match input
            .rating
            .as_deref()
            .map(|r| text(r).map(|r| r.parse::<Rating>()))
        {
            None if input.reason.as_deref().and_then(text).is_some() => {
                problems.push(problem(
                    code,
                    "rating",
                    format!("Choose the rating for {name} that the reason is for"),
                ));
            }
            None => {}
            Some(Some(Err(e))) => problems.push(problem(code, "rating", format!("{name}: {e}"))),
            Some(None) => {
                entry.rating = None;
                entry.proposed_rating = None;
                entry.reason = None;
                entry.confirmed_by = None;
                entry.confirmed_at = None;
            }
            Some(Some(Ok(rating))) => {
                // Re-confirming the same rating keeps its reason unless a new one is given.
                let reason = match (&input.reason, before.rating == Some(rating)) {
                    (None, true) => before.reason.clone(),
                    _ => reason,
                };
                match proposed {
                    Some(p) if p != rating && reason.is_none() => {
                        problems.push(problem(
                            code,
                            "reason",
                            format!(
                                "Give a reason for rating {name} {} when its key questions propose {}",
                                rating.label(),
                                p.label()
                            ),
                        ));
                    }
                    _ => {
                        let changed = before.rating != Some(rating)
                            || before.proposed_rating != proposed
                            || before.reason != reason;
                        if changed {
                            entry.rating = Some(rating);
                            entry.proposed_rating = proposed;
                            entry.reason = reason;
                            entry.confirmed_by = Some(actor.label.clone());
                            entry.confirmed_at = Some(chrono::Utc::now());
                        }
                    }
                }
            }
        }
        for (part, given, slot) in [
            ("strengths", &input.strengths, &mut entry.strengths),
            (
                "areas_for_improvement",
                &input.areas_for_improvement,
                &mut entry.areas_for_improvement,
            ),
        ] {
            if let Some(value) = given {
                if value.chars().count() > MAX_EVIDENCE_CHARS {
                    problems.push(problem(
                        code,
                        part,
                        format!(
                            "{code} {} must be {MAX_EVIDENCE_CHARS} characters or fewer",
                            part.replace('_', " ")
                        ),
                    ));
                } else {
                    *slot = text(value);
                }
            }
        }
        let event = |field: &'static str, old: Option<String>, new: Option<String>| NewEvent {
            inspection_id,
            entity: "domain_one",
            code: Some(code.clone()),
            standard: Some(code.clone()),
            field: Some(field),
            old_value: old,
            new_value: new,
            ..NewEvent::default()
        };
        if before.confirmed_at != entry.confirmed_at {
            events.push(NewEvent {
                reason: entry.reason.clone(),
                ..event(
                    "rating",
                    rating_code(before.rating),
                    rating_code(entry.rating),
                )
            });
        }
        if before.strengths != entry.strengths {
            events.push(event(
                "strengths",
                before.strengths.clone(),
                entry.strengths.clone(),
            ));
        }
        if before.areas_for_improvement != entry.areas_for_improvement {
            events.push(event(
                "areas_for_improvement",
                before.areas_for_improvement.clone(),
                entry.areas_for_improvement.clone(),
            ));
        }
        if before != entry {
            writes.push((standard.id, entry));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    for (standard_id, entry) in &writes {
        db::ratings::save_domain_one(&mut *tx, inspection_id, framework.id, *standard_id, entry)
            .await?;
    }
    db::audit::append(&mut *tx, actor.id, &actor.label, &events).await?;
    Ok(())
}
