//! Creating users and API tokens: shared by the first-run setup page, the
//! administrator's users page and the command line.

use sqlx::PgPool;

use crate::auth::{password, secret};
use crate::db;
use crate::vocab::UserRole;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// (field, message)
    #[error("{1}")]
    Invalid(&'static str, String),
    #[error("no active user has the email address {0}")]
    UnknownUser(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    if valid {
        Ok(email)
    } else {
        Err(AccountError::Invalid(
            "email",
            "Enter an email address in the correct format, like name@example.gov.uk".into(),
        ))
    }
}

/// Adds a user; the display name defaults to the email's local part.
pub async fn add_user(
    pool: &PgPool,
    email: &str,
    display_name: Option<&str>,
    password_text: &str,
    role: UserRole,
) -> Result<i64, AccountError> {
    let email = normalise_email(email)?;
    password::check_new(password_text).map_err(|m| AccountError::Invalid("password", m))?;
    let name = display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(
            || email.split('@').next().unwrap_or_default().to_owned(),
            str::to_owned,
        );
    if name.chars().count() > 200 {
        return Err(AccountError::Invalid(
            "display_name",
            "Name must be 200 characters or fewer".into(),
        ));
    }
    let hash = password::hash_gated(password_text).await.map_err(|e| {
        AccountError::Invalid("password", format!("The password could not be stored: {e}"))
    })?;
    let mut conn = pool.acquire().await?;
    match db::accounts::create_user(&mut conn, &email, &name, &hash, role).await {
        Ok(id) => Ok(id),
        Err(e) if db::violates(&e, db::accounts::EMAIL_KEY) => Err(AccountError::Invalid(
            "email",
            "A user with that email address already exists".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Creates an API token for a user; returns the token, which is not kept.
pub async fn create_token(
    pool: &PgPool,
    user_id: i64,
    label: &str,
) -> Result<String, AccountError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 {
        return Err(AccountError::Invalid(
            "label",
            "Enter a name for the token (200 characters or fewer)".into(),
        ));
    }
    let token = format!("cm_{}", secret::random_token());
    let mut conn = pool.acquire().await?;
    db::accounts::create_token(&mut conn, user_id, &secret::hash(&token), label).await?;
    Ok(token)
}

pub async fn create_token_for(
    pool: &PgPool,
    email: &str,
    label: &str,
) -> Result<String, AccountError> {
    let mut conn = pool.acquire().await?;
    let user = db::accounts::user_by_email(&mut conn, email)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| AccountError::UnknownUser(email.to_owned()))?;
    drop(conn);
    create_token(pool, user.id, label).await
}
