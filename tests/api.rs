//! The JSON API against a real PostgreSQL: the published examples end to
//! end, and every kind of bad input.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Built, KEY_QUESTIONS, PublishedPdu, TestApp, error_fields, rating_code};

/// Marks, rates and checks one published inspection through the API;
/// returns its ratings as the API gives them.
pub(crate) async fn reproduce(api: &Api, published: &PublishedPdu) -> Value {
    let Built { id, cases: case_ids } = (0..published.cases)
        .fold(support::build(&api.server), |built, i| {
            built.case(json!({
                "reference": format!("C{:03}", i + 1),
                "sentence_type": if i < published.community_orders { "community_order" } else { "licence" },
                "age_at_start": 20 + i % 30,
                "mappa_eligible": i % 5 == 0,
            }))
        })
        .pdu(&published.name)
        .region(&published.region)
        .fieldwork(&published.fieldwork_start)
        .await_built()
        .await;
    assert_eq!(case_ids.len(), published.cases);

    for (index, case_id) in case_ids.iter().enumerate() {
        let key_questions: serde_json::Map<String, Value> = published
            .key_questions
            .iter()
            .map(|(code, kq)| (code.clone(), json!(kq.answer_for(index))))
            .collect();
        api.server
            .put(&format!("/api/v1/cases/{case_id}/judgements"))
            .json(&json!({"key_questions": key_questions, "complete": true}))
            .await
            .assert_status_ok();
    }
    let domain_one: serde_json::Map<String, Value> = published
        .domain_one
        .iter()
        .map(|(code, label)| (code.clone(), json!(rating_code(label))))
        .collect();
    api.server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&domain_one)
        .await
        .assert_status_ok();

    let ratings = api
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_published(&ratings, published);
    ratings
}

pub fn assert_published(ratings: &Value, published: &PublishedPdu) {
    let name = &published.name;
    assert_eq!(ratings["cases_total"], json!(published.cases), "{name}");
    assert_eq!(ratings["cases_complete"], json!(published.cases), "{name}");
    assert_eq!(ratings["provisional"], json!(false), "{name}");
    assert_eq!(ratings["score"], json!(published.score), "{name}");
    assert_eq!(ratings["max_score"], json!(21), "{name}");
    assert_eq!(
        ratings["overall"],
        json!(rating_code(&published.overall)),
        "{name}"
    );
    let standards = ratings["standards"].as_array().expect("standards");
    assert_eq!(standards.len(), 7);
    for standard in standards {
        let code = standard["code"].as_str().expect("code");
        let expected = published
            .domain_one
            .get(code)
            .or_else(|| published.domain_two.get(code))
            .expect("every standard is published");
        assert_eq!(
            standard["rating"],
            json!(rating_code(expected)),
            "{name} {code}"
        );
        // Every domain two standard has its three key questions: a missing
        // array must fail here, not skip the checks below.
        let key_questions = standard["key_questions"].as_array();
        if code.starts_with("2.") {
            assert_eq!(key_questions.map(Vec::len), Some(3), "{name} {code}");
        }
        for kq in key_questions.into_iter().flatten() {
            let kq_code = kq["code"].as_str().expect("kq code");
            let counts = &published.key_questions[kq_code];
            assert_eq!(
                kq["percent"],
                json!(counts.published_percent),
                "{name} {kq_code}"
            );
            assert_eq!(
                (kq["yes"].clone(), kq["no"].clone(), kq["na"].clone()),
                (json!(counts.yes), json!(counts.no), json!(counts.na)),
                "{name} {kq_code}"
            );
        }
    }
}

#[tokio::test]
async fn ratings_are_provisional_and_unscored_until_everything_is_rated() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = support::inspection(
        &api.server,
        "Luton",
        "East of England",
        "2025-01-13",
        "fieldwork",
    )
    .await;
    let empty = api
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(empty["provisional"], json!(true));
    assert_eq!(empty["score"], Value::Null);
    assert_eq!(empty["overall"], Value::Null);
    assert_eq!(
        empty["standards"][3]["key_questions"][0]["percent"],
        Value::Null
    );

    let case = support::add_case(&api.server, id, "A1", "licence").await;
    support::add_case(&api.server, id, "A2", "licence").await;
    api.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "yes", "2.1.2": "no", "2.1.3": "na"}}))
        .await
        .assert_status_ok();
    let partial = api
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();
    assert_eq!(partial["cases_complete"], json!(0));
    assert_eq!(partial["provisional"], json!(true));
    // 2.1 is rated from what is judged so far: 2.1.2 at 0% drives it; 2.1.3 is all N/A.
    assert_eq!(partial["standards"][3]["rating"], json!("inadequate"));
    assert_eq!(
        partial["standards"][3]["driving_key_question"],
        json!("2.1.2")
    );
    assert_eq!(
        partial["standards"][3]["key_questions"][2]["percent"],
        Value::Null
    );
    assert_eq!(partial["score"], Value::Null);
}

#[tokio::test]
async fn complete_is_refused_until_all_twelve_are_answered_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let id = support::inspection(&api.server, "Gwent", "Wales", "2025-09-08", "fieldwork").await;
    let case = support::add_case(&api.server, id, "G1", "community_order").await;
    let eleven: serde_json::Map<String, Value> = KEY_QUESTIONS[..11]
        .iter()
        .map(|c| (c.to_string(), json!("yes")))
        .collect();
    let refused = api
        .server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": eleven, "complete": true}))
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.json::<Value>();
    assert_eq!(body["errors"][0]["field"], json!("key_questions.2.4.3"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("2.4.3")
    );
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        app.count("select count(*) from key_question_judgement")
            .await,
        0
    );

    let mut twelve = eleven.clone();
    twelve.insert(
        "2.4.3".into(),
        json!({"answer": "no", "rationale": "No review after the incident."}),
    );
    let done = api
        .server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": twelve, "prompts": {"2.4.3.b": "no"}, "outcomes": {"compliance": "yes"}, "complete": true}))
        .await;
    done.assert_status_ok();
    let case_json = done.json::<Value>();
    assert_eq!(case_json["marking_status"], json!("complete"));
    assert_eq!(
        case_json["key_questions"]["2.4.3"]["rationale"],
        json!("No review after the incident.")
    );
    assert_eq!(case_json["prompts"]["2.4.3.b"], json!("no"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_json_error_never_a_500() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    // Unknown region.
    let r = api
        .server
        .post("/api/v1/inspections")
        .json(
            &json!({"pdu": "Atlantis", "region": "Middle Earth", "fieldwork_start": "2025-01-01"}),
        )
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>()["errors"][0]["field"], json!("region"));
    // Missing and malformed fields, all reported.
    let r = api
        .server
        .post("/api/v1/inspections")
        .json(&json!({"fieldwork_start": "8/9/2025"}))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r);
    assert_eq!(
        fields,
        [json!("region"), json!("pdu"), json!("fieldwork_start")]
    );
    // Malformed JSON.
    let r = api
        .server
        .post("/api/v1/inspections")
        .text("{\"pdu\": ")
        .content_type("application/json")
        .await;
    r.assert_status(StatusCode::BAD_REQUEST);
    assert!(r.json::<Value>()["errors"][0]["message"].is_string());
    // Unknown ids and non-numeric ids are 404 with a JSON body.
    api.server
        .get("/api/v1/inspections/999999/ratings")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let r = api
        .server
        .put("/api/v1/cases/abc/judgements")
        .json(&json!({}))
        .await;
    r.assert_status(StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<Value>()["errors"][0]["message"],
        json!("Not found")
    );

    // "Kent, Surrey and Sussex" is accepted for the seeded "Kent Surrey and Sussex";
    // an unknown PDU in a known region is created.
    let id = support::inspection(
        &api.server,
        "Brighton and Hove",
        "kent, surrey and sussex",
        "2025-03-03",
        "fieldwork",
    )
    .await;
    let inspections = api.server.get("/api/v1/inspections").await.json::<Value>();
    assert_eq!(inspections[0]["region"], json!("Kent Surrey and Sussex"));
    assert_eq!(inspections[0]["pdu"], json!("Brighton and Hove"));

    // Cases: one bad row refuses the whole batch.
    let r = api
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([
            {"reference": "B1", "sentence_type": "licence"},
            {"reference": "B2", "sentence_type": "parole", "start_date": "2024-02-30"},
            {"reference": "b1", "sentence_type": "licence"},
            {"reference": "B4", "sentence_type": "licence", "shoe_size": 9}
        ]))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r);
    assert_eq!(fields, [json!("[3].shoe_size")]);
    let r = api
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!([
            {"reference": "B1", "sentence_type": "licence"},
            {"reference": "B2", "sentence_type": "parole", "start_date": "2024-02-30"},
            {"reference": "b1", "sentence_type": "licence"}
        ]))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r);
    assert_eq!(
        fields,
        [
            json!("[1].sentence_type"),
            json!("[1].start_date"),
            json!("[2].reference")
        ]
    );
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
    // Wrong shape: an object where an array is expected.
    api.server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(&json!({"reference": "B1"}))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // Judgements: unknown codes and values.
    let case = support::add_case(&api.server, id, "B1", "licence").await;
    let r = api
        .server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": "maybe", "9.9.9": "yes"}, "prompts": {"2.1.1.a": "yes"}, "outcomes": {"compliance": "na"}}))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let fields = error_fields(&r);
    assert_eq!(
        fields,
        [
            json!("key_questions.2.1.1"),
            json!("key_questions.9.9.9"),
            json!("outcomes.compliance")
        ]
    );
    assert_eq!(
        app.count("select count(*) from prompt_answer").await,
        0,
        "a refused save writes nothing"
    );
    // Domain one: unknown standard and rating.
    let r = api
        .server
        .put(&format!("/api/v1/inspections/{id}/domain-one"))
        .json(&json!({"1.1": "excellent", "2.1": "good"}))
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("select count(*) from domain_one_rating").await, 0);
}

#[tokio::test]
async fn a_framework_version_in_use_cannot_change() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    sqlx::query("update prompt set text = text where code = '2.1.1.a'")
        .execute(&app.pool)
        .await
        .expect("an unused framework may still be edited");
    support::inspection(&api.server, "Gwent", "Wales", "2025-09-08", "fieldwork").await;
    let refused = sqlx::query("update prompt set text = 'changed' where code = '2.1.1.a'")
        .execute(&app.pool)
        .await;
    // 23001 restrict_violation, from the framework_in_use trigger.
    support::assert_refused(
        refused,
        "23001",
        "is used by an inspection and cannot change",
    );
    let refused = sqlx::query("update framework_version set kq_good_min = 66")
        .execute(&app.pool)
        .await;
    support::assert_refused(
        refused,
        "23001",
        "is used by an inspection and cannot change",
    );
}

#[tokio::test]
async fn the_seeded_bands_are_the_rules_crates_published_bands() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.acquire().await.expect("conn");
    let id = casemark::db::framework::current_id(&mut conn)
        .await
        .expect("current framework");
    let framework = casemark::db::framework::load(&mut conn, id)
        .await
        .expect("framework loads");
    assert_eq!(framework.bands, casemark_rules::Bands::PDU_2023);
    assert_eq!(framework.key_questions().count(), 12);
    assert_eq!(framework.prompts().count(), 51);
    assert_eq!(framework.domain_one().count(), 3);
}

#[tokio::test]
async fn migrations_run_down_and_up_again() {
    let app = TestApp::spawn().await;
    casemark::db::MIGRATOR
        .undo(&app.pool, 0)
        .await
        .expect("down migrations run");
    assert_eq!(
        app.count("select count(*) from pg_tables where tablename = 'sample_case'")
            .await,
        0
    );
    casemark::db::MIGRATOR
        .run(&app.pool)
        .await
        .expect("up again");
    assert_eq!(app.count("select count(*) from region").await, 12);
}

/// Rows where the counts kept by triggers differ from a recount of the
/// answers, in either direction.
async fn tally_drift(app: &TestApp) -> i64 {
    app.count(
        "select count(*) from (
            (select inspection_id, key_question_id, yes, no, na from key_question_tally
             where yes + no + na > 0
             except
             select c.inspection_id, j.key_question_id,
                    count(*) filter (where j.answer = 'yes'), count(*) filter (where j.answer = 'no'),
                    count(*) filter (where j.answer = 'na')
             from key_question_judgement j join sample_case c on c.id = j.case_id group by 1, 2)
            union all
            (select c.inspection_id, j.key_question_id,
                    count(*) filter (where j.answer = 'yes'), count(*) filter (where j.answer = 'no'),
                    count(*) filter (where j.answer = 'na')
             from key_question_judgement j join sample_case c on c.id = j.case_id group by 1, 2
             except
             select inspection_id, key_question_id, yes, no, na from key_question_tally)
            union all
            (select inspection_id, prompt_id, yes, no, na from prompt_tally where yes + no + na > 0
             except
             select c.inspection_id, a.prompt_id,
                    count(*) filter (where a.answer = 'yes'), count(*) filter (where a.answer = 'no'),
                    count(*) filter (where a.answer = 'na')
             from prompt_answer a join sample_case c on c.id = a.case_id group by 1, 2)
        ) drift",
    )
    .await
}

/// Checks what the lists show against a recount: each inspection's case
/// counts in `inspection_summary`, and its summary (ratings, score) as the
/// lists read it from the cache against the summary of its dashboard.
async fn assert_summaries_match(app: &TestApp) {
    let count_drift = app
        .count(
            "select count(*) from inspection_summary s
             where s.cases_total <> (select count(*) from sample_case c where c.inspection_id = s.inspection_id)
                or s.cases_complete <> (select count(*) from sample_case c
                                        where c.inspection_id = s.inspection_id and c.marking_status = 'complete')",
        )
        .await;
    assert_eq!(count_drift, 0, "case counts differ from a recount");
    let frameworks = casemark::framework::FrameworkCache::default();
    let mut conn = app.pool.acquire().await.expect("connection");
    let all = casemark::db::inspections::list(&mut conn, None, None)
        .await
        .expect("list");
    // Twice: the first read may rate and store, the second reads the cache.
    for _ in 0..2 {
        let listed = casemark::ratings::summaries(&mut conn, &frameworks, &all)
            .await
            .expect("summaries");
        for (inspection, summary) in all.iter().zip(listed) {
            let framework = frameworks
                .get(&mut conn, inspection.framework_version_id)
                .await
                .expect("framework");
            let full = casemark::ratings::for_inspection(&mut conn, &framework, inspection)
                .await
                .expect("ratings");
            let expected: Vec<_> = full.standards.iter().map(|s| s.rating).collect();
            assert_eq!(summary.standards, expected, "inspection {}", inspection.id);
            assert_eq!(summary.score, full.score);
            assert_eq!(summary.overall, full.overall);
            assert_eq!(summary.provisional, full.provisional);
        }
    }
}

#[tokio::test]
async fn the_counts_kept_by_triggers_always_equal_a_recount() {
    let app = TestApp::spawn().await;
    let api = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let first =
        support::inspection(&api.server, "Swansea", "Wales", "2025-06-02", "fieldwork").await;
    let second =
        support::inspection(&api.server, "Neath", "Wales", "2025-06-02", "fieldwork").await;
    let mut cases = Vec::new();
    for (inspection, reference) in [(first, "A"), (first, "B"), (first, "C"), (second, "A")] {
        cases.push(support::add_case(&api.server, inspection, reference, "licence").await);
    }
    let save = |case: i64, body: Value| {
        let api = &api;
        async move {
            api.server
                .put(&format!("/api/v1/cases/{case}/judgements"))
                .json(&body)
                .await
                .assert_status_ok();
        }
    };
    for (index, case) in cases.iter().enumerate() {
        let answer = ["yes", "no", "na", "yes"][index];
        save(
            *case,
            json!({"key_questions": {"2.1.1": answer, "2.1.2": "yes"}, "prompts": {"2.1.1.a": answer}}),
        )
        .await;
    }
    assert_eq!(tally_drift(&app).await, 0);
    assert_summaries_match(&app).await;
    // Changes, including a change back, a rationale only, and no change;
    // a case completed, and domain one rated.
    save(
        cases[3],
        json!({"key_questions": {"2.1.1": "yes", "2.1.2": "yes", "2.1.3": "yes"}}),
    )
    .await;
    let all_yes: serde_json::Map<String, Value> = KEY_QUESTIONS
        .iter()
        .map(|code| ((*code).to_owned(), json!("yes")))
        .collect();
    api.server
        .put(&format!("/api/v1/cases/{}/judgements", cases[3]))
        .json(&json!({"key_questions": all_yes, "complete": true}))
        .await
        .assert_status_ok();
    api.server
        .put(&format!("/api/v1/inspections/{second}/domain-one"))
        .json(&json!({"1.1": "good", "1.2": "outstanding", "1.3": "good"}))
        .await
        .assert_status_ok();
    assert_summaries_match(&app).await;
    save(
        cases[0],
        json!({"key_questions": {"2.1.1": "no"}, "prompts": {"2.1.1.a": "no"}}),
    )
    .await;
    save(cases[1], json!({"key_questions": {"2.1.1": "yes"}})).await;
    save(cases[1], json!({"key_questions": {"2.1.1": "no"}})).await;
    save(
        cases[2],
        json!({"key_questions": {"2.1.1": {"answer": "na", "rationale": "x"}}}),
    )
    .await;
    save(cases[3], json!({"key_questions": {"2.1.2": "yes"}})).await;
    assert_eq!(tally_drift(&app).await, 0);
    assert_summaries_match(&app).await;
    let before = app
        .count("select yes::bigint from key_question_tally t join key_question k on k.id = t.key_question_id where k.code = '2.1.2' and inspection_id = 1")
        .await;
    assert_eq!(before, 3);
    // Deleting answers or a whole case (the app never does, but SQL may).
    sqlx::query("delete from key_question_judgement where case_id = $1")
        .bind(cases[0])
        .execute(&app.pool)
        .await
        .expect("delete");
    // Audited cases cannot be deleted (the audit trail refers to them): a
    // case written straight into the tables can.
    for statement in [
        "insert into sample_case (inspection_id, framework_version_id, reference, sentence_type)
         values (2, 1, 'SQL', 'licence')",
        "insert into key_question_judgement (case_id, key_question_id, framework_version_id, answer)
         select id, 1, 1, 'no' from sample_case where reference = 'SQL'",
        "insert into prompt_answer (case_id, prompt_id, framework_version_id, answer)
         select id, 1, 1, 'yes' from sample_case where reference = 'SQL'",
    ] {
        sqlx::query(statement)
            .execute(&app.pool)
            .await
            .expect("insert");
    }
    assert_eq!(tally_drift(&app).await, 0);
    assert_summaries_match(&app).await;
    sqlx::query("delete from sample_case where reference = 'SQL'")
        .execute(&app.pool)
        .await
        .expect("delete");
    assert_eq!(tally_drift(&app).await, 0);
    assert_summaries_match(&app).await;
}
