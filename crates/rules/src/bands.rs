use crate::Rating;

/// The lowest value that earns each rating above Inadequate.
///
/// Values below `requires_improvement` are Inadequate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    pub requires_improvement: u8,
    pub good: u8,
    pub outstanding: u8,
}

impl Thresholds {
    /// The rating a value earns.
    pub fn rate(&self, value: u8) -> Rating {
        if value >= self.outstanding {
            Rating::Outstanding
        } else if value >= self.good {
            Rating::Good
        } else if value >= self.requires_improvement {
            Rating::RequiresImprovement
        } else {
            Rating::Inadequate
        }
    }

    /// The lowest value that earns `rating` (0 for Inadequate).
    pub fn floor(&self, rating: Rating) -> u8 {
        match rating {
            Rating::Inadequate => 0,
            Rating::RequiresImprovement => self.requires_improvement,
            Rating::Good => self.good,
            Rating::Outstanding => self.outstanding,
        }
    }

    /// Thresholds must rise strictly, or a band would be empty.
    pub fn is_ascending(&self) -> bool {
        self.requires_improvement < self.good && self.good < self.outstanding
    }
}

/// The rating bands of a framework version. They are data: the application
/// loads them from the framework version an inspection was marked under, so a
/// later change of bands never re-rates a past inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bands {
    /// On a domain two standard's lowest rounded key-question percentage.
    pub key_question: Thresholds,
    /// On the composite score.
    pub overall: Thresholds,
}

impl Bands {
    /// The bands of the PDU programme that began in 2023: key questions
    /// below 50 / 50–64 / 65–79 / 80+, overall 0–3 / 4–10 / 11–17 / 18–21.
    /// The framework seed migration writes the same figures; a test checks
    /// that the two agree.
    pub const PDU_2023: Bands = Bands {
        key_question: Thresholds {
            requires_improvement: 50,
            good: 65,
            outstanding: 80,
        },
        overall: Thresholds {
            requires_improvement: 4,
            good: 11,
            outstanding: 18,
        },
    };

    /// A domain two standard's rating from its lowest key-question percentage.
    pub fn key_question_rating(&self, percent: u8) -> Rating {
        self.key_question.rate(percent)
    }

    /// The overall rating from the composite score.
    pub fn overall_rating(&self, score: u8) -> Rating {
        self.overall.rate(score)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdu_2023_edges() {
        let b = Bands::PDU_2023;
        assert_eq!(b.key_question_rating(49), Rating::Inadequate);
        assert_eq!(b.key_question_rating(50), Rating::RequiresImprovement);
        assert_eq!(b.key_question_rating(64), Rating::RequiresImprovement);
        assert_eq!(b.key_question_rating(65), Rating::Good);
        assert_eq!(b.key_question_rating(79), Rating::Good);
        assert_eq!(b.key_question_rating(80), Rating::Outstanding);
        assert_eq!(b.overall_rating(3), Rating::Inadequate);
        assert_eq!(b.overall_rating(4), Rating::RequiresImprovement);
        assert_eq!(b.overall_rating(10), Rating::RequiresImprovement);
        assert_eq!(b.overall_rating(11), Rating::Good);
        assert_eq!(b.overall_rating(17), Rating::Good);
        assert_eq!(b.overall_rating(18), Rating::Outstanding);
        assert!(b.key_question.is_ascending() && b.overall.is_ascending());
    }
}
