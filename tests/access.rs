//! Walks every route the routers serve, HTML and API, as each kind of person
//! and asserts the exact status each gets: nothing is reachable that should
//! not be. The list of routes comes from the routers themselves
//! (`casemark::route_list`): a route without an expectation here fails the
//! test. Every refused write is checked to have changed nothing, and the
//! list pages are checked not to show an outsider the inspection.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum_test::TestResponse;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Browser, TestApp};

/// The people of the walk, in the order of each row's expectations.
const WHO: [&str; 10] = [
    "anonymous",
    "viewer",
    "inspector (own case)",
    "inspector (other's case)",
    "inspector (other inspection)",
    "lead",
    "administrator",
    "lead (other inspection)",
    "local assessor (own case)",
    "quality lead",
];

/// How a request carries its input.
#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    /// A CSV pasted into an upload form (multipart).
    Csv(&'static str),
    /// A CSV as the whole body, as the API takes it.
    CsvWhole(&'static str),
    Json(&'static str),
}

struct Route {
    method: &'static str,
    path: &'static str,
    body: Body,
    expect: [u16; 10],
    /// Sent from a browser signed in for this request alone (the request
    /// ends sessions).
    fresh: bool,
    /// A refusal of this route writes by design (a failed sign-in is
    /// recorded), so "nothing changed" is not asked of it.
    records_refusals: bool,
}

const fn route(method: &'static str, path: &'static str, body: Body, expect: [u16; 10]) -> Route {
    Route {
        method,
        path,
        body,
        expect,
        fresh: false,
        records_refusals: false,
    }
}

// Columns: anonymous, viewer, own, other's, other inspector, lead,
// administrator, other lead, local assessor (their own case), quality lead. People outside the inspection get 404 for it,
// as if it did not exist; people who can see it but not change it, 403.
const READ: [u16; 10] = [303, 200, 200, 200, 404, 200, 200, 404, 200, 200];
const LEAD_FORM: [u16; 10] = [303, 403, 403, 403, 404, 303, 403, 404, 403, 403];
const LEAD_PAGE: [u16; 10] = [303, 403, 403, 403, 404, 200, 403, 404, 403, 403];
const TEAM_FORM: [u16; 10] = [303, 403, 303, 303, 404, 303, 403, 404, 403, 403];
const MARKER_FORM: [u16; 10] = [303, 403, 303, 403, 404, 303, 403, 404, 303, 403];
const API_READ: [u16; 10] = [401, 200, 200, 200, 404, 200, 200, 404, 200, 200];
const API_LEAD: [u16; 10] = [401, 403, 403, 403, 404, 200, 403, 404, 403, 403];
const API_LEAD_CREATE: [u16; 10] = [401, 403, 403, 403, 404, 201, 403, 404, 403, 403];
const API_TEAM_CREATE: [u16; 10] = [401, 403, 201, 201, 404, 201, 403, 404, 403, 403];
const API_LEAD_DELETE: [u16; 10] = [401, 403, 403, 403, 404, 204, 403, 404, 403, 403];
const API_MARKER: [u16; 10] = [401, 403, 200, 403, 404, 200, 403, 404, 200, 403];
const EVERYONE: [u16; 10] = [303, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const API_EVERYONE: [u16; 10] = [401, 200, 200, 200, 200, 200, 200, 200, 200, 200];
const ADMIN_PAGE: [u16; 10] = [303, 403, 403, 403, 403, 403, 200, 403, 403, 403];
const ADMIN_FORM: [u16; 10] = [303, 403, 403, 403, 403, 403, 303, 403, 403, 403];
/// A case page that exists only where the case's framework has question sets.
const NO_SETS: [u16; 10] = [303, 404, 404, 404, 404, 404, 404, 404, 404, 404];
/// Starting an inspection: any lead.
const ANY_LEAD_PAGE: [u16; 10] = [303, 403, 403, 403, 403, 200, 403, 200, 403, 403];
/// A region inspection's page or figure, asked of the walk's PDU inspection:
/// not found for everyone (region_inspections.rs walks a region's).
const ONLY_REGION: [u16; 10] = [303, 404, 404, 404, 404, 404, 404, 404, 404, 404];
const API_ONLY_REGION: [u16; 10] = [401, 404, 404, 404, 404, 404, 404, 404, 404, 404];

/// A judgement import adding a case per person.
const JUDGEMENTS_CSV: &str =
    "case_reference,sentence_type,item,code,answer\nJI-{who},licence,key_question,2.1.1,Yes\n";

/// `{i}`: the inspection; `{c}`: the case (the other inspector's for that
/// column) and `{ref}` its reference; `{a}`: inspector A's user id; `{who}`:
/// a per-person suffix; `{r}`: a region id; `{e1}`, `{e2}`: the lead's
/// evidence bullets; `{s1}`, `{s2}`: the lead's survey items; `{t}`: a user
/// the administrator changes; `{tok}`: the lead's API token.
fn routes() -> Vec<Route> {
    let mut routes = vec![
        route("GET", "/", Body::None, EVERYONE),
        route("GET", "/sign-in", Body::None, [200; 10]),
        // Nobody signed in has a CSRF cookie yet, so their forms are refused.
        Route {
            records_refusals: true,
            ..route(
                "POST",
                "/sign-in",
                Body::Form(&[
                    ("email", "nobody{who}@example.gov.uk"),
                    ("password", "wrong"),
                ]),
                [403, 401, 401, 401, 401, 401, 401, 401, 401, 401],
            )
        },
        route("GET", "/setup", Body::None, [404; 10]),
        route(
            "POST",
            "/setup",
            Body::Form(&[("token", "guess"), ("email", "s@example.gov.uk")]),
            [403, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route("GET", "/healthz", Body::None, [200; 10]),
        // The API's description needs no token (tests/openapi.rs reads it).
        route("GET", "/api/v1/openapi.json", Body::None, [200; 10]),
        route("GET", "/readyz", Body::None, [200; 10]),
        route("GET", "/my-cases", Body::None, EVERYONE),
        // Published inspections only, each person's as the national table.
        route("GET", "/national", Body::None, EVERYONE),
        route("GET", "/national.csv", Body::None, EVERYONE),
        route("GET", "/national.xlsx", Body::None, EVERYONE),
        route("GET", "/account", Body::None, EVERYONE),
        route(
            "POST",
            "/account/tokens",
            Body::Form(&[("label", "walk")]),
            EVERYONE,
        ),
        route(
            "POST",
            "/account/tokens/{tok}/revoke",
            Body::None,
            [303, 404, 404, 404, 404, 303, 404, 404, 404, 404],
        ),
        route(
            "POST",
            "/account/password",
            Body::Form(&[
                ("current_password", "not the password"),
                ("new_password", "a new password of length"),
                ("confirm_password", "a new password of length"),
            ]),
            [303, 422, 422, 422, 422, 422, 422, 422, 422, 422],
        ),
        route("GET", "/admin/users", Body::None, ADMIN_PAGE),
        route(
            "POST",
            "/admin/users",
            Body::Form(&[
                ("email", "new{who}@example.gov.uk"),
                ("role", "inspector"),
                ("password", "correct horse battery staple"),
            ]),
            ADMIN_FORM,
        ),
        route(
            "POST",
            "/admin/users/{t}/role",
            Body::Form(&[("role", "viewer")]),
            ADMIN_FORM,
        ),
        route(
            "POST",
            "/admin/users/{t}/deactivate",
            Body::None,
            ADMIN_FORM,
        ),
        route("GET", "/admin/security-events", Body::None, ADMIN_PAGE),
        route(
            "GET",
            "/admin/security-events.csv?kind=signed_in",
            Body::None,
            ADMIN_PAGE,
        ),
        route("GET", "/admin/pdus", Body::None, ADMIN_PAGE),
        route("GET", "/admin/frameworks", Body::None, ADMIN_PAGE),
        // Checking a file writes nothing: the administrator gets the page.
        route(
            "POST",
            "/admin/frameworks",
            Body::Form(&[("file", "code = \"x\""), ("action", "check")]),
            [303, 403, 403, 403, 403, 403, 422, 403, 403, 403],
        ),
        route(
            "GET",
            "/admin/frameworks/pdu-2023/file",
            Body::None,
            ADMIN_PAGE,
        ),
        route(
            "POST",
            "/admin/pdus",
            Body::Form(&[("region", "{r}"), ("name", "Admin PDU {who}")]),
            ADMIN_FORM,
        ),
        route("GET", "/inspections/new", Body::None, ANY_LEAD_PAGE),
        route(
            "GET",
            "/inspections/new/details?region={r}",
            Body::None,
            ANY_LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections",
            Body::Form(&[
                ("region", "{r}"),
                ("pdu", "new"),
                ("new_pdu", "New {who}"),
                ("fieldwork_start-day", "1"),
                ("fieldwork_start-month", "6"),
                ("fieldwork_start-year", "2026"),
            ]),
            [303, 403, 403, 403, 403, 303, 403, 303, 403, 403],
        ),
        // A region inspection pools PDU inspections of its region; any lead
        // may start one.
        route("GET", "/region-inspections/new", Body::None, ANY_LEAD_PAGE),
        route(
            "GET",
            "/region-inspections/new?region={r}",
            Body::None,
            ANY_LEAD_PAGE,
        ),
        route(
            "POST",
            "/region-inspections",
            Body::Form(&[
                ("region", "{r}"),
                ("fieldwork_start-day", "1"),
                ("fieldwork_start-month", "9"),
                ("fieldwork_start-year", "2026"),
                ("pdu_inspection", "{i}"),
            ]),
            [303, 403, 403, 403, 403, 303, 403, 303, 403, 403],
        ),
        route(
            "POST",
            "/api/v1/region-inspections",
            Body::Json(
                r#"{"region": "Wales", "fieldwork_start": "2026-09-01", "pdu_inspections": [{i}]}"#,
            ),
            [401, 403, 403, 403, 403, 201, 403, 201, 403, 403],
        ),
        route(
            "GET",
            "/api/v1/region-inspections/{i}/ratings",
            Body::None,
            API_ONLY_REGION,
        ),
        route(
            "GET",
            "/inspections/{i}/pooled/2.1.1",
            Body::None,
            ONLY_REGION,
        ),
        route("GET", "/inspections/{i}", Body::None, READ),
        route("GET", "/inspections/{i}/ratings", Body::None, READ),
        // The live updates' event stream answers only a request for one
        // (406 here, where none is asked for): its readers are the
        // dashboard's (tests/live.rs streams it).
        route(
            "GET",
            "/inspections/{i}/ratings/events",
            Body::None,
            [303, 406, 406, 406, 404, 406, 406, 404, 406, 406],
        ),
        route("GET", "/inspections/{i}/history", Body::None, READ),
        route("GET", "/inspections/{i}/history.csv", Body::None, READ),
        route("GET", "/inspections/{i}/domain-one", Body::None, READ),
        route("GET", "/inspections/{i}/domain-one/1.2", Body::None, READ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/confirm",
            Body::Form(&[("rating", "good")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/judgement",
            Body::Form(&[("question", "1.1.1"), ("judgement", "good")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/judge",
            Body::Form(&[("judge", "")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/evidence",
            Body::Form(&[
                ("question", "1.1.1"),
                ("kind", "strength"),
                ("source", "meeting"),
                ("text", "Walk {who}"),
            ]),
            TEAM_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/evidence/{e1}/remove",
            Body::None,
            LEAD_FORM,
        ),
        route("GET", "/inspections/{i}/staff-survey", Body::None, READ),
        route(
            "POST",
            "/inspections/{i}/staff-survey",
            Body::Form(&[
                ("question", "Walk question {who}"),
                ("positive", "1"),
                ("respondents", "2"),
            ]),
            TEAM_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/staff-survey/{s1}/remove",
            Body::None,
            LEAD_FORM,
        ),
        route("GET", "/inspections/{i}/cases/new", Body::None, LEAD_PAGE),
        route(
            "POST",
            "/inspections/{i}/cases",
            Body::Form(&[("reference", "N-{who}"), ("sentence_type", "licence")]),
            LEAD_FORM,
        ),
        route(
            "GET",
            "/inspections/{i}/cases/import",
            Body::None,
            LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections/{i}/cases/import",
            Body::Csv("reference,sentence_type\nI-{who},licence\n"),
            LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections/{i}/cases/import/confirm",
            Body::Form(&[("csv", "reference,sentence_type\nK-{who},licence\n")]),
            LEAD_FORM,
        ),
        route(
            "GET",
            "/inspections/{i}/judgements/import",
            Body::None,
            LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections/{i}/judgements/import",
            Body::Csv(JUDGEMENTS_CSV),
            LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections/{i}/judgements/import/confirm",
            Body::Form(&[("csv", JUDGEMENTS_CSV)]),
            LEAD_FORM,
        ),
        route("GET", "/inspections/{i}/annexe.csv", Body::None, READ),
        route("GET", "/inspections/{i}/annexe.xlsx", Body::None, READ),
        // The report draft: read as the exports are; the recommendations
        // are the lead's.
        route("GET", "/inspections/{i}/report", Body::None, READ),
        route("GET", "/inspections/{i}/report.docx", Body::None, READ),
        route(
            "GET",
            "/inspections/{i}/recommendations",
            Body::None,
            LEAD_PAGE,
        ),
        route(
            "POST",
            "/inspections/{i}/recommendations",
            Body::Form(&[("action", "add"), ("text", "Walk {who}")]),
            LEAD_FORM,
        ),
        route("GET", "/annexe.csv", Body::None, EVERYONE),
        route("GET", "/regions/{r}", Body::None, EVERYONE),
        route(
            "POST",
            "/inspections/{i}/assignments",
            Body::Form(&[("case", "{own}"), ("assignee", "{a}")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/members",
            Body::Form(&[("email", "a@example.gov.uk"), ("role", "inspector")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/status",
            Body::Form(&[("status", "fieldwork")]),
            LEAD_FORM,
        ),
        route("GET", "/cases/{c}", Body::None, READ),
        route("GET", "/cases/{c}/history", Body::None, READ),
        route("GET", "/cases/{c}/history.csv", Body::None, READ),
        route("GET", "/cases/{c}/standards/2.1", Body::None, READ),
        // An open marking form's watch on its case: the stream answers only
        // a request for one (406 here; tests/live.rs streams it), and the
        // notice is empty (204) when nothing changed since the revision.
        route(
            "GET",
            "/cases/{c}/events",
            Body::None,
            [303, 406, 406, 406, 404, 406, 406, 404, 406, 406],
        ),
        route(
            "GET",
            "/cases/{c}/changes?since=1000000",
            Body::None,
            [303, 204, 204, 204, 404, 204, 204, 404, 204, 204],
        ),
        route(
            "POST",
            "/cases/{c}/standards/2.1",
            Body::Form(&[("kq-2.1.1", "yes")]),
            MARKER_FORM,
        ),
        route(
            "GET",
            "/cases/{c}/facts",
            Body::None,
            [303, 403, 200, 403, 404, 200, 403, 404, 200, 403],
        ),
        route(
            "POST",
            "/cases/{c}/facts",
            Body::Form(&[("reference", "{ref}"), ("sentence_type", "community_order")]),
            MARKER_FORM,
        ),
        // The walk's inspection is under the PDU framework, which has no
        // question sets: there is no set to choose, for anyone.
        // tests/frameworks.rs walks these routes on a framework with sets.
        route("GET", "/cases/{c}/question-set", Body::None, NO_SETS),
        route(
            "POST",
            "/cases/{c}/question-set",
            Body::Form(&[("set", "core"), ("reason", "Walk")]),
            NO_SETS,
        ),
        // The walk's cases were added by hand: none was drawn from a long
        // list, so none has a replacement page, and the lead's replace is
        // refused (409).
        route("GET", "/cases/{c}/replace", Body::None, NO_SETS),
        route(
            "POST",
            "/cases/{c}/replace",
            Body::Form(&[("reason", "Walk")]),
            [303, 403, 403, 403, 404, 409, 403, 404, 403, 403],
        ),
        route("GET", "/inspections/{i}/sample", Body::None, READ),
        route("GET", "/inspections/{i}/long-list", Body::None, LEAD_PAGE),
        route(
            "POST",
            "/inspections/{i}/long-list",
            Body::Csv(
                "crn,sex,sentence_type,office,practitioner,start_date\nLW-{who},male,licence,Luton,P1,2026-01-01\n",
            ),
            LEAD_FORM,
        ),
        // A preview of the draw: a page, nothing written.
        route(
            "POST",
            "/inspections/{i}/sample/draw",
            Body::Form(&[("size", "1"), ("seed", "1")]),
            LEAD_PAGE,
        ),
        route("GET", "/inspections/{i}/fieldwork", Body::None, READ),
        // Moving someone's cases to themselves: refused beside the field.
        route(
            "POST",
            "/inspections/{i}/fieldwork/reassign",
            Body::Form(&[("from", "{a}"), ("to", "{a}")]),
            [303, 403, 403, 403, 404, 422, 403, 404, 403, 403],
        ),
        route("GET", "/cases/{c}/outcomes", Body::None, READ),
        route(
            "POST",
            "/cases/{c}/outcomes",
            Body::Form(&[("outcome-compliance", "yes")]),
            MARKER_FORM,
        ),
        // Allowed for the marker, then refused for the missing answers.
        route(
            "POST",
            "/cases/{c}/complete",
            Body::None,
            [303, 403, 422, 403, 404, 422, 403, 404, 422, 403],
        ),
        // The API.
        route("GET", "/api/v1/inspections", Body::None, API_EVERYONE),
        route(
            "POST",
            "/api/v1/inspections",
            Body::Json(
                r#"{"pdu": "Api {who}", "region": "Wales", "fieldwork_start": "2026-06-01"}"#,
            ),
            [401, 403, 403, 403, 403, 201, 403, 201, 403, 403],
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/ratings",
            Body::None,
            API_READ,
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/history",
            Body::None,
            API_READ,
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/domain-one",
            Body::None,
            API_READ,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/domain-one",
            Body::Json(r#"{"1.2": "good"}"#),
            API_LEAD,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/domain-one/judgements",
            Body::Json(r#"{"1.1.2": "good"}"#),
            API_LEAD,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/domain-one/1.1/judge",
            Body::Json(r#"{"user_id": null}"#),
            API_LEAD,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/domain-one/evidence",
            Body::Json(
                r#"{"question": "1.1.1", "kind": "strength", "source": "meeting", "text": "Api {who}"}"#,
            ),
            API_TEAM_CREATE,
        ),
        route(
            "DELETE",
            "/api/v1/inspections/{i}/domain-one/evidence/{e2}",
            Body::None,
            API_LEAD_DELETE,
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/staff-survey",
            Body::None,
            API_READ,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/staff-survey",
            Body::Json(r#"{"question": "Api question {who}", "positive": 1, "respondents": 2}"#),
            API_TEAM_CREATE,
        ),
        route(
            "DELETE",
            "/api/v1/inspections/{i}/staff-survey/{s2}",
            Body::None,
            API_LEAD_DELETE,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/cases",
            Body::Json(r#"[{"reference": "J-{who}", "sentence_type": "licence"}]"#),
            API_LEAD_CREATE,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/cases",
            Body::CsvWhole("reference,sentence_type\nL-{who},licence\n"),
            API_LEAD_CREATE,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/judgements",
            Body::CsvWhole(JUDGEMENTS_CSV),
            API_LEAD,
        ),
        // The lead's long list, then a preview of a draw from it (which
        // writes nothing); the walk's cases were added by hand, so none has
        // a reserve to replace it (409 for the lead).
        route(
            "POST",
            "/api/v1/inspections/{i}/long-list",
            Body::CsvWhole(
                "crn,sex,sentence_type,office,practitioner,start_date\nLL-{who},male,licence,Luton,P1,2026-01-01\n",
            ),
            API_LEAD_CREATE,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/sample/draw",
            Body::Json(r#"{"size": 1, "seed": 1}"#),
            API_LEAD,
        ),
        route("GET", "/api/v1/national", Body::None, API_EVERYONE),
        route(
            "GET",
            "/api/v1/inspections/{i}/events",
            Body::None,
            [401, 406, 406, 406, 404, 406, 406, 404, 406, 406],
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/fieldwork",
            Body::None,
            API_READ,
        ),
        route(
            "POST",
            "/api/v1/cases/{c}/replace",
            Body::Json(r#"{"reason": "Walk"}"#),
            [401, 403, 403, 403, 404, 409, 403, 404, 403, 403],
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/annexe.csv",
            Body::None,
            API_READ,
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/annexe.xlsx",
            Body::None,
            API_READ,
        ),
        route("GET", "/api/v1/annexe.csv", Body::None, API_EVERYONE),
        route(
            "GET",
            "/api/v1/inspections/{i}/report",
            Body::None,
            API_READ,
        ),
        route(
            "GET",
            "/api/v1/inspections/{i}/report.docx",
            Body::None,
            API_READ,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/recommendations",
            Body::Json(r#"{"recommendations": ["Walk {who}"]}"#),
            API_LEAD,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/status",
            Body::Json(r#"{"status": "fieldwork"}"#),
            API_LEAD,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/members",
            Body::Json(r#"{"email": "a@example.gov.uk", "role": "inspector"}"#),
            API_LEAD,
        ),
        route(
            "PUT",
            "/api/v1/inspections/{i}/assignments",
            Body::Json(r#"{"cases": [{own}], "assignee": "a@example.gov.uk"}"#),
            API_LEAD,
        ),
        route("GET", "/api/v1/cases/{c}", Body::None, API_READ),
        route(
            "PUT",
            "/api/v1/cases/{c}/question-set",
            Body::Json(r#"{"set": "core", "reason": "Walk"}"#),
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route("GET", "/api/v1/cases/{c}/history", Body::None, API_READ),
        route(
            "PUT",
            "/api/v1/cases/{c}/facts",
            Body::Json(r#"{"reference": "{ref}", "sentence_type": "licence"}"#),
            API_MARKER,
        ),
        route(
            "PUT",
            "/api/v1/cases/{c}/judgements",
            Body::Json(r#"{"key_questions": {"2.1.2": "no"}}"#),
            API_MARKER,
        ),
        route("GET", "/api/v1/inspections/{i}/qa", Body::None, API_READ),
        // No case of the walk is complete, so a permitted draw finds none
        // (422); the QA flow itself is tests/qa.rs.
        route(
            "POST",
            "/api/v1/inspections/{i}/qa/sample",
            Body::Json(r#"{"random": 1, "seed": 1, "marker": "lead@example.gov.uk"}"#),
            [401, 403, 403, 403, 404, 422, 403, 404, 403, 422],
        ),
        // The walk's cases are not in a QA sample: not found for everyone.
        route(
            "GET",
            "/api/v1/cases/{c}/second-marking",
            Body::None,
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route(
            "PUT",
            "/api/v1/cases/{c}/second-marking",
            Body::Json(r#"{"key_questions": {"2.1.1": "yes"}}"#),
            [401, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route(
            "PUT",
            "/api/v1/cases/{c}/adjudication",
            Body::Json(r#"{"2.1.3": {"answer": "yes", "reason": "r"}}"#),
            [401, 403, 403, 403, 404, 404, 403, 404, 403, 404],
        ),
        // The pages of quality assurance, as the API above.
        route("GET", "/inspections/{i}/qa", Body::None, READ),
        route(
            "POST",
            "/inspections/{i}/qa/sample",
            Body::Form(&[
                ("how", "random"),
                ("random", "1"),
                ("seed", "1"),
                ("marker", "lead@example.gov.uk"),
            ]),
            [303, 403, 403, 403, 404, 422, 403, 404, 403, 422],
        ),
        route(
            "GET",
            "/cases/{c}/second-marking",
            Body::None,
            [303, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route(
            "POST",
            "/cases/{c}/second-marking",
            Body::Form(&[("kq-2.1.1", "yes")]),
            [303, 404, 404, 404, 404, 404, 404, 404, 404, 404],
        ),
        route(
            "POST",
            "/cases/{c}/adjudication",
            Body::Form(&[("final-2.1.3", "yes"), ("reason-2.1.3", "r")]),
            [303, 403, 403, 403, 404, 404, 403, 404, 403, 404],
        ),
    ];
    // Last, as they end sessions: each from a browser signed in for it.
    for path in ["/sign-out", "/account/sign-out-everywhere"] {
        routes.push(Route {
            fresh: true,
            ..route("POST", path, Body::None, [303; 10])
        });
    }
    routes
}

/// Whether a path as the router writes it (`/cases/{id}/standards/{code}`)
/// serves a path of the walk (`/cases/{c}/standards/2.1?x`), and how many
/// of its segments are literal (axum prefers the most literal route).
fn serves(pattern: &str, path: &str) -> Option<usize> {
    let path = path.split('?').next().unwrap_or_default();
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    if pattern.len() != path.len() {
        return None;
    }
    let mut literal = 0;
    for (want, got) in pattern.iter().zip(&path) {
        if want.starts_with('{') {
            continue;
        }
        if want != got {
            return None;
        }
        literal += 1;
    }
    Some(literal)
}

#[test]
fn the_walk_covers_every_route_of_the_routers() {
    let served = casemark::route_list();
    let walk = routes();
    let mut covered = std::collections::HashSet::new();
    let mut stale = Vec::new();
    for r in &walk {
        let best = served
            .iter()
            .filter(|(method, _)| *method == r.method)
            .filter_map(|(method, pattern)| serves(pattern, r.path).map(|n| (n, method, pattern)))
            .max_by_key(|(n, _, _)| *n);
        match best {
            Some((_, method, pattern)) => {
                covered.insert((*method, pattern.clone()));
            }
            None => stale.push(format!("{} {}", r.method, r.path)),
        }
    }
    let missing: Vec<String> = served
        .iter()
        .filter(|route| !covered.contains(*route))
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without an expectation in the walk:\n{}",
        missing.join("\n")
    );
    assert!(
        stale.is_empty(),
        "walk rows no router serves:\n{}",
        stale.join("\n")
    );
}

/// One person as both a browser and an API client (anonymous has neither).
struct Person {
    email: Option<String>,
    browser: Option<Browser>,
    api: Option<Api>,
    anonymous: axum_test::TestServer,
}

async fn send(
    person: &Person,
    browser: Option<&Browser>,
    method: &str,
    path: &str,
    body: Body,
    fill: &dyn Fn(&str) -> String,
) -> TestResponse {
    let is_api = path.starts_with("/api/");
    let server = match (is_api, browser, &person.api) {
        (true, _, Some(api)) => &api.server,
        (false, Some(browser), _) => &browser.server,
        _ => &person.anonymous,
    };
    let csrf = browser.map(|b| b.csrf.clone()).unwrap_or_default();
    let request = match method {
        "GET" => server.get(path),
        "POST" => server.post(path),
        "PUT" => server.put(path),
        "DELETE" => server.delete(path),
        other => panic!("method {other}"),
    };
    match body {
        Body::None if matches!(method, "GET" | "DELETE") => request.await,
        Body::None => request.form(&[("csrf_token", csrf)]).await,
        Body::Form(fields) => {
            let mut all = vec![("csrf_token".to_owned(), csrf)];
            all.extend(fields.iter().map(|(k, v)| ((*k).to_owned(), fill(v))));
            request.form(&all).await
        }
        Body::Csv(text) => {
            request
                .multipart(
                    axum_test::multipart::MultipartForm::new()
                        .add_text("csrf_token", csrf)
                        .add_text("csv", fill(text)),
                )
                .await
        }
        Body::CsvWhole(text) => {
            request
                .content_type("text/csv")
                .bytes(fill(text).into_bytes().into())
                .await
        }
        Body::Json(text) => {
            let value: Value = serde_json::from_str(&fill(text)).expect("route body is JSON");
            request.json(&value).await
        }
    }
}

/// The inspection the walk is about: its PDU's name is what an outsider's
/// lists must not show.
const X_PDU: &str = "Riverside North";

#[tokio::test]
async fn every_route_answers_each_kind_of_person_exactly() {
    let app = TestApp::spawn().await;
    // Inspection X: a lead, inspectors A and B with a case each. Inspection Y
    // has its own lead and inspector C, who are strangers to X.
    app.user("viewer@example.gov.uk", UserRole::Viewer).await;
    let a_id = app.user("a@example.gov.uk", UserRole::Inspector).await;
    app.user("b@example.gov.uk", UserRole::Inspector).await;
    app.user("c@example.gov.uk", UserRole::Inspector).await;
    app.user("lead@example.gov.uk", UserRole::Lead).await;
    app.user("lead2@example.gov.uk", UserRole::Lead).await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let t_id = app.user("t@example.gov.uk", UserRole::Inspector).await;
    app.user("la@example.gov.uk", UserRole::Inspector).await;
    app.user("ql@example.gov.uk", UserRole::Inspector).await;
    let lead_api = app.api_for("lead@example.gov.uk").await;
    let lead2_api = app.api_for("lead2@example.gov.uk").await;

    // The region framework, as every start stores it, for the region routes.
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let x = support::inspection(&lead_api.server, X_PDU, "Wales", "2026-01-05", "setup").await;
    let y = support::inspection(
        &lead2_api.server,
        "Hillside South",
        "Wales",
        "2026-01-05",
        "setup",
    )
    .await;
    for (email, inspection, api, role) in [
        ("a@example.gov.uk", x, &lead_api, "inspector"),
        ("b@example.gov.uk", x, &lead_api, "inspector"),
        ("c@example.gov.uk", y, &lead2_api, "inspector"),
        ("la@example.gov.uk", x, &lead_api, "local_assessor"),
        ("ql@example.gov.uk", x, &lead_api, "quality_lead"),
    ] {
        api.server
            .put(&format!("/api/v1/inspections/{inspection}/members"))
            .json(&json!({"email": email, "role": role}))
            .await
            .assert_status_ok();
    }
    lead_api
        .server
        .put(&format!("/api/v1/inspections/{x}/members"))
        .json(&json!({"email": "viewer@example.gov.uk", "role": "viewer"}))
        .await
        .assert_status_ok();
    let cases = lead_api.server.post(&format!("/api/v1/inspections/{x}/cases")).json(&json!([{"reference": "OWN", "sentence_type": "licence"}, {"reference": "OTHER", "sentence_type": "licence"}, {"reference": "LA", "sentence_type": "licence"}])).await.json::<Value>();
    let own = cases["cases"][0]["id"].as_i64().expect("own");
    let other = cases["cases"][1]["id"].as_i64().expect("other");
    let assessed = cases["cases"][2]["id"].as_i64().expect("assessed");
    for (case, email) in [
        (own, "a@example.gov.uk"),
        (other, "b@example.gov.uk"),
        (assessed, "la@example.gov.uk"),
    ] {
        lead_api
            .server
            .put(&format!("/api/v1/inspections/{x}/assignments"))
            .json(&json!({"cases": [case], "assignee": email}))
            .await
            .assert_status_ok();
    }
    lead_api
        .server
        .put(&format!("/api/v1/inspections/{x}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    // The lead's evidence bullets and survey items, one each to remove from
    // the page and from the API.
    let mut evidence = Vec::new();
    let mut items = Vec::new();
    for n in 1..=2 {
        let e = lead_api
            .server
            .post(&format!("/api/v1/inspections/{x}/domain-one/evidence"))
            .json(&json!({"question": "1.1.2", "kind": "strength", "source": "meeting", "text": format!("Lead bullet {n}")}))
            .await;
        e.assert_status(axum::http::StatusCode::CREATED);
        evidence.push(
            e.json::<Value>()["id"]
                .as_i64()
                .expect("evidence id")
                .to_string(),
        );
        let s = lead_api
            .server
            .post(&format!("/api/v1/inspections/{x}/staff-survey"))
            .json(
                &json!({"question": format!("Lead question {n}"), "positive": 1, "respondents": 3}),
            )
            .await;
        s.assert_status(axum::http::StatusCode::CREATED);
        items.push(
            s.json::<Value>()["id"]
                .as_i64()
                .expect("item id")
                .to_string(),
        );
    }
    let lead_token_id: i64 = sqlx::query_scalar(
        "select t.id from api_token t join app_user u on u.id = t.user_id
         where u.email = 'lead@example.gov.uk' order by t.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the lead's token");
    let region = app.region_id("Wales").await.to_string();

    let mut people = vec![Person {
        email: None,
        browser: None,
        api: None,
        anonymous: app.client(),
    }];
    for email in [
        "viewer", "a", "a", "c", "lead", "admin", "lead2", "la", "ql",
    ] {
        let email = format!("{email}@example.gov.uk");
        people.push(Person {
            browser: Some(app.sign_in(&email).await),
            api: Some(app.api_for(&email).await),
            anonymous: app.client(),
            email: Some(email),
        });
    }

    let mut wrong = Vec::new();
    for route in routes() {
        for (column, who) in WHO.iter().enumerate() {
            // The case each column acts on: inspector A on B's case in
            // column 3, the local assessor on their own case.
            let (case, reference) = match column {
                3 => (other, "OTHER"),
                8 => (assessed, "LA"),
                _ => (own, "OWN"),
            };
            let suffix = format!("{column}{}", route.path.len());
            let fill = |text: &str| {
                text.replace("{i}", &x.to_string())
                    .replace("{c}", &case.to_string())
                    .replace("{own}", &own.to_string())
                    .replace("{a}", &a_id.to_string())
                    .replace("{t}", &t_id.to_string())
                    .replace("{tok}", &lead_token_id.to_string())
                    .replace("{r}", &region)
                    .replace("{e1}", &evidence[0])
                    .replace("{e2}", &evidence[1])
                    .replace("{s1}", &items[0])
                    .replace("{s2}", &items[1])
                    .replace("{who}", &suffix)
                    .replace("{ref}", reference)
            };
            let path = fill(route.path);
            let person = &people[column];
            let fresh = match (&person.email, route.fresh) {
                (Some(email), true) => Some(app.sign_in(email).await),
                _ => None,
            };
            let browser = fresh.as_ref().or(person.browser.as_ref());
            let before = app.fingerprint().await;
            let response = send(person, browser, route.method, &path, route.body, &fill).await;
            let got = response.status_code().as_u16();
            if got != route.expect[column] {
                wrong.push(format!(
                    "{} {path} as {who}: expected {}, got {got}",
                    route.method, route.expect[column]
                ));
            }
            let refused = got >= 400 || (column == 0 && got == 303);
            if route.method != "GET" && refused && !route.records_refusals {
                let after = app.fingerprint().await;
                if before != after {
                    wrong.push(format!(
                        "{} {path} as {who}: refused with {got} but changed the database",
                        route.method
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong answers:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    // The fingerprint does see a change, so the check above can fail.
    let before = app.fingerprint().await;
    // (The walk revoked the lead's first token.)
    people[5]
        .api
        .as_ref()
        .expect("the lead's API client")
        .server
        .post(&format!("/api/v1/inspections/{x}/cases"))
        .json(&json!([{"reference": "LAST", "sentence_type": "licence"}]))
        .await
        .assert_status(axum::http::StatusCode::CREATED);
    assert_ne!(before, app.fingerprint().await);
}

/// The lists (`/`, a region's page, the API's list, the national CSVs)
/// show an inspection only to those who may read it.
#[tokio::test]
async fn lists_never_show_an_outsider_the_inspection() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let x = support::inspection(&lead.server, X_PDU, "Wales", "2026-01-05", "setup").await;
    let region = app.region_id("Wales").await;
    for (email, role) in [
        ("stranger@example.gov.uk", UserRole::Inspector),
        ("otherlead@example.gov.uk", UserRole::Lead),
    ] {
        let browser = app.browser(email, role).await;
        let api = app.api_for(email).await;
        for path in [
            "/".to_owned(),
            format!("/regions/{region}"),
            "/annexe.csv".to_owned(),
            "/my-cases".to_owned(),
        ] {
            let page = browser.get(&path).await;
            page.assert_status_ok();
            assert!(!page.text().contains(X_PDU), "{email} sees X on {path}");
        }
        let list = api.server.get("/api/v1/inspections").await;
        list.assert_status_ok();
        assert!(
            !list.text().contains(X_PDU) && !list.text().contains(&format!("\"id\":{x},")),
            "{email} sees X in the API list: {}",
            list.text()
        );
        let csv = api.server.get("/api/v1/annexe.csv").await;
        assert!(!csv.text().contains(X_PDU), "{email} sees X in the API CSV");
    }
    // And the lead does see it, so the checks above can fail.
    let mine = lead.server.get("/api/v1/inspections").await.text();
    assert!(mine.contains(X_PDU));
    let lead_browser = app.sign_in("lead@example.gov.uk").await;
    assert!(lead_browser.get("/").await.text().contains(X_PDU));
    assert!(lead_browser.get("/annexe.csv").await.text().contains(X_PDU));
}
