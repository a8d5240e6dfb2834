//! Accounts: creating users, changing their role, deactivating and
//! reactivating them, API tokens and password changes. Shared by the
//! first-run setup page, the administrator's users page, the account page
//! and the command line. Each change is one transaction with its security
//! event (see [`crate::security`]).

use sqlx::PgPool;

use crate::audit::Actor;
use crate::auth::{password, secret};
use crate::db;
use crate::email::{self, EmailKey};
use crate::refusal::{Field, Refusal};
use crate::security::{self, EventKind, NewSecurityEvent};
use crate::vocab::UserRole;

/// The address as it is stored, or the message for the email field.
pub fn normalise_email(typed: &str) -> Result<EmailKey, Refusal> {
    email::valid(typed).map_err(|e| Refusal::invalid(Field::Named("email"), e.to_string()))
}

/// Adds a user; the display name defaults to the email's local part.
pub async fn add_user(
    pool: &PgPool,
    actor: &Actor,
    email: &str,
    display_name: Option<&str>,
    password_text: &str,
    role: UserRole,
) -> Result<i64, Refusal> {
    let email = normalise_email(email)?;
    password::check_new(password_text)
        .map_err(|m| Refusal::invalid(Field::Named("password"), m))?;
    let name = display_name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(
            || {
                email
                    .as_str()
                    .split('@')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            },
            str::to_owned,
        );
    if name.chars().count() > 200 || crate::text::is_multiline(&name) {
        return Err(Refusal::invalid(
            Field::Named("display_name"),
            "Name must be one line of 200 characters or fewer",
        ));
    }
    let hash = password::hash_gated(password_text).await.map_err(|e| {
        Refusal::invalid(
            Field::Named("password"),
            format!("The password could not be stored: {e}"),
        )
    })?;
    let mut tx = pool.begin().await?;
    let id = match db::accounts::create_user(&mut tx, email.as_str(), &name, &hash, role).await {
        Ok(id) => id,
        Err(e) if db::violates(&e, db::accounts::EMAIL_KEY) => {
            return Err(Refusal::invalid(
                Field::Named("email"),
                "A user with that email address already exists",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let event = NewSecurityEvent::by(EventKind::UserCreated, actor)
        .subject(Some(id), email.as_str())
        .detail(format!("role: {}", role.code()));
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes a user's default role. An administrator cannot change their own
/// (so the last one cannot lock everyone out of administration).
pub async fn set_role(
    pool: &PgPool,
    actor: &Actor,
    user_id: i64,
    role: UserRole,
) -> Result<(), Refusal> {
    if actor.id == Some(user_id) {
        return Err(Refusal::invalid(
            Field::Named("role"),
            "You cannot change your own role",
        ));
    }
    let mut tx = pool.begin().await?;
    let user = db::accounts::user_for_update(&mut tx, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if user.role == role {
        return Ok(());
    }
    if role == UserRole::Administrator && db::members::is_member_anywhere(&mut tx, user_id).await? {
        return Err(Refusal::invalid(
            Field::Named("role"),
            format!(
                "{} is a member of an inspection: administrators never join inspections, so \
                 remove them from their inspections first",
                user.email
            ),
        ));
    }
    db::accounts::set_role(&mut tx, user_id, role).await?;
    let event = NewSecurityEvent::by(EventKind::RoleChanged, actor)
        .subject(Some(user_id), user.email.as_str())
        .detail(format!("role: {} → {}", user.role.code(), role.code()));
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Stops, or restores, a user's access. Deactivating ends every session
/// and revokes every token in the same transaction, so reactivating later
/// revives neither.
pub async fn set_active(
    pool: &PgPool,
    actor: &Actor,
    user_id: i64,
    active: bool,
) -> Result<String, Refusal> {
    if actor.id == Some(user_id) && !active {
        return Err(Refusal::invalid(
            Field::Named("user"),
            "You cannot deactivate your own account",
        ));
    }
    let mut tx = pool.begin().await?;
    let user = db::accounts::user_for_update(&mut tx, user_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if user.active == active {
        return Ok(user.email);
    }
    db::accounts::set_active(&mut tx, user_id, active).await?;
    let event = if active {
        NewSecurityEvent::by(EventKind::UserReactivated, actor)
    } else {
        let sessions = db::sessions::delete_sessions_of(&mut tx, user_id).await?;
        let tokens = db::tokens::revoke_tokens_of(&mut tx, user_id).await?;
        NewSecurityEvent::by(EventKind::UserDeactivated, actor).detail(format!(
            "{sessions} sessions ended, {tokens} tokens revoked"
        ))
    };
    security::record(&mut tx, event.subject(Some(user_id), user.email.as_str())).await?;
    tx.commit().await?;
    Ok(user.email)
}

/// Creates an API token for the actor; returns the token, which is not kept.
pub async fn create_token(pool: &PgPool, actor: &Actor, label: &str) -> Result<String, Refusal> {
    let user_id = actor.id.ok_or(Refusal::NotFound)?;
    create_token_as(pool, actor, user_id, &actor.label, label).await
}

async fn create_token_as(
    pool: &PgPool,
    actor: &Actor,
    user_id: i64,
    email: &str,
    label: &str,
) -> Result<String, Refusal> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 200 || crate::text::is_multiline(label) {
        return Err(Refusal::invalid(
            Field::Named("label"),
            "Enter a name for the token on one line (200 characters or fewer)",
        ));
    }
    let token = format!("cm_{}", secret::random_token());
    let mut tx = pool.begin().await?;
    db::tokens::create_token(&mut tx, user_id, &secret::hash(&token), label).await?;
    let event = NewSecurityEvent::by(EventKind::TokenCreated, actor)
        .subject(Some(user_id), email)
        .detail(format!("label: {label}"));
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(token)
}

/// The command line's `token create`: a token for an active user.
pub async fn create_token_for(pool: &PgPool, email: &str, label: &str) -> Result<String, Refusal> {
    let mut conn = pool.acquire().await?;
    let user = db::accounts::user_by_email(&mut conn, &EmailKey::of(email))
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| {
            Refusal::invalid(
                Field::Named("email"),
                format!("No active user has the email address {email}"),
            )
        })?;
    drop(conn);
    create_token_as(
        pool,
        &Actor::system("command line"),
        user.id,
        &user.email,
        label,
    )
    .await
}

/// Revokes one of the actor's own tokens.
pub async fn revoke_token(pool: &PgPool, actor: &Actor, token_id: i64) -> Result<(), Refusal> {
    let user_id = actor.id.ok_or(Refusal::NotFound)?;
    let mut tx = pool.begin().await?;
    let label = db::tokens::revoke_token(&mut tx, user_id, token_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let event = NewSecurityEvent::by(EventKind::TokenRevoked, actor)
        .subject(Some(user_id), actor.label.as_str())
        .detail(format!("label: {label}"));
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the actor's password after checking their current one, and
/// signs out every other session of theirs (`keep_session` stays).
pub async fn change_password(
    pool: &PgPool,
    actor: &Actor,
    keep_session: &[u8],
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<u64, Refusal> {
    let user_id = actor.id.ok_or(Refusal::NotFound)?;
    let mut conn = pool.acquire().await?;
    let stored = db::accounts::password_hash_of(&mut conn, user_id).await?;
    drop(conn);
    if !password::verify_gated(current, stored).await {
        return Err(Refusal::invalid(
            Field::Named("current_password"),
            "Your current password is incorrect",
        ));
    }
    password::check_new(new).map_err(|m| Refusal::invalid(Field::Named("new_password"), m))?;
    if new != confirm {
        return Err(Refusal::invalid(
            Field::Named("confirm_password"),
            "The passwords do not match: type the new password again",
        ));
    }
    let hash = password::hash_gated(new).await.map_err(|e| {
        Refusal::invalid(
            Field::Named("new_password"),
            format!("The password could not be stored: {e}"),
        )
    })?;
    let mut tx = pool.begin().await?;
    db::accounts::set_password_hash(&mut tx, user_id, &hash).await?;
    let ended = db::sessions::delete_other_sessions(&mut tx, user_id, keep_session).await?;
    let event = NewSecurityEvent::by(EventKind::PasswordChanged, actor)
        .subject(Some(user_id), actor.label.as_str())
        .detail(format!("{ended} other sessions ended"));
    security::record(&mut tx, event).await?;
    tx.commit().await?;
    Ok(ended)
}
