//! Domain one marked from evidence (issue 8), through the real router and a
//! fresh PostgreSQL database per test: the proposal, the lead's
//! confirmation and the score; who may judge; evidence and staff survey
//! figures; the lifecycle lock.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use std::io::Cursor;

use axum::http::StatusCode;
use axum_test::TestServer;
use calamine::{Data, Reader, Xlsx};
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{TestApp, ratings};

const LEAD: &str = "lead@example.gov.uk";
const INSPECTOR: &str = "inspector@example.gov.uk";
const OTHER: &str = "other@example.gov.uk";

/// An inspection in fieldwork whose domain two standards are all rated
/// Outstanding (one case, every key question Yes), so that the score
/// depends on domain one alone: 12 from domain two plus the three
/// confirmations.
async fn rated_domain_two(api: &TestServer) -> (i64, i64) {
    let built = support::build(api)
        .licence_cases(1)
        .every_key_question(0, "yes")
        .await_built()
        .await;
    (built.id, built.cases[0])
}

fn standard<'a>(ratings: &'a Value, code: &str) -> &'a Value {
    ratings["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .find(|s| s["code"] == json!(code))
        .expect("standard")
}

async fn judge(api: &TestServer, id: i64, judgements: Value) -> axum_test::TestResponse {
    api.put(&format!("/api/v1/inspections/{id}/domain-one/judgements"))
        .json(&judgements)
        .await
}

async fn confirm(api: &TestServer, id: i64, body: Value) -> axum_test::TestResponse {
    api.put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&body)
        .await
}

fn fields(response: &axum_test::TestResponse) -> Vec<String> {
    response.json::<Value>()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or("").to_owned())
        .collect()
}

const SCORES: [(&str, u64); 4] = [
    ("inadequate", 0),
    ("requires_improvement", 1),
    ("good", 2),
    ("outstanding", 3),
];

#[tokio::test]
async fn the_score_waits_for_confirmation_and_changes_exactly_when_one_changes() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await.server;
    let (id, _) = rated_domain_two(&lead).await;

    let before = ratings(&lead, id).await;
    assert_eq!(before["score"], Value::Null);
    assert_eq!(standard(&before, "1.1")["confirmed"], json!(false));
    assert_eq!(
        standard(&before, "2.1")["confirmed"],
        Value::Null,
        "domain two has no confirmation"
    );

    judge(
        &lead,
        id,
        json!({
            "1.1.1": "good", "1.1.2": "good", "1.1.3": "requires_improvement", "1.1.4": "requires_improvement",
            "1.2.1": "outstanding", "1.2.2": "outstanding", "1.2.3": "outstanding", "1.2.4": "outstanding",
            "1.3.1": "inadequate", "1.3.2": "good", "1.3.3": "good",
        }),
    )
    .await
    .assert_status_ok();
    let proposed = ratings(&lead, id).await;
    assert_eq!(
        proposed["score"],
        Value::Null,
        "proposals alone do not score"
    );
    let leadership = standard(&proposed, "1.1");
    assert_eq!(leadership["rating"], Value::Null);
    assert_eq!(leadership["confirmed"], json!(false));
    assert_eq!(
        leadership["proposal"],
        json!({"rating": "requires_improvement",
               "spread": {"inadequate": 0, "requires_improvement": 2, "good": 2, "outstanding": 0}}),
        "two and two: the lower middle"
    );
    let dashboard = app
        .sign_in(LEAD)
        .await
        .get(&format!("/inspections/{id}/ratings"))
        .await;
    assert!(dashboard.text().contains("Proposed: Requires improvement"));

    // A confirmation that differs from the proposal needs a reason; without
    // one nothing of the request is saved.
    let audit_before = app.count("select count(*) from audit_event").await;
    let refused = confirm(&lead, id, json!({"1.2": "outstanding", "1.1": "good"})).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&refused), ["1.1.reason"]);
    assert!(refused.text().contains("propose Requires improvement"));
    assert_eq!(app.count("select count(*) from domain_one_rating").await, 0);
    assert_eq!(
        app.count("select count(*) from audit_event").await,
        audit_before
    );

    confirm(
        &lead,
        id,
        json!({
            "1.1": {"rating": "good", "reason": "The new leadership team's plan is already working."},
            "1.2": "outstanding",
            "1.3": "good",
        }),
    )
    .await
    .assert_status_ok();
    let confirmed = ratings(&lead, id).await;
    assert_eq!(confirmed["score"], json!(12 + 2 + 3 + 2));
    assert_eq!(confirmed["overall"], json!("outstanding"));
    assert_eq!(standard(&confirmed, "1.1")["rating"], json!("good"));
    assert_eq!(standard(&confirmed, "1.1")["confirmed"], json!(true));

    // Judgements move the proposal, never the score.
    judge(&lead, id, json!({"1.3.2": "inadequate"}))
        .await
        .assert_status_ok();
    let moved = ratings(&lead, id).await;
    assert_eq!(moved["score"], confirmed["score"]);
    assert_eq!(
        standard(&moved, "1.3")["proposal"]["rating"],
        json!("inadequate")
    );
    let view = lead
        .get(&format!("/api/v1/inspections/{id}/domain-one"))
        .await
        .json::<Value>();
    let services = &view["standards"][2];
    assert_eq!(services["rating"], json!("good"));
    assert_eq!(services["proposed_when_confirmed"], json!("good"));
    assert_eq!(services["proposal"]["rating"], json!("inadequate"));
    let page = app
        .sign_in(LEAD)
        .await
        .get(&format!("/inspections/{id}/domain-one/1.3"))
        .await;
    assert!(
        page.text().contains("proposal-changed"),
        "the lead is told to look again"
    );

    // Every confirmation of 1.1 moves the score by exactly its points.
    for (rating, points) in SCORES {
        confirm(
            &lead,
            id,
            json!({"1.1": {"rating": rating, "reason": "Moderated."}}),
        )
        .await
        .assert_status_ok();
        assert_eq!(
            ratings(&lead, id).await["score"],
            json!(12 + points + 3 + 2)
        );
        judge(&lead, id, json!({"1.1.1": rating}))
            .await
            .assert_status_ok();
        assert_eq!(
            ratings(&lead, id).await["score"],
            json!(12 + points + 3 + 2),
            "a judgement after the confirmation leaves the score alone"
        );
    }
    // Confirming the proposal needs no reason; withdrawing makes the score wait again.
    confirm(&lead, id, json!({"1.3": "inadequate"}))
        .await
        .assert_status_ok();
    assert_eq!(ratings(&lead, id).await["score"], json!(12 + 3 + 3));
    confirm(&lead, id, json!({"1.2": null}))
        .await
        .assert_status_ok();
    let withdrawn = ratings(&lead, id).await;
    assert_eq!(withdrawn["score"], Value::Null);
    assert_eq!(
        standard(&withdrawn, "1.2")["proposal"]["rating"],
        json!("outstanding")
    );

    // The lists show confirmed ratings only, from the same rules.
    let list = app.sign_in(LEAD).await.get("/").await.text();
    let cell = crate::support::list_rating_cell;
    assert!(
        list.contains(&[cell("Outstanding"), cell("–"), cell("Inadequate")].concat()),
        "1.1 confirmed Outstanding, 1.2 unconfirmed, 1.3 confirmed Inadequate: {list}"
    );

    // Every confirmation is in the history with its reason.
    let history = lead
        .get(&format!("/api/v1/inspections/{id}/history"))
        .await
        .json::<Value>();
    let reasons: Vec<&str> = history
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["entity"] == json!("domain_one") && e["field"] == json!("rating"))
        .filter_map(|e| e["reason"].as_str())
        .collect();
    assert!(reasons.contains(&"The new leadership team's plan is already working."));
}

#[tokio::test]
async fn the_browser_form_refuses_an_override_without_a_reason() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await.server;
    let (id, _) = rated_domain_two(&lead).await;
    judge(&lead, id, json!({"1.2.1": "good", "1.2.2": "good"}))
        .await
        .assert_status_ok();
    let browser = app.sign_in(LEAD).await;
    let refused = browser
        .post_form(
            &format!("/inspections/{id}/domain-one/1.2/confirm"),
            &[
                ("rating", "outstanding"),
                ("reason", " "),
                ("strengths", "Kept as typed"),
            ],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("govuk-error-summary"));
    assert!(
        html.contains("href=\"#reason\""),
        "the summary links to the field"
    );
    assert!(html.contains("Kept as typed"), "what was typed is kept");
    assert_eq!(app.count("select count(*) from domain_one_rating").await, 0);

    let saved = browser
        .post_form(
            &format!("/inspections/{id}/domain-one/1.2/confirm"),
            &[("rating", "good"), ("reason", "")],
        )
        .await;
    assert_eq!(
        support::location(&saved),
        format!("/inspections/{id}/domain-one/1.2?done=confirmed")
    );
    let page = browser
        .get(&format!("/inspections/{id}/domain-one/1.2"))
        .await
        .text();
    assert!(page.contains("Confirmed by"));
}

#[tokio::test]
async fn judgements_are_the_leads_or_the_named_inspectors() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await.server;
    let inspector_id = app.user(INSPECTOR, UserRole::Inspector).await;
    let inspector = app.api_for(INSPECTOR).await.server;
    let other_id = app.user(OTHER, UserRole::Inspector).await;
    let (id, _) = rated_domain_two(&lead).await;
    for email in [INSPECTOR, OTHER] {
        lead.put(&format!("/api/v1/inspections/{id}/members"))
            .json(&json!({"email": email, "role": "inspector"}))
            .await
            .assert_status_ok();
    }
    judge(&inspector, id, json!({"1.2.1": "good"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);

    let named = lead
        .put(&format!("/api/v1/inspections/{id}/domain-one/1.2/judge"))
        .json(&json!({"user_id": inspector_id}))
        .await;
    named.assert_status_ok();
    assert_eq!(
        named.json::<Value>()["standards"][1]["judge"]["user_id"],
        json!(inspector_id)
    );
    judge(&inspector, id, json!({"1.2.1": "good"}))
        .await
        .assert_status_ok();
    // All or nothing: one question of another standard refuses the lot.
    judge(
        &inspector,
        id,
        json!({"1.2.1": "inadequate", "1.1.1": "good"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let view = lead
        .get(&format!("/api/v1/inspections/{id}/domain-one"))
        .await
        .json::<Value>();
    assert_eq!(
        view["standards"][1]["key_questions"][0]["judgement"],
        json!("good")
    );
    assert_eq!(
        view["standards"][1]["key_questions"][0]["judged_by"],
        json!(INSPECTOR),
        "judged by the inspector (display name is the email in tests)"
    );
    assert_eq!(
        view["standards"][0]["key_questions"][0]["judgement"],
        Value::Null
    );
    // Only the lead confirms, and only an inspector of the team can be named.
    confirm(&inspector, id, json!({"1.2": "good"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let outsider = app
        .user("outsider@example.gov.uk", UserRole::Inspector)
        .await;
    let refused = lead
        .put(&format!("/api/v1/inspections/{id}/domain-one/1.3/judge"))
        .json(&json!({"user_id": outsider}))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&refused), ["user_id"]);
    lead.put(&format!("/api/v1/inspections/{id}/domain-one/1.2/judge"))
        .json(&json!({"user_id": other_id}))
        .await
        .assert_status_ok();
    judge(&inspector, id, json!({"1.2.2": "good"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    judge(&lead, id, json!({"1.2.9": "good"}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let bad = judge(&lead, id, json!({"1.2.2": "brilliant"})).await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["1.2.2"]);

    let history = lead
        .get(&format!("/api/v1/inspections/{id}/history"))
        .await
        .json::<Value>();
    let fields_changed: Vec<(String, String)> = history
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["entity"] == json!("domain_one"))
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        fields_changed,
        [
            ("judge".to_owned(), "1.2".to_owned()),
            ("judgement".to_owned(), "1.2.1".to_owned()),
            ("judge".to_owned(), "1.2".to_owned()),
        ]
    );
}

#[tokio::test]
async fn evidence_survey_figures_and_case_figures() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await.server;
    app.user(INSPECTOR, UserRole::Inspector).await;
    let inspector = app.api_for(INSPECTOR).await.server;
    app.user(OTHER, UserRole::Viewer).await;
    let viewer = app.api_for(OTHER).await.server;
    let (id, case) = rated_domain_two(&lead).await;
    for (email, role) in [(INSPECTOR, "inspector"), (OTHER, "viewer")] {
        lead.put(&format!("/api/v1/inspections/{id}/members"))
            .json(&json!({"email": email, "role": role}))
            .await
            .assert_status_ok();
    }
    let survey = |body: Value| {
        let api = &inspector;
        async move {
            api.post(&format!("/api/v1/inspections/{id}/staff-survey"))
                .json(&body)
                .await
        }
    };
    let added = survey(
        json!({"question": "The culture promotes openness", "positive": 19, "respondents": 36}),
    )
    .await;
    added.assert_status(StatusCode::CREATED);
    let item = added.json::<Value>()["id"].as_i64().expect("id");
    let listed = viewer
        .get(&format!("/api/v1/inspections/{id}/staff-survey"))
        .await
        .json::<Value>();
    assert_eq!(
        listed,
        json!([{"id": item, "question": "The culture promotes openness",
                "positive": 19, "respondents": 36, "figure": "19 out of 36 staff"}])
    );
    let too_many =
        survey(json!({"question": "Workloads are manageable", "positive": 40, "respondents": 36}))
            .await;
    too_many.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&too_many), ["positive"]);
    let again = survey(
        json!({"question": "the culture PROMOTES openness", "positive": 1, "respondents": 2}),
    )
    .await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&again), ["question"]);

    let evidence = |api: &TestServer, body: Value| {
        let request = api
            .post(&format!("/api/v1/inspections/{id}/domain-one/evidence"))
            .json(&body);
        async move { request.await }
    };
    let quoted = evidence(
        &inspector,
        json!({"question": "1.1.4", "kind": "improvement", "source": "staff_survey",
               "text": "Only half of staff said the culture promoted openness.", "survey_item": item}),
    )
    .await;
    quoted.assert_status(StatusCode::CREATED);
    let quoted = quoted.json::<Value>()["id"].as_i64().expect("id");
    let lead_bullet = evidence(
        &lead,
        json!({"question": "1.2.3", "kind": "strength", "source": "meeting", "text": "Managers meet staff monthly."}),
    )
    .await;
    lead_bullet.assert_status(StatusCode::CREATED);
    let lead_bullet = lead_bullet.json::<Value>()["id"].as_i64().expect("id");
    evidence(
        &viewer,
        json!({"question": "1.2.3", "kind": "strength", "source": "meeting", "text": "x"}),
    )
    .await
    .assert_status(StatusCode::FORBIDDEN);
    let bad = evidence(
        &inspector,
        json!({"question": "1.9.9", "kind": "praise", "source": "rumour", "text": "  "}),
    )
    .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&bad), ["question", "kind", "source", "text"]);
    let wrong_source = evidence(
        &inspector,
        json!({"question": "1.1.4", "kind": "strength", "source": "meeting", "text": "x", "survey_item": item}),
    )
    .await;
    assert_eq!(fields(&wrong_source), ["survey_item"]);

    // Case figures beside the key questions they bear on, from live data.
    lead.put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"prompts": {"2.3.3.g": "no", "2.1.3.g": "yes"}}))
        .await
        .assert_status_ok();
    let view = inspector
        .get(&format!("/api/v1/inspections/{id}/domain-one"))
        .await
        .json::<Value>();
    let oversight = &view["standards"][1]["key_questions"][2];
    assert_eq!(oversight["code"], json!("1.2.3"));
    assert_eq!(
        oversight["case_evidence"],
        json!([
            {"prompt": "2.1.3.g", "yes": 1, "no": 0, "na": 0, "percent": 100},
            {"prompt": "2.3.3.g", "yes": 0, "no": 1, "na": 0, "percent": 0},
        ])
    );
    let culture = &view["standards"][0]["key_questions"][3]["evidence"][0];
    assert_eq!(
        culture["survey_item"]["figure"],
        json!("19 out of 36 staff")
    );
    assert_eq!(culture["source"], json!("staff_survey"));
    let page = app
        .sign_in(INSPECTOR)
        .await
        .get(&format!("/inspections/{id}/domain-one/1.1"))
        .await
        .text();
    assert!(page.contains("19 out of 36 staff"));
    let page = app
        .sign_in(LEAD)
        .await
        .get(&format!("/inspections/{id}/domain-one/1.2"))
        .await
        .text();
    assert!(
        page.contains("Yes in 0 of 1 cases (0%)"),
        "case figures on the page"
    );

    // The survey figures go into the data annexe workbook.
    let workbook = lead
        .get(&format!("/api/v1/inspections/{id}/annexe.xlsx"))
        .await;
    workbook.assert_status_ok();
    let mut xlsx = Xlsx::new(Cursor::new(workbook.as_bytes().to_vec())).expect("xlsx");
    let rows: Vec<Vec<Data>> = xlsx
        .worksheet_range("Staff survey")
        .expect("survey sheet")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    assert_eq!(
        rows[1][0],
        Data::String("The culture promotes openness".into())
    );
    assert_eq!(
        rows[1][3],
        Data::Float(0.53),
        "52.8% rounds as key questions do"
    );
    assert_eq!(rows[1][4], Data::String("19 out of 36 staff".into()));
    let domain_one: Vec<Vec<Data>> = xlsx
        .worksheet_range("Domain one")
        .expect("domain one sheet")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    assert!(
        domain_one
            .iter()
            .any(|r| r[7] == Data::String("Managers meet staff monthly.".into()))
    );

    // A quoted survey item stays until its bullets go; authors and the lead remove bullets.
    let cited = inspector
        .delete(&format!("/api/v1/inspections/{id}/staff-survey/{item}"))
        .await;
    cited.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(cited.text().contains("quoted by 1 evidence bullet"));
    inspector
        .delete(&format!(
            "/api/v1/inspections/{id}/domain-one/evidence/{lead_bullet}"
        ))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    lead.delete(&format!(
        "/api/v1/inspections/{id}/domain-one/evidence/{quoted}"
    ))
    .await
    .assert_status(StatusCode::NO_CONTENT);
    inspector
        .delete(&format!("/api/v1/inspections/{id}/staff-survey/{item}"))
        .await
        .assert_status(StatusCode::NO_CONTENT);
    lead.delete(&format!(
        "/api/v1/inspections/{id}/domain-one/evidence/oops"
    ))
    .await
    .assert_status(StatusCode::NOT_FOUND);
    let survey_events = app
        .count("select count(*) from audit_event where entity = 'staff_survey'")
        .await;
    assert_eq!(survey_events, 2, "added and removed");
    assert_eq!(
        app.count("select count(*) from domain_one_evidence").await,
        1
    );
}

#[tokio::test]
async fn a_published_inspection_locks_domain_one() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await.server;
    let (id, _) = rated_domain_two(&lead).await;
    judge(&lead, id, json!({"1.1.1": "good"}))
        .await
        .assert_status_ok();
    for status in ["moderation", "published"] {
        lead.put(&format!("/api/v1/inspections/{id}/status"))
            .json(&json!({"status": status}))
            .await
            .assert_status_ok();
    }
    judge(&lead, id, json!({"1.1.1": "outstanding"}))
        .await
        .assert_status(StatusCode::CONFLICT);
    lead.post(&format!("/api/v1/inspections/{id}/domain-one/evidence"))
        .json(&json!({"question": "1.1.1", "kind": "strength", "source": "data", "text": "x"}))
        .await
        .assert_status(StatusCode::CONFLICT);
    lead.post(&format!("/api/v1/inspections/{id}/staff-survey"))
        .json(&json!({"question": "q", "positive": 1, "respondents": 1}))
        .await
        .assert_status(StatusCode::CONFLICT);
    confirm(&lead, id, json!({"1.1": "good"}))
        .await
        .assert_status(StatusCode::CONFLICT);
    lead.get(&format!("/api/v1/inspections/{id}/domain-one"))
        .await
        .assert_status_ok();
    let page = app
        .sign_in(LEAD)
        .await
        .get(&format!("/inspections/{id}/domain-one/1.1"))
        .await;
    page.assert_status_ok();
    let html = page.text();
    assert!(html.contains("id=\"read-only\""));
    assert!(!html.contains("/judgement\""), "no judgement form");
}
