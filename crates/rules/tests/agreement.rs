//! Property tests of the agreement statistics and the repeatable draw.

use casemark_rules::{Agreement, AgreementAnswer as Answer, draw};
use proptest::prelude::*;

fn answer() -> impl Strategy<Value = Answer> {
    prop::sample::select(Answer::ALL.to_vec())
}

fn pairs() -> impl Strategy<Value = Vec<(Answer, Answer)>> {
    prop::collection::vec((answer(), answer()), 1..120)
}

proptest! {
    #[test]
    fn identical_markings_have_kappa_one(answers in prop::collection::vec(answer(), 1..120)) {
        let same = Agreement::from_pairs(answers.iter().map(|a| (*a, *a)));
        prop_assert_eq!(same.kappa(), Some(1.0));
        prop_assert_eq!(same.percent(), Some(100));
    }

    #[test]
    fn kappa_never_exceeds_one(pairs in pairs()) {
        let kappa = Agreement::from_pairs(pairs).kappa().expect("pairs");
        prop_assert!(kappa <= 1.0 + 1e-12, "{kappa}");
        prop_assert!(kappa >= -1.0 - 1e-12, "{kappa}");
    }

    #[test]
    fn full_agreement_means_no_disagreement(pairs in pairs()) {
        let a = Agreement::from_pairs(pairs.iter().copied());
        let disagreements = pairs.iter().filter(|(x, y)| x != y).count();
        prop_assert_eq!(a.percent() == Some(100), disagreements == 0);
        prop_assert_eq!(a.disagreed() as usize, disagreements);
        prop_assert_eq!(a.kappa() == Some(1.0), disagreements == 0);
    }

    #[test]
    fn pooling_adds_the_tables(left in pairs(), right in pairs()) {
        let mut pooled = Agreement::from_pairs(left.iter().copied());
        pooled.merge(&Agreement::from_pairs(right.iter().copied()));
        prop_assert_eq!(pooled, Agreement::from_pairs(left.into_iter().chain(right)));
    }

    #[test]
    fn a_draw_is_repeatable_and_takes_distinct_items(
        len in 0usize..80, n in 0usize..90, seed in any::<u64>(),
    ) {
        let items: Vec<usize> = (0..len).collect();
        let drawn = draw(&items, n, seed);
        prop_assert_eq!(&drawn, &draw(&items, n, seed));
        prop_assert_eq!(drawn.len(), n.min(len));
        let mut unique = drawn.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), drawn.len());
    }
}
