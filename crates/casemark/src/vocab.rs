//! The closed vocabularies of casemark: answers, case facts and statuses.
//!
//! Each is an enum with a stable `code` (stored in PostgreSQL, where a check
//! constraint lists the same codes, and used in the JSON API and forms) and a
//! `label` for people. Parsing accepts either, case-insensitively, so CSV
//! files and API clients may use the wording of a case management extract.

use std::fmt;
use std::str::FromStr;

/// A value that is not in a vocabulary; the message lists what is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotInVocabulary {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}

impl fmt::Display for NotInVocabulary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a {}: use {}",
            self.value,
            self.what,
            self.expected.join(", ")
        )
    }
}

impl std::error::Error for NotInVocabulary {}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($variant:ident = $code:literal, $label:literal $(| $alias:literal)*;)+
        }
    ) => {
        $(#[$meta])*
        // Stored as text; a check constraint in the schema lists the same codes.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, sqlx::Type)]
        #[sqlx(type_name = "text")]
        pub enum $name {
            $(#[serde(rename = $code)] #[sqlx(rename = $code)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const CODES: &'static [&'static str] = &[$($code),+];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }

        // Its OpenAPI schema: a string, one of the codes. Written out
        // rather than derived, as the derive cannot read the serde names
        // this macro gives each variant.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::CODES.iter().copied()))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl FromStr for $name {
            type Err = NotInVocabulary;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = s.trim();
                $(
                    if wanted.eq_ignore_ascii_case($code)
                        || wanted.eq_ignore_ascii_case($label)
                        $(|| wanted.eq_ignore_ascii_case($alias))*
                    {
                        return Ok($name::$variant);
                    }
                )+
                Err(NotInVocabulary { what: $what, value: s.to_owned(), expected: Self::CODES })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

vocabulary! {
    /// A key-question judgement or prompt answer.
    Answer, "answer" {
        Yes = "yes", "Yes" | "y";
        No = "no", "No" | "n";
        NotApplicable = "na", "N/A" | "n/a" | "not applicable";
    }
}

vocabulary! {
    /// An outcome answer: outcomes are always Yes or No.
    OutcomeAnswer, "outcome answer" {
        Yes = "yes", "Yes" | "y";
        No = "no", "No" | "n";
    }
}

vocabulary! {
    /// What a row of the long-format data annexe records.
    AnnexeItem, "kind of row" {
        KeyQuestion = "key_question", "Key question" | "kq";
        Prompt = "prompt", "Prompt";
        Outcome = "outcome", "Outcome";
        DomainOneRating = "domain_one_rating", "Domain one rating" | "domain one";
    }
}

vocabulary! {
    SentenceType, "sentence type" {
        CommunityOrder = "community_order", "Community order" | "community" | "co" | "community sentence";
        Licence = "licence", "Licence" | "license" | "post-custody licence" | "release on licence";
    }
}

vocabulary! {
    PractitionerGrade, "practitioner grade" {
        ProbationOfficer = "probation_officer", "Probation officer" | "po";
        ProbationServicesOfficer = "probation_services_officer", "Probation services officer" | "pso";
        TraineeProbationOfficer = "trainee_probation_officer", "Trainee probation officer" | "pqip" | "trainee";
    }
}

vocabulary! {
    Sex, "sex" {
        Female = "female", "Female" | "f" | "woman";
        Male = "male", "Male" | "m" | "man";
    }
}

vocabulary! {
    /// The five broad ethnic groups of the census, as case extracts give them.
    EthnicityGroup, "ethnicity group" {
        Asian = "asian", "Asian or Asian British" | "asian british";
        Black = "black", "Black, Black British, Caribbean or African" | "black british";
        Mixed = "mixed", "Mixed or multiple ethnic groups" | "mixed or multiple";
        White = "white", "White";
        Other = "other", "Other ethnic group";
        NotStated = "not_stated", "Not stated" | "unknown" | "prefer not to say";
    }
}

vocabulary! {
    /// Risk of serious harm level.
    RoshLevel, "risk of serious harm level" {
        Low = "low", "Low";
        Medium = "medium", "Medium";
        High = "high", "High";
        VeryHigh = "very_high", "Very high";
    }
}

vocabulary! {
    MarkingStatus, "marking status" {
        NotStarted = "not_started", "Not started";
        InProgress = "in_progress", "In progress";
        Complete = "complete", "Complete" | "completed";
    }
}

vocabulary! {
    InspectionStatus, "inspection status" {
        Setup = "setup", "Setup" | "set up";
        Fieldwork = "fieldwork", "Fieldwork";
        Moderation = "moderation", "Moderation";
        Published = "published", "Published";
    }
}

vocabulary! {
    /// A user's default role: what they may do outside any inspection.
    UserRole, "role" {
        Administrator = "administrator", "Administrator" | "admin";
        Lead = "lead", "Lead inspector" | "lead inspector";
        Inspector = "inspector", "Inspector";
        Viewer = "viewer", "Viewer";
    }
}

vocabulary! {
    /// The role a membership of one inspection carries.
    MemberRole, "inspection role" {
        Lead = "lead", "Lead inspector" | "lead inspector";
        Inspector = "inspector", "Inspector";
        Viewer = "viewer", "Viewer";
        LocalAssessor = "local_assessor", "Local assessor" | "local assessor";
        QualityLead = "quality_lead", "Quality lead" | "quality lead";
    }
}

vocabulary! {
    /// Which side of a domain one key question a bullet of evidence is on.
    EvidenceKind, "kind of evidence" {
        Strength = "strength", "Strength" | "strengths";
        Improvement = "improvement", "Area for improvement" | "areas for improvement" | "area_for_improvement";
    }
}

vocabulary! {
    /// Where a bullet of domain one evidence came from.
    EvidenceSource, "evidence source" {
        Meeting = "meeting", "Meeting";
        FocusGroup = "focus_group", "Focus group";
        Document = "document", "Document";
        Data = "data", "Data";
        StaffSurvey = "staff_survey", "Staff survey" | "survey";
        CaseSample = "case_sample", "Case sample" | "cases";
    }
}

impl MarkingStatus {
    pub fn is_complete(self) -> bool {
        self == MarkingStatus::Complete
    }

    /// The GOV.UK tag colour class; the text of the tag carries the meaning.
    pub fn tag_class(self) -> &'static str {
        match self {
            MarkingStatus::NotStarted => "govuk-tag--grey",
            MarkingStatus::InProgress => "govuk-tag--light-blue",
            MarkingStatus::Complete => "govuk-tag--green",
        }
    }
}

/// Parses an optional vocabulary value: blank means "not recorded".
pub fn parse_optional<T: FromStr<Err = NotInVocabulary>>(
    value: Option<&str>,
) -> Result<Option<T>, NotInVocabulary> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some),
    }
}

/// Parses a value read back from the database, where a check constraint
/// guarantees the code is known; an unknown one means the schema and the
/// code disagree, which is a bug worth a loud error rather than a guess.
pub fn from_db<T: FromStr<Err = NotInVocabulary>>(value: &str) -> Result<T, sqlx::Error> {
    value
        .parse()
        .map_err(|e: NotInVocabulary| sqlx::Error::Decode(Box::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_labels_and_aliases_parse() {
        assert_eq!("N/A".parse::<Answer>(), Ok(Answer::NotApplicable));
        assert_eq!("na".parse::<Answer>(), Ok(Answer::NotApplicable));
        assert_eq!(
            "Community Order".parse::<SentenceType>(),
            Ok(SentenceType::CommunityOrder)
        );
        assert_eq!(
            "PSO".parse::<PractitionerGrade>(),
            Ok(PractitionerGrade::ProbationServicesOfficer)
        );
        for s in SentenceType::ALL {
            assert_eq!(s.code().parse::<SentenceType>(), Ok(*s));
        }
        let err = "parole".parse::<SentenceType>().expect_err("unknown");
        assert_eq!(
            err.to_string(),
            "'parole' is not a sentence type: use community_order, licence"
        );
    }

    #[test]
    fn blank_optional_is_none() {
        assert_eq!(parse_optional::<Sex>(Some("  ")), Ok(None));
        assert_eq!(parse_optional::<Sex>(Some("F")), Ok(Some(Sex::Female)));
    }
}
