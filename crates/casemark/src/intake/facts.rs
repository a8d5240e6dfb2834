//! A case's facts as typed (`RawCase`) and their checking into
//! `CaseFacts`: every problem reported, not just the first.

use chrono::NaiveDate;

use crate::db::cases::CaseFacts;
use crate::refusal::{Field, Problem};
use casemark_rules::FactKind;

use crate::vocab::{
    EthnicityGroup, NotInVocabulary, PractitionerGrade, RoshLevel, SentenceType, Sex,
    parse_optional,
};

/// Case facts as given, before validation: every value is text, as it comes
/// from a form or a CSV cell (the JSON API turns numbers and booleans into
/// text first), and blank means "not recorded".
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct RawCase {
    pub reference: Option<String>,
    pub sentence_type: Option<String>,
    pub start_date: Option<String>,
    pub office: Option<String>,
    pub practitioner_grade: Option<String>,
    pub practitioner_count: Option<String>,
    pub sex: Option<String>,
    pub age_at_start: Option<String>,
    pub ethnicity_group: Option<String>,
    pub rosh_level: Option<String>,
    pub mappa_eligible: Option<String>,
    pub licence_weeks: Option<String>,
    pub case_type: Option<String>,
}

/// The case fact fields, named as in forms, the JSON API and CSV headers.
pub const FIELDS: [&str; 13] = [
    "reference",
    "sentence_type",
    "start_date",
    "office",
    "practitioner_grade",
    "practitioner_count",
    "sex",
    "age_at_start",
    "ethnicity_group",
    "rosh_level",
    "mappa_eligible",
    "licence_weeks",
    "case_type",
];

/// How a question set's condition compares a fact (see
/// `casemark_rules::Selector`): by its values as [`CaseFacts::as_text`]
/// writes them.
pub fn fact_kind(field: &str) -> FactKind {
    match field {
        "sentence_type" => FactKind::Choice(SentenceType::CODES),
        "start_date" => FactKind::Date,
        "practitioner_grade" => FactKind::Choice(PractitionerGrade::CODES),
        "practitioner_count" | "age_at_start" | "licence_weeks" => FactKind::Number,
        "sex" => FactKind::Choice(Sex::CODES),
        "ethnicity_group" => FactKind::Choice(EthnicityGroup::CODES),
        "rosh_level" => FactKind::Choice(RoshLevel::CODES),
        "mappa_eligible" => FactKind::Choice(&["yes", "no"]),
        _ => FactKind::Text,
    }
}

impl RawCase {
    /// A field by its name in [`FIELDS`], as given.
    pub fn get(&self, field: &str) -> Option<&str> {
        let slot = match field {
            "reference" => &self.reference,
            "sentence_type" => &self.sentence_type,
            "start_date" => &self.start_date,
            "office" => &self.office,
            "practitioner_grade" => &self.practitioner_grade,
            "practitioner_count" => &self.practitioner_count,
            "sex" => &self.sex,
            "age_at_start" => &self.age_at_start,
            "ethnicity_group" => &self.ethnicity_group,
            "rosh_level" => &self.rosh_level,
            "mappa_eligible" => &self.mappa_eligible,
            "licence_weeks" => &self.licence_weeks,
            "case_type" => &self.case_type,
            _ => return None,
        };
        slot.as_deref()
    }

    /// Sets a field by its name in [`FIELDS`]; other names are ignored.
    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "reference" => &mut self.reference,
            "sentence_type" => &mut self.sentence_type,
            "start_date" => &mut self.start_date,
            "office" => &mut self.office,
            "practitioner_grade" => &mut self.practitioner_grade,
            "practitioner_count" => &mut self.practitioner_count,
            "sex" => &mut self.sex,
            "age_at_start" => &mut self.age_at_start,
            "ethnicity_group" => &mut self.ethnicity_group,
            "rosh_level" => &mut self.rosh_level,
            "mappa_eligible" => &mut self.mappa_eligible,
            "licence_weeks" => &mut self.licence_weeks,
            "case_type" => &mut self.case_type,
            _ => return,
        };
        *slot = Some(value);
    }
}

pub(super) fn blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The longest licence recorded, in weeks (50 years): longer ones, and life
/// licences, are left blank.
pub const MAX_LICENCE_WEEKS: i16 = 2600;

/// Checks one case's facts; every problem is reported, not just the first.
pub fn validate(raw: &RawCase) -> Result<CaseFacts, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut report = |field: &'static str, message: String| {
        problems.push(Problem::new(Field::Named(field), message))
    };
    let vocab = |e: NotInVocabulary| e.to_string();

    let reference = match blank(&raw.reference) {
        None => {
            report("reference", "Enter the case reference".into());
            String::new()
        }
        Some(r) if r.chars().count() > 50 => {
            report(
                "reference",
                "Case reference must be 50 characters or fewer".into(),
            );
            String::new()
        }
        Some(r) if crate::text::is_multiline(r) => {
            report(
                "reference",
                "Case reference must be one line, without tabs or line breaks".into(),
            );
            String::new()
        }
        Some(r) => r.to_owned(),
    };
    let sentence_type = match blank(&raw.sentence_type) {
        None => {
            report(
                "sentence_type",
                "Select the sentence type: community order or licence".into(),
            );
            None
        }
        Some(v) => v
            .parse()
            .map_err(|e| report("sentence_type", vocab(e)))
            .ok(),
    };
    let start_date = match blank(&raw.start_date) {
        None => None,
        Some(v) => match parse_date(v) {
            Some(d) => Some(d),
            None => {
                report(
                    "start_date",
                    format!("Start date '{v}' must be a real date, like 2024-03-27 or 27/03/2024"),
                );
                None
            }
        },
    };
    let office = match blank(&raw.office) {
        Some(o) if o.chars().count() > 200 => {
            report("office", "Office must be 200 characters or fewer".into());
            None
        }
        other => other.map(str::to_owned),
    };
    let practitioner_grade = parse_optional(raw.practitioner_grade.as_deref())
        .map_err(|e| report("practitioner_grade", vocab(e)))
        .unwrap_or(None);
    let practitioner_count = number(blank(&raw.practitioner_count), 1, 99)
        .map_err(|()| {
            report(
                "practitioner_count",
                "Number of practitioners must be a whole number from 1 to 99".into(),
            )
        })
        .unwrap_or(None);
    let sex = parse_optional(raw.sex.as_deref())
        .map_err(|e| report("sex", vocab(e)))
        .unwrap_or(None);
    let age_at_start = number(blank(&raw.age_at_start), 10, 120)
        .map_err(|()| {
            report(
                "age_at_start",
                "Age at start must be a whole number from 10 to 120".into(),
            )
        })
        .unwrap_or(None);
    let ethnicity_group = parse_optional(raw.ethnicity_group.as_deref())
        .map_err(|e| report("ethnicity_group", vocab(e)))
        .unwrap_or(None);
    let rosh_level = parse_optional(raw.rosh_level.as_deref())
        .map_err(|e| report("rosh_level", vocab(e)))
        .unwrap_or(None);
    let mappa_eligible = match blank(&raw.mappa_eligible) {
        None => None,
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Some(true),
            "no" | "n" | "false" | "0" => Some(false),
            _ => {
                report(
                    "mappa_eligible",
                    format!("MAPPA eligibility '{v}' must be yes or no"),
                );
                None
            }
        },
    };

    // The licence's length decides some frameworks' question sets (a licence
    // of eight weeks or less, say): recorded for licence cases only.
    let licence_weeks = number(blank(&raw.licence_weeks), 1, MAX_LICENCE_WEEKS)
        .map_err(|()| {
            report(
                "licence_weeks",
                format!(
                    "Licence length must be a whole number of weeks from 1 to {MAX_LICENCE_WEEKS}"
                ),
            )
        })
        .unwrap_or(None);
    if licence_weeks.is_some() && sentence_type == Some(SentenceType::CommunityOrder) {
        report(
            "licence_weeks",
            "Licence length is for licence cases: leave it blank for a community order".into(),
        );
    }

    // Which of its framework's case types it is (checked against the
    // framework by `intake::check_case_types`); blank for the main kind.
    let case_type = match blank(&raw.case_type) {
        None => None,
        Some(v) => {
            let code = v.to_ascii_lowercase().replace([' ', '-'], "_");
            if code.starts_with(|c: char| c.is_ascii_lowercase())
                && code.len() <= 50
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                Some(code)
            } else {
                report(
                    "case_type",
                    format!("Case type '{v}' must be a case type's code, such as court_report"),
                );
                None
            }
        }
    };

    match (problems.is_empty(), sentence_type) {
        (true, Some(sentence_type)) => Ok(CaseFacts {
            reference,
            sentence_type,
            start_date,
            office,
            practitioner_grade,
            practitioner_count,
            sex,
            age_at_start,
            ethnicity_group,
            rosh_level,
            mappa_eligible,
            licence_weeks,
            case_type,
        }),
        _ => Err(problems),
    }
}

/// ISO dates (2024-03-27) and the UK's day-first form (27/03/2024).
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let value = value.trim();
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .ok()
}

fn number(value: Option<&str>, min: i16, max: i16) -> Result<Option<i16>, ()> {
    match value {
        None => Ok(None),
        Some(v) => match v.parse::<i16>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(()),
        },
    }
}

impl RawCase {
    /// The form's starting values for a case that exists.
    pub fn from_facts(facts: &CaseFacts) -> RawCase {
        let mut raw = RawCase::default();
        for (field, value) in facts.as_text() {
            raw.set(field, value);
        }
        raw
    }
}
