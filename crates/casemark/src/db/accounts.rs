//! Users: accounts, their passwords, roles and activity. Sessions, tokens,
//! sign-in throttling and team memberships have modules of their own.

use sqlx::PgConnection;

use crate::email::EmailKey;
use crate::vocab::UserRole;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: UserRole,
    pub active: bool,
    /// One of the demo team (`casemark --demo`).
    pub demo: bool,
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

/// Users who are not of the demo team.
pub async fn count_real_users(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from app_user where not demo")
        .fetch_one(conn)
        .await
}

/// Marks a user as one of the demo team.
pub async fn mark_demo(conn: &mut PgConnection, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update app_user set demo = true where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn users(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as(
        "select id, email, display_name, role, active, demo from app_user order by email",
    )
    .fetch_all(conn)
    .await
}

pub async fn user(conn: &mut PgConnection, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as("select id, email, display_name, role, active, demo from app_user where id = $1")
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
    sqlx::query_as(
        "select id, email, display_name, role, active, demo from app_user where email = $1",
    )
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
        "select id, email, display_name, role, active, demo from app_user where id = $1 for no key update",
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
