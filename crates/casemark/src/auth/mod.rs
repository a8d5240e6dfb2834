//! Who is asking: passwords, sessions (in PostgreSQL, remembered briefly
//! in memory by [`cache`]), API tokens, sign-in throttling, CSRF, and the
//! checks the front ends' gates use to put the signed-in user on every
//! request ([`gate`]).

pub mod cache;
pub mod csrf;
pub mod gate;
pub mod password;
pub mod secret;
pub mod session;
pub mod throttle;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use crate::db::accounts::User;
use crate::vocab::UserRole;

/// The signed-in user of a request, put there by a front end's gate
/// (`web::gate`, `api::gate`).
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    /// The session's CSRF token, for forms (none for API token requests).
    pub csrf_token: Option<String>,
    /// The hash the session row is kept under (none for API token requests).
    pub session: Option<Vec<u8>>,
    /// A message the server left for this page, not yet taken (see
    /// `web::flash`).
    pub flash: Option<String>,
}

impl CurrentUser {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn is_administrator(&self) -> bool {
        self.user.role == UserRole::Administrator
    }

    /// How the user is named in the audit trail.
    pub fn actor(&self) -> crate::audit::Actor {
        crate::audit::Actor {
            id: Some(self.user.id),
            label: self.user.email.clone(),
            role: Some(self.user.role),
        }
    }

    /// Which inspections the user may list: administrators and viewers read
    /// every inspection (`None`); leads and inspectors those they belong to.
    pub fn member_filter(&self) -> Option<i64> {
        match self.user.role {
            UserRole::Administrator | UserRole::Viewer => None,
            UserRole::Lead | UserRole::Inspector => Some(self.user.id),
        }
    }

    pub fn csrf(&self) -> &str {
        self.csrf_token.as_deref().unwrap_or_default()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            // Only a route outside the gates can get here; the front end's
            // rejection layer renders this plain 401 (see edge::rejections).
            .ok_or_else(|| (StatusCode::UNAUTHORIZED, "Sign in first").into_response())
    }
}

/// The signed-in user if there is one: for pages that anyone may see.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(parts.extensions.get::<CurrentUser>().cloned()))
    }
}
