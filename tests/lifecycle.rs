//! The inspection lifecycle, the append-only audit trail and lost updates.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, TestApp, location};

/// An inspection with inspector A assigned one case; returns (inspection, case).
async fn inspection_with_a_case(lead: &Api) -> (i64, i64) {
    let built = support::build(&lead.server)
        .pdu("Gwent")
        .fieldwork("2026-01-05")
        .status("setup")
        .member("a@example.gov.uk", "inspector")
        .case(json!({"reference": "G1", "sentence_type": "licence"}))
        .assign(0, "a@example.gov.uk")
        .await_built()
        .await;
    (built.id, built.cases[0])
}

async fn set_status(api: &Api, id: i64, body: Value) -> axum_test::TestResponse {
    api.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&body)
        .await
}

async fn judge(api: &Api, case: i64, body: Value) -> axum_test::TestResponse {
    api.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&body)
        .await
}

#[tokio::test]
async fn marking_follows_the_lifecycle_and_publishing_locks_everything() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let inspector = app.api("a@example.gov.uk", UserRole::Inspector).await;
    let (id, case) = inspection_with_a_case(&lead).await;
    let yes = json!({"key_questions": {"2.1.1": "yes"}});

    // Setup: nobody marks yet.
    judge(&inspector, case, yes.clone())
        .await
        .assert_status(StatusCode::CONFLICT);
    set_status(&lead, id, json!({"status": "published"}))
        .await
        .assert_status(StatusCode::CONFLICT);
    set_status(&inspector, id, json!({"status": "fieldwork"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    set_status(&lead, id, json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    judge(&inspector, case, yes.clone())
        .await
        .assert_status_ok();

    // Moderation: only the lead changes judgements.
    set_status(&lead, id, json!({"status": "moderation"}))
        .await
        .assert_status_ok();
    let refused = judge(&inspector, case, json!({"key_questions": {"2.1.1": "no"}})).await;
    refused.assert_status(StatusCode::CONFLICT);
    assert!(
        refused.json::<Value>()["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("moderation")
    );
    judge(&lead, case, json!({"key_questions": {"2.1.2": "no"}}))
        .await
        .assert_status_ok();

    // Published: everything is locked, for the lead too, and forms are read-only.
    set_status(&lead, id, json!({"status": "published"}))
        .await
        .assert_status_ok();
    judge(&lead, case, yes.clone())
        .await
        .assert_status(StatusCode::CONFLICT);
    lead.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "good"}))
        .await
        .assert_status(StatusCode::CONFLICT);
    lead.server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "LATE", "sentence_type": "licence"}]))
        .await
        .assert_status(StatusCode::CONFLICT);
    let browser = app.sign_in("a@example.gov.uk").await;
    let form = browser
        .get(&format!("/cases/{case}/standards/2.1"))
        .await
        .text();
    assert!(form.contains("The inspection is published"));
    assert!(form.contains(" disabled>") && !form.contains("Save Assessment"));
    let posted = browser
        .post_form(
            &format!("/cases/{case}/standards/2.1"),
            &[("kq-2.1.1", "no")],
        )
        .await;
    posted.assert_status(StatusCode::CONFLICT);

    // Reopening needs a reason; the reason is recorded.
    let no_reason = set_status(&lead, id, json!({"status": "moderation"})).await;
    no_reason.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        no_reason.json::<Value>()["errors"][0]["field"],
        json!("reason")
    );
    set_status(
        &lead,
        id,
        json!({"status": "moderation", "reason": "PDU's factual accuracy challenge upheld"}),
    )
    .await
    .assert_status_ok();
    let reason: String = sqlx::query_scalar(
        "select reason from audit_event where entity = 'status' order by id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("reason");
    assert_eq!(reason, "PDU's factual accuracy challenge upheld");
    assert_eq!(app.status_of(id).await, "moderation");
}

#[tokio::test]
async fn every_change_is_audited_in_its_transaction_and_the_trail_is_append_only() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let inspector = app.api("a@example.gov.uk", UserRole::Inspector).await;
    let (id, case) = inspection_with_a_case(&lead).await;
    set_status(&lead, id, json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    judge(&inspector, case, json!({"key_questions": {"2.1.3": {"answer": "no", "rationale": "No police checks."}}, "prompts": {"2.1.3.b": "no"}}))
        .await
        .assert_status_ok();
    judge(&inspector, case, json!({"key_questions": {"2.1.3": "yes"}}))
        .await
        .assert_status_ok();
    // Prompts or outcomes alone are saved (and audited) too.
    let alone = judge(
        &inspector,
        case,
        json!({"prompts": {"2.1.3.c": "na"}, "outcomes": {"compliance": "yes"}}),
    )
    .await;
    alone.assert_status_ok();
    let alone = alone.json::<Value>();
    assert_eq!(
        (
            alone["prompts"]["2.1.3.c"].clone(),
            alone["outcomes"]["compliance"].clone()
        ),
        (json!("na"), json!("yes"))
    );
    // A refused save leaves no audit row.
    judge(
        &inspector,
        case,
        json!({"key_questions": {"2.1.3": "maybe"}}),
    )
    .await
    .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    lead.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "good"}))
        .await
        .assert_status_ok();

    let history = lead
        .server
        .get(&format!("/api/v1/cases/{case}/history"))
        .await
        .json::<Value>();
    let rows: Vec<(Value, Value, Value, Value, Value)> = history
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            (
                e["actor"].clone(),
                e["entity"].clone(),
                e["code"].clone(),
                e["old_value"].clone(),
                e["new_value"].clone(),
            )
        })
        .collect();
    let a = json!("a@example.gov.uk");
    let lead_email = json!("lead@example.gov.uk");
    assert_eq!(
        rows,
        vec![
            (
                lead_email.clone(),
                json!("case"),
                Value::Null,
                Value::Null,
                json!("G1")
            ),
            (
                lead_email.clone(),
                json!("assignment"),
                json!("G1"),
                Value::Null,
                a.clone()
            ),
            (
                a.clone(),
                json!("judgement"),
                json!("2.1.3"),
                Value::Null,
                json!("no")
            ),
            (
                a.clone(),
                json!("judgement"),
                json!("2.1.3"),
                Value::Null,
                json!("No police checks.")
            ),
            (
                a.clone(),
                json!("prompt"),
                json!("2.1.3.b"),
                Value::Null,
                json!("no")
            ),
            (
                a.clone(),
                json!("case"),
                Value::Null,
                json!("not_started"),
                json!("in_progress")
            ),
            (
                a.clone(),
                json!("judgement"),
                json!("2.1.3"),
                json!("no"),
                json!("yes")
            ),
            (
                a.clone(),
                json!("prompt"),
                json!("2.1.3.c"),
                Value::Null,
                json!("na")
            ),
            (
                a.clone(),
                json!("outcome"),
                json!("compliance"),
                Value::Null,
                json!("yes")
            ),
        ]
    );
    let inspection = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/history"))
        .await
        .json::<Value>();
    let entities: Vec<&str> = inspection
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["entity"].as_str())
        .collect();
    for entity in [
        "inspection",
        "membership",
        "case",
        "assignment",
        "status",
        "judgement",
        "prompt",
        "domain_one",
    ] {
        assert!(entities.contains(&entity), "{entity} is audited");
    }

    // Append-only, whoever asks (the tests connect as the superuser).
    for sql in [
        "update audit_event set actor = 'someone else'",
        "delete from audit_event",
        "truncate audit_event",
    ] {
        let refused = sqlx::query(sql).execute(&app.pool).await;
        // 42501 insufficient_privilege, from the append-only trigger.
        support::assert_refused(
            refused,
            "42501",
            "audit events cannot be changed or removed",
        );
    }

    // The pages: filter by person and by standard; download as CSV.
    let browser = app.sign_in("lead@example.gov.uk").await;
    let a_id: i64 = sqlx::query_scalar("select id from app_user where email = 'a@example.gov.uk'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let by_a = browser
        .get(&format!(
            "/inspections/{id}/history?person={a_id}&standard="
        ))
        .await
        .text();
    assert!(by_a.contains("7 changes") && by_a.contains("No police checks."));
    let by_standard = browser
        .get(&format!("/inspections/{id}/history?person=&standard=1.1"))
        .await
        .text();
    assert!(by_standard.contains("1 changes") && by_standard.contains("domain_one"));
    let csv = browser.get(&format!("/cases/{case}/history.csv")).await;
    csv.assert_status_ok();
    assert!(
        csv.header("content-type")
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    let text = csv.text();
    assert!(text.starts_with("id,at,actor,case_reference"));
    assert_eq!(text.lines().count(), 10);
    browser
        .get(&format!("/cases/{case}/history"))
        .await
        .assert_status_ok();
}

#[tokio::test]
async fn two_people_saving_the_same_answers_do_not_overwrite_each_other() {
    let app = TestApp::spawn().await;
    let lead_api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    app.user("a@example.gov.uk", UserRole::Inspector).await;
    let (id, case) = inspection_with_a_case(&lead_api).await;
    set_status(&lead_api, id, json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let inspector = app.sign_in("a@example.gov.uk").await;
    let lead = app.sign_in("lead@example.gov.uk").await;

    // Both open the assessment form at the same revision.
    let revision_of = |html: &str| {
        let marker = "name=\"revision\" value=\"";
        let start = html.find(marker).expect("revision field") + marker.len();
        html[start..start + html[start..].find('"').expect("end")].to_owned()
    };
    let seen_by_inspector = revision_of(
        &inspector
            .get(&format!("/cases/{case}/standards/2.1"))
            .await
            .text(),
    );
    let seen_by_lead = revision_of(
        &lead
            .get(&format!("/cases/{case}/standards/2.1"))
            .await
            .text(),
    );
    assert_eq!(seen_by_inspector, seen_by_lead);

    let path = format!("/cases/{case}/standards/2.1");
    // The inspector saves first; the lead's form, loaded at the same
    // revision, comes after (in that order, not by a pause).
    let first = inspector
        .post_form(
            &path,
            &[
                ("kq-2.1.1", "yes"),
                ("revision", seen_by_inspector.as_str()),
            ],
        )
        .await;
    let second = lead
        .post_form(
            &path,
            &[("kq-2.1.1", "no"), ("revision", seen_by_lead.as_str())],
        )
        .await;
    location(&first);
    second.assert_status(StatusCode::CONFLICT);
    let html = second.text();
    assert!(html.contains("Someone else changed this case while you had it open"));
    assert!(html.contains("a@example.gov.uk changed 2.1.1 answer from nothing to yes"));
    let kept: String = sqlx::query_scalar("select answer from key_question_judgement")
        .fetch_one(&app.pool)
        .await
        .expect("answer");
    assert_eq!(kept, "yes", "the newer data is kept");

    // A stale form that changes other answers still saves.
    let other = lead
        .post_form(
            &path,
            &[("kq-2.1.2", "no"), ("revision", seen_by_lead.as_str())],
        )
        .await;
    location(&other);
    // The API checks the revision it is given in the same way.
    let stale = lead_api
        .server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "na"}, "revision": 0}))
        .await;
    stale.assert_status(StatusCode::CONFLICT);
    assert!(
        stale.json::<Value>()["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("a@example.gov.uk set 2.1.1 answer to yes")
    );

    // The outcomes form is checked the same way, and watches its case.
    let outcomes = format!("/cases/{case}/outcomes");
    let page = lead.get(&outcomes).await.text();
    assert!(page.contains("data-module=\"casemark-case-watch\""));
    let seen = revision_of(&page);
    let first = inspector
        .post_form(
            &outcomes,
            &[("outcome-compliance", "yes"), ("revision", seen.as_str())],
        )
        .await;
    location(&first);
    let second = lead
        .post_form(
            &outcomes,
            &[("outcome-compliance", "no"), ("revision", seen.as_str())],
        )
        .await;
    second.assert_status(StatusCode::CONFLICT);
    let html = second.text();
    assert!(html.contains("Someone else changed this case while you had it open"));
    assert!(
        html.contains("a@example.gov.uk changed compliance"),
        "{html}"
    );
}

#[tokio::test]
async fn leads_assign_cases_one_at_a_time_and_in_bulk_and_inspectors_see_theirs() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let a = app.browser("a@example.gov.uk", UserRole::Inspector).await;
    let region = app.region_id("Wales").await.to_string();
    let created = lead
        .post_form(
            "/inspections",
            &[
                ("region", region.as_str()),
                ("pdu", "new"),
                ("new_pdu", "Gwent"),
                ("fieldwork_start-day", "5"),
                ("fieldwork_start-month", "1"),
                ("fieldwork_start-year", "2026"),
            ],
        )
        .await;
    let id: i64 = location(&created)
        .trim_start_matches("/inspections/")
        .parse()
        .expect("id");
    location(
        &lead
            .post_form(
                &format!("/inspections/{id}/members"),
                &[("email", "a@example.gov.uk"), ("role", "inspector")],
            )
            .await,
    );
    let unknown = lead
        .post_form(
            &format!("/inspections/{id}/members"),
            &[("email", "nobody@example.gov.uk"), ("role", "inspector")],
        )
        .await;
    unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown
            .text()
            .contains("There is no active user with that email address")
    );
    location(
        &lead
            .import_cases(
                id,
                "reference,sentence_type\nB1,licence\nB2,licence\nB3,licence\n",
            )
            .await,
    );
    let cases = app.case_ids(id).await;
    let a_id: i64 = sqlx::query_scalar("select id from app_user where email = 'a@example.gov.uk'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let a_text = a_id.to_string();
    let (c1, c2) = (cases[0].to_string(), cases[1].to_string());
    let bulk = lead
        .post_form(
            &format!("/inspections/{id}/assignments"),
            &[
                ("case", c1.as_str()),
                ("case", c2.as_str()),
                ("assignee", a_text.as_str()),
            ],
        )
        .await;
    assert_eq!(location(&bulk), format!("/inspections/{id}"));
    assert!(
        lead.get(&location(&bulk))
            .await
            .text()
            .contains("2 cases assigned")
    );
    let mine = a.get("/my-cases").await.text();
    assert!(mine.contains(">B1</a>") && mine.contains(">B2</a>") && !mine.contains(">B3</a>"));
    // Cases go only to inspectors and leads of the inspection.
    let viewer_id = app
        .user("v@example.gov.uk", UserRole::Viewer)
        .await
        .to_string();
    let refused = lead
        .post_form(
            &format!("/inspections/{id}/assignments"),
            &[("case", c1.as_str()), ("assignee", viewer_id.as_str())],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let nothing = lead
        .post_form(
            &format!("/inspections/{id}/assignments"),
            &[("assignee", a_text.as_str())],
        )
        .await;
    nothing.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nothing.text().contains("Select the cases to assign"));
}

#[tokio::test]
async fn corrected_case_facts_are_audited_and_references_stay_unique() {
    let app = TestApp::spawn().await;
    let lead_api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    app.user("a@example.gov.uk", UserRole::Inspector).await;
    let (id, case) = inspection_with_a_case(&lead_api).await;
    lead_api
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "G2", "sentence_type": "licence"}]))
        .await
        .assert_status(StatusCode::CREATED);
    let inspector = app.sign_in("a@example.gov.uk").await;
    // In setup the inspector cannot change the case yet.
    inspector
        .get(&format!("/cases/{case}/facts"))
        .await
        .assert_status(StatusCode::CONFLICT);
    set_status(&lead_api, id, json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let form = inspector.get(&format!("/cases/{case}/facts")).await.text();
    assert!(form.contains("value=\"G1\""));
    let clash = inspector
        .post_form(
            &format!("/cases/{case}/facts"),
            &[("reference", "g2"), ("sentence_type", "licence")],
        )
        .await;
    clash.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash
            .text()
            .contains("Case reference g2 is already in this inspection")
    );
    let saved = inspector
        .post_form(
            &format!("/cases/{case}/facts"),
            &[
                ("reference", "G1"),
                ("sentence_type", "community_order"),
                ("office", "Newport"),
            ],
        )
        .await;
    assert_eq!(location(&saved), format!("/cases/{case}?saved=facts"));
    let events: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "select code, old_value, new_value from audit_event where entity = 'case_fact' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("events");
    assert_eq!(
        events,
        vec![
            (
                "sentence_type".to_owned(),
                Some("licence".to_owned()),
                Some("community_order".to_owned())
            ),
            ("office".to_owned(), None, Some("Newport".to_owned())),
        ]
    );
}
