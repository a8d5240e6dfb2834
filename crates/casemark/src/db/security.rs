//! The security event trail (see [`crate::security`]).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::security::{EventKind, NewSecurityEvent};

pub async fn append(conn: &mut PgConnection, event: &NewSecurityEvent) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into security_event (kind, actor_id, actor, subject_id, subject, detail, client_address)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event.kind.code())
    .bind(event.actor_id)
    .bind(&event.actor)
    .bind(event.subject_id)
    .bind(&event.subject)
    .bind(&event.detail)
    .bind(&event.client_address)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub client_address: Option<String>,
}

/// What the administrator's page filters by; `None` is "any".
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<EventKind>,
    /// Part of the actor's or the subject's name (case ignored).
    pub person: Option<String>,
    pub from: Option<NaiveDate>,
    /// Inclusive: events of that whole day (UTC).
    pub to: Option<NaiveDate>,
}

/// The newest `limit` events that match, newest first.
pub async fn list(
    conn: &mut PgConnection,
    filter: &Filter,
    limit: i64,
) -> Result<Vec<SecurityEvent>, sqlx::Error> {
    sqlx::query_as(
        "select id, at, kind, actor, subject, detail, client_address from security_event
         where ($1::text is null or kind = $1)
           and ($2::text is null or strpos(lower(actor), lower($2)) > 0
                or strpos(lower(coalesce(subject, '')), lower($2)) > 0)
           and ($3::date is null or at >= $3::date::timestamp at time zone 'UTC')
           and ($4::date is null or at < ($4::date + 1)::timestamp at time zone 'UTC')
         order by id desc
         limit $5",
    )
    .bind(filter.kind.map(EventKind::code))
    .bind(filter.person.as_deref())
    .bind(filter.from)
    .bind(filter.to)
    .bind(limit)
    .fetch_all(conn)
    .await
}
