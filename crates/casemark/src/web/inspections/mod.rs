//! Pages under `/inspections`, one module per URL, and what they share.

pub mod annexe;
pub mod cases;
pub mod domain_one;
pub mod fieldwork;
pub mod judgements_import;
pub mod new;
pub mod page;
pub mod qa;
pub mod ratings;
pub mod report;
pub mod sample;
pub mod staff_survey;

use std::sync::Arc;

use crate::access::{self, Access, Denied};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::framework::Framework;
use crate::refusal::Refusal;
use crate::web::WebError;
use crate::{AppState, db};

/// Loads an inspection the user may read, with its framework and the
/// user's standing in it: 404 if there is none, 403 if it is not theirs.
pub async fn load_inspection(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Inspection, Arc<Framework>, Access), WebError> {
    let mut conn = state.pool.acquire().await?;
    let inspection = db::inspections::get(&mut conn, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let access = access::load(&mut conn, &user.actor(), id).await?;
    if !access.can_read() {
        return Err(WebError::NotFound);
    }
    let framework = state
        .frameworks
        .get(&mut conn, inspection.framework_version_id)
        .await?;
    Ok((inspection, framework, access))
}

/// A refusal from the access rules as a page.
pub fn refused(denied: Denied) -> WebError {
    Refusal::from(denied).into()
}
