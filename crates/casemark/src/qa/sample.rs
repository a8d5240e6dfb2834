//! Picking the QA sample: case by case, at random with a recorded seed, or
//! every complete case of local assessors, each with its second marker.

use std::collections::HashMap;

use casemark_rules::draw;
use sqlx::{PgConnection, PgPool};

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::qa::Sampled;
use crate::email::EmailKey;
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::{MarkingStatus, MemberRole};

/// How the cases of a QA sample are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// These cases (by id).
    Cases(Vec<i64>),
    /// `n` complete cases drawn at random with `seed` (repeatable).
    Random { n: usize, seed: u64 },
    /// Every complete case a local assessor marked.
    LocalAssessors,
}

impl Choice {
    fn code(&self) -> &'static str {
        match self {
            Choice::Cases(_) => "chosen",
            Choice::Random { .. } => "random",
            Choice::LocalAssessors => "local_assessors",
        }
    }
}

/// Adds cases to the inspection's QA sample, to be second-marked by the
/// member with `marker_email`; returns what was added.
pub async fn add_to_sample(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    choice: &Choice,
    marker_email: &str,
) -> Result<Vec<Sampled>, Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_quality_assurance(status)?;
    let marker = second_marker(&mut tx, inspection_id, marker_email).await?;
    let candidates = db::qa::candidates(&mut tx, inspection_id).await?;
    // A second marker never checks a case they marked first.
    let eligible = |c: &&db::qa::Candidate| {
        c.marking_status == MarkingStatus::Complete && c.marked_by != Some(marker.user_id)
    };
    let chosen: Vec<i64> = match choice {
        Choice::Cases(ids) => {
            if ids.is_empty() {
                return Err(Refusal::invalid(
                    Field::Named("cases"),
                    "Select the cases to second-mark",
                ));
            }
            let by_id: HashMap<i64, &db::qa::Candidate> =
                candidates.iter().map(|c| (c.id, c)).collect();
            let mut problems = Vec::new();
            for id in ids {
                match by_id.get(id) {
                    None => problems.push(Problem::new(
                        Field::Named("cases"),
                        format!("Case {id} is not a case of this inspection outside the QA sample"),
                    )),
                    Some(c) if c.marked_by == Some(marker.user_id) => problems.push(Problem::new(
                        Field::Named("marker"),
                        format!(
                            "{} marked case {} first: choose someone else to second-mark it",
                            marker.display_name, c.reference
                        ),
                    )),
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                return Err(Refusal::Invalid(problems));
            }
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        Choice::Random { n, seed } => {
            if *n == 0 {
                return Err(Refusal::invalid(
                    Field::Named("random"),
                    "Give how many cases to draw, 1 or more",
                ));
            }
            let pool: Vec<i64> = candidates.iter().filter(eligible).map(|c| c.id).collect();
            draw(&pool, *n, *seed)
        }
        Choice::LocalAssessors => candidates
            .iter()
            .filter(eligible)
            .filter(|c| c.marked_as == Some(MemberRole::LocalAssessor))
            .map(|c| c.id)
            .collect(),
    };
    if chosen.is_empty() {
        return Err(Refusal::invalid(
            Field::Whole,
            "No case fits: only complete cases outside the QA sample, not marked by the second marker, can be drawn",
        ));
    }
    let seed = match choice {
        // Stored as PostgreSQL's bigint: the same 64 bits.
        Choice::Random { seed, .. } => Some(*seed as i64),
        _ => None,
    };
    db::qa::add(
        &mut tx,
        inspection_id,
        &chosen,
        marker.user_id,
        choice.code(),
        seed,
        actor.id,
    )
    .await?;
    let how = match choice {
        Choice::Cases(_) => "chosen case by case".to_owned(),
        Choice::Random { n, seed } => format!("{n} drawn at random with seed {seed}"),
        Choice::LocalAssessors => "every complete case marked by local assessors".to_owned(),
    };
    let events: Vec<NewEvent> = chosen
        .iter()
        .map(|case_id| NewEvent {
            inspection_id,
            case_id: Some(*case_id),
            entity: "qa_sample",
            field: Some("second_marker"),
            new_value: Some(marker.email.clone()),
            reason: Some(how.clone()),
            ..NewEvent::default()
        })
        .collect();
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    let mut added = Vec::with_capacity(chosen.len());
    for case_id in &chosen {
        if let Some(s) = db::qa::sampled(&mut tx, *case_id).await? {
            added.push(s);
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// The team member named to second-mark: a lead, inspector or quality lead
/// of the inspection (local assessors are staff of the service inspected).
async fn second_marker(
    conn: &mut PgConnection,
    inspection_id: i64,
    email: &str,
) -> Result<db::members::Member, Refusal> {
    let key = EmailKey::of(email);
    let members = db::members::members(conn, inspection_id).await?;
    let member = members
        .into_iter()
        .find(|m| EmailKey::of(&m.email) == key)
        .ok_or_else(|| {
            Refusal::invalid(
                Field::Named("marker"),
                "Name a member of the inspection team as second marker",
            )
        })?;
    if !matches!(
        member.role,
        MemberRole::Lead | MemberRole::Inspector | MemberRole::QualityLead
    ) {
        return Err(Refusal::invalid(
            Field::Named("marker"),
            format!(
                "{} is a {} of this inspection: a second marker is a lead, inspector or quality lead",
                member.display_name,
                member.role.label().to_lowercase()
            ),
        ));
    }
    Ok(member)
}
