//! The lead's fieldwork control board: where each marker stands, the
//! sample's profile against the long list, progress against the plan, and
//! the cases nobody has saved for a while. The figures are worked out by
//! [`build`], a pure function of what the database holds and today's date,
//! so the tests can fix the day.
//!
//! Choices (docs/sampling.md, "Fieldwork"): the plan is every case complete
//! [`PLAN_DAYS`] days after the fieldwork start, at an even pace; a case is
//! stale when it is assigned, not complete, and neither saved nor
//! (re)assigned for `stale_days` days.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::db;
use crate::db::fieldwork::{CaseActivity, ListedFacts};
use crate::db::inspections::Inspection;
use crate::db::members::Member;
use crate::vocab::{MarkingStatus, MemberRole, RoshLevel, SentenceType, Sex};

/// Fieldwork's length in the plan: the two weeks of a PDU inspection's
/// fieldwork.
pub const PLAN_DAYS: i64 = 14;
/// Days without a save before an assigned case is flagged, unless asked.
pub const STALE_DAYS: i64 = 3;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Board {
    pub fieldwork_start: NaiveDate,
    /// Days since the fieldwork start (0 before it).
    pub days_elapsed: i64,
    pub plan_days: i64,
    pub cases_total: usize,
    pub cases_complete: usize,
    /// Cases the plan expects complete by today.
    pub expected_complete: usize,
    pub stale_days: i64,
    pub stale: Vec<StaleCase>,
    pub markers: Vec<MarkerRow>,
    pub profile: Vec<ProfileRow>,
    /// Whether a long list exists to compare the profile with.
    pub long_list: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct StaleCase {
    pub id: i64,
    pub reference: String,
    pub assignee: String,
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct MarkerRow {
    pub user_id: i64,
    pub name: String,
    pub role: MemberRole,
    pub assigned: usize,
    pub not_started: usize,
    pub in_progress: usize,
    pub complete: usize,
    /// The assigned case not started for longest: reference and days since
    /// it was assigned.
    pub oldest_untouched: Option<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ProfileRow {
    /// "Sentence type", "Sex", "RoSH level", "Practitioner grade".
    pub dimension: &'static str,
    pub value: String,
    pub sample: usize,
    /// Hundredths of a percent of the sample.
    pub sample_share: Option<u32>,
    /// `None` where there is no long list, or it does not hold the fact.
    pub long_list: Option<usize>,
    pub long_list_share: Option<u32>,
}

/// Whole days from `from` to `to`, none if `to` is earlier.
fn days_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_days().max(0)
}

/// The board's figures. `long_list` is `None` when there is none.
pub fn build(
    inspection: &Inspection,
    cases: &[CaseActivity],
    members: &[Member],
    long_list: Option<&[ListedFacts]>,
    now: DateTime<Utc>,
    stale_days: i64,
) -> Board {
    let start = inspection.fieldwork_start;
    let days_elapsed = (now.date_naive() - start).num_days().max(0);
    let total = cases.len();
    let complete = cases
        .iter()
        .filter(|c| c.marking_status == MarkingStatus::Complete)
        .count();
    let expected_complete =
        (total as i64 * days_elapsed.min(PLAN_DAYS) / PLAN_DAYS).max(0) as usize;
    let name_of = |id: i64| {
        members
            .iter()
            .find(|m| m.user_id == id)
            .map_or_else(|| format!("user {id}"), |m| m.display_name.clone())
    };

    let mut stale: Vec<StaleCase> = cases
        .iter()
        .filter(|c| c.marking_status != MarkingStatus::Complete)
        .filter_map(|c| {
            let assignee = c.assigned_to?;
            let touched = c.saved_at.max(c.assigned_at)?;
            let days = days_between(touched, now);
            (days >= stale_days).then(|| StaleCase {
                id: c.id,
                reference: c.reference.clone(),
                assignee: name_of(assignee),
                days,
            })
        })
        .collect();
    stale.sort_by(|a, b| b.days.cmp(&a.days).then(a.reference.cmp(&b.reference)));

    let markers = members
        .iter()
        .filter(|m| {
            matches!(m.role, MemberRole::Inspector | MemberRole::LocalAssessor)
                || cases.iter().any(|c| c.assigned_to == Some(m.user_id))
        })
        .map(|m| {
            let mine: Vec<&CaseActivity> = cases
                .iter()
                .filter(|c| c.assigned_to == Some(m.user_id))
                .collect();
            let count = |s: MarkingStatus| mine.iter().filter(|c| c.marking_status == s).count();
            let oldest_untouched = mine
                .iter()
                .filter(|c| c.marking_status == MarkingStatus::NotStarted)
                .filter_map(|c| c.assigned_at.map(|at| (c, at)))
                .min_by_key(|(c, at)| (*at, c.reference.clone()))
                .map(|(c, at)| (c.reference.clone(), days_between(at, now)));
            MarkerRow {
                user_id: m.user_id,
                name: m.display_name.clone(),
                role: m.role,
                assigned: mine.len(),
                not_started: count(MarkingStatus::NotStarted),
                in_progress: count(MarkingStatus::InProgress),
                complete: count(MarkingStatus::Complete),
                oldest_untouched,
            }
        })
        .collect();

    Board {
        fieldwork_start: start,
        days_elapsed,
        plan_days: PLAN_DAYS,
        cases_total: total,
        cases_complete: complete,
        expected_complete,
        stale_days,
        stale,
        markers,
        profile: profile(cases, long_list),
        long_list: long_list.is_some(),
    }
}

fn profile(cases: &[CaseActivity], long_list: Option<&[ListedFacts]>) -> Vec<ProfileRow> {
    const NOT_RECORDED: &str = "Not recorded";
    // (dimension, value) → (in the sample, on the long list).
    let mut rows: BTreeMap<(usize, &'static str, String), (usize, Option<usize>)> = BTreeMap::new();
    let label = |v: Option<&'static str>| v.unwrap_or(NOT_RECORDED).to_owned();
    let keys = |sentence: SentenceType, sex: Option<Sex>, rosh: Option<RoshLevel>| {
        [
            (0, "Sentence type", sentence.label().to_owned()),
            (1, "Sex", label(sex.map(Sex::label))),
            (2, "RoSH level", label(rosh.map(RoshLevel::label))),
        ]
    };
    for c in cases {
        for key in keys(c.sentence_type, c.sex, c.rosh_level) {
            rows.entry(key).or_insert((0, None)).0 += 1;
        }
        let grade = (
            3,
            "Practitioner grade",
            label(c.practitioner_grade.map(|g| g.label())),
        );
        rows.entry(grade).or_insert((0, None)).0 += 1;
    }
    if let Some(list) = long_list {
        for (sentence, sex, rosh) in list {
            for key in keys(*sentence, *sex, *rosh) {
                let entry = rows.entry(key).or_insert((0, None));
                entry.1 = Some(entry.1.unwrap_or(0) + 1);
            }
        }
        // A value of the sample the long list never has: none of it.
        for ((dimension, _, _), counts) in rows.iter_mut() {
            if *dimension < 3 && counts.1.is_none() {
                counts.1 = Some(0);
            }
        }
    }
    let sample_total = cases.len();
    let list_total = long_list.map_or(0, <[_]>::len);
    rows.into_iter()
        .map(|((_, dimension, value), (sample, listed))| ProfileRow {
            dimension,
            value,
            sample,
            sample_share: casemark_rules::share_hundredths(sample, sample_total),
            long_list: listed,
            long_list_share: listed.and_then(|n| casemark_rules::share_hundredths(n, list_total)),
        })
        .collect()
}

/// The board of an inspection as it stands now.
pub async fn board(
    conn: &mut PgConnection,
    inspection: &Inspection,
    stale_days: i64,
) -> Result<Board, sqlx::Error> {
    let cases = db::fieldwork::activity(&mut *conn, inspection.id).await?;
    let members = db::members::members(&mut *conn, inspection.id).await?;
    let long_list = if db::long_list::exists(&mut *conn, inspection.id).await? {
        Some(db::fieldwork::long_list_profile(&mut *conn, inspection.id).await?)
    } else {
        None
    };
    Ok(build(
        inspection,
        &cases,
        &members,
        long_list.as_deref(),
        Utc::now(),
        stale_days,
    ))
}
