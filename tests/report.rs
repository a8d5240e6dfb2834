//! The report draft (docs/report.md): Hertfordshire's published figures
//! drafted from its marked cases through the API, quoted rationales and
//! prompt figures under the right standard, the lead's recommendations, and
//! the Word document read back (and converted by LibreOffice where it is
//! installed), the same bytes once published.

use std::io::Read;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};

use crate::api::reproduce;
use crate::support::{Api, TestApp, error_fields, fixtures};

const LEAD: &str = "lead@example.gov.uk";

async fn only_inspection(api: &Api) -> i64 {
    api.server.get("/api/v1/inspections").await.json::<Value>()[0]["id"]
        .as_i64()
        .expect("id")
}

fn section<'a>(draft: &'a Value, part: &str, code: &str) -> &'a Value {
    draft[part]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["code"] == json!(code))
        .expect(code)
}

/// The text of every `<w:t>` of a part, and its headings' texts in order.
fn document_texts(xml: &str) -> (String, Vec<String>) {
    let mut text = String::new();
    let mut headings = Vec::new();
    for paragraph in xml.split("<w:p>").skip(1).chain(xml.split("<w:p ").skip(1)) {
        let mut own = String::new();
        for piece in paragraph.split("<w:t").skip(1) {
            let Some(start) = piece.find('>') else {
                continue;
            };
            let Some(end) = piece.find("</w:t>") else {
                continue;
            };
            own.push_str(&piece[start + 1..end]);
        }
        if paragraph.contains("w:val=\"Heading1\"") {
            headings.push((xml.find(paragraph).unwrap_or(0), own.clone()));
        }
        text.push_str(&own);
        text.push('\n');
    }
    headings.sort();
    (text, headings.into_iter().map(|(_, h)| h).collect())
}

fn docx_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut part = archive.by_name(name).expect(name);
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("utf-8");
    xml
}

#[tokio::test]
async fn hertfordshire_drafts_its_published_figures_with_quotes_and_recommendations() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let published = &fixtures().pdus[0];
    reproduce(&lead, published).await;
    let id = only_inspection(&lead).await;
    let cases = app.case_ids(id).await;

    // Quotes: case 0 was Yes on 2.1.1, case 20 No on 2.1.3 (Hertfordshire's
    // 2.1.3 is Yes on its first nine cases only). A quote needs a
    // rationale, and is refused beside it without one.
    let refused = lead
        .server
        .put(&format!("/api/v1/cases/{}/judgements", cases[1]))
        .json(&json!({"key_questions": {"2.1.1": {"answer": "yes", "quote": true}}}))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&refused),
        [json!("key_questions.2.1.1.rationale")]
    );
    for (case, code, answer, rationale) in [
        (
            cases[0],
            "2.1.1",
            "yes",
            "The assessment drew the person into planning their own order.",
        ),
        (
            cases[20],
            "2.1.3",
            "no",
            "No domestic abuse enquiries were made with the police.",
        ),
    ] {
        lead.server
            .put(&format!("/api/v1/cases/{case}/judgements"))
            .json(&json!({"key_questions": {code: {"answer": answer, "rationale": rationale, "quote": true}}}))
            .await
            .assert_status_ok();
    }
    // A prompt figure: 2.1.3.a Yes on three of ten cases, N/A on two more:
    // 30%, below 50%, so an area for improvement over its 10 relevant cases.
    for (index, answer) in [
        "yes", "yes", "yes", "no", "no", "no", "no", "no", "no", "no", "na", "na",
    ]
    .iter()
    .enumerate()
    {
        lead.server
            .put(&format!("/api/v1/cases/{}/judgements", cases[index]))
            .json(&json!({"prompts": {"2.1.3.a": answer}}))
            .await
            .assert_status_ok();
    }
    // The quote is audited.
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where inspection_id = $1 and field = 'quote_in_report'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited, 2);

    let recommendations = json!({"recommendations": [
        "Make sure every assessment analyses the risk of harm to others.",
        "Share information about domestic abuse with the police in every relevant case.",
    ]});
    lead.server
        .put(&format!("/api/v1/inspections/{id}/recommendations"))
        .json(&recommendations)
        .await
        .assert_status_ok();
    let empty = lead
        .server
        .put(&format!("/api/v1/inspections/{id}/recommendations"))
        .json(&json!({"recommendations": ["  "]}))
        .await;
    empty.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let draft = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report"))
        .await;
    draft.assert_status_ok();
    let draft = draft.json::<Value>();
    assert_eq!(draft["status_note"], json!("Draft: provisional ratings"));
    // The ratings table, score and overall rating are the published ones.
    let table: Vec<(String, String)> = draft["ratings"]
        .as_array()
        .expect("ratings")
        .iter()
        .map(|r| {
            (
                r["code"].as_str().unwrap_or_default().to_owned(),
                r["rating"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let mut expected: Vec<(String, String)> = published
        .domain_one
        .iter()
        .chain(published.domain_two.iter())
        .map(|(code, label)| (code.clone(), label.clone()))
        .collect();
    expected.sort();
    assert_eq!(table, expected);
    assert_eq!(draft["score"], json!("Score 4/21"));
    assert_eq!(draft["overall"], json!(published.overall));
    // The sample in words, counted from the 37 + 17 cases.
    assert!(
        draft["background"]
            .as_array()
            .expect("background")
            .contains(&json!("We inspected 54 cases: 37 community orders and 17 releases from custody on licence.")),
        "{}",
        draft["background"]
    );
    // Every key question's percentage, as published.
    for (code, kq) in &published.key_questions {
        let row = section(&draft, "service_delivery", &code[..3])["key_questions"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["code"] == json!(code))
            .expect(code)
            .clone();
        assert_eq!(
            row["percent"],
            json!(format!("{}%", kq.published_percent)),
            "{code}"
        );
    }
    // Quotes under their standard: the Yes a strength, the No an area for
    // improvement, beside the prompt figure with its relevant cases.
    let assessment = section(&draft, "service_delivery", "2.1");
    assert_eq!(
        assessment["strengths"],
        json!(["The assessment drew the person into planning their own order."])
    );
    assert_eq!(
        assessment["improvements"],
        json!([
            "No domestic abuse enquiries were made with the police.",
            "Does assessment clearly identify and analyse all relevant risk of harm factors: Yes in three out of 10 relevant cases"
        ])
    );
    // A standard with nothing quoted says so on the page; domain one, with
    // no evidence recorded, is empty in the model.
    assert_eq!(
        section(&draft, "service_delivery", "2.2")["strengths"],
        json!([])
    );
    assert_eq!(
        section(&draft, "organisational", "1.1")["rating"],
        json!("Requires improvement")
    );
    assert_eq!(draft["recommendations"], recommendations["recommendations"]);

    // The Word document: real headings in the report's order, a ratings
    // table of seven rows under its header, the figures in the text.
    let docx = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report.docx"))
        .await;
    docx.assert_status_ok();
    assert_eq!(
        docx.header("content-type"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let bytes = docx.as_bytes().to_vec();
    let xml = docx_part(&bytes, "word/document.xml");
    let (text, headings) = document_texts(&xml);
    assert_eq!(
        headings,
        [
            "Ratings",
            "Recommendations",
            "Background",
            "1. Organisational arrangements and activity",
            "2. Service delivery"
        ]
    );
    let first_table =
        &xml[xml.find("<w:tbl>").expect("a table")..xml.find("</w:tbl>").expect("its end")];
    assert_eq!(
        first_table.matches("<w:tr>").count() + first_table.matches("<w:tr ").count(),
        8
    );
    assert!(text.contains("Score 4/21"));
    assert!(text.contains(
        "We inspected 54 cases: 37 community orders and 17 releases from custody on licence."
    ));
    assert!(text.contains("Draft: provisional ratings"));
    libreoffice_converts(&bytes);

    // Published, the draft is frozen: no draft note, the same bytes each
    // time, and the recommendations no longer change.
    for status in ["moderation", "published"] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/status"))
            .json(&json!({ "status": status }))
            .await
            .assert_status_ok();
    }
    let first = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report.docx"))
        .await
        .as_bytes()
        .to_vec();
    let second = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report.docx"))
        .await
        .as_bytes()
        .to_vec();
    assert_eq!(first, second, "the same bytes for the same data");
    assert!(
        !document_texts(&docx_part(&first, "word/document.xml"))
            .0
            .contains("Draft: provisional ratings")
    );
    lead.server
        .put(&format!("/api/v1/inspections/{id}/recommendations"))
        .json(&recommendations)
        .await
        .assert_status(StatusCode::CONFLICT);
}

/// Converts the document to PDF with LibreOffice where it is installed
/// (.ci/run installs it); says so and carries on where it is not.
fn libreoffice_converts(bytes: &[u8]) {
    let Some(office) = ["libreoffice", "soffice"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok()
    }) else {
        eprintln!("LibreOffice is not installed: the .docx was not converted");
        return;
    };
    let dir = std::env::temp_dir().join(format!("casemark-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("draft.docx");
    std::fs::write(&file, bytes).expect("write");
    let converted = std::process::Command::new(office)
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&file)
        .env("HOME", &dir)
        .output()
        .expect("LibreOffice runs");
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let pdf = std::fs::read(dir.join("draft.pdf")).expect("a PDF");
    assert!(pdf.starts_with(b"%PDF"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn the_lead_writes_orders_and_removes_recommendations_on_the_page() {
    let app = TestApp::spawn().await;
    let lead = app.api(LEAD, UserRole::Lead).await;
    let id = crate::support::inspection(
        &lead.server,
        "Luton",
        "East of England",
        "2026-03-02",
        "fieldwork",
    )
    .await;
    let browser = app.sign_in(LEAD).await;
    let post = |fields: Vec<(&'static str, String)>| {
        let browser = &browser;
        async move {
            browser
                .post_form(&format!("/inspections/{id}/recommendations"), &fields)
                .await
        }
    };
    // An empty recommendation is refused beside its box.
    let refused = post(vec![("action", "add".into()), ("text", " ".into())]).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().contains("href=\"#text\""));
    for text in ["First", "Second", "Third"] {
        post(vec![("action", "add".into()), ("text", text.into())])
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    post(vec![("action", "up".into()), ("number", "3".into())])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    post(vec![("action", "remove".into()), ("number", "1".into())])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let draft = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report"))
        .await
        .json::<Value>();
    assert_eq!(draft["recommendations"], json!(["Third", "Second"]));
    // Each change is one audit row with the list before and after.
    let last: String = sqlx::query_scalar(
        "select new_value from audit_event where inspection_id = $1 and entity = 'recommendation'
         order by id desc limit 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(last, "1. Third\n2. Second");
    // A staff survey figure in a domain one bullet is worded as the reports
    // word it, its source dropped.
    let item = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/staff-survey"))
        .json(&json!({"question": "I have a manageable workload", "positive": 7, "respondents": 9}))
        .await
        .json::<Value>()["id"]
        .as_i64()
        .expect("survey item");
    lead.server
        .post(&format!("/api/v1/inspections/{id}/domain-one/evidence"))
        .json(&json!({"question": "1.2.1", "kind": "strength", "source": "staff_survey",
                      "text": "Most staff said their workload was manageable", "survey_item": item}))
        .await
        .assert_status(StatusCode::CREATED);
    // A rationale quoted from the case's standard page: the box ticked.
    let case = crate::support::add_case(&lead.server, id, "Q1", "licence").await;
    let form = browser
        .get(&format!("/cases/{case}/standards/2.2"))
        .await
        .text();
    browser
        .post_form(
            &format!("/cases/{case}/standards/2.2"),
            &[
                ("revision", crate::support::hidden_value(&form, "revision")),
                ("kq-2.2.1", "yes".into()),
                (
                    "rationale-2.2.1",
                    "The plan was written with the person.".into(),
                ),
                ("quote-2.2.1", "yes".into()),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let draft = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report"))
        .await
        .json::<Value>();
    assert_eq!(
        section(&draft, "organisational", "1.2")["strengths"],
        json!(["Most staff said their workload was manageable (seven out of nine staff)"])
    );
    assert_eq!(
        section(&draft, "service_delivery", "2.2")["strengths"],
        json!(["The plan was written with the person."])
    );
    // Saving the form again without the box unticks it.
    let form = browser
        .get(&format!("/cases/{case}/standards/2.2"))
        .await
        .text();
    assert!(form.contains("id=\"quote-2-2-1\" name=\"quote-2.2.1\" type=\"checkbox\" value=\"yes\" aria-describedby=\"quote-2-2-1-hint\" checked"));
    browser
        .post_form(
            &format!("/cases/{case}/standards/2.2"),
            &[
                ("revision", crate::support::hidden_value(&form, "revision")),
                ("kq-2.2.1", "yes".into()),
                (
                    "rationale-2.2.1",
                    "The plan was written with the person.".into(),
                ),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let draft = lead
        .server
        .get(&format!("/api/v1/inspections/{id}/report"))
        .await
        .json::<Value>();
    assert_eq!(
        section(&draft, "service_delivery", "2.2")["strengths"],
        json!([])
    );

    // The page reads the same, and a section with nothing to say says so.
    let page = browser.get(&format!("/inspections/{id}/report")).await;
    page.assert_status_ok();
    let html = page.text();
    assert!(html.contains("Third") && html.contains(casemark::report::NO_STRENGTHS));
}
