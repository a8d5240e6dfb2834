//! Region inspections (docs/rating-rules.md, "Region inspections"): three
//! PDU inspections built by hand, pooled by a region inspection whose
//! desistance, public protection, court work and resettlement figures are
//! their counts summed, and whose score out of 24 and overall rating come
//! from the region framework's bands. Every expected figure is worked by
//! hand in the comments.

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};

use crate::support::{Api, TestApp, error_fields, standard_in};

pub(crate) const REGION: &str = "North West";
const DESISTANCE: [&str; 4] = ["2.1.2", "2.2.2", "2.3.2", "2.4.2"];
const SAFETY: [&str; 4] = ["2.1.3", "2.2.3", "2.3.3", "2.4.3"];

/// A PDU inspection of `pdu` in the North West under pdu-2024, in fieldwork.
pub(crate) async fn pdu_inspection(lead: &Api, pdu: &str) -> i64 {
    let created = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": pdu, "region": REGION, "fieldwork_start": "2026-03-02", "framework": "pdu-2024"}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let id = created.json::<Value>()["id"].as_i64().expect("id");
    lead.server
        .put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();
    id
}

/// Adds a case (`case_type` null for the main kind) and records `answers`.
async fn case(
    lead: &Api,
    inspection: i64,
    reference: &str,
    case_type: Value,
    answers: Value,
) -> i64 {
    let added = lead
        .server
        .post(&format!("/api/v1/inspections/{inspection}/cases"))
        .json(&json!([{"reference": reference, "sentence_type": "community_order", "case_type": case_type}]))
        .await;
    added.assert_status(StatusCode::CREATED);
    let id = added.json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("case id");
    lead.server
        .put(&format!("/api/v1/cases/{id}/judgements"))
        .json(&json!({ "key_questions": answers }))
        .await
        .assert_status_ok();
    id
}

/// A supervision case answering the four desistance key questions
/// `desistance` (and 2.4.2 `reviewing`) and every keeping-safe one Yes.
pub(crate) async fn supervision(
    lead: &Api,
    inspection: i64,
    reference: &str,
    desistance: &str,
    reviewing: &str,
) {
    let mut answers = serde_json::Map::new();
    for code in DESISTANCE {
        answers.insert(code.into(), json!(desistance));
    }
    answers.insert("2.4.2".into(), json!(reviewing));
    for code in SAFETY {
        answers.insert(code.into(), json!("yes"));
    }
    case(
        lead,
        inspection,
        reference,
        Value::Null,
        Value::Object(answers),
    )
    .await;
}

fn key_question(ratings: &Value, code: &str) -> (Value, Value, Value, Value) {
    let standard = standard_in(ratings, &code[..3]);
    let kq = standard["key_questions"]
        .as_array()
        .expect("key questions")
        .iter()
        .find(|k| k["code"] == json!(code))
        .expect(code)
        .clone();
    (
        kq["yes"].clone(),
        kq["no"].clone(),
        kq["na"].clone(),
        kq["percent"].clone(),
    )
}

fn rating(ratings: &Value, code: &str) -> Value {
    standard_in(ratings, code)["rating"].clone()
}

#[tokio::test]
async fn a_region_inspection_pools_its_pdu_inspections_counts_and_rates_out_of_24() {
    let app = TestApp::spawn().await;
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let bolton = pdu_inspection(&lead, "Bolton").await;
    let wigan = pdu_inspection(&lead, "Wigan").await;
    let preston = pdu_inspection(&lead, "Preston").await;

    // Desistance (each PDU's 2.1.2, 2.2.2, 2.3.2; 2.4.2 differs below):
    //   Bolton Yes, Yes, No; Wigan No, N/A; Preston Yes.
    // Summed: 3 Yes, 2 No, 1 N/A → 3 of 5 = 60%. (An average of the
    // PDUs' percentages, 67, 0 and 100, would give 56%.)
    // 2.4.2: Bolton's third case Yes instead → 4 of 5 = 80%.
    supervision(&lead, bolton, "B1", "yes", "yes").await;
    supervision(&lead, bolton, "B2", "yes", "yes").await;
    supervision(&lead, bolton, "B3", "no", "yes").await;
    supervision(&lead, wigan, "W1", "no", "no").await;
    supervision(&lead, wigan, "W2", "na", "na").await;
    supervision(&lead, preston, "P1", "yes", "yes").await;
    // Court reports: Bolton Yes; Wigan Yes, No → 2 of 3 = 67% (Good).
    // Resettlement: Bolton No; Preston Yes → 1 of 2 = 50% (Requires
    // improvement).
    case(
        &lead,
        bolton,
        "B-PSR",
        json!("court_report"),
        json!({"C.1": "yes"}),
    )
    .await;
    case(
        &lead,
        wigan,
        "W-PSR1",
        json!("court_report"),
        json!({"C.1": "yes"}),
    )
    .await;
    case(
        &lead,
        wigan,
        "W-PSR2",
        json!("court_report"),
        json!({"C.1": "no"}),
    )
    .await;
    case(
        &lead,
        bolton,
        "B-RS",
        json!("resettlement"),
        json!({"R.1": "no"}),
    )
    .await;
    let preston_resettlement = case(
        &lead,
        preston,
        "P-RS",
        json!("resettlement"),
        json!({"R.1": "yes"}),
    )
    .await;

    // A court report case is asked C.1 only: a supervision question is
    // refused, and a case type the framework lacks is refused by its field.
    let refused = lead
        .server
        .put(&format!("/api/v1/cases/{preston_resettlement}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "yes"}}))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = lead
        .server
        .post(&format!("/api/v1/inspections/{bolton}/cases"))
        .json(&json!([{"reference": "X", "sentence_type": "licence", "case_type": "unpaid_work"}]))
        .await;
    unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&unknown), [json!("[0].case_type")]);

    // The PDU's own ratings: its seven standards out of 21, court work and
    // resettlement nowhere in them, though their cases are in its list.
    let bolton_ratings = crate::support::ratings(&lead.server, bolton).await;
    assert_eq!(bolton_ratings["max_score"], json!(21));
    let codes: Vec<&str> = bolton_ratings["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .filter_map(|s| s["code"].as_str())
        .collect();
    assert_eq!(codes, ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"]);
    assert_eq!(bolton_ratings["cases_total"], json!(5));
    // Bolton's own 2.1.2: 2 of 3.
    assert_eq!(key_question(&bolton_ratings, "2.1.2").3, json!(67));

    // The region inspection, through the API: refused without its pool or
    // with an inspection of another region, each beside its field.
    let elsewhere = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Swansea", "region": "Wales", "fieldwork_start": "2026-03-02", "framework": "pdu-2024"}))
        .await
        .json::<Value>()["id"]
        .as_i64()
        .expect("id");
    for (body, field) in [
        (
            json!({"region": REGION, "fieldwork_start": "2026-09-07"}),
            "pdu_inspections",
        ),
        (
            json!({"region": REGION, "fieldwork_start": "2026-09-07", "pdu_inspections": [bolton, elsewhere]}),
            "pdu_inspections",
        ),
        (
            json!({"region": "Atlantis", "fieldwork_start": "2026-09-07", "pdu_inspections": [bolton]}),
            "region",
        ),
        (
            json!({"region": REGION, "fieldwork_start": "2026-09-07", "pdu_inspections": [bolton], "framework": "pdu-2024"}),
            "framework",
        ),
    ] {
        let refused = lead
            .server
            .post("/api/v1/region-inspections")
            .json(&body)
            .await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_fields(&refused), [json!(field)], "{body}");
    }
    // A region framework cannot start a PDU inspection either.
    let wrong_level = lead
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Bury", "region": REGION, "fieldwork_start": "2026-03-02", "framework": "region-2024"}))
        .await;
    wrong_level.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&wrong_level), [json!("framework")]);

    let created = lead
        .server
        .post("/api/v1/region-inspections")
        .json(&json!({"region": REGION, "fieldwork_start": "2026-09-07", "pdu_inspections": [bolton, wigan, preston]}))
        .await;
    created.assert_status(StatusCode::CREATED);
    let region = created.json::<Value>()["id"].as_i64().expect("id");
    // The list says which inspections are of a region.
    let listed = lead.server.get("/api/v1/inspections").await.json::<Value>();
    let level_of = |id: i64| {
        listed
            .as_array()
            .expect("list")
            .iter()
            .find(|i| i["id"] == json!(id))
            .map(|i| (i["level"].clone(), i["pdu"].clone()))
    };
    assert_eq!(
        level_of(region),
        Some((json!("region"), json!("North West region")))
    );
    assert_eq!(level_of(bolton), Some((json!("pdu"), json!("Bolton"))));
    lead.server
        .put(&format!("/api/v1/inspections/{region}/status"))
        .json(&json!({"status": "fieldwork"}))
        .await
        .assert_status_ok();

    // Its own cases: unpaid work (the main kind) 2.5.1 Yes, Yes → 100%;
    // 2.5.2 Yes, No → 50%: the standard is Requires improvement. Victim
    // work: 2.6.1 and 2.6.2 Yes → Outstanding.
    case(
        &lead,
        region,
        "UPW1",
        Value::Null,
        json!({"2.5.1": "yes", "2.5.2": "yes"}),
    )
    .await;
    case(
        &lead,
        region,
        "UPW2",
        json!("unpaid_work"),
        json!({"2.5.1": "yes", "2.5.2": "no"}),
    )
    .await;
    case(
        &lead,
        region,
        "SVW1",
        json!("victim_work"),
        json!({"2.6.1": "yes", "2.6.2": "yes"}),
    )
    .await;
    // A pooled question is never marked on the region's own cases.
    let pooled_answer = lead
        .server
        .put(&format!(
            "/api/v1/cases/{}/judgements",
            app.case_ids(region).await[0]
        ))
        .json(&json!({"key_questions": {"2.1.1": "yes"}}))
        .await;
    pooled_answer.assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Leadership and staffing, confirmed Requires improvement.
    lead.server
        .put(&format!("/api/v1/inspections/{region}/domain-one"))
        .json(&json!({"1.1": "requires_improvement", "1.2": "requires_improvement"}))
        .await
        .assert_status_ok();

    let rated = lead
        .server
        .get(&format!("/api/v1/region-inspections/{region}/ratings"))
        .await;
    rated.assert_status_ok();
    let rated = rated.json::<Value>();
    // Every pooled figure is the sum of the PDUs' counts.
    for code in ["2.1.1", "2.1.2", "2.1.3"] {
        assert_eq!(
            key_question(&rated, code),
            (json!(3), json!(2), json!(1), json!(60)),
            "{code}"
        );
    }
    assert_eq!(
        key_question(&rated, "2.1.4"),
        (json!(4), json!(1), json!(1), json!(80))
    );
    for code in ["2.2.1", "2.2.2", "2.2.3", "2.2.4"] {
        assert_eq!(
            key_question(&rated, code),
            (json!(6), json!(0), json!(0), json!(100)),
            "{code}"
        );
    }
    assert_eq!(
        key_question(&rated, "2.3.1"),
        (json!(1), json!(1), json!(0), json!(50))
    );
    assert_eq!(
        key_question(&rated, "2.4.1"),
        (json!(2), json!(1), json!(0), json!(67))
    );
    assert_eq!(
        key_question(&rated, "2.5.2"),
        (json!(1), json!(1), json!(0), json!(50))
    );
    // The pooled questions are asked of the PDUs' cases: 2.1.1 of the six
    // supervision cases, 2.4.1 of the three court reports.
    let asked = |code: &str| {
        standard_in(&rated, &code[..3])["key_questions"]
            .as_array()
            .expect("kqs")
            .iter()
            .find(|k| k["code"] == json!(code))
            .expect(code)["cases_asked"]
            .clone()
    };
    assert_eq!(asked("2.1.1"), json!(6));
    assert_eq!(asked("2.4.1"), json!(3));
    assert_eq!(asked("2.5.1"), json!(2));
    // Each standard by its lowest key question: desistance 60% Requires
    // improvement (2.1.4's 80% does not lift it), public protection
    // Outstanding, resettlement Requires improvement, court work Good,
    // unpaid work Requires improvement, victim work Outstanding.
    let ratings: Vec<(String, Value)> = rated["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap_or_default().to_owned(),
                s["rating"].clone(),
            )
        })
        .collect();
    let expected = [
        ("1.1", "requires_improvement"),
        ("1.2", "requires_improvement"),
        ("2.1", "requires_improvement"),
        ("2.2", "outstanding"),
        ("2.3", "requires_improvement"),
        ("2.4", "good"),
        ("2.5", "requires_improvement"),
        ("2.6", "outstanding"),
    ];
    assert_eq!(
        ratings,
        expected
            .iter()
            .map(|(c, r)| ((*c).to_owned(), json!(r)))
            .collect::<Vec<_>>()
    );
    assert_eq!(rating(&rated, "2.1"), json!("requires_improvement"));
    // 1 + 1 + 1 + 3 + 1 + 2 + 1 + 3 = 13 of 24: Good, at the band's edge
    // (13–20 in the region framework's bands).
    assert_eq!(rated["max_score"], json!(24));
    assert_eq!(rated["score"], json!(13));
    assert_eq!(rated["overall"], json!("good"));
    // Leadership Inadequate instead: 12, Requires improvement (5–12).
    lead.server
        .put(&format!("/api/v1/inspections/{region}/domain-one"))
        .json(&json!({"1.1": "inadequate"}))
        .await
        .assert_status_ok();
    let lower = crate::support::ratings(&lead.server, region).await;
    assert_eq!(
        (lower["score"].clone(), lower["overall"].clone()),
        (json!(12), json!("requires_improvement"))
    );

    // A PDU inspection is not a region inspection.
    lead.server
        .get(&format!("/api/v1/region-inspections/{bolton}/ratings"))
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // The list's cached ratings follow the PDUs' marking: reading the list
    // brings the region's cache up to date, and a PDU judgement makes it
    // stale again (the trigger of migration 0015).
    let stale = || async {
        sqlx::query_scalar::<_, bool>(
            "select rated_version <> version from inspection_summary where inspection_id = $1",
        )
        .bind(region)
        .fetch_one(&app.pool)
        .await
        .expect("summary")
    };
    let browser = app.sign_in("lead@example.gov.uk").await;
    browser.get("/").await.assert_status_ok();
    assert!(!stale().await);
    supervision(&lead, preston, "P2", "no", "no").await;
    assert!(stale().await);
    // And the pooled figure moved: 3 Yes, 3 No, 1 N/A → 50%.
    let moved = crate::support::ratings(&lead.server, region).await;
    assert_eq!(
        key_question(&moved, "2.1.1"),
        (json!(3), json!(3), json!(1), json!(50))
    );

    // The drill-down: the pooled figure by PDU, each count linking to that
    // PDU's cases, and the region's total beneath.
    let page = browser
        .get(&format!("/inspections/{region}/pooled/2.1.1"))
        .await;
    page.assert_status_ok();
    let html = page.text();
    for (pdu, id) in [("Bolton", bolton), ("Preston", preston), ("Wigan", wigan)] {
        assert!(html.contains(pdu), "{pdu}");
        assert!(
            html.contains(&format!("/inspections/{id}?kq=2.1.2&amp;answer=yes")),
            "{pdu}"
        );
    }
    let total = html
        .split("id=\"pooled-total\"")
        .nth(1)
        .and_then(|t| t.split("</tr>").next())
        .expect("total row");
    for figure in [">3<", ">1<", ">50%<", ">7<"] {
        assert!(total.contains(figure), "{figure} in {total}");
    }
    // A standard marked on the region's cases has no drill-down.
    browser
        .get(&format!("/inspections/{region}/pooled/2.5.1"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // The dashboard links the pooled figure there and names its pool.
    let dashboard = browser
        .get(&format!("/inspections/{region}/ratings"))
        .await
        .text();
    assert!(dashboard.contains(&format!("/inspections/{region}/pooled/2.1.1")));
    assert!(dashboard.contains("Score: 12 out of 24"), "{dashboard}");
    assert!(dashboard.contains("The pooled key questions sum the cases of 3 PDU inspections"));
    // The PDU inspection's page says who pools it.
    let bolton_page = browser.get(&format!("/inspections/{bolton}")).await.text();
    assert!(bolton_page.contains(&format!("/inspections/{region}\"")));

    // The audit trail records the pool.
    let pooled: Vec<String> = sqlx::query_scalar(
        "select new_value from audit_event where inspection_id = $1 and field = 'pooled' order by id",
    )
    .bind(region)
    .fetch_all(&app.pool)
    .await
    .expect("audit");
    assert_eq!(pooled.len(), 3);
    assert!(pooled.iter().any(|p| p.contains("Bolton")));

    // The workbook's ratings sheet: the region's eight standards and its
    // score out of 24.
    let sheet = crate::support::workbook_sheet(&lead.server, region, "Ratings").await;
    assert_eq!(sheet[0][0], "North West region inspection: ratings");
    let court = sheet
        .iter()
        .find(|r| r[0] == "2.4")
        .expect("court work row");
    assert_eq!(
        (court[1].as_str(), court[2].as_str()),
        ("Court work", "Good")
    );
    let total = sheet.iter().find(|r| r[0] == "Total score").expect("total");
    assert_eq!(total[2], "12 out of 24");

    // Published, it counts in the national figures beside the PDUs: one
    // region inspection, Requires improvement overall, and its court work
    // Good; the PDU inspections (unpublished) count nowhere.
    for status in ["moderation", "published"] {
        lead.server
            .put(&format!("/api/v1/inspections/{region}/status"))
            .json(&json!({ "status": status }))
            .await
            .assert_status_ok();
    }
    let national = lead.server.get("/api/v1/national").await.json::<Value>();
    let level = &national["region_inspections"];
    assert_eq!(level["inspections"], json!(1), "{national}");
    assert_eq!(level["overall"]["requires_improvement"], json!(1));
    let court = level["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .find(|s| s["code"] == json!("2.4"))
        .expect("court work")
        .clone();
    assert_eq!(court["ratings"]["good"], json!(1));
    assert_eq!(national["inspections"], json!(0));
    let page = browser.get("/national").await.text();
    assert!(page.contains("1 published region inspections"), "{page}");

    // Someone outside the region inspection cannot see it or its figures.
    let other = app.api("other-lead@example.gov.uk", UserRole::Lead).await;
    other
        .server
        .get(&format!("/api/v1/region-inspections/{region}/ratings"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    app.sign_in("other-lead@example.gov.uk")
        .await
        .get(&format!("/inspections/{region}/pooled/2.1.1"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_lead_starts_a_region_inspection_from_the_form() {
    let app = TestApp::spawn().await;
    casemark::framework_import::load_shipped(&app.pool)
        .await
        .expect("shipped frameworks");
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let bolton = pdu_inspection(&lead, "Bolton").await;
    let wigan = pdu_inspection(&lead, "Wigan").await;
    let region_id = app.region_id(REGION).await;
    let browser = app.sign_in("lead@example.gov.uk").await;

    let form = browser
        .get(&format!("/region-inspections/new?region={region_id}"))
        .await;
    form.assert_status_ok();
    let html = form.text();
    assert!(html.contains("Bolton") && html.contains("Wigan"));

    // No date: the error summary names the field and the ticks are kept.
    let refused = browser
        .post_form(
            "/region-inspections",
            &[
                ("region", region_id.to_string()),
                ("pdu_inspection", wigan.to_string()),
            ],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text();
    assert!(html.contains("Enter the fieldwork start date"));
    assert!(html.contains("href=\"#fieldwork_start-day\""));

    let created = browser
        .post_form(
            "/region-inspections",
            &[
                ("region", region_id.to_string()),
                ("fieldwork_start-day", "7".into()),
                ("fieldwork_start-month", "9".into()),
                ("fieldwork_start-year", "2026".into()),
                ("pdu_inspection", bolton.to_string()),
                ("pdu_inspection", wigan.to_string()),
            ],
        )
        .await;
    created.assert_status(StatusCode::SEE_OTHER);
    let location = crate::support::location(&created);
    let page = browser.get(&location).await.text();
    assert!(page.contains("North West region inspection"), "{page}");
    assert!(page.contains("Pooled PDU inspections"));
}
