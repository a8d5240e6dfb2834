//! The inspection's QA figures: agreement and Cohen's κ (from the rules
//! crate) by key question, standard, first marker and overall, the rating
//! from second markings against the first, and the disagreements.

use std::collections::{BTreeMap, HashMap};

use casemark_rules::{Agreement, AgreementAnswer, RatingAgreement, rating_agreement};
use sqlx::PgConnection;

use crate::db;
use crate::db::qa::{Pair, Sampled};
use crate::framework::Framework;
use crate::vocab::Answer;

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
