//! The audit trail: appended in the same transaction as each change, never
//! updated or deleted (a trigger refuses both).

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// One change to record.
#[derive(Debug, Clone, Default)]
pub struct NewEvent {
    pub inspection_id: i64,
    pub case_id: Option<i64>,
    pub case_revision: Option<i64>,
    pub entity: &'static str,
    pub code: Option<String>,
    pub standard: Option<String>,
    pub field: Option<&'static str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

pub async fn append(
    conn: &mut PgConnection,
    actor_id: Option<i64>,
    actor: &str,
    events: &[NewEvent],
) -> Result<(), sqlx::Error> {
    if events.is_empty() {
        return Ok(());
    }
    // One statement for the whole change.
    let col = |f: fn(&NewEvent) -> Option<String>| events.iter().map(f).collect::<Vec<_>>();
    sqlx::query(
        "insert into audit_event (actor_id, actor, inspection_id, case_id, case_revision, entity, code,
                                  standard, field, old_value, new_value, reason)
         select $1, $2, t.inspection_id, t.case_id, t.case_revision, t.entity, t.code, t.standard,
                t.field, t.old_value, t.new_value, t.reason
         from unnest($3::bigint[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[])
              as t(inspection_id, case_id, case_revision, entity, code, standard, field, old_value,
                   new_value, reason)",
    )
    .bind(actor_id)
    .bind(actor)
    .bind(events.iter().map(|e| e.inspection_id).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.case_id).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.case_revision).collect::<Vec<_>>())
    .bind(events.iter().map(|e| e.entity.to_owned()).collect::<Vec<_>>())
    .bind(col(|e| e.code.clone()))
    .bind(col(|e| e.standard.clone()))
    .bind(col(|e| e.field.map(str::to_owned)))
    .bind(col(|e| e.old_value.clone()))
    .bind(col(|e| e.new_value.clone()))
    .bind(col(|e| e.reason.clone()))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Event {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub case_id: Option<i64>,
    pub case_reference: Option<String>,
    pub case_revision: Option<i64>,
    pub entity: String,
    pub code: Option<String>,
    pub standard: Option<String>,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub reason: Option<String>,
}

macro_rules! select_event {
    () => {
        "select e.id, e.at, e.actor_id, e.actor, e.case_id, c.reference as case_reference, e.case_revision,
                e.entity, e.code, e.standard, e.field, e.old_value, e.new_value, e.reason
         from audit_event e left join sample_case c on c.id = e.case_id "
    };
}

pub async fn for_case(conn: &mut PgConnection, case_id: i64) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_event!(),
        "where e.case_id = $1 order by e.id"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await
}

/// Changes to a case after `revision`, oldest first.
pub async fn for_case_since(
    conn: &mut PgConnection,
    case_id: i64,
    revision: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_event!(),
        "where e.case_id = $1 and e.case_revision > $2 order by e.id"
    ))
    .bind(case_id)
    .bind(revision)
    .fetch_all(conn)
    .await
}

pub async fn for_inspection(
    conn: &mut PgConnection,
    inspection_id: i64,
    actor_id: Option<i64>,
    standard: Option<&str>,
) -> Result<Vec<Event>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_event!(),
        "where e.inspection_id = $1 and ($2::bigint is null or e.actor_id = $2)
           and ($3::text is null or e.standard = $3)
         order by e.id"
    ))
    .bind(inspection_id)
    .bind(actor_id)
    .bind(standard)
    .fetch_all(conn)
    .await
}
