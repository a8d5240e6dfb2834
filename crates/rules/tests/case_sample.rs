//! The case sampler (docs/sampling.md): property tests over random long
//! lists, and a worked example of a long list of 1,000 cases built here.

use std::collections::{HashMap, HashSet};

use casemark_rules::{
    DrawRequest, ListedCase, ListedSex, PRACTITIONER_CAP, Stratum, draw_sample, share_hundredths,
};
use proptest::prelude::*;

const STARTED_BY: &str = "2026-02-01";

fn listed_case() -> impl Strategy<Value = ListedCase> {
    (
        (0u8..20, prop::option::of(0u8..40), 0u8..100),
        (0u8..3, any::<bool>(), prop::option::of(any::<bool>())),
        (0u8..3, 0u8..12, 0u8..10, 0u8..40),
    )
        .prop_map(
            |(
                (crn, pnc, sex),
                (office, licence, rosh_low),
                (sex_gap, practitioner, start, flags),
            )| {
                ListedCase {
                    row: 0,
                    // Few distinct CRNs and PNCs: duplicates are common.
                    crn: format!("X{}", u32::from(crn) * 7 + u32::from(flags)),
                    pnc: pnc.map(|p| format!("2001/{p}")),
                    first_name: None,
                    last_name: None,
                    date_of_birth: None,
                    sex: match (sex, sex_gap) {
                        (_, 0) => None,
                        (0..25, _) => Some(ListedSex::Female),
                        _ => Some(ListedSex::Male),
                    },
                    licence,
                    rosh_low,
                    office: ["Luton", "Bedford", "Dunstable"][usize::from(office)].to_owned(),
                    // Practitioner 0 has many cases: the cap bites.
                    practitioner: format!("P{}", if practitioner < 4 { 0 } else { practitioner }),
                    start_date: Some(format!("2026-01-{:02}", 10 + start * 3)),
                    sensitive: flags == 0,
                }
            },
        )
}

fn long_list() -> impl Strategy<Value = Vec<ListedCase>> {
    prop::collection::vec(listed_case(), 0..250).prop_map(|mut cases| {
        for (i, c) in cases.iter_mut().enumerate() {
            c.row = i + 2;
        }
        cases
    })
}

fn request(size: usize, buffer_percent: u32, seed: u64) -> DrawRequest {
    DrawRequest {
        size,
        buffer_percent,
        seed,
        started_by: STARTED_BY.to_owned(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_draw_keeps_the_method(
        list in long_list(),
        size in 0usize..90,
        buffer in 0u32..60,
        seed in any::<u64>(),
    ) {
        let draw = draw_sample(&list, &request(size, buffer, seed));
        // The size is exact unless a shortfall is reported.
        prop_assert_eq!(draw.drawn.len() + draw.shortfall, size);
        // Excluded cases are never drawn nor reserves; nothing twice.
        let excluded: HashSet<usize> = draw.excluded.iter().map(|(i, _)| *i).collect();
        let mut seen = HashSet::new();
        for p in draw.drawn.iter().chain(&draw.reserves) {
            prop_assert!(!excluded.contains(&p.index));
            prop_assert!(seen.insert(p.index), "drawn once");
        }
        // Never more than the cap from one practitioner.
        let mut per: HashMap<&str, usize> = HashMap::new();
        for p in &draw.drawn {
            *per.entry(list[p.index].practitioner.as_str()).or_default() += 1;
        }
        prop_assert!(per.values().all(|n| *n <= PRACTITIONER_CAP), "{per:?}");
        // Each stratum within 1 of its proportional share, unless short.
        let eligible: usize = draw.strata.iter().map(|s| s.eligible).sum();
        let wanted = size.min(eligible);
        for s in &draw.strata {
            prop_assert_eq!(
                s.drawn,
                draw.drawn.iter().filter(|p| p.stratum == s.stratum).count()
            );
            if draw.shortfall == 0 && eligible > 0 {
                let exact = wanted * s.eligible;
                prop_assert!(s.drawn * eligible + eligible >= exact && s.drawn * eligible <= exact + eligible,
                    "{:?}: {} of {} for {} of {}", s.stratum, s.drawn, wanted, s.eligible, eligible);
            }
            // Reserves: the buffer, rounded up, where there are cases for it.
            prop_assert!(s.reserves <= (s.drawn * buffer as usize).div_ceil(100));
        }
        // Reserves come from the stratum they stand in for.
        for r in &draw.reserves {
            prop_assert!(draw.strata.iter().any(|s| s.stratum == r.stratum));
            prop_assert!(per.get(list[r.index].practitioner.as_str()).copied().unwrap_or(0) < PRACTITIONER_CAP);
        }
        // The same list, request and seed: the same draw.
        prop_assert_eq!(draw_sample(&list, &request(size, buffer, seed)), draw);
    }
}

/// The worked example's long list: 1,000 eligible cases in the five strata
/// (400, 200, 250, 50, 100), across two offices and 100 practitioners of
/// ten cases each, and 30 more that are excluded.
fn thousand() -> Vec<ListedCase> {
    let mut list = Vec::new();
    let strata = [
        (Stratum::MaleCommunityNotLow, 400),
        (Stratum::MaleCommunityLow, 200),
        (Stratum::MaleLicenceNotLow, 250),
        (Stratum::MaleLicenceLow, 50),
        (Stratum::Female, 100),
    ];
    for (stratum, count) in strata {
        for _ in 0..count {
            let n = list.len();
            list.push(ListedCase {
                row: n + 2,
                crn: format!("X{n:04}"),
                pnc: Some(format!("2001/{n}")),
                first_name: Some(format!("First{n}")),
                last_name: Some("Case".into()),
                date_of_birth: Some("1990-01-01".into()),
                sex: Some(if stratum == Stratum::Female {
                    ListedSex::Female
                } else {
                    ListedSex::Male
                }),
                licence: matches!(
                    stratum,
                    Stratum::MaleLicenceNotLow | Stratum::MaleLicenceLow
                ),
                rosh_low: Some(matches!(
                    stratum,
                    Stratum::MaleCommunityLow | Stratum::MaleLicenceLow
                )),
                office: if n % 5 < 3 { "Luton" } else { "Bedford" }.into(),
                practitioner: format!("Practitioner {}", n % 100),
                start_date: Some("2026-01-15".into()),
                sensitive: false,
            });
        }
    }
    let base = list[0].clone();
    let mut extra = |change: &dyn Fn(&mut ListedCase, usize)| {
        let n = list.len();
        let mut case = ListedCase {
            row: n + 2,
            crn: format!("Y{n:04}"),
            pnc: None,
            ..base.clone()
        };
        change(&mut case, n);
        list.push(case);
    };
    for _ in 0..10 {
        extra(&|c, _| c.sensitive = true);
    }
    for _ in 0..5 {
        extra(&|c, _| c.start_date = Some("2026-02-02".into()));
    }
    for _ in 0..5 {
        extra(&|c, _| c.sex = None);
    }
    // Ten later cases of people already on the list: same PNC, CRN, or name
    // and date of birth.
    for i in 0..10usize {
        extra(&move |c, _| {
            c.start_date = Some("2026-01-20".into());
            match i % 3 {
                0 => c.pnc = Some(format!("2001/{i}")),
                1 => c.crn = format!("X{i:04}"),
                _ => {
                    c.first_name = Some(format!("First{i}"));
                    c.pnc = None;
                }
            }
        });
    }
    list
}

#[test]
fn a_long_list_of_a_thousand_cases() {
    let list = thousand();
    assert_eq!(list.len(), 1030);
    let draw = draw_sample(&list, &request(54, 20, 7));
    let excluded = |reason: &str| {
        draw.excluded
            .iter()
            .filter(|(_, e)| e.reason().starts_with(reason))
            .count()
    };
    assert_eq!(
        (
            excluded("Sensitive"),
            excluded("Not yet started"),
            excluded("Sex not recorded"),
            excluded("Duplicate")
        ),
        (10, 5, 5, 10)
    );
    // 54 × 400/1000 = 21.6, × 200 = 10.8, × 250 = 13.5, × 50 = 2.7, × 100 =
    // 5.4: rounded 22 + 11 + 14 + 3 + 5 = 55, one over; the largest stratum
    // rounded up gives one back.
    let sizes: Vec<(usize, usize, usize)> = draw
        .strata
        .iter()
        .map(|s| (s.eligible, s.drawn, s.reserves))
        .collect();
    // Reserves: 20% of each, rounded up: 4.2 → 5, 2.2 → 3, 2.8 → 3, 0.6 → 1, 1.
    assert_eq!(
        sizes,
        [
            (400, 21, 5),
            (200, 11, 3),
            (250, 14, 3),
            (50, 3, 1),
            (100, 5, 1)
        ]
    );
    assert_eq!(
        (draw.drawn.len(), draw.reserves.len(), draw.shortfall),
        (54, 13, 0)
    );
    // The shares the preview shows: 40.00% of the list, 38.89% of the sample.
    assert_eq!(share_hundredths(400, 1000), Some(4000));
    assert_eq!(share_hundredths(21, 54), Some(3889));
    // Ten cases each: nobody near the cap; offices in proportion (60/40):
    // each stratum's Luton share within one of 60%.
    assert!(draw.at_cap.is_empty());
    for s in &draw.strata {
        let luton = draw
            .drawn
            .iter()
            .filter(|p| p.stratum == s.stratum && list[p.index].office == "Luton")
            .count();
        assert!(
            luton * 5 + 5 >= s.drawn * 3 && luton * 5 <= s.drawn * 3 + 5,
            "{s:?}: {luton}"
        );
    }
    // Repeatable, and another seed draws other cases.
    assert_eq!(draw_sample(&list, &request(54, 20, 7)), draw);
    let other = draw_sample(&list, &request(54, 20, 8));
    assert_ne!(other.drawn, draw.drawn);
    assert_eq!(
        other.strata.iter().map(|s| s.drawn).collect::<Vec<_>>(),
        [21, 11, 14, 3, 5]
    );
}
