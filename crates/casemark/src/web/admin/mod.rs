//! Pages under `/admin`: administrators manage people and places; they do
//! not mark.

pub mod frameworks;
pub mod pdus;
pub mod security_events;
pub mod users;

use crate::auth::CurrentUser;
use crate::web::WebError;

pub(super) fn require_admin(user: &CurrentUser) -> Result<(), WebError> {
    if user.is_administrator() {
        Ok(())
    } else {
        Err(WebError::Forbidden)
    }
}
