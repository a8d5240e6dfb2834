//! The synthetic national dataset, written through casemark's own data
//! layer (`casemark::db`): inspections spread over the twelve regions, each
//! with its cases fully marked in realistic proportions, one transaction
//! per inspection.

use std::sync::Arc;

use casemark::db;
use casemark::db::answers::Judgement;
use casemark::db::cases::CaseFacts;
use casemark::framework::Framework;
use casemark::vocab::{
    Answer, InspectionStatus, MarkingStatus, MemberRole, OutcomeAnswer, PractitionerGrade,
    SentenceType, Sex,
};
use sqlx::PgPool;

/// A small, seedable generator: the dataset is the same on every run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Yes about 68%, No 24%, N/A 8%: roughly the mix of published annexes.
    pub fn answer(&mut self) -> Answer {
        match self.below(100) {
            0..=67 => Answer::Yes,
            68..=91 => Answer::No,
            _ => Answer::NotApplicable,
        }
    }
}

/// An inspection the load can use: its id, its cases and the inspector
/// they are all assigned to.
#[derive(Debug, Clone)]
pub struct Made {
    pub id: i64,
    pub cases: Vec<i64>,
    pub inspector: i64,
}

/// Who the dataset's inspections belong to: one lead leads them all, and
/// each has one of the inspectors in turn as a member, with every case
/// assigned to them, as a lead assigns a sample in fieldwork.
#[derive(Debug, Clone)]
pub struct Team {
    pub lead: i64,
    pub inspectors: Vec<i64>,
}

/// Adds inspections `from..to` (numbering only names them), `cases` cases
/// each, every answer recorded.
pub async fn grow(
    pool: &PgPool,
    framework: &Arc<Framework>,
    team: &Team,
    from: usize,
    to: usize,
    cases: usize,
) -> Result<Vec<Made>, sqlx::Error> {
    let workers = 4;
    let mut tasks = Vec::new();
    for worker in 0..workers {
        let pool = pool.clone();
        let framework = Arc::clone(framework);
        let team = team.clone();
        tasks.push(tokio::spawn(async move {
            let mut made = Vec::new();
            for n in (from..to).filter(|n| n % workers == worker) {
                made.push(inspection(&pool, &framework, &team, n, cases).await?);
            }
            Ok::<_, sqlx::Error>(made)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(
            task.await
                .map_err(|e| sqlx::Error::Protocol(e.to_string()))??,
        );
    }
    all.sort_by_key(|m| m.id);
    Ok(all)
}

async fn inspection(
    pool: &PgPool,
    framework: &Framework,
    team: &Team,
    n: usize,
    cases: usize,
) -> Result<Made, sqlx::Error> {
    let mut rng = Rng::new(n as u64 + 1);
    let region_id = (n % 12 + 1) as i16;
    let lead = team.lead;
    let inspector = team.inspectors[n % team.inspectors.len()];
    let mut tx = pool.begin().await?;
    let (pdu, _) =
        db::places::find_or_create_pdu(&mut tx, region_id, &format!("Bench PDU {n}")).await?;
    let year = 2020 + (n / 400) as i32 % 7;
    let fieldwork = chrono::NaiveDate::from_yo_opt(year, (n % 300) as u32 + 20).unwrap_or_default();
    let id = db::inspections::create(
        &mut tx,
        &db::inspections::NewInspection {
            pdu_id: pdu.id,
            framework_version_id: framework.id,
            fieldwork_start: fieldwork,
            sample_week_1: None,
            sample_week_2: None,
        },
        Some(lead),
    )
    .await?;
    db::members::set_membership(&mut tx, id, lead, MemberRole::Lead).await?;
    db::members::set_membership(&mut tx, id, inspector, MemberRole::Inspector).await?;
    db::inspections::set_status(&mut tx, id, InspectionStatus::Fieldwork).await?;
    let mut case_ids = Vec::with_capacity(cases);
    for c in 0..cases {
        let facts = CaseFacts {
            reference: format!("B{n}-{c:03}"),
            sentence_type: if rng.below(2) == 0 {
                SentenceType::CommunityOrder
            } else {
                SentenceType::Licence
            },
            start_date: None,
            office: Some(format!("Office {}", rng.below(4))),
            practitioner_grade: Some(PractitionerGrade::ALL[rng.below(3)]),
            practitioner_count: Some(1 + rng.below(3) as i16),
            sex: Some(if rng.below(6) == 0 {
                Sex::Female
            } else {
                Sex::Male
            }),
            age_at_start: Some(18 + rng.below(50) as i16),
            ethnicity_group: None,
            rosh_level: None,
            mappa_eligible: Some(rng.below(5) == 0),
            licence_weeks: None,
            case_type: None,
        };
        // The PDU framework has no question sets.
        let case = db::cases::insert(&mut tx, id, framework.id, None, &facts).await?;
        let judgements: Vec<(i32, Judgement)> = framework
            .key_questions()
            .map(|kq| {
                let answer = rng.answer();
                let rationale = (answer == Answer::No)
                    .then(|| "Synthetic rationale: the record did not show this.".to_owned());
                (
                    kq.id,
                    Judgement {
                        answer,
                        rationale,
                        quote: false,
                    },
                )
            })
            .collect();
        let prompts: Vec<(i32, Answer)> =
            framework.prompts().map(|p| (p.id, rng.answer())).collect();
        let outcomes: Vec<(i32, OutcomeAnswer)> = framework
            .outcomes
            .iter()
            .map(|o| {
                let answer = if rng.below(3) == 0 {
                    OutcomeAnswer::No
                } else {
                    OutcomeAnswer::Yes
                };
                (o.id, answer)
            })
            .collect();
        db::answers::upsert_judgements(&mut tx, case, framework.id, &judgements).await?;
        db::answers::upsert_prompts(&mut tx, case, framework.id, &prompts).await?;
        db::answers::upsert_outcomes(&mut tx, case, framework.id, &outcomes).await?;
        db::cases::set_marking_status(&mut tx, case, MarkingStatus::Complete).await?;
        case_ids.push(case);
    }
    db::cases::assign(&mut tx, id, &case_ids, Some(inspector)).await?;
    tx.commit().await?;
    Ok(Made {
        id,
        cases: case_ids,
        inspector,
    })
}
