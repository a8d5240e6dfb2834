//! The lead's recommendations for the report draft: numbered, reordered,
//! and every change audited with the list before and after. One write
//! ([`replace`]) serves the page's add, move and remove and the API's PUT.

use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::refusal::{Field, Problem, Refusal};

/// The longest recommendation, in characters.
pub const MAX_CHARS: usize = 2000;

/// The list numbered as the report numbers it, for the audit trail.
fn numbered(texts: &[String]) -> Option<String> {
    (!texts.is_empty()).then(|| {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    })
}

/// The current list, for a page to change.
pub async fn current(pool: &PgPool, inspection_id: i64) -> Result<Vec<String>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    db::report::recommendations(&mut conn, inspection_id).await
}

/// Replaces the inspection's recommendations with `texts` (trimmed; each
/// one to [`MAX_CHARS`] characters), in one transaction with its audit row.
/// The lead only, until the inspection is published (its report is then
/// frozen).
pub async fn replace(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    texts: &[String],
) -> Result<Vec<String>, Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_lead_change(status)?;
    let mut problems = Vec::new();
    let texts: Vec<String> = texts.iter().map(|t| t.trim().to_owned()).collect();
    for (i, text) in texts.iter().enumerate() {
        if text.is_empty() {
            problems.push(Problem::new(
                Field::Named("recommendations"),
                format!("Recommendation {} is empty: write it or remove it", i + 1),
            ));
        } else if text.chars().count() > MAX_CHARS {
            problems.push(Problem::new(
                Field::Named("recommendations"),
                format!(
                    "Recommendation {} must be {MAX_CHARS} characters or fewer",
                    i + 1
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    let before = db::report::recommendations(&mut tx, inspection_id).await?;
    if before == texts {
        return Ok(texts);
    }
    db::report::set_recommendations(&mut tx, inspection_id, &texts).await?;
    db::audit::append(
        &mut tx,
        actor.id,
        &actor.label,
        &[NewEvent {
            inspection_id,
            entity: "recommendation",
            field: Some("recommendations"),
            old_value: numbered(&before),
            new_value: numbered(&texts),
            ..NewEvent::default()
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(texts)
}

/// A change the page asks for, applied to the list as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Add(String),
    /// Moves the recommendation at this index (from 0) one place up.
    Up(usize),
    Down(usize),
    Remove(usize),
}

/// The list after the edit; an index out of range changes nothing.
pub fn apply(mut list: Vec<String>, edit: Edit) -> Vec<String> {
    match edit {
        Edit::Add(text) => list.push(text),
        Edit::Up(i) if i > 0 && i < list.len() => list.swap(i - 1, i),
        Edit::Down(i) if i + 1 < list.len() => list.swap(i, i + 1),
        Edit::Remove(i) if i < list.len() => {
            list.remove(i);
        }
        _ => {}
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_move_and_remove_within_the_list_only() {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let abc = list(&["a", "b", "c"]);
        assert_eq!(apply(abc.clone(), Edit::Up(2)), list(&["a", "c", "b"]));
        assert_eq!(apply(abc.clone(), Edit::Up(0)), abc);
        assert_eq!(apply(abc.clone(), Edit::Down(0)), list(&["b", "a", "c"]));
        assert_eq!(apply(abc.clone(), Edit::Down(2)), abc);
        assert_eq!(apply(abc.clone(), Edit::Remove(1)), list(&["a", "c"]));
        assert_eq!(apply(abc.clone(), Edit::Remove(7)), abc);
        assert_eq!(
            apply(abc, Edit::Add("d".into())),
            list(&["a", "b", "c", "d"])
        );
        assert_eq!(numbered(&list(&["x", "y"])).as_deref(), Some("1. x\n2. y"));
    }
}
