//! API tokens: stored as hashes, revoked rather than deleted.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

// ------------------------------------------------------------------ tokens

pub async fn create_token(
    conn: &mut PgConnection,
    user_id: i64,
    hash: &[u8],
    label: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into api_token (user_id, token_hash, label) values ($1, $2, $3) returning id",
    )
    .bind(user_id)
    .bind(hash)
    .bind(label)
    .fetch_one(conn)
    .await
}

/// The user of a live (not revoked) token, marking it used.
pub async fn use_token(conn: &mut PgConnection, hash: &[u8]) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "update api_token t set last_used_at = now()
         from app_user u
         where t.token_hash = $1 and t.revoked_at is null and u.id = t.user_id and u.active
         returning t.user_id",
    )
    .bind(hash)
    .fetch_optional(conn)
    .await
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub async fn live_tokens(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "select id, label, created_at, last_used_at from api_token
         where user_id = $1 and revoked_at is null order by created_at",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Revokes one of the user's live tokens; returns its label, or `None` if
/// the user has no such live token.
pub async fn revoke_token(
    conn: &mut PgConnection,
    user_id: i64,
    token_id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "update api_token set revoked_at = now()
         where id = $1 and user_id = $2 and revoked_at is null returning label",
    )
    .bind(token_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Revokes every live token of a user; returns how many.
pub async fn revoke_tokens_of(conn: &mut PgConnection, user_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "update api_token set revoked_at = now() where user_id = $1 and revoked_at is null",
    )
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected())
}
