//! The green success banner after a change. Its message is one the server
//! wrote, kept in the session row and shown once by the next page: a URL
//! can never put text in it (`?notice=` once could).

use axum::response::{IntoResponse, Redirect, Response};

use super::WebError;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::accounts::AuthChange;

/// Redirects to `to` (303), leaving `message` for the page it loads.
pub async fn redirect(
    state: &AppState,
    user: &CurrentUser,
    to: &str,
    message: &str,
) -> Result<Response, WebError> {
    if let Some(session) = &user.session {
        let mut conn = state.pool.acquire().await?;
        db::sessions::set_flash(&mut conn, session, message).await?;
        // The next page must read the session afresh to see the message.
        state
            .auth_cache
            .forget(&AuthChange::Session(session.clone()));
    }
    Ok(Redirect::to(to).into_response())
}

/// The message left for this page, taken so it shows once. Costs a query
/// only when the session has one.
pub async fn take(state: &AppState, user: &CurrentUser) -> Result<Option<String>, WebError> {
    match (&user.flash, &user.session) {
        (Some(_), Some(session)) => {
            let mut conn = state.pool.acquire().await?;
            let message = db::sessions::take_flash(&mut conn, session).await?;
            state
                .auth_cache
                .forget(&AuthChange::Session(session.clone()));
            Ok(message)
        }
        _ => Ok(None),
    }
}
