//! Recording domain one (1.1 leadership, 1.2 staffing, 1.3 services): the
//! inspection team's judgement with its strengths and areas for improvement.
//! One path for the form and the JSON API; all standards or none are saved.

use std::collections::BTreeMap;

use casemark_rules::Rating;
use sqlx::PgPool;

use crate::db;
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
    inspection_id: i64,
    inputs: &BTreeMap<String, DomainOneInput>,
) -> Result<(), DomainOneError> {
    let mut tx = pool.begin().await?;
    let inspection = db::inspections::get(&mut tx, inspection_id)
        .await?
        .ok_or(DomainOneError::NotFound)?;
    let framework = frameworks
        .get(pool, inspection.framework_version_id)
        .await?;
    let mut current = db::ratings::domain_one(&mut tx, inspection_id).await?;
    let mut problems = Vec::new();
    let mut writes = Vec::new();
    for (code, input) in inputs {
        let Some(standard) = framework.domain_one().find(|s| &s.code == code) else {
            problems.push(DomainOneProblem {
                standard: code.clone(),
                part: "standard",
                message: format!("{code} is not a domain one standard: use 1.1, 1.2 or 1.3"),
            });
            continue;
        };
        let mut entry: DomainOne = current.remove(&standard.id).unwrap_or_default();
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
        writes.push((standard.id, entry));
    }
    if !problems.is_empty() {
        return Err(DomainOneError::Invalid(problems));
    }
    for (standard_id, entry) in &writes {
        db::ratings::save_domain_one(
            &mut tx,
            inspection_id,
            inspection.framework_version_id,
            *standard_id,
            entry,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
