//! How far two markers of the same cases agree (docs/rating-rules.md,
//! "Quality assurance: agreement"): the share of paired answers that are
//! the same, and Cohen's κ, which discounts the agreement two markers would
//! reach by chance given how often each answers Yes, No and N/A.

use crate::{Bands, Counts, Rating, rate_domain_two_standard};

/// One of the three answers to a key question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    Yes,
    No,
    NotApplicable,
}

impl Answer {
    pub const ALL: [Answer; 3] = [Answer::Yes, Answer::No, Answer::NotApplicable];

    fn index(self) -> usize {
        match self {
            Answer::Yes => 0,
            Answer::No => 1,
            Answer::NotApplicable => 2,
        }
    }
}

/// Paired answers cross-tabulated: `table[first][second]`, indexed Yes, No,
/// N/A.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Agreement {
    pub table: [[u32; 3]; 3],
}

impl Agreement {
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Answer, Answer)>) -> Self {
        let mut agreement = Agreement::default();
        for pair in pairs {
            agreement.add(pair);
        }
        agreement
    }

    pub fn add(&mut self, (first, second): (Answer, Answer)) {
        self.table[first.index()][second.index()] += 1;
    }

    /// Pools another table into this one (a standard's key questions).
    pub fn merge(&mut self, other: &Agreement) {
        for (row, other_row) in self.table.iter_mut().zip(&other.table) {
            for (cell, other_cell) in row.iter_mut().zip(other_row) {
                *cell += other_cell;
            }
        }
    }

    pub fn pairs(&self) -> u32 {
        self.table.iter().flatten().sum()
    }

    /// Pairs whose two answers are the same.
    pub fn agreed(&self) -> u32 {
        (0..3).map(|i| self.table[i][i]).sum()
    }

    pub fn disagreed(&self) -> u32 {
        self.pairs() - self.agreed()
    }

    /// Agreed ÷ pairs as a whole percentage, rounded **down**, so that
    /// 100% always means no disagreement (199 of 200 is 99%, not the 100%
    /// that rounding half up would show); `None` without pairs.
    pub fn percent(&self) -> Option<u8> {
        let pairs = u64::from(self.pairs());
        if pairs == 0 {
            return None;
        }
        u8::try_from(100 * u64::from(self.agreed()) / pairs).ok()
    }

    /// Cohen's κ = (pₒ − pₑ) ÷ (1 − pₑ), where pₒ is the share that agree
    /// and pₑ = Σ (first's share of a category × second's share of it), the
    /// agreement expected by chance. `None` without pairs. When both
    /// markers gave one and the same answer throughout, pₑ = 1 and the
    /// formula is 0 ÷ 0: κ is then 1, as the markers agree completely
    /// (documented in docs/rating-rules.md).
    pub fn kappa(&self) -> Option<f64> {
        let n = self.pairs();
        if n == 0 {
            return None;
        }
        let n = f64::from(n);
        let observed = f64::from(self.agreed()) / n;
        let expected: f64 = (0..3)
            .map(|c| {
                let first: u32 = self.table[c].iter().sum();
                let second: u32 = self.table.iter().map(|row| row[c]).sum();
                (f64::from(first) / n) * (f64::from(second) / n)
            })
            .sum();
        if (1.0 - expected).abs() < f64::EPSILON {
            return Some(if self.disagreed() == 0 { 1.0 } else { 0.0 });
        }
        Some((observed - expected) / (1.0 - expected))
    }

    /// The first marker's and the second's counts, as key-question tallies.
    pub fn counts(&self) -> (Counts, Counts) {
        let first = |a: Answer| self.table[a.index()].iter().sum::<u32>();
        let second = |a: Answer| self.table.iter().map(|row| row[a.index()]).sum::<u32>();
        (
            Counts::new(
                first(Answer::Yes),
                first(Answer::No),
                first(Answer::NotApplicable),
            ),
            Counts::new(
                second(Answer::Yes),
                second(Answer::No),
                second(Answer::NotApplicable),
            ),
        )
    }
}

/// Fewer pairs than this make agreement figures a small sample: κ from a
/// handful of cases swings widely with one disagreement.
pub const FEW_PAIRS: u32 = 10;

/// Whether the standard's rating from the second markings alone equals the
/// rating from the first markings of the same cases (`key_questions` holds
/// each of its key questions' paired answers, in framework order). `None`
/// when either side has nothing to rate.
pub fn rating_agreement(bands: &Bands, key_questions: &[Agreement]) -> Option<RatingAgreement> {
    let (first, second): (Vec<Counts>, Vec<Counts>) =
        key_questions.iter().map(Agreement::counts).unzip();
    Some(RatingAgreement {
        first: rate_domain_two_standard(bands, &first).rating?,
        second: rate_domain_two_standard(bands, &second).rating?,
    })
}

/// The two ratings of a standard over the second-marked cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatingAgreement {
    pub first: Rating,
    pub second: Rating,
}

impl RatingAgreement {
    pub fn agrees(&self) -> bool {
        self.first == self.second
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::*;

    fn table(yy: u32, yn: u32, ny: u32, nn: u32) -> Agreement {
        Agreement {
            table: [[yy, yn, 0], [ny, nn, 0], [0, 0, 0]],
        }
    }

    #[test]
    fn the_issues_worked_example() {
        // 50 pairs: pₒ = 35/50 = 0.7; first Yes 25/50, second Yes 30/50:
        // pₑ = 0.5 × 0.6 + 0.5 × 0.4 = 0.5; κ = 0.2 / 0.5 = 0.4.
        let a = table(20, 5, 10, 15);
        assert_eq!(a.pairs(), 50);
        assert_eq!(a.percent(), Some(70));
        let kappa = a.kappa().expect("pairs");
        assert!((kappa - 0.4).abs() < 1e-12, "{kappa}");
    }

    #[test]
    fn three_categories() {
        // 100 pairs, agreeing on 40 Yes, 25 No and 9 N/A: pₒ = 0.74.
        // First: Yes 50, No 35, N/A 15; second: Yes 45, No 35, N/A 20.
        // pₑ = 0.5 × 0.45 + 0.35 × 0.35 + 0.15 × 0.2 = 0.3775;
        // κ = (0.74 − 0.3775) / (1 − 0.3775) = 0.3625 / 0.6225 ≈ 0.582.
        let a = Agreement {
            table: [[40, 6, 4], [3, 25, 7], [2, 4, 9]],
        };
        let (first, second) = a.counts();
        assert_eq!((first.yes, first.no, first.na), (50, 35, 15));
        assert_eq!((second.yes, second.no, second.na), (45, 35, 20));
        assert_eq!(a.percent(), Some(74));
        let kappa = a.kappa().expect("pairs");
        assert!((kappa - 0.3625 / 0.6225).abs() < 1e-12, "{kappa}");
    }

    #[test]
    fn identical_markings_agree_completely() {
        let same = Agreement::from_pairs([(Yes, Yes), (No, No), (NotApplicable, NotApplicable)]);
        assert_eq!(same.kappa(), Some(1.0));
        assert_eq!(same.percent(), Some(100));
        // One category throughout: pₑ = 1, κ defined as 1.
        let all_yes = Agreement::from_pairs([(Yes, Yes); 5]);
        assert_eq!(all_yes.kappa(), Some(1.0));
        assert_eq!(Agreement::default().kappa(), None);
        assert_eq!(Agreement::default().percent(), None);
    }

    #[test]
    fn the_rating_from_second_markings_is_compared_with_the_first() {
        let bands = Bands::PDU_2023;
        // First: 8 Yes of 10 (80%, Outstanding); second: 6 of 10 (60%).
        let kq = table(6, 2, 0, 2);
        let r = rating_agreement(&bands, &[kq]).expect("rated");
        assert_eq!(
            (r.first, r.second),
            (Rating::Outstanding, Rating::RequiresImprovement)
        );
        assert!(!r.agrees());
        assert_eq!(rating_agreement(&bands, &[Agreement::default()]), None);
    }
}
