//! Inspection frameworks as files (docs/frameworks.md): the definition a
//! file holds, read and checked with every problem's line
//! ([`read::parse`]), and written back in one fixed layout
//! ([`write::write`]), so that reading a file and writing it again gives
//! the same bytes.
//!
//! Pure: no I/O. The command line reads the file; `db::framework` turns a
//! stored framework version into a [`Definition`].

pub mod read;
pub mod write;

use casemark_rules::{FactKind, Thresholds};

pub use read::{FileProblem, parse};
pub use write::write;

/// A framework version as its file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub code: String,
    pub name: String,
    pub version: u32,
    pub status: Status,
    /// What the framework inspects: a PDU, or a region (whose case standards
    /// may be pooled from its PDU inspections).
    pub level: Level,
    pub source: Option<String>,
    pub key_question_bands: Thresholds,
    pub overall_bands: Thresholds,
    pub max_score: u32,
    pub areas: Vec<Area>,
    pub domains: Vec<Domain>,
    pub standards: Vec<Standard>,
    pub outcomes: Vec<Outcome>,
    pub question_sets: Vec<QuestionSet>,
    /// The kinds of case it marks, the first being a case's type when none
    /// is recorded; empty when every case is of one kind.
    pub case_types: Vec<CaseType>,
}

/// What an inspection under a framework is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Pdu,
    Region,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Pdu => "pdu",
            Level::Region => "region",
        }
    }

    pub fn parse(code: &str) -> Option<Level> {
        [Level::Pdu, Level::Region]
            .into_iter()
            .find(|l| l.code() == code)
    }
}

/// A kind of case (a court report, an unpaid work case): one of the case
/// facts, which question sets may choose by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseType {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    InUse,
    Retired,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Draft, Status::InUse, Status::Retired];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InUse => "in_use",
            Status::Retired => "retired",
        }
    }

    pub fn parse(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What a standard's rating is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatedFrom {
    /// Key questions judged Yes / No / N/A on each case of the sample.
    Cases,
    /// Key questions judged on the four-point scale from evidence.
    Evidence,
}

impl RatedFrom {
    pub fn code(self) -> &'static str {
        match self {
            RatedFrom::Cases => "cases",
            RatedFrom::Evidence => "evidence",
        }
    }

    pub fn parse(code: &str) -> Option<RatedFrom> {
        [RatedFrom::Cases, RatedFrom::Evidence]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub number: u32,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standard {
    pub code: String,
    pub domain: u32,
    pub name: String,
    pub statement: String,
    pub rated_from: RatedFrom,
    pub scored: bool,
    /// False for a standard marked on this framework's cases but rated only
    /// where a region framework pools it (a PDU's court work).
    pub rated: bool,
    pub key_questions: Vec<KeyQuestion>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyQuestion {
    pub code: String,
    /// Case key questions only: one of the framework's areas.
    pub area: Option<String>,
    pub text: String,
    /// Wording that could not be sourced.
    pub provisional: bool,
    /// Case key questions only.
    pub prompts: Vec<Prompt>,
    /// Region frameworks only: the code of the PDU key question it sums
    /// over the pooled PDU inspections, instead of being marked on cases.
    pub pooled_from: Option<String>,
    /// Evidence key questions only: codes of the case prompts whose figures
    /// are shown beside them.
    pub case_evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub code: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub code: String,
    pub text: String,
}

/// A set of case key questions, chosen for a case by its facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionSet {
    pub code: String,
    pub name: String,
    /// When the set applies (see [`casemark_rules::Selector`]); `None` for the set
    /// that applies when no other does.
    pub when: Option<String>,
    /// Its key questions; `None` for every case key question.
    pub key_questions: Option<Vec<String>>,
}

/// The case facts a question set's selector may name, with their kinds:
/// those recorded with every case (`intake::FIELDS`), less the reference.
pub fn case_facts() -> Vec<(&'static str, FactKind)> {
    crate::intake::FIELDS
        .into_iter()
        .filter(|field| *field != "reference")
        .map(|field| (field, crate::intake::fact_kind(field)))
        .collect()
}
