//! Why a service did not do what it was asked: one type for every service
//! (marking, intake, import, setup, team, domain one, accounts), so each
//! front end renders refusals in exactly one place — `api::error` into JSON,
//! `web::error` into a GOV.UK page. A handler that can show the problems
//! beside its form fields does so first; whatever it does not handle goes
//! through that one conversion, where an invalid request stays a 422 and is
//! never shown as "not found".

use crate::db::audit::Event;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// No such inspection, case, user or token for this caller.
    #[error("not found")]
    NotFound,
    /// The caller may not do this, whatever the stage.
    #[error("forbidden")]
    Forbidden,
    /// The caller is second-marking this case (or a case of this
    /// inspection) blind: the first marking stays hidden until they submit.
    #[error("{BLIND}")]
    Blind,
    /// The inspection's stage does not allow this change now; the message
    /// says why and who still can.
    #[error("{0}")]
    Locked(String),
    /// The request is not what it should be: every problem found, each
    /// naming the input it is about. Nothing was written.
    #[error("{}", summary(.0))]
    Invalid(Vec<Problem>),
    /// Someone else changed the same answers since the caller loaded them;
    /// their changes are kept and nothing was written.
    #[error("changed by someone else since it was loaded")]
    Conflict(Vec<Event>),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why a blind second marker cannot see a page.
pub const BLIND: &str = "You are second-marking a case of this inspection: its first marking is \
                         hidden from you until you submit your second marking";

impl Refusal {
    /// A refusal about one input.
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        Refusal::Invalid(vec![Problem::new(field, message)])
    }
}

fn summary(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| p.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// One thing wrong with a request, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// For an uploaded file: the spreadsheet row (the header is row 1).
    pub row: Option<usize>,
    pub field: Field,
    pub message: String,
}

impl Problem {
    pub fn new(field: Field, message: impl Into<String>) -> Self {
        Problem {
            row: None,
            field,
            message: message.into(),
        }
    }

    /// A problem in row `row` of an uploaded file, in its column `column`.
    pub fn in_row(row: usize, column: &'static str, message: impl Into<String>) -> Self {
        Problem {
            row: Some(row),
            field: Field::Named(column),
            message: message.into(),
        }
    }
}

/// The input a problem is about, in the service's terms, so that each front
/// end can name it its own way (a JSON path, a form element's id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// The request as a whole.
    Whole,
    /// A named input: "fieldwork_start", "email", a CSV column.
    Named(&'static str),
    /// A key question's answer, by its code ("2.1.1").
    KeyQuestion(String),
    /// A key question's rationale, by the key question's code.
    Rationale(String),
    /// A prompt's answer, by its code ("2.1.1.a").
    Prompt(String),
    /// An outcome's answer, by its code.
    Outcome(String),
    /// A part of a domain one standard or key question: its code ("1.1",
    /// "1.2.3"; empty when none) and which part ("rating", "reason",
    /// "judgement", "judge", or an evidence or survey field).
    DomainOne { code: String, part: &'static str },
}

impl Field {
    /// The named input, when it is one (`Whole` and the framework's own
    /// fields are not).
    pub fn name(&self) -> Option<&'static str> {
        match self {
            Field::Named(name) => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_refusal_reads_as_its_problems() {
        let refusal = Refusal::Invalid(vec![
            Problem::new(Field::Named("pdu"), "Enter the PDU"),
            Problem::in_row(3, "crn", "Enter the CRN"),
        ]);
        assert_eq!(refusal.to_string(), "Enter the PDU; Enter the CRN");
    }
}
