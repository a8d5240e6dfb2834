//! Every figure behind a rating, explained: a key question's margin, range
//! and interval, and a standard's margin, range and the sentence a lead can
//! paste into a report (docs/rating-rules.md, "How close, how sure").

use std::fmt::Write as _;

use crate::margin::{Margin, standard_margin};
use crate::outlook::{
    Interval, Range, SMALL_SAMPLE, percent_range, standard_range, wilson_interval,
};
use crate::{Bands, Counts, Rating, rate_domain_two_standard};

/// What a key question's figures say beyond its percentage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyQuestionOutlook {
    pub margin: Margin,
    /// Cases of the inspection with no answer (Yes, No or N/A) on it yet.
    pub unjudged: u32,
    /// The percentage if every unjudged case were No / Yes.
    pub range: Option<Range<u8>>,
    pub interval: Option<Interval>,
    /// Fewer than [`SMALL_SAMPLE`] cases judged.
    pub small_sample: bool,
}

pub fn key_question_outlook(bands: &Bands, counts: Counts, unjudged: u32) -> KeyQuestionOutlook {
    KeyQuestionOutlook {
        margin: counts.margin(&bands.key_question),
        unjudged,
        range: percent_range(counts, unjudged),
        interval: wilson_interval(counts),
        small_sample: counts.judged() < SMALL_SAMPLE,
    }
}

/// A key question as a standard's explanation names it.
#[derive(Clone, Copy, Debug)]
pub struct KeyQuestionInput<'a> {
    /// "2.1.3"
    pub code: &'a str,
    /// "Keeping other people safe"
    pub name: &'a str,
    pub counts: Counts,
    pub unjudged: u32,
}

/// A domain two standard's rating with everything that explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandardOutlook {
    pub rating: Option<Rating>,
    /// Index of the key question with the lowest percentage.
    pub driving: Option<usize>,
    pub margin: Margin,
    /// One case's judgement would change the rating.
    pub fragile: bool,
    /// The rating if every unjudged answer of its key questions were No /
    /// Yes.
    pub range: Option<Range<Rating>>,
    /// Rated, and nothing the remaining cases show can change it.
    pub settled: bool,
    /// One plain sentence a lead could paste into a report.
    pub explanation: String,
}

/// Rates a domain two standard named `name` (for example "Assessment") and
/// explains the rating.
pub fn explain_standard(
    bands: &Bands,
    name: &str,
    key_questions: &[KeyQuestionInput<'_>],
) -> StandardOutlook {
    let counts: Vec<Counts> = key_questions.iter().map(|kq| kq.counts).collect();
    let rated = rate_domain_two_standard(bands, &counts);
    let margin = standard_margin(&bands.key_question, rated.rating, &counts);
    let ranges: Vec<(Counts, u32)> = key_questions
        .iter()
        .map(|kq| (kq.counts, kq.unjudged))
        .collect();
    let range = standard_range(bands, &ranges);
    let explanation = match (rated.rating, rated.driving) {
        (Some(rating), Some(driving)) => {
            sentence(bands, name, key_questions, rating, driving, &margin)
        }
        _ => "Not yet rated: no case has been judged Yes or No on its key questions.".to_owned(),
    };
    StandardOutlook {
        rating: rated.rating,
        driving: rated.driving,
        margin: margin.margin,
        fragile: margin.margin.is_fragile(),
        settled: rated.rating.is_some() && range.is_some_and(|r| r.is_settled()),
        range,
        explanation,
    }
}

/// "Inadequate: 2.1.3 Keeping other people safe is 17% (9 of 54), below
/// 50%; 18 more cases judged Yes on it would make Assessment Requires
/// improvement."
fn sentence(
    bands: &Bands,
    name: &str,
    key_questions: &[KeyQuestionInput<'_>],
    rating: Rating,
    driving: usize,
    margin: &crate::margin::StandardMargin,
) -> String {
    let thresholds = &bands.key_question;
    let lowest = &key_questions[driving];
    let named = format!("{} {}", lowest.code, lowest.name);
    let value = format!(
        "{}% ({} of {})",
        lowest.counts.percent().unwrap_or_default(),
        lowest.counts.yes,
        lowest.counts.judged()
    );
    let mut out = format!("{}: ", rating.label());
    match rating.above() {
        None => {
            let _ = write!(
                out,
                "every key question is at least {}%; the lowest, {named}, is {value}",
                thresholds.floor(rating)
            );
        }
        Some(above) if rating == Rating::Inadequate => {
            let _ = write!(
                out,
                "{named} is {value}, below {}%",
                thresholds.floor(above)
            );
        }
        Some(above) => {
            let _ = write!(
                out,
                "{named} is {value}, within {}–{}%",
                thresholds.floor(rating),
                thresholds.floor(above).saturating_sub(1)
            );
        }
    }
    match (rating.above(), rating.below()) {
        (Some(above), _) => match (margin.margin.up, margin.up_by.as_slice()) {
            (Some(_), [(index, changes)]) => {
                let on = if *index == driving {
                    "it".to_owned()
                } else {
                    key_questions[*index].code.to_owned()
                };
                let _ = write!(
                    out,
                    "; {} judged Yes on {on} would make {name} {}.",
                    more_cases(*changes),
                    above.label()
                );
            }
            (Some(total), parts) => {
                let each: Vec<String> = parts
                    .iter()
                    .map(|(index, changes)| format!("{changes} on {}", key_questions[*index].code))
                    .collect();
                let _ = write!(
                    out,
                    "; {} judged Yes ({}) would make {name} {}.",
                    more_cases(total),
                    each.join(", "),
                    above.label()
                );
            }
            (None, _) => {
                let _ = write!(
                    out,
                    "; even every No on its key questions judged Yes would not make {name} {}.",
                    above.label()
                );
            }
        },
        (None, Some(below)) => match (margin.margin.down, margin.down_via) {
            (Some(changes), Some(index)) => {
                let _ = write!(
                    out,
                    "; {} judged No instead of Yes on {} would make {name} {}.",
                    cases(changes),
                    key_questions[index].code,
                    below.label()
                );
            }
            _ => out.push('.'),
        },
        (None, None) => out.push('.'),
    }
    out
}

fn cases(n: u32) -> String {
    if n == 1 {
        "1 case".to_owned()
    } else {
        format!("{n} cases")
    }
}

fn more_cases(n: u32) -> String {
    if n == 1 {
        "1 more case".to_owned()
    } else {
        format!("{n} more cases")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bands = Bands::PDU_2023;

    fn kq<'a>(code: &'a str, name: &'a str, yes: u32, no: u32) -> KeyQuestionInput<'a> {
        KeyQuestionInput {
            code,
            name,
            counts: Counts::new(yes, no, 0),
            unjudged: 0,
        }
    }

    #[test]
    fn hertfordshire_assessment_reads_as_the_issue_says() {
        let kqs = [
            kq("2.1.1", "Engagement", 32, 22),
            kq("2.1.2", "Desistance", 35, 19),
            kq("2.1.3", "Keeping other people safe", 9, 45),
        ];
        let outlook = explain_standard(&B, "Assessment", &kqs);
        assert_eq!(
            outlook.explanation,
            "Inadequate: 2.1.3 Keeping other people safe is 17% (9 of 54), below 50%; \
             18 more cases judged Yes on it would make Assessment Requires improvement."
        );
        assert_eq!(outlook.rating, Some(Rating::Inadequate));
        assert!(outlook.settled && !outlook.fragile);
    }

    #[test]
    fn several_key_questions_to_lift_are_each_named() {
        let kqs = [
            kq("2.4.1", "Engagement", 41, 16),
            kq("2.4.2", "Desistance", 39, 18),
        ];
        let outlook = explain_standard(&B, "Reviewing", &kqs);
        assert_eq!(
            outlook.explanation,
            "Good: 2.4.2 Desistance is 68% (39 of 57), within 65–79%; \
             12 more cases judged Yes (5 on 2.4.1, 7 on 2.4.2) would make Reviewing Outstanding."
        );
    }

    #[test]
    fn outstanding_says_how_it_could_fall() {
        let kqs = [kq("2.3.1", "Engagement", 43, 11)];
        let outlook = explain_standard(&B, "Implementation and delivery", &kqs);
        assert_eq!(
            outlook.explanation,
            "Outstanding: every key question is at least 80%; the lowest, 2.3.1 Engagement, \
             is 80% (43 of 54); 1 case judged No instead of Yes on 2.3.1 would make \
             Implementation and delivery Good."
        );
        assert!(outlook.fragile);
    }

    #[test]
    fn unrated_and_unsettled_standards_say_so() {
        let mut open = kq("2.2.1", "Engagement", 0, 0);
        open.unjudged = 54;
        let outlook = explain_standard(&B, "Planning", &[open]);
        assert_eq!(outlook.rating, None);
        assert!(!outlook.settled);
        assert_eq!(
            outlook.range,
            Some(Range {
                worst: Rating::Inadequate,
                best: Rating::Outstanding
            })
        );
        assert!(outlook.explanation.starts_with("Not yet rated"));
    }

    #[test]
    fn a_key_question_outlook_gathers_its_figures() {
        let outlook = key_question_outlook(&B, Counts::new(32, 22, 0), 0);
        assert_eq!(
            outlook.margin,
            Margin {
                up: Some(3),
                down: Some(6)
            }
        );
        assert_eq!(
            outlook.range,
            Some(Range {
                worst: 59,
                best: 59
            })
        );
        assert_eq!(outlook.interval, Some(Interval { low: 45, high: 72 }));
        assert!(!outlook.small_sample);
        assert!(key_question_outlook(&B, Counts::new(10, 9, 3), 0).small_sample);
    }
}
