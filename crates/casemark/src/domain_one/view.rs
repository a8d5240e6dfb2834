//! Domain one as the page and the API show it: per standard, each key
//! question with its judgement, evidence and the case figures beside it,
//! the proposal with its spread, and the lead's confirmation.

use std::collections::HashMap;

use casemark_rules::{Counts, Proposal};
use sqlx::PgConnection;

use super::proposal;
use crate::db;
use crate::db::domain_one::{Evidence, Judgement, SurveyItem};
use crate::db::ratings::DomainOne;
use crate::framework::Framework;
use crate::vocab::EvidenceKind;

#[derive(Debug, Clone)]
pub struct StandardView {
    pub code: String,
    pub name: String,
    pub statement: String,
    /// What the lead recorded: confirmation, summary text, named judge.
    pub record: DomainOne,
    /// The named judge's display name.
    pub judge_name: Option<String>,
    pub questions: Vec<QuestionView>,
    pub proposal: Option<Proposal>,
    pub judged: usize,
}

impl StandardView {
    /// The proposal has moved since the lead confirmed the rating.
    pub fn proposal_changed(&self) -> bool {
        self.record.rating.is_some()
            && self.record.proposed_rating != self.proposal.map(|p| p.rating)
    }
}

#[derive(Debug, Clone)]
pub struct QuestionView {
    pub code: String,
    pub text: String,
    pub judgement: Option<Judgement>,
    pub strengths: Vec<EvidenceView>,
    pub improvements: Vec<EvidenceView>,
    pub case_figures: Vec<CaseFigure>,
}

#[derive(Debug, Clone)]
pub struct EvidenceView {
    pub evidence: Evidence,
    /// The survey item the bullet quotes.
    pub survey: Option<SurveyItem>,
}

/// A prompt's figures across the inspection's cases so far.
#[derive(Debug, Clone)]
pub struct CaseFigure {
    pub code: String,
    pub text: String,
    pub counts: Counts,
    pub percent: Option<u8>,
}

impl CaseFigure {
    /// "12 of 40 cases (30%)", or that none applied yet.
    pub fn summary(&self) -> String {
        match self.percent {
            Some(p) => format!(
                "Yes in {} of {} cases ({p}%)",
                self.counts.yes,
                self.counts.judged()
            ),
            None => "No cases answered yet".to_owned(),
        }
    }
}

/// Domain one of an inspection, with its staff survey items.
pub async fn load_view(
    conn: &mut PgConnection,
    framework: &Framework,
    inspection_id: i64,
) -> Result<(Vec<StandardView>, Vec<SurveyItem>), sqlx::Error> {
    let mut records = db::ratings::domain_one(&mut *conn, inspection_id).await?;
    let judgements = db::domain_one::judgements(&mut *conn, inspection_id).await?;
    let evidence = db::domain_one::evidence(&mut *conn, inspection_id).await?;
    let survey = db::domain_one::survey_items(&mut *conn, inspection_id).await?;
    let prompts = db::ratings::prompt_tallies(&mut *conn, inspection_id).await?;
    let members = db::members::members(&mut *conn, inspection_id).await?;
    let ratings: super::Judgements = judgements
        .iter()
        .map(|(question, j)| (*question, j.rating))
        .collect();
    let mut by_question: HashMap<i32, Vec<&Evidence>> = HashMap::new();
    for e in &evidence {
        by_question.entry(e.question_id).or_default().push(e);
    }
    let standards = framework
        .domain_one()
        .map(|standard| {
            let record = records.remove(&standard.id).unwrap_or_default();
            let judge_name = record.judge_id.map(|id| {
                members.iter().find(|m| m.user_id == id).map_or_else(
                    || "someone no longer on the team".to_owned(),
                    |m| m.display_name.clone(),
                )
            });
            let questions: Vec<QuestionView> = standard
                .domain_one_questions
                .iter()
                .map(|q| {
                    let bullets = by_question
                        .get(&q.id)
                        .map(Vec::as_slice)
                        .unwrap_or_default();
                    let of_kind = |kind: EvidenceKind| {
                        bullets
                            .iter()
                            .filter(|e| e.kind == kind)
                            .map(|e| EvidenceView {
                                evidence: (*e).clone(),
                                survey: e
                                    .survey_item_id
                                    .and_then(|id| survey.iter().find(|s| s.id == id).cloned()),
                            })
                            .collect()
                    };
                    QuestionView {
                        code: q.code.clone(),
                        text: q.text.clone(),
                        judgement: judgements.get(&q.id).cloned(),
                        strengths: of_kind(EvidenceKind::Strength),
                        improvements: of_kind(EvidenceKind::Improvement),
                        case_figures: q
                            .case_prompts
                            .iter()
                            .filter_map(|id| framework.prompt_by_id(*id))
                            .map(|p| {
                                let counts = prompts.get(&p.id).copied().unwrap_or_default();
                                CaseFigure {
                                    code: p.code.clone(),
                                    text: p.text.clone(),
                                    counts,
                                    percent: counts.percent(),
                                }
                            })
                            .collect(),
                    }
                })
                .collect();
            StandardView {
                code: standard.code.clone(),
                name: standard.name.clone(),
                statement: standard.statement.clone(),
                record,
                judge_name,
                judged: questions.iter().filter(|q| q.judgement.is_some()).count(),
                proposal: proposal(standard, &ratings),
                questions,
            }
        })
        .collect();
    Ok((standards, survey))
}
