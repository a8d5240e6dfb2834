//! Question sets chosen by case facts (docs/frameworks.md, "Question
//! sets"): a short licence gets the adjusted set and says why, its key
//! questions count only over the cases whose set asks them, and the lead
//! can choose another set with a reason, which removes (and audits) the
//! answers the new set does not ask.
//!
//! One scenario told from start to finish, every expected figure worked by
//! hand in the comments.

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};

use crate::frameworks::{export, fieldwork_under, import_file, lead_page, with_question_sets};
use crate::support::{KEY_QUESTIONS, TestApp, ratings, standard_in};

/// Adds one case through the API with its sentence and licence length.
async fn add(lead: &crate::support::Api, inspection: i64, case: Value) -> i64 {
    let added = lead
        .server
        .post(&format!("/api/v1/inspections/{inspection}/cases"))
        .json(&json!([case]))
        .await;
    added.assert_status(StatusCode::CREATED);
    added.json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("id")
}

fn answers(codes: &[&str], answer: &str) -> serde_json::Map<String, Value> {
    codes
        .iter()
        .map(|code| ((*code).to_owned(), json!(answer)))
        .collect()
}

fn key_question(ratings: &Value, code: &str) -> Value {
    let standard = standard_in(ratings, &code[..3]);
    standard["key_questions"]
        .as_array()
        .expect("key questions")
        .iter()
        .find(|k| k["code"] == json!(code))
        .expect("key question")
        .clone()
}

/// (yes, no, cases asked, cases not yet answered) of a key question.
fn counted(ratings: &Value, code: &str) -> (Value, Value, Value, Value) {
    let kq = key_question(ratings, code);
    (
        kq["yes"].clone(),
        kq["no"].clone(),
        kq["cases_asked"].clone(),
        kq["unjudged"].clone(),
    )
}

const ADJUSTED: [&str; 6] = ["2.1.3", "2.1.1", "2.1.2", "2.2.3", "2.3.1", "2.3.3"];

#[tokio::test]
async fn a_short_licence_gets_the_adjusted_set_and_its_key_questions_count_only_where_they_apply() {
    let app = TestApp::spawn().await;
    let file = with_question_sets("dipp-2025");
    import_file(&app, &file).await;
    // The sets are stored and export as they were read.
    assert_eq!(export(&app, "dipp-2025").await, file);

    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = fieldwork_under(&lead, "dipp-2025").await;
    app.user("inspector@example.gov.uk", UserRole::Inspector)
        .await;
    lead.server
        .put(&format!("/api/v1/inspections/{id}/members"))
        .json(&json!({"email": "inspector@example.gov.uk", "role": "inspector"}))
        .await
        .assert_status_ok();

    // A licence of 8 weeks or less is adjusted (8 is the edge); 9 weeks, a
    // community order and a licence of unrecorded length are core.
    let short = add(
        &lead,
        id,
        json!({"reference": "S6", "sentence_type": "licence", "licence_weeks": 6}),
    )
    .await;
    let edge = add(
        &lead,
        id,
        json!({"reference": "S8", "sentence_type": "licence", "licence_weeks": "8"}),
    )
    .await;
    let long = add(
        &lead,
        id,
        json!({"reference": "L9", "sentence_type": "licence", "licence_weeks": 9}),
    )
    .await;
    let community = add(
        &lead,
        id,
        json!({"reference": "CO", "sentence_type": "community_order"}),
    )
    .await;
    let unknown = add(
        &lead,
        id,
        json!({"reference": "LU", "sentence_type": "licence"}),
    )
    .await;
    // A licence length on a community order is refused beside its field.
    let refused = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "X", "sentence_type": "community_order", "licence_weeks": 4}]))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json::<Value>()["errors"][0]["field"],
        json!("[0].licence_weeks")
    );

    let set_of = |case: i64| {
        let server = &lead.server;
        async move {
            server
                .get(&format!("/api/v1/cases/{case}"))
                .await
                .json::<Value>()["question_set"]
                .clone()
        }
    };
    let adjusted = set_of(short).await;
    assert_eq!(adjusted["code"], json!("adjusted"));
    assert_eq!(
        adjusted["reason"],
        json!("Sentence type is licence and licence weeks is 6 (8 or fewer).")
    );
    assert_eq!(adjusted["overridden"], json!(false));
    // In framework order, whatever the file's order.
    assert_eq!(
        adjusted["key_questions"],
        json!(["2.1.1", "2.1.2", "2.1.3", "2.2.3", "2.3.1", "2.3.3"])
    );
    assert_eq!(set_of(edge).await["code"], json!("adjusted"));
    for case in [long, community, unknown] {
        let core = set_of(case).await;
        assert_eq!(core["code"], json!("core"));
        assert_eq!(
            core["reason"],
            json!(
                "The case meets no other set's condition (Adjusted: sentence_type = licence and licence_weeks <= 8)."
            )
        );
        assert_eq!(core["key_questions"].as_array().map(Vec::len), Some(12));
    }

    // The adjusted case is not asked 2.4.1: an answer to it is refused and
    // nothing is written; it is complete once its six are answered.
    let not_asked = lead
        .server
        .put(&format!("/api/v1/cases/{short}/judgements"))
        .json(&json!({"key_questions": {"2.4.1": "yes", "2.1.1": "yes"}}))
        .await;
    not_asked.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let body = not_asked.json::<Value>();
    assert_eq!(
        body["errors"][0]["field"],
        json!("key_questions.2.4.1"),
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("its question set (Adjusted) leaves it out")),
        "{body}"
    );
    for (case, answer) in [(short, "yes"), (edge, "no")] {
        lead.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": answers(&ADJUSTED, answer), "complete": true}))
            .await
            .assert_status_ok();
    }
    // The long licence: all twelve No, complete.
    lead.server
        .put(&format!("/api/v1/cases/{long}/judgements"))
        .json(&json!({"key_questions": answers(&KEY_QUESTIONS, "no"), "complete": true}))
        .await
        .assert_status_ok();

    // 2.1.1 is asked of all five: S6 Yes, S8 No, L9 No; CO and LU to come.
    // 2.4.1 is asked of the three core cases only: L9 No; two to come.
    let rated = ratings(&lead.server, id).await;
    assert_eq!(
        counted(&rated, "2.1.1"),
        (json!(1), json!(2), json!(5), json!(2))
    );
    assert_eq!(
        counted(&rated, "2.4.1"),
        (json!(0), json!(1), json!(3), json!(2))
    );
    // Without sets 2.4.1 would be waiting on four cases and could reach
    // 80% (4 of 5): counted over the cases asked, at best 2 of 3 (67%).
    assert_eq!(
        key_question(&rated, "2.4.1")["range"],
        json!({"worst": 0, "best": 67})
    );
    let dashboard = lead_page(&app, &format!("/inspections/{id}/ratings")).await;
    assert!(
        dashboard
            .contains("Asked of 3 of the 5 cases: the others&#39; question set leaves it out.")
            || dashboard
                .contains("Asked of 3 of the 5 cases: the others' question set leaves it out."),
        "the dashboard says over how many cases"
    );
    assert!(
        !dashboard.contains("id=\"asked-2-1-1\""),
        "2.1.1 is asked of every case"
    );

    // The case page names the set and why.
    let page = lead_page(&app, &format!("/cases/{short}")).await;
    assert!(page.contains("Question set: Adjusted"));
    assert!(
        page.contains("6 of the framework&#39;s 12 case key questions are asked of this case.")
            || page.contains("6 of the framework's 12 case key questions are asked of this case.")
    );
    assert!(page.contains(
        "Chosen by the case facts: Sentence type is licence and licence weeks is 6 (8 or fewer)."
    ));
    assert!(
        page.contains("Not in this case&#39;s question set")
            || page.contains("Not in this case's question set")
    );
    assert!(page.contains(&format!("/cases/{short}/question-set")));

    // Only the lead chooses a set, and only with a reason; refusals write
    // nothing.
    let inspector = app.api_for("inspector@example.gov.uk").await;
    let before = app.fingerprint().await;
    inspector
        .server
        .put(&format!("/api/v1/cases/{long}/question-set"))
        .json(&json!({"set": "adjusted", "reason": "Short"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let no_reason = lead
        .server
        .put(&format!("/api/v1/cases/{long}/question-set"))
        .json(&json!({"set": "nope", "reason": " "}))
        .await;
    no_reason.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        crate::support::error_fields(&no_reason),
        [json!("set"), json!("reason")]
    );
    assert_eq!(before, app.fingerprint().await, "nothing written");

    // The lead moves the long licence to the adjusted set: its six answers
    // to key questions the set does not ask are removed, and it stays
    // complete (the set asks nothing it has not answered).
    let moved = lead
        .server
        .put(&format!("/api/v1/cases/{long}/question-set"))
        .json(&json!({"set": "adjusted", "reason": "Recalled after six weeks: supervised as a short licence"}))
        .await;
    moved.assert_status_ok();
    let moved = moved.json::<Value>();
    assert_eq!(moved["question_set"]["code"], json!("adjusted"));
    assert_eq!(moved["question_set"]["overridden"], json!(true));
    assert_eq!(
        moved["question_set"]["reason"],
        json!("Recalled after six weeks: supervised as a short licence")
    );
    assert_eq!(moved["marking_status"], json!("complete"));
    assert_eq!(moved["key_questions"].as_object().map(|k| k.len()), Some(6));
    let rated = ratings(&lead.server, id).await;
    // 2.4.1 is now asked of CO and LU only, neither answered; 2.1.1 as before.
    assert_eq!(
        counted(&rated, "2.4.1"),
        (json!(0), json!(0), json!(2), json!(2))
    );
    assert_eq!(
        counted(&rated, "2.1.1"),
        (json!(1), json!(2), json!(5), json!(2))
    );
    // The history keeps the set change with its reason and every answer removed.
    let history = lead
        .server
        .get(&format!("/api/v1/cases/{long}/history"))
        .await
        .json::<Value>();
    let events = history.as_array().expect("events");
    let set_change = events
        .iter()
        .find(|e| e["field"] == json!("question_set") && e["new_value"] == json!("adjusted"))
        .expect("the set change is audited");
    assert_eq!(set_change["old_value"], json!("core"));
    assert_eq!(
        set_change["reason"],
        json!("Recalled after six weeks: supervised as a short licence")
    );
    let removed: Vec<&str> = events
        .iter()
        .filter(|e| {
            e["entity"] == json!("judgement")
                && e["new_value"].is_null()
                && e["old_value"] == json!("no")
        })
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert_eq!(
        removed,
        ["2.2.1", "2.2.2", "2.3.2", "2.4.1", "2.4.2", "2.4.3"]
    );

    // Correcting the edge case's licence to 12 weeks moves it to the core
    // set, which asks six questions it has not answered: no longer complete.
    let corrected = lead
        .server
        .put(&format!("/api/v1/cases/{edge}/facts"))
        .json(&json!({"reference": "S8", "sentence_type": "licence", "licence_weeks": 12}))
        .await;
    corrected.assert_status_ok();
    let corrected = corrected.json::<Value>();
    assert_eq!(corrected["question_set"]["code"], json!("core"));
    assert_eq!(corrected["marking_status"], json!("in_progress"));
    // The lead's choice stands when facts change; handing it back to the
    // facts puts the long licence on the core set again, in progress.
    lead.server
        .put(&format!("/api/v1/cases/{long}/facts"))
        .json(&json!({"reference": "L9", "sentence_type": "licence", "licence_weeks": 10}))
        .await
        .assert_status_ok();
    assert_eq!(set_of(long).await["code"], json!("adjusted"));
    let back = lead
        .server
        .put(&format!("/api/v1/cases/{long}/question-set"))
        .json(&json!({"set": "facts", "reason": "Recall was cancelled"}))
        .await
        .json::<Value>();
    assert_eq!(back["question_set"]["code"], json!("core"));
    assert_eq!(back["question_set"]["overridden"], json!(false));
    assert_eq!(back["marking_status"], json!("in_progress"));
}

#[tokio::test]
async fn the_lead_changes_a_set_on_the_case_page() {
    let app = TestApp::spawn().await;
    import_file(&app, &with_question_sets("dipp-2025")).await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = fieldwork_under(&lead, "dipp-2025").await;
    let case = add(
        &lead,
        id,
        json!({"reference": "S6", "sentence_type": "licence", "licence_weeks": 6}),
    )
    .await;
    lead.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "yes"}}))
        .await
        .assert_status_ok();

    let browser = app.sign_in("lead@example.gov.uk").await;
    let form = browser.get(&format!("/cases/{case}/question-set")).await;
    form.assert_status_ok();
    let text = form.text();
    assert!(text.contains("The case is marked on Adjusted (chosen by the case facts)."));
    assert!(text.contains("Follow the case facts (Adjusted)"));
    assert!(text.contains("Asks 12 key questions."), "core's hint");

    // No reason: the error summary and the message beside the field.
    let refused = browser
        .post_form(
            &format!("/cases/{case}/question-set"),
            &[("set", "core"), ("reason", "")],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let text = refused.text();
    assert!(text.contains("govuk-error-summary"));
    assert!(text.contains("href=\"#reason\""));
    assert!(text.contains("id=\"reason-error\""));

    let saved = browser
        .post_form(
            &format!("/cases/{case}/question-set"),
            &[("set", "core"), ("reason", "Licence extended on recall")],
        )
        .await;
    saved.assert_status(StatusCode::SEE_OTHER);
    let page = browser
        .get(&format!("/cases/{case}?saved=question-set"))
        .await
        .text();
    assert!(page.contains("Question set changed: the case is now marked on the Core set"));
    assert!(page.contains("Chosen by the lead inspector: Licence extended on recall"));
    // The one answer was to a key question both sets ask: kept.
    let detail = lead
        .server
        .get(&format!("/api/v1/cases/{case}"))
        .await
        .json::<Value>();
    assert_eq!(detail["key_questions"]["2.1.1"]["answer"], json!("yes"));
}
