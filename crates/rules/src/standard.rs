use crate::{Bands, Counts, Rating};

/// A domain two standard's rating and the key question that drives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandardRating {
    /// `None` while none of its key questions has a Yes or No judgement.
    pub rating: Option<Rating>,
    /// Index (into the slice given) of the key question with the lowest
    /// percentage: the one a report emphasises.
    pub driving: Option<usize>,
}

/// Rates a domain two standard from its key questions' counts, in framework
/// order: the lowest rounded percentage sets the band.
///
/// Key questions with nothing judged (every case N/A, or none marked yet) are
/// left out; the standard is unrated only if all of them are. When two key
/// questions share the lowest rounded percentage, the driving one is the lower
/// exact share, then the earlier in framework order, so the choice is stable.
pub fn rate_domain_two_standard(bands: &Bands, key_questions: &[Counts]) -> StandardRating {
    let lowest = key_questions
        .iter()
        .enumerate()
        .filter_map(|(index, counts)| counts.percent().map(|p| (index, counts, p)))
        .min_by(|(ia, a, pa), (ib, b, pb)| {
            pa.cmp(pb)
                .then_with(|| a.cmp_exact_share(b))
                .then_with(|| ia.cmp(ib))
        });
    match lowest {
        Some((index, _, percent)) => StandardRating {
            rating: Some(bands.key_question_rating(percent)),
            driving: Some(index),
        },
        None => StandardRating {
            rating: None,
            driving: None,
        },
    }
}

/// The composite score and overall rating of an inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Composite {
    pub score: u8,
    pub max_score: u8,
    pub overall: Rating,
}

/// Adds the standards' scores and bands the total. `None` until every
/// standard is rated: a score out of 21 with a standard missing would be
/// lower than any real one and mislead.
pub fn composite(bands: &Bands, standards: &[Option<Rating>]) -> Option<Composite> {
    let ratings: Option<Vec<Rating>> = standards.iter().copied().collect();
    let ratings = ratings?;
    if ratings.is_empty() {
        return None;
    }
    let score = ratings.iter().map(|r| r.score()).sum();
    let max_score = Rating::MAX_SCORE * u8::try_from(ratings.len()).ok()?;
    Some(Composite {
        score,
        max_score,
        overall: bands.overall_rating(score),
    })
}

/// Ratings are provisional until every case of the sample is complete (and an
/// empty sample is provisional: there is nothing to rate yet).
pub fn is_provisional(cases_complete: u32, cases_total: u32) -> bool {
    cases_total == 0 || cases_complete < cases_total
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: Bands = Bands::PDU_2023;

    #[test]
    fn lowest_key_question_drives() {
        let kqs = [
            Counts::new(32, 22, 0),
            Counts::new(35, 19, 0),
            Counts::new(9, 45, 0),
        ];
        assert_eq!(
            rate_domain_two_standard(&B, &kqs),
            StandardRating {
                rating: Some(Rating::Inadequate),
                driving: Some(2)
            }
        );
    }

    #[test]
    fn unjudged_key_questions_are_left_out() {
        let kqs = [
            Counts::new(9, 1, 0),
            Counts::default(),
            Counts::new(0, 0, 5),
        ];
        let r = rate_domain_two_standard(&B, &kqs);
        assert_eq!(r.rating, Some(Rating::Outstanding));
        assert_eq!(r.driving, Some(0));
        assert_eq!(
            rate_domain_two_standard(&B, &[Counts::default(); 3]),
            StandardRating {
                rating: None,
                driving: None
            }
        );
    }

    #[test]
    fn ties_break_on_exact_share_then_order() {
        // 129/200 = 64.5% and 13/20 = 65%: both display 65.
        let kqs = [Counts::new(13, 7, 0), Counts::new(129, 71, 0)];
        assert_eq!(rate_domain_two_standard(&B, &kqs).driving, Some(1));
        let same = [Counts::new(1, 1, 0), Counts::new(2, 2, 0)];
        assert_eq!(rate_domain_two_standard(&B, &same).driving, Some(0));
    }

    #[test]
    fn composite_needs_every_standard() {
        use Rating::*;
        let mut seven = [Some(RequiresImprovement); 7];
        let c = composite(&B, &seven).expect("all rated");
        assert_eq!(
            (c.score, c.max_score, c.overall),
            (7, 21, RequiresImprovement)
        );
        seven[3] = None;
        assert_eq!(composite(&B, &seven), None);
        assert_eq!(composite(&B, &[]), None);
    }

    #[test]
    fn provisional_until_all_complete() {
        assert!(is_provisional(0, 0));
        assert!(is_provisional(53, 54));
        assert!(!is_provisional(54, 54));
    }
}
