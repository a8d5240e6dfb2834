//! Recording domain one (1.1 leadership, 1.2 staffing, 1.3 services): the
//! inspection team's judgement with its strengths and areas for improvement.
//! One path for the form and the JSON API; all standards or none are saved.

use std::collections::BTreeMap;

use casemark_rules::Rating;
use sqlx::{PgConnection, PgPool};

use crate::access::{self, Refusal};
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::ratings::DomainOne;
use crate::framework::FrameworkCache;

pub const MAX_EVIDENCE_CHARS: usize = 10_000;

/// What to change for one standard; `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct DomainOneInput {
    /// Blank clears the rating (not rated yet).
    pub rating: Option<String>,
    pub strengths: Option<String>,
    pub areas_for_improvement: Option<String>,
}

/// Which part of which standard a problem is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainOneProblem {
    pub standard: String,
    /// "rating", "strengths" or "areas_for_improvement"; "standard" for an unknown code.
    pub part: &'static str,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DomainOneError {
    #[error("inspection not found")]
    NotFound,
    #[error("domain one was not saved")]
    Invalid(Vec<DomainOneProblem>),
    #[error("only the lead inspector can record domain one")]
    Forbidden,
    #[error("{0}")]
    Locked(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn text(value: &str) -> Option<String> {
    Some(value.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub async fn record(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    inputs: &BTreeMap<String, DomainOneInput>,
) -> Result<(), DomainOneError> {
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
) -> Result<(), DomainOneError> {
    let (status, access) = access::stage_and_standing(&mut *tx, actor, inspection_id)
        .await?
        .ok_or(DomainOneError::NotFound)?;
    if !access.can_read() {
        return Err(DomainOneError::Forbidden);
    }
    access.check_lead_change(status).map_err(|r| match r {
        Refusal::Forbidden => DomainOneError::Forbidden,
        Refusal::Locked(m) => DomainOneError::Locked(m),
    })?;
    let inspection = db::inspections::get(&mut *tx, inspection_id)
        .await?
        .ok_or(DomainOneError::NotFound)?;
    let framework = frameworks
        .get(&mut *tx, inspection.framework_version_id)
        .await?;
    let mut current = db::ratings::domain_one(&mut *tx, inspection_id).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    let mut events = Vec::new();
    for (code, input) in inputs {
        let Some(standard) = framework.domain_one().find(|s| &s.code == code) else {
            problems.push(DomainOneProblem {
                standard: code.clone(),
                part: "standard",
                message: format!("{code} is not a domain one standard: use 1.1, 1.2 or 1.3"),
            });
            continue;
        };
        let before: DomainOne = current.remove(&standard.id).unwrap_or_default();
        let mut entry = before.clone();
        if let Some(raw) = &input.rating {
            match text(raw).map(|r| r.parse::<Rating>()).transpose() {
                Ok(rating) => entry.rating = rating,
                Err(e) => problems.push(DomainOneProblem {
                    standard: code.clone(),
                    part: "rating",
                    message: format!("{code} {}: {e}", standard.name),
                }),
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
                    problems.push(DomainOneProblem {
                        standard: code.clone(),
                        part,
                        message: format!(
                            "{code} {} must be {MAX_EVIDENCE_CHARS} characters or fewer",
                            part.replace('_', " ")
                        ),
                    });
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
        if before.rating != entry.rating {
            let code_of = |r: Option<Rating>| r.map(|r| r.code().to_owned());
            events.push(event(
                "rating",
                code_of(before.rating),
                code_of(entry.rating),
            ));
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
        writes.push((standard.id, entry));
    }
    if !problems.is_empty() {
        return Err(DomainOneError::Invalid(problems));
    }
    for (standard_id, entry) in &writes {
        db::ratings::save_domain_one(
            &mut *tx,
            inspection_id,
            inspection.framework_version_id,
            *standard_id,
            entry,
        )
        .await?;
    }
    db::audit::append(&mut *tx, actor.id, &actor.label, &events).await?;
    Ok(())
}
