//! Reading a framework file: TOML into a [`Definition`], with every
//! problem found named by its line and field, so that one run of
//! `casemark framework validate` lists all there is to fix.
//!
//! Over 400 lines: about half is the tests of every kind of malformed file,
//! kept beside the checks they exercise.

use std::collections::HashSet;
use std::ops::Range;

use casemark_rules::{Selector, Thresholds};
use serde::Deserialize;
use toml::Spanned;

use super::{
    Area, CaseType, Definition, Domain, KeyQuestion, Level, Outcome, Prompt, QuestionSet,
    RatedFrom, Standard, Status,
};

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    /// Where in the file, as a TOML path: `standards[2].key_questions[0].area`.
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.field, self.message)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRaw {
    code: Spanned<String>,
    name: String,
    version: Spanned<u32>,
    status: Spanned<String>,
    level: Option<Spanned<String>>,
    source: Option<String>,
    bands: Spanned<BandsRaw>,
    areas: Vec<AreaRaw>,
    domains: Vec<DomainRaw>,
    standards: Vec<StandardRaw>,
    #[serde(default)]
    outcomes: Vec<OutcomeRaw>,
    #[serde(default)]
    question_sets: Vec<QuestionSetRaw>,
    #[serde(default)]
    case_types: Vec<CaseTypeRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseTypeRaw {
    code: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BandsRaw {
    key_question: Spanned<ThresholdsRaw>,
    overall: Spanned<ThresholdsRaw>,
    max_score: Spanned<u32>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct ThresholdsRaw {
    requires_improvement: u8,
    good: u8,
    outstanding: u8,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AreaRaw {
    code: Spanned<String>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainRaw {
    number: Spanned<u32>,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StandardRaw {
    code: Spanned<String>,
    domain: Spanned<u32>,
    name: String,
    statement: String,
    rated_from: Spanned<String>,
    #[serde(default = "yes")]
    scored: bool,
    #[serde(default = "yes")]
    rated: bool,
    #[serde(default)]
    key_questions: Vec<KeyQuestionRaw>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyQuestionRaw {
    code: Spanned<String>,
    area: Option<Spanned<String>>,
    text: String,
    #[serde(default)]
    provisional: bool,
    #[serde(default)]
    prompts: Vec<PromptRaw>,
    #[serde(default)]
    case_evidence: Vec<Spanned<String>>,
    pooled_from: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PromptRaw {
    code: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeRaw {
    code: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionSetRaw {
    code: Spanned<String>,
    name: String,
    when: Option<Spanned<String>>,
    key_questions: Option<Vec<Spanned<String>>>,
}

/// Problems found so far, each placed by its byte span in the text.
struct Problems<'t> {
    text: &'t str,
    found: Vec<FileProblem>,
}

impl Problems<'_> {
    fn line_of(&self, span: &Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text[..end].matches('\n').count() + 1
    }

    fn add(&mut self, span: &Range<usize>, field: impl Into<String>, message: impl Into<String>) {
        let line = self.line_of(span);
        self.found.push(FileProblem {
            line,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records a code seen at `field`; a repeat is a problem.
    fn unique(
        &mut self,
        seen: &mut HashSet<String>,
        code: &Spanned<String>,
        field: String,
        what: &str,
    ) {
        if !seen.insert(code.get_ref().clone()) {
            self.add(
                &code.span(),
                field,
                format!("{what} {} appears more than once", code.get_ref()),
            );
        }
    }
}

/// Reads a framework file; every problem, or the definition.
pub fn parse(text: &str) -> Result<Definition, Vec<FileProblem>> {
    let mut problems = Problems {
        text,
        found: Vec::new(),
    };
    let raw: FileRaw = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            problems.add(&span, "file", e.message().trim().to_owned());
            return Err(problems.found);
        }
    };
    let definition = check(&raw, &mut problems);
    if problems.found.is_empty() {
        Ok(definition)
    } else {
        problems.found.sort_by_key(|p| p.line);
        Err(problems.found)
    }
}

fn thresholds(raw: ThresholdsRaw) -> Thresholds {
    Thresholds {
        requires_improvement: raw.requires_improvement,
        good: raw.good,
        outstanding: raw.outstanding,
    }
}

/// Checks the file's meaning, and builds the definition as far as it can.
fn check(raw: &FileRaw, problems: &mut Problems<'_>) -> Definition {
    if !raw
        .code
        .get_ref()
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || raw.code.get_ref().is_empty()
    {
        problems.add(
            &raw.code.span(),
            "code",
            "A framework code is lower-case letters, digits and hyphens, such as pdu-2023",
        );
    }
    if *raw.version.get_ref() == 0 {
        problems.add(&raw.version.span(), "version", "The version starts at 1");
    }
    let status = Status::parse(raw.status.get_ref()).unwrap_or_else(|| {
        problems.add(
            &raw.status.span(),
            "status",
            format!(
                "'{}' is not a status: use draft, in_use or retired",
                raw.status.get_ref()
            ),
        );
        Status::Draft
    });
    let level = match &raw.level {
        None => Level::Pdu,
        Some(level) => Level::parse(level.get_ref()).unwrap_or_else(|| {
            problems.add(
                &level.span(),
                "level",
                format!("'{}' is not a level: use pdu or region", level.get_ref()),
            );
            Level::Pdu
        }),
    };
    let mut case_type_codes = HashSet::new();
    for (i, case_type) in raw.case_types.iter().enumerate() {
        let code = case_type.code.get_ref();
        if !is_snake_code(code) {
            problems.add(
                &case_type.code.span(),
                format!("case_types[{i}].code"),
                "A case type's code is lower-case letters, digits and underscores, starting with a letter",
            );
        }
        problems.unique(
            &mut case_type_codes,
            &case_type.code,
            format!("case_types[{i}].code"),
            "Case type",
        );
    }

    let mut area_codes = HashSet::new();
    for (i, area) in raw.areas.iter().enumerate() {
        problems.unique(
            &mut area_codes,
            &area.code,
            format!("areas[{i}].code"),
            "Area",
        );
    }
    let mut domain_numbers = HashSet::new();
    for (i, domain) in raw.domains.iter().enumerate() {
        if !domain_numbers.insert(*domain.number.get_ref()) {
            problems.add(
                &domain.number.span(),
                format!("domains[{i}].number"),
                format!("Domain {} appears more than once", domain.number.get_ref()),
            );
        }
    }

    // Prompt codes first: an evidence key question may cite any of them.
    let prompt_codes: HashSet<&str> = raw
        .standards
        .iter()
        .flat_map(|s| &s.key_questions)
        .flat_map(|k| &k.prompts)
        .map(|p| p.code.get_ref().as_str())
        .collect();
    let mut standard_codes = HashSet::new();
    let mut question_codes = HashSet::new();
    let mut prompts_seen = HashSet::new();
    let mut case_key_questions = HashSet::new();
    let mut standards = Vec::new();
    for (s, standard) in raw.standards.iter().enumerate() {
        let at = format!("standards[{s}]");
        problems.unique(
            &mut standard_codes,
            &standard.code,
            format!("{at}.code"),
            "Standard",
        );
        if !domain_numbers.contains(standard.domain.get_ref()) {
            problems.add(
                &standard.domain.span(),
                format!("{at}.domain"),
                format!(
                    "Standard {} is in domain {}, which [[domains]] does not list",
                    standard.code.get_ref(),
                    standard.domain.get_ref()
                ),
            );
        }
        let rated_from = RatedFrom::parse(standard.rated_from.get_ref()).unwrap_or_else(|| {
            problems.add(
                &standard.rated_from.span(),
                format!("{at}.rated_from"),
                format!(
                    "'{}' is not how a standard is rated: use cases or evidence",
                    standard.rated_from.get_ref()
                ),
            );
            RatedFrom::Cases
        });
        if !standard.rated {
            let problem = if level == Level::Region {
                Some(
                    "A region framework rates every standard: rated = false is for a PDU standard that a region pools",
                )
            } else if rated_from != RatedFrom::Cases {
                Some("Only a standard marked on cases can be rated elsewhere")
            } else if standard.scored {
                Some(
                    "A standard rated elsewhere adds nothing to this framework's score: set scored = false",
                )
            } else {
                None
            };
            if let Some(message) = problem {
                problems.add(&standard.code.span(), format!("{at}.rated"), message);
            }
        }
        let mut key_questions = Vec::new();
        for (k, kq) in standard.key_questions.iter().enumerate() {
            let at = format!("{at}.key_questions[{k}]");
            problems.unique(
                &mut question_codes,
                &kq.code,
                format!("{at}.code"),
                "Key question",
            );
            match (rated_from, &kq.area) {
                (RatedFrom::Cases, None) => problems.add(
                    &kq.code.span(),
                    format!("{at}.area"),
                    format!(
                        "Key question {} is marked on cases: give its area",
                        kq.code.get_ref()
                    ),
                ),
                (RatedFrom::Cases, Some(area)) if !area_codes.contains(area.get_ref()) => {
                    problems.add(
                        &area.span(),
                        format!("{at}.area"),
                        format!(
                            "'{}' is not one of the framework's areas ({})",
                            area.get_ref(),
                            listed(raw.areas.iter().map(|a| a.code.get_ref().as_str()))
                        ),
                    );
                }
                (RatedFrom::Evidence, Some(area)) => problems.add(
                    &area.span(),
                    format!("{at}.area"),
                    "A key question judged from evidence has no area",
                ),
                _ => {}
            }
            if let Some(pooled) = &kq.pooled_from {
                let problem = if level != Level::Region {
                    Some("Only a region framework pools key questions from PDU inspections")
                } else if rated_from != RatedFrom::Cases {
                    Some(
                        "A pooled key question is counted from cases: its standard is rated from cases",
                    )
                } else if !kq.prompts.is_empty() {
                    Some("A pooled key question is not marked here, so it has no prompts")
                } else {
                    None
                };
                if let Some(message) = problem {
                    problems.add(&pooled.span(), format!("{at}.pooled_from"), message);
                }
            }
            if rated_from == RatedFrom::Cases && kq.pooled_from.is_none() {
                case_key_questions.insert(kq.code.get_ref().clone());
            }
            if rated_from == RatedFrom::Evidence
                && let Some(prompt) = kq.prompts.first()
            {
                problems.add(
                    &prompt.code.span(),
                    format!("{at}.prompts"),
                    "Prompts belong to key questions marked on cases",
                );
            }
            for (p, prompt) in kq.prompts.iter().enumerate() {
                problems.unique(
                    &mut prompts_seen,
                    &prompt.code,
                    format!("{at}.prompts[{p}].code"),
                    "Prompt",
                );
            }
            for (e, cited) in kq.case_evidence.iter().enumerate() {
                if rated_from == RatedFrom::Cases {
                    problems.add(
                        &cited.span(),
                        format!("{at}.case_evidence[{e}]"),
                        "Case evidence belongs to key questions judged from evidence",
                    );
                } else if !prompt_codes.contains(cited.get_ref().as_str()) {
                    problems.add(
                        &cited.span(),
                        format!("{at}.case_evidence[{e}]"),
                        format!("There is no prompt {}", cited.get_ref()),
                    );
                }
            }
            key_questions.push(KeyQuestion {
                code: kq.code.get_ref().clone(),
                area: kq.area.as_ref().map(|a| a.get_ref().clone()),
                text: kq.text.clone(),
                provisional: kq.provisional,
                prompts: kq
                    .prompts
                    .iter()
                    .map(|p| Prompt {
                        code: p.code.get_ref().clone(),
                        text: p.text.clone(),
                    })
                    .collect(),
                case_evidence: kq
                    .case_evidence
                    .iter()
                    .map(|c| c.get_ref().clone())
                    .collect(),
                pooled_from: kq.pooled_from.as_ref().map(|p| p.get_ref().clone()),
            });
        }
        standards.push(Standard {
            code: standard.code.get_ref().clone(),
            domain: *standard.domain.get_ref(),
            name: standard.name.clone(),
            statement: standard.statement.clone(),
            rated_from,
            scored: standard.scored,
            rated: standard.rated,
            key_questions,
        });
    }

    let bands = raw.bands.get_ref();
    let key_question_bands = thresholds(*bands.key_question.get_ref());
    let overall_bands = thresholds(*bands.overall.get_ref());
    let max_score = *bands.max_score.get_ref();
    if !(key_question_bands.requires_improvement > 0
        && key_question_bands.is_ascending()
        && key_question_bands.outstanding <= 100)
    {
        problems.add(
            &bands.key_question.span(),
            "bands.key_question",
            "The key-question bands must rise: 0 < requires_improvement < good < outstanding ≤ 100",
        );
    }
    if !(overall_bands.requires_improvement > 0
        && overall_bands.is_ascending()
        && u32::from(overall_bands.outstanding) <= max_score)
    {
        problems.add(
            &bands.overall.span(),
            "bands.overall",
            format!(
                "The overall bands must rise: 0 < requires_improvement < good < outstanding ≤ max_score ({max_score})"
            ),
        );
    }
    let scored = standards.iter().filter(|s| s.scored).count() as u32;
    if max_score != 3 * scored {
        problems.add(
            &bands.max_score.span(),
            "bands.max_score",
            format!(
                "max_score is {max_score}, but {scored} scored standards give {} (3 each)",
                3 * scored
            ),
        );
    }

    let mut outcome_codes = HashSet::new();
    for (i, outcome) in raw.outcomes.iter().enumerate() {
        problems.unique(
            &mut outcome_codes,
            &outcome.code,
            format!("outcomes[{i}].code"),
            "Outcome",
        );
    }

    let mut set_codes = HashSet::new();
    let mut defaults = 0;
    for (i, set) in raw.question_sets.iter().enumerate() {
        let at = format!("question_sets[{i}]");
        problems.unique(
            &mut set_codes,
            &set.code,
            format!("{at}.code"),
            "Question set",
        );
        match &set.when {
            None => defaults += 1,
            Some(when) => match Selector::parse(when.get_ref(), &super::case_facts()) {
                Err(message) => problems.add(&when.span(), format!("{at}.when"), message),
                Ok(selector) => {
                    for clause in selector.any_of.iter().flatten() {
                        let main = raw.case_types.first().map(|c| c.code.get_ref());
                        if clause.fact == "case_type" && main == Some(&clause.value) {
                            problems.add(
                                &when.span(),
                                format!("{at}.when"),
                                format!(
                                    "'{}' is the main case type, which a case records as none: give it the set without `when`",
                                    clause.value
                                ),
                            );
                        } else if clause.fact == "case_type"
                            && !case_type_codes.contains(&clause.value)
                        {
                            problems.add(
                                &when.span(),
                                format!("{at}.when"),
                                format!(
                                    "'{}' is not one of the framework's case types ({})",
                                    clause.value,
                                    listed(
                                        raw.case_types.iter().map(|c| c.code.get_ref().as_str())
                                    )
                                ),
                            );
                        }
                    }
                }
            },
        }
        for (k, code) in set.key_questions.iter().flatten().enumerate() {
            if !case_key_questions.contains(code.get_ref()) {
                problems.add(
                    &code.span(),
                    format!("{at}.key_questions[{k}]"),
                    format!(
                        "There is no key question {} marked on cases",
                        code.get_ref()
                    ),
                );
            }
        }
    }
    if !raw.question_sets.is_empty() && defaults != 1 {
        problems.add(
            &raw.question_sets[0].code.span(),
            "question_sets",
            "Exactly one question set has no `when`: the one a case gets when no other applies",
        );
    }

    Definition {
        code: raw.code.get_ref().clone(),
        name: raw.name.clone(),
        version: *raw.version.get_ref(),
        status,
        level,
        source: raw.source.clone(),
        key_question_bands,
        overall_bands,
        max_score,
        areas: raw
            .areas
            .iter()
            .map(|a| Area {
                code: a.code.get_ref().clone(),
                name: a.name.clone(),
            })
            .collect(),
        domains: raw
            .domains
            .iter()
            .map(|d| Domain {
                number: *d.number.get_ref(),
                name: d.name.clone(),
            })
            .collect(),
        standards,
        outcomes: raw
            .outcomes
            .iter()
            .map(|o| Outcome {
                code: o.code.get_ref().clone(),
                text: o.text.clone(),
            })
            .collect(),
        question_sets: raw
            .question_sets
            .iter()
            .map(|q| QuestionSet {
                code: q.code.get_ref().clone(),
                name: q.name.clone(),
                when: q.when.as_ref().map(|w| w.get_ref().clone()),
                key_questions: q
                    .key_questions
                    .as_ref()
                    .map(|k| k.iter().map(|c| c.get_ref().clone()).collect()),
            })
            .collect(),
        case_types: raw
            .case_types
            .iter()
            .map(|c| CaseType {
                code: c.code.get_ref().clone(),
                name: c.name.clone(),
            })
            .collect(),
    }
}

/// `unpaid_work`: lower-case letters, digits and underscores, from a letter.
fn is_snake_code(code: &str) -> bool {
    code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn listed<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework_file::write;

    const PDU_2023: &str = include_str!("../../../../frameworks/pdu-2023.toml");

    #[test]
    fn the_shipped_youth_file_reads_and_writes_back_the_same_bytes() {
        let text = include_str!("../../../../frameworks/youth-2018.toml");
        let definition = parse(text).expect("the shipped file is valid");
        assert_eq!(definition.standards.len(), 13);
        assert_eq!(definition.domains.len(), 3);
        assert_eq!(definition.max_score, 36);
        let unscored: Vec<&str> = definition
            .standards
            .iter()
            .filter(|s| !s.scored)
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!(unscored, ["3.5"]);
        assert_eq!(write(&definition), text);
    }

    #[test]
    fn the_shipped_pdu_file_reads_and_writes_back_the_same_bytes() {
        let definition = parse(PDU_2023).expect("the shipped file is valid");
        assert_eq!(definition.standards.len(), 7);
        assert_eq!(definition.max_score, 21);
        assert_eq!(write(&definition), PDU_2023);
    }

    /// The shipped file with `from` replaced by `to` (which must be there).
    fn changed(from: &str, to: &str) -> String {
        assert!(PDU_2023.contains(from), "{from}");
        PDU_2023.replacen(from, to, 1)
    }

    fn line_of(text: &str, needle: &str) -> usize {
        text[..text.find(needle).expect("needle")]
            .matches('\n')
            .count()
            + 1
    }

    /// The one problem a file has: (line, field, part of the message).
    fn only_problem(text: &str) -> FileProblem {
        let problems = parse(text).expect_err("refused");
        assert_eq!(problems.len(), 1, "{problems:?}");
        problems[0].clone()
    }

    #[test]
    fn a_repeated_code_is_named_where_it_repeats() {
        let text = changed("code = \"2.2\"", "code = \"2.1\"");
        let p = only_problem(&text);
        assert_eq!(p.field, "standards[4].code");
        assert_eq!(
            p.line,
            line_of(&text, "code = \"2.1\"\ndomain = 2\nname = \"Planning\"")
        );
        assert!(p.message.contains("Standard 2.1 appears more than once"));
    }

    #[test]
    fn a_key_question_in_an_unknown_area_is_refused() {
        let text = changed("area = \"safety\"", "area = \"wellbeing\"");
        let p = only_problem(&text);
        assert_eq!(p.field, "standards[3].key_questions[2].area");
        assert_eq!(p.line, line_of(&text, "area = \"wellbeing\""));
        assert!(
            p.message.contains("engagement, desistance, safety"),
            "{}",
            p.message
        );
    }

    #[test]
    fn bands_that_do_not_rise_are_refused() {
        let text = changed("good = 65", "good = 45");
        let p = only_problem(&text);
        assert_eq!(
            (p.field.as_str(), p.line),
            ("bands.key_question", line_of(&text, "key_question = {"))
        );
        let text = changed("max_score = 21", "max_score = 24");
        let problems = parse(&text).expect_err("refused");
        assert!(
            problems.iter().any(|p| p.field == "bands.max_score"
                && p.message.contains("7 scored standards give 21"))
        );
    }

    #[test]
    fn a_selector_must_name_a_case_fact() {
        let text = format!(
            "{PDU_2023}\n[[question_sets]]\ncode = \"core\"\nname = \"Core\"\n\n[[question_sets]]\ncode = \"adjusted\"\nname = \"Adjusted\"\nwhen = \"sentence_type = licence and licence_days <= 56\"\nkey_questions = [\"2.1.1\"]\n"
        );
        let p = only_problem(&text);
        assert_eq!(p.field, "question_sets[1].when");
        assert_eq!(p.line, line_of(&text, "when = "));
        assert!(
            p.message.contains("'licence_days' is not a case fact"),
            "{}",
            p.message
        );
        let good = text.replace("licence_days <= 56", "age_at_start < 18");
        assert_eq!(parse(&good).map(|d| d.question_sets.len()), Ok(2));
        let unknown_kq = good.replace("key_questions = [\"2.1.1\"]", "key_questions = [\"1.1.1\"]");
        assert!(
            only_problem(&unknown_kq)
                .message
                .contains("no key question 1.1.1 marked on cases")
        );
    }

    #[test]
    fn malformed_toml_and_unknown_fields_give_their_line() {
        let text = changed("scored = true", "scored = maybe");
        let p = only_problem(&text);
        assert_eq!(
            (p.field.as_str(), p.line),
            ("file", line_of(&text, "scored = maybe"))
        );
        let text = changed("scored = true", "scored = true\nweight = 2");
        let p = only_problem(&text);
        assert_eq!(p.line, line_of(&text, "weight = 2"));
        assert!(p.message.contains("weight"), "{}", p.message);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = changed("status = \"in_use\"", "status = \"live\"")
            .replacen("area = \"engagement\"", "area = \"nowhere\"", 1)
            .replacen(
                "case_evidence = [\"2.3.3.f\"]",
                "case_evidence = [\"9.9.9.z\"]",
                1,
            );
        let problems = parse(&text).expect_err("refused");
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "status",
                "standards[0].key_questions[1].case_evidence[0]",
                "standards[3].key_questions[0].area"
            ]
        );
    }

    const REGION_2024: &str = include_str!("../../../../frameworks/region-2024.toml");
    const PDU_2024: &str = include_str!("../../../../frameworks/pdu-2024.toml");

    #[test]
    fn the_region_framework_pools_pdu_key_questions_and_marks_two_case_types() {
        let region = parse(REGION_2024).expect("valid");
        assert_eq!(region.level, Level::Region);
        assert_eq!(region.max_score, 24);
        let pooled: Vec<(&str, &str)> = region
            .standards
            .iter()
            .flat_map(|s| &s.key_questions)
            .filter_map(|k| k.pooled_from.as_deref().map(|f| (k.code.as_str(), f)))
            .collect();
        assert_eq!(
            pooled,
            [
                ("2.1.1", "2.1.2"),
                ("2.1.2", "2.2.2"),
                ("2.1.3", "2.3.2"),
                ("2.1.4", "2.4.2"),
                ("2.2.1", "2.1.3"),
                ("2.2.2", "2.2.3"),
                ("2.2.3", "2.3.3"),
                ("2.2.4", "2.4.3"),
                ("2.3.1", "R.1"),
                ("2.4.1", "C.1"),
            ]
        );
        let case_types: Vec<&str> = region.case_types.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(case_types, ["unpaid_work", "victim_work"]);
        // The PDU version marks court reports and resettlement cases but
        // rates neither: seven rated standards, still 21.
        let pdu = parse(PDU_2024).expect("valid");
        let rated: Vec<&str> = pdu
            .standards
            .iter()
            .filter(|s| s.rated)
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!(rated, ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"]);
        assert_eq!(pdu.max_score, 21);
    }

    #[test]
    fn pooling_rating_elsewhere_and_case_types_are_checked() {
        // A PDU framework pools nothing.
        let text = PDU_2023.replacen(
            "text = \"Does assessment focus sufficiently on engaging",
            "pooled_from = \"2.1.1\"\ntext = \"Does assessment focus sufficiently on engaging",
            1,
        );
        let p = only_problem(&text);
        assert_eq!(p.field, "standards[3].key_questions[0].pooled_from");
        assert!(
            p.message.contains("Only a region framework"),
            "{}",
            p.message
        );

        // A standard rated elsewhere must not be scored.
        let text = PDU_2024.replacen(
            "scored = false\nrated = false",
            "scored = true\nrated = false",
            1,
        );
        let problems = parse(&text).expect_err("refused");
        assert!(
            problems.iter().any(
                |p| p.field == "standards[7].rated" && p.message.contains("set scored = false")
            ),
            "{problems:?}"
        );

        // A region rates every standard.
        let text = REGION_2024.replacen("scored = true\n", "scored = false\nrated = false\n", 1);
        let problems = parse(&text).expect_err("refused");
        assert!(
            problems.iter().any(|p| p.field == "standards[0].rated"
                && p.message
                    .contains("A region framework rates every standard")),
            "{problems:?}"
        );

        // A selector's case type must be one of the file's.
        let text = REGION_2024.replace("case_type = victim_work", "case_type = probation_work");
        let p = only_problem(&text);
        assert_eq!(p.field, "question_sets[1].when");
        assert!(
            p.message.contains("'probation_work' is not one of the framework's case types (unpaid_work, victim_work)"),
            "{}",
            p.message
        );

        // The main case type is recorded as none, so no `when` can meet it.
        let text = REGION_2024.replace("case_type = victim_work", "case_type = unpaid_work");
        let p = only_problem(&text);
        assert!(p.message.contains("is the main case type"), "{}", p.message);

        // An unknown level.
        let text = REGION_2024.replace("level = \"region\"", "level = \"nation\"");
        let problems = parse(&text).expect_err("refused");
        assert!(problems.iter().any(|p| p.field == "level"), "{problems:?}");
    }
}
