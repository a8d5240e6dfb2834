//! An inspection's ratings: the framework's structure joined with the counts
//! from the database and rated by `casemark_rules`. The dashboard page, the
//! inspections list and the JSON API all read this one model.

use std::collections::HashMap;

use casemark_rules::{
    Composite, Counts, KeyQuestionInput, KeyQuestionOutlook, Proposal, Range, Rating,
    StandardOutlook, composite, composite_range, explain_standard, is_provisional,
    key_question_outlook,
};
use sqlx::PgConnection;

use crate::db;
use crate::db::inspections::Inspection;
use crate::db::ratings::{DomainOne, Tallies};
use crate::domain_one::Judgements;
use crate::framework::Area;
use crate::framework::{Framework, FrameworkCache};
use crate::framework_file::RatedFrom;

#[derive(Debug, Clone)]
pub struct InspectionRatings {
    pub cases_total: u32,
    pub cases_complete: u32,
    pub provisional: bool,
    pub score: Option<u8>,
    pub max_score: u8,
    pub overall: Option<Rating>,
    /// The score and overall rating if every unjudged answer were No / Yes
    /// and every unconfirmed domain one standard Inadequate / Outstanding.
    pub composite_range: Option<Range<Composite>>,
    pub standards: Vec<StandardResult>,
}

#[derive(Debug, Clone)]
pub struct StandardResult {
    pub code: String,
    pub name: String,
    pub domain: i16,
    pub rated_from: crate::framework_file::RatedFrom,
    /// Counts towards the score (a rated but unscored standard is shown only).
    pub scored: bool,
    /// The rating the score uses: for domain one, the lead's confirmed one.
    pub rating: Option<Rating>,
    /// Domain one: the rating its key-question judgements propose.
    pub proposal: Option<Proposal>,
    pub driving_key_question: Option<String>,
    /// Domain two: margin, range and the sentence that explains the rating.
    pub outlook: Option<StandardOutlook>,
    /// Empty for domain one.
    pub key_questions: Vec<KeyQuestionResult>,
}

impl StandardResult {
    /// The points it adds to the score: none while unrated, and none ever
    /// for a standard that is rated but not scored.
    pub fn score(&self) -> Option<u8> {
        self.rating.filter(|_| self.scored).map(Rating::score)
    }

    /// A domain one proposal awaiting the lead's confirmation: shown, but
    /// not yet counted in the score.
    /// Judged from evidence, with the lead's confirmation (domain one's way).
    pub fn from_evidence(&self) -> bool {
        self.rated_from == RatedFrom::Evidence
    }

    pub fn provisional_proposal(&self) -> Option<Rating> {
        match self.rating {
            None => self.proposal.map(|p| p.rating),
            Some(_) => None,
        }
    }

    /// Where the rating can still end: a confirmed domain one rating stays
    /// as it is, an unconfirmed one could be anything.
    pub fn range(&self) -> Option<Range<Rating>> {
        match (self.rated_from, self.rating) {
            (RatedFrom::Evidence, Some(rating)) => Some(Range {
                worst: rating,
                best: rating,
            }),
            (RatedFrom::Evidence, None) => Some(Range {
                worst: Rating::Inadequate,
                best: Rating::Outstanding,
            }),
            _ => self.outlook.as_ref().and_then(|o| o.range),
        }
    }
}

#[derive(Debug, Clone)]
pub struct KeyQuestionResult {
    pub code: String,
    pub area: Area,
    pub text: String,
    /// A region's pooled key question: the PDU key question it sums.
    pub pooled_from: Option<String>,
    pub counts: Counts,
    /// Cases whose question set asks it: the whole sample where the
    /// framework has no sets (for a pooled question, the pooled PDU
    /// inspections' cases asked it).
    pub applicable: u32,
    pub percent: Option<u8>,
    pub driving: bool,
    /// Margin, range over the unjudged cases, interval.
    pub outlook: KeyQuestionOutlook,
    pub prompts: Vec<PromptResult>,
}

#[derive(Debug, Clone)]
pub struct PromptResult {
    pub code: String,
    pub text: String,
    pub counts: Counts,
}

/// The sample an inspection's ratings rest on.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    pub total: u32,
    pub complete: u32,
    /// Cases whose question set asks each key question (by id), where the
    /// framework has question sets; `None` when every case is asked all.
    pub asked: Option<HashMap<i32, u32>>,
}

impl Sample {
    /// The cases a key question is counted over.
    pub fn applicable(&self, key_question_id: i32) -> u32 {
        match &self.asked {
            None => self.total,
            Some(asked) => asked.get(&key_question_id).copied().unwrap_or_default(),
        }
    }
}

/// Rates an inspection from its tallies. Pure: the inputs say everything.
/// A domain one standard counts with its confirmed rating; its proposal
/// (from `judgements`) is shown beside it but never scored, so the score
/// stays unavailable until the lead has confirmed all three.
pub fn rate(
    framework: &Framework,
    key_questions: &Tallies,
    prompts: &Tallies,
    domain_one: &HashMap<i32, DomainOne>,
    judgements: &Judgements,
    sample: &Sample,
) -> InspectionRatings {
    let mut standards = Vec::with_capacity(framework.standards.len());
    for standard in &framework.standards {
        if standard.rated_from == RatedFrom::Evidence {
            standards.push(StandardResult {
                code: standard.code.clone(),
                name: standard.name.clone(),
                domain: standard.domain,
                rated_from: standard.rated_from,
                scored: standard.scored,
                rating: domain_one.get(&standard.id).and_then(|d| d.rating),
                proposal: crate::domain_one::proposal(standard, judgements),
                driving_key_question: None,
                outlook: None,
                key_questions: Vec::new(),
            });
            continue;
        }
        let counts: Vec<Counts> = standard
            .key_questions
            .iter()
            .map(|kq| key_questions.get(&kq.id).copied().unwrap_or_default())
            .collect();
        // Cases with no answer yet on a key question: those it applies to
        // (the sample, or the cases whose set asks it) less those answered
        // Yes, No or N/A.
        let unjudged = |id: i32, c: &Counts| {
            sample
                .applicable(id)
                .saturating_sub(c.judged().saturating_add(c.na))
        };
        let inputs: Vec<KeyQuestionInput<'_>> = standard
            .key_questions
            .iter()
            .zip(&counts)
            .map(|(kq, counts)| KeyQuestionInput {
                code: &kq.code,
                name: kq.area.label(),
                counts: *counts,
                unjudged: unjudged(kq.id, counts),
            })
            .collect();
        let outlook = explain_standard(&framework.bands, &standard.name, &inputs);
        let results = standard
            .key_questions
            .iter()
            .zip(&inputs)
            .enumerate()
            .map(|(index, (kq, input))| KeyQuestionResult {
                code: kq.code.clone(),
                area: kq.area.clone(),
                text: kq.text.clone(),
                pooled_from: kq.pooled_from.clone(),
                counts: input.counts,
                applicable: sample.applicable(kq.id),
                percent: input.counts.percent(),
                driving: outlook.driving == Some(index),
                outlook: key_question_outlook(&framework.bands, input.counts, input.unjudged),
                prompts: kq
                    .prompts
                    .iter()
                    .map(|p| PromptResult {
                        code: p.code.clone(),
                        text: p.text.clone(),
                        counts: prompts.get(&p.id).copied().unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect();
        standards.push(StandardResult {
            code: standard.code.clone(),
            name: standard.name.clone(),
            domain: standard.domain,
            rated_from: standard.rated_from,
            scored: standard.scored,
            rating: outlook.rating,
            proposal: None,
            driving_key_question: outlook
                .driving
                .map(|i| standard.key_questions[i].code.clone()),
            outlook: Some(outlook),
            key_questions: results,
        });
    }
    // Only scored standards add up; a rated but unscored one is shown only.
    let ratings: Vec<Option<Rating>> = standards
        .iter()
        .filter(|s| s.scored)
        .map(|s| s.rating)
        .collect();
    let total = composite(&framework.bands, &ratings);
    let ranges: Vec<Option<Range<Rating>>> = standards
        .iter()
        .filter(|s| s.scored)
        .map(StandardResult::range)
        .collect();
    InspectionRatings {
        composite_range: composite_range(&framework.bands, &ranges),
        cases_total: sample.total,
        cases_complete: sample.complete,
        provisional: is_provisional(sample.complete, sample.total),
        score: total.map(|t| t.score),
        max_score: total.map_or(Rating::MAX_SCORE * ratings.len() as u8, |t| t.max_score),
        overall: total.map(|t| t.overall),
        standards,
    }
}

/// Loads the tallies of one inspection and rates it.
pub async fn for_inspection(
    conn: &mut PgConnection,
    framework: &Framework,
    inspection: &db::inspections::Inspection,
) -> Result<InspectionRatings, sqlx::Error> {
    let kqs = db::ratings::key_question_tallies(conn, inspection.id).await?;
    let prompts = db::ratings::prompt_tallies(conn, inspection.id).await?;
    let domain_one = db::ratings::domain_one(conn, inspection.id).await?;
    let judgements = crate::domain_one::judgements_of(conn, inspection.id).await?;
    let mut asked = if framework.question_sets.is_empty() {
        None
    } else {
        let per_set = db::ratings::cases_per_question_set(conn, inspection.id).await?;
        Some(asked_per_key_question(framework, &per_set))
    };
    let (mut total, mut complete) = (inspection.cases_total, inspection.cases_complete);
    // A region inspection rests on its PDU inspections' cases as well as its
    // own: its pooled key questions are asked of theirs, never of its own.
    if framework.pooled().next().is_some() {
        let (pooled_asked, pooled_total, pooled_complete) =
            db::ratings::pooled_sample(conn, inspection.id).await?;
        let own_total = count(inspection.cases_total);
        let mut map = asked.unwrap_or_else(|| {
            framework
                .key_questions()
                .map(|kq| (kq.id, own_total))
                .collect()
        });
        for (kq, _) in framework.pooled() {
            map.insert(kq.id, 0);
        }
        for (id, cases) in pooled_asked {
            map.insert(id, count(cases));
        }
        asked = Some(map);
        total += pooled_total;
        complete += pooled_complete;
    }
    let sample = Sample {
        total: count(total),
        complete: count(complete),
        asked,
    };
    Ok(rate(
        framework,
        &kqs,
        &prompts,
        &domain_one,
        &judgements,
        &sample,
    ))
}

/// How many cases each key question is asked of, from the number of cases
/// on each question set (`None`: a case on no set, asked everything).
fn asked_per_key_question(
    framework: &Framework,
    per_set: &[(Option<i32>, i64)],
) -> HashMap<i32, u32> {
    let mut asked = HashMap::new();
    for kq in framework.key_questions() {
        let cases: i64 = per_set
            .iter()
            .filter(|(set, _)| framework.asks(*set, kq.id))
            .map(|(_, n)| n)
            .sum();
        asked.insert(kq.id, count(cases));
    }
    asked
}

/// An inspection as a list shows it: the seven ratings, score and overall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The framework's standards' ratings, in order.
    pub standards: Vec<Option<Rating>>,
    pub score: Option<u8>,
    pub overall: Option<Rating>,
    pub provisional: bool,
}

impl Summary {
    fn new(framework: &Framework, standards: Vec<Option<Rating>>, inspection: &Inspection) -> Self {
        let total = composite(&framework.bands, &framework.scored(&standards));
        Summary {
            standards,
            score: total.map(|t| t.score),
            overall: total.map(|t| t.overall),
            provisional: is_provisional(
                count(inspection.cases_complete),
                count(inspection.cases_total),
            ),
        }
    }
}

/// Summaries of the listed inspections, in the same order. Standard
/// ratings come from the per-inspection cache (migration 0005); an
/// inspection whose cache is behind its data is rated here from its tallies
/// and the cache brought up to date, so a list always shows what the
/// dashboard shows.
pub async fn summaries(
    conn: &mut PgConnection,
    frameworks: &FrameworkCache,
    inspections: &[Inspection],
) -> Result<Vec<Summary>, sqlx::Error> {
    // No round trips for nothing (the national page asks for the region
    // inspections' summaries, usually none).
    if inspections.is_empty() {
        return Ok(Vec::new());
    }
    let mut framework_of = HashMap::new();
    for i in inspections {
        if let std::collections::hash_map::Entry::Vacant(e) =
            framework_of.entry(i.framework_version_id)
        {
            e.insert(frameworks.get(&mut *conn, i.framework_version_id).await?);
        }
    }
    let ids: Vec<i64> = inspections.iter().map(|i| i.id).collect();
    let mut current: HashMap<i64, Vec<Option<Rating>>> = HashMap::with_capacity(ids.len());
    let mut version: HashMap<i64, i64> = HashMap::new();
    for cached in db::ratings::cached_ratings(&mut *conn, &ids).await? {
        version.insert(cached.inspection_id, cached.version);
        if let Some(ratings) = cached.current() {
            current.insert(cached.inspection_id, ratings);
        }
    }
    let stale: Vec<&Inspection> = inspections
        .iter()
        .filter(|i| !current.contains_key(&i.id))
        .collect();
    if !stale.is_empty() {
        let stale_ids: Vec<i64> = stale.iter().map(|i| i.id).collect();
        let tallies = db::ratings::key_question_tallies_of(&mut *conn, &stale_ids).await?;
        let domain_one = db::ratings::domain_one_of(&mut *conn, &stale_ids).await?;
        for i in stale {
            let rated = rate(
                &framework_of[&i.framework_version_id],
                tallies.get(&i.id).unwrap_or(&Tallies::default()),
                &Tallies::default(),
                domain_one.get(&i.id).unwrap_or(&HashMap::new()),
                // Lists show confirmed ratings only; proposals are not needed.
                &Judgements::default(),
                &Sample::default(),
            );
            let ratings: Vec<Option<Rating>> = rated.standards.iter().map(|s| s.rating).collect();
            if let Some(&version) = version.get(&i.id) {
                let framework = &framework_of[&i.framework_version_id];
                let total = composite(&framework.bands, &framework.scored(&ratings));
                db::ratings::store_ratings(
                    &mut *conn,
                    i.id,
                    version,
                    &ratings,
                    total.map(|t| t.overall),
                    total.map(|t| t.score),
                )
                .await?;
            }
            current.insert(i.id, ratings);
        }
    }
    Ok(inspections
        .iter()
        .map(|i| {
            let ratings = current.remove(&i.id).unwrap_or_default();
            Summary::new(&framework_of[&i.framework_version_id], ratings, i)
        })
        .collect())
}

/// One page of the national table (or a region's page), each inspection
/// with its summary, and how many match in all.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<(Inspection, Summary)>,
    pub total: i64,
}

/// The page the filter asks for. Stale summaries the list may show are
/// rated first (usually a few), so the overall-rating filter and the score
/// order, which read the cache in SQL, see what the dashboards show; the
/// cost of a page then no longer grows with the programme.
pub async fn list_page(
    conn: &mut PgConnection,
    frameworks: &FrameworkCache,
    filter: &db::inspections::ListFilter,
) -> Result<ListPage, sqlx::Error> {
    let stale = db::inspections::stale(&mut *conn, filter.member, filter.region).await?;
    if !stale.is_empty() {
        summaries(&mut *conn, frameworks, &stale).await?;
    }
    let (inspections, total) = db::inspections::page(&mut *conn, filter).await?;
    let summaries = summaries(&mut *conn, frameworks, &inspections).await?;
    Ok(ListPage {
        rows: inspections.into_iter().zip(summaries).collect(),
        total,
    })
}

pub fn count(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}
