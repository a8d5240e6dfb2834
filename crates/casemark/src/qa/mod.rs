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
//!
//! - `sample`: picking the QA sample and its second markers.
//! - `second_marking`: saving and submitting a second marking.
//! - `adjudication`: the final answer to each disagreement.
//! - `blind`: what a second marker may not see while their marking is open.
//! - `report`: agreement, κ and the disagreements; the dashboard's line.

mod adjudication;
mod blind;
mod report;
mod sample;
mod second_marking;

pub use adjudication::{Decision, adjudicate};
pub use blind::{check_not_blind_in, check_not_blind_to_case, hidden_cases};
pub use report::{
    AgreementFigures, Disagreement, ItemAgreement, MarkerAgreement, Report, Summary, report,
    summary,
};
pub use sample::{Choice, add_to_sample};
pub use second_marking::{SecondMarking, save_second_marking};
