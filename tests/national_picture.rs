//! The national picture (docs/rating-rules.md, "The national picture"):
//! the annual report's PDU ratings table rebuilt from the 2024 report's 24
//! PDU inspections, and the national figures counted from the inspections
//! loaded, as a page, files and the API.

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};

use crate::support::{Api, KEY_QUESTIONS, TestApp};

/// The 2024 annual report's composite scores, highest first: 6, 5, 4 ×8,
/// 3 ×9, 2 ×3, 1 ×2 (shared/domain/inspection-rules.md).
const SCORES: [u8; 24] = [
    6, 5, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 1, 1,
];
const REGIONS: [&str; 4] = ["Wales", "North West", "London", "South West"];

/// The ratings behind a score, consistent with the report's counts:
/// leadership Good for the six highest scores, Inadequate for the four
/// lowest, Requires improvement between; staffing Requires improvement but
/// for the four lowest; then services and as many domain two standards as
/// the rest of the score needs are Requires improvement, the others
/// Inadequate. (index, leadership, staffing, services, domain two count.)
fn ratings_of(index: usize) -> (&'static str, &'static str, &'static str, usize) {
    let leadership = match index {
        0..6 => "good",
        20.. => "inadequate",
        _ => "requires_improvement",
    };
    let staffing = if index >= 20 {
        "inadequate"
    } else {
        "requires_improvement"
    };
    let points = |r: &str| match r {
        "good" => 2,
        "requires_improvement" => 1,
        _ => 0,
    };
    let rest = usize::from(SCORES[index]) - points(leadership) - points(staffing);
    let services = if rest > 0 {
        "requires_improvement"
    } else {
        "inadequate"
    };
    (leadership, staffing, services, rest.saturating_sub(1))
}

/// A published inspection rated as `ratings_of(index)` says: two cases,
/// a domain two standard Requires improvement when one case is Yes and the
/// other No on each of its key questions (50%), Inadequate when both are No.
pub(crate) async fn published(lead: &Api, index: usize) {
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": format!("PDU {:02}", index + 1), "region": REGIONS[index % 4], "fieldwork_start": "2024-06-03"}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    let status = |to: &'static str| {
        let server = &lead.server;
        async move {
            server
                .put(&format!("/api/v1/inspections/{id}/status"))
                .json(&json!({"status": to}))
                .await
                .assert_status_ok();
        }
    };
    status("fieldwork").await;
    let added = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([{"reference": "A", "sentence_type": "licence"}, {"reference": "B", "sentence_type": "licence"}]))
        .await
        .json::<Value>();
    let (leadership, staffing, services, requires_improvement) = ratings_of(index);
    let domain_two = ["2.1", "2.2", "2.3", "2.4"];
    for (case, first) in added["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .zip([true, false])
    {
        let answers: serde_json::Map<String, Value> = KEY_QUESTIONS
            .iter()
            .map(|code| {
                let standard = domain_two
                    .iter()
                    .position(|s| code.starts_with(s))
                    .expect("a standard");
                let yes = first && standard < requires_improvement;
                ((*code).to_owned(), json!(if yes { "yes" } else { "no" }))
            })
            .collect();
        lead.server
            .put(&format!("/api/v1/cases/{}/judgements", case["id"]))
            .json(&json!({"key_questions": answers, "complete": true}))
            .await
            .assert_status_ok();
    }
    lead.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": leadership, "1.2": staffing, "1.3": services}))
        .await
        .assert_status_ok();
    status("moderation").await;
    status("published").await;
}

#[tokio::test]
async fn the_appendix_table_and_the_national_counts_of_the_2024_report() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    // Created lowest score first, so the table's order is its own doing.
    for index in (0..24).rev() {
        published(&lead, index).await;
    }
    // Not published: never in the national picture.
    lead.server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Unpublished", "region": "Wales", "fieldwork_start": "2024-06-03"}))
        .await
        .assert_status(StatusCode::CREATED);

    let national = lead.server.get("/api/v1/national").await.json::<Value>();
    let pdus = national["pdus"].as_array().expect("pdus");
    let scores: Vec<u8> = pdus
        .iter()
        .filter_map(|p| p["score"].as_u64())
        .map(|s| u8::try_from(s).expect("score"))
        .collect();
    assert_eq!(
        scores, SCORES,
        "highest score first, every score as published"
    );
    // Score 4 or more is Requires improvement overall, 3 or less Inadequate.
    for p in pdus {
        let expected = if p["score"].as_u64() >= Some(4) {
            "requires_improvement"
        } else {
            "inadequate"
        };
        assert_eq!(p["overall"], json!(expected), "{p}");
    }
    // The report's counts: overall 10 / 14; leadership 6 Good, 14 Requires
    // improvement, 4 Inadequate; staffing 20 / 4.
    assert_eq!(national["inspections"], json!(24));
    assert_eq!(national["overall"]["requires_improvement"], json!(10));
    assert_eq!(national["overall"]["inadequate"], json!(14));
    let counts = |code: &str| {
        national["standards"]
            .as_array()
            .expect("standards")
            .iter()
            .find(|s| s["code"] == json!(code))
            .map(|s| s["ratings"].clone())
            .expect("standard")
    };
    assert_eq!(
        counts("1.1"),
        json!({"outstanding": 0, "good": 6, "requires_improvement": 14, "inadequate": 4, "unrated": 0})
    );
    assert_eq!(counts("1.2")["requires_improvement"], json!(20));
    assert_eq!(counts("1.2")["inadequate"], json!(4));
    // Pooled: every case of the 24. A key question of 2.1 is Yes on one case
    // of each inspection whose 2.1 is Requires improvement, No otherwise.
    let assessment_ri = (0..24).filter(|i| ratings_of(*i).3 >= 1).count();
    let pooled = national["key_questions"]
        .as_array()
        .expect("key questions")
        .iter()
        .find(|k| k["code"] == json!("2.1.1"))
        .expect("2.1.1")
        .clone();
    assert_eq!(
        (pooled["yes"].clone(), pooled["no"].clone()),
        (json!(assessment_ri), json!(48 - assessment_ri))
    );
    let percent = (200 * assessment_ri + 48) / 96;
    assert_eq!(pooled["percent"], json!(percent));
    // By region: six inspections each, and they add up.
    let regions = national["regions"].as_array().expect("regions");
    assert_eq!(regions.len(), 4);
    let by_region: u64 = regions
        .iter()
        .filter_map(|r| r["inspections"].as_u64())
        .sum();
    assert_eq!(by_region, 24);

    // The page, and the same table as CSV and as a workbook.
    let browser = app.sign_in("lead@example.gov.uk").await;
    let page = browser.get("/national").await;
    page.assert_status_ok();
    let text = page.text();
    assert!(text.contains("24 published inspections."));
    assert!(
        text.contains("id=\"pooled-by-region\""),
        "pooled by region too"
    );
    assert!(
        text.contains("svg class=\"casemark-chart\""),
        "a picture per standard"
    );
    let csv = browser.get("/national.csv").await.text();
    let csv_scores: Vec<String> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(4).unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        csv_scores,
        SCORES.map(|s| s.to_string()).to_vec(),
        "the CSV's score column"
    );
    let xlsx = browser.get("/national.xlsx").await;
    xlsx.assert_status_ok();
    let bytes = xlsx.into_bytes();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    let sheet = calamine::Reader::worksheet_range(&mut book, "PDU ratings").expect("sheet");
    assert_eq!(sheet.rows().count(), 25);

    // Filters: publication dates and region.
    // (The date each was published, moved into January 2024.)
    sqlx::query("update inspection set published_on = '2024-01-15' where status = 'published'")
        .execute(&app.pool)
        .await
        .expect("dates");
    let later = lead
        .server
        .get("/api/v1/national?from=2024-02-01")
        .await
        .json::<Value>();
    assert_eq!(later["inspections"], json!(0));
    let january = lead
        .server
        .get("/api/v1/national?from=2024-01-01&to=2024-01-31&region=1")
        .await
        .json::<Value>();
    assert_eq!(january["inspections"], json!(6), "Wales's six");
    lead.server
        .get("/api/v1/national?from=2024-13-01")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // An inspector who belongs to none of them sees none.
    let outsider = app
        .api("inspector@example.gov.uk", UserRole::Inspector)
        .await;
    let theirs = outsider
        .server
        .get("/api/v1/national")
        .await
        .json::<Value>();
    assert_eq!(theirs["inspections"], json!(0));
}
