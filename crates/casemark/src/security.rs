//! Administrative and security events: accounts created, roles changed,
//! accounts deactivated and reactivated, PDUs added, API tokens created and
//! revoked, passwords changed, sign-ins, failed sign-ins and lockouts. Each
//! is a row of the append-only `security_event` table, written in the same
//! transaction as the change it records, and a structured log line (target
//! `casemark::security`). Neither ever holds a password or a token.

use crate::audit::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    UserCreated,
    RoleChanged,
    UserDeactivated,
    UserReactivated,
    PduAdded,
    TokenCreated,
    TokenRevoked,
    SignedIn,
    SignInFailed,
    Lockout,
    PasswordChanged,
    FrameworkImported,
}

impl EventKind {
    pub const ALL: &'static [EventKind] = &[
        EventKind::UserCreated,
        EventKind::RoleChanged,
        EventKind::UserDeactivated,
        EventKind::UserReactivated,
        EventKind::PduAdded,
        EventKind::TokenCreated,
        EventKind::TokenRevoked,
        EventKind::SignedIn,
        EventKind::SignInFailed,
        EventKind::Lockout,
        EventKind::PasswordChanged,
        EventKind::FrameworkImported,
    ];

    pub fn code(self) -> &'static str {
        match self {
            EventKind::UserCreated => "user_created",
            EventKind::RoleChanged => "role_changed",
            EventKind::UserDeactivated => "user_deactivated",
            EventKind::UserReactivated => "user_reactivated",
            EventKind::PduAdded => "pdu_added",
            EventKind::TokenCreated => "token_created",
            EventKind::TokenRevoked => "token_revoked",
            EventKind::SignedIn => "signed_in",
            EventKind::SignInFailed => "sign_in_failed",
            EventKind::Lockout => "lockout",
            EventKind::PasswordChanged => "password_changed",
            EventKind::FrameworkImported => "framework_imported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::UserCreated => "User created",
            EventKind::RoleChanged => "Role changed",
            EventKind::UserDeactivated => "User deactivated",
            EventKind::UserReactivated => "User reactivated",
            EventKind::PduAdded => "PDU added",
            EventKind::TokenCreated => "API token created",
            EventKind::TokenRevoked => "API token revoked",
            EventKind::SignedIn => "Signed in",
            EventKind::SignInFailed => "Failed sign-in",
            EventKind::Lockout => "Sign-in locked",
            EventKind::PasswordChanged => "Password changed",
            EventKind::FrameworkImported => "Framework imported",
        }
    }

    pub fn parse(code: &str) -> Option<EventKind> {
        EventKind::ALL.iter().copied().find(|k| k.code() == code)
    }

    /// The label for a stored code (an unknown one is shown as it is).
    pub fn label_of(code: &str) -> String {
        EventKind::parse(code).map_or_else(|| code.to_owned(), |k| k.label().to_owned())
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct NewSecurityEvent {
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub subject_id: Option<i64>,
    pub subject: Option<String>,
    pub detail: Option<String>,
    pub client_address: Option<String>,
}

/// The longest text kept of what someone typed (a failed sign-in's email).
const MAX_TYPED_CHARS: usize = 254;

impl NewSecurityEvent {
    /// An event done by `actor` (a signed-in person or the command line).
    pub fn by(kind: EventKind, actor: &Actor) -> Self {
        NewSecurityEvent {
            kind,
            actor_id: actor.id,
            actor: actor.label.clone(),
            subject_id: None,
            subject: None,
            detail: None,
            client_address: None,
        }
    }

    /// A sign-in event: nobody is signed in, so the actor is the address
    /// typed (kept printable and short: it is whatever a visitor sent).
    pub fn sign_in(kind: EventKind, typed_email: &str, client_address: &str) -> Self {
        let typed: String = typed_email
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_TYPED_CHARS)
            .collect();
        NewSecurityEvent {
            kind,
            actor_id: None,
            actor: "sign-in".to_owned(),
            subject_id: None,
            subject: Some(typed),
            detail: None,
            client_address: Some(client_address.to_owned()),
        }
    }

    pub fn subject(mut self, id: Option<i64>, name: impl Into<String>) -> Self {
        self.subject_id = id;
        self.subject = Some(name.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// Appends the event (inside the caller's transaction) and logs it.
pub async fn record(
    conn: &mut sqlx::PgConnection,
    event: NewSecurityEvent,
) -> Result<(), sqlx::Error> {
    crate::db::security::append(conn, &event).await?;
    tracing::info!(
        target: "casemark::security",
        kind = event.kind.code(),
        actor = %event.actor,
        actor_id = event.actor_id,
        subject = event.subject.as_deref(),
        subject_id = event.subject_id,
        detail = event.detail.as_deref(),
        client_address = event.client_address.as_deref(),
        "security event"
    );
    Ok(())
}

/// A PDU added, by an administrator or by a lead naming a new one for an
/// inspection.
pub async fn framework_imported(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    code: &str,
    id: i32,
    replaced: bool,
) -> Result<(), sqlx::Error> {
    let event = NewSecurityEvent::by(EventKind::FrameworkImported, actor)
        .subject(None, code)
        .detail(format!(
            "framework version {id}{}",
            if replaced {
                ", replacing the draft"
            } else {
                ""
            }
        ));
    record(conn, event).await
}

pub async fn pdu_added(
    conn: &mut sqlx::PgConnection,
    actor: &Actor,
    pdu: &crate::db::places::Pdu,
) -> Result<(), sqlx::Error> {
    let event = NewSecurityEvent::by(EventKind::PduAdded, actor)
        .subject(None, pdu.name.as_str())
        .detail(format!("PDU {} in region {}", pdu.id, pdu.region_id));
    record(conn, event).await
}
