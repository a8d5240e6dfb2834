//! The JSON API under /api/v1 (documented in docs/api.md). Handlers are thin:
//! they translate JSON to the same services the pages use and back.

mod annexe;
mod body;
mod cases;
mod domain_one;
mod error;
pub mod gate;
mod inspections;
mod national;
pub mod openapi;
mod qa;
mod region_inspections;
mod report;
mod sample;
mod team;

use axum::Router;

pub use error::{ApiError, FieldError};

use std::sync::Arc;

use crate::AppState;
use crate::access::{self, Access};
use crate::auth::CurrentUser;
use crate::db::inspections::Inspection;
use crate::framework::Framework;
use crate::routes::Routes;

/// The caller's standing in an inspection they may read: 404 if there is no
/// such inspection or it is not theirs (so ids cannot be enumerated).
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
        Err(ApiError::NotFound)
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

/// Every route of this front end (see [`crate::routes`]).
pub fn routes() -> Routes {
    Routes::nested_under(PREFIX)
        .get("/inspections", inspections::list)
        .post("/inspections", inspections::create)
        .get("/inspections/{id}/ratings", inspections::ratings)
        .get("/inspections/{id}/events", inspections::events)
        .get("/inspections/{id}/domain-one", domain_one::get)
        .put("/inspections/{id}/domain-one", domain_one::confirm)
        .put(
            "/inspections/{id}/domain-one/judgements",
            domain_one::judgements,
        )
        .post(
            "/inspections/{id}/domain-one/evidence",
            domain_one::add_evidence,
        )
        .delete(
            "/inspections/{id}/domain-one/evidence/{evidence}",
            domain_one::remove_evidence,
        )
        .put(
            "/inspections/{id}/domain-one/{standard}/judge",
            domain_one::judge,
        )
        .get("/inspections/{id}/staff-survey", domain_one::survey)
        .post(
            "/inspections/{id}/staff-survey",
            domain_one::add_survey_item,
        )
        .delete(
            "/inspections/{id}/staff-survey/{item}",
            domain_one::remove_survey_item,
        )
        .post("/inspections/{id}/cases", cases::create)
        .post("/inspections/{id}/judgements", annexe::import_judgements)
        .get("/inspections/{id}/annexe.csv", annexe::inspection_csv)
        .get("/inspections/{id}/annexe.xlsx", annexe::workbook)
        .get("/annexe.csv", annexe::national_csv)
        .get("/national", national::get)
        .get("/inspections/{id}/report", report::get)
        .get("/inspections/{id}/report.docx", report::docx)
        .put("/inspections/{id}/recommendations", report::recommendations)
        .post("/region-inspections", region_inspections::create)
        .get(
            "/region-inspections/{id}/ratings",
            region_inspections::ratings,
        )
        .get("/cases/{id}", cases::get)
        .put("/cases/{id}/judgements", cases::judgements)
        .get("/cases/{id}/history", team::case_history)
        .put("/cases/{id}/facts", cases::update_facts)
        .put("/cases/{id}/question-set", cases::question_set)
        .post("/inspections/{id}/long-list", sample::upload)
        .post("/inspections/{id}/sample/draw", sample::draw)
        .post("/cases/{id}/replace", sample::replace)
        .get("/inspections/{id}/fieldwork", sample::fieldwork)
        .put("/inspections/{id}/status", team::set_status)
        .put("/inspections/{id}/members", team::set_member)
        .put("/inspections/{id}/assignments", team::assign)
        .get("/inspections/{id}/history", team::inspection_history)
        .get("/inspections/{id}/qa", qa::report)
        .post("/inspections/{id}/qa/sample", qa::add_to_sample)
        .get("/cases/{id}/second-marking", qa::get_second_marking)
        .put("/cases/{id}/second-marking", qa::second_marking)
        .put("/cases/{id}/adjudication", qa::adjudicate)
}

/// The routes that need no token: the API's own description.
pub fn public_routes() -> Routes {
    Routes::nested_under(PREFIX).get("/openapi.json", openapi::description)
}

/// Where the API is nested.
pub const PREFIX: &str = "/api/v1";

/// The API, behind its gate ([`gate::bearer`]), with the edge layers that
/// answer in JSON. Nested under [`PREFIX`], so its fallback answers every
/// unknown path there.
pub fn router(state: &AppState) -> Router<AppState> {
    use axum::middleware::{from_fn, from_fn_with_state};
    routes()
        .into_router()
        .route_layer(from_fn_with_state(state.clone(), gate::bearer))
        // Added after the gate's route layer, so it passes no gate.
        .merge(public_routes().into_router())
        .fallback(error::not_found)
        .layer(from_fn(crate::edge::rejections::render::<gate::Json>))
        .layer(from_fn_with_state(
            state.clone(),
            crate::edge::timeout::limit::<gate::Json>,
        ))
        .layer(from_fn(crate::edge::path::refuse_controls::<gate::Json>))
}
