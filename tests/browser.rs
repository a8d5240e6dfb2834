//! The journeys people make, in a real headless Chromium against the real
//! server and a real PostgreSQL, with every visited page checked for
//! accessibility in each state (empty, filled, with errors).
//!
//! Needs Debian's chromium and chromium-driver (.ci/run installs them).
//! On failure, a screenshot and the page's HTML are saved under
//! target/browser-artifacts/<test>/.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;
use crate::support::chrome;

use std::panic::AssertUnwindSafe;

use casemark::vocab::UserRole;
use chrome::{Chrome, keys};
use futures_util::FutureExt;
use serde_json::{Value, json};
use support::{Api, PASSWORD, TestApp};

const PDU: &str = "Cardiff and Vale";
const LEAD: &str = "lead@example.gov.uk";
const INSPECTOR: &str = "inspector@example.gov.uk";

/// Runs a journey in a fresh browser; on failure keeps the evidence.
async fn journey<F>(app: &TestApp, name: &'static str, steps: F)
where
    F: AsyncFnOnce(&Chrome),
{
    let chrome = Chrome::start(app.serve().await, name).await;
    let outcome = AssertUnwindSafe(steps(&chrome)).catch_unwind().await;
    chrome.finish(outcome).await;
}

async fn sign_in(chrome: &Chrome, email: &str) {
    chrome.goto("/sign-in").await;
    chrome.fill("#email", email).await;
    chrome.fill("#password", PASSWORD).await;
    chrome
        .submit("form[action='/sign-in'] button[type=submit]")
        .await;
    assert!(
        chrome
            .exists("button.casemark-link-button, form[action='/sign-out']")
            .await,
        "{email} is signed in"
    );
}

async fn sign_out(chrome: &Chrome) {
    chrome.submit("form[action='/sign-out'] button").await;
}

/// An inspection in fieldwork with three cases, the first assigned to the
/// inspector, the other two marked by the lead through the API.
async fn inspection_in_fieldwork(app: &TestApp) -> (Api, i64, Vec<i64>) {
    let lead = app.api(LEAD, UserRole::Lead).await;
    app.user(INSPECTOR, UserRole::Inspector).await;
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": PDU, "region": "Wales", "fieldwork_start": "2026-03-09"}))
        .await;
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    lead.server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([
            {"reference": "C001", "sentence_type": "licence"},
            {"reference": "C002", "sentence_type": "community_order"},
            {"reference": "C003", "sentence_type": "licence"},
        ]))
        .await
        .assert_status(axum::http::StatusCode::CREATED);
    let cases = app.case_ids(id).await;
    for (path, body) in [
        ("members", json!({"email": INSPECTOR, "role": "inspector"})),
        (
            "assignments",
            json!({"cases": [cases[0]], "assignee": INSPECTOR}),
        ),
        ("status", json!({"status": "fieldwork"})),
    ] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/{path}"))
            .json(&body)
            .await
            .assert_status_ok();
    }
    for case in &cases[1..] {
        let all_yes: serde_json::Map<String, Value> = support::KEY_QUESTIONS
            .iter()
            .map(|code| ((*code).to_owned(), json!("yes")))
            .collect();
        lead.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": all_yes, "complete": true}))
            .await
            .assert_status_ok();
    }
    (lead, id, cases)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_creates_an_inspection_uploads_a_case_list_and_assigns_cases() {
    let app = TestApp::spawn().await;
    app.user(LEAD, UserRole::Lead).await;
    let inspector = app.user(INSPECTOR, UserRole::Inspector).await;
    let wales = app.region_id("Wales").await;
    let csv_dir = std::env::temp_dir()
        .canonicalize()
        .expect("a temporary folder")
        .join(format!("casemark-upload-{}", std::process::id()));
    std::fs::create_dir_all(&csv_dir).expect("a folder for the upload");
    let bad = csv_dir.join("bad.csv");
    let good = csv_dir.join("good.csv");
    std::fs::write(&bad, "reference,sentence_type\nC001,parole\nC001,licence\n").expect("file");
    std::fs::write(
        &good,
        "\u{feff}Case ref,Sentence type,Practitioner grade\r\nC001,Licence,PO\r\nC002,Community order,PSO\r\nC003,Licence,PO\r\n",
    )
    .expect("file");

    journey(&app, "lead-journey", async |chrome| {
        chrome.goto("/sign-in").await;
        chrome.check_page("empty", &["Sign in"]).await;
        chrome
            .submit("form[action='/sign-in'] button[type=submit]")
            .await;
        chrome.check_page("with errors", &["Sign in"]).await;
        sign_in(chrome, LEAD).await;
        chrome.check_page("no inspections", &["Inspections"]).await;

        chrome.click("a[href='/inspections/new']").await;
        chrome.check_page("empty", &["New inspection"]).await;
        chrome.submit("main button[type=submit]").await;
        chrome.check_page("with errors", &["New inspection"]).await;
        chrome
            .click(&format!("input[name=region][value='{wales}']"))
            .await;
        chrome.submit("main button[type=submit]").await;
        chrome.check_page("empty", &["New inspection"]).await;
        chrome.submit("main button[type=submit]").await;
        chrome.check_page("with errors", &["New inspection"]).await;
        chrome.fill("#new_pdu", PDU).await;
        chrome.fill("#fieldwork_start-day", "9").await;
        chrome.fill("#fieldwork_start-month", "3").await;
        chrome.fill("#fieldwork_start-year", "2026").await;
        chrome.submit("main button[type=submit]").await;
        let inspection_path = chrome.path().await;
        assert!(
            inspection_path.starts_with("/inspections/"),
            "{inspection_path}"
        );
        chrome.check_page("no cases", &[PDU]).await;

        chrome.click("a[href$='/cases/import']").await;
        chrome.check_page("empty", &[PDU, "Add cases"]).await;
        chrome.choose_file("#file", &bad).await;
        chrome.submit("main button[type=submit]").await;
        assert!(
            chrome
                .text(".govuk-error-summary")
                .await
                .contains("Row 2, sentence_type"),
            "the preview lists problems by row and column"
        );
        chrome.assert_error_summary_focused().await;
        chrome
            .check_page("preview with errors", &[PDU, "Check the cases"])
            .await;
        chrome
            .goto(&format!("{inspection_path}/cases/import"))
            .await;
        chrome.choose_file("#file", &good).await;
        chrome.submit("main button[type=submit]").await;
        assert!(
            chrome
                .text("#preview-summary")
                .await
                .contains("3 cases are ready to add")
        );
        chrome
            .check_page("preview", &[PDU, "Check the cases"])
            .await;
        chrome.submit("main form button[type=submit]").await;
        assert_eq!(app.case_ids(id_of(&inspection_path)).await.len(), 3);
        chrome.check_page("three cases", &[PDU]).await;

        chrome.fill("#email", INSPECTOR).await;
        chrome
            .submit("form[action$='/members'] button[type=submit]")
            .await;
        chrome.click("#cases").await;
        chrome
            .find("#assignee")
            .await
            .select_by_value(&inspector.to_string())
            .await
            .expect("the inspector can be chosen");
        chrome
            .submit("form[action$='/assignments'] button[type=submit]")
            .await;
        chrome.check_page("assigned", &[PDU]).await;
    })
    .await;

    let _ = std::fs::remove_dir_all(&csv_dir);
    let assigned: i64 = sqlx::query_scalar(
        "select count(*) from sample_case c join app_user u on u.id = c.assigned_to where u.email = $1",
    )
    .bind(INSPECTOR)
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(assigned, 1, "C001 is assigned to the inspector");
}

fn id_of(path: &str) -> i64 {
    path.trim_start_matches("/inspections/")
        .split(['/', '?'])
        .next()
        .and_then(|id| id.parse().ok())
        .expect("an inspection path")
}

/// Answers one key question with the keyboard only: Tab to its radio
/// group, Space for Yes, Right arrow for the next answer.
async fn choose_by_keyboard(chrome: &Chrome, code: &str, answer: &str) {
    chrome.tab_to(&format!("input[name='kq-{code}']")).await;
    chrome.press(keys::SPACE).await;
    let presses = match answer {
        "yes" => 0,
        "no" => 1,
        _ => 2,
    };
    for _ in 0..presses {
        chrome.press(keys::RIGHT).await;
    }
    assert_eq!(
        chrome.focused("el.checked && el.value").await,
        json!(answer),
        "{code} is {answer}"
    );
}

/// Answers the standard's three key questions with the keyboard only, then
/// saves the form.
async fn answer_by_keyboard(chrome: &Chrome, standard: &str, answers: [Option<&str>; 3]) {
    for (area, answer) in (1..=3).zip(answers) {
        let Some(answer) = answer else { continue };
        choose_by_keyboard(chrome, &format!("{standard}.{area}"), answer).await;
    }
    chrome.tab_to("form button[type=submit]").await;
    let outline = chrome
        .focused("getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).boxShadow")
        .await;
    assert_ne!(
        outline.as_str().unwrap_or_default(),
        "none none",
        "the focused button shows its focus"
    );
    chrome.press_and_wait(keys::ENTER).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_marks_a_case_by_keyboard_and_the_leads_dashboard_shows_it() {
    let app = TestApp::spawn().await;
    let (_, id, cases) = inspection_in_fieldwork(&app).await;
    let case = cases[0];
    journey(&app, "inspector-journey", async |chrome| {
        sign_in(chrome, INSPECTOR).await;
        chrome.goto("/my-cases").await;
        chrome.check_page("one case", &["My cases"]).await;
        chrome.tab_to(&format!("a[href='/cases/{case}']")).await;
        chrome.press_and_wait(keys::ENTER).await;
        chrome.check_page("not started", &["C001", PDU]).await;

        for (standard, answers) in [
            ("2.1", [Some("yes"), Some("no"), Some("na")]),
            ("2.2", [Some("yes"), Some("yes"), Some("no")]),
            ("2.3", [Some("yes"), Some("yes"), Some("yes")]),
            ("2.4", [Some("no"), Some("yes"), None]),
        ] {
            chrome
                .tab_to(&format!("a[href='/cases/{case}/standards/{standard}']"))
                .await;
            chrome.press_and_wait(keys::ENTER).await;
            if standard == "2.1" {
                chrome.check_page("empty", &["C001", PDU]).await;
            }
            answer_by_keyboard(chrome, standard, answers).await;
            assert_eq!(
                chrome.path().await,
                format!("/cases/{case}?saved={standard}")
            );
        }
        chrome.check_page("in progress", &["C001", PDU]).await;

        // The dashboard explains each rating while marking goes on. 2.4.1
        // is 2 of 3 (67%, Good): one Yes fewer is 33%, so Reviewing is
        // fragile; 2.4.3 (2 of 2, one case to answer) can fall only to 67%,
        // so Reviewing is settled at Good.
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        let standing = chrome.text("#standing-2-4").await;
        assert!(standing.contains("Settled"), "{standing}");
        assert!(standing.contains("One case would change this"), "{standing}");
        assert!(
            chrome
                .text("#range-2-4-3")
                .await
                .contains("67%–100% (1 to answer)")
        );
        // Each picture is drawn, styled by the stylesheet (no inline style
        // is allowed by the CSP), and named for assistive technology.
        let pictures: Value = chrome
            .execute(
                r#"const charts = [...document.querySelectorAll('svg.casemark-chart')];
                   const bar = document.querySelector('#chart-2-4-title').closest('svg')
                       .querySelector('.casemark-chart__bar');
                   return {count: charts.length,
                           named: charts.every(c => c.getAttribute('role') === 'img'
                               && document.getElementById(c.getAttribute('aria-labelledby')).textContent.length > 20),
                           inline: document.querySelectorAll('[style], style').length,
                           bar_fill: getComputedStyle(bar).fill};"#,
            )
            .await;
        assert_eq!(pictures["count"], json!(4), "{pictures}");
        assert_eq!(pictures["named"], json!(true), "{pictures}");
        assert_eq!(pictures["inline"], json!(0), "{pictures}");
        // The first bar, 2.4.1, drives the rating: the stylesheet's blue.
        assert_eq!(pictures["bar_fill"], json!("rgb(29, 112, 184)"), "{pictures}");
        chrome.check_page("in progress", &[PDU, "Ratings"]).await;
        chrome.goto(&format!("/cases/{case}")).await;

        // Marking complete with 2.4.3 unanswered is stopped by the summary.
        chrome.tab_to("form[action$='/complete'] button").await;
        chrome.press_and_wait(keys::ENTER).await;
        chrome.assert_error_summary_focused().await;
        assert!(chrome.text(".govuk-error-summary").await.contains("2.4.3"));
        chrome.check_page("with errors", &["C001", PDU]).await;
        // Its link leads to the question; answer it and complete.
        chrome.tab_to(".govuk-error-summary a").await;
        chrome.press_and_wait(keys::ENTER).await;
        assert!(
            chrome
                .path()
                .await
                .starts_with(&format!("/cases/{case}/standards/2.4"))
        );
        answer_by_keyboard(chrome, "2.4", [None, None, Some("yes")]).await;
        chrome.tab_to("form[action$='/complete'] button").await;
        chrome.press_and_wait(keys::ENTER).await;
        assert!(chrome.text("main").await.contains("Complete"));
        chrome.check_page("complete", &["C001", PDU]).await;
        sign_out(chrome).await;

        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        assert!(
            chrome
                .text("#provisional")
                .await
                .contains("All 3 cases complete"),
            "{}",
            chrome.text("#provisional").await
        );
        // 2.1.2: the two API cases said Yes, the inspector No: 2 of 3, 67%.
        let row = chrome.text("#kq-2-1-2").await;
        assert!(row.contains("67%"), "{row}");
        // 2.1.3 N/A is left out: 2 of 2.
        assert!(chrome.text("#kq-2-1-3").await.contains("100%"));
        // 2.1 is rated from its lowest key question, 67%: good (65–79%).
        // 2.4.1 was No for the inspector: 2 of 3 too. 2.3 was all Yes.
        let standard = chrome.text("#standard-2-1").await;
        assert!(standard.ends_with("Good"), "{standard}");
        assert!(chrome.text("#standard-2-3").await.ends_with("Outstanding"));
        chrome.check_page("filled", &[PDU, "Ratings"]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_records_domain_one_and_publishes_then_marking_is_read_only() {
    let app = TestApp::spawn().await;
    let (_, id, cases) = inspection_in_fieldwork(&app).await;
    journey(&app, "publish-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        assert!(chrome.text("#score").await.contains("not yet available"));
        chrome.check_page("provisional", &[PDU, "Ratings"]).await;
        for (standard, rating) in [("1.1", "good"), ("1.2", "good"), ("1.3", "outstanding")] {
            chrome
                .goto(&format!("/inspections/{id}/domain-one/{standard}"))
                .await;
            chrome
                .click(&format!("input[name=rating][value={rating}]"))
                .await;
            chrome.submit("form[action$='/confirm'] button").await;
            assert!(chrome.exists("#confirmed .govuk-tag").await, "{standard} confirmed");
        }

        chrome.goto(&format!("/inspections/{id}")).await;
        chrome.submit("form[action$='/status'] button").await;
        assert!(chrome.exists(".govuk-error-summary").await, "no status chosen");
        chrome.check_page("with errors", &[PDU]).await;
        chrome.click("input[name=status][value=moderation]").await;
        chrome.submit("form[action$='/status'] button").await;
        assert!(chrome.text("main").await.contains("Moderation"));
        chrome.click("input[name=status][value=published]").await;
        chrome.submit("form[action$='/status'] button").await;
        chrome.check_page("published", &[PDU]).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        let score = chrome.text("#score").await;
        assert!(score.contains("out of 21"), "{score}");
        sign_out(chrome).await;

        sign_in(chrome, INSPECTOR).await;
        chrome
            .goto(&format!("/cases/{}/standards/2.1", cases[0]))
            .await;
        assert!(chrome.exists("#read-only").await, "the form says why it is read-only");
        assert!(!chrome.exists("main form button[type=submit]").await);
        let enabled: Value = chrome
            .client
            .execute(
                "return [...document.querySelectorAll('main input:not([type=hidden]), main textarea')].filter(e => !e.disabled).length",
                vec![],
            )
            .await
            .expect("script");
        assert_eq!(enabled, json!(0), "every control is disabled");
        chrome.check_page("read-only", &["C001", PDU]).await;
    })
    .await;
}

/// Issue 8's journey: the lead names an inspector to judge staffing,
/// records a staff survey figure and evidence that quotes it, judges
/// leadership's key questions and overrides the proposal with a reason; the
/// named inspector judges staffing; the dashboard follows the confirmations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_builds_domain_one_from_evidence_and_confirms_it() {
    let app = TestApp::spawn().await;
    let (_, id, _) = inspection_in_fieldwork(&app).await;
    let base = format!("/inspections/{id}/domain-one");
    journey(&app, "domain-one-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&base).await;
        chrome.check_page("empty", &[PDU, "Domain one"]).await;

        chrome
            .goto(&format!("/inspections/{id}/staff-survey"))
            .await;
        chrome.check_page("empty", &[PDU, "Staff survey"]).await;
        chrome.fill("#positive", "40").await;
        chrome.fill("#respondents", "36").await;
        chrome.submit("main form button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[PDU]).await;
        chrome
            .fill("#question", "The culture of the PDU promotes openness")
            .await;
        chrome.fill("#positive", "19").await;
        chrome.submit("main form button[type=submit]").await;
        assert!(
            chrome
                .text("main")
                .await
                .contains("19 out of 36 staff (53%)")
        );
        chrome.check_page("filled", &[PDU]).await;

        chrome.goto(&format!("{base}/1.2")).await;
        chrome.click("#judge option:nth-child(2)").await;
        chrome.submit("form[action$='/judge'] button").await;
        assert!(
            chrome
                .text("#judged-by")
                .await
                .contains("The lead inspector and ")
        );

        chrome.goto(&format!("{base}/1.1")).await;
        chrome.check_page("empty", &[PDU, "1.1 Leadership"]).await;
        chrome.submit("form[action$='/evidence'] button").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("evidence with errors", &[PDU]).await;
        chrome
            .click("#evidence-question option[value='1.1.4']")
            .await;
        chrome.click("#evidence-kind-improvement").await;
        chrome
            .click("#evidence-source option[value=staff_survey]")
            .await;
        chrome
            .fill(
                "#evidence-text",
                "Only half of staff said the culture promoted openness.",
            )
            .await;
        chrome
            .click("#evidence-survey_item option:nth-child(2)")
            .await;
        chrome.submit("form[action$='/evidence'] button").await;
        let bullets = chrome.text("#improvements-1-1-4").await;
        assert!(bullets.contains("19 out of 36 staff"), "{bullets}");
        assert!(bullets.contains("Staff survey"), "{bullets}");
        for (question, rating) in [
            ("1.1.1", "good"),
            ("1.1.2", "good"),
            ("1.1.3", "requires_improvement"),
            ("1.1.4", "requires_improvement"),
        ] {
            let form = format!("form:has(input[name=question][value='{question}'])");
            chrome.click(&format!("{form} input[value={rating}]")).await;
            chrome.submit(&format!("{form} button")).await;
        }
        assert!(
            chrome
                .text("#proposal")
                .await
                .contains("Requires improvement")
        );
        assert!(
            chrome
                .text("#spread")
                .await
                .contains("Good 2, Requires improvement 2")
        );
        chrome.check_page("judged", &[PDU]).await;
        chrome.click("input[name=rating][value=good]").await;
        chrome.submit("form[action$='/confirm'] button").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("confirm with errors", &[PDU]).await;
        chrome
            .fill("#reason", "The new plan is already improving delivery.")
            .await;
        chrome.submit("form[action$='/confirm'] button").await;
        let confirmed = chrome.text("#confirmed").await;
        assert!(
            confirmed.contains("Good") && confirmed.contains("already improving"),
            "{confirmed}"
        );
        sign_out(chrome).await;

        sign_in(chrome, INSPECTOR).await;
        chrome.goto(&format!("{base}/1.1")).await;
        assert!(
            !chrome.exists("form[action$='/judgement']").await,
            "only the named standard is the inspector's to judge"
        );
        assert!(
            chrome.exists("form[action$='/evidence']").await,
            "but they add evidence"
        );
        chrome.goto(&format!("{base}/1.2")).await;
        assert!(
            chrome.exists("#case-figures-1-2-3").await,
            "oversight figures beside 1.2.3"
        );
        for question in ["1.2.1", "1.2.2", "1.2.3", "1.2.4"] {
            let form = format!("form:has(input[name=question][value='{question}'])");
            chrome
                .click(&format!("{form} input[value=outstanding]"))
                .await;
            chrome.submit(&format!("{form} button")).await;
        }
        assert!(chrome.text("#proposal").await.contains("Outstanding"));
        assert!(
            !chrome.exists("form[action$='/confirm']").await,
            "the lead confirms"
        );
        chrome.check_page("inspector", &[PDU, "1.2 Staffing"]).await;
        sign_out(chrome).await;

        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        assert!(
            chrome
                .text("#standards")
                .await
                .contains("Proposed: Outstanding")
        );
        assert!(chrome.text("#score").await.contains("not yet available"));
        for standard in ["1.2", "1.3"] {
            chrome.goto(&format!("{base}/{standard}")).await;
            if standard == "1.3" {
                chrome.click("input[name=rating][value=good]").await;
            }
            chrome.submit("form[action$='/confirm'] button").await;
        }
        chrome.goto(&base).await;
        chrome.check_page("filled", &[PDU]).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        let score = chrome.text("#score").await;
        assert!(score.contains("Score: 19 out of 21"), "{score}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_other_page_passes_the_same_checks() {
    let app = TestApp::spawn().await;
    let (lead, id, cases) = inspection_in_fieldwork(&app).await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    // Some history and a judgement file to preview.
    let export = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.csv"))
        .await
        .text();
    // Typing is slow: a few rows are enough for a preview.
    let excerpt: String = export
        .trim_start_matches('\u{feff}')
        .lines()
        .take(12)
        .collect::<Vec<_>>()
        .join("\n");
    let case = cases[1];
    journey(&app, "other-pages", async |chrome| {
        sign_in(chrome, LEAD).await;
        for (path, state) in [
            (format!("/cases/{case}/outcomes"), "empty"),
            (format!("/cases/{case}/facts"), "filled"),
            (format!("/cases/{case}/history"), "filled"),
            (format!("/inspections/{id}/history"), "filled"),
            (format!("/inspections/{id}/judgements/import"), "empty"),
            ("/account".to_owned(), "filled"),
            ("/my-cases".to_owned(), "empty"),
            ("/national".to_owned(), "empty"),
            ("/national?from=2024-13-01".to_owned(), "with errors"),
        ] {
            chrome.goto(&path).await;
            chrome.check_page(state, &[]).await;
        }
        chrome
            .goto(&format!("/inspections/{id}/judgements/import"))
            .await;
        chrome.fill("#csv", &excerpt).await;
        chrome.submit("main form button[type=submit]").await;
        assert!(
            chrome.exists("#import-summary").await,
            "the preview summarises"
        );
        chrome.check_page("preview", &[PDU]).await;
        chrome
            .goto(&format!("/inspections/{id}/judgements/import"))
            .await;
        chrome
            .fill(
                "#csv",
                "case_reference,item,code,answer\nC001,key_question,9.9.9,Maybe\n",
            )
            .await;
        chrome.submit("main form button[type=submit]").await;
        chrome.check_page("preview with errors", &[PDU]).await;
        chrome.goto(&format!("/cases/{case}/facts")).await;
        chrome.fill("#age_at_start", "300").await;
        chrome.submit("main form button[type=submit]").await;
        chrome.check_page("with errors", &[PDU]).await;
        // Changing the password: refused, then done, with its banner.
        let change_password = async |current: &str| {
            chrome.fill("#current_password", current).await;
            chrome.fill("#new_password", "a new long pass phrase").await;
            chrome
                .fill("#confirm_password", "a new long pass phrase")
                .await;
            chrome
                .submit("form[action='/account/password'] button[type=submit]")
                .await;
        };
        chrome.goto("/account").await;
        change_password("not the password").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[]).await;
        change_password(PASSWORD).await;
        assert!(
            chrome
                .text(".govuk-notification-banner")
                .await
                .contains("Your password was changed")
        );
        chrome.check_page("changed", &[]).await;
        sign_out(chrome).await;

        sign_in(chrome, "admin@example.gov.uk").await;
        chrome.goto("/admin/frameworks").await;
        chrome.check_page("filled", &[]).await;
        chrome
            .fill("#file", "code = \"pdu-2099\"\nname = 7\n")
            .await;
        chrome
            .submit("form[action='/admin/frameworks'] button[value=check]")
            .await;
        chrome.assert_error_summary_focused().await;
        assert!(chrome.text(".govuk-error-summary").await.contains("Line 2"));
        chrome.check_page("with errors", &[]).await;
        for path in ["/", "/admin/pdus", "/admin/users"] {
            chrome.goto(path).await;
            chrome.check_page("filled", &[]).await;
        }
        chrome
            .submit("form[action='/admin/users'] button[type=submit]")
            .await;
        chrome.check_page("with errors", &[]).await;
        chrome.goto("/admin/security-events").await;
        assert!(chrome.text("main").await.contains("Signed in"));
        chrome.check_page("filled", &[]).await;
        chrome.fill("#from-day", "31").await;
        chrome.fill("#from-month", "2").await;
        chrome.fill("#from-year", "2026").await;
        chrome.submit("main form button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quality_lead_samples_second_marks_blind_and_adjudicates() {
    const QUALITY: &str = "quality@example.gov.uk";
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let inspector = app.api(INSPECTOR, UserRole::Inspector).await;
    app.user(QUALITY, UserRole::Inspector).await;
    let (id, cases) = support::build(&lead.server)
        .pdu(PDU)
        .region("Wales")
        .member(INSPECTOR, "inspector")
        .member(QUALITY, "quality_lead")
        .licence_cases(2)
        .assign(0, INSPECTOR)
        .assign(1, INSPECTOR)
        .await_built()
        .await
        .parts();
    // The inspector's first markings: Yes throughout but 2.1.3.
    for case in &cases {
        let mut key_questions: serde_json::Map<String, Value> = support::KEY_QUESTIONS
            .iter()
            .map(|code| ((*code).to_owned(), json!("yes")))
            .collect();
        key_questions.insert(
            "2.1.3".into(),
            json!({"answer": "no", "rationale": "No police checks"}),
        );
        inspector
            .server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": key_questions, "complete": true}))
            .await
            .assert_status_ok();
    }
    let case = cases[0];
    journey(&app, "quality-lead-journey", async |chrome| {
        sign_in(chrome, QUALITY).await;
        chrome.goto(&format!("/inspections/{id}/qa")).await;
        chrome
            .check_page("empty", &[PDU, "Quality assurance"])
            .await;
        // Nothing chosen: the error summary says how to go on.
        chrome
            .submit("form[action$='/qa/sample'] button[type=submit]")
            .await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[PDU]).await;
        // The first case, chosen by hand, second-marked by the quality lead.
        chrome.click("#how-cases").await;
        chrome.click("#cases").await;
        chrome
            .execute(&format!(
                "document.querySelector('#marker').value = '{QUALITY}'; return true;"
            ))
            .await;
        chrome
            .submit("form[action$='/qa/sample'] button[type=submit]")
            .await;
        assert!(
            chrome
                .text(".govuk-notification-banner")
                .await
                .contains("Cases added to the QA sample")
        );
        chrome.check_page("filled", &[PDU]).await;

        // Blind: the case's own page leads to the second marking, which
        // shows none of the first.
        chrome.goto(&format!("/cases/{case}")).await;
        assert_eq!(chrome.path().await, format!("/cases/{case}/second-marking"));
        assert!(!chrome.text("main").await.contains("No police checks"));
        chrome.check_page("empty", &[PDU]).await;
        chrome.tab_to("button[value=submit]").await;
        chrome.press_and_wait(keys::ENTER).await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[PDU]).await;
        // Every key question by keyboard: Yes throughout.
        for code in support::KEY_QUESTIONS {
            choose_by_keyboard(chrome, code, "yes").await;
        }
        chrome.tab_to("button[value=submit]").await;
        chrome.press_and_wait(keys::ENTER).await;
        // Submitted: both markings side by side, the difference marked.
        let pair = chrome.text("#pair-2-1-3").await;
        assert!(
            pair.contains("No police checks") && pair.contains("Differs"),
            "{pair}"
        );
        chrome.check_page("submitted", &[PDU]).await;

        // Agreement: 11 of 12 pairs (91%, rounded down). The first marker
        // said No once, the second never: κ = 0.
        chrome.goto(&format!("/inspections/{id}/qa")).await;
        let agreement = chrome.text("#agreement").await;
        assert!(
            agreement.contains("91%") && agreement.contains("κ 0.00"),
            "{agreement}"
        );
        // The final answer to 2.1.3, with a reason.
        let dom = format!("{case}-2-1-3");
        chrome.click(&format!("#final-{dom}")).await;
        chrome
            .fill(
                &format!("#reason-{dom}"),
                "The checks are in the contact log.",
            )
            .await;
        chrome
            .submit(&format!(
                "form[action='/cases/{case}/adjudication'] button[type=submit]"
            ))
            .await;
        assert!(chrome.text("#unadjudicated").await.starts_with("0 of 1"));
        chrome.check_page("adjudicated", &[PDU]).await;
    })
    .await;
    // The case's answer changed: 2.1.3 is Yes on one case of two.
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    let assessment = &ratings["standards"][3];
    assert_eq!(assessment["code"], json!("2.1"));
    assert_eq!(assessment["key_questions"][2]["yes"], json!(1));
}

#[tokio::test]
async fn a_lead_sees_why_a_case_has_its_question_set_and_changes_it() {
    let app = TestApp::spawn().await;
    crate::frameworks::import_file(&app, &crate::frameworks::with_question_sets("dipp-2025")).await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let id = crate::frameworks::fieldwork_under(&lead, "dipp-2025").await;
    let case = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "S6", "sentence_type": "licence", "licence_weeks": 6}]))
        .await
        .json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("case");
    journey(&app, "question-set-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/cases/{case}")).await;
        assert!(
            chrome
                .text("#question-set")
                .await
                .contains("Chosen by the case facts: Sentence type is licence")
        );
        chrome.check_page("filled", &["Swansea", "S6"]).await;
        // A standard the adjusted set asks nothing of says so.
        chrome.goto(&format!("/cases/{case}/standards/2.4")).await;
        assert!(chrome.exists("#not-asked").await);
        assert!(!chrome.exists("main form button[type=submit]").await);
        chrome.check_page("not asked", &["Swansea", "S6"]).await;

        chrome.goto(&format!("/cases/{case}/question-set")).await;
        chrome.check_page("empty", &["Swansea", "S6"]).await;
        chrome.click("#set").await;
        chrome.submit("main form button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &["Swansea", "S6"]).await;
        chrome.fill("#reason", "Licence extended on recall").await;
        chrome.submit("main form button[type=submit]").await;
        assert_eq!(
            chrome.path().await,
            format!("/cases/{case}?saved=question-set")
        );
        assert!(
            chrome
                .text(".govuk-notification-banner")
                .await
                .contains("now marked on the Core set")
        );
        assert!(
            chrome
                .text("#question-set")
                .await
                .contains("Chosen by the lead inspector: Licence extended on recall")
        );
        chrome.check_page("changed", &["Swansea", "S6"]).await;
    })
    .await;
}

#[tokio::test]
async fn a_lead_draws_the_sample_from_a_long_list_replaces_a_case_and_watches_fieldwork() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let id = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": PDU, "region": "Wales", "fieldwork_start": "2026-06-01"}))
        .await
        .json::<Value>()["id"]
        .as_i64()
        .expect("id");
    // Twelve cases over two practitioners, one of them sensitive.
    let mut list = vec![
        "crn,sex,sentence_type,rosh_level,office,practitioner,start_date,sensitive".to_owned(),
    ];
    for n in 0..12 {
        let sex = if n % 4 == 0 { "female" } else { "male" };
        list.push(format!(
            "X{n:02},{sex},licence,high,Cardiff,Practitioner {},2026-05-0{},{}",
            n % 2,
            1 + n % 9,
            if n == 11 { "yes" } else { "no" }
        ));
    }
    let list = list.join("\n");
    let set_csv = |text: &str| {
        format!(
            "document.querySelector('#csv').value = {}; return true;",
            serde_json::to_string(text).expect("json")
        )
    };
    journey(&app, "sample-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/inspections/{id}/sample")).await;
        chrome.check_page("empty", &[PDU]).await;
        chrome.click("#no-long-list a").await;
        chrome.check_page("upload", &[PDU]).await;
        // A bad row: the error summary names its row and column.
        chrome
            .execute(&set_csv("crn,sex,sentence_type,office,practitioner,start_date\nX1,male,parole,Cardiff,P1,2026-05-01"))
            .await;
        chrome.submit("main form button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        assert!(chrome.text(".govuk-error-summary").await.contains("Row 2, sentence type"));
        chrome.check_page("with errors", &[PDU]).await;
        chrome.execute(&set_csv(&list)).await;
        chrome.submit("main form button[type=submit]").await;
        assert!(chrome.text("#long-list-summary").await.contains("12 cases, 11 of which can be drawn"));
        chrome.check_page("filled", &[PDU]).await;

        // No size: refused beside the field.
        chrome.submit("form[action$='/sample/draw'] button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[PDU]).await;
        chrome.fill("#size", "6").await;
        chrome.fill("#buffer_percent", "50").await;
        chrome.fill("#seed", "3").await;
        chrome.submit("form[action$='/sample/draw'] button[type=submit]").await;
        assert!(chrome.text("#preview-summary").await.starts_with("6 cases drawn of 6 asked, with seed 3"));
        chrome.check_page("preview", &[PDU]).await;
        chrome.submit("form[action$='/sample/draw'] button[type=submit]").await;
        assert!(
            chrome
                .text(".govuk-notification-banner")
                .await
                .contains("Sample drawn: 6 cases added")
        );
        chrome.check_page("drawn", &[PDU]).await;
    })
    .await;

    // Replace a drawn case, then look at the board.
    let case = app.case_ids(id).await[0];
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    journey(&app, "replace-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/cases/{case}")).await;
        chrome
            .click(&format!("a[href='/cases/{case}/replace']"))
            .await;
        chrome.check_page("empty", &[PDU]).await;
        chrome.submit("main form button[type=submit]").await;
        chrome.assert_error_summary_focused().await;
        chrome.check_page("with errors", &[PDU]).await;
        chrome
            .fill("#reason", "The case has transferred to another PDU")
            .await;
        chrome.submit("main form button[type=submit]").await;
        assert!(
            chrome
                .text(".govuk-notification-banner")
                .await
                .contains("replaced: this reserve takes its place")
        );
        chrome.check_page("replacement", &[PDU]).await;
        chrome.goto(&format!("/inspections/{id}/sample")).await;
        assert!(
            chrome
                .text("#replaced")
                .await
                .contains("The case has transferred to another PDU")
        );
        chrome.check_page("with a replaced case", &[PDU]).await;
        chrome.goto(&format!("/inspections/{id}/fieldwork")).await;
        assert!(
            chrome
                .text("#progress")
                .await
                .contains("0 of 6 cases complete")
        );
        chrome.check_page("filled", &[PDU]).await;
    })
    .await;
}

#[tokio::test]
async fn the_national_picture_reads_with_its_pictures_and_tables() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    // Two of the 2024 report's inspections, published.
    for index in [0, 23] {
        crate::national_picture::published(&lead, index).await;
    }
    journey(&app, "national-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto("/national").await;
        assert!(
            chrome
                .text("#national-count")
                .await
                .starts_with("2 published")
        );
        assert!(
            chrome.exists("#national-1-1-title").await,
            "a picture per standard"
        );
        chrome.check_page("filled", &[]).await;
        chrome.fill("#from", "2099-01-01").await;
        chrome
            .submit("form[action='/national'] button[type=submit]")
            .await;
        assert!(chrome.exists("#no-inspections").await);
        chrome.check_page("filtered", &[]).await;
    })
    .await;
}

#[tokio::test]
async fn a_lead_starts_a_region_inspection_and_drills_into_a_pooled_figure() {
    use crate::region_inspections::{REGION, pdu_inspection, supervision};
    let app = TestApp::spawn().await;
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let lead = app.api(LEAD, UserRole::Lead).await;
    let bolton = pdu_inspection(&lead, "Bolton").await;
    supervision(&lead, bolton, "B1", "yes", "yes").await;
    supervision(&lead, bolton, "B2", "no", "no").await;
    let wigan = pdu_inspection(&lead, "Wigan").await;
    supervision(&lead, wigan, "W1", "yes", "yes").await;
    let region = app.region_id(REGION).await;
    journey(&app, "region-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome
            .goto(&format!("/region-inspections/new?region={region}"))
            .await;
        chrome.check_page("form", &[]).await;
        chrome.fill("#fieldwork_start-day", "7").await;
        chrome.fill("#fieldwork_start-month", "9").await;
        chrome.fill("#fieldwork_start-year", "2026").await;
        chrome
            .submit("form[action='/region-inspections'] button[type=submit]")
            .await;
        assert!(chrome.exists("#pooled-inspections").await);
        chrome.check_page("inspection", &[]).await;
        let inspection = chrome.path().await;
        chrome.goto(&format!("{inspection}/ratings")).await;
        // 2.1.2 over both PDUs: 2 Yes of 3.
        assert!(chrome.text("#pooled-2-1-1").await.contains("Pooled: 2.1.2"));
        chrome.check_page("dashboard", &[]).await;
        chrome.submit("#pooled-2-1-1 a").await;
        assert!(chrome.text("#pooled-total").await.contains("67%"));
        chrome.check_page("pooled", &[]).await;
    })
    .await;
}

#[tokio::test]
async fn the_report_draft_reads_with_its_tables_and_recommendations() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    crate::api::reproduce(&lead, &support::fixtures().pdus[0]).await;
    let id = lead.server.get("/api/v1/inspections").await.json::<Value>()[0]["id"]
        .as_i64()
        .expect("id");
    journey(&app, "report-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome
            .goto(&format!("/inspections/{id}/recommendations"))
            .await;
        chrome.check_page("recommendations", &[]).await;
        chrome
            .fill(
                "#text",
                "Make sure every assessment analyses the risk of harm.",
            )
            .await;
        chrome.submit("form[novalidate] button[type=submit]").await;
        assert!(
            chrome
                .text("#recommendations")
                .await
                .contains("risk of harm")
        );
        chrome.goto(&format!("/inspections/{id}/report")).await;
        assert!(chrome.text("#score").await.contains("Score 4/21"));
        assert!(
            chrome
                .text("#background")
                .await
                .contains("37 community orders and 17 releases from custody on licence")
        );
        chrome.check_page("report", &[]).await;
    })
    .await;
}

/// Polls `script` in the page until it returns a non-empty string (or 10 s
/// pass); returns it and how long it took.
async fn wait_for_text(chrome: &Chrome, script: &str) -> (String, std::time::Duration) {
    let started = std::time::Instant::now();
    loop {
        let said = chrome.execute(script).await;
        let said = said.as_str().unwrap_or_default().trim().to_owned();
        if !said.is_empty() || started.elapsed() > std::time::Duration::from_secs(10) {
            return (said, started.elapsed());
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_open_dashboard_and_case_form_hear_a_save_through_another_instance() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let support::Built { id, cases } = support::build(&lead.server)
        .case(json!({"reference": "L1", "sentence_type": "licence"}))
        .status("fieldwork")
        .await_built()
        .await;
    // The saves arrive through a second real server on the same database,
    // as another person's would behind a load balancer.
    let other = support::process::Server::start(&app.database_url()).await;
    let save_elsewhere = async |body: &str| {
        let saved = support::process::send(
            &other.addr,
            "PUT",
            &format!("/api/v1/cases/{}/judgements", cases[0]),
            Some(&lead.token),
            Some(body),
        )
        .await
        .expect("save through the other instance");
        assert_eq!(saved.status, 200, "{}", saved.body);
    };
    journey(&app, "live-journey", async |chrome| {
        sign_in(chrome, LEAD).await;
        chrome.goto(&format!("/inspections/{id}/ratings")).await;
        chrome.check_page("dashboard-before", &[]).await;
        save_elsewhere(r#"{"key_questions": {"2.1.1": "yes", "2.1.2": "yes", "2.1.3": "yes"}}"#)
            .await;
        let (status, took) = wait_for_text(
            chrome,
            "return document.getElementById('live-status').textContent",
        )
        .await;
        eprintln!("the dashboard moved {took:?} after the save through the other instance");
        assert_eq!(status, "2.1 Assessment is now Outstanding.");
        assert!(chrome.text("#standards").await.contains("Outstanding"));
        chrome.check_page("dashboard-after", &[]).await;

        // A marking form open while the case is saved elsewhere says what
        // changed before its reader saves over it.
        chrome
            .goto(&format!("/cases/{}/standards/2.1", cases[0]))
            .await;
        chrome.check_page("form-before", &[]).await;
        chrome
            .execute(
                "document.getElementById('rationale-2-1-2').value = 'Typed, not saved.'; return ''",
            )
            .await;
        save_elsewhere(r#"{"key_questions": {"2.1.2": "no"}}"#).await;
        let (notice, _) = wait_for_text(
            chrome,
            "const n = document.getElementById('case-changes'); return n ? n.textContent : ''",
        )
        .await;
        assert!(
            notice.contains("This case was saved elsewhere while you had it open"),
            "{notice}"
        );
        assert!(
            notice.contains("changed 2.1.2 answer from yes to no"),
            "{notice}"
        );
        let typed = chrome
            .execute("return document.getElementById('rationale-2-1-2').value")
            .await;
        assert_eq!(typed.as_str(), Some("Typed, not saved."), "typing kept");
        chrome.check_page("form-with-notice", &[]).await;
        // Saving over it is still refused, with their answer shown.
        chrome
            .submit("form[action$='/standards/2.1'] button[type=submit]")
            .await;
        assert!(
            chrome
                .text("#conflict")
                .await
                .contains("Someone else changed this case while you had it open")
        );
    })
    .await;
}
