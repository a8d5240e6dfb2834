//! Walks every route, HTML and API, as each kind of person and asserts the
//! exact status each gets: nothing is reachable that should not be.

mod support;

use axum_test::TestResponse;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Browser, TestApp};

/// The people of the walk, in the order of each row's expectations.
const WHO: [&str; 7] = [
    "anonymous",
    "viewer",
    "inspector (own case)",
    "inspector (other's case)",
    "inspector (other inspection)",
    "lead",
    "administrator",
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
    expect: [u16; 7],
}

const fn route(method: &'static str, path: &'static str, body: Body, expect: [u16; 7]) -> Route {
    Route {
        method,
        path,
        body,
        expect,
    }
}

// Columns: anonymous, viewer, own, other's, other inspection, lead, administrator.
const READ: [u16; 7] = [303, 200, 200, 200, 403, 200, 200];
const LEAD_FORM: [u16; 7] = [303, 403, 403, 403, 403, 303, 403];
const LEAD_PAGE: [u16; 7] = [303, 403, 403, 403, 403, 200, 403];
const API_READ: [u16; 7] = [401, 200, 200, 200, 403, 200, 200];
const API_LEAD: [u16; 7] = [401, 403, 403, 403, 403, 200, 403];

/// A judgement import adding a case per person.
const JUDGEMENTS_CSV: &str =
    "case_reference,sentence_type,item,code,answer\nJI-{who},licence,key_question,2.1.1,Yes\n";

/// `{i}`: the inspection; `{c}`: the case (the other inspector's for that
/// column) and `{ref}` its reference; `{a}`: inspector A's user id; `{who}`:
/// a per-person suffix; `{r}`: a region id.
fn routes() -> Vec<Route> {
    vec![
        route("GET", "/", Body::None, [303, 200, 200, 200, 200, 200, 200]),
        route("GET", "/sign-in", Body::None, [200; 7]),
        route(
            "GET",
            "/setup",
            Body::None,
            [404, 404, 404, 404, 404, 404, 404],
        ),
        route(
            "GET",
            "/my-cases",
            Body::None,
            [303, 200, 200, 200, 200, 200, 200],
        ),
        route(
            "GET",
            "/account",
            Body::None,
            [303, 200, 200, 200, 200, 200, 200],
        ),
        route(
            "GET",
            "/admin/users",
            Body::None,
            [303, 403, 403, 403, 403, 403, 200],
        ),
        route(
            "GET",
            "/admin/pdus",
            Body::None,
            [303, 403, 403, 403, 403, 403, 200],
        ),
        route(
            "POST",
            "/admin/pdus",
            Body::Form(&[("region", "{r}"), ("name", "Admin PDU {who}")]),
            [303, 403, 403, 403, 403, 403, 303],
        ),
        route("GET", "/inspections/new", Body::None, LEAD_PAGE),
        route(
            "GET",
            "/inspections/new/details?region={r}",
            Body::None,
            LEAD_PAGE,
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
            LEAD_FORM,
        ),
        route("GET", "/inspections/{i}", Body::None, READ),
        route("GET", "/inspections/{i}/ratings", Body::None, READ),
        route("GET", "/inspections/{i}/history", Body::None, READ),
        route("GET", "/inspections/{i}/history.csv", Body::None, READ),
        route("GET", "/inspections/{i}/domain-one", Body::None, READ),
        route("GET", "/inspections/{i}/domain-one/1.2", Body::None, READ),
        route("GET", "/inspections/{i}/staff-survey", Body::None, READ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/confirm",
            Body::Form(&[("rating", "good")]),
            LEAD_FORM,
        ),
        route(
            "POST",
            "/inspections/{i}/domain-one/1.1/judge",
            Body::Form(&[("judge", "")]),
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
        route(
            "GET",
            "/annexe.csv",
            Body::None,
            [303, 200, 200, 200, 200, 200, 200],
        ),
        route(
            "GET",
            "/regions/{r}",
            Body::None,
            [303, 200, 200, 200, 200, 200, 200],
        ),
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
        route(
            "POST",
            "/cases/{c}/standards/2.1",
            Body::Form(&[("kq-2.1.1", "yes")]),
            [303, 403, 303, 403, 403, 303, 403],
        ),
        route(
            "GET",
            "/cases/{c}/facts",
            Body::None,
            [303, 403, 200, 403, 403, 200, 403],
        ),
        route(
            "POST",
            "/cases/{c}/facts",
            Body::Form(&[("reference", "{ref}"), ("sentence_type", "community_order")]),
            [303, 403, 303, 403, 403, 303, 403],
        ),
        route("GET", "/cases/{c}/outcomes", Body::None, READ),
        route(
            "POST",
            "/cases/{c}/outcomes",
            Body::Form(&[("outcome-compliance", "yes")]),
            [303, 403, 303, 403, 403, 303, 403],
        ),
        // Allowed for the marker, then refused for the missing answers.
        route(
            "POST",
            "/cases/{c}/complete",
            Body::None,
            [303, 403, 422, 403, 403, 422, 403],
        ),
        route(
            "POST",
            "/account/tokens",
            Body::Form(&[("label", "walk")]),
            [303, 200, 200, 200, 200, 200, 200],
        ),
        // The API.
        route(
            "GET",
            "/api/v1/inspections",
            Body::None,
            [401, 200, 200, 200, 200, 200, 200],
        ),
        route(
            "POST",
            "/api/v1/inspections",
            Body::Json(
                r#"{"pdu": "Api {who}", "region": "Wales", "fieldwork_start": "2026-06-01"}"#,
            ),
            [401, 403, 403, 403, 403, 201, 403],
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
            "PUT",
            "/api/v1/inspections/{i}/domain-one",
            Body::Json(r#"{"1.2": "good"}"#),
            API_LEAD,
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/cases",
            Body::Json(r#"[{"reference": "J-{who}", "sentence_type": "licence"}]"#),
            [401, 403, 403, 403, 403, 201, 403],
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/cases",
            Body::CsvWhole("reference,sentence_type\nL-{who},licence\n"),
            [401, 403, 403, 403, 403, 201, 403],
        ),
        route(
            "POST",
            "/api/v1/inspections/{i}/judgements",
            Body::CsvWhole(JUDGEMENTS_CSV),
            API_LEAD,
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
        route(
            "GET",
            "/api/v1/annexe.csv",
            Body::None,
            [401, 200, 200, 200, 200, 200, 200],
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
        route("GET", "/api/v1/cases/{c}/history", Body::None, API_READ),
        route(
            "PUT",
            "/api/v1/cases/{c}/facts",
            Body::Json(r#"{"reference": "{ref}", "sentence_type": "licence"}"#),
            [401, 403, 200, 403, 403, 200, 403],
        ),
        route(
            "PUT",
            "/api/v1/cases/{c}/judgements",
            Body::Json(r#"{"key_questions": {"2.1.2": "no"}}"#),
            [401, 403, 200, 403, 403, 200, 403],
        ),
    ]
}

/// One person as both a browser and an API client (anonymous has neither).
struct Person {
    browser: Option<Browser>,
    api: Option<Api>,
    anonymous: axum_test::TestServer,
}

async fn send(
    person: &Person,
    method: &str,
    path: &str,
    body: Body,
    fill: &dyn Fn(&str) -> String,
) -> TestResponse {
    let is_api = path.starts_with("/api/");
    let server = match (is_api, &person.browser, &person.api) {
        (true, _, Some(api)) => &api.server,
        (false, Some(browser), _) => &browser.server,
        _ => &person.anonymous,
    };
    let csrf = person
        .browser
        .as_ref()
        .map(|b| b.csrf.clone())
        .unwrap_or_default();
    let request = match method {
        "GET" => server.get(path),
        "POST" => server.post(path),
        "PUT" => server.put(path),
        other => panic!("method {other}"),
    };
    match body {
        Body::None if method == "GET" => request.await,
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

#[tokio::test]
async fn every_route_answers_each_kind_of_person_exactly() {
    let app = TestApp::spawn().await;
    // Inspection X: a lead, inspectors A and B with a case each. Inspection Y
    // has its own lead and inspector C, who is a stranger to X.
    app.user("viewer@example.gov.uk", UserRole::Viewer).await;
    let a_id = app.user("a@example.gov.uk", UserRole::Inspector).await;
    app.user("b@example.gov.uk", UserRole::Inspector).await;
    app.user("c@example.gov.uk", UserRole::Inspector).await;
    app.user("lead@example.gov.uk", UserRole::Lead).await;
    app.user("lead2@example.gov.uk", UserRole::Lead).await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let lead_api = app.api_for("lead@example.gov.uk").await;
    let lead2_api = app.api_for("lead2@example.gov.uk").await;

    let x = lead_api
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "X", "region": "Wales", "fieldwork_start": "2026-01-05"}))
        .await
        .json::<Value>()["id"]
        .as_i64()
        .expect("x");
    let y = lead2_api
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Y", "region": "Wales", "fieldwork_start": "2026-01-05"}))
        .await
        .json::<Value>()["id"]
        .as_i64()
        .expect("y");
    for (email, inspection, api) in [
        ("a@example.gov.uk", x, &lead_api),
        ("b@example.gov.uk", x, &lead_api),
        ("c@example.gov.uk", y, &lead2_api),
    ] {
        api.server
            .put(&format!("/api/v1/inspections/{inspection}/members"))
            .json(&json!({"email": email, "role": "inspector"}))
            .await
            .assert_status_ok();
    }
    lead_api
        .server
        .put(&format!("/api/v1/inspections/{x}/members"))
        .json(&json!({"email": "viewer@example.gov.uk", "role": "viewer"}))
        .await
        .assert_status_ok();
    let cases = lead_api.server.post(&format!("/api/v1/inspections/{x}/cases")).json(&json!([{"reference": "OWN", "sentence_type": "licence"}, {"reference": "OTHER", "sentence_type": "licence"}])).await.json::<Value>();
    let own = cases["cases"][0]["id"].as_i64().expect("own");
    let other = cases["cases"][1]["id"].as_i64().expect("other");
    for (case, email) in [(own, "a@example.gov.uk"), (other, "b@example.gov.uk")] {
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
    let region = app.region_id("Wales").await.to_string();

    let mut people = vec![Person {
        browser: None,
        api: None,
        anonymous: app.client(),
    }];
    for email in ["viewer", "a", "a", "c", "lead", "admin"] {
        let email = format!("{email}@example.gov.uk");
        people.push(Person {
            browser: Some(app.sign_in(&email).await),
            api: Some(app.api_for(&email).await),
            anonymous: app.client(),
        });
    }

    let mut wrong = Vec::new();
    for route in routes() {
        for (column, who) in WHO.iter().enumerate() {
            let case = if column == 3 { other } else { own };
            let suffix = format!("{column}{}", route.path.len());
            let fill = |text: &str| {
                text.replace("{i}", &x.to_string())
                    .replace("{c}", &case.to_string())
                    .replace("{own}", &own.to_string())
                    .replace("{a}", &a_id.to_string())
                    .replace("{r}", &region)
                    .replace("{who}", &suffix)
                    .replace("{ref}", if column == 3 { "OTHER" } else { "OWN" })
            };
            let path = fill(route.path);
            let response = send(&people[column], route.method, &path, route.body, &fill).await;
            let got = response.status_code().as_u16();
            if got != route.expect[column] {
                wrong.push(format!(
                    "{} {path} as {who}: expected {}, got {got}",
                    route.method, route.expect[column]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong statuses:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
