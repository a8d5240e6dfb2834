//! Quality assurance end to end: local assessors and quality leads on the
//! team, the QA sample (chosen, random with a seed, every case of local
//! assessors), blind second marking on every route, agreement figures
//! worked out by hand, adjudication that moves the ratings, and publishing
//! held until every disagreement has its final answer.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Browser, KEY_QUESTIONS, TestApp};

const LEAD: &str = "lead@example.gov.uk";
const INSPECTOR: &str = "inspector@example.gov.uk";
const ASSESSOR: &str = "assessor@example.gov.uk";
const QUALITY: &str = "quality@example.gov.uk";

/// The first marker's rationale on 2.1.3 of case `index`: text that must
/// never reach a blind second marker.
fn first_rationale(index: usize) -> String {
    format!("First marking of case {index}: no police checks")
}

/// Every key question Yes but 2.1.3 No (with its rationale): a first
/// marking, marked complete.
fn first_marking(index: usize) -> Value {
    let mut key_questions: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    key_questions.insert(
        "2.1.3".into(),
        json!({"answer": "no", "rationale": first_rationale(index)}),
    );
    json!({"key_questions": key_questions, "complete": true})
}

struct Team {
    app: TestApp,
    lead: Api,
    assessor: Api,
    quality: Api,
    id: i64,
    /// 0–2 marked by the inspector, 3–5 by the local assessor.
    cases: Vec<i64>,
}

/// An inspection in fieldwork with an inspector, a local assessor and a
/// quality lead; six cases, each first-marked and completed by its marker.
async fn team() -> Team {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let inspector = app.api(INSPECTOR, UserRole::Inspector).await;
    let assessor = app.api(ASSESSOR, UserRole::Inspector).await;
    let quality = app.api(QUALITY, UserRole::Inspector).await;
    let (id, cases) = support::build(&lead.server)
        .member(INSPECTOR, "inspector")
        .member(ASSESSOR, "local_assessor")
        .member(QUALITY, "quality_lead")
        .licence_cases(6)
        .assign(0, INSPECTOR)
        .assign(1, INSPECTOR)
        .assign(2, INSPECTOR)
        .assign(3, ASSESSOR)
        .assign(4, ASSESSOR)
        .assign(5, ASSESSOR)
        .await_built()
        .await
        .parts();
    for (index, case) in cases.iter().enumerate() {
        let marker = if index < 3 { &inspector } else { &assessor };
        marker
            .server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&first_marking(index))
            .await
            .assert_status_ok();
    }
    Team {
        app,
        lead,
        assessor,
        quality,
        id,
        cases,
    }
}

/// A full second marking: every key question Yes, with `changes` on top.
fn second_marking(changes: &[(&str, &str)], submit: bool) -> Value {
    let mut key_questions: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    for (code, answer) in changes {
        key_questions.insert(
            (*code).to_owned(),
            json!({"answer": answer, "rationale": format!("Second marker on {code}")}),
        );
    }
    json!({"key_questions": key_questions, "submit": submit})
}

/// A key question's (Yes, No) counts from the ratings document.
fn yes_no(ratings: &Value, code: &str) -> (Value, Value) {
    let kq = ratings["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .flat_map(|s| s["key_questions"].as_array().cloned().unwrap_or_default())
        .find(|k| k["code"] == code)
        .unwrap_or_else(|| panic!("{code}"));
    (kq["yes"].clone(), kq["no"].clone())
}

/// Every GET route of both front ends, as `who` sees it, with the
/// inspection and case ids filled in: none may show `secret`.
async fn walk_every_get_route(
    browser: &Browser,
    api: &Api,
    inspection: i64,
    case: i64,
    secret: &str,
) -> Vec<String> {
    let mut leaks = Vec::new();
    let mut walked = 0;
    for (method, pattern) in casemark::route_list() {
        if method != "GET" {
            continue;
        }
        let id = if pattern.contains("/cases/") {
            case.to_string()
        } else if pattern.contains("/regions/") {
            "1".to_owned()
        } else {
            inspection.to_string()
        };
        let mut path = pattern
            .replace("{id}", &id)
            .replace("{code}", "2.1")
            .replace("{standard}", "1.1");
        if pattern.ends_with("/inspections/{id}") {
            // The drill-down behind a dashboard count.
            path.push_str("?kq=2.1.3&answer=no");
        }
        let response = if path.starts_with("/api/") {
            api.server.get(&path).await
        } else {
            browser.get(&path).await
        };
        walked += 1;
        if response.text().contains(secret) {
            leaks.push(format!("{path} ({})", response.status_code()));
        }
    }
    assert!(walked > 30, "walked {walked} GET routes");
    leaks
}

#[tokio::test]
async fn a_quality_lead_samples_second_marks_blind_and_adjudicates() {
    let Team {
        app,
        lead,
        assessor,
        quality,
        id,
        cases,
    } = team().await;

    // Each case records its first marker and the membership they marked in.
    let csv = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.csv"))
        .await
        .text();
    let header = csv.lines().next().expect("header");
    assert!(
        header.ends_with(",marked_by,marked_as,licence_weeks,question_set,case_type"),
        "{header}"
    );
    // The PDU framework has no question sets or case types, and these
    // cases no licence length: the three last columns are blank.
    assert!(
        csv.lines()
            .any(|l| l.starts_with(&format!("{id},")) && l.ends_with(",Local assessor,,,"))
    );
    assert!(csv.lines().any(|l| l.ends_with(",Inspector,,,")));

    // The local assessor may not pick a sample; the quality lead may.
    assessor
        .server
        .post(&format!("/api/v1/inspections/{id}/qa/sample"))
        .json(&json!({"local_assessors": true, "marker": QUALITY}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let sampled = quality
        .server
        .post(&format!("/api/v1/inspections/{id}/qa/sample"))
        .json(&json!({"local_assessors": true, "marker": QUALITY}))
        .await;
    sampled.assert_status(StatusCode::CREATED);
    let sampled: Vec<i64> = sampled.json::<Value>()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["case_id"].as_i64().expect("id"))
        .collect();
    assert_eq!(
        sampled,
        cases[3..].to_vec(),
        "every case of the local assessor"
    );

    // Blind: nothing the quality lead can reach shows case 3's first
    // marking while their second marking of it is open.
    let browser = app.sign_in(QUALITY).await;
    let leaks = walk_every_get_route(&browser, &quality, id, cases[3], &first_rationale(3)).await;
    assert!(
        leaks.is_empty(),
        "first marking shown to the blind second marker: {leaks:?}"
    );
    let refused = quality
        .server
        .get(&format!("/api/v1/cases/{}", cases[3]))
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(refused.text().contains("hidden from you until you submit"));
    // Others' cases are not hidden from them: the check above can fail.
    assert!(
        quality
            .server
            .get(&format!("/api/v1/cases/{}", cases[0]))
            .await
            .text()
            .contains(&first_rationale(0))
    );

    // Second marking: all twelve before submitting.
    let incomplete = quality
        .server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[3]))
        .json(&json!({"key_questions": {"2.1.1": "yes"}, "submit": true}))
        .await;
    incomplete.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        incomplete.json::<Value>()["errors"]
            .as_array()
            .map(Vec::len),
        Some(11)
    );
    // Case 3: Yes on 2.1.3 (first: No) and No on 2.2.1 (first: Yes).
    let submitted = quality
        .server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[3]))
        .json(&second_marking(&[("2.1.3", "yes"), ("2.2.1", "no")], true))
        .await;
    submitted.assert_status_ok();
    let submitted = submitted.json::<Value>();
    assert_eq!(submitted["submitted"], json!(true));
    assert_eq!(
        submitted["first"]["2.1.3"],
        json!({"answer": "no", "rationale": first_rationale(3)})
    );
    // Case 4 agrees throughout.
    quality
        .server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[4]))
        .json(&second_marking(&[("2.1.3", "no")], true))
        .await
        .assert_status_ok();
    // Submitted: case 3 is no longer hidden; case 5 still is.
    quality
        .server
        .get(&format!("/api/v1/cases/{}", cases[3]))
        .await
        .assert_status_ok();
    quality
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.csv"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // A submitted marking cannot change.
    quality
        .server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[3]))
        .json(&second_marking(&[], false))
        .await
        .assert_status(StatusCode::CONFLICT);

    // Second markings never count: 2.1.3 is still No on all six cases.
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(yes_no(&ratings, "2.1.3"), (json!(0), json!(6)));

    // Agreement over 24 pairs (2 cases × 12): Yes/Yes 21, Yes/No 1 (2.2.1),
    // No/Yes 1 (2.1.3 of case 3), No/No 1 (2.1.3 of case 4). Agreed 22:
    // 91.7%, shown rounded down as 91. Each marker answered Yes 22 times and
    // No twice: pₑ = (22/24)² + (2/24)² = 488/576; κ = (22/24 − 488/576) /
    // (1 − 488/576) = 40/88 = 0.455.
    let qa = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/qa"))
        .await
        .json::<Value>();
    assert_eq!(
        (
            qa["pairs"].clone(),
            qa["agreed"].clone(),
            qa["agreement_percent"].clone(),
            qa["kappa"].clone()
        ),
        (json!(24), json!(22), json!(91), json!(0.455))
    );
    assert_eq!(qa["few_pairs"], json!(false));
    let kq = |code: &str| {
        qa["key_questions"]
            .as_array()
            .expect("key questions")
            .iter()
            .find(|k| k["code"] == code)
            .cloned()
            .expect("key question")
    };
    // 2.1.3: one pair agrees of two; each marker said No once, Yes once:
    // pₑ = 0.5, κ = 0.
    assert_eq!(
        (
            kq("2.1.3")["pairs"].clone(),
            kq("2.1.3")["agreement_percent"].clone(),
            kq("2.1.3")["kappa"].clone()
        ),
        (json!(2), json!(50), json!(0.0))
    );
    assert_eq!(kq("2.1.3")["few_pairs"], json!(true));
    // Assessment from these two cases: first markings 2.1.3 0 of 2
    // (Inadequate); second markings 1 of 2 (50%, Requires improvement).
    let assessment = support::standard_in(&qa, "2.1");
    assert_eq!(
        (
            assessment["rating_first"].clone(),
            assessment["rating_second"].clone(),
            assessment["rating_agrees"].clone()
        ),
        (
            json!("inadequate"),
            json!("requires_improvement"),
            json!(false)
        )
    );
    // Both submitted cases were first-marked by the local assessor.
    assert_eq!(qa["markers"][0]["first_marker"], json!("assessor"));
    assert_eq!(qa["markers"][0]["pairs"], json!(24));
    assert_eq!(qa["disagreements"].as_array().map(Vec::len), Some(2));
    assert_eq!(qa["unadjudicated"], json!(2));

    // The dashboard says so in a line; the workbook has it all.
    let dashboard = app
        .sign_in(LEAD)
        .await
        .get(&format!("/inspections/{id}/ratings"))
        .await
        .text();
    assert!(
        dashboard.contains(
            "2 of 3 cases in the QA sample second-marked; 91% of answers the same \
             (Cohen&#39;s κ 0.45); 2 disagreements awaiting a final answer."
        ),
        "the dashboard's QA line: {}",
        dashboard
            .split("id=\"qa\"")
            .nth(1)
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect::<String>()
    );
    let rows = crate::support::workbook_sheet(&lead.server, id, "Quality assurance").await;
    assert!(
        rows.iter()
            .any(|r| r.len() > 4 && r[0] == "Overall" && r[3] == "24" && r[4] == "22"),
        "{rows:?}"
    );
    assert!(rows.iter().any(|r| r.len() > 4
        && r[0] == "R003"
        && r[1] == "2.1.3"
        && r[3] == "No"
        && r[4] == first_rationale(3)));
    let marked_as: Vec<String> = crate::support::workbook_sheet(&lead.server, id, "Cases")
        .await
        .into_iter()
        .skip(1)
        // "Marked as", then the licence length, question set and case type,
        // blank here.
        .filter_map(|r| r.iter().rev().nth(3).cloned())
        .collect();
    assert_eq!(
        marked_as,
        [
            "Inspector",
            "Inspector",
            "Inspector",
            "Local assessor",
            "Local assessor",
            "Local assessor"
        ]
    );

    // Publishing waits for every disagreement's final answer.
    for status in ["moderation", "published"] {
        let response = lead
            .server
            .put(&format!("/api/v1/inspections/{id}/status"))
            .json(&json!({"status": status}))
            .await;
        if status == "published" {
            response.assert_status(StatusCode::CONFLICT);
            let message = response.text();
            assert!(
                message.contains("2 disagreements")
                    && message.contains("case R003 on 2.1.3, case R003 on 2.2.1"),
                "{message}"
            );
        } else {
            response.assert_status_ok();
        }
    }

    // Adjudication: an agreement cannot be adjudicated, a reason is needed.
    let refused = quality
        .server
        .put(&format!("/api/v1/cases/{}/adjudication", cases[3]))
        .json(&json!({"2.1.1": {"answer": "yes", "reason": "x"}, "2.1.3": {"answer": "yes"}}))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json::<Value>()["errors"].as_array().map(Vec::len),
        Some(2)
    );
    // 2.1.3 becomes Yes (the case's answer changes); 2.2.1 stays Yes.
    quality
        .server
        .put(&format!("/api/v1/cases/{}/adjudication", cases[3]))
        .json(&json!({
            "2.1.3": {"answer": "yes", "reason": "The police checks are in the contact log."},
            "2.2.1": {"answer": "yes", "reason": "Planning did engage the person."},
        }))
        .await
        .assert_status_ok();
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(yes_no(&ratings, "2.1.3"), (json!(1), json!(5)));
    assert_eq!(yes_no(&ratings, "2.2.1"), (json!(6), json!(0)));
    // The audit trail names both markers' answers and the reason.
    let history = lead
        .server
        .get(&format!("/api/v1/cases/{}/history", cases[3]))
        .await
        .json::<Value>();
    let events = history.as_array().expect("events");
    assert!(events.iter().any(|e| e["entity"] == "adjudication"
        && e["code"] == "2.1.3"
        && e["old_value"] == "first marker No, second marker Yes"
        && e["new_value"] == "yes"));
    assert!(events.iter().any(|e| {
        e["entity"] == "judgement"
            && e["code"] == "2.1.3"
            && e["old_value"] == "no"
            && e["new_value"] == "yes"
            && e["reason"]
                .as_str()
                .is_some_and(|r| r.starts_with("Adjudicated:"))
    }));
    // Agreement is still measured against the first marking as it was.
    let qa = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/qa"))
        .await
        .json::<Value>();
    assert_eq!(
        (qa["agreed"].clone(), qa["unadjudicated"].clone()),
        (json!(22), json!(0))
    );
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "published"}))
        .await
        .assert_status_ok();
    drop(app);
}

#[tokio::test]
async fn a_random_draw_with_a_seed_is_the_same_twice() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    app.user(QUALITY, UserRole::Inspector).await;
    let mut drawn = Vec::new();
    for pdu in ["Swansea", "Cardiff and Vale"] {
        let mut built = support::build(&lead.server)
            .pdu(pdu)
            .member(QUALITY, "quality_lead")
            .licence_cases(20);
        for index in 0..20 {
            built = built.answers(index, first_marking(index));
        }
        let id = built.await_built().await.id;
        let response = lead
            .server
            .post(&format!("/api/v1/inspections/{id}/qa/sample"))
            .json(&json!({"random": 5, "seed": 2026, "marker": QUALITY}))
            .await;
        response.assert_status(StatusCode::CREATED);
        let cases = response.json::<Value>()["cases"].clone();
        assert!(cases.as_array().is_some_and(|c| {
            c.iter()
                .all(|c| c["seed"] == json!(2026) && c["chosen"] == "random")
        }));
        drawn.push(
            cases
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| c["reference"].as_str().expect("reference").to_owned())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(drawn[0].len(), 5);
    assert_eq!(
        drawn[0], drawn[1],
        "the same cases, seed and size draw the same sample"
    );
}

#[tokio::test]
async fn quality_assurance_refuses_what_it_should_and_writes_nothing() {
    let Team {
        app,
        lead,
        quality,
        id,
        cases,
        ..
    } = team().await;
    let before = app.fingerprint().await;
    for (body, field) in [
        (json!({"random": 2, "seed": 1}), "marker"),
        (json!({"random": 2, "marker": QUALITY}), "seed"),
        (
            json!({"cases": [cases[0]], "random": 2, "seed": 1, "marker": QUALITY}),
            "cases",
        ),
        (json!({"cases": [cases[0]], "marker": ASSESSOR}), "marker"),
        (json!({"cases": [cases[0]], "marker": INSPECTOR}), "marker"),
        (json!({"cases": [999_999], "marker": QUALITY}), "cases"),
        (json!({"random": 0, "seed": 1, "marker": QUALITY}), "random"),
    ] {
        let response = lead
            .server
            .post(&format!("/api/v1/inspections/{id}/qa/sample"))
            .json(&body)
            .await;
        response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            response.json::<Value>()["errors"][0]["field"],
            json!(field),
            "{body}"
        );
    }
    // Someone not named cannot second-mark; nobody can before sampling.
    quality
        .server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[0]))
        .json(&second_marking(&[], false))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(before, app.fingerprint().await, "nothing written");
    lead.server
        .post(&format!("/api/v1/inspections/{id}/qa/sample"))
        .json(&json!({"cases": [cases[0]], "marker": QUALITY}))
        .await
        .assert_status(StatusCode::CREATED);
    lead.server
        .put(&format!("/api/v1/cases/{}/second-marking", cases[0]))
        .json(&second_marking(&[], false))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Adjudication before the second marking is submitted: 409.
    lead.server
        .put(&format!("/api/v1/cases/{}/adjudication", cases[0]))
        .json(&json!({"2.1.3": {"answer": "yes", "reason": "r"}}))
        .await
        .assert_status(StatusCode::CONFLICT);
}
