//! The counts that ratings are computed from. Key-question and prompt counts
//! are kept per inspection by triggers (migration 0004), so reading them
//! costs the same whatever else the database holds.

use std::collections::HashMap;

use casemark_rules::{Counts, Rating};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

/// Yes / No / N/A tallies by framework id (key question or prompt).
pub type Tallies = HashMap<i32, Counts>;

#[derive(sqlx::FromRow)]
struct TallyRow {
    id: i32,
    yes: i64,
    no: i64,
    na: i64,
}

fn tallies(rows: Vec<TallyRow>) -> Tallies {
    // Counts of cases in one inspection fit easily in u32; saturate rather
    // than wrap if something impossible ever arrives.
    let c = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    rows.into_iter()
        .map(|r| (r.id, Counts::new(c(r.yes), c(r.no), c(r.na))))
        .collect()
}

// A region inspection's pooled key questions (migration 0015): each region
// key question with a `pooled_from` code summed over the tallies of that
// code's key question in every PDU inspection it pools. Yes, No and N/A are
// summed, never percentages averaged. Gives (region inspection, region key
// question, yes, no, na) for the inspections in $1; none for a PDU
// inspection, which pools nothing.
macro_rules! pooled_tallies {
    () => {
        "select rp.region_inspection_id as inspection_id, rk.id as key_question_id,
                sum(t.yes)::bigint as yes, sum(t.no)::bigint as no, sum(t.na)::bigint as na
         from region_pool rp
         join inspection ri on ri.id = rp.region_inspection_id
         join key_question rk on rk.framework_version_id = ri.framework_version_id
                             and rk.pooled_from is not null
         join inspection pi on pi.id = rp.pdu_inspection_id
         join key_question pk on pk.framework_version_id = pi.framework_version_id
                             and pk.code = rk.pooled_from
         join key_question_tally t on t.inspection_id = pi.id and t.key_question_id = pk.id
         where rp.region_inspection_id = any($1)
         group by rp.region_inspection_id, rk.id"
    };
}

/// An inspection's key-question tallies: its own cases', and for a region
/// inspection its pooled key questions' sums over its PDU inspections.
pub async fn key_question_tallies(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Tallies, sqlx::Error> {
    let rows = sqlx::query_as(concat!(
        "select key_question_id as id, yes::bigint, no::bigint, na::bigint
         from key_question_tally where inspection_id = $2
         union all
         select key_question_id, yes, no, na from (",
        pooled_tallies!(),
        ") pooled"
    ))
    .bind(vec![inspection_id])
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(tallies(rows))
}

/// One pooled PDU inspection's part in a region key question: what the
/// drill-down from a pooled figure lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PooledPart {
    pub inspection_id: i64,
    pub pdu_name: String,
    /// The PDU key question's own code (the region question pools it).
    pub code: String,
    pub yes: i64,
    pub no: i64,
    pub na: i64,
    /// Cases whose question set asks it, replaced cases aside.
    pub asked: i64,
}

/// Each pooled PDU inspection's counts of the PDU key question `code`, by
/// PDU name; an inspection whose framework lacks the question shows zeros.
pub async fn pooled_parts(
    conn: &mut PgConnection,
    region_inspection_id: i64,
    code: &str,
) -> Result<Vec<PooledPart>, sqlx::Error> {
    sqlx::query_as(
        "select pi.id as inspection_id, p.name as pdu_name, $2 as code,
                coalesce(t.yes, 0)::bigint as yes, coalesce(t.no, 0)::bigint as no,
                coalesce(t.na, 0)::bigint as na,
                (select count(*) from sample_case c
                 left join question_set qs on qs.id = c.question_set_id
                 where c.inspection_id = pi.id and c.replaced_at is null and pk.id is not null
                   and (qs.id is null or qs.every_key_question
                        or exists (select 1 from question_set_key_question m
                                   where m.question_set_id = qs.id and m.key_question_id = pk.id)))
                    as asked
         from region_pool rp
         join inspection pi on pi.id = rp.pdu_inspection_id
         join pdu p on p.id = pi.pdu_id
         left join key_question pk on pk.framework_version_id = pi.framework_version_id
                                  and pk.code = $2
         left join key_question_tally t on t.inspection_id = pi.id and t.key_question_id = pk.id
         where rp.region_inspection_id = $1
         order by p.name, pi.id",
    )
    .bind(region_inspection_id)
    .bind(code)
    .fetch_all(conn)
    .await
}

/// For a region inspection: how many cases of its PDU inspections each
/// pooled key question is asked of (by region key question id), and the
/// PDU inspections' cases in all and complete.
pub async fn pooled_sample(
    conn: &mut PgConnection,
    region_inspection_id: i64,
) -> Result<(Vec<(i32, i64)>, i64, i64), sqlx::Error> {
    let asked: Vec<(i32, i64)> = sqlx::query_as(
        "select rk.id, count(c.id)
         from region_pool rp
         join inspection ri on ri.id = rp.region_inspection_id
         join key_question rk on rk.framework_version_id = ri.framework_version_id
                             and rk.pooled_from is not null
         join sample_case c on c.inspection_id = rp.pdu_inspection_id and c.replaced_at is null
         join key_question pk on pk.framework_version_id = c.framework_version_id
                             and pk.code = rk.pooled_from
         left join question_set qs on qs.id = c.question_set_id
         where rp.region_inspection_id = $1
           and (qs.id is null or qs.every_key_question
                or exists (select 1 from question_set_key_question m
                           where m.question_set_id = qs.id and m.key_question_id = pk.id))
         group by rk.id",
    )
    .bind(region_inspection_id)
    .fetch_all(&mut *conn)
    .await?;
    let (total, complete): (i64, i64) = sqlx::query_as(
        "select coalesce(sum(s.cases_total), 0)::bigint, coalesce(sum(s.cases_complete), 0)::bigint
         from region_pool rp join inspection_summary s on s.inspection_id = rp.pdu_inspection_id
         where rp.region_inspection_id = $1",
    )
    .bind(region_inspection_id)
    .fetch_one(conn)
    .await?;
    Ok((asked, total, complete))
}

pub async fn prompt_tallies(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Tallies, sqlx::Error> {
    let rows = sqlx::query_as(
        "select prompt_id as id, yes::bigint, no::bigint, na::bigint
         from prompt_tally where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(tallies(rows))
}

pub async fn outcome_tallies(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Tallies, sqlx::Error> {
    let rows = sqlx::query_as(
        "select a.outcome_question_id as id,
                count(*) filter (where a.answer = 'yes') as yes,
                count(*) filter (where a.answer = 'no') as no,
                0::bigint as na
         from outcome_answer a
         join sample_case c on c.id = a.case_id
         where c.inspection_id = $1
         group by a.outcome_question_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(tallies(rows))
}

/// Key-question tallies of the given inspections, by inspection.
pub async fn key_question_tallies_of(
    conn: &mut PgConnection,
    inspections: &[i64],
) -> Result<HashMap<i64, Tallies>, sqlx::Error> {
    let rows: Vec<(i64, i32, i64, i64, i64)> = sqlx::query_as(concat!(
        "select inspection_id, key_question_id, yes::bigint, no::bigint, na::bigint
         from key_question_tally where inspection_id = any($1)
         union all ",
        pooled_tallies!()
    ))
    .bind(inspections)
    .fetch_all(conn)
    .await?;
    let mut by_inspection: HashMap<i64, Vec<TallyRow>> = HashMap::new();
    for (inspection_id, id, yes, no, na) in rows {
        by_inspection
            .entry(inspection_id)
            .or_default()
            .push(TallyRow { id, yes, no, na });
    }
    Ok(by_inspection
        .into_iter()
        .map(|(inspection, rows)| (inspection, tallies(rows)))
        .collect())
}

/// An inspection's standard ratings as cached for lists (migration 0005):
/// current when `version == rated_version`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CachedRatings {
    pub inspection_id: i64,
    pub version: i64,
    pub rated_version: i64,
    /// Rating codes in framework order, `None` where unrated.
    pub ratings: Option<Vec<Option<String>>>,
}

impl CachedRatings {
    /// The cached ratings if they are current and readable.
    pub fn current(&self) -> Option<Vec<Option<Rating>>> {
        if self.version != self.rated_version {
            return None;
        }
        self.ratings
            .as_ref()?
            .iter()
            .map(|code| match code {
                Some(code) => code.parse().ok().map(Some),
                None => Some(None),
            })
            .collect()
    }
}

pub async fn cached_ratings(
    conn: &mut PgConnection,
    inspections: &[i64],
) -> Result<Vec<CachedRatings>, sqlx::Error> {
    sqlx::query_as(
        "select inspection_id, version, rated_version, ratings
         from inspection_summary where inspection_id = any($1)",
    )
    .bind(inspections)
    .fetch_all(conn)
    .await
}

/// Stores ratings computed from the data as it stood at `version`; does
/// nothing if a change has bumped the version since (the next reader
/// computes them again).
pub async fn store_ratings(
    conn: &mut PgConnection,
    inspection_id: i64,
    version: i64,
    ratings: &[Option<Rating>],
    overall: Option<Rating>,
    score: Option<u8>,
) -> Result<(), sqlx::Error> {
    let codes: Vec<Option<&str>> = ratings.iter().map(|r| r.map(Rating::code)).collect();
    sqlx::query(
        "update inspection_summary set ratings = $3, overall = $4, score = $5, rated_version = $2
         where inspection_id = $1 and version = $2",
    )
    .bind(inspection_id)
    .bind(version)
    .bind(codes)
    .bind(overall.map(Rating::code))
    .bind(score.map(i16::from))
    .execute(conn)
    .await?;
    Ok(())
}

/// A domain one standard as the lead records it: the confirmed rating (with
/// the proposal it was confirmed against and the reason when they differ),
/// the summary text, and the inspector named to judge its key questions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainOne {
    /// The confirmed rating; `None` until the lead confirms one.
    pub rating: Option<Rating>,
    pub strengths: Option<String>,
    pub areas_for_improvement: Option<String>,
    pub judge_id: Option<i64>,
    pub proposed_rating: Option<Rating>,
    pub reason: Option<String>,
    pub confirmed_by: Option<String>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct DomainOneRow {
    inspection_id: i64,
    standard_id: i32,
    rating: Option<String>,
    strengths: Option<String>,
    areas_for_improvement: Option<String>,
    judge_id: Option<i64>,
    proposed_rating: Option<String>,
    reason: Option<String>,
    confirmed_by: Option<String>,
    confirmed_at: Option<DateTime<Utc>>,
}

fn domain_one_entry(row: DomainOneRow) -> Result<(i64, i32, DomainOne), sqlx::Error> {
    let parse = |code: Option<String>| {
        code.map(|r| r.parse::<Rating>())
            .transpose()
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    Ok((
        row.inspection_id,
        row.standard_id,
        DomainOne {
            rating: parse(row.rating)?,
            strengths: row.strengths,
            areas_for_improvement: row.areas_for_improvement,
            judge_id: row.judge_id,
            proposed_rating: parse(row.proposed_rating)?,
            reason: row.reason,
            confirmed_by: row.confirmed_by,
            confirmed_at: row.confirmed_at,
        },
    ))
}

/// Domain one by standard id.
pub async fn domain_one(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<HashMap<i32, DomainOne>, sqlx::Error> {
    let rows: Vec<DomainOneRow> = sqlx::query_as(
        "select inspection_id, standard_id, rating, strengths, areas_for_improvement, judge_id,
                proposed_rating, reason, confirmed_by, confirmed_at
         from domain_one_rating where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| domain_one_entry(row).map(|(_, standard, d)| (standard, d)))
        .collect()
}

/// Domain one of the given inspections, by inspection then standard id.
pub async fn domain_one_of(
    conn: &mut PgConnection,
    inspections: &[i64],
) -> Result<HashMap<i64, HashMap<i32, DomainOne>>, sqlx::Error> {
    let rows: Vec<DomainOneRow> = sqlx::query_as(
        "select inspection_id, standard_id, rating, strengths, areas_for_improvement, judge_id,
                proposed_rating, reason, confirmed_by, confirmed_at
         from domain_one_rating where inspection_id = any($1)",
    )
    .bind(inspections)
    .fetch_all(conn)
    .await?;
    let mut out: HashMap<i64, HashMap<i32, DomainOne>> = HashMap::new();
    for row in rows {
        let (inspection, standard, d) = domain_one_entry(row)?;
        out.entry(inspection).or_default().insert(standard, d);
    }
    Ok(out)
}

pub async fn save_domain_one(
    conn: &mut PgConnection,
    inspection_id: i64,
    framework_version_id: i32,
    standard_id: i32,
    entry: &DomainOne,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into domain_one_rating (inspection_id, standard_id, framework_version_id, rating,
                                        strengths, areas_for_improvement, judge_id, proposed_rating,
                                        reason, confirmed_by, confirmed_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (inspection_id, standard_id) do update
            set rating = excluded.rating, strengths = excluded.strengths,
                areas_for_improvement = excluded.areas_for_improvement,
                judge_id = excluded.judge_id, proposed_rating = excluded.proposed_rating,
                reason = excluded.reason, confirmed_by = excluded.confirmed_by,
                confirmed_at = excluded.confirmed_at",
    )
    .bind(inspection_id)
    .bind(standard_id)
    .bind(framework_version_id)
    .bind(entry.rating.map(Rating::code))
    .bind(&entry.strengths)
    .bind(&entry.areas_for_improvement)
    .bind(entry.judge_id)
    .bind(entry.proposed_rating.map(Rating::code))
    .bind(&entry.reason)
    .bind(&entry.confirmed_by)
    .bind(entry.confirmed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The number of an inspection's cases on each question set (`None`: on
/// no set), for counting each key question over the cases it applies to.
pub async fn cases_per_question_set(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<(Option<i32>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select question_set_id, count(*) from sample_case
         where inspection_id = $1 and replaced_at is null
         group by question_set_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}
