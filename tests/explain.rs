//! Explained ratings: margins, ranges, intervals and sentences through the
//! API, the dashboard, its drill-down and the workbook, on both published
//! examples, fully marked and with a third of the cases still to mark.
//! Every expected figure is worked out by hand in the comments beside it.
//!
//! The working uses the rounding rule (half up): a rounded percentage of at
//! least t needs y ≥ judged × (2t − 1) / 200 Yes. For 54 judged: 65% needs
//! 35, 50% needs 27, 80% needs 44; for 57: 80% needs 46, 65% needs 37, 50%
//! needs 29; for 36: 65% needs 24, 50% needs 18; for 47: 50% needs 24.

use crate::api::reproduce;
use crate::support;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{Api, Built, KEY_QUESTIONS, PublishedPdu, TestApp, fixtures};

const LEAD: &str = "lead@example.gov.uk";

fn standard<'a>(ratings: &'a Value, code: &str) -> &'a Value {
    ratings["standards"]
        .as_array()
        .expect("standards")
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("standard {code}"))
}

fn key_question<'a>(ratings: &'a Value, code: &str) -> &'a Value {
    standard(ratings, &code[..3])["key_questions"]
        .as_array()
        .expect("key questions")
        .iter()
        .find(|k| k["code"] == code)
        .unwrap_or_else(|| panic!("key question {code}"))
}

/// A key question's explanation as the API gives it.
fn explained(kq: &Value) -> Value {
    json!({
        "margin": kq["margin"],
        "unjudged": kq["unjudged"],
        "range": kq["range"],
        "interval": kq["interval"],
        "small_sample": kq["small_sample"],
    })
}

/// A standard's explanation as the API gives it.
fn standard_explained(s: &Value) -> Value {
    json!({
        "rating": s["rating"],
        "margin": s["margin"],
        "fragile": s["fragile"],
        "range": s["range"],
        "settled": s["settled"],
        "explanation": s["explanation"],
    })
}

#[tokio::test]
async fn hertfordshire_and_gwent_reproduce_and_explain_their_published_ratings() {
    let app = TestApp::spawn().await;
    let api = app.api(LEAD, UserRole::Lead).await;
    let [hertfordshire, gwent] = <[PublishedPdu; 2]>::try_from(fixtures().pdus).expect("two");

    let ratings = reproduce(&api, &hertfordshire).await;
    // 2.1.1: 32 of 54 (59%): 3 more make 35 (65%), 6 fewer make 26 (48%).
    // Wilson 95%: 45.97%–71.32%, rounded outwards.
    assert_eq!(
        explained(key_question(&ratings, "2.1.1")),
        json!({"margin": {"up": 3, "down": 6}, "unjudged": 0, "range": {"worst": 59, "best": 59},
               "interval": {"low": 45, "high": 72}, "small_sample": false})
    );
    // 2.1.3: 9 of 54 (17%), Inadequate: 18 more make 27 (50%). 9.02%–28.74%.
    assert_eq!(
        explained(key_question(&ratings, "2.1.3")),
        json!({"margin": {"up": 18, "down": null}, "unjudged": 0, "range": {"worst": 17, "best": 17},
               "interval": {"low": 9, "high": 29}, "small_sample": false})
    );
    // 2.3.1: 43 of 54 (80%), Outstanding: one fewer is 42 (77.8%, Good).
    assert_eq!(
        key_question(&ratings, "2.3.1")["margin"],
        json!({"up": null, "down": 1})
    );
    // Assessment: 59%, 65%, 17%. Up: only 2.1.3 is below 50% (18 more).
    assert_eq!(
        standard_explained(standard(&ratings, "2.1")),
        json!({
            "rating": "inadequate",
            "margin": {"up": 18, "down": null},
            "fragile": false,
            "range": {"worst": "inadequate", "best": "inadequate"},
            "settled": true,
            "explanation": "Inadequate: 2.1.3 Keeping other people safe is 17% (9 of 54), below 50%; \
                            18 more cases judged Yes on it would make Assessment Requires improvement.",
        })
    );
    // Reviewing: 67%, 63%, 52%, Requires improvement. Up to Good: 2.4.2
    // 34 → 35 (1), 2.4.3 28 → 35 (7). Down: 2.4.3 28 → 26 (2 fewer; 27 is
    // still 50%), cheaper than 2.4.2 (34 → 26, 8) or 2.4.1 (36 → 26, 10).
    assert_eq!(
        standard_explained(standard(&ratings, "2.4")),
        json!({
            "rating": "requires_improvement",
            "margin": {"up": 8, "down": 2},
            "fragile": false,
            "range": {"worst": "requires_improvement", "best": "requires_improvement"},
            "settled": true,
            "explanation": "Requires improvement: 2.4.3 Keeping other people safe is 52% (28 of 54), \
                            within 50–64%; 8 more cases judged Yes (1 on 2.4.2, 7 on 2.4.3) would make \
                            Reviewing Good.",
        })
    );
    // Every standard confirmed or fully marked: the score is 4 either way.
    assert_eq!(ratings["score_range"], json!({"worst": 4, "best": 4}));
    assert_eq!(
        ratings["overall_range"],
        json!({"worst": "requires_improvement", "best": "requires_improvement"})
    );
    // Domain one standards carry no domain two explanation.
    assert!(standard(&ratings, "1.1").get("explanation").is_none());

    let ratings = reproduce(&api, &gwent).await;
    // 2.1.2: 39 of 57 (68%, Good): 7 more make 46 (80.7%); 37 is still
    // 65% (64.9), so 3 fewer (36, 63.2%) make it Requires improvement.
    assert_eq!(
        key_question(&ratings, "2.1.2")["margin"],
        json!({"up": 7, "down": 3})
    );
    // 2.4.3: 17 of 47 judged (10 N/A, answered): 36%; 24 of 47 is 51%.
    // Wilson 95%: 23.97%–50.46%.
    assert_eq!(
        explained(key_question(&ratings, "2.4.3")),
        json!({"margin": {"up": 7, "down": null}, "unjudged": 0, "range": {"worst": 36, "best": 36},
               "interval": {"low": 23, "high": 51}, "small_sample": false})
    );
    // Reviewing: 67%, 46%, 36%: 2.4.2 26 → 29 (3) and 2.4.3 17 → 24 (7).
    assert_eq!(
        standard(&ratings, "2.4")["explanation"],
        json!(
            "Inadequate: 2.4.3 Keeping other people safe is 36% (17 of 47), below 50%; \
             10 more cases judged Yes (3 on 2.4.2, 7 on 2.4.3) would make Reviewing \
             Requires improvement."
        )
    );
    assert_eq!(ratings["score_range"], json!({"worst": 4, "best": 4}));
}

/// Hertfordshire's answers on two cases in three: every case whose index
/// (0-based) leaves 2 when divided by 3 is not marked, 18 of 54. Domain
/// one is not confirmed. No judgements carry a rationale saying why.
async fn two_thirds_of_hertfordshire(api: &Api) -> Built {
    let published = &fixtures().pdus[0];
    let mut built = support::build(&api.server)
        .pdu(&published.name)
        .region(&published.region)
        .licence_cases(published.cases);
    for index in (0..published.cases).filter(|i| i % 3 != 2) {
        let key_questions: serde_json::Map<String, Value> = KEY_QUESTIONS
            .iter()
            .map(|code| {
                let answer = published.key_questions[*code].answer_for(index);
                let judgement = if *code == "2.1.3" && answer == "no" {
                    json!({"answer": "no", "rationale": format!("No police checks in case {index}.")})
                } else {
                    json!(answer)
                };
                ((*code).to_owned(), judgement)
            })
            .collect();
        built = built.answers(index, json!({"key_questions": key_questions}));
    }
    built.await_built().await
}

#[tokio::test]
async fn with_a_third_still_to_mark_the_ratings_show_where_they_can_end() {
    let app = TestApp::spawn().await;
    let api = app.api(LEAD, UserRole::Lead).await;
    let Built { id, .. } = two_thirds_of_hertfordshire(&api).await;
    let ratings = api
        .server
        .get(&format!("/api/v1/inspections/{id}/ratings"))
        .await
        .json::<Value>();

    // 2.1.1: Yes on cases 0–31, of which 10 (2, 5, …, 29) are unmarked:
    // 22 Yes; No on 32–53, 8 unmarked (32, …, 53): 14 No. 22 of 36 = 61%.
    // Up: 24 of 36 (66.7%), 2 more. Down: 18 of 36 is 50%, so 17: 5 fewer.
    // Range: 22 of 54 (40.7%) to 40 of 54 (74.1%). Wilson 44.86%–75.22%.
    assert_eq!(
        explained(key_question(&ratings, "2.1.1")),
        json!({"margin": {"up": 2, "down": 5}, "unjudged": 18, "range": {"worst": 41, "best": 74},
               "interval": {"low": 44, "high": 76}, "small_sample": false})
    );
    // 2.1.3: Yes on 0–8 less 2, 5, 8: 6 of 36 (17%). Up: 18 of 36, 12
    // more. Range 6 of 54 (11.1%) to 24 of 54 (44.4%). Wilson 7.87–31.89%.
    assert_eq!(
        explained(key_question(&ratings, "2.1.3")),
        json!({"margin": {"up": 12, "down": null}, "unjudged": 18, "range": {"worst": 11, "best": 44},
               "interval": {"low": 7, "high": 32}, "small_sample": false})
    );
    // Assessment is settled: even all 18 Yes leave 2.1.3 at 44%.
    assert_eq!(
        standard_explained(standard(&ratings, "2.1")),
        json!({
            "rating": "inadequate",
            "margin": {"up": 12, "down": null},
            "fragile": false,
            "range": {"worst": "inadequate", "best": "inadequate"},
            "settled": true,
            "explanation": "Inadequate: 2.1.3 Keeping other people safe is 17% (6 of 36), below 50%; \
                            12 more cases judged Yes on it would make Assessment Requires improvement.",
        })
    );
    // Implementation and delivery is not: 2.3.3 (14 of 36, 39%) could end
    // at 14 of 54 (26%) or 32 of 54 (59%); 2.3.2 at 19 of 54 (35%) or 37
    // of 54 (69%); 2.3.1 at 29 of 54 or 47 of 54 (87%).
    let implementation = standard(&ratings, "2.3");
    assert_eq!(
        implementation["range"],
        json!({"worst": "inadequate", "best": "requires_improvement"})
    );
    assert_eq!(implementation["settled"], json!(false));
    // Score: every domain two standard Inadequate at worst (0); at best
    // 2.1 Inadequate (0), 2.2 Requires improvement (2.2.3 at 33 of 54,
    // 61%: 1), 2.3 Requires improvement (1), 2.4 Good (2.4.3 at 37 of 54,
    // 69%; 2.4.2 at 41 of 54, 76%: 2); domain one unconfirmed, 0 to 9.
    assert_eq!(ratings["score"], json!(null));
    assert_eq!(ratings["score_range"], json!({"worst": 0, "best": 13}));
    assert_eq!(
        ratings["overall_range"],
        json!({"worst": "inadequate", "best": "good"})
    );

    // The dashboard says the same in words and pictures.
    let lead = app.sign_in(LEAD).await;
    let html = lead.get(&format!("/inspections/{id}/ratings")).await.text();
    for expected in [
        "Inadequate: 2.1.3 Keeping other people safe is 17% (6 of 36), below 50%; 12 more cases \
         judged Yes on it would make Assessment Requires improvement.",
        "Settled: the answers still to come cannot change it",
        "Can still end between Inadequate and Requires improvement",
        "The score can still end between 0 and 13 out of 21 (Inadequate to Good)",
        "2 more Yes for Good; 5 fewer Yes for Inadequate",
        "44%–76%",
        "41%–74% (18 to answer)",
    ] {
        assert!(html.contains(expected), "the dashboard shows {expected:?}");
    }
    // One picture per domain two standard, named, with no inline style.
    assert_eq!(html.matches("<svg class=\"casemark-chart\"").count(), 4);
    assert!(html.contains("aria-labelledby=\"chart-2-1-title\""));
    assert!(!html.contains("style="), "no inline style anywhere");

    // The drill-down behind 2.1.3's No count gives each case's rationale.
    let drill = lead
        .get(&format!("/inspections/{id}?kq=2.1.3&answer=no"))
        .await
        .text();
    assert!(drill.contains("Rationale on 2.1.3"));
    assert_eq!(drill.matches("No police checks in case").count(), 30);
    assert!(drill.contains("No police checks in case 9."));
    // Cases judged Yes on 2.1.3 have no rationale, and say so.
    let yes = lead
        .get(&format!("/inspections/{id}?kq=2.1.3&answer=yes"))
        .await
        .text();
    assert_eq!(yes.matches("No rationale recorded").count(), 6);
    assert!(!yes.contains("No police checks"));

    // The workbook: margins, interval and range on Key questions, the
    // explanation on Ratings.
    let bytes = api
        .server
        .get(&format!("/api/v1/inspections/{id}/annexe.xlsx"))
        .await
        .into_bytes();
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("an xlsx file");
    let sheet = workbook.worksheet_range("Key questions").expect("sheet");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("column {name}"))
    };
    let row = rows
        .iter()
        .find(|r| r[1] == Data::String("2.1.1".into()))
        .expect("2.1.1");
    for (name, value) in [
        ("More Yes to reach the band above", Data::Float(2.0)),
        ("Fewer Yes to fall to the band below", Data::Float(5.0)),
        ("95% interval, low", Data::Float(0.44)),
        ("95% interval, high", Data::Float(0.76)),
        ("Cases not yet answered", Data::Float(18.0)),
        ("Percentage if all were No", Data::Float(0.41)),
        ("Percentage if all were Yes", Data::Float(0.74)),
    ] {
        assert_eq!(row[column(name)], value, "{name}");
    }
    let ratings_sheet = workbook.worksheet_range("Ratings").expect("sheet");
    let explanations: Vec<String> = ratings_sheet
        .rows()
        .filter_map(|r| r.get(4).map(ToString::to_string))
        .collect();
    assert!(
        explanations
            .iter()
            .any(|e| e.starts_with("Inadequate: 2.1.3 Keeping other people safe is 17% (6 of 36)")),
        "{explanations:?}"
    );
}
