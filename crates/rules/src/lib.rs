//! The rating rules of a PDU inspection, as published by HM Inspectorate of
//! Probation and summarised in `docs/rating-rules.md`.
//!
//! Pure functions over counts: no I/O, no async, no database. The web
//! application gathers counts from PostgreSQL and asks this crate what they
//! mean, so the rules can be read (and tested) in one sitting.
//!
//! - [`Rating`]: the four-point scale and its score.
//! - [`Counts`]: one key question's Yes / No / N/A tally and its percentage.
//! - [`Bands`]: the thresholds of a framework version (data, not code).
//! - [`rate_domain_two_standard`]: a standard's rating from its lowest key question.
//! - [`composite`]: the score out of 21 and the overall rating.
//! - [`propose_domain_one`]: a domain one standard's proposal from its
//!   key-question judgements (median, lower middle on ties).
//! - [`key_question_outlook`] and [`explain_standard`]: how close each
//!   rating is to the next band ([`Margin`]), where the cases still to mark
//!   can take it ([`Range`]), how sure a percentage is ([`Interval`]), and a
//!   sentence that says so; [`composite_range`] for the score.
//! - [`Agreement`]: how far a first and a second marker agree (share and
//!   Cohen's κ), and [`rating_agreement`] on a standard's rating.
//! - [`draw`]: a repeatable seeded draw (QA samples).
//! - [`draw_sample`]: the case sample drawn from the long list, by strata,
//!   offices and practitioners, with reserves ([`Stratum`], [`apportion`]).
//! - [`RatingCounts`] and [`pool`]: the national picture's counts of
//!   ratings and key questions pooled over many inspections.
//! - [`choose`]: which question set a case is marked on, by its facts
//!   ([`Selector`]), and why.
//! - [`report_words`]: how a report draft words its figures ("in nine out
//!   of 54 cases").

mod agreement;
mod bands;
mod case_sample;
mod counts;
mod domain_one;
mod explain;
mod margin;
mod national;
mod outlook;
mod question_set;
mod rating;
pub mod report_words;
mod sampling;
mod standard;

pub use agreement::{
    Agreement, Answer as AgreementAnswer, FEW_PAIRS, RatingAgreement, rating_agreement,
};
pub use bands::{Bands, Thresholds};
pub use case_sample::{
    Draw, DuplicateBy, Exclusion, ListedCase, PRACTITIONER_CAP, Picked, Request as DrawRequest,
    Sex as ListedSex, Stratum, StratumDraw, apportion, draw_sample, exclusions, practitioner_key,
    share_hundredths,
};
pub use counts::Counts;
pub use domain_one::{Proposal, propose_domain_one};
pub use explain::{
    KeyQuestionInput, KeyQuestionOutlook, StandardOutlook, explain_standard, key_question_outlook,
};
pub use margin::{Margin, StandardMargin, standard_margin};
pub use national::{RatingCounts, pool};
pub use outlook::{
    Interval, Range, SMALL_SAMPLE, composite_range, percent_range, standard_range, wilson_interval,
};
pub use question_set::{Choice, Condition, FactKind, Op, Selector, SetRule, choose};
pub use rating::{Rating, UnknownRating};
pub use sampling::{SplitMix64, draw};
pub use standard::{
    Composite, StandardRating, composite, is_provisional, rate_domain_two_standard,
};
