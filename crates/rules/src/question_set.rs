//! Question sets chosen by case facts: which of a framework's sets of key
//! questions a case is marked on.
//!
//! A framework may mark some cases on fewer key questions than others: the
//! 2025 dynamic inspection of public protection used an adjusted set where
//! there was post-sentence supervision only, or a licence of eight weeks or
//! less. A set's condition (its `when`) is read by [`Selector::parse`] and
//! tested against a case's facts by [`choose`], which says which set
//! applies and why, in words an inspector can check against the case.
//!
//! The rules, as docs/frameworks.md states them:
//! - Sets are tried in the file's order; the first whose condition holds
//!   applies. The set without a condition applies when no other does.
//! - A condition is `fact op value` clauses joined by ` and `, and such
//!   groups joined by ` or ` (`and` binds tighter).
//! - A fact the case does not record satisfies no clause, not even `!=`:
//!   a case whose licence length is unknown is marked on the default set,
//!   the fuller one, rather than excused questions on a guess.

use std::fmt;

/// What kind of value a case fact holds, which decides how it compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactKind {
    /// A whole number: compared as numbers.
    Number,
    /// A date written YYYY-MM-DD: compared in calendar order.
    Date,
    /// One of a fixed list of codes: `=` and `!=` only.
    Choice(&'static [&'static str]),
    /// Free text (an office's name): `=` and `!=` only, ignoring case.
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    /// Longest first, so that `<=` is not read as `<` followed by `=`.
    const WRITTEN: [(&'static str, Op); 6] = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("!=", Op::Ne),
        ("=", Op::Eq),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];

    pub fn symbol(self) -> &'static str {
        Op::WRITTEN
            .iter()
            .find(|(_, op)| *op == self)
            .map(|(s, _)| *s)
            .expect("every operator is written")
    }

    fn orders(self) -> bool {
        !matches!(self, Op::Eq | Op::Ne)
    }

    fn accepts(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            Op::Eq => ordering == Equal,
            Op::Ne => ordering != Equal,
            Op::Lt => ordering == Less,
            Op::Le => ordering != Greater,
            Op::Gt => ordering == Greater,
            Op::Ge => ordering != Less,
        }
    }
}

/// One clause: `licence_weeks <= 8`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub fact: String,
    pub op: Op,
    pub value: String,
    kind: FactKind,
}

impl Condition {
    /// Whether the case's value (`None`: not recorded) satisfies it.
    pub fn holds(&self, actual: Option<&str>) -> bool {
        let Some(actual) = actual.map(str::trim).filter(|a| !a.is_empty()) else {
            return false;
        };
        let ordering = match self.kind {
            FactKind::Number => match (actual.parse::<i64>(), self.value.parse::<i64>()) {
                (Ok(a), Ok(v)) => a.cmp(&v),
                _ => return false,
            },
            // YYYY-MM-DD sorts in calendar order as text.
            FactKind::Date => actual.cmp(self.value.as_str()),
            FactKind::Choice(_) | FactKind::Text => {
                actual.to_lowercase().cmp(&self.value.to_lowercase())
            }
        };
        self.op.accepts(ordering)
    }

    /// The clause as met by a case: "licence weeks is 6 (8 or fewer)".
    fn describe(&self, actual: &str) -> String {
        let fact = self.fact.replace('_', " ");
        let v = &self.value;
        let date = self.kind == FactKind::Date;
        let bound = match (self.op, date) {
            (Op::Eq, _) => return format!("{fact} is {actual}"),
            (Op::Ne, _) => format!("not {v}"),
            (Op::Lt, false) => format!("under {v}"),
            (Op::Le, false) => format!("{v} or fewer"),
            (Op::Gt, false) => format!("over {v}"),
            (Op::Ge, false) => format!("{v} or more"),
            (Op::Lt, true) => format!("before {v}"),
            (Op::Le, true) => format!("on or before {v}"),
            (Op::Gt, true) => format!("after {v}"),
            (Op::Ge, true) => format!("on or after {v}"),
        };
        format!("{fact} is {actual} ({bound})")
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.fact, self.op.symbol(), self.value)
    }
}

/// A question set's condition: groups of clauses joined by `or`, the
/// clauses of a group joined by `and`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub any_of: Vec<Vec<Condition>>,
}

impl Selector {
    /// Reads a condition, checking each clause against the case facts a
    /// selector may name (`facts`, with their kinds): an unknown fact, an
    /// ordering of a fact that has no order, a value that is not a number,
    /// a date or one of the fact's codes is refused with the reason.
    pub fn parse(text: &str, facts: &[(&str, FactKind)]) -> Result<Selector, String> {
        let mut any_of = Vec::new();
        for group in text.split(" or ") {
            let mut all_of = Vec::new();
            for clause in group.split(" and ") {
                all_of.push(parse_clause(clause.trim(), facts)?);
            }
            any_of.push(all_of);
        }
        Ok(Selector { any_of })
    }

    /// The group of clauses the case meets, if any (the first, in order).
    pub fn holds<'a>(&'a self, fact: &dyn Fn(&str) -> Option<String>) -> Option<&'a [Condition]> {
        self.any_of
            .iter()
            .find(|group| group.iter().all(|c| c.holds(fact(&c.fact).as_deref())))
            .map(Vec::as_slice)
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups: Vec<String> = self
            .any_of
            .iter()
            .map(|group| {
                group
                    .iter()
                    .map(Condition::to_string)
                    .collect::<Vec<_>>()
                    .join(" and ")
            })
            .collect();
        f.write_str(&groups.join(" or "))
    }
}

fn parse_clause(clause: &str, facts: &[(&str, FactKind)]) -> Result<Condition, String> {
    let Some((at, symbol, op)) = Op::WRITTEN
        .iter()
        .filter_map(|(symbol, op)| clause.find(symbol).map(|at| (at, *symbol, *op)))
        .min_by_key(|(at, symbol, _)| (*at, std::cmp::Reverse(symbol.len())))
    else {
        let written: Vec<&str> = Op::WRITTEN.iter().map(|(s, _)| *s).collect();
        return Err(format!(
            "'{clause}' is not a condition: write fact op value, with op one of {}",
            written.join(" ")
        ));
    };
    let fact = clause[..at].trim();
    let value = clause[at + symbol.len()..].trim();
    let Some(&(_, kind)) = facts.iter().find(|(name, _)| *name == fact) else {
        let names: Vec<&str> = facts.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "'{fact}' is not a case fact: use one of {}",
            names.join(", ")
        ));
    };
    if value.is_empty() {
        return Err(format!("'{clause}' has no value to compare {fact} with"));
    }
    match kind {
        FactKind::Number if value.parse::<i64>().is_err() => {
            return Err(format!("{fact} is a whole number, and '{value}' is not"));
        }
        FactKind::Date if !is_date(value) => {
            return Err(format!(
                "{fact} is a date, written YYYY-MM-DD, and '{value}' is not"
            ));
        }
        FactKind::Choice(codes) if !codes.iter().any(|c| c.eq_ignore_ascii_case(value)) => {
            return Err(format!(
                "'{value}' is not a {}: use one of {}",
                fact.replace('_', " "),
                codes.join(", ")
            ));
        }
        FactKind::Choice(_) | FactKind::Text if op.orders() => {
            return Err(format!("{fact} has no order: compare it with = or != only"));
        }
        _ => {}
    }
    Ok(Condition {
        fact: fact.to_owned(),
        op,
        value: value.to_owned(),
        kind,
    })
}

/// YYYY-MM-DD with a month 01–12 and a day 01–31: enough for an ordering
/// by text to be an ordering by date.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize, low: u32, high: u32| {
        s.len() == len
            && s.bytes().all(|b| b.is_ascii_digit())
            && s.parse::<u32>().is_ok_and(|n| (low..=high).contains(&n))
    };
    parts.len() == 3
        && number(parts[0], 4, 1, 9999)
        && number(parts[1], 2, 1, 12)
        && number(parts[2], 2, 1, 31)
}

/// A framework's question set as [`choose`] needs it.
#[derive(Clone, Copy, Debug)]
pub struct SetRule<'a> {
    pub name: &'a str,
    /// `None`: the set a case gets when no other applies.
    pub when: Option<&'a Selector>,
}

/// The set that applies to a case, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Index into the sets given.
    pub index: usize,
    /// Why, in words: "sentence type is licence and licence weeks is 6 (8
    /// or fewer)", or for the default set "the case meets no other set's
    /// condition (Adjusted: …)".
    pub reason: String,
}

/// Chooses a case's set: the first whose condition its facts meet, else the
/// one without a condition. `None` when there are no sets, or no set
/// applies and none is the default (a file `validate` would refuse).
pub fn choose(sets: &[SetRule<'_>], fact: &dyn Fn(&str) -> Option<String>) -> Option<Choice> {
    for (index, set) in sets.iter().enumerate() {
        let Some(when) = set.when else { continue };
        if let Some(met) = when.holds(fact) {
            let clauses: Vec<String> = met
                .iter()
                .map(|c| c.describe(fact(&c.fact).as_deref().unwrap_or_default()))
                .collect();
            return Some(Choice {
                index,
                reason: sentence(&clauses.join(" and ")),
            });
        }
    }
    let index = sets.iter().position(|s| s.when.is_none())?;
    let others: Vec<String> = sets
        .iter()
        .filter_map(|s| s.when.map(|w| format!("{}: {w}", s.name)))
        .collect();
    Some(Choice {
        index,
        reason: format!(
            "The case meets no other set's condition ({}).",
            others.join("; ")
        ),
    })
}

fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTENCES: &[&str] = &["community_order", "licence"];
    const FACTS: &[(&str, FactKind)] = &[
        ("sentence_type", FactKind::Choice(SENTENCES)),
        ("licence_weeks", FactKind::Number),
        ("start_date", FactKind::Date),
        ("office", FactKind::Text),
    ];

    fn facts(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn dipp() -> Selector {
        Selector::parse("sentence_type = licence and licence_weeks <= 8", FACTS).expect("valid")
    }

    fn choice(when: &Selector, case: &dyn Fn(&str) -> Option<String>) -> Choice {
        let sets = [
            SetRule {
                name: "Core",
                when: None,
            },
            SetRule {
                name: "Adjusted",
                when: Some(when),
            },
        ];
        choose(&sets, case).expect("a default set")
    }

    #[test]
    fn a_short_licence_gets_the_adjusted_set_and_says_why() {
        let when = dipp();
        let short = choice(
            &when,
            &facts(&[("sentence_type", "licence"), ("licence_weeks", "8")]),
        );
        assert_eq!(short.index, 1);
        assert_eq!(
            short.reason,
            "Sentence type is licence and licence weeks is 8 (8 or fewer)."
        );
        let long = choice(
            &when,
            &facts(&[("sentence_type", "licence"), ("licence_weeks", "9")]),
        );
        assert_eq!(long.index, 0);
        assert_eq!(
            long.reason,
            "The case meets no other set's condition (Adjusted: sentence_type = licence and licence_weeks <= 8)."
        );
    }

    #[test]
    fn an_unrecorded_fact_meets_no_clause() {
        let when = dipp();
        let unknown = choice(&when, &facts(&[("sentence_type", "licence")]));
        assert_eq!(unknown.index, 0);
        let ne = Selector::parse("office != Luton", FACTS).expect("valid");
        assert_eq!(ne.holds(&facts(&[])), None);
        assert!(ne.holds(&facts(&[("office", "Bedford")])).is_some());
        assert!(ne.holds(&facts(&[("office", "LUTON")])).is_none());
    }

    #[test]
    fn or_joins_groups_and_binds_looser_than_and() {
        let when = Selector::parse(
            "sentence_type = community_order or sentence_type = licence and licence_weeks < 9",
            FACTS,
        )
        .expect("valid");
        assert_eq!(when.any_of.len(), 2);
        assert!(
            when.holds(&facts(&[("sentence_type", "community_order")]))
                .is_some()
        );
        assert!(
            when.holds(&facts(&[
                ("sentence_type", "licence"),
                ("licence_weeks", "8")
            ]))
            .is_some()
        );
        assert!(
            when.holds(&facts(&[
                ("sentence_type", "licence"),
                ("licence_weeks", "9")
            ]))
            .is_none()
        );
    }

    #[test]
    fn dates_compare_in_calendar_order() {
        let when = Selector::parse("start_date >= 2025-10-01", FACTS).expect("valid");
        assert!(
            when.holds(&facts(&[("start_date", "2025-10-01")]))
                .is_some()
        );
        assert!(
            when.holds(&facts(&[("start_date", "2025-09-30")]))
                .is_none()
        );
        let c = &when.any_of[0][0];
        assert_eq!(
            c.describe("2025-11-02"),
            "start date is 2025-11-02 (on or after 2025-10-01)"
        );
    }

    #[test]
    fn bad_conditions_say_what_is_wrong() {
        let err = |text: &str| Selector::parse(text, FACTS).expect_err(text);
        assert!(err("licence_days <= 56").contains("'licence_days' is not a case fact"));
        assert!(err("licence_weeks <= eight").contains("whole number"));
        assert!(err("start_date < 2025-13-01").contains("YYYY-MM-DD"));
        assert!(err("sentence_type = parole").contains("use one of community_order, licence"));
        assert!(err("office < Luton").contains("compare it with = or != only"));
        assert!(err("licence_weeks").contains("is not a condition"));
        assert!(err("licence_weeks <=").contains("has no value"));
    }

    #[test]
    fn written_back_as_read() {
        let text = "sentence_type = licence and licence_weeks <= 8 or office != Luton";
        let when = Selector::parse(text, FACTS).expect("valid");
        assert_eq!(when.to_string(), text);
        assert_eq!(Selector::parse(&when.to_string(), FACTS), Ok(when));
    }

    #[test]
    fn no_default_and_nothing_met_is_no_choice() {
        let when = dipp();
        let sets = [SetRule {
            name: "Adjusted",
            when: Some(&when),
        }];
        assert_eq!(choose(&sets, &facts(&[])), None);
        assert_eq!(choose(&[], &facts(&[])), None);
    }
}
