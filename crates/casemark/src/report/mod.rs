//! The inspection report drafted from the marking (docs/report.md): the
//! published reports' structure, every figure computed from the marked
//! cases and worded by `casemark_rules::report_words`, never typed. One
//! model ([`Draft`]) serves the page, the JSON API and the Word document
//! ([`docx`]).

pub mod docx;
pub mod recommendations;

use casemark_rules::report_words::{number, out_of, sample_sentence};
use casemark_rules::{Counts, Rating};
use serde::Serialize;
use sqlx::PgConnection;

use crate::db;
use crate::db::inspections::Inspection;
use crate::framework::Framework;
use crate::ratings::{InspectionRatings, StandardResult};
use crate::vocab::{Answer, EvidenceKind, InspectionStatus, SentenceType};

/// A prompt quoted as a strength when at least this share of its relevant
/// cases were Yes, and as an area for improvement below the other; at most
/// [`PROMPTS_EACH`] of each, the most telling first (docs/report.md).
const PROMPT_STRENGTH_PERCENT: u8 = 80;
const PROMPT_IMPROVEMENT_PERCENT: u8 = 50;
const PROMPTS_EACH: usize = 3;

/// A report draft, as every format shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Draft {
    pub inspection_id: i64,
    /// "An inspection of probation services in Hertfordshire PDU".
    pub title: String,
    pub region: String,
    /// "Draft: provisional ratings" until the inspection is published.
    pub status_note: Option<String>,
    pub ratings: Vec<RatingRow>,
    /// "Score 4/21", or why there is none yet.
    pub score: String,
    pub overall: String,
    pub recommendations: Vec<String>,
    pub background: Vec<String>,
    /// "1. Organisational arrangements and activity": the standards judged
    /// from evidence.
    pub organisational: Vec<Section>,
    /// "2. Service delivery": the standards rated from cases.
    pub service_delivery: Vec<Section>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RatingRow {
    pub code: String,
    pub name: String,
    pub rating: String,
}

/// One standard's part of the report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct Section {
    pub code: String,
    pub name: String,
    pub rating: String,
    /// Rated from cases: each key question with its percentage Yes.
    pub key_questions: Vec<KeyQuestionRow>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct KeyQuestionRow {
    pub code: String,
    pub text: String,
    /// "59%", or "–" with nothing judged.
    pub percent: String,
}

/// What a section with nothing to say says.
pub const NO_STRENGTHS: &str = "No strengths have been recorded for this standard yet.";
pub const NO_IMPROVEMENTS: &str =
    "No areas for improvement have been recorded for this standard yet.";
pub const NO_RECOMMENDATIONS: &str = "The lead inspector has not recorded any recommendations yet.";

fn rating_label(rating: Option<Rating>) -> String {
    rating.map_or("Not yet rated", Rating::label).to_owned()
}

fn percent(value: Option<u8>) -> String {
    value.map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Builds the draft from the live data.
pub async fn draft(
    conn: &mut PgConnection,
    framework: &Framework,
    inspection: &Inspection,
    ratings: &InspectionRatings,
) -> Result<Draft, sqlx::Error> {
    let id = inspection.id;
    let recommendations = db::report::recommendations(&mut *conn, id).await?;
    let quoted = db::report::quoted(&mut *conn, id).await?;
    let by_kind = db::report::sample_by_kind(&mut *conn, id).await?;
    let evidence = db::domain_one::evidence(&mut *conn, id).await?;
    let survey = db::domain_one::survey_items(&mut *conn, id).await?;

    let background = background(framework, inspection, &by_kind);
    let organisational = ratings
        .standards
        .iter()
        .filter(|s| s.from_evidence())
        .map(|s| {
            let questions: Vec<i32> = framework
                .standard(&s.code)
                .map(|f| f.domain_one_questions.iter().map(|q| q.id).collect())
                .unwrap_or_default();
            let bullets = |kind: EvidenceKind| -> Vec<String> {
                evidence
                    .iter()
                    .filter(|e| e.kind == kind && questions.contains(&e.question_id))
                    .map(|e| {
                        // Sources are dropped; a survey figure is worded as
                        // the reports word it.
                        match e
                            .survey_item_id
                            .and_then(|i| survey.iter().find(|s| s.id == i))
                        {
                            Some(item) => format!(
                                "{} ({} out of {} staff)",
                                e.text,
                                number(count(i64::from(item.positive))),
                                number(count(i64::from(item.respondents)))
                            ),
                            None => e.text.clone(),
                        }
                    })
                    .collect()
            };
            section(
                s,
                Vec::new(),
                bullets(EvidenceKind::Strength),
                bullets(EvidenceKind::Improvement),
            )
        })
        .collect();
    let service_delivery = ratings
        .standards
        .iter()
        .filter(|s| !s.from_evidence())
        .map(|s| {
            let ids: Vec<(i32, &str)> = framework
                .standard(&s.code)
                .map(|f| {
                    f.key_questions
                        .iter()
                        .map(|k| (k.id, k.code.as_str()))
                        .collect()
                })
                .unwrap_or_default();
            let in_standard =
                |q: &&db::report::Quoted| ids.iter().any(|(id, _)| *id == q.key_question_id);
            let quoted_as = |answer: Answer| -> Vec<String> {
                quoted
                    .iter()
                    .filter(in_standard)
                    .filter(|q| q.answer == answer)
                    .map(|q| q.rationale.clone())
                    .collect()
            };
            let (prompt_strengths, prompt_improvements) = prompt_figures(s);
            let mut strengths = quoted_as(Answer::Yes);
            strengths.extend(prompt_strengths);
            let mut improvements = quoted_as(Answer::No);
            improvements.extend(prompt_improvements);
            let key_questions = s
                .key_questions
                .iter()
                .map(|kq| KeyQuestionRow {
                    code: kq.code.clone(),
                    text: kq.text.clone(),
                    percent: percent(kq.percent),
                })
                .collect();
            section(s, key_questions, strengths, improvements)
        })
        .collect();

    let title = if inspection.of_region {
        format!(
            "An inspection of probation services in the {} region",
            inspection.region_name
        )
    } else {
        format!(
            "An inspection of probation services in {}",
            inspection.pdu_name
        )
    };
    Ok(Draft {
        inspection_id: id,
        title,
        region: inspection.region_name.clone(),
        status_note: (inspection.status != InspectionStatus::Published)
            .then(|| "Draft: provisional ratings".to_owned()),
        ratings: ratings
            .standards
            .iter()
            .map(|s| RatingRow {
                code: s.code.clone(),
                name: s.name.clone(),
                rating: rating_label(s.rating),
            })
            .collect(),
        score: match ratings.score {
            Some(score) => format!("Score {score}/{}", ratings.max_score),
            None => format!(
                "Score not yet available: not every standard is rated (out of {})",
                ratings.max_score
            ),
        },
        overall: rating_label(ratings.overall),
        recommendations,
        background,
        organisational,
        service_delivery,
    })
}

fn section(
    s: &StandardResult,
    key_questions: Vec<KeyQuestionRow>,
    strengths: Vec<String>,
    improvements: Vec<String>,
) -> Section {
    Section {
        code: s.code.clone(),
        name: s.name.clone(),
        rating: rating_label(s.rating),
        key_questions,
        strengths,
        improvements,
    }
}

/// The fieldwork and the sample in words, counted from the cases.
fn background(
    framework: &Framework,
    inspection: &Inspection,
    by_kind: &[(Option<String>, SentenceType, i64)],
) -> Vec<String> {
    let mut paragraphs = vec![format!(
        "Fieldwork began on {}.",
        crate::web::filters::long_date(inspection.fieldwork_start)
    )];
    let main = |kind: &Option<String>| kind.is_none();
    let of_sentence = |sentence: SentenceType| -> u32 {
        by_kind
            .iter()
            .filter(|(kind, s, _)| main(kind) && *s == sentence)
            .map(|(_, _, n)| count(*n))
            .sum()
    };
    paragraphs.push(sample_sentence(&[
        (
            of_sentence(SentenceType::CommunityOrder),
            "community order",
            "community orders",
        ),
        (
            of_sentence(SentenceType::Licence),
            "release from custody on licence",
            "releases from custody on licence",
        ),
    ]));
    // Other kinds of case (a PDU's court reports, a region's victim work).
    let others: Vec<String> = framework
        .case_types
        .iter()
        .skip(1)
        .filter_map(|t| {
            let n: u32 = by_kind
                .iter()
                .filter(|(kind, _, _)| kind.as_deref() == Some(t.code.as_str()))
                .map(|(_, _, n)| count(*n))
                .sum();
            (n > 0).then(|| format!("{} {}", number(n), t.name.to_lowercase()))
        })
        .collect();
    if !others.is_empty() {
        paragraphs.push(format!(
            "We also inspected cases of other kinds: {}.",
            casemark_rules::report_words::listed(&others)
        ));
    }
    paragraphs
}

/// The standard's prompts worded as the reports do, with their relevant
/// cases (Yes and No) as denominator: the best as strengths, the weakest
/// as areas for improvement.
fn prompt_figures(standard: &StandardResult) -> (Vec<String>, Vec<String>) {
    let mut prompts: Vec<(u8, Counts, &str)> = standard
        .key_questions
        .iter()
        .flat_map(|kq| &kq.prompts)
        .filter_map(|p| p.counts.percent().map(|pc| (pc, p.counts, p.text.as_str())))
        .collect();
    let worded = |counts: &Counts, text: &str| {
        format!(
            "{}: Yes {}",
            text.trim_end_matches('?'),
            out_of(counts.yes, counts.judged(), "relevant case")
        )
    };
    // Highest share first (more relevant cases first on a tie).
    prompts.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.judged().cmp(&a.1.judged())));
    let strengths = prompts
        .iter()
        .filter(|(p, _, _)| *p >= PROMPT_STRENGTH_PERCENT)
        .take(PROMPTS_EACH)
        .map(|(_, c, t)| worded(c, t))
        .collect();
    let improvements = prompts
        .iter()
        .rev()
        .filter(|(p, _, _)| *p < PROMPT_IMPROVEMENT_PERCENT)
        .take(PROMPTS_EACH)
        .map(|(_, c, t)| worded(c, t))
        .collect();
    (strengths, improvements)
}

/// The media type of a .docx file.
pub const DOCX_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The draft of an inspection, rated afresh from its tallies.
pub async fn of_inspection(
    conn: &mut PgConnection,
    frameworks: &crate::framework::FrameworkCache,
    inspection: &Inspection,
) -> Result<Draft, sqlx::Error> {
    let framework = frameworks
        .get(&mut *conn, inspection.framework_version_id)
        .await?;
    let ratings = crate::ratings::for_inspection(&mut *conn, &framework, inspection).await?;
    draft(conn, &framework, inspection, &ratings).await
}

/// The file name a draft downloads under:
/// "hertfordshire-pdu-2024-04-15-report-draft.docx".
pub fn file_name(inspection: &Inspection) -> String {
    crate::annexe::long::file_name(inspection, "docx").replace("-annexe.docx", "-report-draft.docx")
}
