//! Hostile and broken input: every parser casemark owns is fed generated
//! input and must never panic or answer 500, and a refused request must
//! write nothing; user text with markup in every free-text field must come
//! back escaped on every page that shows it.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

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

/// The characters most likely to break something: NUL, the other C0 and
/// the C1 controls, DEL, bidi overrides and isolates, zero-width
/// characters, a byte-order mark in mid-text, astral-plane characters, and
/// markup and CSV punctuation, among ordinary letters.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => prop::char::range('a', 'z'),
        1 => Just('\0'),
        1 => prop::char::range('\u{1}', '\u{1f}'),
        1 => Just('\u{7f}'),
        1 => prop::char::range('\u{80}', '\u{9f}'),
        1 => prop::sample::select(vec!['\u{202a}', '\u{202b}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2069}']),
        1 => prop::sample::select(vec!['\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}']),
        1 => prop::sample::select(vec!['\u{1d11e}', '\u{1f600}', '\u{10ffff}', 'é', 'İ', 'ß']),
        1 => prop::sample::select(vec!['<', '>', '&', '"', '\'', ',', ';', '\n', '\r', '\t', '=', '\\']),
        1 => any::<char>(),
    ]
}

/// Text of up to `max` hostile characters.
fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..=max).prop_map(String::from_iter)
}

fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("2.1.1".to_owned()),
        Just("2.4.3".to_owned()),
        Just("2.1.1.a".to_owned()),
        Just("9.9.9".to_owned()),
        Just(String::new()),
        hostile_text(12),
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
            hostile_text(40),
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
        let (inspection, cases) = support::build(&api.server)
            .licence_cases(1)
            .await_built()
            .await
            .parts();
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
/// 4xx changed nothing in any table (`TestApp::fingerprint`).
fn check<F>(t: &Target, send: F) -> Result<(), TestCaseError>
where
    F: AsyncFnOnce(&Target) -> axum_test::TestResponse,
{
    t.runtime.block_on(async {
        let before = t.app.fingerprint().await;
        let response = send(t).await;
        let status = response.status_code();
        prop_assert!(!status.is_server_error(), "{status}: {}", response.text());
        if status.is_client_error() {
            prop_assert_eq!(t.app.fingerprint().await, before, "a refused request wrote");
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
    property(128, (hostile_text(200), any::<bool>()), |t, (body, csv)| {
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
        hostile_text(12),
    ];
    let fields = prop::collection::vec((field, hostile_text(30)), 0..6);
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
    property(96, case_rows(), |t, rows| {
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

/// Rows of a case list: CSV punctuation and hostile characters among
/// references and sentence types that would otherwise be accepted.
fn case_rows() -> impl Strategy<Value = String> {
    let cell = prop_oneof![
        3 => "[A-Z]{1,3}[0-9]{1,4}",
        2 => Just("licence".to_owned()),
        1 => Just("community_order".to_owned()),
        3 => hostile_text(12),
    ];
    let row = (cell.clone(), cell).prop_map(|(a, b)| format!("{a},{b}"));
    prop::collection::vec(row, 0..8).prop_map(|rows| rows.join("\n"))
}

/// The confirm step writes: a file that passes every check is added, and
/// one that fails (a control character, a bad row) writes nothing.
#[test]
fn case_list_confirmations_never_cause_a_500() {
    property(96, case_rows(), |t, rows| {
        check(t, async |t| {
            let csv = format!("reference,sentence_type\n{rows}");
            t.browser
                .post_form(
                    &format!("/inspections/{}/cases/import/confirm", t.inspection),
                    &[("csv", csv)],
                )
                .await
        })
    });
}

/// A JSON object with the fields a body takes, each holding hostile text
/// or a value of another type.
fn json_object(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        6 => hostile_text(30).prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
    ];
    prop::collection::btree_map(prop::sample::select(fields), value, 0..=fields.len())
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()))
}

/// Every JSON body of the API: inspections, members, evidence, the staff
/// survey, domain one and quality assurance, with hostile values in their
/// fields.
#[test]
fn every_json_body_refuses_hostile_text_without_a_500() {
    type Body = (&'static str, &'static str, &'static [&'static str]);
    const BODIES: [Body; 15] = [
        (
            "PUT",
            "/api/v1/inspections/{i}/recommendations",
            &["recommendations"],
        ),
        (
            "POST",
            "/api/v1/inspections",
            &["pdu", "region", "fieldwork_start", "sample_week_1"],
        ),
        (
            "POST",
            "/api/v1/region-inspections",
            &["region", "fieldwork_start", "pdu_inspections", "framework"],
        ),
        ("PUT", "/api/v1/inspections/{i}/members", &["email", "role"]),
        (
            "POST",
            "/api/v1/inspections/{i}/domain-one/evidence",
            &["question", "kind", "source", "text"],
        ),
        (
            "POST",
            "/api/v1/inspections/{i}/staff-survey",
            &["question", "positive", "respondents"],
        ),
        (
            "PUT",
            "/api/v1/inspections/{i}/domain-one",
            &["1.1", "1.2", "1.3"],
        ),
        (
            "PUT",
            "/api/v1/inspections/{i}/domain-one/judgements",
            &["1.1.1", "1.2.1", "1.3.1"],
        ),
        (
            "PUT",
            "/api/v1/cases/{c}/facts",
            &[
                "reference",
                "sentence_type",
                "office",
                "licence_weeks",
                "case_type",
            ],
        ),
        (
            "POST",
            "/api/v1/inspections/{i}/qa/sample",
            &["marker", "cases", "random", "seed", "local_assessors"],
        ),
        (
            "PUT",
            "/api/v1/cases/{c}/second-marking",
            &["key_questions", "prompts", "submit"],
        ),
        ("PUT", "/api/v1/cases/{c}/adjudication", &["2.1.3", "2.2.1"]),
        ("PUT", "/api/v1/cases/{c}/question-set", &["set", "reason"]),
        (
            "POST",
            "/api/v1/inspections/{i}/sample/draw",
            &["size", "buffer_percent", "seed", "confirm"],
        ),
        ("POST", "/api/v1/cases/{c}/replace", &["reason"]),
    ];
    let strategy = (0..BODIES.len()).prop_flat_map(|i| (Just(i), json_object(BODIES[i].2)));
    property(224, strategy, |t, (i, body)| {
        let (method, path, _) = BODIES[i];
        let path = path
            .replace("{i}", &t.inspection.to_string())
            .replace("{c}", &t.case.to_string());
        check(t, async |t| match method {
            "POST" => t.api.server.post(&path).json(&body).await,
            _ => t.api.server.put(&path).json(&body).await,
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
        let _ = casemark_rules::Selector::parse(&text, &casemark::framework_file::case_facts());
        let _ = casemark::long_list::parse(&text);
    }
}
