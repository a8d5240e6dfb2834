//! Signed-in sessions (with their CSRF token and one-off flash message).

use super::accounts::User;
use crate::vocab::UserRole;
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

// ---------------------------------------------------------------- sessions

pub async fn create_session(
    conn: &mut PgConnection,
    id_hash: &[u8],
    user_id: i64,
    csrf_token: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("insert into user_session (id_hash, user_id, csrf_token) values ($1, $2, $3)")
        .bind(id_hash)
        .bind(user_id)
        .bind(csrf_token)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// A message for the next page (see `web::flash`).
    pub flash: Option<String>,
}

/// A session and its (active) user in one round trip.
pub async fn session_with_user(
    conn: &mut PgConnection,
    id_hash: &[u8],
) -> Result<Option<(SessionRow, User)>, sqlx::Error> {
    let row: Option<SessionUserRow> = sqlx::query_as(
        "select s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.flash,
                u.email, u.display_name, u.role, u.active, u.demo
         from user_session s join app_user u on u.id = s.user_id
         where s.id_hash = $1 and u.active",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| {
        (
            SessionRow {
                user_id: r.user_id,
                csrf_token: r.csrf_token,
                created_at: r.created_at,
                last_seen_at: r.last_seen_at,
                flash: r.flash,
            },
            User {
                id: r.user_id,
                email: r.email,
                display_name: r.display_name,
                role: r.role,
                active: r.active,
                demo: r.demo,
            },
        )
    }))
}

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    user_id: i64,
    csrf_token: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    flash: Option<String>,
    email: String,
    display_name: String,
    role: UserRole,
    active: bool,
    demo: bool,
}

pub async fn touch_session(conn: &mut PgConnection, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("update user_session set last_seen_at = now() where id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut PgConnection, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("delete from user_session where id_hash = $1")
        .bind(id_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Leaves a message for the session's next page.
pub async fn set_flash(
    conn: &mut PgConnection,
    id_hash: &[u8],
    message: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("update user_session set flash = $2 where id_hash = $1")
        .bind(id_hash)
        .bind(message)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the session's message, if it still has one (once only, even when
/// two pages load at once).
pub async fn take_flash(
    conn: &mut PgConnection,
    id_hash: &[u8],
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "update user_session s set flash = null
         from (select id_hash, flash from user_session where id_hash = $1 and flash is not null
               for update) old
         where s.id_hash = old.id_hash
         returning old.flash",
    )
    .bind(id_hash)
    .fetch_optional(conn)
    .await
}

/// Signs a user out everywhere but the session `keep`.
pub async fn delete_other_sessions(
    conn: &mut PgConnection,
    user_id: i64,
    keep: &[u8],
) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("delete from user_session where user_id = $1 and id_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Signs a user out everywhere.
pub async fn delete_sessions_of(conn: &mut PgConnection, user_id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query("delete from user_session where user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?
        .rows_affected())
}
