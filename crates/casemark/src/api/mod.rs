//! The JSON API under /api/v1 (documented in docs/api.md). Handlers are thin:
//! they translate JSON to the same services the pages use and back.

mod annexe;
mod body;
mod cases;
mod domain_one;
mod error;
mod inspections;
mod team;

use axum::Router;
use axum::routing::{delete, get, post, put};

pub use error::{ApiError, FieldError};

use std::sync::Arc;

use crate::AppState;
use crate::access::{self, Access};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::framework::Framework;

/// The caller's standing in an inspection they may read: 404 if there is no
/// such inspection, 403 if it is not theirs.
pub(crate) async fn readable(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    inspection_id: i64,
) -> Result<Access, ApiError> {
    if crate::db::inspections::status_for_share(conn, inspection_id)
        .await?
        .is_none()
    {
        return Err(ApiError::NotFound);
    }
    let access = access::load(conn, &user.actor(), inspection_id).await?;
    if access.can_read() {
        Ok(access)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// An inspection the caller may read and the framework it is marked under,
/// loaded through the caller's connection.
pub(crate) async fn readable_inspection(
    conn: &mut sqlx::PgConnection,
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<(Inspection, Arc<Framework>), ApiError> {
    readable(&mut *conn, user, id).await?;
    let inspection = crate::db::inspections::get(&mut *conn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let framework = state
        .frameworks
        .get(&mut *conn, inspection.framework_version_id)
        .await?;
    Ok((inspection, framework))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/inspections",
            get(inspections::list).post(inspections::create),
        )
        .route(
            "/api/v1/inspections/{id}/ratings",
            get(inspections::ratings),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one",
            get(domain_one::get).put(domain_one::confirm),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one/judgements",
            put(domain_one::judgements),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one/evidence",
            post(domain_one::add_evidence),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one/evidence/{evidence}",
            delete(domain_one::remove_evidence),
        )
        .route(
            "/api/v1/inspections/{id}/domain-one/{standard}/judge",
            put(domain_one::judge),
        )
        .route(
            "/api/v1/inspections/{id}/staff-survey",
            get(domain_one::survey).post(domain_one::add_survey_item),
        )
        .route(
            "/api/v1/inspections/{id}/staff-survey/{item}",
            delete(domain_one::remove_survey_item),
        )
        .route("/api/v1/inspections/{id}/cases", post(cases::create))
        .route(
            "/api/v1/inspections/{id}/judgements",
            post(annexe::import_judgements),
        )
        .route(
            "/api/v1/inspections/{id}/annexe.csv",
            get(annexe::inspection_csv),
        )
        .route(
            "/api/v1/inspections/{id}/annexe.xlsx",
            get(annexe::workbook),
        )
        .route("/api/v1/annexe.csv", get(annexe::national_csv))
        .route("/api/v1/cases/{id}", get(cases::get))
        .route("/api/v1/cases/{id}/judgements", put(cases::judgements))
        .route("/api/v1/cases/{id}/history", get(team::case_history))
        .route("/api/v1/cases/{id}/facts", put(cases::update_facts))
        .route("/api/v1/inspections/{id}/status", put(team::set_status))
        .route("/api/v1/inspections/{id}/members", put(team::set_member))
        .route("/api/v1/inspections/{id}/assignments", put(team::assign))
        .route(
            "/api/v1/inspections/{id}/history",
            get(team::inspection_history),
        )
        .fallback(error::not_found)
}
