//! What an inspection is marked against: the standards, key questions,
//! prompts, outcome questions and rating bands of one framework version.
//!
//! Loaded from the database once per version and cached: a version that an
//! inspection uses cannot change (a trigger refuses it), so the cache can
//! never go stale for the inspections that read it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use casemark_rules::{Bands, Selector, SetRule, choose};
use sqlx::PgConnection;

use crate::db;
use crate::db::cases::CaseFacts;
use crate::framework_file::{CaseType, Level, RatedFrom};

#[derive(Debug)]
pub struct Framework {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub bands: Bands,
    pub level: Level,
    /// The standards it rates, in framework order: for the PDU framework,
    /// domain one (1.1–1.3), then domain two (2.1–2.4).
    pub standards: Vec<Standard>,
    /// Standards marked on its cases but rated only where a region
    /// inspection pools them (a PDU's court work and resettlement): never
    /// in this framework's ratings, score or lists.
    pub pooled_elsewhere: Vec<Standard>,
    /// The kinds of case it marks; the first is a case's when none is
    /// recorded. Empty when every case is of one kind.
    pub case_types: Vec<CaseType>,
    pub outcomes: Vec<OutcomeQuestion>,
    /// Empty when every case is marked on every case key question.
    pub question_sets: Vec<QuestionSet>,
}

/// A set of case key questions, chosen for each case by its facts
/// (`casemark_rules::choose`) unless the lead chose it.
#[derive(Debug)]
pub struct QuestionSet {
    pub id: i32,
    pub code: String,
    pub name: String,
    /// `None`: the set a case gets when no other applies.
    pub when: Option<Selector>,
    /// `None`: every case key question.
    pub key_questions: Option<HashSet<i32>>,
}

impl QuestionSet {
    pub fn asks(&self, key_question_id: i32) -> bool {
        self.key_questions
            .as_ref()
            .is_none_or(|k| k.contains(&key_question_id))
    }
}

/// The set a case with these facts is marked on, with the reason in words;
/// `None` when the framework has no sets.
pub fn choose_set<'a>(
    sets: &'a [QuestionSet],
    facts: &CaseFacts,
) -> Option<(&'a QuestionSet, String)> {
    let rules: Vec<SetRule<'_>> = sets
        .iter()
        .map(|s| SetRule {
            name: &s.name,
            when: s.when.as_ref(),
        })
        .collect();
    let text = facts.as_text();
    let fact = |name: &str| {
        text.iter()
            .find(|(field, _)| *field == name)
            .map(|(_, value)| value.clone())
            .filter(|v| !v.is_empty())
    };
    choose(&rules, &fact).map(|c| (&sets[c.index], c.reason))
}

#[derive(Debug)]
pub struct Standard {
    pub id: i32,
    /// Its place in the framework file, across rated and pooled-elsewhere
    /// standards alike.
    pub position: i16,
    pub code: String,
    pub domain: i16,
    pub name: String,
    pub statement: String,
    /// Whether it is marked on cases or judged from evidence.
    pub rated_from: crate::framework_file::RatedFrom,
    /// Whether its rating counts towards the score (a rated but unscored
    /// standard is shown, never added).
    pub scored: bool,
    /// Empty for domain one, whose ratings are judged, not computed.
    pub key_questions: Vec<KeyQuestion>,
    /// Empty for domain two.
    pub domain_one_questions: Vec<DomainOneQuestion>,
}

/// A domain one key question, judged on the four-point scale.
#[derive(Debug)]
pub struct DomainOneQuestion {
    pub id: i32,
    pub code: String,
    pub text: String,
    /// Ids of the case prompts whose figures bear on it, in order.
    pub case_prompts: Vec<i32>,
}

/// One of the framework's areas of practice (for the PDU framework:
/// engagement, desistance, keeping other people safe), which every key
/// question marked on cases belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    code: String,
    name: String,
}

impl Area {
    pub fn new(code: impl Into<String>, name: impl Into<String>) -> Self {
        Area {
            code: code.into(),
            name: name.into(),
        }
    }

    /// The code files and the API use ("safety").
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The name people read ("Keeping other people safe").
    pub fn label(&self) -> &str {
        &self.name
    }
}

#[derive(Debug)]
pub struct KeyQuestion {
    pub id: i32,
    pub code: String,
    pub area: Area,
    pub text: String,
    pub prompts: Vec<Prompt>,
    /// Region frameworks: the code of the PDU key question it is summed
    /// from over the pooled inspections; such a question is never marked on
    /// the region's own cases.
    pub pooled_from: Option<String>,
}

#[derive(Debug)]
pub struct Prompt {
    pub id: i32,
    pub code: String,
    pub text: String,
}

#[derive(Debug)]
pub struct OutcomeQuestion {
    pub id: i32,
    pub code: String,
    pub text: String,
}

impl Framework {
    /// The ratings (one per standard, in framework order) that count
    /// towards the score: those of scored standards.
    pub fn scored<T: Copy>(&self, per_standard: &[T]) -> Vec<T> {
        self.standards
            .iter()
            .zip(per_standard)
            .filter(|(s, _)| s.scored)
            .map(|(_, r)| *r)
            .collect()
    }

    /// The standards judged from evidence: "domain one" in the PDU
    /// framework, whose pages and services carry that name; in another
    /// framework they may sit in any domain.
    pub fn domain_one(&self) -> impl Iterator<Item = &Standard> {
        self.standards
            .iter()
            .filter(|s| s.rated_from == RatedFrom::Evidence)
    }

    /// The standards marked on cases ("domain two" in the PDU framework),
    /// then any marked here but rated by a region inspection.
    pub fn domain_two(&self) -> impl Iterator<Item = &Standard> {
        self.standards
            .iter()
            .chain(&self.pooled_elsewhere)
            .filter(|s| s.rated_from == RatedFrom::Cases)
    }

    /// Every standard, rated here or not, in the file's order.
    pub fn all_standards(&self) -> Vec<&Standard> {
        let mut all: Vec<&Standard> = self
            .standards
            .iter()
            .chain(&self.pooled_elsewhere)
            .collect();
        all.sort_by_key(|s| s.position);
        all
    }

    pub fn standard(&self, code: &str) -> Option<&Standard> {
        self.standards
            .iter()
            .chain(&self.pooled_elsewhere)
            .find(|s| s.code == code)
    }

    /// The key questions of a region framework summed from its PDU
    /// inspections, with the PDU key question's code.
    pub fn pooled(&self) -> impl Iterator<Item = (&KeyQuestion, &str)> {
        self.key_questions()
            .filter_map(|kq| kq.pooled_from.as_deref().map(|from| (kq, from)))
    }

    /// A case type's name by its code (the code itself if unknown).
    pub fn case_type_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.case_types
            .iter()
            .find(|t| t.code == code)
            .map_or(code, |t| t.name.as_str())
    }

    pub fn key_questions(&self) -> impl Iterator<Item = &KeyQuestion> {
        self.domain_two().flat_map(|s| s.key_questions.iter())
    }

    pub fn key_question(&self, code: &str) -> Option<&KeyQuestion> {
        self.key_questions().find(|kq| kq.code == code)
    }

    pub fn prompts(&self) -> impl Iterator<Item = &Prompt> {
        self.key_questions().flat_map(|kq| kq.prompts.iter())
    }

    pub fn prompt(&self, code: &str) -> Option<&Prompt> {
        self.prompts().find(|p| p.code == code)
    }

    pub fn prompt_by_id(&self, id: i32) -> Option<&Prompt> {
        self.prompts().find(|p| p.id == id)
    }

    pub fn domain_one_questions(&self) -> impl Iterator<Item = (&Standard, &DomainOneQuestion)> {
        self.domain_one()
            .flat_map(|s| s.domain_one_questions.iter().map(move |q| (s, q)))
    }

    pub fn domain_one_question(&self, code: &str) -> Option<(&Standard, &DomainOneQuestion)> {
        self.domain_one_questions().find(|(_, q)| q.code == code)
    }

    /// A case's set by its stored id (`None`: the framework has none).
    pub fn question_set(&self, id: Option<i32>) -> Option<&QuestionSet> {
        id.and_then(|id| self.question_sets.iter().find(|s| s.id == id))
    }

    /// Whether a case on the set `set` (see [`Framework::question_set`]) is
    /// asked the key question: every one is, where there are no sets.
    /// A pooled key question is asked of no case: it is counted from the
    /// PDU inspections.
    pub fn asks(&self, set: Option<i32>, key_question_id: i32) -> bool {
        self.question_set(set)
            .is_none_or(|s| s.asks(key_question_id))
            && !self
                .key_questions()
                .any(|kq| kq.id == key_question_id && kq.pooled_from.is_some())
    }

    /// The key questions of a standard that a case on `set` is asked.
    pub fn asked<'a>(
        &'a self,
        standard: &'a Standard,
        set: Option<i32>,
    ) -> impl Iterator<Item = &'a KeyQuestion> + 'a {
        standard
            .key_questions
            .iter()
            .filter(move |kq| self.asks(set, kq.id))
    }

    pub fn outcome(&self, code: &str) -> Option<&OutcomeQuestion> {
        self.outcomes.iter().find(|o| o.code == code)
    }
}

/// Framework versions by id, loaded on first use.
#[derive(Debug, Default)]
pub struct FrameworkCache {
    versions: RwLock<HashMap<i32, Arc<Framework>>>,
}

impl FrameworkCache {
    /// The framework version, loaded on first use through the caller's own
    /// connection. Never a second connection from the pool: callers hold one
    /// (often a transaction), and a busy pool whose every connection waits
    /// for another one stalls until the acquire timeout (seen in the
    /// benchmark: 5-second stalls and 503s on a cold cache).
    pub async fn get(
        &self,
        conn: &mut PgConnection,
        id: i32,
    ) -> Result<Arc<Framework>, sqlx::Error> {
        if let Some(found) = self.read().get(&id) {
            return Ok(found.clone());
        }
        let loaded = Arc::new(db::framework::load(conn, id).await?);
        self.write().insert(id, loaded.clone());
        Ok(loaded)
    }

    // A poisoned lock only means another request panicked while holding it;
    // the map itself is always valid, so carry on with it.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i32, Arc<Framework>>> {
        self.versions.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<i32, Arc<Framework>>> {
        self.versions.write().unwrap_or_else(|e| e.into_inner())
    }
}
