//! Where marking can still take a rating, and how sure a percentage is
//! (docs/rating-rules.md, "How close, how sure").
//!
//! The range answers "is assessment already settled?" during fieldwork: the
//! worst and best that the cases not yet answered could make of it. The
//! interval answers "how sure?" once cases are judged: the 95% Wilson score
//! interval of the Yes share, the usual one for a proportion from a small
//! sample (it stays inside 0–100% and behaves at 0 and 100%, where the
//! textbook normal interval collapses to a point).

use crate::{Bands, Composite, Counts, Rating, composite, rate_domain_two_standard};

/// The worst and best a figure can still end at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range<T> {
    pub worst: T,
    pub best: T,
}

impl<T: PartialEq> Range<T> {
    /// Nothing still to come can change it.
    pub fn is_settled(&self) -> bool {
        self.worst == self.best
    }
}

/// A key question's counts if every one of `unjudged` cases were answered
/// No (the worst completion) or Yes (the best). Any other completion, N/A
/// answers included, lies between the two.
fn completions(counts: Counts, unjudged: u32) -> Range<Counts> {
    Range {
        worst: Counts::new(counts.yes, counts.no.saturating_add(unjudged), counts.na),
        best: Counts::new(counts.yes.saturating_add(unjudged), counts.no, counts.na),
    }
}

/// The rounded percentage's range over the unjudged cases' answers; `None`
/// when there is nothing to count (no case judged and none left to judge).
pub fn percent_range(counts: Counts, unjudged: u32) -> Option<Range<u8>> {
    let ends = completions(counts, unjudged);
    Some(Range {
        worst: ends.worst.percent()?,
        best: ends.best.percent()?,
    })
}

/// A domain two standard's rating range over its key questions' unjudged
/// cases (`(counts, unjudged)` in framework order); `None` when none of its
/// key questions has anything to count.
///
/// All-No lowers every key question at once, so it is the lowest rating
/// any completion gives; all-Yes the highest. (A key question left all N/A
/// drops out of the lowest, which can only raise the rating; it can only do
/// so when nothing was judged on it, and then all-Yes gives it 100%.)
pub fn standard_range(bands: &Bands, key_questions: &[(Counts, u32)]) -> Option<Range<Rating>> {
    let rate = |pick: fn(Range<Counts>) -> Counts| {
        let ends: Vec<Counts> = key_questions
            .iter()
            .map(|(counts, unjudged)| pick(completions(*counts, *unjudged)))
            .collect();
        rate_domain_two_standard(bands, &ends).rating
    };
    Some(Range {
        worst: rate(|r| r.worst)?,
        best: rate(|r| r.best)?,
    })
}

/// The composite score's range, from each standard's rating range (a
/// confirmed rating is a range of one); `None` while any standard has
/// nothing to count, as the score itself needs every standard.
pub fn composite_range(
    bands: &Bands,
    standards: &[Option<Range<Rating>>],
) -> Option<Range<Composite>> {
    let end = |pick: fn(&Range<Rating>) -> Rating| {
        let ratings: Vec<Option<Rating>> = standards.iter().map(|s| s.as_ref().map(pick)).collect();
        composite(bands, &ratings)
    };
    Some(Range {
        worst: end(|r| r.worst)?,
        best: end(|r| r.best)?,
    })
}

/// Judged cases below this count are a small sample: one case then moves
/// the percentage by more than 5 points, a third of a 15-point band.
pub const SMALL_SAMPLE: u32 = 20;

/// 95% interval of a Yes share, as whole percentages rounded outwards (low
/// down, high up) so the stated interval always contains the exact one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub low: u8,
    pub high: u8,
}

/// The two-sided 95% normal quantile.
const Z: f64 = 1.959_963_984_540_054;

/// The 95% Wilson score interval of yes ÷ judged; `None` while nothing is
/// judged.
pub fn wilson_interval(counts: Counts) -> Option<Interval> {
    let n = f64::from(counts.judged());
    if counts.judged() == 0 {
        return None;
    }
    let p = f64::from(counts.yes) / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    // A hair of tolerance so that an exact bound computed as 45.999999999
    // is not widened to 45; the bounds are then clamped to the scale.
    const TOLERANCE: f64 = 1e-9;
    let percent = |x: f64| x.clamp(0.0, 100.0) as u8;
    Some(Interval {
        low: percent((100.0 * (centre - half) + TOLERANCE).floor()),
        high: percent((100.0 * (centre + half) - TOLERANCE).ceil()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Rating::*;

    const B: Bands = Bands::PDU_2023;

    #[test]
    fn the_range_runs_from_all_no_to_all_yes() {
        // 32 Yes, 22 No, 18 to come: 32/72 = 44%, 50/72 = 69%.
        assert_eq!(
            percent_range(Counts::new(32, 22, 0), 18),
            Some(Range {
                worst: 44,
                best: 69
            })
        );
        assert_eq!(
            percent_range(Counts::new(32, 22, 0), 0),
            Some(Range {
                worst: 59,
                best: 59
            })
        );
        assert_eq!(
            percent_range(Counts::new(0, 0, 3), 2),
            Some(Range {
                worst: 0,
                best: 100
            })
        );
        assert_eq!(percent_range(Counts::new(0, 0, 3), 0), None);
    }

    #[test]
    fn a_standard_is_settled_when_its_worst_and_best_agree() {
        // 9 of 54 on one key question: even 6 more Yes leave it Inadequate.
        let kqs = [(Counts::new(40, 10, 0), 6), (Counts::new(9, 45, 0), 6)];
        let range = standard_range(&B, &kqs).expect("counted");
        assert_eq!(
            range,
            Range {
                worst: Inadequate,
                best: Inadequate
            }
        );
        assert!(range.is_settled());
        // 30/60 = 50% at worst, 40/60 = 67% at best.
        let open = [(Counts::new(30, 20, 0), 10)];
        assert_eq!(
            standard_range(&B, &open),
            Some(Range {
                worst: RequiresImprovement,
                best: Good
            })
        );
        assert_eq!(standard_range(&B, &[(Counts::default(), 0)]), None);
    }

    #[test]
    fn the_composite_range_adds_the_ends() {
        let range = |worst, best| Some(Range { worst, best });
        let seven = [
            range(Good, Good),
            range(Inadequate, Outstanding),
            range(RequiresImprovement, Good),
            range(Inadequate, Inadequate),
            range(Inadequate, Inadequate),
            range(Inadequate, Inadequate),
            range(Inadequate, Inadequate),
        ];
        let range = composite_range(&B, &seven).expect("all counted");
        assert_eq!((range.worst.score, range.best.score), (3, 7));
        assert_eq!(
            (range.worst.overall, range.best.overall),
            (Inadequate, RequiresImprovement)
        );
        let mut missing = seven;
        missing[2] = None;
        assert_eq!(composite_range(&B, &missing), None);
    }

    #[test]
    fn wilson_intervals_of_known_shares() {
        // 32 of 54: 0.4597–0.7132 (worked by hand from the formula).
        assert_eq!(
            wilson_interval(Counts::new(32, 22, 0)),
            Some(Interval { low: 45, high: 72 })
        );
        // The ends of the scale: 0 of 10 is 0–27.8%, 10 of 10 is 72.2–100%.
        assert_eq!(
            wilson_interval(Counts::new(0, 10, 0)),
            Some(Interval { low: 0, high: 28 })
        );
        assert_eq!(
            wilson_interval(Counts::new(10, 0, 0)),
            Some(Interval { low: 72, high: 100 })
        );
        assert_eq!(wilson_interval(Counts::new(0, 0, 5)), None);
    }
}
