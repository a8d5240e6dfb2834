//! Hostile and broken input: every parser casemark owns is fed generated
//! input and must never panic or answer 500, and a refused request must
//! write nothing; user text with markup in every free-text field must come
//! back escaped on every page that shows it.

mod support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use proptest::prelude::*;
use serde_json::{Value, json};
use support::{Api, Browser, TestApp};

/// Markup that would run or break out of an attribute if not escaped.
const ATTACK: &str = r#""'><script>alert(1)</script><img src=x onerror=alert(2)>"#;
/// Short enough for a case reference (50 characters).
const SHORT_ATTACK: &str = r#""'><script>alert(3)</script>"#;

fn assert_escaped(page: &str, what: &str) {
    for raw in ["<script>alert(", "<img src=x onerror", "\"'><"] {
        assert!(!page.contains(raw), "{what} shows {raw} unescaped");
    }
    assert!(
        page.contains("&lt;script&gt;alert(") || page.contains("&#60;script&#62;alert("),
        "{what} shows the text, escaped"
    );
}

#[tokio::test]
async fn user_text_is_always_escaped() {
    let app = TestApp::spawn().await;
    let lead_id = casemark::accounts::add_user(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        "lead@example.gov.uk",
        Some(ATTACK),
        support::PASSWORD,
        UserRole::Lead,
    )
    .await
    .expect("lead");
    assert!(lead_id > 0);
    let api: Api = app.api_for("lead@example.gov.uk").await;
    let created = api
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": ATTACK, "region": "Wales", "fieldwork_start": "2026-06-01"}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    api.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let added = api
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": SHORT_ATTACK, "sentence_type": "licence", "office": ATTACK}]))
        .await;
    added.assert_status(StatusCode::CREATED);
    let case = added.json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("case");
    api.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": {"answer": "no", "rationale": ATTACK}}}))
        .await
        .assert_status_ok();
    api.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": {"rating": "good", "strengths": ATTACK, "areas_for_improvement": ATTACK}}))
        .await
        .assert_status_ok();
    let survey = api
        .server
        .post(&format!("/api/v1/inspections/{id}/staff-survey"))
        .json(&json!({"question": ATTACK, "positive": 1, "respondents": 2}))
        .await;
    survey.assert_status(StatusCode::CREATED);
    let item = survey.json::<Value>()["id"].as_i64().expect("item");
    api.server
        .post(&format!("/api/v1/inspections/{id}/domain-one/evidence"))
        .json(
            &json!({"question": "1.1.1", "kind": "strength", "source": "staff_survey",
                      "text": ATTACK, "survey_item": item}),
        )
        .await
        .assert_status(StatusCode::CREATED);

    let browser: Browser = app.sign_in("lead@example.gov.uk").await;
    for path in [
        "/".to_owned(),
        format!("/inspections/{id}"),
        format!("/inspections/{id}/ratings"),
        format!("/inspections/{id}/domain-one"),
        format!("/inspections/{id}/domain-one/1.1"),
        format!("/inspections/{id}/staff-survey"),
        format!("/inspections/{id}/history"),
        format!("/cases/{case}"),
        format!("/cases/{case}/standards/2.1"),
        format!("/cases/{case}/facts"),
        format!("/cases/{case}/history"),
        "/my-cases".to_owned(),
    ] {
        let page = browser.get(&path).await;
        page.assert_status_ok();
        assert_escaped(&page.text(), &path);
    }
    // A form sent back with errors shows what was typed, escaped.
    let refused = browser
        .post_form(
            &format!("/cases/{case}/standards/2.1"),
            &[("kq-2.1.2", "maybe"), ("rationale-2.1.2", ATTACK)],
        )
        .await;
    assert_eq!(refused.status_code(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_escaped(&refused.text(), "the standard form with errors");
}

#[tokio::test]
async fn text_over_its_limit_is_refused_with_a_message_and_writes_nothing() {
    let t = TestApp::spawn().await;
    let api = t.api("lead@example.gov.uk", UserRole::Lead).await;
    let created = api
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Swansea", "region": "Wales", "fieldwork_start": "2026-06-01"}))
        .await;
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    let before = writes(&t).await;
    let status = api
        .server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork", "reason": "x".repeat(2001)}))
        .await;
    status.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        status.text().contains("2000 characters or fewer"),
        "{}",
        status.text()
    );
    assert_eq!(t.status_of(id).await, "setup");
    api.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let added = api
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "A1", "sentence_type": "licence"}]))
        .await;
    let case = added.json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("case");
    let before_save = writes(&t).await;
    assert_ne!(before, before_save);
    let long = api
        .server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(
            &json!({"key_questions": {"2.1.1": {"answer": "yes", "rationale": "y".repeat(5001)}}}),
        )
        .await;
    long.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        long.text().contains("5000 characters or fewer"),
        "{}",
        long.text()
    );
    assert_eq!(writes(&t).await, before_save);
}

/// Audit events and judgements: what a refused request must not change.
async fn writes(app: &TestApp) -> (i64, i64, i64) {
    let audit = app.count("select count(*) from audit_event").await;
    let judgements = app
        .count("select count(*) from key_question_judgement")
        .await;
    let cases = app.count("select count(*) from sample_case").await;
    (audit, judgements, cases)
}

fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2.1.1".to_owned()),
        Just("2.4.3".to_owned()),
        Just("2.1.1.a".to_owned()),
        Just("9.9.9".to_owned()),
        Just(String::new()),
        "\\PC{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            Just("yes".to_owned()),
            Just("no".to_owned()),
            Just("na".to_owned()),
            "\\PC{0,40}",
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    code(),
                    Just("answer".to_owned()),
                    Just("rationale".to_owned()),
                    Just("key_questions".to_owned()),
                    Just("prompts".to_owned()),
                    Just("complete".to_owned()),
                    Just("revision".to_owned()),
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One app for all generated cases of a property: setting up a database per
/// case would make a few hundred cases take minutes.
struct Target {
    app: TestApp,
    api: Api,
    browser: Browser,
    inspection: i64,
    case: i64,
    // Last: dropped after the clients that ran on it.
    runtime: tokio::runtime::Runtime,
}

fn target() -> Target {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (app, api, browser, inspection, case) = runtime.block_on(async {
        let app = TestApp::spawn().await;
        let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
        let browser = app.sign_in("lead@example.gov.uk").await;
        let (inspection, cases) = support::marking_fixture(&api.server, 1).await;
        (app, api, browser, inspection, cases[0])
    });
    Target {
        app,
        api,
        browser,
        inspection,
        case,
        runtime,
    }
}

/// Sends a request, then checks the rule for every parser: no 500, and a
/// 4xx changed nothing.
fn check<F>(t: &Target, send: F) -> Result<(), TestCaseError>
where
    F: AsyncFnOnce(&Target) -> axum_test::TestResponse,
{
    t.runtime.block_on(async {
        let before = writes(&t.app).await;
        let response = send(t).await;
        let status = response.status_code();
        prop_assert!(!status.is_server_error(), "{status}: {}", response.text());
        if status.is_client_error() {
            prop_assert_eq!(writes(&t.app).await, before, "a refused request wrote");
        }
        Ok(())
    })
}

/// Runs a property over `cases` generated inputs against one target.
fn property<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(&Target, S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let t = target();
    let config = ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let mut runner = proptest::test_runner::TestRunner::new(config);
    if let Err(e) = runner.run(&strategy, |value| test(&t, value)) {
        panic!("{e}");
    }
}

#[test]
fn json_judgement_bodies_never_cause_a_500() {
    property(128, json_value(), |t, body| {
        check(t, async |t| {
            t.api
                .server
                .put(&format!("/api/v1/cases/{}/judgements", t.case))
                .json(&body)
                .await
        })
    });
}

#[test]
fn raw_api_bodies_never_cause_a_500() {
    property(128, ("\\PC{0,200}", any::<bool>()), |t, (body, csv)| {
        check(t, async |t| {
            let (request, content_type) = if csv {
                let path = format!("/api/v1/inspections/{}/cases", t.inspection);
                (t.api.server.post(&path), "text/csv")
            } else {
                let path = format!("/api/v1/cases/{}/judgements", t.case);
                (t.api.server.put(&path), "application/json")
            };
            request.bytes(body.into()).content_type(content_type).await
        })
    });
}

#[test]
fn standard_forms_never_cause_a_500() {
    let field = prop_oneof![
        Just("kq-2.1.1".to_owned()),
        Just("rationale-2.1.1".to_owned()),
        Just("prompt-2.1.1.a".to_owned()),
        Just("revision".to_owned()),
        "\\PC{0,12}",
    ];
    let fields = prop::collection::vec((field, "\\PC{0,30}"), 0..6);
    property(128, fields, |t, fields| {
        check(t, async |t| {
            t.browser
                .post_form(&format!("/cases/{}/standards/2.1", t.case), &fields)
                .await
        })
    });
}

#[test]
fn case_list_files_never_cause_a_500() {
    property(96, "[a-zA-Z0-9 ,;\"\\n\\r\\t/-]{0,300}", |t, rows| {
        check(t, async |t| {
            let csv = format!("reference,sentence_type\n{rows}");
            t.browser
                .server
                .post(&format!("/inspections/{}/cases/import", t.inspection))
                .multipart(t.browser.multipart().add_text("csv", csv))
                .await
        })
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(text) = casemark::csv_file::decode(&bytes) {
            let _ = casemark::intake::parse_csv(text);
            let _ = casemark::annexe::import::parse(text);
        }
        let text = String::from_utf8_lossy(&bytes);
        let _ = casemark::intake::parse_csv(&text);
        let _ = casemark::annexe::import::parse(&text);
        let _ = casemark::intake::parse_date(&text);
    }
}
