//! The long list an inspection's case sample is drawn from
//! (docs/sampling.md): uploaded by the lead, checked row by row, and kept
//! until the sample is drawn from it.

mod file;

use sqlx::PgPool;

use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::refusal::Refusal;

pub use file::{COLUMNS, ListedRow, parse};

/// What an upload found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    pub rows: usize,
    pub eligible: usize,
    /// (row, reason), in row order.
    pub excluded: Vec<Excluded>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Excluded {
    pub row: usize,
    pub reason: String,
}

/// The cases that cannot be drawn, and why: the sampler's exclusions,
/// counting a case as started if it started by the fieldwork start.
pub fn exclusions(rows: &[ListedRow], started_by: chrono::NaiveDate) -> Vec<Excluded> {
    let listed: Vec<casemark_rules::ListedCase> = rows.iter().map(ListedRow::listed).collect();
    casemark_rules::exclusions(&listed, &started_by.to_string())
        .into_iter()
        .map(|(index, why)| Excluded {
            row: rows[index].row,
            reason: why.reason(),
        })
        .collect()
}

/// Checks and stores a long list, replacing any earlier one, until the
/// sample is drawn from it; the lead's, before moderation.
pub async fn upload(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    text: &str,
) -> Result<Uploaded, Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = crate::access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_adding_cases(status)?;
    if db::long_list::draw_of(&mut tx, inspection_id)
        .await?
        .is_some()
    {
        return Err(Refusal::Locked(
            "The sample has been drawn from the long list: it can no longer be replaced".into(),
        ));
    }
    let rows = parse(text).map_err(Refusal::Invalid)?;
    let inspection = db::inspections::get(&mut tx, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let excluded = exclusions(&rows, inspection.fieldwork_start);
    db::long_list::replace(&mut tx, inspection_id, actor.id, &rows).await?;
    let event = NewEvent {
        inspection_id,
        entity: "inspection",
        field: Some("long_list"),
        new_value: Some(format!("{} rows", rows.len())),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(Uploaded {
        rows: rows.len(),
        eligible: rows.len() - excluded.len(),
        excluded,
    })
}
