//! Property tests of the explanations: margins are the fewest changes
//! (found again here by brute force), ranges bound every way the unjudged
//! cases could be answered, and intervals contain the percentage.

use casemark_rules::{
    Bands, Counts, KeyQuestionInput, Range, Rating, Thresholds, composite, composite_range,
    explain_standard, percent_range, rate_domain_two_standard, standard_margin, wilson_interval,
};
use proptest::prelude::*;

/// Any strictly rising key-question thresholds, not only the published
/// ones, so the rules are not accidentally tuned to 50 / 65 / 80.
fn thresholds() -> impl Strategy<Value = Thresholds> {
    prop::sample::subsequence((1u8..=100).collect::<Vec<_>>(), 3).prop_map(|t| Thresholds {
        requires_improvement: t[0],
        good: t[1],
        outstanding: t[2],
    })
}

fn bands(key_question: Thresholds) -> Bands {
    Bands {
        key_question,
        ..Bands::PDU_2023
    }
}

fn band(t: &Thresholds, counts: Counts) -> Option<Rating> {
    counts.percent().map(|p| t.rate(p))
}

/// Every way of answering `unjudged` cases: (yes, no, n/a) added.
fn answerings(unjudged: u32) -> Vec<(u32, u32, u32)> {
    let mut all = Vec::new();
    for yes in 0..=unjudged {
        for no in 0..=unjudged - yes {
            all.push((yes, no, unjudged - yes - no));
        }
    }
    all
}

fn answered(counts: Counts, (yes, no, na): (u32, u32, u32)) -> Counts {
    Counts::new(counts.yes + yes, counts.no + no, counts.na + na)
}

proptest! {
    #[test]
    fn a_key_questions_margins_are_the_fewest_changes(
        t in thresholds(), yes in 0u32..300, no in 0u32..300,
    ) {
        let counts = Counts::new(yes, no, 0);
        let margin = counts.margin(&t);
        let now = band(&t, counts);
        let up = (1..=no).find(|k| band(&t, Counts::new(yes + k, no - k, 0)) > now);
        let down = (1..=yes).find(|k| band(&t, Counts::new(yes - k, no + k, 0)) < now);
        prop_assert_eq!(margin.up, up.filter(|_| now.is_some()));
        prop_assert_eq!(margin.down, down.filter(|_| now.is_some()));
        // Minimal: one change fewer leaves the band where it is.
        if let Some(k) = margin.up {
            prop_assert_eq!(band(&t, Counts::new(yes + k - 1, no + 1 - k, 0)), now);
        }
        if let Some(k) = margin.down {
            prop_assert_eq!(band(&t, Counts::new(yes + 1 - k, no + k - 1, 0)), now);
        }
    }

    #[test]
    fn a_standards_margins_are_the_fewest_changes_over_its_key_questions(
        t in thresholds(),
        kqs in prop::collection::vec((0u32..9, 0u32..9), 1..=3),
    ) {
        let counts: Vec<Counts> = kqs.iter().map(|&(y, n)| Counts::new(y, n, 0)).collect();
        let b = bands(t);
        let now = rate_domain_two_standard(&b, &counts).rating;
        let margin = standard_margin(&t, now, &counts).margin;
        // Every way of turning c_i No into Yes (or Yes into No) on each key
        // question, and the fewest in total that move the rating.
        let mut fewest_up: Option<u32> = None;
        let mut fewest_down: Option<u32> = None;
        let mut changes = vec![0u32; counts.len()];
        loop {
            let total: u32 = changes.iter().sum();
            let lifted: Vec<Counts> = counts.iter().zip(&changes)
                .map(|(c, &k)| Counts::new(c.yes + k.min(c.no), c.no - k.min(c.no), 0))
                .collect();
            let lowered: Vec<Counts> = counts.iter().zip(&changes)
                .map(|(c, &k)| Counts::new(c.yes - k.min(c.yes), c.no + k.min(c.yes), 0))
                .collect();
            let possible_up = counts.iter().zip(&changes).all(|(c, &k)| k <= c.no);
            let possible_down = counts.iter().zip(&changes).all(|(c, &k)| k <= c.yes);
            if total > 0 && now.is_some() {
                if possible_up && rate_domain_two_standard(&b, &lifted).rating > now {
                    fewest_up = Some(fewest_up.map_or(total, |f| f.min(total)));
                }
                if possible_down && rate_domain_two_standard(&b, &lowered).rating < now {
                    fewest_down = Some(fewest_down.map_or(total, |f| f.min(total)));
                }
            }
            // Next vector of changes, each 0..=8.
            let mut i = 0;
            while i < changes.len() && changes[i] == 8 {
                changes[i] = 0;
                i += 1;
            }
            if i == changes.len() {
                break;
            }
            changes[i] += 1;
        }
        prop_assert_eq!(margin.up, fewest_up);
        prop_assert_eq!(margin.down, fewest_down);
        prop_assert_eq!(margin.is_fragile(), fewest_up == Some(1) || fewest_down == Some(1));
    }

    #[test]
    fn the_range_bounds_every_answering_of_the_unjudged_cases(
        yes in 0u32..60, no in 0u32..60, na in 0u32..5, unjudged in 0u32..14,
    ) {
        let counts = Counts::new(yes, no, na);
        let range = percent_range(counts, unjudged);
        let mut reached = Vec::new();
        for answering in answerings(unjudged) {
            if let Some(p) = answered(counts, answering).percent() {
                let range = range.expect("a percentage somewhere means a range");
                prop_assert!(range.worst <= p && p <= range.best, "{p} outside {range:?}");
                reached.push(p);
            }
        }
        // Both ends are real outcomes, not loose bounds.
        if let Some(range) = range {
            prop_assert!(reached.contains(&range.worst) && reached.contains(&range.best));
        } else {
            prop_assert!(reached.is_empty());
        }
    }

    #[test]
    fn a_settled_standard_ends_where_it_stands_whatever_is_answered(
        t in thresholds(),
        kqs in prop::collection::vec((0u32..12, 0u32..12, 0u32..3, 0u32..4), 1..=3),
    ) {
        let b = bands(t);
        let inputs: Vec<KeyQuestionInput<'_>> = kqs.iter()
            .map(|&(y, n, na, unjudged)| KeyQuestionInput {
                code: "2.9.9", name: "Test", counts: Counts::new(y, n, na), unjudged,
            })
            .collect();
        let outlook = explain_standard(&b, "Test", &inputs);
        // Every combination of answerings of the key questions' unjudged cases.
        let per_kq: Vec<Vec<(u32, u32, u32)>> = kqs.iter().map(|k| answerings(k.3)).collect();
        let mut pick = vec![0usize; per_kq.len()];
        loop {
            let final_counts: Vec<Counts> = inputs.iter().zip(&pick).zip(&per_kq)
                .map(|((kq, &i), options)| answered(kq.counts, options[i]))
                .collect();
            if let Some(rating) = rate_domain_two_standard(&b, &final_counts).rating {
                let range = outlook.range.expect("a rating somewhere means a range");
                prop_assert!(range.worst <= rating && rating <= range.best);
                if outlook.settled {
                    prop_assert_eq!(Some(rating), outlook.rating);
                }
            }
            let mut i = 0;
            while i < pick.len() && pick[i] + 1 == per_kq[i].len() {
                pick[i] = 0;
                i += 1;
            }
            if i == pick.len() {
                break;
            }
            pick[i] += 1;
        }
    }

    #[test]
    fn the_interval_contains_the_percentage(yes in 0u32..2_000, no in 0u32..2_000) {
        prop_assume!(yes + no > 0);
        let counts = Counts::new(yes, no, 0);
        let interval = wilson_interval(counts).expect("judged");
        let p = counts.percent().expect("judged");
        prop_assert!(interval.low <= p && p <= interval.high, "{p} outside {interval:?}");
        prop_assert!(interval.high <= 100);
        // And the exact share, not only its rounding.
        let share = 100.0 * f64::from(yes) / f64::from(yes + no);
        prop_assert!(f64::from(interval.low) <= share && share <= f64::from(interval.high));
    }

    #[test]
    fn the_score_range_bounds_every_choice_within_each_standard(
        ends in prop::collection::vec((0usize..4, 0usize..4, 0usize..4), 1..=7),
    ) {
        let b = Bands::PDU_2023;
        let ranges: Vec<Option<Range<Rating>>> = ends.iter().map(|&(a, c, _)| {
            let (low, high) = (a.min(c), a.max(c));
            Some(Range { worst: Rating::ALL[low], best: Rating::ALL[high] })
        }).collect();
        let chosen: Vec<Option<Rating>> = ends.iter().map(|&(a, c, pick)| {
            let (low, high) = (a.min(c), a.max(c));
            Some(Rating::ALL[pick.clamp(low, high)])
        }).collect();
        let range = composite_range(&b, &ranges).expect("every standard has a range");
        let score = composite(&b, &chosen).expect("every standard rated").score;
        prop_assert!(range.worst.score <= score && score <= range.best.score);
    }
}
