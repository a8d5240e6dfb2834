//! Data in and out against a real PostgreSQL: case list import with its
//! preview, judgement import, the data annexe (CSV and Excel), the round
//! trip between them, and malformed files of every kind.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use std::io::Cursor;

use axum::http::StatusCode;
use axum_test::multipart::Part;
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Browser, TestApp, location};

use support::KEY_QUESTIONS;

/// A formula a spreadsheet would run if the cell were not neutralised.
const FORMULA: &str = "=cmd|' /C calc'!A0";

async fn set_status(api: &Api, id: i64, status: &str) {
    api.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": status}))
        .await
        .assert_status_ok();
}

async fn post_csv(api: &Api, path: &str, body: impl Into<Vec<u8>>) -> axum_test::TestResponse {
    api.server
        .post(path)
        .content_type("text/csv")
        .bytes(body.into().into())
        .await
}

fn messages(response: &axum_test::TestResponse) -> String {
    response.json::<Value>()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect::<Vec<_>>()
        .join(" | ")
}

/// An inspection marked through the API with every kind of answer: twelve
/// cases with varied facts, prompts, outcomes, rationales (one a formula,
/// one a bullet), one case left in progress, and domain one rated.
async fn marked_inspection(api: &Api, pdu: &str) -> i64 {
    let id = support::inspection(&api.server, pdu, "Wales", "2025-03-10", "fieldwork").await;
    let csv = "reference,sentence_type,start_date,office,practitioner_grade,sex,age_at_start,ethnicity_group,rosh_level,mappa_eligible\n\
        \u{e9}A01,community_order,2024-09-02,\"Cardiff, Central\",po,female,23,white,low,no\n\
        A02,licence,02/09/2024,\"=cmd|' /C calc'!A0\",pso,male,31,black,medium,yes\n\
        A03,community_order,,,trainee,male,45,,high,\n\
        A04,licence,2024-09-03,Newport,po,,52,asian,very high,no\n\
        A05,community_order,2024-09-03,Newport,po,female,19,mixed,medium,no\n\
        A06,licence,2024-09-04,Newport,pso,male,38,white,high,yes\n\
        A07,community_order,2024-09-04,Newport,pso,male,27,not stated,low,no\n\
        A08,licence,2024-09-05,Swansea,po,female,60,white,medium,no\n\
        A09,community_order,2024-09-05,Swansea,trainee,male,33,other,low,no\n\
        A10,licence,2024-09-06,Swansea,po,male,41,white,high,yes\n\
        A11,community_order,2024-09-06,Swansea,pso,female,29,white,low,no\n\
        A12,licence,2024-09-06,Swansea,po,male,36,black,medium,no\n";
    let added = post_csv(api, &format!("/api/v1/inspections/{id}/cases"), csv).await;
    added.assert_status(StatusCode::CREATED);
    let cases: Vec<i64> = added.json::<Value>()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(cases.len(), 12);
    for (index, case) in cases.iter().enumerate() {
        let answer = |k: usize| match (index * 7 + k * 3) % 10 {
            0..=5 => "yes",
            6..=8 => "no",
            _ => "na",
        };
        let mut key_questions = serde_json::Map::new();
        for (k, code) in KEY_QUESTIONS.iter().enumerate() {
            let rationale = match (index, k) {
                (1, 0) => Some("=HYPERLINK(\"http://evil.example\",\"click\")".to_owned()),
                (2, 4) => Some("- seen weekly\n- plan reviewed, \"in depth\"".to_owned()),
                (_, 2) => Some(format!("Case {index}: considered the risk")),
                _ => None,
            };
            key_questions.insert(
                (*code).to_owned(),
                json!({"answer": answer(k), "rationale": rationale}),
            );
        }
        let prompts = json!({"2.1.1.a": answer(20), "2.1.1.b": answer(21), "2.4.3.a": answer(22)});
        let outcomes =
            json!({"compliance": if index % 3 == 0 { "no" } else { "yes" }, "new_offence": "no"});
        api.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({
                "key_questions": key_questions,
                "prompts": prompts,
                "outcomes": outcomes,
                "complete": index != 11,
            }))
            .await
            .assert_status_ok();
    }
    api.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "good", "1.2": "requires_improvement", "1.3": "good"}))
        .await
        .assert_status_ok();
    id
}

async fn ratings(api: &Api, id: i64) -> Value {
    support::ratings(&api.server, id).await
}

async fn annexe_csv(api: &Api, id: i64) -> String {
    let response = api
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.csv"))
        .await;
    response.assert_status_ok();
    assert_eq!(response.header("content-type"), "text/csv; charset=utf-8");
    response.text()
}

/// The rows of a long CSV without the columns naming the inspection.
fn without_inspection(csv: &str) -> Vec<Vec<String>> {
    let text = csv.strip_prefix('\u{feff}').expect("starts with a BOM");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row").iter().skip(4).map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn exporting_then_importing_into_a_new_inspection_gives_identical_ratings_and_rows() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let original = marked_inspection(&api, "Cardiff and Vale").await;
    let exported = annexe_csv(&api, original).await;

    let copy = support::inspection(
        &api.server,
        "Cardiff and Vale",
        "Wales",
        "2026-03-09",
        "fieldwork",
    )
    .await;
    let path = format!("/api/v1/inspections/{copy}/judgements");
    let preview = post_csv(&api, &format!("{path}?dry_run=true"), exported.clone()).await;
    preview.assert_status_ok();
    let summary = preview.json::<Value>();
    assert_eq!(summary["dry_run"], true);
    assert_eq!(summary["cases_added"], 12);
    assert_eq!(summary["cases_complete"], 11);
    assert_eq!(summary["domain_one_ratings"], 3);
    assert_eq!(
        app.count("select count(*) from sample_case").await,
        12,
        "a dry run writes nothing"
    );

    let imported = post_csv(&api, &path, exported.clone()).await;
    imported.assert_status_ok();
    assert_eq!(imported.json::<Value>()["dry_run"], false);

    let before = ratings(&api, original).await;
    assert_eq!(before["cases_complete"], 11);
    assert!(before["score"].is_u64(), "all seven standards are rated");
    assert_eq!(ratings(&api, copy).await, before);
    assert_eq!(
        without_inspection(&annexe_csv(&api, copy).await),
        without_inspection(&exported),
        "every fact, answer, rationale and status survives the round trip"
    );

    // Importing the same file again changes nothing and writes no history.
    let events = app.count("select count(*) from audit_event").await;
    post_csv(&api, &path, exported).await.assert_status_ok();
    assert_eq!(app.count("select count(*) from audit_event").await, events);
}

#[tokio::test]
async fn the_long_csv_has_every_question_for_every_case_and_neutralises_formulas() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = marked_inspection(&api, "Cardiff and Vale").await;
    let text = annexe_csv(&api, id).await;
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, casemark::annexe::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let prompts: i64 = app.count("select count(*) from prompt").await;
    let outcomes: i64 = app.count("select count(*) from outcome_question").await;
    let per_case = 12 + prompts + outcomes;
    assert_eq!(rows.len() as i64, 3 + 12 * per_case);
    assert_eq!(&rows[0][17], "domain_one_rating");
    assert_eq!(&rows[1][20], "Requires improvement");

    let cell = |reference: &str, code: &str, column: usize| -> String {
        rows.iter()
            .find(|r| &r[4] == reference && &r[18] == code)
            .map(|r| r[column].to_owned())
            .expect("row exists")
    };
    assert_eq!(cell("\u{e9}A01", "2.1.1", 7), "Cardiff, Central");
    assert_eq!(cell("A02", "2.1.1", 7), format!("'{FORMULA}"));
    assert!(cell("A02", "2.1.1", 21).starts_with("'=HYPERLINK"));
    assert!(cell("A03", "2.2.2", 21).starts_with("'- seen weekly\n"));
    assert_eq!(cell("A04", "2.1.1", 13), "Very high");
    assert_eq!(cell("A12", "2.1.1", 15), "In progress");
    assert_eq!(cell("A12", "new_offence", 20), "No");
    assert_eq!(
        cell("A12", "2.2.1.a", 20),
        "",
        "unanswered prompts are blank"
    );
    for row in &rows {
        for value in row {
            assert!(
                !value.starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {value:?}"
            );
        }
    }
}

fn sheet(workbook: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    workbook
        .worksheet_range(name)
        .expect("sheet exists")
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[tokio::test]
async fn the_workbook_has_the_annexe_sheets_with_the_dashboards_figures() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = marked_inspection(&api, "Cardiff and Vale").await;
    let expected = ratings(&api, id).await;
    let response = api
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.xlsx"))
        .await;
    response.assert_status_ok();
    assert_eq!(response.header("content-type"), casemark::annexe::XLSX_TYPE);
    assert!(
        response
            .header("content-disposition")
            .to_str()
            .expect("text")
            .contains("cardiff-and-vale-2025-03-10-annexe.xlsx")
    );
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(response.into_bytes().to_vec())).expect("an xlsx file");
    assert_eq!(workbook.sheet_names(), casemark::annexe::workbook::SHEETS);

    let ratings_sheet = sheet(&mut workbook, "Ratings");
    let standards = expected["standards"].as_array().expect("standards");
    for standard in standards {
        let row = ratings_sheet
            .iter()
            .find(|r| text(&r[0]) == standard["code"].as_str().expect("code"))
            .expect("a row per standard");
        let rating = standard["rating"].as_str().expect("rated");
        assert_eq!(text(&row[2]).to_lowercase().replace(' ', "_"), rating);
        assert_eq!(text(&row[3]), standard["score"].to_string());
    }
    let total = ratings_sheet
        .iter()
        .find(|r| text(&r[0]) == "Total score")
        .expect("total");
    assert_eq!(text(&total[3]), expected["score"].to_string());
    assert!(
        ratings_sheet
            .iter()
            .any(|r| text(&r[0]).starts_with("Provisional"))
    );

    let key_questions = sheet(&mut workbook, "Key questions");
    let kq = &standards[3]["key_questions"][2];
    let row = key_questions
        .iter()
        .find(|r| text(&r[1]) == kq["code"].as_str().expect("code"))
        .expect("key question row");
    assert_eq!(text(&row[4]), kq["yes"].to_string());
    assert_eq!(text(&row[6]), kq["na"].to_string());
    let percent = kq["percent"].as_f64().expect("percent") / 100.0;
    assert_eq!(row[8], Data::Float(percent));
    let driving: Vec<String> = key_questions
        .iter()
        .filter(|r| text(&r[9]).starts_with("Yes"))
        .map(|r| text(&r[1]))
        .collect();
    let expected_driving: Vec<String> = standards
        .iter()
        .filter_map(|s| s["driving_key_question"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(driving, expected_driving);

    let prompts = sheet(&mut workbook, "Prompts");
    let p = &standards[3]["key_questions"][0]["prompts"][0];
    let row = prompts
        .iter()
        .find(|r| text(&r[2]) == p["code"].as_str().expect("code"))
        .expect("prompt row");
    let relevant = p["yes"].as_u64().expect("yes") + p["no"].as_u64().expect("no");
    assert_eq!(
        text(&row[8]),
        format!("{} out of {relevant} relevant cases", p["yes"])
    );

    let breakdowns = sheet(&mut workbook, "Breakdowns");
    let headings: Vec<String> = breakdowns
        .iter()
        .map(|r| text(&r[0]))
        .filter(|t| t.starts_with("Key questions by"))
        .collect();
    assert_eq!(
        headings,
        [
            "Key questions by sentence type",
            "Key questions by sex",
            "Key questions by practitioner grade"
        ]
    );
    assert!(
        breakdowns
            .iter()
            .any(|r| r.iter().any(|c| text(c) == "Community order (6 cases)"))
    );
    assert!(
        breakdowns
            .iter()
            .any(|r| r.iter().any(|c| text(c) == "Not recorded (1 cases)")),
        "the case without a recorded sex has its own column"
    );

    let cases = sheet(&mut workbook, "Cases");
    assert_eq!(cases.len(), 13);
    let a02 = cases.iter().find(|r| text(&r[0]) == "A02").expect("A02");
    assert_eq!(text(&a02[3]), FORMULA, "shown as text");
    let formulas = workbook.worksheet_formula("Cases").expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell of the workbook is a formula"
    );
}

#[tokio::test]
async fn the_national_csv_holds_every_inspection_the_user_may_see_once() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let first = marked_inspection(&lead, "Cardiff and Vale").await;
    let second =
        support::inspection(&lead.server, "Swansea", "Wales", "2025-06-02", "fieldwork").await;
    post_csv(
        &lead,
        &format!("/api/v1/inspections/{second}/cases"),
        "reference,sentence_type\nS1,licence\n",
    )
    .await
    .assert_status(StatusCode::CREATED);
    let admin = app
        .api("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let all = admin.server.get("/api/v1/annexe.csv").await;
    all.assert_status_ok();
    let text = all.text();
    assert_eq!(text.matches("inspection_id,region").count(), 1);
    let inspections: std::collections::BTreeSet<String> = without_inspection_ids(&text);
    assert_eq!(
        inspections,
        [first.to_string(), second.to_string()]
            .into_iter()
            .collect()
    );

    // An inspector sees only the inspection they belong to.
    let inspector = app
        .api("inspector@example.gov.uk", UserRole::Inspector)
        .await;
    lead.server
        .put(&format!("/api/v1/inspections/{second}/members"))
        .json(&json!({"email": "inspector@example.gov.uk", "role": "inspector"}))
        .await
        .assert_status_ok();
    let theirs = inspector.server.get("/api/v1/annexe.csv").await;
    assert_eq!(
        without_inspection_ids(&theirs.text()),
        [second.to_string()].into_iter().collect()
    );
    inspector
        .server
        .get(&format!("/api/v1/inspections/{first}/annexe.csv"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

fn without_inspection_ids(text: &str) -> std::collections::BTreeSet<String> {
    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.expect("row")[0].to_owned())
        .collect()
}

/// Files that cannot be imported, each with words its message must contain,
/// for an endpoint whose header row and one valid row are given.
fn malformed_files(header: &str, row: &str) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let mut garbage = Vec::with_capacity(10 * 1024 * 1024);
    let mut x: u32 = 12345;
    while garbage.len() < 10 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        garbage.push((x >> 16) as u8);
    }
    vec![
        (
            "wrong delimiter",
            format!("{header}\n{row}\n").replace(',', ";").into_bytes(),
            "semicolons",
        ),
        (
            "ragged rows",
            format!("{header}\n{row}\n{row},extra\n").into_bytes(),
            "header row names",
        ),
        (
            "invalid UTF-8",
            [format!("{header}\n{row}\n").as_bytes(), b"Caf\xe9"].concat(),
            "CSV UTF-8",
        ),
        ("empty file", Vec::new(), "empty"),
        (
            "header only",
            format!("\u{feff}{header}\r\n").into_bytes(),
            "header row but no",
        ),
        (
            "a workbook",
            b"PK\x03\x04\x14\x00\x06\x00".to_vec(),
            "Excel workbook",
        ),
        ("10 MB of garbage", garbage, "smaller than"),
    ]
}

/// The two imports: path segment, header row, a valid row.
const ENDPOINTS: [(&str, &str, &str); 2] = [
    ("cases", "reference,sentence_type", "A1,licence"),
    (
        "judgements",
        "case_reference,sentence_type,item,code,answer",
        "A1,licence,key_question,2.1.1,Yes",
    ),
];

#[tokio::test]
async fn malformed_files_get_a_clear_message_and_write_nothing_through_the_api() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "fieldwork").await;
    let events = app.count("select count(*) from audit_event").await;
    for (endpoint, header, row) in ENDPOINTS {
        let path = format!("/api/v1/inspections/{id}/{endpoint}");
        for (name, body, expected) in malformed_files(header, row) {
            let response = post_csv(&api, &path, body.clone()).await;
            let status = response.status_code();
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::PAYLOAD_TOO_LARGE,
                "{endpoint}, {name}: {status}"
            );
            let message = messages(&response);
            assert!(message.contains(expected), "{endpoint}, {name}: {message}");
        }
    }
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
    assert_eq!(app.count("select count(*) from audit_event").await, events);
    // The JSON way still says what it accepts.
    let wrong_type = api
        .server
        .post(&format!("/api/v1/inspections/{id}/judgements"))
        .json(&json!([]))
        .await;
    wrong_type.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn malformed_files_get_a_clear_message_and_write_nothing_through_the_pages() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let api = app.api_for("lead@example.gov.uk").await;
    let id = support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "fieldwork").await;
    for (endpoint, header, row) in ENDPOINTS {
        let path = format!("{endpoint}/import");
        for (name, body, expected) in malformed_files(header, row) {
            let form = lead.multipart().add_part(
                "file",
                Part::bytes(body.clone())
                    .file_name("cases.csv")
                    .mime_type("text/csv"),
            );
            let response = lead
                .server
                .post(&format!("/inspections/{id}/{path}"))
                .multipart(form)
                .await;
            let status = response.status_code();
            assert!(
                status == StatusCode::UNPROCESSABLE_ENTITY
                    || status == StatusCode::PAYLOAD_TOO_LARGE,
                "{path}, {name}: {status}"
            );
            let page = response.text();
            assert!(page.contains(expected), "{path}, {name}: {page}");
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                assert!(page.contains("govuk-error-summary"), "{path}, {name}");
            }
        }
    }
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
}

#[tokio::test]
async fn a_case_list_is_previewed_with_every_problem_then_added_all_at_once() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let api = app.api_for("lead@example.gov.uk").await;
    let id = support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "setup").await;
    post_csv(
        &api,
        &format!("/api/v1/inspections/{id}/cases"),
        "reference,sentence_type\nOLD1,licence\n",
    )
    .await
    .assert_status(StatusCode::CREATED);

    let upload = |text: &str| {
        lead.multipart().add_part(
            "file",
            Part::bytes(text.as_bytes().to_vec())
                .file_name("sample.csv")
                .mime_type("text/csv"),
        )
    };
    let bad = "\u{feff}Case ref,Sentence,Start date,Office\r\n\
               N1,licence,31/02/2024,Swansea\r\n\
               N2,parole,2024-03-01,Swansea\r\n\
               N1,licence,2024-03-01,Swansea\r\n\
               old1,licence,,Swansea\r\n\
               ,licence,,Swansea\r\n\
               N6,community order,2024-03-01,\"Swansea, \"\"Quay\"\"\nSecond floor\"\r\n";
    let response = lead
        .server
        .post(&format!("/inspections/{id}/cases/import"))
        .multipart(upload(bad))
        .await;
    response.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text();
    for expected in [
        "Row 2, Start date: Start date &#39;31/02/2024&#39; must be a real date",
        "Row 3, Sentence: &#39;parole&#39; is not a sentence type",
        "Row 4, Case ref: Case reference N1 appears more than once",
        "Row 5, Case ref: Case reference old1 is already in this inspection",
        "Row 6, Case ref: Enter the case reference",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    assert!(page.contains("id=\"row-7\""), "every row is shown");
    assert!(
        !page.contains("/cases/import/confirm"),
        "no way to add a bad file"
    );
    assert_eq!(app.count("select count(*) from sample_case").await, 1);

    let good = "reference,sentence_type,office\nN1,licence,\"Swansea, \"\"Quay\"\"\nSecond floor\"\nN2,co,\n";
    let preview = lead
        .server
        .post(&format!("/inspections/{id}/cases/import"))
        .multipart(upload(good))
        .await;
    preview.assert_status_ok();
    let page = preview.text();
    assert!(page.contains("2 cases are ready to add"), "{page}");
    assert_eq!(
        app.count("select count(*) from sample_case").await,
        1,
        "the preview writes nothing"
    );
    let csv_field = support::hidden_value(&page, "csv");
    let confirmed = lead
        .post_form(
            &format!("/inspections/{id}/cases/import/confirm"),
            &[("csv", csv_field.as_str())],
        )
        .await;
    assert_eq!(location(&confirmed), format!("/inspections/{id}?added=2"));
    let office: String =
        sqlx::query_scalar("select office from sample_case where reference = 'N1'")
            .fetch_one(&app.pool)
            .await
            .expect("N1 added");
    // A browser sends the hidden field's line break as CRLF; this client as LF.
    assert_eq!(
        office.replace("\r\n", "\n"),
        "Swansea, \"Quay\"\nSecond floor"
    );

    // Confirming the same file again refuses it whole, with the reasons.
    let again = lead
        .post_form(
            &format!("/inspections/{id}/cases/import/confirm"),
            &[("csv", csv_field.as_str())],
        )
        .await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .contains("Case reference N1 is already in this inspection")
    );
    assert_eq!(app.count("select count(*) from sample_case").await, 3);
}

#[tokio::test]
async fn csv_cases_through_the_api_accept_a_bom_crlf_and_quoted_fields() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "setup").await;
    let path = format!("/api/v1/inspections/{id}/cases");
    let body = "\u{feff}CRN,Sentence type,Office,MAPPA\r\nX1,Licence,\"Neath, Port Talbot\",Yes\r\nX2,community order,\"Line one\r\nline two\",n\r\n";
    let dry = post_csv(&api, &format!("{path}?dry_run=true"), body).await;
    dry.assert_status_ok();
    assert_eq!(
        dry.json::<Value>()["cases"][0]["office"],
        "Neath, Port Talbot"
    );
    assert_eq!(app.count("select count(*) from sample_case").await, 0);

    let added = post_csv(&api, &path, body).await;
    added.assert_status(StatusCode::CREATED);
    let cases = added.json::<Value>()["cases"].clone();
    assert_eq!(cases[0]["mappa_eligible"], true);
    assert_eq!(cases[1]["office"], "Line one\r\nline two");
    assert_eq!(cases[1]["sentence_type"], "community_order");

    let problems = post_csv(
        &api,
        &path,
        "reference,sentence_type,age_at_start,colour\nY1,licence,200,red\n",
    )
    .await;
    problems.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&problems).contains("Unknown column 'colour'"));
    let rows = post_csv(
        &api,
        &path,
        "reference,sentence_type,age_at_start\nY1,licence,200\nY2,,\n",
    )
    .await;
    rows.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let errors = rows.json::<Value>()["errors"].clone();
    assert_eq!(errors[0]["row"], 2);
    assert_eq!(errors[0]["field"], "age_at_start");
    assert_eq!(errors[1]["row"], 3);
    assert_eq!(errors[1]["field"], "sentence_type");
    assert_eq!(app.count("select count(*) from sample_case").await, 2);
}

async fn import_page(lead: &Browser, id: i64, text: &str) -> axum_test::TestResponse {
    let form = lead.multipart().add_text("csv", text.to_owned());
    lead.server
        .post(&format!("/inspections/{id}/judgements/import"))
        .multipart(form)
        .await
}

#[tokio::test]
async fn judgements_are_previewed_then_imported_by_the_lead_with_an_audit_trail() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let api = app.api_for("lead@example.gov.uk").await;
    let id = support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "fieldwork").await;
    let file = "case_reference,sentence_type,marking_status,item,code,answer,rationale\n\
                J1,licence,In progress,key_question,2.1.1,Yes,Thorough\n\
                J1,licence,In progress,prompt,2.1.1.a,No,\n\
                J1,licence,In progress,outcome,compliance,Yes,\n\
                ,,,domain_one_rating,1.1,Outstanding,\n";

    let bad = import_page(
        &lead,
        id,
        &format!("{file}J1,licence,,key_question,9.9.9,Yes,\nJ2,licence,,key_question,2.1.2,Maybe,\nJ3,licence,Complete,key_question,2.1.1,Yes,\n"),
    )
    .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let page = bad.text();
    for expected in [
        "Row 6, answer: Case J1: There is no key question 9.9.9",
        "Row 7, answer: Case J2: Key question 2.1.2 must be answered Yes, No or N/A",
        "Row 8, marking_status: Case J3: Answer key question 2.1.2",
    ] {
        assert!(page.contains(expected), "missing {expected:?} in {page}");
    }
    assert_eq!(app.count("select count(*) from sample_case").await, 0);

    let preview = import_page(&lead, id, file).await;
    preview.assert_status_ok();
    let page = preview.text();
    assert!(page.contains("Import the judgements"), "{page}");
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
    assert_eq!(app.count("select count(*) from domain_one_rating").await, 0);

    let csv_field = support::hidden_value(&page, "csv");
    let done = lead
        .post_form(
            &format!("/inspections/{id}/judgements/import/confirm"),
            &[("csv", csv_field.as_str())],
        )
        .await;
    assert_eq!(location(&done), format!("/inspections/{id}"));
    assert!(
        lead.get(&location(&done))
            .await
            .text()
            .contains("Imported ")
    );
    let ratings = ratings(&api, id).await;
    assert_eq!(ratings["standards"][0]["rating"], "outstanding");
    assert_eq!(ratings["standards"][3]["key_questions"][0]["yes"], 1);
    let history = api
        .server
        .get(&format!("/api/v1/inspections/{id}/history"))
        .await;
    let events = history.json::<Value>();
    let by_lead = events
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["actor"] == "lead@example.gov.uk")
        .map(|e| {
            format!(
                "{}:{}",
                e["entity"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>();
    for expected in [
        "judgement:2.1.1",
        "prompt:2.1.1.a",
        "outcome:compliance",
        "domain_one:1.1",
    ] {
        assert!(
            by_lead.iter().any(|e| e == expected),
            "{expected} in {by_lead:?}"
        );
    }
}

#[tokio::test]
async fn judgement_import_follows_the_lifecycle_and_only_the_lead_may_import() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let file = "case_reference,sentence_type,item,code,answer\nK1,licence,key_question,2.1.1,Yes\n";
    let path = |id: i64| format!("/api/v1/inspections/{id}/judgements");

    let setup = support::inspection(&lead.server, "Swansea", "Wales", "2025-06-02", "setup").await;
    let refused = post_csv(&lead, &path(setup), file).await;
    refused.assert_status(StatusCode::CONFLICT);

    let fieldwork =
        support::inspection(&lead.server, "Neath", "Wales", "2025-06-02", "fieldwork").await;
    let inspector = app
        .api("inspector@example.gov.uk", UserRole::Inspector)
        .await;
    lead.server
        .put(&format!("/api/v1/inspections/{fieldwork}/members"))
        .json(&json!({"email": "inspector@example.gov.uk", "role": "inspector"}))
        .await
        .assert_status_ok();
    post_csv(&inspector, &path(fieldwork), file)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    post_csv(&lead, &path(fieldwork), file)
        .await
        .assert_status_ok();

    // In moderation the lead may still correct judgements, but not add cases.
    set_status(&lead, fieldwork, "moderation").await;
    let new_case = post_csv(
        &lead,
        &path(fieldwork),
        format!("{file}K2,licence,key_question,2.1.1,No\n"),
    )
    .await;
    new_case.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(messages(&new_case).contains("Case K2 is not in this inspection"));
    post_csv(
        &lead,
        &path(fieldwork),
        "case_reference,item,code,answer\nK1,key_question,2.1.1,No\n",
    )
    .await
    .assert_status_ok();

    set_status(&lead, fieldwork, "published").await;
    post_csv(&lead, &path(fieldwork), file)
        .await
        .assert_status(StatusCode::CONFLICT);
    let answer: String = sqlx::query_scalar("select answer from key_question_judgement")
        .fetch_one(&app.pool)
        .await
        .expect("one judgement");
    assert_eq!(answer, "no");
    assert_eq!(app.count("select count(*) from sample_case").await, 1);
}

#[tokio::test]
async fn downloads_are_offered_on_the_dashboard_and_follow_read_access() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let api = app.api_for("lead@example.gov.uk").await;
    let id = marked_inspection(&api, "Cardiff and Vale").await;
    let dashboard = lead.get(&format!("/inspections/{id}/ratings")).await.text();
    assert!(dashboard.contains(&format!("/inspections/{id}/annexe.xlsx")));
    assert!(dashboard.contains(&format!("/inspections/{id}/annexe.csv")));
    let csv = lead.get(&format!("/inspections/{id}/annexe.csv")).await;
    csv.assert_status_ok();
    assert!(csv.text().starts_with("\u{feff}inspection_id,"));
    lead.get(&format!("/inspections/{id}/annexe.xlsx"))
        .await
        .assert_status_ok();
    assert!(lead.get("/").await.text().contains("href=\"/annexe.csv\""));

    let stranger = app
        .browser("stranger@example.gov.uk", UserRole::Inspector)
        .await;
    for path in ["annexe.csv", "annexe.xlsx", "judgements/import"] {
        stranger
            .get(&format!("/inspections/{id}/{path}"))
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    app.cookieless_client()
        .get(&format!("/api/v1/inspections/{id}/annexe.csv"))
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}
