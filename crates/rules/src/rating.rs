use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The inspectorate's four-point scale, ordered from worst to best so that
/// `min`/`max` and comparisons read naturally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Inadequate,
    RequiresImprovement,
    Good,
    Outstanding,
}

impl Rating {
    /// Worst first.
    pub const ALL: [Rating; 4] = [
        Rating::Inadequate,
        Rating::RequiresImprovement,
        Rating::Good,
        Rating::Outstanding,
    ];

    /// The most a single standard can score.
    pub const MAX_SCORE: u8 = 3;

    /// Inadequate 0, Requires improvement 1, Good 2, Outstanding 3.
    pub fn score(self) -> u8 {
        match self {
            Rating::Inadequate => 0,
            Rating::RequiresImprovement => 1,
            Rating::Good => 2,
            Rating::Outstanding => 3,
        }
    }

    /// The next rating up the scale; `None` for Outstanding.
    pub fn above(self) -> Option<Rating> {
        Rating::ALL.get(usize::from(self.score()) + 1).copied()
    }

    /// The next rating down the scale; `None` for Inadequate.
    pub fn below(self) -> Option<Rating> {
        usize::from(self.score())
            .checked_sub(1)
            .map(|i| Rating::ALL[i])
    }

    /// The machine code used in the database, the JSON API and form values.
    pub fn code(self) -> &'static str {
        match self {
            Rating::Inadequate => "inadequate",
            Rating::RequiresImprovement => "requires_improvement",
            Rating::Good => "good",
            Rating::Outstanding => "outstanding",
        }
    }

    /// The wording of published reports.
    pub fn label(self) -> &'static str {
        match self {
            Rating::Inadequate => "Inadequate",
            Rating::RequiresImprovement => "Requires improvement",
            Rating::Good => "Good",
            Rating::Outstanding => "Outstanding",
        }
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A string that is neither a rating code nor a published label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRating(pub String);

impl fmt::Display for UnknownRating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a rating: use inadequate, requires_improvement, good or outstanding",
            self.0
        )
    }
}

impl std::error::Error for UnknownRating {}

impl FromStr for Rating {
    type Err = UnknownRating;

    /// Accepts the code (`requires_improvement`) or the label
    /// (`Requires improvement`), case-insensitively, so both API clients and
    /// people pasting from a report are understood.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Rating::ALL
            .into_iter()
            .find(|r| {
                r.code().eq_ignore_ascii_case(wanted) || r.label().eq_ignore_ascii_case(wanted)
            })
            .ok_or_else(|| UnknownRating(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_labels() {
        for r in Rating::ALL {
            assert_eq!(r.code().parse::<Rating>(), Ok(r));
            assert_eq!(r.label().to_uppercase().parse::<Rating>(), Ok(r));
        }
        assert!("excellent".parse::<Rating>().is_err());
    }

    #[test]
    fn scores_rise_with_the_scale() {
        let scores: Vec<u8> = Rating::ALL.iter().map(|r| r.score()).collect();
        assert_eq!(scores, [0, 1, 2, 3]);
    }

    #[test]
    fn above_and_below_step_along_the_scale() {
        use Rating::*;
        assert_eq!(Inadequate.above(), Some(RequiresImprovement));
        assert_eq!(Good.above(), Some(Outstanding));
        assert_eq!(Outstanding.above(), None);
        assert_eq!(Outstanding.below(), Some(Good));
        assert_eq!(RequiresImprovement.below(), Some(Inadequate));
        assert_eq!(Inadequate.below(), None);
    }
}
