//! How close a rating is to the next band: the fewest judgements that would
//! have to change to move it (docs/rating-rules.md, "How close, how sure").
//!
//! A change keeps the number judged the same: a No becomes a Yes (up) or a
//! Yes a No (down). N/A answers never change here; they are not part of the
//! percentage.

use crate::{Counts, Rating, Thresholds};

/// The fewest changes that move a rating a band up (No → Yes) or down
/// (Yes → No). `None` where no number of changes can (already Outstanding,
/// already Inadequate, nothing judged, or a band out of reach).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Margin {
    pub up: Option<u32>,
    pub down: Option<u32>,
}

impl Margin {
    /// One case's judgement would change the rating.
    pub fn is_fragile(&self) -> bool {
        self.up == Some(1) || self.down == Some(1)
    }
}

/// The fewest Yes, out of `judged`, whose rounded percentage is at least
/// `percent`.
///
/// Rounding half up, round(100·y/j) ≥ t exactly when 200·y + j ≥ 2·t·j,
/// that is y ≥ j·(2t − 1) / 200: integer arithmetic, as for the percentage
/// itself, so the edge is never a floating-point accident.
fn least_yes_reaching(judged: u32, percent: u8) -> u64 {
    if percent == 0 {
        return 0;
    }
    (u64::from(judged) * (2 * u64::from(percent) - 1)).div_ceil(200)
}

impl Counts {
    /// No → Yes changes that lift the rounded percentage into `target`'s
    /// band or above: `Some(0)` if it is there already, `None` when nothing
    /// is judged or even every No turned Yes would not reach it.
    pub fn changes_to_reach(&self, thresholds: &Thresholds, target: Rating) -> Option<u32> {
        let judged = self.judged();
        if judged == 0 {
            return None;
        }
        let needed = least_yes_reaching(judged, thresholds.floor(target));
        if needed > u64::from(judged) {
            return None;
        }
        let changes = needed.saturating_sub(u64::from(self.yes));
        u32::try_from(changes).ok()
    }

    /// Yes → No changes that drop the rounded percentage below `rating`'s
    /// band: `Some(0)` if it is below already, `None` when nothing is judged
    /// or nothing is below (Inadequate).
    pub fn changes_to_fall_below(&self, thresholds: &Thresholds, rating: Rating) -> Option<u32> {
        let judged = self.judged();
        if judged == 0 {
            return None;
        }
        // The most Yes that stay below the band is one fewer than the least
        // that reach it; with a floor of 0 there is no such count.
        let most_below = least_yes_reaching(judged, thresholds.floor(rating)).checked_sub(1)?;
        let changes = u64::from(self.yes).saturating_sub(most_below);
        u32::try_from(changes).ok()
    }

    /// This key question's margin in its own band.
    pub fn margin(&self, thresholds: &Thresholds) -> Margin {
        let Some(percent) = self.percent() else {
            return Margin::default();
        };
        let band = thresholds.rate(percent);
        Margin {
            up: band
                .above()
                .and_then(|above| self.changes_to_reach(thresholds, above)),
            down: band
                .below()
                .and_then(|_| self.changes_to_fall_below(thresholds, band)),
        }
    }
}

/// A domain two standard's margin, and where the changes would have to fall.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StandardMargin {
    pub margin: Margin,
    /// The key questions (indexes into the slice given) that `margin.up`
    /// changes fall on, with how many each: every judged key question below
    /// the next band needs its own.
    pub up_by: Vec<(usize, u32)>,
    /// The key question whose fall would lower the standard soonest.
    pub down_via: Option<usize>,
}

/// The margin of a standard rated `rating` (its lowest key-question band)
/// from its key questions' counts, in framework order.
///
/// Up: the standard rises only when every judged key question reaches the
/// band above, so the changes add up. Down: it falls as soon as one key
/// question falls below its band, so the cheapest one counts. Key questions
/// with nothing judged take no part, as in the rating itself.
pub fn standard_margin(
    thresholds: &Thresholds,
    rating: Option<Rating>,
    key_questions: &[Counts],
) -> StandardMargin {
    let Some(rating) = rating else {
        return StandardMargin::default();
    };
    let judged = || {
        key_questions
            .iter()
            .enumerate()
            .filter(|(_, counts)| counts.judged() > 0)
    };
    let up_by: Option<Vec<(usize, u32)>> = rating.above().and_then(|above| {
        judged()
            .map(|(index, counts)| Some((index, counts.changes_to_reach(thresholds, above)?)))
            .collect()
    });
    let up_by: Vec<(usize, u32)> = up_by
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, changes)| *changes > 0)
        .collect();
    let up = (!up_by.is_empty()).then(|| up_by.iter().map(|(_, changes)| changes).sum());
    let down = rating.below().and_then(|_| {
        judged()
            .filter_map(|(index, counts)| {
                counts
                    .changes_to_fall_below(thresholds, rating)
                    .map(|changes| (changes, index))
            })
            .min()
    });
    StandardMargin {
        margin: Margin {
            up,
            down: down.map(|(changes, _)| changes),
        },
        up_by,
        down_via: down.map(|(_, index)| index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Bands;

    const T: Thresholds = Bands::PDU_2023.key_question;

    #[test]
    fn hertfordshire_2_1_1_is_three_from_good_and_six_from_inadequate() {
        // 32 of 54 = 59%: 35 of 54 = 64.8% rounds to 65; 26 of 54 = 48.1%.
        let m = Counts::new(32, 22, 0).margin(&T);
        assert_eq!(
            m,
            Margin {
                up: Some(3),
                down: Some(6)
            }
        );
    }

    #[test]
    fn the_ends_of_the_scale_have_one_side_only() {
        // 43 of 54 = 80%, Outstanding; one Yes fewer is 42 of 54 = 77.8%.
        assert_eq!(
            Counts::new(43, 11, 0).margin(&T),
            Margin {
                up: None,
                down: Some(1)
            }
        );
        // 9 of 54 = 17%: 27 of 54 = 50% is Requires improvement.
        assert_eq!(
            Counts::new(9, 45, 0).margin(&T),
            Margin {
                up: Some(18),
                down: None
            }
        );
        assert_eq!(Counts::new(0, 0, 4).margin(&T), Margin::default());
    }

    #[test]
    fn a_band_out_of_reach_has_no_margin() {
        // Outstanding at 101% cannot be reached by any count.
        let t = Thresholds {
            requires_improvement: 50,
            good: 65,
            outstanding: 101,
        };
        assert_eq!(Counts::new(9, 1, 0).margin(&t).up, None);
        // A band from 0: nothing is below it.
        let t = Thresholds {
            requires_improvement: 0,
            good: 65,
            outstanding: 80,
        };
        assert_eq!(Counts::new(1, 9, 0).margin(&t).down, None);
    }

    #[test]
    fn a_standard_needs_every_low_key_question_lifted_and_falls_with_its_cheapest() {
        // Hertfordshire's Assessment: 59%, 65%, 17%, rated Inadequate.
        let kqs = [
            Counts::new(32, 22, 0),
            Counts::new(35, 19, 0),
            Counts::new(9, 45, 0),
        ];
        let m = standard_margin(&T, Some(Rating::Inadequate), &kqs);
        assert_eq!(
            m.margin,
            Margin {
                up: Some(18),
                down: None
            }
        );
        assert_eq!(m.up_by, vec![(2, 18)]);
        // Two key questions of Gwent, 41 and 39 of 57 (72%, 68%), rated Good:
        // up needs 80% on both (46 of 57 is 80.7%: 5 and 7 more); down, 37
        // of 57 is still 65% (64.9 rounds up), so 39 falls with 3 fewer.
        let good = [Counts::new(41, 16, 0), Counts::new(39, 18, 0)];
        let m = standard_margin(&T, Some(Rating::Good), &good);
        assert_eq!(
            m.margin,
            Margin {
                up: Some(12),
                down: Some(3)
            }
        );
        assert_eq!(m.up_by, vec![(0, 5), (1, 7)]);
        assert_eq!(m.down_via, Some(1));
    }
}
