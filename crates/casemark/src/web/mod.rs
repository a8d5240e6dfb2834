//! The server-rendered pages (GOV.UK Design System). One module per page
//! family; each page is a handler plus a `#[derive(Template)]` struct beside
//! it, named after its template file in `templates/`.
//!
//! Every page works without JavaScript: forms post and redirect (303), and
//! validation failures re-render the form with a GOV.UK error summary.

mod account;
mod admin;
mod annexe;
mod dashboard;
mod domain_one;
mod error;
mod form;
mod inspections;
mod marking;
mod sample;
mod survey;
mod team;
mod upload;

use axum::Router;
use axum::routing::{get, post};

pub use error::{WebError, not_found};

use crate::AppState;
use crate::auth::CurrentUser;

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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(inspections::list))
        .route("/regions/{id}", get(inspections::region))
        .route("/inspections/new", get(inspections::choose_region))
        .route("/inspections/new/details", get(inspections::details))
        .route("/inspections", post(inspections::create))
        .route("/inspections/{id}", get(sample::inspection))
        .route("/inspections/{id}/cases/new", get(sample::new_case))
        .route("/inspections/{id}/cases", post(sample::add_case))
        .route(
            "/inspections/{id}/cases/import",
            get(sample::import_form).post(sample::import),
        )
        .route(
            "/inspections/{id}/cases/import/confirm",
            post(sample::confirm_import),
        )
        .route("/inspections/{id}/ratings", get(dashboard::ratings))
        .route("/inspections/{id}/annexe.csv", get(annexe::inspection_csv))
        .route("/inspections/{id}/annexe.xlsx", get(annexe::workbook))
        .route("/annexe.csv", get(annexe::national_csv))
        .route(
            "/inspections/{id}/judgements/import",
            get(annexe::import_form).post(annexe::import),
        )
        .route(
            "/inspections/{id}/judgements/import/confirm",
            post(annexe::confirm_import),
        )
        .route("/inspections/{id}/domain-one", get(domain_one::overview))
        .route(
            "/inspections/{id}/domain-one/{code}",
            get(domain_one::standard),
        )
        .route(
            "/inspections/{id}/domain-one/{code}/confirm",
            post(domain_one::confirm),
        )
        .route(
            "/inspections/{id}/domain-one/{code}/judgement",
            post(domain_one::judge_question),
        )
        .route(
            "/inspections/{id}/domain-one/{code}/judge",
            post(domain_one::name_judge),
        )
        .route(
            "/inspections/{id}/domain-one/{code}/evidence",
            post(domain_one::add_evidence),
        )
        .route(
            "/inspections/{id}/domain-one/{code}/evidence/{evidence}/remove",
            post(domain_one::remove_evidence),
        )
        .route(
            "/inspections/{id}/staff-survey",
            get(survey::page).post(survey::add),
        )
        .route(
            "/inspections/{id}/staff-survey/{item}/remove",
            post(survey::remove),
        )
        .route("/cases/{id}", get(marking::case))
        .route(
            "/cases/{id}/standards/{code}",
            get(marking::standard).post(marking::save_standard),
        )
        .route(
            "/cases/{id}/outcomes",
            get(marking::outcomes).post(marking::save_outcomes),
        )
        .route("/cases/{id}/complete", post(marking::complete))
        .route(
            "/cases/{id}/facts",
            get(sample::facts_form).post(sample::save_facts),
        )
        .route("/cases/{id}/history", get(team::case_history))
        .route("/cases/{id}/history.csv", get(team::case_history_csv))
        .route("/inspections/{id}/history", get(team::inspection_history))
        .route(
            "/inspections/{id}/history.csv",
            get(team::inspection_history_csv),
        )
        .route("/inspections/{id}/assignments", post(team::assign))
        .route("/inspections/{id}/members", post(team::set_member))
        .route("/inspections/{id}/status", post(team::set_status))
        .route("/my-cases", get(team::my_cases))
        .route(
            "/sign-in",
            get(account::sign_in_form).post(account::sign_in),
        )
        .route("/sign-out", post(account::sign_out))
        .route("/setup", get(account::setup_form).post(account::setup))
        .route("/account", get(account::account))
        .route(
            "/account/sign-out-everywhere",
            post(account::sign_out_everywhere),
        )
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}/{action}", post(admin::set_active))
        .route("/admin/pdus", get(admin::pdus).post(admin::add_pdu))
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
