//! A lead's running of an inspection: its members, who marks which case,
//! and its lifecycle. Each change is one transaction with its audit rows.

use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::email::EmailKey;
use crate::refusal::{Field, Refusal};
use crate::vocab::{InspectionStatus, MemberRole, UserRole};

/// The longest reason for a status change or a domain one rating that
/// differs from its proposal: a paragraph or two, kept in the audit trail for
/// ever.
pub const MAX_REASON_CHARS: usize = 2000;

/// Moves the inspection along its lifecycle.
pub async fn change_status(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    to: InspectionStatus,
    reason: Option<&str>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let from = db::inspections::status_for_update(&mut tx, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let access = access::load(&mut tx, actor, inspection_id).await?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    if !access.is_lead() {
        return Err(Refusal::Forbidden);
    }
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if reason.is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(Refusal::invalid(
            Field::Named("reason"),
            format!("Reason must be {MAX_REASON_CHARS} characters or fewer"),
        ));
    }
    if from == to {
        return Ok(());
    }
    access::check_transition(from, to, reason).map_err(|m| {
        if from == InspectionStatus::Published && m.starts_with("Give a reason") {
            Refusal::invalid(Field::Named("reason"), m)
        } else {
            Refusal::Locked(m)
        }
    })?;
    if to == InspectionStatus::Published {
        // Quality assurance first: a rating is published only once every
        // disagreement of the QA sample has its final answer.
        let open = db::qa::unadjudicated(&mut tx, inspection_id).await?;
        if !open.is_empty() {
            let named: Vec<String> = open
                .iter()
                .map(|(case, code)| format!("case {case} on {code}"))
                .collect();
            return Err(Refusal::Locked(format!(
                "{} {} of the QA sample {} no final answer yet ({}): give each one on the \
                 quality assurance page before publishing",
                open.len(),
                if open.len() == 1 {
                    "disagreement"
                } else {
                    "disagreements"
                },
                if open.len() == 1 { "has" } else { "have" },
                named.join(", "),
            )));
        }
    }
    db::inspections::set_status(&mut tx, inspection_id, to).await?;
    let event = NewEvent {
        inspection_id,
        entity: "status",
        field: Some("status"),
        old_value: Some(from.code().to_owned()),
        new_value: Some(to.code().to_owned()),
        reason: reason.map(str::to_owned),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(())
}

/// Adds a member by email, or changes their role.
pub async fn set_member(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    email: &str,
    role: MemberRole,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_lead_change(status)?;
    let Some(user) = db::accounts::user_by_email(&mut tx, &EmailKey::of(email))
        .await?
        .filter(|u| u.active)
    else {
        return Err(Refusal::invalid(
            Field::Named("email"),
            "There is no active user with that email address: ask an administrator to add them",
        ));
    };
    // Administrators manage people and places; they never mark or lead.
    if user.role == UserRole::Administrator {
        return Err(Refusal::invalid(
            Field::Named("email"),
            format!(
                "{} is an administrator: administrators never join an inspection",
                user.email
            ),
        ));
    }
    if actor.id == Some(user.id) && role != MemberRole::Lead {
        return Err(Refusal::invalid(
            Field::Named("role"),
            "You cannot change your own role as lead",
        ));
    }
    let current = db::members::membership(&mut tx, inspection_id, user.id).await?;
    if current == Some(MemberRole::Lead)
        && role != MemberRole::Lead
        && db::members::lead_count_for_update(&mut tx, inspection_id).await? <= 1
    {
        return Err(Refusal::invalid(
            Field::Named("role"),
            format!(
                "{} is the inspection's only lead: make someone else lead first",
                user.email
            ),
        ));
    }
    let before = db::members::set_membership(&mut tx, inspection_id, user.id, role).await?;
    if before != Some(role) {
        let event = NewEvent {
            inspection_id,
            entity: "membership",
            code: Some(user.email.clone()),
            field: Some("role"),
            old_value: before.map(|r| r.code().to_owned()),
            new_value: Some(role.code().to_owned()),
            ..NewEvent::default()
        };
        db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Assigns cases (one or many) to a member who marks, or unassigns them.
pub async fn assign(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    case_ids: &[i64],
    assignee: Option<i64>,
) -> Result<usize, Refusal> {
    if case_ids.is_empty() {
        return Err(Refusal::invalid(
            Field::Named("cases"),
            "Select the cases to assign",
        ));
    }
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_lead_change(status)?;
    let assignee_email = match assignee {
        None => None,
        Some(user_id) => {
            let role = db::members::membership(&mut tx, inspection_id, user_id).await?;
            if !matches!(
                role,
                Some(MemberRole::Lead | MemberRole::Inspector | MemberRole::LocalAssessor)
            ) {
                return Err(Refusal::invalid(
                    Field::Named("assignee"),
                    "Cases can only be assigned to inspectors and leads of this inspection",
                ));
            }
            db::accounts::user(&mut tx, user_id).await?.map(|u| u.email)
        }
    };
    let changed = db::cases::assign(&mut tx, inspection_id, case_ids, assignee).await?;
    let mut emails = std::collections::HashMap::new();
    let mut events = Vec::with_capacity(changed.len());
    for (case_id, reference, before, revision) in &changed {
        let old = match before {
            Some(id) => {
                if !emails.contains_key(id) {
                    let email = db::accounts::user(&mut tx, *id).await?.map(|u| u.email);
                    emails.insert(*id, email);
                }
                emails.get(id).cloned().flatten()
            }
            None => None,
        };
        events.push(NewEvent {
            inspection_id,
            case_id: Some(*case_id),
            case_revision: Some(*revision),
            entity: "assignment",
            code: Some(reference.clone()),
            field: Some("assigned_to"),
            old_value: old,
            new_value: assignee_email.clone(),
            ..NewEvent::default()
        });
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(changed.len())
}
