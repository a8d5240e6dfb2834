//! The server-rendered pages (GOV.UK Design System). One module per page
//! family; each page is a handler plus a `#[derive(Template)]` struct beside
//! it, named after its template file in `templates/`.
//!
//! Every page works without JavaScript: forms post and redirect (303), and
//! validation failures re-render the form with a GOV.UK error summary.

mod account;
mod admin;
mod annexe;
mod csv;
mod dashboard;
mod domain_one;
mod error;
mod flash;
mod form;
pub mod gate;
mod inspections;
mod marking;
mod sample;
mod security_events;
mod survey;
mod team;
mod upload;

use axum::Router;

pub use error::{WebError, not_found};
pub use inspections::PER_PAGE;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::routes::Routes;

/// What the layout needs about the person signed in: their name for the
/// header, the CSRF token every form repeats, and which links to offer.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    pub name: Option<String>,
    pub csrf: String,
    pub is_admin: bool,
    pub user_id: i64,
}

impl From<&CurrentUser> for Nav {
    fn from(user: &CurrentUser) -> Self {
        Nav {
            name: Some(user.user.display_name.clone()),
            csrf: user.csrf().to_owned(),
            is_admin: user.is_administrator(),
            user_id: user.id(),
        }
    }
}

/// Every route of this front end (see [`crate::routes`]).
pub fn routes() -> Routes {
    Routes::new()
        .get("/", inspections::list)
        .get("/regions/{id}", inspections::region)
        .get("/inspections/new", inspections::choose_region)
        .get("/inspections/new/details", inspections::details)
        .post("/inspections", inspections::create)
        .get("/inspections/{id}", sample::inspection)
        .get("/inspections/{id}/cases/new", sample::new_case)
        .post("/inspections/{id}/cases", sample::add_case)
        .get("/inspections/{id}/cases/import", sample::import_form)
        .post("/inspections/{id}/cases/import", sample::import)
        .post(
            "/inspections/{id}/cases/import/confirm",
            sample::confirm_import,
        )
        .get("/inspections/{id}/ratings", dashboard::ratings)
        .get("/inspections/{id}/annexe.csv", annexe::inspection_csv)
        .get("/inspections/{id}/annexe.xlsx", annexe::workbook)
        .get("/annexe.csv", annexe::national_csv)
        .get("/inspections/{id}/judgements/import", annexe::import_form)
        .post("/inspections/{id}/judgements/import", annexe::import)
        .post(
            "/inspections/{id}/judgements/import/confirm",
            annexe::confirm_import,
        )
        .get("/inspections/{id}/domain-one", domain_one::overview)
        .get("/inspections/{id}/domain-one/{code}", domain_one::standard)
        .post(
            "/inspections/{id}/domain-one/{code}/confirm",
            domain_one::confirm,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/judgement",
            domain_one::judge_question,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/judge",
            domain_one::name_judge,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/evidence",
            domain_one::add_evidence,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/evidence/{evidence}/remove",
            domain_one::remove_evidence,
        )
        .get("/inspections/{id}/staff-survey", survey::page)
        .post("/inspections/{id}/staff-survey", survey::add)
        .post(
            "/inspections/{id}/staff-survey/{item}/remove",
            survey::remove,
        )
        .get("/cases/{id}", marking::case)
        .get("/cases/{id}/standards/{code}", marking::standard)
        .post("/cases/{id}/standards/{code}", marking::save_standard)
        .get("/cases/{id}/outcomes", marking::outcomes)
        .post("/cases/{id}/outcomes", marking::save_outcomes)
        .post("/cases/{id}/complete", marking::complete)
        .get("/cases/{id}/facts", sample::facts_form)
        .post("/cases/{id}/facts", sample::save_facts)
        .get("/cases/{id}/history", team::case_history)
        .get("/cases/{id}/history.csv", team::case_history_csv)
        .get("/inspections/{id}/history", team::inspection_history)
        .get(
            "/inspections/{id}/history.csv",
            team::inspection_history_csv,
        )
        .post("/inspections/{id}/assignments", team::assign)
        .post("/inspections/{id}/members", team::set_member)
        .post("/inspections/{id}/status", team::set_status)
        .get("/my-cases", team::my_cases)
        .post("/sign-out", account::sign_out)
        .get("/account", account::account)
        .post("/account/sign-out-everywhere", account::sign_out_everywhere)
        .post("/account/tokens", account::create_token)
        .post("/account/password", account::change_password)
        .post("/account/tokens/{id}/revoke", account::revoke_token)
        .get("/admin/users", admin::users)
        .post("/admin/users", admin::add_user)
        .post("/admin/users/{id}/role", admin::set_role)
        .post("/admin/users/{id}/{action}", admin::set_active)
        .get("/admin/security-events", security_events::page)
        .get("/admin/security-events.csv", security_events::csv)
        .get("/admin/pdus", admin::pdus)
        .post("/admin/pdus", admin::add_pdu)
}

/// The pages anyone may open: signing in and the first-run setup.
pub fn public_routes() -> Routes {
    Routes::new()
        .get("/sign-in", account::sign_in_form)
        .post("/sign-in", account::sign_in)
        .get("/setup", account::setup_form)
        .post("/setup", account::setup)
}

/// The pages, each behind its gate ([`gate::pages`] or [`gate::public`]),
/// with the edge layers that answer in HTML: control characters in the
/// path refused, the time limit, and the framework's plain-text refusals
/// rendered as GOV.UK pages.
pub fn router(state: &AppState) -> Router<AppState> {
    use axum::middleware::{from_fn, from_fn_with_state};
    let signed_in = routes()
        .into_router()
        .route_layer(from_fn_with_state(state.clone(), gate::pages));
    let public = public_routes()
        .into_router()
        .route_layer(from_fn_with_state(state.clone(), gate::public));
    signed_in
        .merge(public)
        .layer(from_fn(crate::edge::rejections::render::<gate::Pages>))
        .layer(from_fn_with_state(
            state.clone(),
            crate::edge::timeout::limit::<gate::Pages>,
        ))
        .layer(from_fn(crate::edge::path::refuse_controls::<gate::Pages>))
}

/// The GOV.UK tag colour for a rating; the tag's text carries the meaning.
pub fn tag_class(rating: Option<casemark_rules::Rating>) -> &'static str {
    use casemark_rules::Rating;
    match rating {
        Some(Rating::Outstanding) => "govuk-tag--green",
        Some(Rating::Good) => "govuk-tag--turquoise",
        Some(Rating::RequiresImprovement) => "govuk-tag--yellow",
        Some(Rating::Inadequate) => "govuk-tag--red",
        None => "govuk-tag--grey",
    }
}

/// An element id for a framework code: "2.1.3" → "2-1-3", so that fragment
/// links and CSS selectors need no escaping.
pub fn dom_id(code: &str) -> String {
    code.replace('.', "-")
}
