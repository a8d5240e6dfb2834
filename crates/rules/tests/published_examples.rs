//! The worked examples of published reports (tests/fixtures/published-examples.json)
//! reproduced from case-level counts.

use std::collections::BTreeMap;

use casemark_rules::{Bands, Counts, Rating, composite, rate_domain_two_standard};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixtures {
    pdus: Vec<Pdu>,
    score_to_overall_observed: Vec<ScoreToOverall>,
}

#[derive(Deserialize)]
struct Pdu {
    name: String,
    domain_one: BTreeMap<String, String>,
    key_questions: BTreeMap<String, KeyQuestion>,
    domain_two: BTreeMap<String, String>,
    score: u8,
    overall: String,
}

#[derive(Deserialize)]
struct KeyQuestion {
    published_percent: u8,
    yes: u32,
    no: u32,
    na: u32,
}

#[derive(Deserialize)]
struct ScoreToOverall {
    score: u8,
    overall: String,
}

fn fixtures() -> Fixtures {
    let text = include_str!("../../../tests/fixtures/published-examples.json");
    serde_json::from_str(text).expect("fixture file parses")
}

fn rating(label: &str) -> Rating {
    label.parse().expect("fixture rating is a label")
}

#[test]
fn key_question_percentages_match_published_figures() {
    for pdu in fixtures().pdus {
        for (code, kq) in &pdu.key_questions {
            let counts = Counts::new(kq.yes, kq.no, kq.na);
            assert_eq!(
                counts.percent(),
                Some(kq.published_percent),
                "{} {code}",
                pdu.name
            );
        }
    }
}

#[test]
fn standards_score_and_overall_match_published_ratings() {
    let bands = Bands::PDU_2023;
    for pdu in fixtures().pdus {
        let mut standards = Vec::new();
        for code in ["1.1", "1.2", "1.3"] {
            standards.push(Some(rating(&pdu.domain_one[code])));
        }
        for standard in ["2.1", "2.2", "2.3", "2.4"] {
            let counts: Vec<Counts> = (1..=3)
                .map(|area| {
                    let kq = &pdu.key_questions[&format!("{standard}.{area}")];
                    Counts::new(kq.yes, kq.no, kq.na)
                })
                .collect();
            let rated = rate_domain_two_standard(&bands, &counts);
            assert_eq!(
                rated.rating,
                Some(rating(&pdu.domain_two[standard])),
                "{} {standard}",
                pdu.name
            );
            standards.push(rated.rating);
        }
        let total = composite(&bands, &standards).expect("all seven rated");
        assert_eq!(total.score, pdu.score, "{}", pdu.name);
        assert_eq!(total.max_score, 21);
        assert_eq!(total.overall, rating(&pdu.overall), "{}", pdu.name);
    }
}

#[test]
fn the_published_driving_key_question_is_safety_where_reports_emphasise_it() {
    // Every published domain two standard above is driven by its keeping
    // other people safe key question (the third).
    let bands = Bands::PDU_2023;
    for pdu in fixtures().pdus {
        for standard in ["2.1", "2.2", "2.3", "2.4"] {
            let counts: Vec<Counts> = (1..=3)
                .map(|area| {
                    let kq = &pdu.key_questions[&format!("{standard}.{area}")];
                    Counts::new(kq.yes, kq.no, kq.na)
                })
                .collect();
            assert_eq!(
                rate_domain_two_standard(&bands, &counts).driving,
                Some(2),
                "{} {standard}",
                pdu.name
            );
        }
    }
}

#[test]
fn annual_report_scores_band_as_published() {
    for pair in fixtures().score_to_overall_observed {
        assert_eq!(
            Bands::PDU_2023.overall_rating(pair.score),
            rating(&pair.overall),
            "score {}",
            pair.score
        );
    }
}
