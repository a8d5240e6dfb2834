//! The server-rendered pages (GOV.UK Design System). Page modules are
//! named after their URLs (`/inspections/{id}/ratings` is
//! `inspections::ratings`, `/cases/{id}/standards/{code}` is
//! `cases::standards`); each page is a handler plus a `#[derive(Template)]`
//! struct beside it, named after its template file in `templates/`. The
//! modules without a URL of their own are what every page shares: the gate,
//! errors, forms, uploads, flash messages, CSV downloads and the templates'
//! filters.
//!
//! Every page works without JavaScript: forms post and redirect (303), and
//! validation failures re-render the form with a GOV.UK error summary.

mod account;
mod admin;
mod cases;
mod chart;
mod csv;
mod error;
pub mod filters;
mod flash;
mod form;
pub mod gate;
mod history;
mod home;
mod inspections;
mod my_cases;
mod national;
mod region_inspections;
mod regions;
mod setup;
mod sign_in;
mod upload;

use axum::Router;

pub use error::{WebError, not_found};
pub use home::PER_PAGE;

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
    /// The page shows demo data (`casemark --demo`): say so on it.
    pub demo: bool,
}

impl From<&CurrentUser> for Nav {
    fn from(user: &CurrentUser) -> Self {
        Nav {
            name: Some(user.user.display_name.clone()),
            csrf: user.csrf().to_owned(),
            is_admin: user.is_administrator(),
            user_id: user.id(),
            demo: user.user.demo,
        }
    }
}

/// Every route of this front end (see [`crate::routes`]).
pub fn routes() -> Routes {
    Routes::new()
        .get("/", home::list)
        .get("/regions/{id}", regions::region)
        .get("/inspections/new", inspections::new::choose_region)
        .get("/inspections/new/details", inspections::new::details)
        .post("/inspections", inspections::new::create)
        .get("/inspections/{id}", inspections::page::inspection)
        .get("/inspections/{id}/cases/new", inspections::cases::new_case)
        .post("/inspections/{id}/cases", inspections::cases::add_case)
        .get(
            "/inspections/{id}/cases/import",
            inspections::cases::import_form,
        )
        .post("/inspections/{id}/cases/import", inspections::cases::import)
        .post(
            "/inspections/{id}/cases/import/confirm",
            inspections::cases::confirm_import,
        )
        .get("/region-inspections/new", region_inspections::new)
        .post("/region-inspections", region_inspections::create)
        .get("/inspections/{id}/ratings", inspections::ratings::ratings)
        .get(
            "/inspections/{id}/ratings/events",
            inspections::ratings::events,
        )
        .get("/inspections/{id}/report", inspections::report::page)
        .get("/inspections/{id}/report.docx", inspections::report::docx)
        .get(
            "/inspections/{id}/recommendations",
            inspections::report::recommendations_form,
        )
        .post(
            "/inspections/{id}/recommendations",
            inspections::report::change_recommendations,
        )
        .get(
            "/inspections/{id}/pooled/{code}",
            inspections::ratings::pooled,
        )
        .get(
            "/inspections/{id}/annexe.csv",
            inspections::annexe::inspection_csv,
        )
        .get(
            "/inspections/{id}/annexe.xlsx",
            inspections::annexe::workbook,
        )
        .get("/annexe.csv", home::national_csv)
        .get(
            "/inspections/{id}/judgements/import",
            inspections::judgements_import::import_form,
        )
        .post(
            "/inspections/{id}/judgements/import",
            inspections::judgements_import::import,
        )
        .post(
            "/inspections/{id}/judgements/import/confirm",
            inspections::judgements_import::confirm_import,
        )
        .get(
            "/inspections/{id}/domain-one",
            inspections::domain_one::overview,
        )
        .get(
            "/inspections/{id}/domain-one/{code}",
            inspections::domain_one::standard,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/confirm",
            inspections::domain_one::confirm,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/judgement",
            inspections::domain_one::judge_question,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/judge",
            inspections::domain_one::name_judge,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/evidence",
            inspections::domain_one::add_evidence,
        )
        .post(
            "/inspections/{id}/domain-one/{code}/evidence/{evidence}/remove",
            inspections::domain_one::remove_evidence,
        )
        .get(
            "/inspections/{id}/staff-survey",
            inspections::staff_survey::page,
        )
        .post(
            "/inspections/{id}/staff-survey",
            inspections::staff_survey::add,
        )
        .post(
            "/inspections/{id}/staff-survey/{item}/remove",
            inspections::staff_survey::remove,
        )
        .get("/cases/{id}", cases::page::case)
        .get("/cases/{id}/standards/{code}", cases::standards::standard)
        .post(
            "/cases/{id}/standards/{code}",
            cases::standards::save_standard,
        )
        .get("/cases/{id}/events", cases::watch::events)
        .get("/cases/{id}/changes", cases::watch::changes)
        .get("/cases/{id}/outcomes", cases::outcomes::outcomes)
        .post("/cases/{id}/outcomes", cases::outcomes::save_outcomes)
        .post("/cases/{id}/complete", cases::page::complete)
        .get("/cases/{id}/second-marking", cases::second_marking::page)
        .post("/cases/{id}/second-marking", cases::second_marking::save)
        .post("/cases/{id}/adjudication", inspections::qa::adjudicate)
        .get("/inspections/{id}/sample", inspections::sample::page)
        .get("/inspections/{id}/fieldwork", inspections::fieldwork::page)
        .post(
            "/inspections/{id}/fieldwork/reassign",
            inspections::fieldwork::reassign,
        )
        .post("/inspections/{id}/sample/draw", inspections::sample::draw)
        .get(
            "/inspections/{id}/long-list",
            inspections::sample::upload_form,
        )
        .post("/inspections/{id}/long-list", inspections::sample::upload)
        .get("/inspections/{id}/qa", inspections::qa::page)
        .post(
            "/inspections/{id}/qa/sample",
            inspections::qa::add_to_sample,
        )
        .get("/cases/{id}/facts", cases::facts::facts_form)
        .post("/cases/{id}/facts", cases::facts::save_facts)
        .get("/cases/{id}/replace", cases::replace::form)
        .post("/cases/{id}/replace", cases::replace::save)
        .get("/cases/{id}/question-set", cases::question_set::form)
        .post("/cases/{id}/question-set", cases::question_set::save)
        .get("/cases/{id}/history", history::case_history)
        .get("/cases/{id}/history.csv", history::case_history_csv)
        .get("/inspections/{id}/history", history::inspection_history)
        .get(
            "/inspections/{id}/history.csv",
            history::inspection_history_csv,
        )
        .post("/inspections/{id}/assignments", inspections::page::assign)
        .post("/inspections/{id}/members", inspections::page::set_member)
        .post("/inspections/{id}/status", inspections::page::set_status)
        .get("/my-cases", my_cases::my_cases)
        .get("/national", national::page)
        .get("/national.csv", national::csv)
        .get("/national.xlsx", national::xlsx)
        .post("/sign-out", sign_in::sign_out)
        .get("/account", account::account)
        .post("/account/sign-out-everywhere", account::sign_out_everywhere)
        .post("/account/tokens", account::create_token)
        .post("/account/password", account::change_password)
        .post("/account/tokens/{id}/revoke", account::revoke_token)
        .get("/admin/users", admin::users::users)
        .post("/admin/users", admin::users::add_user)
        .post("/admin/users/{id}/role", admin::users::set_role)
        .post("/admin/users/{id}/{action}", admin::users::set_active)
        .get("/admin/security-events", admin::security_events::page)
        .get("/admin/security-events.csv", admin::security_events::csv)
        .get("/admin/pdus", admin::pdus::pdus)
        .get("/admin/frameworks", admin::frameworks::frameworks)
        .post("/admin/frameworks", admin::frameworks::check_or_import)
        .get("/admin/frameworks/{code}/file", admin::frameworks::download)
        .post("/admin/pdus", admin::pdus::add_pdu)
}

/// The pages anyone may open: signing in and the first-run setup.
pub fn public_routes() -> Routes {
    Routes::new()
        .get("/sign-in", sign_in::sign_in_form)
        .post("/sign-in", sign_in::sign_in)
        .get("/setup", setup::setup_form)
        .post("/setup", setup::setup)
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
