//! The OpenAPI 3.1 description of /api/v1, served at
//! `/api/v1/openapi.json`. It is generated from the code: each handler's
//! `#[utoipa::path]` says its method, path, parameters, body and answers,
//! and the schemas come from the very types the handlers read and write
//! (their serde attributes included). `tests/openapi.rs` checks that every
//! route of the API router is described and nothing else is, so the
//! description cannot drift from the routes.

use std::collections::BTreeMap;

use axum::http::header;
use axum::response::IntoResponse;
use utoipa::OpenApi;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr};

use super::{annexe, cases, domain_one, inspections, national, qa, region_inspections, report};
use super::{sample, team};

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "casemark API",
        version = "1",
        description = "Probation inspection case marking. Every request but this description's \
                       carries `Authorization: Bearer <token>`; errors have the shape \
                       `{\"errors\": [{\"field\", \"message\"}]}`. docs/api.md explains each \
                       endpoint and status in full."
    ),
    servers((url = "/api/v1", description = "This server")),
    modifiers(&BearerTokens),
    components(schemas(super::error::ErrorBody)),
    security(("bearer" = [])),
    paths(
        inspections::list,
        inspections::create,
        inspections::ratings,
        inspections::events,
        domain_one::get,
        domain_one::confirm,
        domain_one::judgements,
        domain_one::add_evidence,
        domain_one::remove_evidence,
        domain_one::judge,
        domain_one::survey,
        domain_one::add_survey_item,
        domain_one::remove_survey_item,
        cases::create,
        annexe::import_judgements,
        annexe::inspection_csv,
        annexe::workbook,
        annexe::national_csv,
        national::get,
        report::get,
        report::docx,
        report::recommendations,
        region_inspections::create,
        region_inspections::ratings,
        cases::get,
        cases::judgements,
        team::case_history,
        cases::update_facts,
        cases::question_set,
        sample::upload,
        sample::draw,
        sample::replace,
        sample::fieldwork,
        team::set_status,
        team::set_member,
        team::assign,
        team::inspection_history,
        qa::report,
        qa::add_to_sample,
        qa::get_second_marking,
        qa::second_marking,
        qa::adjudicate,
        description,
    )
)]
pub struct ApiDoc;

/// The bearer token scheme every operation (but [`description`]) needs.
#[derive(Debug)]
struct BearerTokens;

impl utoipa::Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token: create one on the account page, or with \
                         `casemark token create --email E`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answer of an error status: its meaning (docs/api.md's table) and
/// the errors body.
fn error_response(status: u16) -> RefOr<Response> {
    let meaning = match status {
        401 => "No token, or a token that is unknown or revoked",
        403 => "The token's user may not do this",
        404 => "No such inspection or case, or one the token's user may not read",
        409 => "Not at this stage of the lifecycle, a transition not allowed, or a stale revision",
        422 => "The content is not valid: every problem is listed, and nothing was written",
        _ => "Refused",
    };
    ResponseBuilder::new()
        .description(meaning)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

/// The error answers an operation can give, named for what it does, so
/// each handler's `responses(...)` lists its successes and one of these.
macro_rules! error_answers {
    ($($(#[$doc:meta])* $name:ident: $($status:literal),+;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub struct $name;

            impl utoipa::IntoResponses for $name {
                fn responses() -> BTreeMap<String, RefOr<Response>> {
                    [$($status),+]
                        .into_iter()
                        .map(|status| (status.to_string(), error_response(status)))
                        .collect()
                }
            }
        )+
    };
}

error_answers! {
    /// A list of what the token's user may read.
    Unauthorised: 401;
    /// A query that can be malformed.
    Unprocessable: 422;
    /// Reading an inspection or case.
    Reading: 401, 404;
    /// Reading what only some of an inspection's readers may read.
    ReadingAsLead: 401, 403, 404;
    /// Starting something new (no inspection yet to be outside of).
    Creating: 401, 403, 422;
    /// Changing an inspection or case.
    Writing: 401, 403, 404, 409, 422;
}

/// The description as JSON, built once.
pub fn document() -> &'static str {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_pretty_json()
            .expect("the OpenAPI description serialises")
    })
}

/// `GET /openapi.json`: this description. It needs no token: it describes
/// the API, and holds nothing of anyone's.
#[utoipa::path(
    get,
    operation_id = "openapi_description",
    path = "/openapi.json",
    tag = "description",
    summary = "This OpenAPI description",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object))
)]
pub async fn description() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_description_is_openapi_3_1_and_serialises() {
        let value: serde_json::Value = serde_json::from_str(document()).expect("JSON");
        assert_eq!(value["openapi"], "3.1.0");
        assert_eq!(value["servers"][0]["url"], "/api/v1");
        // A rating is described by the rules crate's own serde names.
        assert_eq!(
            value["components"]["schemas"]["Rating"]["enum"],
            serde_json::json!(["inadequate", "requires_improvement", "good", "outstanding"])
        );
    }
}
