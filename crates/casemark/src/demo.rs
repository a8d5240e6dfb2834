//! A demo inspection for newcomers (`casemark --demo`): 54 marked cases whose
//! key-question counts reproduce Hertfordshire PDU's published 2024 ratings,
//! six more still to mark, and a team to sign in as (a lead, two inspectors
//! with cases assigned, a viewer), written through the same services the
//! pages use. It refuses a database with real users.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::AppState;
use crate::audit::Actor;
use crate::domain_one::{DomainOneInput, EvidenceInput, SurveyInput};
use crate::intake::RawCase;
use crate::marking::{KeyQuestionInput, Submission};
use crate::setup::{InspectionRequest, PduChoice};
use crate::vocab::{InspectionStatus, MemberRole, UserRole};

pub const DEMO_PDU: &str = "Hertfordshire (demo)";
const CASES: usize = 54;
const COMMUNITY_ORDERS: usize = 37;

/// Cases judged Yes of 54 on each key question, as published (the rest No).
const YES: [(&str, usize); 12] = [
    ("2.1.1", 32),
    ("2.1.2", 35),
    ("2.1.3", 9),
    ("2.2.1", 34),
    ("2.2.2", 40),
    ("2.2.3", 22),
    ("2.3.1", 43),
    ("2.3.2", 29),
    ("2.3.3", 21),
    ("2.4.1", 36),
    ("2.4.2", 34),
    ("2.4.3", 28),
];

/// Unmarked cases added after the 54, for the inspectors to mark.
const UNMARKED: usize = 6;

/// The demo team's password (printed at start; demo users only ever exist
/// in a database with no real users).
pub const PASSWORD: &str = "demo-password-casemark";

/// The demo team: email, name, role, role in the demo inspection.
pub const TEAM: [(&str, &str, UserRole, MemberRole); 4] = [
    (
        "lead@demo.example.gov.uk",
        "Dana Lead (demo)",
        UserRole::Lead,
        MemberRole::Lead,
    ),
    (
        "inspector1@demo.example.gov.uk",
        "Imran Inspector (demo)",
        UserRole::Inspector,
        MemberRole::Inspector,
    ),
    (
        "inspector2@demo.example.gov.uk",
        "Isla Inspector (demo)",
        UserRole::Inspector,
        MemberRole::Inspector,
    ),
    (
        "viewer@demo.example.gov.uk",
        "Vic Viewer (demo)",
        UserRole::Viewer,
        MemberRole::Viewer,
    ),
];

#[derive(Debug, thiserror::Error)]
#[error("could not load the demo inspection: {0}")]
pub struct DemoError(String);

/// The demo never mixes with real work: a database with any user who is
/// not of the demo team is refused, with what to do instead.
pub async fn refuse_real_users(state: &AppState) -> Result<(), DemoError> {
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| DemoError(e.to_string()))?;
    let real = crate::db::accounts::count_real_users(&mut conn)
        .await
        .map_err(|e| DemoError(e.to_string()))?;
    if real > 0 {
        return Err(DemoError(format!(
            "this database has {real} real user{}, and --demo adds made-up people and cases; \
             run the demo on a database of its own, for example \
             DATABASE_URL=postgres://postgres@127.0.0.1:5432/casemark_demo casemark --demo",
            if real == 1 { "" } else { "s" }
        )));
    }
    Ok(())
}

/// Loads the demo inspection and its team unless they are already there;
/// returns the inspection's id. Refused where there are real users.
pub async fn load(state: &AppState) -> Result<i64, DemoError> {
    let fail = |e: &dyn std::fmt::Display| DemoError(e.to_string());
    refuse_real_users(state).await?;
    let actor = Actor::system("demo loader");
    let mut conn = state.pool.acquire().await.map_err(|e| fail(&e))?;
    let region = crate::db::places::region_named(&mut conn, "East of England")
        .await
        .map_err(|e| fail(&e))?
        .ok_or_else(|| DemoError("the East of England region is missing".into()))?;
    let existing = crate::db::places::pdus_in_region(&mut conn, region.id)
        .await
        .map_err(|e| fail(&e))?;
    drop(conn);
    if existing.iter().any(|p| p.name == DEMO_PDU) {
        let mut conn = state.pool.acquire().await.map_err(|e| fail(&e))?;
        let all = crate::db::inspections::list(&mut conn, None, None)
            .await
            .map_err(|e| fail(&e))?;
        if let Some(found) = all.iter().find(|i| i.pdu_name == DEMO_PDU) {
            return Ok(found.id);
        }
    }
    let date =
        |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| DemoError("bad date".into()));
    let id = crate::setup::create_inspection(
        &state.pool,
        &actor,
        &InspectionRequest {
            region_id: region.id,
            pdu: PduChoice::Named(DEMO_PDU.into()),
            fieldwork_start: date(2024, 4, 15)?,
            sample_week_1: Some(date(2023, 10, 2)?),
            sample_week_2: Some(date(2023, 10, 9)?),
            framework: None,
        },
    )
    .await
    .map_err(|e| fail(&e))?;

    crate::team::change_status(&state.pool, &actor, id, InspectionStatus::Fieldwork, None)
        .await
        .map_err(|e| fail(&e))?;

    let raws: Vec<RawCase> = (0..CASES)
        .map(|i| RawCase {
            reference: Some(format!("DEMO{:03}", i + 1)),
            sentence_type: Some(
                if i < COMMUNITY_ORDERS {
                    "community_order"
                } else {
                    "licence"
                }
                .into(),
            ),
            practitioner_grade: Some(
                [
                    "probation_officer",
                    "probation_services_officer",
                    "trainee_probation_officer",
                ][i % 3]
                    .into(),
            ),
            sex: Some(if i % 6 == 0 { "female" } else { "male" }.into()),
            age_at_start: Some((19 + (i * 7) % 40).to_string()),
            rosh_level: Some(["low", "medium", "high"][i % 3].into()),
            ..RawCase::default()
        })
        .collect();
    let framework_version_id = {
        let mut conn = state.pool.acquire().await.map_err(|e| fail(&e))?;
        crate::db::inspections::get(&mut conn, id)
            .await
            .map_err(|e| fail(&e))?
            .ok_or_else(|| DemoError("the new inspection vanished".into()))?
            .framework_version_id
    };
    let added = crate::intake::add_cases(
        &state.pool,
        &actor,
        id,
        framework_version_id,
        &crate::intake::NumberedCase::in_order(raws),
    )
    .await
    .map_err(|e| fail(&e))?;
    let framework = {
        let mut conn = state.pool.acquire().await.map_err(|e| fail(&e))?;
        state
            .frameworks
            .get(&mut conn, framework_version_id)
            .await
            .map_err(|e| fail(&e))?
    };

    for (index, case) in added.iter().enumerate() {
        let mut submission = Submission {
            complete: Some(true),
            ..Submission::default()
        };
        for (code, yes) in YES {
            let answer = if index < yes { "yes" } else { "no" };
            submission.key_questions.insert(
                code.to_owned(),
                KeyQuestionInput {
                    answer: Some(answer.into()),
                    rationale: (answer == "no")
                        .then(|| "Demo: practice fell short on this question.".into()),
                    quote: None,
                },
            );
            // Prompts follow their key question in the demo.
            if let Some(kq) = framework.key_question(code) {
                for p in &kq.prompts {
                    submission.prompts.insert(p.code.clone(), answer.into());
                }
            }
        }
        for o in &framework.outcomes {
            submission.outcomes.insert(
                o.code.clone(),
                if index % 2 == 0 { "yes" } else { "no" }.into(),
            );
        }
        crate::marking::save(&state.pool, &state.frameworks, &actor, case.id, &submission)
            .await
            .map_err(|e| fail(&e))?;
    }

    // Domain one from evidence: a survey figure, a few bullets, every key
    // question judged, then the lead confirms the three proposals.
    let survey = crate::domain_one::add_survey_item(
        &state.pool,
        &state.frameworks,
        &actor,
        id,
        &SurveyInput {
            question: "The culture of the PDU promotes openness and transparency".into(),
            positive: "19".into(),
            respondents: "36".into(),
        },
    )
    .await
    .map_err(|e| fail(&e))?;
    for (question, kind, source, text, quotes) in [
        (
            "1.1.1",
            "strength",
            "meeting",
            "Leaders set out a clear local plan, understood by staff.",
            None,
        ),
        (
            "1.1.4",
            "improvement",
            "staff_survey",
            "Only half of staff said the culture promoted openness.",
            Some(survey),
        ),
        (
            "1.2.3",
            "improvement",
            "case_sample",
            "Management oversight was not sufficient in most cases inspected.",
            None,
        ),
        (
            "1.3.2",
            "strength",
            "document",
            "Commissioned rehabilitative services cover every need identified.",
            None,
        ),
    ] {
        let input = EvidenceInput {
            question: question.into(),
            kind: kind.into(),
            source: source.into(),
            text: text.into(),
            survey_item: quotes,
        };
        crate::domain_one::add_evidence(&state.pool, &state.frameworks, &actor, id, &input)
            .await
            .map_err(|e| fail(&e))?;
    }
    let judgements: BTreeMap<String, String> = framework
        .domain_one_questions()
        .enumerate()
        .map(|(index, (_, q))| {
            let rating = if index % 3 == 0 {
                "good"
            } else {
                "requires_improvement"
            };
            (q.code.clone(), rating.to_owned())
        })
        .collect();
    crate::domain_one::judge(&state.pool, &state.frameworks, &actor, id, &judgements)
        .await
        .map_err(|e| fail(&e))?;
    let domain_one: BTreeMap<String, DomainOneInput> = ["1.1", "1.2", "1.3"]
        .into_iter()
        .map(|code| {
            (
                code.to_owned(),
                DomainOneInput {
                    rating: Some("requires_improvement".into()),
                    ..DomainOneInput::default()
                },
            )
        })
        .collect();
    crate::domain_one::record(&state.pool, &state.frameworks, &actor, id, &domain_one)
        .await
        .map_err(|e| fail(&e))?;

    // Six cases still to mark, then the team, each inspector assigned half
    // of the marked cases and three of the unmarked ones.
    let unmarked: Vec<RawCase> = (CASES..CASES + UNMARKED)
        .map(|i| RawCase {
            reference: Some(format!("DEMO{:03}", i + 1)),
            sentence_type: Some("licence".into()),
            ..RawCase::default()
        })
        .collect();
    let more = crate::intake::add_cases(
        &state.pool,
        &actor,
        id,
        framework_version_id,
        &crate::intake::NumberedCase::in_order(unmarked),
    )
    .await
    .map_err(|e| fail(&e))?;
    let mut members = Vec::new();
    for (email, name, role, member) in TEAM {
        let user =
            crate::accounts::add_user(&state.pool, &actor, email, Some(name), PASSWORD, role)
                .await
                .map_err(|e| fail(&e))?;
        let mut conn = state.pool.acquire().await.map_err(|e| fail(&e))?;
        crate::db::accounts::mark_demo(&mut conn, user)
            .await
            .map_err(|e| fail(&e))?;
        drop(conn);
        crate::team::set_member(&state.pool, &actor, id, email, member)
            .await
            .map_err(|e| fail(&e))?;
        members.push((user, member));
    }
    let inspectors: Vec<i64> = members
        .iter()
        .filter(|(_, m)| *m == MemberRole::Inspector)
        .map(|(u, _)| *u)
        .collect();
    for (half, inspector) in inspectors.iter().enumerate() {
        let cases: Vec<i64> = added
            .iter()
            .chain(&more)
            .enumerate()
            .filter(|(i, _)| match *i {
                i if i < CASES => i * 2 / CASES == half,
                i => (i - CASES) * 2 / UNMARKED == half,
            })
            .map(|(_, c)| c.id)
            .collect();
        crate::team::assign(&state.pool, &actor, id, &cases, Some(*inspector))
            .await
            .map_err(|e| fail(&e))?;
    }
    Ok(id)
}
