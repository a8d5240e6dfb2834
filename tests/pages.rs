//! The HTML pages through their forms, as a browser without JavaScript
//! would post them, against a real PostgreSQL.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::Value;
use support::{Browser, PublishedPdu, TestApp, fixtures, rating_code};

fn location(response: &axum_test::TestResponse) -> String {
    response.assert_status(StatusCode::SEE_OTHER);
    response
        .header("location")
        .to_str()
        .expect("location is text")
        .to_owned()
}

/// Creates an inspection through the form and starts its fieldwork.
async fn create_inspection(
    app: &TestApp,
    lead: &Browser,
    region: &str,
    pdu: &str,
    date: (u32, u32, i32),
) -> i64 {
    let region_id = app.region_id(region).await;
    let response = lead
        .post_form(
            "/inspections",
            &[
                ("region", region_id.to_string()),
                ("pdu", "new".into()),
                ("new_pdu", pdu.into()),
                ("fieldwork_start-day", date.0.to_string()),
                ("fieldwork_start-month", date.1.to_string()),
                ("fieldwork_start-year", date.2.to_string()),
            ],
        )
        .await;
    let to = location(&response);
    let id = to
        .strip_prefix("/inspections/")
        .expect("goes to the inspection")
        .parse()
        .expect("id");
    let started = lead
        .post_form(
            &format!("/inspections/{id}/status"),
            &[("status", "fieldwork")],
        )
        .await;
    location(&started);
    id
}

async fn import_csv(lead: &Browser, inspection: i64, csv: String) -> axum_test::TestResponse {
    lead.import_cases(inspection, &csv).await
}

async fn reproduce_with_forms(app: &TestApp, lead: &Browser, published: &PublishedPdu) {
    let (year, month, day) = {
        let mut parts = published
            .fieldwork_start
            .split('-')
            .map(|p| p.parse::<u32>().expect("date part"));
        (
            parts.next().expect("y"),
            parts.next().expect("m"),
            parts.next().expect("d"),
        )
    };
    let id = create_inspection(
        app,
        lead,
        &published.region,
        &published.name,
        (day, month, year as i32),
    )
    .await;

    let mut csv = String::from("Case reference,Sentence type,Practitioner grade\r\n");
    for i in 0..published.cases {
        let sentence = if i < published.community_orders {
            "Community order"
        } else {
            "Licence"
        };
        csv.push_str(&format!("C{:03},{sentence},PO\r\n", i + 1));
    }
    let imported = import_csv(lead, id, csv).await;
    assert_eq!(
        location(&imported),
        format!("/inspections/{id}?added={}", published.cases)
    );

    let case_ids = app.case_ids(id).await;
    assert_eq!(case_ids.len(), published.cases);
    for (index, case_id) in case_ids.iter().enumerate() {
        for standard in ["2.1", "2.2", "2.3", "2.4"] {
            let mut fields: Vec<(String, String)> = Vec::new();
            for area in 1..=3 {
                let code = format!("{standard}.{area}");
                let answer = published.key_questions[&code].answer_for(index);
                fields.push((format!("kq-{code}"), answer.into()));
                let rationale = if answer == "no" {
                    "Insufficient on inspection."
                } else {
                    ""
                };
                fields.push((format!("rationale-{code}"), rationale.into()));
            }
            let saved = lead
                .post_form(&format!("/cases/{case_id}/standards/{standard}"), &fields)
                .await;
            assert_eq!(
                location(&saved),
                format!("/cases/{case_id}?saved={standard}")
            );
        }
        let done = lead.post(&format!("/cases/{case_id}/complete")).await;
        assert_eq!(location(&done), format!("/cases/{case_id}?saved=complete"));
    }

    for (code, label) in &published.domain_one {
        let saved = lead
            .post_form(
                &format!("/inspections/{id}/domain-one/{code}/confirm"),
                &[
                    ("rating".to_owned(), rating_code(label)),
                    ("strengths".to_owned(), "Visible leaders.".into()),
                    ("areas".to_owned(), "Workloads too high.".into()),
                ],
            )
            .await;
        assert_eq!(
            location(&saved),
            format!("/inspections/{id}/domain-one/{code}?done=confirmed")
        );
    }

    let page = lead.get(&format!("/inspections/{id}/ratings")).await;
    page.assert_status_ok();
    let html = page.text();
    assert!(
        html.contains(&format!("Score: {} out of 21", published.score)),
        "{}",
        published.name
    );
    assert!(html.contains(&format!("All {} cases complete", published.cases)));
    assert!(
        html.contains(&format!(">{}</strong></p>", published.overall)),
        "overall shown as a tag"
    );
    for (code, kq) in &published.key_questions {
        // The key question's own row, and its percentage as a whole cell
        // value (so "4%" cannot match "54%").
        let marker = format!("id=\"kq-{}\"", code.replace('.', "-"));
        let start = html
            .find(&marker)
            .unwrap_or_else(|| panic!("{} {code}: a row on the dashboard", published.name));
        let row = &html[start..start + html[start..].find("</tr>").expect("row ends")];
        assert!(
            row.contains(&format!(">{}%<", kq.published_percent)),
            "{} {code}: {row}",
            published.name
        );
    }
    // The same figures through the API, exactly.
    let ratings = app
        .api_for("lead@example.gov.uk")
        .await
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(ratings["score"], serde_json::json!(published.score));
    assert_eq!(
        ratings["overall"],
        serde_json::json!(rating_code(&published.overall))
    );
    for standard in ratings["standards"].as_array().expect("standards") {
        let code = standard["code"].as_str().expect("code");
        let expected = published
            .domain_one
            .get(code)
            .or_else(|| published.domain_two.get(code))
            .expect("published");
        assert_eq!(
            standard["rating"],
            serde_json::json!(rating_code(expected)),
            "{} {code}",
            published.name
        );
    }
    // The national table and the region's page carry the same row: the
    // seven ratings in order, the score and the overall rating.
    let mut expected: Vec<String> = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"]
        .iter()
        .map(|code| {
            let label = published
                .domain_one
                .get(*code)
                .or_else(|| published.domain_two.get(*code))
                .expect("published");
            crate::support::list_rating_cell(label)
        })
        .collect();
    expected.push(format!(
        "<td class=\"govuk-table__cell govuk-table__cell--numeric\">{}</td>",
        published.score
    ));
    let region = app.region_id(&published.region).await;
    for page in ["/".to_owned(), format!("/regions/{region}")] {
        let html = lead.get(&page).await.text();
        let row = html
            .split("<tr class=\"govuk-table__row\">")
            .find(|row| row.contains(&format!("/inspections/{id}\"")))
            .unwrap_or_else(|| panic!("{page} lists {}", published.name));
        let cells: String = row.lines().map(str::trim).collect();
        assert!(
            cells.contains(&expected.concat()),
            "{page}: {} row {row}",
            published.name
        );
        assert!(row.contains(&published.overall));
    }
}

#[tokio::test]
async fn hertfordshire_and_gwent_reproduce_their_published_ratings_through_the_forms() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    for published in fixtures().pdus {
        reproduce_with_forms(&app, &lead, &published).await;
    }
}

#[tokio::test]
async fn every_dashboard_count_links_to_the_cases_behind_it() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let id = create_inspection(&app, &lead, "Wales", "Cardiff", (1, 6, 2025)).await;
    let imported = import_csv(
        &lead,
        id,
        "reference,sentence_type\nA1,licence\nA2,licence\nA3,community order\n".into(),
    )
    .await;
    location(&imported);
    let cases = app.case_ids(id).await;
    for (case, answer) in cases.iter().zip(["no", "yes", "no"]) {
        let saved = lead
            .post_form(
                &format!("/cases/{case}/standards/2.1"),
                &[("kq-2.1.3", answer), ("prompt-2.1.3.b", answer)],
            )
            .await;
        location(&saved);
    }
    let dashboard = lead.get(&format!("/inspections/{id}/ratings")).await.text();
    assert!(dashboard.contains(&format!("/inspections/{id}?kq=2.1.3&amp;answer=no")));
    assert!(dashboard.contains("Provisional"));
    assert!(dashboard.contains("0 of 3 cases complete"));

    let no_cases = lead
        .get(&format!("/inspections/{id}?kq=2.1.3&answer=no"))
        .await
        .text();
    assert!(no_cases.contains("Cases judged No on key question 2.1.3"));
    assert!(no_cases.contains(">A1</a>") && no_cases.contains(">A3</a>"));
    assert!(!no_cases.contains(">A2</a>"));
    let yes_prompt = lead
        .get(&format!("/inspections/{id}?prompt=2.1.3.b&answer=yes"))
        .await
        .text();
    assert!(yes_prompt.contains(">A2</a>") && !yes_prompt.contains(">A1</a>"));
}

#[tokio::test]
async fn mark_complete_is_stopped_by_an_error_summary_naming_each_missing_answer() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let id = create_inspection(&app, &lead, "London", "Camden and Islington", (3, 3, 2025)).await;
    location(&import_csv(&lead, id, "reference,sentence_type\nL1,licence\n".into()).await);
    let case = app.case_ids(id).await[0];
    let saved = lead
        .post_form(
            &format!("/cases/{case}/standards/2.1"),
            &[
                ("kq-2.1.1", "yes"),
                ("kq-2.1.2", "na"),
                ("kq-2.1.3", "no"),
                ("rationale-2.1.3", ""),
            ],
        )
        .await;
    location(&saved);

    let refused = lead.post(&format!("/cases/{case}/complete")).await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("govuk-error-summary"));
    assert!(html.contains("<title>Error: "));
    for missing in [
        "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "2.4.1", "2.4.2", "2.4.3",
    ] {
        assert!(
            html.contains(&format!("Answer key question {missing} ")),
            "names {missing}"
        );
    }
    assert!(!html.contains("Answer key question 2.1.1 "));
    assert!(html.contains(&format!("/cases/{case}/standards/2.4#kq-2-4-3")));
    // The case page prompts for the rationale of the No.
    assert!(html.contains("judged No without a rationale: 2.1.3"));
    let status: String = sqlx::query_scalar("select marking_status from sample_case where id = $1")
        .bind(case)
        .fetch_one(&app.pool)
        .await
        .expect("status");
    assert_eq!(status, "in_progress");
}

#[tokio::test]
async fn invalid_form_input_is_shown_next_to_the_field_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    // New inspection with an impossible date and no PDU.
    let region = app.region_id("Wales").await;
    let r = lead
        .post_form(
            "/inspections",
            &[
                ("region", region.to_string()),
                ("fieldwork_start-day", "31".into()),
                ("fieldwork_start-month", "2".into()),
                ("fieldwork_start-year", "2025".into()),
            ],
        )
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Select the PDU, or add a new one"));
    assert!(html.contains("Fieldwork start date must be a real date"));
    assert!(html.contains("href=\"#fieldwork_start-day\""));
    assert_eq!(app.count("select count(*) from inspection").await, 0);

    let id = create_inspection(&app, &lead, "Wales", "Swansea", (1, 9, 2025)).await;
    // A case form with a bad sentence type and age.
    let r = lead
        .post_form(
            &format!("/inspections/{id}/cases"),
            &[
                ("reference", "S1"),
                ("sentence_type", ""),
                ("age_at_start", "200"),
            ],
        )
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Select the sentence type"));
    assert!(html.contains("Age at start must be a whole number from 10 to 120"));
    assert!(html.contains("value=\"S1\""), "what was typed is kept");
    // A CSV with a duplicate and a bad row adds nothing and lists each problem.
    let r = import_csv(&lead, id, "reference,sentence_type,start date\nS1,licence,2024-01-01\ns1,licence,\nS3,prison,13/13/2024\n".into()).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("Case reference s1 appears more than once"));
    assert!(html.contains("&#39;prison&#39; is not a sentence type"));
    assert!(html.contains("Start date &#39;13/13/2024&#39; must be a real date"));
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
    // A rationale over the limit is refused with its message; nothing saved.
    location(&import_csv(&lead, id, "reference,sentence_type\nS1,licence\n".into()).await);
    let case = app.case_ids(id).await[0];
    let long = "x".repeat(5001);
    let r = lead
        .post_form(
            &format!("/cases/{case}/standards/2.2"),
            &[
                ("kq-2.2.1", "no"),
                ("rationale-2.2.1", long.as_str()),
                ("kq-2.2.2", "yes"),
            ],
        )
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("Rationale for 2.2.1 must be 5000 characters or fewer")
    );
    assert_eq!(
        app.count("select count(*) from key_question_judgement")
            .await,
        0
    );
    // User text is escaped wherever it is shown.
    let r = lead
        .post_form(
            &format!("/cases/{case}/standards/2.2"),
            &[
                ("kq-2.2.1", "no"),
                ("rationale-2.2.1", "<script>alert(1)</script>\" onfocus=\"x"),
            ],
        )
        .await;
    location(&r);
    let html = lead
        .get(&format!("/cases/{case}/standards/2.2"))
        .await
        .text();
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34; onfocus=&#34;x"));
}

#[tokio::test]
async fn every_page_renders_and_unknown_ones_are_404() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let id = create_inspection(
        &app,
        &lead,
        "North West",
        "Cumbria and Lancashire",
        (2, 2, 2026),
    )
    .await;
    location(&import_csv(&lead, id, "reference,sentence_type\nN1,licence\n".into()).await);
    let case = app.case_ids(id).await[0];
    for path in [
        "/".to_owned(),
        "/inspections/new".into(),
        format!(
            "/inspections/new/details?region={}",
            app.region_id("North West").await
        ),
        format!("/inspections/{id}"),
        format!("/inspections/{id}?status=not_started"),
        format!("/inspections/{id}/cases/new"),
        format!("/inspections/{id}/cases/import"),
        format!("/inspections/{id}/ratings"),
        format!("/inspections/{id}/domain-one"),
        format!("/inspections/{id}/domain-one/1.2"),
        format!("/inspections/{id}/staff-survey"),
        format!("/cases/{case}"),
        format!("/cases/{case}/standards/2.3"),
        format!("/cases/{case}/outcomes"),
        "/assets/govuk-frontend.min.css".into(),
        "/assets/fonts/light-94a07e06a1-v2.woff2".into(),
    ] {
        let r = lead.get(&path).await;
        assert_eq!(r.status_code(), StatusCode::OK, "{path}");
    }
    for path in [
        "/nowhere".to_owned(),
        "/inspections/999999".into(),
        "/inspections/abc".into(),
        "/cases/0".into(),
        format!("/cases/{case}/standards/1.1"),
        format!("/cases/{case}/standards/9.9"),
    ] {
        let r = lead.get(&path).await;
        assert_eq!(r.status_code(), StatusCode::NOT_FOUND, "{path}");
        assert!(r.text().contains("Page not found"), "{path}");
    }
    // A standard's form posted to a standard the framework does not have is
    // not found, and nothing of it is saved (the save checks it in its own
    // transaction; the handler has no connection of its own).
    let judgements = "select count(*) from key_question_judgement";
    let before = app.count(judgements).await;
    for code in ["1.1", "9.9"] {
        let r = lead
            .post_form(
                &format!("/cases/{case}/standards/{code}"),
                &[("kq-2.1.1", "yes")],
            )
            .await;
        assert_eq!(r.status_code(), StatusCode::NOT_FOUND, "{code}");
    }
    assert_eq!(app.count(judgements).await, before, "nothing saved");
    // The details step without a region goes back to the region question.
    let r = lead.get("/inspections/new/details").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Select the region of the PDU"));
}
