//! Property tests of rounding and the band edges.

use casemark_rules::{Bands, Counts, Rating, composite, rate_domain_two_standard};
use proptest::prelude::*;

/// The percentage by exact rational comparison, independent of the
/// implementation's integer formula: the smallest p with p + 1/2 > 100·yes/judged.
fn reference_percent(yes: u32, judged: u32) -> u8 {
    (0..=100u8)
        .find(|&p| (2 * u64::from(p) + 1) * u64::from(judged) > 200 * u64::from(yes))
        .unwrap_or(100)
}

fn reference_band(percent: u8) -> Rating {
    match percent {
        0..=49 => Rating::Inadequate,
        50..=64 => Rating::RequiresImprovement,
        65..=79 => Rating::Good,
        _ => Rating::Outstanding,
    }
}

proptest! {
    #[test]
    fn percent_rounds_half_up(yes in 0u32..5_000, no in 0u32..5_000, na in 0u32..100) {
        prop_assume!(yes + no > 0);
        let counts = Counts::new(yes, no, na);
        prop_assert_eq!(counts.percent(), Some(reference_percent(yes, yes + no)));
    }

    #[test]
    fn the_band_always_agrees_with_the_displayed_percent(yes in 0u32..500, no in 0u32..500) {
        prop_assume!(yes + no > 0);
        let counts = Counts::new(yes, no, 0);
        let shown = counts.percent().expect("judged");
        let rated = rate_domain_two_standard(&Bands::PDU_2023, &[counts]);
        prop_assert_eq!(rated.rating, Some(reference_band(shown)));
    }

    #[test]
    fn standard_rating_is_the_lowest_key_questions_band(
        kqs in proptest::collection::vec((0u32..80, 0u32..80, 0u32..10), 3)
    ) {
        let counts: Vec<Counts> = kqs.iter().map(|&(y, n, na)| Counts::new(y, n, na)).collect();
        let rated = rate_domain_two_standard(&Bands::PDU_2023, &counts);
        let lowest = counts.iter().filter_map(Counts::percent).min();
        prop_assert_eq!(rated.rating, lowest.map(reference_band));
        if let Some(index) = rated.driving {
            prop_assert_eq!(counts[index].percent(), lowest);
        }
    }

    #[test]
    fn overall_follows_the_score(ratings in proptest::collection::vec(0usize..4, 7)) {
        let ratings: Vec<Option<Rating>> = ratings.into_iter().map(|i| Some(Rating::ALL[i])).collect();
        let total = composite(&Bands::PDU_2023, &ratings).expect("all rated");
        let expected = match total.score {
            0..=3 => Rating::Inadequate,
            4..=10 => Rating::RequiresImprovement,
            11..=17 => Rating::Good,
            _ => Rating::Outstanding,
        };
        prop_assert_eq!(total.overall, expected);
        prop_assert_eq!(total.max_score, 21);
    }
}

/// The named edges: a case either side of each band boundary, at several
/// sample sizes, including exact halves.
#[test]
fn band_edges_at_49_50_64_65_79_80() {
    let cases = [
        // (yes, no, shown percent, rating)
        (49, 51, 49, Rating::Inadequate),
        (50, 50, 50, Rating::RequiresImprovement),
        (99, 101, 50, Rating::RequiresImprovement), // 49.5 rounds up
        (197, 203, 49, Rating::Inadequate),         // 49.25
        (64, 36, 64, Rating::RequiresImprovement),
        (129, 71, 65, Rating::Good),                 // 64.5 rounds up
        (257, 143, 64, Rating::RequiresImprovement), // 64.25
        (79, 21, 79, Rating::Good),
        (159, 41, 80, Rating::Outstanding), // 79.5 rounds up
        (317, 83, 79, Rating::Good),        // 79.25
        (43, 11, 80, Rating::Outstanding),  // 79.63, as Hertfordshire 2.3.1
    ];
    for (yes, no, shown, rating) in cases {
        let counts = Counts::new(yes, no, 0);
        assert_eq!(counts.percent(), Some(shown), "{yes}/{}", yes + no);
        assert_eq!(
            rate_domain_two_standard(&Bands::PDU_2023, &[counts]).rating,
            Some(rating),
            "{yes}/{}",
            yes + no
        );
    }
}
