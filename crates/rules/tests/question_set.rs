//! Property tests of question sets: a clause compares as its fact's kind
//! says, and the set chosen is the first whose condition holds, else the
//! default, whatever the facts.

use casemark_rules::{FactKind, Selector, SetRule, choose};
use proptest::prelude::*;

const FACTS: &[(&str, FactKind)] = &[
    ("licence_weeks", FactKind::Number),
    ("age_at_start", FactKind::Number),
];

fn op() -> impl Strategy<Value = (&'static str, fn(i64, i64) -> bool)> {
    prop::sample::select(vec![
        ("=", (|a, b| a == b) as fn(i64, i64) -> bool),
        ("!=", |a, b| a != b),
        ("<", |a, b| a < b),
        ("<=", |a, b| a <= b),
        (">", |a, b| a > b),
        (">=", |a, b| a >= b),
    ])
}

fn case(weeks: Option<i64>, age: Option<i64>) -> impl Fn(&str) -> Option<String> {
    move |fact| match fact {
        "licence_weeks" => weeks.map(|w| w.to_string()),
        "age_at_start" => age.map(|a| a.to_string()),
        _ => None,
    }
}

proptest! {
    #[test]
    fn numbers_compare_as_numbers(
        (symbol, expected) in op(),
        bound in -20i64..200,
        actual in -20i64..200,
    ) {
        let when = Selector::parse(&format!("licence_weeks {symbol} {bound}"), FACTS).expect("a valid condition");
        prop_assert_eq!(when.holds(&case(Some(actual), None)).is_some(), expected(actual, bound));
        // Unrecorded: never met, whatever the operator.
        prop_assert!(when.holds(&case(None, None)).is_none());
        prop_assert_eq!(Selector::parse(&when.to_string(), FACTS), Ok(when.clone()));
    }

    #[test]
    fn the_first_set_met_applies_else_the_default(
        bounds in prop::collection::vec((0i64..30, 10i64..25), 1..5),
        default_at in 0usize..5,
        weeks in prop::option::of(0i64..30),
        age in prop::option::of(10i64..25),
    ) {
        let selectors: Vec<Selector> = bounds
            .iter()
            .map(|(w, a)| {
                Selector::parse(&format!("licence_weeks <= {w} and age_at_start >= {a}"), FACTS).expect("a valid condition")
            })
            .collect();
        let mut sets: Vec<SetRule<'_>> = selectors
            .iter()
            .map(|s| SetRule { name: "conditional", when: Some(s) })
            .collect();
        let default_at = default_at.min(sets.len());
        sets.insert(default_at, SetRule { name: "default", when: None });
        let facts = case(weeks, age);
        let chosen = choose(&sets, &facts).expect("there is a default");
        let first_met = sets
            .iter()
            .position(|s| s.when.is_some_and(|w| w.holds(&facts).is_some()));
        match first_met {
            Some(i) => prop_assert_eq!(chosen.index, i),
            None => prop_assert_eq!(chosen.index, default_at),
        }
        // By hand: met when both facts are recorded and within the bounds.
        let met_by_hand = bounds.iter().position(|(w, a)| {
            weeks.is_some_and(|x| x <= *w) && age.is_some_and(|x| x >= *a)
        });
        prop_assert_eq!(first_met.is_some(), met_by_hand.is_some());
    }
}
