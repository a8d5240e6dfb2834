//! Frameworks as files (docs/frameworks.md): the shipped PDU 2023 file is
//! exactly what the database holds, and the command line validates, lists
//! and exports. The file format's own checks are unit tests of
//! `casemark::framework_file::read`.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup (an imported framework, an inspection under
//! it), and the file keeps one concern's scenarios together.

use crate::support::TestApp;

use std::process::Command;

const SHIPPED: &str = include_str!("../frameworks/pdu-2023.toml");

fn casemark(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("casemark runs")
}

#[tokio::test]
async fn the_stored_pdu_framework_exports_as_the_shipped_file() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.acquire().await.expect("connection");
    let definition = casemark::db::framework::definition(&mut conn, "pdu-2023")
        .await
        .expect("read")
        .expect("the seeded framework");
    assert_eq!(casemark::framework_file::write(&definition), SHIPPED);
    assert_eq!(
        casemark::framework_file::parse(SHIPPED).as_ref(),
        Ok(&definition),
        "reading the file gives what the database holds"
    );
    assert_eq!(
        casemark::db::framework::definition(&mut conn, "pdu-2099")
            .await
            .expect("read"),
        None
    );
    // Every shipped file, the region framework's levels, case types,
    // pooled questions and standards rated elsewhere included.
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped files load");
    for (path, text) in casemark::framework_import::SHIPPED {
        let parsed = casemark::framework_file::parse(text).expect(path);
        let stored = casemark::db::framework::definition(&mut conn, &parsed.code)
            .await
            .expect("read")
            .expect(path);
        assert_eq!(stored, parsed, "{path}");
        assert_eq!(casemark::framework_file::write(&stored), text, "{path}");
    }
}

#[tokio::test]
async fn the_command_line_validates_lists_and_exports() {
    let app = TestApp::spawn().await;
    let export = casemark(&app, &["framework", "export", "pdu-2023"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&export.stdout), SHIPPED);
    let list = casemark(&app, &["framework", "list"]);
    // (The command's start stored the shipped youth framework.)
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "pdu-2023\t1\tin_use\t0 inspections\tPDU inspection standards (2023)\n\
         pdu-2024\t2\tin_use\t0 inspections\tPDU inspection standards (2023), with court reports and resettlement cases\n\
         region-2024\t1\tin_use\t0 inspections\tRegion inspection standards (2024)\n\
         youth-2018\t1\tin_use\t0 inspections\tYouth justice inspection standards (2018)\n"
    );
    let missing = casemark(&app, &["framework", "export", "nope"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no framework nope"));

    // Validation needs no database, and names each problem's line.
    let dir = std::env::temp_dir().join(format!("casemark-frameworks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.toml");
    std::fs::write(&good, SHIPPED).expect("write");
    let valid = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(["framework", "validate"])
        .arg(&good)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("runs");
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let bad = dir.join("bad.toml");
    let broken = SHIPPED
        .replacen("area = \"safety\"", "area = \"wellbeing\"", 1)
        .replacen("code = \"2.2\"", "code = \"2.1\"", 1);
    std::fs::write(&bad, &broken).expect("write");
    let refused = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(["framework", "validate"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let line = |needle: &str| {
        broken[..broken.find(needle).expect("needle")]
            .matches('\n')
            .count()
            + 1
    };
    for expected in [
        format!(
            "{}:{}: standards[3].key_questions[2].area:",
            bad.display(),
            line("area = \"wellbeing\"")
        ),
        format!(
            "{}:{}: standards[4].code:",
            bad.display(),
            line("code = \"2.1\"\ndomain = 2\nname = \"Planning\"")
        ),
        "2 problems in".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "{expected} in:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The shipped file as another framework: a new code and status.
fn copy_of_pdu(code: &str, status: &str) -> String {
    SHIPPED
        .replacen("code = \"pdu-2023\"", &format!("code = \"{code}\""), 1)
        .replacen("status = \"in_use\"", &format!("status = \"{status}\""), 1)
}

/// The PDU framework with the two question sets of the 2025 dynamic
/// inspection's kind: a short licence is asked six key questions (listed
/// out of framework order, to show the file's order is kept).
pub(crate) fn with_question_sets(code: &str) -> String {
    format!(
        "{}\n{}",
        copy_of_pdu(code, "in_use"),
        r#"[[question_sets]]
code = "core"
name = "Core"

[[question_sets]]
code = "adjusted"
name = "Adjusted"
when = "sentence_type = licence and licence_weeks <= 8"
key_questions = ["2.1.3", "2.1.1", "2.1.2", "2.2.3", "2.3.1", "2.3.3"]
"#
    )
}

/// Imports a framework file as the tests' system actor.
pub(crate) async fn import_file(app: &TestApp, text: &str) {
    casemark::framework_import::import(&app.pool, &casemark::audit::Actor::system("tests"), text)
        .await
        .expect("imported");
}

/// A new inspection of Swansea under the framework with that code.
pub(crate) async fn inspection_under(lead: &crate::support::Api, framework: &str) -> i64 {
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&serde_json::json!({"pdu": "Swansea", "region": "Wales", "fieldwork_start": "2026-06-01", "framework": framework}))
        .await;
    created.assert_status(axum::http::StatusCode::CREATED);
    created.json::<serde_json::Value>()["id"]
        .as_i64()
        .expect("id")
}

/// A new inspection under the framework, moved to fieldwork.
pub(crate) async fn fieldwork_under(lead: &crate::support::Api, framework: &str) -> i64 {
    let id = inspection_under(lead, framework).await;
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&serde_json::json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    id
}

/// A page as the lead sees it, signed in through the form.
pub(crate) async fn lead_page(app: &TestApp, path: &str) -> String {
    app.sign_in("lead@example.gov.uk")
        .await
        .get(path)
        .await
        .text()
}

pub(crate) async fn export(app: &TestApp, code: &str) -> String {
    let mut conn = app.pool.acquire().await.expect("connection");
    let definition = casemark::db::framework::definition(&mut conn, code)
        .await
        .expect("read")
        .expect("stored");
    casemark::framework_file::write(&definition)
}

#[tokio::test]
async fn an_imported_file_exports_as_it_was_and_only_a_draft_can_be_replaced() {
    use casemark::framework_import::{ImportRefusal, import};
    let app = TestApp::spawn().await;

    // Export → import → export: the same bytes.
    let draft = copy_of_pdu("pdu-2027", "draft");
    let imported = import(&app.pool, &casemark::audit::Actor::system("tests"), &draft)
        .await
        .expect("imported");
    assert!(!imported.replaced);
    assert_eq!(export(&app, "pdu-2027").await, draft);
    // The new version is a framework like the seeded one: an inspection
    // can be rated under it (the framework cache loads it by id).
    let mut conn = app.pool.acquire().await.expect("connection");
    let loaded = casemark::db::framework::load(&mut conn, imported.id)
        .await
        .expect("loads");
    assert_eq!(loaded.standards.len(), 7);
    assert_eq!(loaded.domain_one_questions().count(), 11);
    drop(conn);

    // An unused draft is replaced; its new wording is what is stored.
    let reworded = draft.replacen(
        "name = \"Leadership\"",
        "name = \"Leadership and governance\"",
        1,
    );
    let again = import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &reworded,
    )
    .await
    .expect("replaced");
    assert!(again.replaced);
    assert_eq!(export(&app, "pdu-2027").await, reworded);

    // A version in use, or no longer a draft, never changes.
    let before = app.fingerprint().await;
    match import(&app.pool, &casemark::audit::Actor::system("tests"), SHIPPED).await {
        Err(ImportRefusal::Exists(message)) => {
            assert!(message.contains("exists and is in use"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(before, app.fingerprint().await, "nothing written");
    // A retired file may replace the draft; then it too is frozen.
    let retired = copy_of_pdu("pdu-2027", "retired");
    import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &retired,
    )
    .await
    .expect("replaces the draft");
    match import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &retired,
    )
    .await
    {
        Err(ImportRefusal::Exists(message)) => assert!(message.contains("is retired"), "{message}"),
        other => panic!("{other:?}"),
    }
    let after_retired = app.fingerprint().await;
    assert_ne!(before, after_retired, "the retired file replaced the draft");

    // A malformed file is refused with its reasons and writes nothing.
    match import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &copy_of_pdu("broken", "draft").replacen("good = 65", "good = 40", 1),
    )
    .await
    {
        Err(ImportRefusal::Problems(problems)) => {
            assert_eq!(problems[0].field, "bands.key_question");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(after_retired, app.fingerprint().await, "nothing written");
}

#[tokio::test]
async fn a_shipped_framework_missing_from_the_database_is_loaded_from_its_file() {
    let app = TestApp::spawn().await;
    assert_eq!(
        casemark::framework_import::load_shipped(&app.pool).await,
        Ok(vec![
            "youth-2018".to_owned(),
            "pdu-2024".to_owned(),
            "region-2024".to_owned()
        ]),
        "pdu-2023 is seeded already"
    );
    assert_eq!(
        export(&app, "youth-2018").await,
        include_str!("../frameworks/youth-2018.toml")
    );
    assert_eq!(
        casemark::framework_import::load_shipped(&app.pool).await,
        Ok(Vec::new()),
        "each is stored once"
    );
    // Without it (an unused version can go), the start loads it again from
    // the file, and it exports as the file.
    let mut tx = app.pool.begin().await.expect("transaction");
    let (id, _, in_use) = casemark::db::framework_store::existing(&mut tx, "pdu-2023")
        .await
        .expect("read")
        .expect("seeded");
    assert!(!in_use);
    casemark::db::framework_store::delete(&mut tx, id)
        .await
        .expect("deleted");
    tx.commit().await.expect("commit");
    assert_eq!(
        casemark::framework_import::load_shipped(&app.pool).await,
        Ok(vec!["pdu-2023".to_owned()])
    );
    assert_eq!(export(&app, "pdu-2023").await, SHIPPED);
}

#[tokio::test]
async fn an_inspection_under_another_framework_scores_only_its_scored_standards() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    // The PDU framework with Reviewing rated but not scored: 18 points.
    let unscored = copy_of_pdu("pdu-review-unscored", "in_use")
        .replacen(
            "name = \"Reviewing\"\nstatement = \"Reviewing of progress is well-informed, analytical and personalised, involving actively the person on probation.\"\nrated_from = \"cases\"\nscored = true",
            "name = \"Reviewing\"\nstatement = \"Reviewing of progress is well-informed, analytical and personalised, involving actively the person on probation.\"\nrated_from = \"cases\"\nscored = false",
            1,
        )
        .replacen("max_score = 21", "max_score = 18", 1);
    assert!(unscored.contains("scored = false"));
    import_file(&app, &unscored).await;
    import_file(&app, &copy_of_pdu("pdu-draft", "draft")).await;
    let lead = app
        .api("lead@example.gov.uk", casemark::vocab::UserRole::Lead)
        .await;
    let create = |framework: &str| json!({"pdu": "Swansea", "region": "Wales", "fieldwork_start": "2026-06-01", "framework": framework});
    for (framework, message) in [
        ("nope", "There is no framework nope"),
        ("pdu-draft", "Framework pdu-draft is draft"),
    ] {
        let refused = lead
            .server
            .post("/api/v1/inspections")
            .json(&create(framework))
            .await;
        refused.assert_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        let body = refused.json::<Value>();
        assert_eq!(body["errors"][0]["field"], json!("framework"));
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(message)),
            "{body}"
        );
    }
    let id = fieldwork_under(&lead, "pdu-review-unscored").await;
    let case = crate::support::add_case(&lead.server, id, "C1", "licence").await;
    // Every key question Yes: every case standard Outstanding.
    let all_yes: serde_json::Map<String, Value> = crate::support::KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    lead.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": all_yes, "complete": true}))
        .await
        .assert_status_ok();
    lead.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "good", "1.2": "good", "1.3": "good"}))
        .await
        .assert_status_ok();
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    // 3 × Good (6) + 3 × Outstanding (9) = 15 of 18; Reviewing is rated
    // Outstanding but adds nothing. 15 is Good overall (11–17).
    assert_eq!(
        (
            ratings["score"].clone(),
            ratings["max_score"].clone(),
            ratings["overall"].clone()
        ),
        (json!(15), json!(18), json!("good"))
    );
    let reviewing = crate::support::standard_in(&ratings, "2.4");
    assert_eq!(
        (
            reviewing["rating"].clone(),
            reviewing["scored"].clone(),
            reviewing["rated_from"].clone(),
            reviewing["domain"].clone()
        ),
        (json!("outstanding"), json!(false), json!("cases"), json!(2))
    );
    let leadership = &ratings["standards"][0];
    assert_eq!(
        (
            leadership["rated_from"].clone(),
            leadership["scored"].clone(),
            leadership["domain"].clone()
        ),
        (json!("evidence"), json!(true), json!(1))
    );
    assert_eq!(ratings["score_range"], json!({"worst": 15, "best": 15}));
    assert_eq!(reviewing["score"], json!(null), "adds nothing");
    let dashboard = lead_page(&app, &format!("/inspections/{id}/ratings")).await;
    assert!(dashboard.contains("Score: 15 out of 18") && dashboard.contains("Not scored"));
}

#[tokio::test]
async fn a_framework_names_its_own_areas() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    // The PDU framework with its third area called wellbeing.
    let renamed = copy_of_pdu("pdu-wellbeing", "in_use")
        .replacen(
            "code = \"safety\"\nname = \"Keeping other people safe\"",
            "code = \"wellbeing\"\nname = \"The child's safety and wellbeing\"",
            1,
        )
        .replace("area = \"safety\"", "area = \"wellbeing\"");
    import_file(&app, &renamed).await;
    assert_eq!(export(&app, "pdu-wellbeing").await, renamed);
    let lead = app
        .api("lead@example.gov.uk", casemark::vocab::UserRole::Lead)
        .await;
    let id = inspection_under(&lead, "pdu-wellbeing").await;
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(
        ratings["standards"][3]["key_questions"][2]["area"],
        json!("wellbeing")
    );
    let dashboard = lead_page(&app, &format!("/inspections/{id}/ratings")).await;
    assert!(
        dashboard.contains("2.1.3 The child&#39;s safety and wellbeing"),
        "the area's own name"
    );
}

#[tokio::test]
async fn standards_may_sit_in_any_domain() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    // Services (judged from evidence) and Reviewing (marked on cases) in a
    // third domain.
    let three = copy_of_pdu("pdu-three-domains", "in_use")
        .replacen(
            "[[standards]]",
            "[[domains]]\nnumber = 3\nname = \"Third domain\"\n\n[[standards]]",
            1,
        )
        .replacen(
            "code = \"1.3\"\ndomain = 1",
            "code = \"1.3\"\ndomain = 3",
            1,
        )
        .replacen(
            "code = \"2.4\"\ndomain = 2",
            "code = \"2.4\"\ndomain = 3",
            1,
        );
    assert!(
        three.contains("code = \"2.4\"\ndomain = 3")
            && three.contains("code = \"1.3\"\ndomain = 3")
    );
    import_file(&app, &three).await;
    assert_eq!(export(&app, "pdu-three-domains").await, three);
    let lead = app
        .api("lead@example.gov.uk", casemark::vocab::UserRole::Lead)
        .await;
    let id = inspection_under(&lead, "pdu-three-domains").await;
    // Every evidence standard is confirmed by its code, whatever its domain.
    lead.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "good", "1.2": "good", "1.3": "requires_improvement"}))
        .await
        .assert_status_ok();
    let ratings = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    let standard = |code: &str| crate::support::standard_in(&ratings, code);
    let services = standard("1.3");
    assert_eq!(
        (
            services["domain"].clone(),
            services["rated_from"].clone(),
            services["confirmed"].clone(),
            services["rating"].clone()
        ),
        (
            json!(3),
            json!("evidence"),
            json!(true),
            json!("requires_improvement")
        )
    );
    let reviewing = standard("2.4");
    assert_eq!(
        (reviewing["domain"].clone(), reviewing["rated_from"].clone()),
        (json!(3), json!("cases"))
    );
    assert_eq!(reviewing["key_questions"].as_array().map(Vec::len), Some(3));
    // The domain one page lists every evidence standard.
    let page = lead_page(&app, &format!("/inspections/{id}/domain-one")).await;
    assert!(page.contains("1.3") && page.contains("Services"));
}

#[tokio::test]
async fn a_youth_justice_inspection_runs_end_to_end_and_bands_its_score_out_of_36() {
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let lead = app
        .api("lead@example.gov.uk", casemark::vocab::UserRole::Lead)
        .await;
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Cardiff YOS", "region": "Wales", "fieldwork_start": "2026-06-01", "framework": "youth-2018"}))
        .await;
    created.assert_status(axum::http::StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let case = crate::support::add_case(&lead.server, id, "Y1", "community_order").await;
    // The seven case standards, 2.1–2.4 and 3.1–3.3, three key questions each.
    let case_standards = ["2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3"];
    // `k` case standards all Yes (Outstanding, 3 each), the rest all No
    // (Inadequate, 0); the five scored evidence standards as given; and
    // resettlement (3.5) always Outstanding, which must add nothing.
    let rate = async |k: usize, evidence: [&str; 5]| -> Value {
        let answers: serde_json::Map<String, Value> = case_standards
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                let answer = if i < k { "yes" } else { "no" };
                (1..=3).map(move |q| (format!("{s}.{q}"), json!(answer)))
            })
            .collect();
        lead.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": answers, "complete": true}))
            .await
            .assert_status_ok();
        let confirmed: serde_json::Map<String, Value> = ["1.1", "1.2", "1.3", "1.4", "3.4"]
            .iter()
            .zip(evidence)
            .map(|(code, rating)| ((*code).to_owned(), json!(rating)))
            .chain([("3.5".to_owned(), json!("outstanding"))])
            .collect();
        lead.server
            .put(&format!("/api/v1/inspections/{id}/domain-one"))
            .json(&confirmed)
            .await
            .assert_status_ok();
        lead.server
            .get(&format!("/api/v1/inspections/{id}/ratings"))
            .await
            .json::<Value>()
    };
    const I: &str = "inadequate";
    const RI: &str = "requires_improvement";
    const G: &str = "good";
    const O: &str = "outstanding";
    // Bands 0–6 Inadequate, 7–18 Requires improvement, 19–30 Good, 31–36
    // Outstanding: every edge, worked as 3 × k + the evidence ratings.
    for (k, evidence, score, overall) in [
        (0, [G, RI, RI, RI, RI], 6, I),
        (0, [G, G, RI, RI, RI], 7, RI),
        (6, [I, I, I, I, I], 18, RI),
        (6, [RI, I, I, I, I], 19, G),
        (7, [O, O, O, I, I], 30, G),
        (7, [O, O, O, RI, I], 31, O),
    ] {
        let ratings = rate(k, evidence).await;
        assert_eq!(
            (
                ratings["score"].clone(),
                ratings["max_score"].clone(),
                ratings["overall"].clone()
            ),
            (json!(score), json!(36), json!(overall)),
            "{k} case standards Outstanding, evidence {evidence:?}"
        );
    }
    let ratings = rate(7, [O, O, O, O, O]).await;
    assert_eq!(ratings["score"], json!(36));
    let resettlement = crate::support::standard_in(&ratings, "3.5");
    assert_eq!(
        (
            resettlement["rating"].clone(),
            resettlement["scored"].clone(),
            resettlement["score"].clone(),
            resettlement["domain"].clone()
        ),
        (json!("outstanding"), json!(false), json!(null), json!(3))
    );
    // The case's key questions name the youth framework's areas.
    assert_eq!(
        ratings["standards"][4]["key_questions"][1]["area"],
        json!("wellbeing")
    );
    // The dashboard and the case page follow the framework.
    let browser = app.sign_in("lead@example.gov.uk").await;
    let dashboard = browser
        .get(&format!("/inspections/{id}/ratings"))
        .await
        .text();
    assert!(dashboard.contains("Score: 36 out of 36"));
    assert!(dashboard.contains("The child&#39;s safety and wellbeing"));
    let case_page = browser.get(&format!("/cases/{case}")).await.text();
    assert!(case_page.contains("3.3") && case_page.contains("Implementation and delivery"));
}

#[tokio::test]
async fn the_new_inspection_page_chooses_among_frameworks_in_use() {
    use serde_json::Value;
    let app = TestApp::spawn().await;
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let lead = app
        .browser("lead@example.gov.uk", casemark::vocab::UserRole::Lead)
        .await;
    let region = app.region_id("Wales").await.to_string();
    let page = lead
        .get(&format!("/inspections/new/details?region={region}"))
        .await
        .text();
    // Both shipped frameworks are offered, the current PDU one chosen.
    assert!(
        page.contains("<option value=\"pdu-2023\" selected>"),
        "{page}"
    );
    assert!(page.contains(
        "<option value=\"youth-2018\">Youth justice inspection standards (2018)</option>"
    ));
    let form = |framework: &str| {
        vec![
            ("region", region.clone()),
            ("framework", framework.to_owned()),
            ("pdu", "new".to_owned()),
            ("new_pdu", "Cardiff YOS".to_owned()),
            ("fieldwork_start-day", "1".to_owned()),
            ("fieldwork_start-month", "6".to_owned()),
            ("fieldwork_start-year", "2026".to_owned()),
        ]
    };
    let refused = lead.post_form("/inspections", &form("youth-1999")).await;
    refused.assert_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(
        html.contains("href=\"#framework\"") && html.contains("There is no framework youth-1999")
    );
    let created = lead.post_form("/inspections", &form("youth-2018")).await;
    let to = created
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .expect("redirect")
        .to_owned();
    let id: i64 = to.trim_start_matches("/inspections/").parse().expect("id");
    let api = app.api_for("lead@example.gov.uk").await;
    let ratings = api
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(ratings["max_score"], serde_json::json!(36));
    assert_eq!(ratings["standards"].as_array().map(Vec::len), Some(13));
}
