//! Quality assurance of the marking: the QA sample, blind second marking,
//! agreement and adjudication (docs/rating-rules.md, "Quality assurance").
//!
//! Each change is one transaction with its audit rows, like marking. A
//! second marker is **blind** while their second marking is open: every
//! page and endpoint that shows a case's first marking asks
//! [`check_not_blind_to_case`] or [`check_not_blind_in`] first.
//!
//! Second markings never count in ratings: only the case's own answers do,
//! and only adjudication changes those.

use std::collections::{BTreeMap, HashMap};

use casemark_rules::{Agreement, AgreementAnswer, RatingAgreement, draw, rating_agreement};
use sqlx::{PgConnection, PgPool};

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::qa::{Pair, Sampled};
use crate::email::EmailKey;
use crate::framework::{Framework, FrameworkCache};
use crate::marking::{KeyQuestionInput, MAX_RATIONALE_CHARS};
use crate::refusal::{Field, Problem, Refusal};
use crate::team::MAX_REASON_CHARS;
use crate::vocab::{Answer, MarkingStatus, MemberRole};

/// How the cases of a QA sample are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// These cases (by id).
    Cases(Vec<i64>),
    /// `n` complete cases drawn at random with `seed` (repeatable).
    Random { n: usize, seed: u64 },
    /// Every complete case a local assessor marked.
    LocalAssessors,
}

impl Choice {
    fn code(&self) -> &'static str {
        match self {
            Choice::Cases(_) => "chosen",
            Choice::Random { .. } => "random",
            Choice::LocalAssessors => "local_assessors",
        }
    }
}

/// Adds cases to the inspection's QA sample, to be second-marked by the
/// member with `marker_email`; returns what was added.
pub async fn add_to_sample(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    choice: &Choice,
    marker_email: &str,
) -> Result<Vec<Sampled>, Refusal> {
    let mut tx = pool.begin().await?;
    let (status, access) = access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_quality_assurance(status)?;
    let marker = second_marker(&mut tx, inspection_id, marker_email).await?;
    let candidates = db::qa::candidates(&mut tx, inspection_id).await?;
    // A second marker never checks a case they marked first.
    let eligible = |c: &&db::qa::Candidate| {
        c.marking_status == MarkingStatus::Complete && c.marked_by != Some(marker.user_id)
    };
    let chosen: Vec<i64> = match choice {
        Choice::Cases(ids) => {
            if ids.is_empty() {
                return Err(Refusal::invalid(
                    Field::Named("cases"),
                    "Select the cases to second-mark",
                ));
            }
            let by_id: HashMap<i64, &db::qa::Candidate> =
                candidates.iter().map(|c| (c.id, c)).collect();
            let mut problems = Vec::new();
            for id in ids {
                match by_id.get(id) {
                    None => problems.push(Problem::new(
                        Field::Named("cases"),
                        format!("Case {id} is not a case of this inspection outside the QA sample"),
                    )),
                    Some(c) if c.marked_by == Some(marker.user_id) => problems.push(Problem::new(
                        Field::Named("marker"),
                        format!(
                            "{} marked case {} first: choose someone else to second-mark it",
                            marker.display_name, c.reference
                        ),
                    )),
                    Some(_) => {}
                }
            }
            if !problems.is_empty() {
                return Err(Refusal::Invalid(problems));
            }
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        Choice::Random { n, seed } => {
            if *n == 0 {
                return Err(Refusal::invalid(
                    Field::Named("random"),
                    "Give how many cases to draw, 1 or more",
                ));
            }
            let pool: Vec<i64> = candidates.iter().filter(eligible).map(|c| c.id).collect();
            draw(&pool, *n, *seed)
        }
        Choice::LocalAssessors => candidates
            .iter()
            .filter(eligible)
            .filter(|c| c.marked_as == Some(MemberRole::LocalAssessor))
            .map(|c| c.id)
            .collect(),
    };
    if chosen.is_empty() {
        return Err(Refusal::invalid(
            Field::Whole,
            "No case fits: only complete cases outside the QA sample, not marked by the second marker, can be drawn",
        ));
    }
    let seed = match choice {
        // Stored as PostgreSQL's bigint: the same 64 bits.
        Choice::Random { seed, .. } => Some(*seed as i64),
        _ => None,
    };
    db::qa::add(
        &mut tx,
        inspection_id,
        &chosen,
        marker.user_id,
        choice.code(),
        seed,
        actor.id,
    )
    .await?;
    let how = match choice {
        Choice::Cases(_) => "chosen case by case".to_owned(),
        Choice::Random { n, seed } => format!("{n} drawn at random with seed {seed}"),
        Choice::LocalAssessors => "every complete case marked by local assessors".to_owned(),
    };
    let events: Vec<NewEvent> = chosen
        .iter()
        .map(|case_id| NewEvent {
            inspection_id,
            case_id: Some(*case_id),
            entity: "qa_sample",
            field: Some("second_marker"),
            new_value: Some(marker.email.clone()),
            reason: Some(how.clone()),
            ..NewEvent::default()
        })
        .collect();
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    let mut added = Vec::with_capacity(chosen.len());
    for case_id in &chosen {
        if let Some(s) = db::qa::sampled(&mut tx, *case_id).await? {
            added.push(s);
        }
    }
    tx.commit().await?;
    Ok(added)
}

/// The team member named to second-mark: a lead, inspector or quality lead
/// of the inspection (local assessors are staff of the service inspected).
async fn second_marker(
    conn: &mut PgConnection,
    inspection_id: i64,
    email: &str,
) -> Result<db::members::Member, Refusal> {
    let key = EmailKey::of(email);
    let members = db::members::members(conn, inspection_id).await?;
    let member = members
        .into_iter()
        .find(|m| EmailKey::of(&m.email) == key)
        .ok_or_else(|| {
            Refusal::invalid(
                Field::Named("marker"),
                "Name a member of the inspection team as second marker",
            )
        })?;
    if !matches!(
        member.role,
        MemberRole::Lead | MemberRole::Inspector | MemberRole::QualityLead
    ) {
        return Err(Refusal::invalid(
            Field::Named("marker"),
            format!(
                "{} is a {} of this inspection: a second marker is a lead, inspector or quality lead",
                member.display_name,
                member.role.label().to_lowercase()
            ),
        ));
    }
    Ok(member)
}

/// A second marker's answers to save.
#[derive(Debug, Clone, Default)]
pub struct SecondMarking {
    pub key_questions: BTreeMap<String, KeyQuestionInput>,
    pub prompts: BTreeMap<String, String>,
    /// Submit: every key question must then be answered, and the first
    /// marking is shown beside it from then on.
    pub submit: bool,
}

/// Saves (and, if asked, submits) a second marking.
pub async fn save_second_marking(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    marking: &SecondMarking,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let (inspection_id, status, access) = access::for_case_change(&mut tx, actor, case_id).await?;
    let sampled = db::qa::sampled_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    access.check_second_marking(status, sampled.second_marker_id)?;
    if sampled.submitted_at.is_some() {
        return Err(Refusal::Locked(
            "This second marking has been submitted: it cannot change".into(),
        ));
    }
    if sampled.marking_status != MarkingStatus::Complete {
        return Err(Refusal::Locked(
            "The case's first marking is not complete yet: second marking starts when it is".into(),
        ));
    }
    let case = db::cases::get(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    let current = db::qa::second_answers(&mut tx, case_id).await?;
    let mut problems = Vec::new();
    let mut answers = Vec::new();
    for (code, input) in &marking.key_questions {
        let Some(kq) = framework.key_question(code) else {
            problems.push(Problem::new(
                Field::KeyQuestion(code.clone()),
                format!("There is no key question {code}"),
            ));
            continue;
        };
        let raw = input.answer.as_deref().map(str::trim).unwrap_or("");
        let existing = current.get(&kq.id);
        let answer = if raw.is_empty() {
            existing.map(|a| a.answer)
        } else {
            match raw.parse::<Answer>() {
                Ok(a) => Some(a),
                Err(_) => {
                    problems.push(Problem::new(
                        Field::KeyQuestion(code.clone()),
                        format!("Key question {code} must be answered Yes, No or N/A"),
                    ));
                    continue;
                }
            }
        };
        let rationale = match &input.rationale {
            Some(text) => Some(text.trim())
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
            None => existing.and_then(|a| a.rationale.clone()),
        };
        if rationale
            .as_ref()
            .is_some_and(|r| r.chars().count() > MAX_RATIONALE_CHARS)
        {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("Rationale for {code} must be {MAX_RATIONALE_CHARS} characters or fewer"),
            ));
            continue;
        }
        match answer {
            Some(answer) => answers.push((kq.id, answer, rationale)),
            None if rationale.is_some() => problems.push(Problem::new(
                Field::KeyQuestion(code.clone()),
                format!("Select Yes, No or N/A for key question {code}, or remove its rationale"),
            )),
            None => {}
        }
    }
    let mut prompts = Vec::new();
    for (code, raw) in &marking.prompts {
        let Some(prompt) = framework.prompt(code) else {
            problems.push(Problem::new(
                Field::Prompt(code.clone()),
                format!("There is no prompt {code}"),
            ));
            continue;
        };
        if raw.trim().is_empty() {
            continue;
        }
        match raw.parse::<Answer>() {
            Ok(a) => prompts.push((prompt.id, a)),
            Err(_) => problems.push(Problem::new(
                Field::Prompt(code.clone()),
                format!("Prompt {code} must be answered Yes, No or N/A"),
            )),
        }
    }
    if marking.submit {
        for kq in framework.key_questions() {
            let answered =
                current.contains_key(&kq.id) || answers.iter().any(|(id, _, _)| *id == kq.id);
            if !answered {
                problems.push(Problem::new(
                    Field::KeyQuestion(kq.code.clone()),
                    format!(
                        "Answer key question {} before submitting the second marking",
                        kq.code
                    ),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    db::qa::upsert_second_answers(&mut tx, case_id, &answers).await?;
    db::qa::upsert_second_prompts(&mut tx, case_id, &prompts).await?;
    let mut events: Vec<NewEvent> = answers
        .iter()
        .filter(|(id, answer, rationale)| {
            current
                .get(id)
                .is_none_or(|c| c.answer != *answer || c.rationale != *rationale)
        })
        .filter_map(|(id, answer, _)| {
            let kq = framework.key_questions().find(|k| k.id == *id)?;
            Some(NewEvent {
                inspection_id,
                case_id: Some(case_id),
                entity: "second_marking",
                code: Some(kq.code.clone()),
                field: Some("answer"),
                new_value: Some(answer.code().to_owned()),
                ..NewEvent::default()
            })
        })
        .collect();
    if marking.submit {
        db::qa::submit(&mut tx, case_id).await?;
        events.push(NewEvent {
            inspection_id,
            case_id: Some(case_id),
            entity: "second_marking",
            field: Some("submitted"),
            new_value: Some("submitted".into()),
            ..NewEvent::default()
        });
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}

/// The final answer to one disagreement, and why.
#[derive(Debug, Clone)]
pub struct Decision {
    pub answer: String,
    pub reason: String,
}

/// Records the final answers to a case's disagreements (by key question
/// code). Where one differs from the case's answer, the case's answer
/// changes in the same transaction, audited as an adjudication naming both
/// markers' answers; the tallies and the cached ratings follow (triggers).
pub async fn adjudicate(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    case_id: i64,
    decisions: &BTreeMap<String, Decision>,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let (inspection_id, status, access) = access::for_case_change(&mut tx, actor, case_id).await?;
    access.check_quality_assurance(status)?;
    let sampled = db::qa::sampled_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if sampled.submitted_at.is_none() {
        return Err(Refusal::Locked(
            "The case's second marking is not submitted yet: there is nothing to adjudicate".into(),
        ));
    }
    if decisions.is_empty() {
        return Err(Refusal::invalid(
            Field::Whole,
            "Give the final answer to at least one disagreement",
        ));
    }
    let case = db::cases::get_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks.get(&mut tx, case.framework_version_id).await?;
    let second = db::qa::second_answers(&mut tx, case_id).await?;
    let current = db::answers::load(&mut tx, case_id).await?;
    let mut problems = Vec::new();
    let mut accepted = Vec::new();
    for (code, decision) in decisions {
        let field = Field::KeyQuestion(code.clone());
        let Some(kq) = framework.key_question(code) else {
            problems.push(Problem::new(
                field,
                format!("There is no key question {code}"),
            ));
            continue;
        };
        let Some(pair) = second
            .get(&kq.id)
            .filter(|p| p.first_answer != Some(p.answer))
        else {
            problems.push(Problem::new(
                field,
                format!(
                    "The two markings of this case agree on {code}: there is nothing to adjudicate"
                ),
            ));
            continue;
        };
        let Ok(answer) = decision.answer.trim().parse::<Answer>() else {
            problems.push(Problem::new(
                field,
                format!("Give the final answer to {code}: Yes, No or N/A"),
            ));
            continue;
        };
        let reason = decision.reason.trim();
        if reason.is_empty() {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("Give the reason for the final answer to {code}"),
            ));
            continue;
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            problems.push(Problem::new(
                Field::Rationale(code.clone()),
                format!("The reason for {code} must be {MAX_REASON_CHARS} characters or fewer"),
            ));
            continue;
        }
        accepted.push((kq, pair.clone(), answer, reason.to_owned()));
    }
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    let mut events = Vec::new();
    let mut changed = Vec::new();
    for (kq, pair, answer, reason) in &accepted {
        db::qa::upsert_adjudication(&mut tx, case_id, kq.id, *answer, reason, actor.id).await?;
        let both = format!(
            "first marker {}, second marker {}",
            pair.first_answer.map_or("unanswered", |a| a.label()),
            pair.answer.label()
        );
        events.push(NewEvent {
            inspection_id,
            case_id: Some(case_id),
            entity: "adjudication",
            code: Some(kq.code.clone()),
            standard: Some(standard_of(&kq.code)),
            field: Some("answer"),
            old_value: Some(both),
            new_value: Some(answer.code().to_owned()),
            reason: Some(reason.clone()),
            ..NewEvent::default()
        });
        let judgement = current.key_questions.get(&kq.id);
        if judgement.map(|j| j.answer) != Some(*answer) {
            changed.push((
                kq.id,
                db::answers::Judgement {
                    answer: *answer,
                    rationale: judgement.and_then(|j| j.rationale.clone()),
                },
            ));
            events.push(NewEvent {
                inspection_id,
                case_id: Some(case_id),
                entity: "judgement",
                code: Some(kq.code.clone()),
                standard: Some(standard_of(&kq.code)),
                field: Some("answer"),
                old_value: judgement.map(|j| j.answer.code().to_owned()),
                new_value: Some(answer.code().to_owned()),
                reason: Some(format!("Adjudicated: {reason}")),
                ..NewEvent::default()
            });
        }
    }
    if !changed.is_empty() {
        let revision = db::cases::bump_revision(&mut tx, case_id).await?;
        for event in events.iter_mut().filter(|e| e.entity == "judgement") {
            event.case_revision = Some(revision);
        }
        db::answers::upsert_judgements(&mut tx, case_id, case.framework_version_id, &changed)
            .await?;
    }
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(())
}

fn standard_of(code: &str) -> String {
    code.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

/// Refuses a caller whose own second marking of this case is open: its
/// first marking stays hidden from them until they submit.
pub async fn check_not_blind_to_case(
    conn: &mut PgConnection,
    actor: &Actor,
    case_id: i64,
) -> Result<(), Refusal> {
    let Some(user_id) = actor.id else {
        return Ok(());
    };
    let Some(sampled) = db::qa::sampled(conn, case_id).await? else {
        return Ok(());
    };
    if sampled.second_marker_id == user_id && sampled.submitted_at.is_none() {
        return Err(Refusal::Blind);
    }
    Ok(())
}

/// Refuses a caller with any open second marking in this inspection, for
/// what shows every case's first marking at once (exports, history,
/// judgement imports).
pub async fn check_not_blind_in(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
) -> Result<(), Refusal> {
    match actor.id {
        Some(user_id)
            if !db::qa::blind_cases(conn, user_id, Some(inspection_id))
                .await?
                .is_empty() =>
        {
            Err(Refusal::Blind)
        }
        _ => Ok(()),
    }
}

/// The cases whose first marking the caller may not see yet, anywhere.
pub async fn hidden_cases(conn: &mut PgConnection, actor: &Actor) -> Result<Vec<i64>, sqlx::Error> {
    match actor.id {
        Some(user_id) => db::qa::blind_cases(conn, user_id, None).await,
        None => Ok(Vec::new()),
    }
}

/// Agreement over a set of pairs, as reports show it.
#[derive(Debug, Clone)]
pub struct AgreementFigures {
    pub agreement: Agreement,
    pub percent: Option<u8>,
    pub kappa: Option<f64>,
    /// Fewer pairs than [`casemark_rules::FEW_PAIRS`].
    pub few: bool,
}

impl From<Agreement> for AgreementFigures {
    fn from(agreement: Agreement) -> Self {
        AgreementFigures {
            percent: agreement.percent(),
            kappa: agreement.kappa(),
            few: agreement.pairs() < casemark_rules::FEW_PAIRS,
            agreement,
        }
    }
}

/// One key question's or standard's agreement.
#[derive(Debug, Clone)]
pub struct ItemAgreement {
    pub code: String,
    pub name: String,
    pub figures: AgreementFigures,
    /// Standards only: the rating from the second markings against the
    /// rating from the first markings of the same cases.
    pub rating: Option<RatingAgreement>,
}

#[derive(Debug, Clone)]
pub struct MarkerAgreement {
    pub name: String,
    pub figures: AgreementFigures,
}

/// Everything the QA page, the API and the workbook show.
#[derive(Debug, Clone)]
pub struct Report {
    pub sample: Vec<Sampled>,
    pub overall: AgreementFigures,
    pub standards: Vec<ItemAgreement>,
    pub key_questions: Vec<ItemAgreement>,
    pub markers: Vec<MarkerAgreement>,
    /// Pairs that differ, in case then key-question order.
    pub disagreements: Vec<Disagreement>,
}

#[derive(Debug, Clone)]
pub struct Disagreement {
    pub pair: Pair,
    pub code: String,
}

impl Report {
    pub fn unadjudicated(&self) -> usize {
        self.disagreements
            .iter()
            .filter(|d| d.pair.final_answer.is_none())
            .count()
    }
}

/// What the ratings dashboard says of quality assurance.
#[derive(Debug, Clone)]
pub struct Summary {
    pub sampled: i64,
    pub submitted: i64,
    pub overall: AgreementFigures,
    pub unadjudicated: usize,
}

/// The dashboard's line on quality assurance; `None` without a QA sample.
/// Cheap: one indexed count when there is none.
pub async fn summary(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Option<Summary>, sqlx::Error> {
    let (sampled, submitted, table) = db::qa::summary(conn, inspection_id).await?;
    if sampled == 0 {
        return Ok(None);
    }
    let mut overall = Agreement::default();
    for (first, second, count) in table {
        for _ in 0..count {
            overall.add((rules_answer(first), rules_answer(second)));
        }
    }
    let unadjudicated = if submitted > 0 {
        db::qa::unadjudicated(conn, inspection_id).await?.len()
    } else {
        0
    };
    Ok(Some(Summary {
        sampled,
        submitted,
        overall: overall.into(),
        unadjudicated,
    }))
}

fn rules_answer(answer: Answer) -> AgreementAnswer {
    match answer {
        Answer::Yes => AgreementAnswer::Yes,
        Answer::No => AgreementAnswer::No,
        Answer::NotApplicable => AgreementAnswer::NotApplicable,
    }
}

/// The inspection's QA figures, from its submitted second markings.
pub async fn report(
    conn: &mut PgConnection,
    framework: &Framework,
    inspection_id: i64,
) -> Result<Report, sqlx::Error> {
    let sample = db::qa::sample(conn, inspection_id).await?;
    let pairs = db::qa::pairs(conn, inspection_id).await?;
    let mut by_kq: HashMap<i32, Agreement> = HashMap::new();
    // By first marker: name then id, so two people of one name stay apart.
    let mut by_marker: BTreeMap<(String, Option<i64>), Agreement> = BTreeMap::new();
    let mut overall = Agreement::default();
    for pair in &pairs {
        let answers = (
            rules_answer(pair.first_answer),
            rules_answer(pair.second_answer),
        );
        by_kq.entry(pair.key_question_id).or_default().add(answers);
        let marker = pair
            .first_marker
            .clone()
            .unwrap_or_else(|| "Not recorded".into());
        by_marker
            .entry((marker, pair.first_marker_id))
            .or_default()
            .add(answers);
        overall.add(answers);
    }
    let mut standards = Vec::new();
    let mut key_questions = Vec::new();
    for standard in framework.domain_two() {
        let tables: Vec<Agreement> = standard
            .key_questions
            .iter()
            .map(|kq| by_kq.get(&kq.id).copied().unwrap_or_default())
            .collect();
        let mut pooled = Agreement::default();
        for (kq, table) in standard.key_questions.iter().zip(&tables) {
            pooled.merge(table);
            key_questions.push(ItemAgreement {
                code: kq.code.clone(),
                name: kq.area.label().to_owned(),
                figures: (*table).into(),
                rating: None,
            });
        }
        standards.push(ItemAgreement {
            code: standard.code.clone(),
            name: standard.name.clone(),
            figures: pooled.into(),
            rating: rating_agreement(&framework.bands, &tables),
        });
    }
    let code_of: HashMap<i32, &str> = framework
        .key_questions()
        .map(|kq| (kq.id, kq.code.as_str()))
        .collect();
    let disagreements = pairs
        .into_iter()
        .filter(|p| p.first_answer != p.second_answer)
        .map(|pair| Disagreement {
            code: code_of
                .get(&pair.key_question_id)
                .copied()
                .unwrap_or_default()
                .to_owned(),
            pair,
        })
        .collect();
    Ok(Report {
        sample,
        overall: overall.into(),
        standards,
        key_questions,
        markers: by_marker
            .into_iter()
            .map(|((name, _), agreement)| MarkerAgreement {
                name,
                figures: agreement.into(),
            })
            .collect(),
        disagreements,
    })
}
