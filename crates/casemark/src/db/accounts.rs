//! Users, sessions, API tokens, sign-in throttling and memberships.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::email::EmailKey;
use crate::vocab::{MemberRole, UserRole};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: UserRole,
    pub active: bool,
}

/// What a notification of migration 0008's triggers says changed: a
/// session (by its id's hash), or a user (role, activity, tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthChange {
    Session(Vec<u8>),
    User(i64),
}

impl AuthChange {
    /// Reads a payload: `s:<hash in hex>` or `u:<id>`.
    pub fn parse(payload: &str) -> Option<AuthChange> {
        match payload.split_once(':')? {
            ("s", hash) => hex::decode(hash).ok().map(AuthChange::Session),
            ("u", id) => id.parse().ok().map(AuthChange::User),
            _ => None,
        }
    }
}

/// The unique index on email, for "already exists" messages.
pub const EMAIL_KEY: &str = "app_user_email_key";

pub async fn count_users(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(conn)
        .await
}

pub async fn create_user(
    conn: &mut PgConnection,
    email: &str,
    display_name: &str,
    password_hash: &str,
    role: UserRole,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into app_user (email, display_name, password_hash, role) values ($1, $2, $3, $4) returning id",
    )
    .bind(email)
    .bind(display_name)
    .bind(password_hash)
    .bind(role)
    .fetch_one(conn)
    .await
}

pub async fn users(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as("select id, email, display_name, role, active from app_user order by email")
        .fetch_all(conn)
        .await
}

pub async fn user(conn: &mut PgConnection, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as("select id, email, display_name, role, active from app_user where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The account of an address, compared exactly: `EmailKey` has already
/// applied the one normalisation rule (see [`crate::email`]).
pub async fn user_by_email(
    conn: &mut PgConnection,
    email: &EmailKey,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as("select id, email, display_name, role, active from app_user where email = $1")
        .bind(email.as_str())
        .fetch_optional(conn)
        .await
}

/// The stored password hash of an active account.
pub async fn password_hash(
    conn: &mut PgConnection,
    email: &EmailKey,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("select id, password_hash from app_user where email = $1 and active")
        .bind(email.as_str())
        .fetch_optional(conn)
        .await
}

/// The stored password hash of an account by id (to check "current password").
pub async fn password_hash_of(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("select password_hash from app_user where id = $1 and active")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn set_password_hash(
    conn: &mut PgConnection,
    id: i64,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("update app_user set password_hash = $2 where id = $1")
        .bind(id)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// A user row locked for a change of role or of its active flag.
pub async fn user_for_update(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(
        "select id, email, display_name, role, active from app_user where id = $1 for no key update",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

pub async fn set_active(conn: &mut PgConnection, id: i64, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("update app_user set active = $2 where id = $1")
        .bind(id)
        .bind(active)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_role(conn: &mut PgConnection, id: i64, role: UserRole) -> Result<(), sqlx::Error> {
    sqlx::query("update app_user set role = $2 where id = $1")
        .bind(id)
        .bind(role)
        .execute(conn)
        .await?;
    Ok(())
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
                u.email, u.display_name, u.role, u.active
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

// ---------------------------------------------------------------- throttle

/// Counts one sign-in attempt against a throttle key before its password is
/// checked, in one statement, so parallel attempts cannot slip past the
/// limit; returns the attempts counted so far, this one included. The key
/// is locked for `lock_minutes` as the count reaches `limit`; a lock that
/// has run out starts the count again. (A successful sign-in gives its
/// attempt back: [`clear_throttle`], [`give_back_attempt`].)
pub async fn count_attempt(
    conn: &mut PgConnection,
    key: &str,
    limit: i32,
    lock_minutes: i32,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "insert into sign_in_throttle as t (key, failures, locked_until)
         values ($1, 1, case when $2 <= 1 then now() + make_interval(mins => $3) end)
         on conflict (key) do update set
             failures = case when t.locked_until <= now() then 1 else t.failures + 1 end,
             locked_until = case
                 when t.locked_until <= now() then
                     case when $2 <= 1 then now() + make_interval(mins => $3) end
                 when t.locked_until is null and t.failures + 1 >= $2 then
                     now() + make_interval(mins => $3)
                 else t.locked_until end
         returning failures",
    )
    .bind(key)
    .bind(limit)
    .bind(lock_minutes)
    .fetch_one(conn)
    .await
}

pub async fn clear_throttle(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from sign_in_throttle where key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes back one counted attempt (a sign-in that succeeded), lifting a lock
/// that attempt alone had set.
pub async fn give_back_attempt(
    conn: &mut PgConnection,
    key: &str,
    limit: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sign_in_throttle set
             failures = greatest(failures - 1, 0),
             locked_until = case when failures - 1 < $2 then null else locked_until end
         where key = $1",
    )
    .bind(key)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(())
}

// ------------------------------------------------------------- memberships

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: MemberRole,
}

pub async fn membership(
    conn: &mut PgConnection,
    inspection_id: i64,
    user_id: i64,
) -> Result<Option<MemberRole>, sqlx::Error> {
    sqlx::query_scalar("select role from membership where inspection_id = $1 and user_id = $2")
        .bind(inspection_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

pub async fn members(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(
        "select m.user_id, u.email, u.display_name, m.role
         from membership m join app_user u on u.id = m.user_id
         where m.inspection_id = $1 order by m.role, u.display_name",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// Whether the user belongs to any inspection.
pub async fn is_member_anywhere(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from membership where user_id = $1)")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// How many leads an inspection has (its rows locked, so two demotions at
/// once cannot both see another lead).
pub async fn lead_count_for_update(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<usize, sqlx::Error> {
    let leads: Vec<i64> = sqlx::query_scalar(
        "select user_id from membership where inspection_id = $1 and role = 'lead' for update",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(leads.len())
}

/// Adds or changes a membership; returns the role it had before.
pub async fn set_membership(
    conn: &mut PgConnection,
    inspection_id: i64,
    user_id: i64,
    role: MemberRole,
) -> Result<Option<MemberRole>, sqlx::Error> {
    let before = membership(&mut *conn, inspection_id, user_id).await?;
    sqlx::query(
        "insert into membership (inspection_id, user_id, role) values ($1, $2, $3)
         on conflict (inspection_id, user_id) do update set role = excluded.role",
    )
    .bind(inspection_id)
    .bind(user_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(before)
}
