//! Drawing the case sample from a long list through the API
//! (docs/sampling.md): the upload with its row problems and exclusions, the
//! draw previewed and confirmed, and a case replaced by a reserve.

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};

use crate::support::{Api, KEY_QUESTIONS, TestApp, error_fields, pluck, ratings};

const HEADER: &str = "CRN,PNC,First name,Last name,Date of birth,Sex,Sentence type,RoSH,Office,Practitioner,Start date,Sensitive";

/// A long list of 120 eligible cases (60 male community not low, 24 male
/// community low, 24 male licence not low, 12 female), over two offices
/// and 15 practitioners of eight cases each, then five that are excluded:
/// a sensitive case, one starting after the fieldwork start (2026-06-01),
/// one without a sex, and two duplicates (a PNC and a name with date of
/// birth already on the list).
fn long_list() -> String {
    let mut lines = vec![HEADER.to_owned()];
    for n in 0..120 {
        let (sex, sentence, rosh) = match n {
            0..60 => ("male", "community", "high"),
            60..84 => ("male", "community", "low"),
            84..108 => ("male", "licence", "medium"),
            _ => ("female", "licence", "low"),
        };
        let office = if n % 3 == 0 { "Bedford" } else { "Luton" };
        lines.push(format!(
            "X{n:03},2001/{n},First{n},Case,1990-01-01,{sex},{sentence},{rosh},{office},Practitioner {},2026-05-01,no",
            n % 15
        ));
    }
    lines.push("S1,,,,,male,community,high,Luton,Practitioner 1,2026-05-01,yes".into());
    lines.push("L1,,,,,male,community,high,Luton,Practitioner 1,2026-06-15,no".into());
    lines.push("N1,,,,,,community,high,Luton,Practitioner 1,2026-05-01,no".into());
    lines.push("D1,2001/5,,,,male,community,high,Luton,Practitioner 1,2026-05-10,no".into());
    lines.push(
        "D2,,First7,Case,1990-01-01,male,community,high,Luton,Practitioner 1,2026-05-10,".into(),
    );
    lines.join("\n") + "\n"
}

async fn lead_with_inspection(app: &TestApp) -> (Api, i64) {
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(
            &json!({"pdu": "Luton", "region": "East of England", "fieldwork_start": "2026-06-01"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    (lead, id)
}

async fn upload(lead: &Api, id: i64, csv: &str) -> axum_test::TestResponse {
    lead.server
        .post(&format!("/api/v1/inspections/{id}/long-list"))
        .content_type("text/csv")
        .bytes(csv.as_bytes().to_vec().into())
        .await
}

async fn draw(lead: &Api, id: i64, body: Value) -> axum_test::TestResponse {
    lead.server
        .post(&format!("/api/v1/inspections/{id}/sample/draw"))
        .json(&body)
        .await
}

#[tokio::test]
async fn a_long_list_is_checked_drawn_from_and_its_reserves_replace_cases() {
    let app = TestApp::spawn().await;
    let (lead, id) = lead_with_inspection(&app).await;

    // Bad rows are reported by row and column, and nothing is kept.
    let before = app.fingerprint().await;
    let bad = upload(
        &lead,
        id,
        &format!("{HEADER}\nX1,,,,,male,parole,high,Luton,P1,2026-05-01,no\n,,,,,male,licence,high,Luton,,31/02/2026,maybe\n"),
    )
    .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        pluck(&bad.json::<Value>()["errors"], &["row", "field"]),
        [
            json!([2, "sentence_type"]),
            json!([3, "crn"]),
            json!([3, "practitioner"]),
            json!([3, "start_date"]),
            json!([3, "sensitive"]),
        ]
    );
    // A draw needs a long list.
    draw(&lead, id, json!({"size": 20}))
        .await
        .assert_status(StatusCode::CONFLICT);
    assert_eq!(before, app.fingerprint().await, "nothing written");

    let uploaded = upload(&lead, id, &long_list()).await;
    uploaded.assert_status(StatusCode::CREATED);
    let uploaded = uploaded.json::<Value>();
    assert_eq!(
        (uploaded["rows"].clone(), uploaded["eligible"].clone()),
        (json!(125), json!(120))
    );
    assert_eq!(
        uploaded["excluded"],
        json!([
            {"row": 122, "reason": "Sensitive case"},
            {"row": 123, "reason": "Not yet started"},
            {"row": 124, "reason": "Sex not recorded"},
            {"row": 125, "reason": "Duplicate of row 7 (same PNC)"},
            {"row": 126, "reason": "Duplicate of row 9 (same name and date of birth)"},
        ])
    );

    // The preview: 20 of 120 is a sixth of each stratum, 10, 4, 4, 0 and 2
    // (no male licence low cases); 20% reserves, rounded up: 2, 1, 1, 0, 1.
    let before = app.fingerprint().await;
    let preview = draw(
        &lead,
        id,
        json!({"size": 20, "buffer_percent": 20, "seed": 7}),
    )
    .await;
    preview.assert_status_ok();
    let preview = preview.json::<Value>();
    let strata: Vec<(Value, Value, Value, Value)> = preview["strata"]
        .as_array()
        .expect("strata")
        .iter()
        .map(|s| {
            (
                s["code"].clone(),
                s["long_list"].clone(),
                s["drawn"].clone(),
                s["reserves"].clone(),
            )
        })
        .collect();
    assert_eq!(
        strata,
        [
            (
                json!("male_community_not_low"),
                json!(60),
                json!(10),
                json!(2)
            ),
            (json!("male_community_low"), json!(24), json!(4), json!(1)),
            (json!("male_licence_not_low"), json!(24), json!(4), json!(1)),
            (json!("male_licence_low"), json!(0), json!(0), json!(0)),
            (json!("female"), json!(12), json!(2), json!(1)),
        ]
    );
    // 60 of 120 is 50.00% of the list; 10 of 20, 50.00% of the sample.
    assert_eq!(preview["strata"][0]["long_list_share"], json!(5000));
    assert_eq!(preview["strata"][0]["sample_share"], json!(5000));
    assert_eq!(
        (preview["seed"].clone(), preview["shortfall"].clone()),
        (json!(7), json!(0))
    );
    assert_eq!(preview["cases"].as_array().map(Vec::len), Some(20));
    assert_eq!(preview["excluded"].as_array().map(Vec::len), Some(5));
    // The same seed, the same draw; nothing written by a preview.
    let again = draw(
        &lead,
        id,
        json!({"size": 20, "buffer_percent": 20, "seed": 7}),
    )
    .await
    .json::<Value>();
    assert_eq!(again, preview);
    assert_eq!(before, app.fingerprint().await, "a preview writes nothing");
    let refused = draw(&lead, id, json!({"size": 0, "buffer_percent": 101})).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&refused),
        [json!("size"), json!("buffer_percent")]
    );

    // A preview's confirm is refused once the long list has been replaced
    // (here by the same rows, uploaded again): it would draw from another.
    upload(&lead, id, &long_list())
        .await
        .assert_status(StatusCode::CREATED);
    let stale = draw(
        &lead,
        id,
        json!({"size": 20, "buffer_percent": 20, "seed": 7, "confirm": true, "long_list": preview["long_list"]}),
    )
    .await;
    stale.assert_status(StatusCode::CONFLICT);
    assert_eq!(app.case_ids(id).await.len(), 0, "nothing drawn");

    // Confirmed: the previewed cases join the inspection.
    let confirmed = draw(
        &lead,
        id,
        json!({"size": 20, "buffer_percent": 20, "seed": 7, "confirm": true}),
    )
    .await;
    confirmed.assert_status(StatusCode::CREATED);
    let confirmed = confirmed.json::<Value>();
    assert_eq!(confirmed["cases"], preview["cases"]);
    let case_ids: Vec<i64> = confirmed["case_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(Value::as_i64)
        .collect();
    assert_eq!(case_ids.len(), 20);
    assert_eq!(app.case_ids(id).await.len(), 20);
    // Names, dates of birth and PNCs are gone from the whole list.
    assert_eq!(
        app.count("select count(*) from long_list_case where first_name is not null or last_name is not null or date_of_birth is not null or pnc is not null")
            .await,
        0
    );
    // Drawn once: a second draw, or a new long list, is refused.
    draw(&lead, id, json!({"size": 20, "confirm": true}))
        .await
        .assert_status(StatusCode::CONFLICT);
    upload(&lead, id, &long_list())
        .await
        .assert_status(StatusCode::CONFLICT);

    // Replacing a case that has answers: the next reserve of its stratum
    // takes its place; its answers are kept in its history, not counted.
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let leaving = case_ids[0];
    let yes: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    lead.server
        .put(&format!("/api/v1/cases/{leaving}/judgements"))
        .json(&json!({"key_questions": yes, "complete": true}))
        .await
        .assert_status_ok();
    let before = ratings(&lead.server, id).await;
    assert_eq!(before["standards"][3]["key_questions"][0]["yes"], json!(1));
    lead.server
        .post(&format!("/api/v1/cases/{leaving}/replace"))
        .json(&json!({"reason": " "}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let replaced = lead
        .server
        .post(&format!("/api/v1/cases/{leaving}/replace"))
        .json(&json!({"reason": "The practitioner has left the service"}))
        .await;
    replaced.assert_status_ok();
    let replaced = replaced.json::<Value>();
    // The first reserve of the first case's stratum.
    let stratum = &confirmed["cases"][0]["stratum"];
    let first_reserve = confirmed["reserves"]
        .as_array()
        .expect("reserves")
        .iter()
        .find(|r| &r["stratum"] == stratum)
        .expect("a reserve");
    assert_eq!(replaced["reference"], first_reserve["crn"]);
    let after = ratings(&lead.server, id).await;
    assert_eq!(after["cases_total"], json!(20), "the sample keeps its size");
    assert_eq!(after["standards"][3]["key_questions"][0]["yes"], json!(0));
    // The replaced case is no longer marked, and its history says why.
    lead.server
        .put(&format!("/api/v1/cases/{leaving}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "no"}}))
        .await
        .assert_status(StatusCode::CONFLICT);
    let history = lead
        .server
        .get(&format!("/api/v1/cases/{leaving}/history"))
        .await
        .json::<Value>();
    let events = history.as_array().expect("events");
    assert!(events.iter().any(|e| e["field"] == json!("replaced_by")
        && e["new_value"] == first_reserve["crn"]
        && e["reason"] == json!("The practitioner has left the service")));
    assert_eq!(
        events
            .iter()
            .filter(|e| e["entity"] == json!("judgement") && e["new_value"].is_null())
            .count(),
        12,
        "each removed answer is in the history"
    );
    // The replaced case stays beside its replacement, but only the
    // replacement counts (20 cases above).
    let all = app.case_ids(id).await;
    assert_eq!(all.len(), 21);
    assert!(all.contains(&leaving) && all.contains(&replaced["replacement"].as_i64().expect("id")));
    // A case added by hand was not drawn: no reserve can replace it.
    let by_hand = crate::support::add_case(&lead.server, id, "HAND1", "licence").await;
    let refused = lead
        .server
        .post(&format!("/api/v1/cases/{by_hand}/replace"))
        .json(&json!({"reason": "Transferred"}))
        .await;
    refused.assert_status(StatusCode::CONFLICT);
}

#[tokio::test]
async fn the_control_board_shows_where_fieldwork_stands() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    // Fieldwork started a week ago.
    let start = chrono::Utc::now().date_naive() - chrono::Duration::days(7);
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Luton", "region": "East of England", "fieldwork_start": start.to_string()}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    let inspector = app.user("a@example.gov.uk", UserRole::Inspector).await;
    let assessor = app.user("la@example.gov.uk", UserRole::Inspector).await;
    for (email, role) in [
        ("a@example.gov.uk", "inspector"),
        ("la@example.gov.uk", "local_assessor"),
    ] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/members"))
            .json(&json!({"email": email, "role": role}))
            .await
            .assert_status_ok();
    }
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let added = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([
            {"reference": "A1", "sentence_type": "licence", "sex": "male"},
            {"reference": "A2", "sentence_type": "community_order", "sex": "female"},
            {"reference": "L1", "sentence_type": "licence", "sex": "male"},
            {"reference": "L2", "sentence_type": "licence"},
        ]))
        .await
        .json::<Value>();
    let ids: Vec<i64> = added["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    for (cases, who) in [
        (&ids[..2], "a@example.gov.uk"),
        (&ids[2..], "la@example.gov.uk"),
    ] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/assignments"))
            .json(&json!({"cases": cases, "assignee": who}))
            .await
            .assert_status_ok();
    }
    let yes: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    lead.server
        .put(&format!("/api/v1/cases/{}/judgements", ids[0]))
        .json(&json!({"key_questions": yes, "complete": true}))
        .await
        .assert_status_ok();
    lead.server
        .put(&format!("/api/v1/cases/{}/judgements", ids[2]))
        .json(&json!({"key_questions": {"2.1.1": "no"}}))
        .await
        .assert_status_ok();

    let board = |days: &'static str| {
        let server = &lead.server;
        async move {
            let response = server
                .get(&format!("/api/v1/inspections/{id}/fieldwork{days}"))
                .await;
            response.assert_status_ok();
            response.json::<Value>()
        }
    };
    // Day 7 of 14: the plan expects half of the 4 cases complete; 1 is.
    let now = board("").await;
    assert_eq!(
        (
            now["days_elapsed"].clone(),
            now["plan_days"].clone(),
            now["cases_total"].clone(),
            now["cases_complete"].clone(),
            now["expected_complete"].clone()
        ),
        (json!(7), json!(14), json!(4), json!(1), json!(2))
    );
    let markers = pluck(
        &now["markers"],
        &[
            "user_id",
            "assigned",
            "not_started",
            "in_progress",
            "complete",
            "oldest_untouched",
        ],
    );
    assert!(markers.contains(&json!([inspector, 2, 1, 0, 1, ["A2", 0]])));
    assert!(markers.contains(&json!([assessor, 2, 1, 1, 0, ["L2", 0]])));
    // Nothing is three days old; with a threshold of 0 days, every
    // assigned case not complete is flagged.
    assert_eq!(now["stale"], json!([]));
    assert_eq!(
        pluck(&board("?stale_days=0").await["stale"], &["reference"]),
        [json!("A2"), json!("L1"), json!("L2")]
    );
    // The profile: 3 licences and 1 community order; sex not recorded once.
    let profile = now["profile"].as_array().expect("profile");
    let row = |dimension: &str, value: &str| {
        profile
            .iter()
            .find(|p| p["dimension"] == json!(dimension) && p["value"] == json!(value))
            .map(|p| (p["sample"].clone(), p["sample_share"].clone()))
    };
    assert_eq!(
        row("Sentence type", "Licence"),
        Some((json!(3), json!(7500)))
    );
    assert_eq!(row("Sex", "Not recorded"), Some((json!(1), json!(2500))));
    assert_eq!(now["long_list"], json!(false));

    // The workbook's Fieldwork sheet holds the same figures.
    let cells = crate::support::workbook_sheet(&lead.server, id, "Fieldwork").await;
    assert!(
        cells
            .iter()
            .any(|r| r.len() > 1 && r[0] == "Cases complete" && r[1] == "1")
    );
    assert!(
        cells
            .iter()
            .any(|r| r.len() > 1 && r[0] == "Complete by today in the plan" && r[1] == "2")
    );

    // The lead moves the local assessor's unfinished cases to the inspector.
    let browser = app.sign_in("lead@example.gov.uk").await;
    let page = browser.get(&format!("/inspections/{id}/fieldwork")).await;
    page.assert_status_ok();
    assert!(page.text().contains("day 7 of 14"));
    let moved = browser
        .post_form(
            &format!("/inspections/{id}/fieldwork/reassign"),
            &[
                ("from", assessor.to_string()),
                ("to", inspector.to_string()),
            ],
        )
        .await;
    moved.assert_status(StatusCode::SEE_OTHER);
    let page = browser
        .get(&format!("/inspections/{id}/fieldwork"))
        .await
        .text();
    assert!(page.contains("2 cases moved"));
    let after = board("").await;
    let assigned_to_inspector = after["markers"]
        .as_array()
        .expect("markers")
        .iter()
        .find(|m| m["user_id"] == json!(inspector))
        .map(|m| m["assigned"].clone());
    assert_eq!(assigned_to_inspector, Some(json!(4)));
}

#[tokio::test]
async fn a_long_list_may_be_an_excel_workbook() {
    let app = TestApp::spawn().await;
    let (lead, id) = lead_with_inspection(&app).await;
    // The CSV list's rows, typed into the first sheet; start dates as
    // Excel dates.
    let csv = long_list();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (row, line) in (0u32..).zip(csv.lines()) {
        for (col, value) in (0u16..).zip(line.split(',')) {
            match chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d") {
                Ok(date) if col == 10 => {
                    use chrono::Datelike;
                    let excel = rust_xlsxwriter::ExcelDateTime::from_ymd(
                        u16::try_from(date.year()).expect("year"),
                        u8::try_from(date.month()).expect("month"),
                        u8::try_from(date.day()).expect("day"),
                    )
                    .expect("date");
                    sheet
                        .write_datetime_with_format(row, col, &excel, &date_format)
                        .expect("cell");
                }
                _ if !value.is_empty() => {
                    sheet.write_string(row, col, value).expect("cell");
                }
                _ => {}
            }
        }
    }
    let bytes = book.save_to_buffer().expect("xlsx");
    let uploaded = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/long-list"))
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .bytes(bytes.into())
        .await;
    uploaded.assert_status(StatusCode::CREATED);
    let uploaded = uploaded.json::<Value>();
    assert_eq!(
        (uploaded["rows"].clone(), uploaded["eligible"].clone()),
        (json!(125), json!(120))
    );
    assert_eq!(
        uploaded["excluded"][1],
        json!({"row": 123, "reason": "Not yet started"}),
        "dates read as dates"
    );
    // Not a workbook after all: refused with the reason, nothing kept.
    let broken = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/long-list"))
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .bytes(b"PK\x03\x04 truncated".to_vec().into())
        .await;
    broken.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(broken.json::<Value>()["errors"][0]["field"], json!("file"));
}

#[tokio::test]
async fn a_replaced_case_leaves_the_quality_assurance_figures() {
    let app = TestApp::spawn().await;
    let (lead, id) = lead_with_inspection(&app).await;
    upload(&lead, id, &long_list())
        .await
        .assert_status(StatusCode::CREATED);
    let confirmed = draw(
        &lead,
        id,
        json!({"size": 4, "buffer_percent": 50, "seed": 1, "confirm": true}),
    )
    .await
    .json::<Value>();
    let case = confirmed["case_ids"][0].as_i64().expect("a case");
    app.user("ql@example.gov.uk", UserRole::Inspector).await;
    lead.server
        .put(&format!("/api/v1/inspections/{id}/members"))
        .json(&json!({"email": "ql@example.gov.uk", "role": "quality_lead"}))
        .await
        .assert_status_ok();
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    let yes: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    lead.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": yes, "complete": true}))
        .await
        .assert_status_ok();
    lead.server
        .post(&format!("/api/v1/inspections/{id}/qa/sample"))
        .json(&json!({"cases": [case], "marker": "ql@example.gov.uk"}))
        .await
        .assert_status(StatusCode::CREATED);
    // The second marker says No throughout: twelve disagreements.
    let quality = app.api_for("ql@example.gov.uk").await;
    let no: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("no")))
        .collect();
    quality
        .server
        .put(&format!("/api/v1/cases/{case}/second-marking"))
        .json(&json!({"key_questions": no, "submit": true}))
        .await
        .assert_status_ok();
    let qa = |server: &axum_test::TestServer| {
        let request = server.get(&format!("/api/v1/inspections/{id}/qa"));
        async move { request.await.json::<Value>() }
    };
    let before = qa(&lead.server).await;
    assert_eq!(
        (before["pairs"].clone(), before["unadjudicated"].clone()),
        (json!(12), json!(12))
    );
    // Replaced, the case no longer counts here either, and its
    // disagreements no longer hold up publication.
    lead.server
        .post(&format!("/api/v1/cases/{case}/replace"))
        .json(&json!({"reason": "The case transferred out"}))
        .await
        .assert_status_ok();
    let after = qa(&lead.server).await;
    assert_eq!(
        (after["pairs"].clone(), after["unadjudicated"].clone()),
        (json!(0), json!(0))
    );
}
