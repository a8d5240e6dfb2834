//! Drawing an inspection's case sample from the long list: every case whose
//! order or licence started in the sample weeks. The method is the one the
//! Ministry of Justice's probation-case-sampler describes; docs/sampling.md
//! gives it in full, with each choice made where that description is
//! silent.
//!
//! 1. Exclude sensitive cases, cases not yet started, cases with no sex
//!    recorded, then duplicates (same PNC, same CRN, or same first name,
//!    last name and date of birth), keeping the earliest.
//! 2. Put each remaining case in one of five strata ([`Stratum`]).
//! 3. Size each stratum in proportion to the long list ([`apportion`]), and
//!    within it each office, and within an office each practitioner, with
//!    no more than [`PRACTITIONER_CAP`] cases from one practitioner; a
//!    practitioner's shortfall is taken from others of the same office,
//!    then of other offices of the stratum, and only then reported.
//! 4. Draw each practitioner's cases at random with the recorded seed, and
//!    order a buffer of reserves per stratum.
//!
//! Pure and repeatable: the same long list, request and seed give the same
//! draw on any machine ([`SplitMix64`]).

use std::collections::{BTreeMap, HashMap};

use crate::SplitMix64;

/// The most cases drawn from one practitioner (responsible officer).
pub const PRACTITIONER_CAP: usize = 6;

/// The five strata of the method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stratum {
    MaleCommunityNotLow,
    MaleCommunityLow,
    MaleLicenceNotLow,
    MaleLicenceLow,
    Female,
}

impl Stratum {
    pub const ALL: [Stratum; 5] = [
        Stratum::MaleCommunityNotLow,
        Stratum::MaleCommunityLow,
        Stratum::MaleLicenceNotLow,
        Stratum::MaleLicenceLow,
        Stratum::Female,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stratum::MaleCommunityNotLow => "male_community_not_low",
            Stratum::MaleCommunityLow => "male_community_low",
            Stratum::MaleLicenceNotLow => "male_licence_not_low",
            Stratum::MaleLicenceLow => "male_licence_low",
            Stratum::Female => "female",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Stratum::MaleCommunityNotLow => "Male, community sentence, RoSH not low",
            Stratum::MaleCommunityLow => "Male, community sentence, RoSH low",
            Stratum::MaleLicenceNotLow => "Male, post-custody licence, RoSH not low",
            Stratum::MaleLicenceLow => "Male, post-custody licence, RoSH low",
            Stratum::Female => "Female",
        }
    }

    pub fn parse(code: &str) -> Option<Stratum> {
        Stratum::ALL.into_iter().find(|s| s.code() == code)
    }

    /// A male case with no RoSH level recorded counts as not low: an
    /// unknown risk is not treated as a low one.
    fn of(case: &ListedCase) -> Option<Stratum> {
        let low = case.rosh_low == Some(true);
        Some(match (case.sex?, case.licence, low) {
            (Sex::Female, _, _) => Stratum::Female,
            (Sex::Male, false, false) => Stratum::MaleCommunityNotLow,
            (Sex::Male, false, true) => Stratum::MaleCommunityLow,
            (Sex::Male, true, false) => Stratum::MaleLicenceNotLow,
            (Sex::Male, true, true) => Stratum::MaleLicenceLow,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

/// One row of the long list, as the method needs it. Dates are YYYY-MM-DD.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListedCase {
    /// The long list's row, for messages.
    pub row: usize,
    pub crn: String,
    pub pnc: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub sex: Option<Sex>,
    /// On a post-custody licence rather than a community sentence.
    pub licence: bool,
    /// RoSH recorded low (`Some(true)`), not low, or not recorded.
    pub rosh_low: Option<bool>,
    pub office: String,
    pub practitioner: String,
    pub start_date: Option<String>,
    pub sensitive: bool,
}

/// Why a case of the long list cannot be drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exclusion {
    Sensitive,
    /// No start date, or one after the date the draw counts from.
    NotStarted,
    NoSex,
    /// The same person as an earlier case of the list (by row).
    Duplicate {
        of_row: usize,
        by: DuplicateBy,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateBy {
    Pnc,
    Crn,
    NameAndBirth,
}

impl Exclusion {
    pub fn reason(&self) -> String {
        match self {
            Exclusion::Sensitive => "Sensitive case".to_owned(),
            Exclusion::NotStarted => "Not yet started".to_owned(),
            Exclusion::NoSex => "Sex not recorded".to_owned(),
            Exclusion::Duplicate { of_row, by } => format!(
                "Duplicate of row {of_row} (same {})",
                match by {
                    DuplicateBy::Pnc => "PNC",
                    DuplicateBy::Crn => "CRN",
                    DuplicateBy::NameAndBirth => "name and date of birth",
                }
            ),
        }
    }
}

/// What the lead asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub size: usize,
    /// Reserves per stratum: this percentage of its drawn cases, rounded up.
    pub buffer_percent: u32,
    pub seed: u64,
    /// A case starting after this date (YYYY-MM-DD) has not started yet.
    pub started_by: String,
}

/// One stratum's figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratumDraw {
    pub stratum: Stratum,
    /// Its eligible cases of the long list.
    pub eligible: usize,
    /// Its proportional share of the sample, rounded as [`apportion`] does.
    pub target: usize,
    pub drawn: usize,
    pub reserves: usize,
}

/// A drawn or reserve case: its index in the long list given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picked {
    pub index: usize,
    pub stratum: Stratum,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draw {
    /// (index in the long list, why), in the list's order.
    pub excluded: Vec<(usize, Exclusion)>,
    pub strata: Vec<StratumDraw>,
    /// By stratum, then office and practitioner (by name), then at random.
    pub drawn: Vec<Picked>,
    /// By stratum, each stratum's in the order they are to be used.
    pub reserves: Vec<Picked>,
    /// How many fewer cases than asked for could be drawn.
    pub shortfall: usize,
    /// Practitioners with [`PRACTITIONER_CAP`] cases drawn, by name.
    pub at_cap: Vec<String>,
}

/// Draws the sample. See the module's comment and docs/sampling.md.
pub fn draw_sample(list: &[ListedCase], request: &Request) -> Draw {
    let excluded = exclusions(list, &request.started_by);
    let excluded_at: HashMap<usize, ()> = excluded.iter().map(|(i, _)| (*i, ())).collect();
    let mut by_stratum: BTreeMap<Stratum, Vec<usize>> = BTreeMap::new();
    for (index, case) in list.iter().enumerate() {
        if excluded_at.contains_key(&index) {
            continue;
        }
        if let Some(stratum) = Stratum::of(case) {
            by_stratum.entry(stratum).or_default().push(index);
        }
    }
    let eligible: Vec<usize> = Stratum::ALL
        .iter()
        .map(|s| by_stratum.get(s).map_or(0, Vec::len))
        .collect();
    let total: usize = eligible.iter().sum();
    let wanted = request.size.min(total);
    let targets = apportion(wanted, &eligible, &eligible);

    let mut rng = SplitMix64::new(request.seed);
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut drawn = Vec::new();
    let mut strata = Vec::new();
    let mut shortfall = request.size - wanted;
    for (s, stratum) in Stratum::ALL.into_iter().enumerate() {
        let pool = by_stratum.get(&stratum).cloned().unwrap_or_default();
        let quotas = practitioner_quotas(list, &pool, targets[s], &used);
        let mut taken = 0;
        for ((_, practitioner), (cases, quota)) in &quotas {
            for index in pick(cases, *quota, &mut rng) {
                drawn.push(Picked { index, stratum });
            }
            *used.entry(practitioner.clone()).or_default() += *quota;
            taken += *quota;
        }
        shortfall += targets[s] - taken;
        strata.push(StratumDraw {
            stratum,
            eligible: eligible[s],
            target: targets[s],
            drawn: taken,
            reserves: 0,
        });
    }

    // Reserves: the stratum's other cases, at random, from practitioners
    // still under the cap.
    let chosen: HashMap<usize, ()> = drawn.iter().map(|p| (p.index, ())).collect();
    let mut reserves = Vec::new();
    for (s, stratum) in Stratum::ALL.into_iter().enumerate() {
        let wanted = (strata[s].drawn * request.buffer_percent as usize).div_ceil(100);
        let candidates: Vec<usize> = by_stratum
            .get(&stratum)
            .into_iter()
            .flatten()
            .copied()
            .filter(|i| !chosen.contains_key(i))
            .filter(|i| {
                used.get(&practitioner_key(&list[*i].practitioner))
                    .copied()
                    .unwrap_or(0)
                    < PRACTITIONER_CAP
            })
            .collect();
        let order = pick(&candidates, wanted, &mut rng);
        strata[s].reserves = order.len();
        reserves.extend(order.into_iter().map(|index| Picked { index, stratum }));
    }

    let mut at_cap: Vec<String> = used
        .iter()
        .filter(|(_, n)| **n >= PRACTITIONER_CAP)
        .map(|(name, _)| {
            // The name as the list first wrote it.
            list.iter()
                .find(|c| practitioner_key(&c.practitioner) == *name)
                .map_or_else(|| name.clone(), |c| c.practitioner.trim().to_owned())
        })
        .collect();
    at_cap.sort();
    Draw {
        excluded,
        strata,
        drawn,
        reserves,
        shortfall,
        at_cap,
    }
}

/// The same practitioner however the list spells their name's case and
/// spaces: how the cap counts a practitioner's cases.
pub fn practitioner_key(practitioner: &str) -> String {
    practitioner
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The cases of the list that cannot be drawn, and why, in the list's
/// order: step 1 of the method (`started_by` as in [`Request`]).
pub fn exclusions(list: &[ListedCase], started_by: &str) -> Vec<(usize, Exclusion)> {
    let mut excluded = Vec::new();
    let mut remaining = Vec::new();
    for (index, case) in list.iter().enumerate() {
        let reason = if case.sensitive {
            Some(Exclusion::Sensitive)
        } else if case.start_date.as_deref().is_none_or(|d| d > started_by) {
            Some(Exclusion::NotStarted)
        } else if case.sex.is_none() {
            Some(Exclusion::NoSex)
        } else {
            None
        };
        match reason {
            Some(reason) => excluded.push((index, reason)),
            None => remaining.push(index),
        }
    }
    // Duplicates: the earliest start (then the earliest row) is kept.
    remaining.sort_by(|a, b| {
        (list[*a].start_date.as_deref(), list[*a].row)
            .cmp(&(list[*b].start_date.as_deref(), list[*b].row))
    });
    let norm = |s: &str| s.split_whitespace().collect::<String>().to_uppercase();
    let mut pncs: HashMap<String, usize> = HashMap::new();
    let mut crns: HashMap<String, usize> = HashMap::new();
    let mut people: HashMap<(String, String, String), usize> = HashMap::new();
    for index in remaining {
        let case = &list[index];
        let pnc = case.pnc.as_deref().map(norm).filter(|p| !p.is_empty());
        let crn = Some(norm(&case.crn)).filter(|c| !c.is_empty());
        let person = match (&case.first_name, &case.last_name, &case.date_of_birth) {
            (Some(f), Some(l), Some(d)) if !f.trim().is_empty() && !l.trim().is_empty() => {
                Some((norm(f), norm(l), d.trim().to_owned()))
            }
            _ => None,
        };
        let earlier = pnc
            .as_ref()
            .and_then(|p| pncs.get(p))
            .map(|row| (*row, DuplicateBy::Pnc))
            .or_else(|| {
                crn.as_ref()
                    .and_then(|c| crns.get(c))
                    .map(|row| (*row, DuplicateBy::Crn))
            })
            .or_else(|| {
                person
                    .as_ref()
                    .and_then(|p| people.get(p))
                    .map(|row| (*row, DuplicateBy::NameAndBirth))
            });
        match earlier {
            Some((of_row, by)) => excluded.push((index, Exclusion::Duplicate { of_row, by })),
            None => {
                if let Some(p) = pnc {
                    pncs.insert(p, case.row);
                }
                if let Some(c) = crn {
                    crns.insert(c, case.row);
                }
                if let Some(p) = person {
                    people.insert(p, case.row);
                }
            }
        }
    }
    excluded.sort_by_key(|(index, _)| *index);
    excluded
}

/// Each practitioner's cases in the stratum's pool and how many to draw,
/// keyed (office, practitioner) in name order. The stratum's `target` is
/// shared among offices in proportion, then within each office among its
/// practitioners, none given more than they can take (their cases here,
/// and the cap less what they have given already, in this stratum or an
/// earlier one). What a practitioner cannot take goes to others of the
/// office, then of other offices; what no one can take is the caller's
/// shortfall.
#[allow(clippy::type_complexity)]
fn practitioner_quotas(
    list: &[ListedCase],
    pool: &[usize],
    target: usize,
    used: &HashMap<String, usize>,
) -> BTreeMap<(String, String), (Vec<usize>, usize)> {
    let mut offices: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for &index in pool {
        let case = &list[index];
        offices
            .entry(case.office.trim().to_owned())
            .or_default()
            .entry(practitioner_key(&case.practitioner))
            .or_default()
            .push(index);
    }
    let mut quotas: BTreeMap<(String, String), (Vec<usize>, usize)> = BTreeMap::new();
    for (office, practitioners) in &offices {
        for (name, cases) in practitioners {
            quotas.insert((office.clone(), name.clone()), (cases.clone(), 0));
        }
    }
    // A practitioner's cases count against the cap wherever they are.
    let mut given: HashMap<String, usize> = used.clone();
    let sizes: Vec<usize> = offices
        .values()
        .map(|p| p.values().map(Vec::len).sum())
        .collect();
    let mut left_over = 0;
    for ((office, practitioners), office_quota) in
        offices.iter().zip(apportion(target, &sizes, &sizes))
    {
        let keys: Vec<(String, String)> = practitioners
            .keys()
            .map(|name| (office.clone(), name.clone()))
            .collect();
        let pools: Vec<usize> = practitioners.values().map(Vec::len).collect();
        let mut owed = office_quota;
        for (k, share) in keys.iter().zip(apportion(office_quota, &pools, &pools)) {
            let n = share.min(room(&quotas, &given, k));
            give(&mut quotas, &mut given, k, n);
            owed -= n;
        }
        left_over += fill(&mut quotas, &mut given, &keys, owed);
    }
    // What an office could not supply, from the stratum's other offices.
    let every: Vec<(String, String)> = quotas.keys().cloned().collect();
    fill(&mut quotas, &mut given, &every, left_over);
    quotas
}

type Quotas = BTreeMap<(String, String), (Vec<usize>, usize)>;

/// How many more a practitioner's cases in one office can give: those not
/// yet drawn, and no more than the cap allows them overall.
fn room(quotas: &Quotas, given: &HashMap<String, usize>, k: &(String, String)) -> usize {
    let (cases, n) = &quotas[k];
    let overall = given.get(&k.1).copied().unwrap_or(0);
    (cases.len() - n).min(PRACTITIONER_CAP.saturating_sub(overall))
}

fn give(quotas: &mut Quotas, given: &mut HashMap<String, usize>, k: &(String, String), n: usize) {
    if let Some(q) = quotas.get_mut(k) {
        q.1 += n;
    }
    *given.entry(k.1.clone()).or_default() += n;
}

/// Gives `owed` more among `keys`, one at a time, to whoever has the most
/// room left (the earliest on ties); returns what no one had room for.
fn fill(
    quotas: &mut Quotas,
    given: &mut HashMap<String, usize>,
    keys: &[(String, String)],
    mut owed: usize,
) -> usize {
    while owed > 0 {
        let roomiest = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (room(quotas, given, k), std::cmp::Reverse(i), k))
            .filter(|(r, _, _)| *r > 0)
            .max();
        let Some((_, _, k)) = roomiest else { break };
        let k = k.clone();
        give(quotas, given, &k, 1);
        owed -= 1;
    }
    owed
}

/// `n` of `items` at random (all if there are fewer), in the order drawn.
fn pick(items: &[usize], n: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut pool = items.to_vec();
    let n = n.min(pool.len());
    for i in 0..n {
        let j = i + rng.below((pool.len() - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

/// Shares `n` among groups in proportion to `sizes`, none above its `caps`
/// entry: each share rounded half up, then the total put right by adding
/// one to the smallest groups that were rounded down, or taking one from
/// the largest that were rounded up (the sampler's rule). Each share is
/// then within 1 of its exact proportion. `n` must not exceed the caps'
/// sum.
pub fn apportion(n: usize, sizes: &[usize], caps: &[usize]) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    if total == 0 {
        return vec![0; sizes.len()];
    }
    // Exact share = n·size / total; compare in integers.
    let exact = |i: usize| n * sizes[i];
    let mut shares: Vec<usize> = (0..sizes.len())
        .map(|i| ((2 * exact(i) + total) / (2 * total)).min(caps[i]))
        .collect();
    let mut sum: usize = shares.iter().sum();
    while sum < n {
        let rounded_down = |i: &usize| shares[*i] * total < exact(*i) && shares[*i] < caps[*i];
        let room = |i: &usize| shares[*i] < caps[*i];
        let smallest = (0..sizes.len())
            .filter(rounded_down)
            .min_by_key(|i| (sizes[*i], *i))
            .or_else(|| {
                (0..sizes.len())
                    .filter(room)
                    .min_by_key(|i| (sizes[*i], *i))
            });
        let Some(i) = smallest else { break };
        shares[i] += 1;
        sum += 1;
    }
    while sum > n {
        let rounded_up = |i: &usize| shares[*i] * total > exact(*i);
        let largest = (0..sizes.len())
            .filter(rounded_up)
            .max_by_key(|i| (sizes[*i], std::cmp::Reverse(*i)))
            .or_else(|| {
                (0..sizes.len())
                    .filter(|i| shares[*i] > 0)
                    .max_by_key(|i| (sizes[*i], std::cmp::Reverse(*i)))
            });
        let Some(i) = largest else { break };
        shares[i] -= 1;
        sum -= 1;
    }
    shares
}

/// A part of a whole in hundredths of a percent (2835 for 28.35%), rounded
/// half up; `None` for an empty whole.
pub fn share_hundredths(part: usize, whole: usize) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let value = (20_000 * part as u64 + whole as u64) / (2 * whole as u64);
    u32::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_put_right_on_the_smallest_and_largest_groups() {
        // 54 over 400/200/250/50/100: 21.6, 10.8, 13.5, 2.7, 5.4 round to
        // 22, 11, 14, 3, 5 = 55; one comes off the largest rounded up (400).
        let sizes = [400, 200, 250, 50, 100];
        assert_eq!(apportion(54, &sizes, &sizes), [21, 11, 14, 3, 5]);
        // 10 over three equal groups: 3.33 each rounds to 3 = 9; one goes to
        // the smallest rounded down (the first, on a tie).
        assert_eq!(apportion(10, &[5, 5, 5], &[5, 5, 5]), [4, 3, 3]);
        // A cap holds: the rest goes where there is room.
        assert_eq!(apportion(6, &[10, 10], &[2, 10]), [2, 4]);
    }

    #[test]
    fn shares_in_hundredths_of_a_percent() {
        assert_eq!(share_hundredths(2835, 10_000), Some(2835));
        assert_eq!(share_hundredths(1, 3), Some(3333));
        assert_eq!(share_hundredths(2, 3), Some(6667));
        assert_eq!(share_hundredths(1, 0), None);
    }

    fn case(row: usize, crn: &str) -> ListedCase {
        ListedCase {
            row,
            crn: crn.to_owned(),
            sex: Some(Sex::Male),
            office: "Luton".into(),
            practitioner: "A Smith".into(),
            start_date: Some("2026-01-10".into()),
            ..ListedCase::default()
        }
    }

    #[test]
    fn exclusions_keep_the_earliest_duplicate_and_say_why() {
        let later = ListedCase {
            start_date: Some("2026-01-20".into()),
            ..case(2, "X1")
        };
        let list = vec![
            later,
            case(3, "x1"),
            ListedCase {
                sensitive: true,
                ..case(4, "S")
            },
            ListedCase {
                start_date: Some("2026-03-01".into()),
                ..case(5, "F")
            },
            ListedCase {
                sex: None,
                ..case(6, "N")
            },
            ListedCase {
                pnc: Some("2001/123X".into()),
                ..case(7, "P1")
            },
            ListedCase {
                pnc: Some("2001/123x".into()),
                ..case(8, "P2")
            },
            ListedCase {
                first_name: Some("Ann".into()),
                last_name: Some("Lee".into()),
                date_of_birth: Some("1990-01-01".into()),
                ..case(9, "N1")
            },
            ListedCase {
                first_name: Some("ann".into()),
                last_name: Some("LEE".into()),
                date_of_birth: Some("1990-01-01".into()),
                ..case(10, "N2")
            },
        ];
        let reasons: Vec<(usize, String)> = exclusions(&list, "2026-02-01")
            .into_iter()
            .map(|(i, e)| (list[i].row, e.reason()))
            .collect();
        assert_eq!(
            reasons,
            [
                (2, "Duplicate of row 3 (same CRN)".to_owned()),
                (4, "Sensitive case".to_owned()),
                (5, "Not yet started".to_owned()),
                (6, "Sex not recorded".to_owned()),
                (8, "Duplicate of row 7 (same PNC)".to_owned()),
                (
                    10,
                    "Duplicate of row 9 (same name and date of birth)".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn one_practitioner_gives_no_more_than_six_and_others_make_up_the_rest() {
        // Ten cases, eight of them A Smith's: drawing eight takes six of
        // A Smith's and both of B Jones's.
        let mut list: Vec<ListedCase> = (0..8).map(|i| case(i + 2, &format!("A{i}"))).collect();
        for i in 0..2 {
            list.push(ListedCase {
                practitioner: "B Jones".into(),
                ..case(i + 10, &format!("B{i}"))
            });
        }
        let draw = draw_sample(
            &list,
            &Request {
                size: 8,
                buffer_percent: 50,
                seed: 1,
                started_by: "2026-02-01".into(),
            },
        );
        let from_a = draw
            .drawn
            .iter()
            .filter(|p| list[p.index].practitioner == "A Smith")
            .count();
        assert_eq!((from_a, draw.drawn.len(), draw.shortfall), (6, 8, 0));
        assert_eq!(draw.at_cap, ["A Smith"]);
        // No reserve from a practitioner at the cap: none left at all.
        assert_eq!(draw.reserves, []);
        // Nine asked of a list that can give eight: a shortfall of one.
        let short = draw_sample(
            &list,
            &Request {
                size: 9,
                buffer_percent: 0,
                seed: 1,
                started_by: "2026-02-01".into(),
            },
        );
        assert_eq!((short.drawn.len(), short.shortfall), (8, 1));
    }
}
