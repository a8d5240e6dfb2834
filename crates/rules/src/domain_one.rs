//! Domain one: a standard's proposed rating from its key-question
//! judgements (docs/rating-rules.md, "Domain one").
//!
//! The inspection team judges each key question on the four-point scale;
//! the standard's proposal is the median judgement, the lower of the two
//! middle values when there is an even number of them (so a proposal never
//! rounds up past the evidence). The lead inspector then confirms it or
//! records another rating with a reason; that step is the application's.

use crate::Rating;

/// A proposed domain one rating and the spread it was drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub rating: Rating,
    /// How many key questions were judged at each point of the scale,
    /// worst first (indexed like [`Rating::ALL`]).
    pub spread: [u32; 4],
}

impl Proposal {
    /// How many of each rating, worst first, with the rating beside it.
    pub fn spread_by_rating(&self) -> impl Iterator<Item = (Rating, u32)> + '_ {
        Rating::ALL.into_iter().zip(self.spread)
    }
}

/// The proposal from the judgements made so far; `None` until at least one
/// key question is judged.
pub fn propose_domain_one(judgements: &[Rating]) -> Option<Proposal> {
    let mut spread = [0u32; 4];
    for judgement in judgements {
        spread[usize::from(judgement.score())] += 1;
    }
    let judged: u32 = spread.iter().sum();
    if judged == 0 {
        return None;
    }
    // The lower middle position, counting from the worst (0-based): for n
    // judgements, (n - 1) / 2. Walk the spread until it is covered.
    let lower_middle = (judged - 1) / 2;
    let mut seen = 0;
    for (rating, count) in Rating::ALL.into_iter().zip(spread) {
        seen += count;
        if seen > lower_middle {
            return Some(Proposal { rating, spread });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::*;

    #[test]
    fn nothing_judged_proposes_nothing() {
        assert_eq!(propose_domain_one(&[]), None);
    }

    #[test]
    fn odd_counts_take_the_middle_and_even_counts_the_lower_middle() {
        let p = |j: &[Rating]| propose_domain_one(j).map(|p| p.rating);
        assert_eq!(p(&[Good]), Some(Good));
        assert_eq!(p(&[Outstanding, Inadequate, Good]), Some(Good));
        assert_eq!(p(&[Good, Outstanding]), Some(Good));
        assert_eq!(
            p(&[Outstanding, Outstanding, RequiresImprovement, Good]),
            Some(Good)
        );
        assert_eq!(
            p(&[Inadequate, Outstanding, Inadequate, Outstanding]),
            Some(Inadequate)
        );
    }

    #[test]
    fn the_spread_counts_each_point_of_the_scale() {
        let proposal = propose_domain_one(&[Good, Good, Inadequate, Outstanding]).expect("judged");
        assert_eq!(proposal.spread, [1, 0, 2, 1]);
        assert_eq!(proposal.rating, Good);
    }
}
