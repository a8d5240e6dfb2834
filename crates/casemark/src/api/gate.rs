//! The API's gate: the user of the bearer token, or a JSON 401. The API
//! takes no cookies, so it needs no CSRF check.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::AppState;
use crate::auth::{CurrentUser, gate};

pub async fn bearer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(token) = gate::bearer(req.headers()) else {
        return ApiError::Unauthorized.into_response();
    };
    match gate::token_user(&state, token).await {
        Ok(Some(user)) => {
            req.extensions_mut().insert(CurrentUser {
                user,
                csrf_token: None,
                session: None,
                flash: None,
            });
            next.run(req).await
        }
        Ok(None) => ApiError::Unauthorized.into_response(),
        Err(e) => ApiError::Database(e).into_response(),
    }
}

/// How the API answers what the edge refuses: JSON error bodies.
#[derive(Debug, Clone, Copy)]
pub struct Json;

impl crate::edge::Refusals for Json {
    fn not_found() -> Response {
        ApiError::NotFound.into_response()
    }

    fn timeout() -> Response {
        ApiError::Timeout.into_response()
    }

    fn rejected(status: StatusCode, message: String) -> Response {
        match status {
            StatusCode::NOT_FOUND => ApiError::NotFound.into_response(),
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized.into_response(),
            _ => ApiError::Rejected(status, message).into_response(),
        }
    }
}
