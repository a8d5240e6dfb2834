//! The domain one proposal at every combination of three and of four
//! key-question judgements, against the rule as written in
//! ../shared/domain/domain-one.md: sort, take the middle, the lower of the
//! two middle values when the count is even.

use casemark_rules::{Rating, propose_domain_one};

/// The rule read literally, independent of the crate's counting walk.
fn by_sorting(judgements: &[Rating]) -> Rating {
    let mut sorted = judgements.to_vec();
    sorted.sort();
    sorted[(sorted.len() - 1) / 2]
}

fn every_combination(n: usize) -> Vec<Vec<Rating>> {
    let mut all = vec![Vec::new()];
    for _ in 0..n {
        all = all
            .into_iter()
            .flat_map(|prefix| {
                Rating::ALL.into_iter().map(move |r| {
                    let mut next = prefix.clone();
                    next.push(r);
                    next
                })
            })
            .collect();
    }
    all
}

#[test]
fn every_combination_of_three_and_four_judgements() {
    for n in [3, 4] {
        let combinations = every_combination(n);
        assert_eq!(combinations.len(), 4usize.pow(n as u32));
        for judgements in combinations {
            let proposal = propose_domain_one(&judgements).expect("judged");
            assert_eq!(proposal.rating, by_sorting(&judgements), "{judgements:?}");
            assert_eq!(
                proposal.spread.iter().sum::<u32>(),
                n as u32,
                "{judgements:?}"
            );
            // The proposal is always one of the judgements made.
            assert!(judgements.contains(&proposal.rating));
        }
    }
}

#[test]
fn ties_round_down_never_up() {
    use Rating::*;
    for (low, high) in [
        (Inadequate, RequiresImprovement),
        (RequiresImprovement, Good),
        (Good, Outstanding),
        (Inadequate, Outstanding),
    ] {
        for judgements in [vec![low, high], vec![high, low, high, low]] {
            assert_eq!(propose_domain_one(&judgements).map(|p| p.rating), Some(low));
        }
    }
}
