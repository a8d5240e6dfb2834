use std::cmp::Ordering;

/// One key question's (or prompt's) answers over an inspection's cases.
///
/// N/A answers are kept so that reports can say how many cases were relevant,
/// but they are left out of the percentage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub yes: u32,
    pub no: u32,
    pub na: u32,
}

impl Counts {
    pub fn new(yes: u32, no: u32, na: u32) -> Self {
        Counts { yes, no, na }
    }

    /// Cases judged Yes or No: the percentage's denominator.
    pub fn judged(&self) -> u32 {
        self.yes + self.no
    }

    /// Yes ÷ (Yes + No) as a whole number, rounded half up (64.5 → 65), or
    /// `None` while no case has been judged Yes or No.
    ///
    /// Integer arithmetic, so 43 of 54 (79.63%) is 80 and 35 of 54 (64.81%)
    /// is 65 exactly as published, with no floating-point edge to trip on.
    pub fn percent(&self) -> Option<u8> {
        let judged = u64::from(self.judged());
        if judged == 0 {
            return None;
        }
        let yes = u64::from(self.yes);
        // floor(100·yes/judged + 1/2) = floor((200·yes + judged) / (2·judged))
        let rounded = (200 * yes + judged) / (2 * judged);
        Some(u8::try_from(rounded).expect("a share of judged cases is at most 100"))
    }

    /// Orders two tallies by their exact Yes share, without rounding. Used to
    /// break ties between key questions whose rounded percentages are equal.
    pub(crate) fn cmp_exact_share(&self, other: &Counts) -> Ordering {
        let left = u64::from(self.yes) * u64::from(other.judged());
        let right = u64::from(other.yes) * u64::from(self.judged());
        left.cmp(&right)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_judged_has_no_percentage() {
        assert_eq!(Counts::new(0, 0, 7).percent(), None);
    }

    #[test]
    fn halves_round_up() {
        assert_eq!(Counts::new(129, 71, 0).percent(), Some(65)); // 64.5
        assert_eq!(Counts::new(99, 101, 0).percent(), Some(50)); // 49.5
        assert_eq!(Counts::new(1, 1, 0).percent(), Some(50));
        assert_eq!(Counts::new(1, 2, 0).percent(), Some(33)); // 33.3
        assert_eq!(Counts::new(2, 1, 0).percent(), Some(67)); // 66.7
    }

    #[test]
    fn published_roundings() {
        assert_eq!(Counts::new(43, 11, 0).percent(), Some(80)); // Hertfordshire 2.3.1
        assert_eq!(Counts::new(35, 19, 0).percent(), Some(65)); // Hertfordshire 2.1.2
        assert_eq!(Counts::new(17, 30, 10).percent(), Some(36)); // Gwent 2.4.3
    }

    #[test]
    fn na_is_left_out() {
        assert_eq!(Counts::new(1, 1, 100).percent(), Some(50));
    }
}
