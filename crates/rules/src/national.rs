//! The national picture's arithmetic: how many inspections got each
//! rating, and key questions pooled over every case of many inspections.
//!
//! A pooled percentage is Yes ÷ (Yes + No) summed over the inspections,
//! never an average of their percentages: an inspection of 60 cases weighs
//! six times one of 10, as its cases do.

use crate::{Counts, Rating};

/// How many got each rating, and how many are not rated yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingCounts {
    pub outstanding: u32,
    pub good: u32,
    pub requires_improvement: u32,
    pub inadequate: u32,
    pub unrated: u32,
}

impl RatingCounts {
    pub fn of(ratings: impl IntoIterator<Item = Option<Rating>>) -> Self {
        let mut counts = RatingCounts::default();
        for rating in ratings {
            *counts.slot(rating) += 1;
        }
        counts
    }

    fn slot(&mut self, rating: Option<Rating>) -> &mut u32 {
        match rating {
            Some(Rating::Outstanding) => &mut self.outstanding,
            Some(Rating::Good) => &mut self.good,
            Some(Rating::RequiresImprovement) => &mut self.requires_improvement,
            Some(Rating::Inadequate) => &mut self.inadequate,
            None => &mut self.unrated,
        }
    }

    /// The count of one rating.
    pub fn get(&self, rating: Rating) -> u32 {
        match rating {
            Rating::Outstanding => self.outstanding,
            Rating::Good => self.good,
            Rating::RequiresImprovement => self.requires_improvement,
            Rating::Inadequate => self.inadequate,
        }
    }

    pub fn total(&self) -> u32 {
        self.outstanding + self.good + self.requires_improvement + self.inadequate + self.unrated
    }
}

/// Tallies summed: the pooled key question.
pub fn pool(tallies: impl IntoIterator<Item = Counts>) -> Counts {
    tallies
        .into_iter()
        .fold(Counts::default(), |sum, c| Counts {
            yes: sum.yes + c.yes,
            no: sum.no + c.no,
            na: sum.na + c.na,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_rating() {
        let counts = RatingCounts::of([
            Some(Rating::Good),
            Some(Rating::Inadequate),
            None,
            Some(Rating::Good),
        ]);
        assert_eq!((counts.good, counts.inadequate, counts.unrated), (2, 1, 1));
        assert_eq!(counts.total(), 4);
        assert_eq!(counts.get(Rating::Good), 2);
    }

    #[test]
    fn pooling_sums_counts_never_averages_percentages() {
        // 9 of 10 (90%) and 30 of 60 (50%): pooled 39 of 70 is 56%, where
        // the average of the percentages would say 70%.
        let pooled = pool([Counts::new(9, 1, 0), Counts::new(30, 30, 5)]);
        assert_eq!(pooled, Counts::new(39, 31, 5));
        assert_eq!(pooled.percent(), Some(56));
    }
}
