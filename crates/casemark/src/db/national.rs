//! What the national tables read: published inspections in a date range,
//! and their key-question tallies summed by region.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::db::inspections::Inspection;

/// A published inspection with its publication date.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Published {
    #[sqlx(flatten)]
    pub inspection: Inspection,
    pub published_on: NaiveDate,
}

/// Published inspections under the given framework versions whose
/// publication date is in the range (either end open), that the user may
/// read (`member`: only theirs; `None`: every one), in one region or all.
pub async fn published(
    conn: &mut PgConnection,
    member: Option<i64>,
    region: Option<i16>,
    framework_versions: &[i32],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<Published>, sqlx::Error> {
    sqlx::query_as(
        "select i.id, coalesce(p.name, r.name || ' region') as pdu_name,
                i.pdu_id is null as of_region, r.name as region_name, i.region_id,
                i.framework_version_id, i.fieldwork_start, i.sample_week_1, i.sample_week_2,
                i.status, s.cases_total::bigint, s.cases_complete::bigint, i.published_on
         from inspection i
         join inspection_summary s on s.inspection_id = i.id
         left join pdu p on p.id = i.pdu_id
         join region r on r.id = i.region_id
         where i.status = 'published'
           and ($1::bigint is null
                or exists (select 1 from membership m where m.inspection_id = i.id and m.user_id = $1))
           and ($2::smallint is null or i.region_id = $2)
           and i.framework_version_id = any($3)
           and ($4::date is null or i.published_on >= $4)
           and ($5::date is null or i.published_on <= $5)
         order by i.published_on, pdu_name, i.id",
    )
    .bind(member)
    .bind(region)
    .bind(framework_versions)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await
}

/// Key-question tallies summed over the inspections, by region and key
/// question code (frameworks that rate alike share their codes):
/// (region, key question code, yes, no, N/A).
///
/// The ids are joined as a table (`unnest`) rather than matched with
/// `= any(...)`: the planner then hashes them and aggregates by region id
/// before fetching the region's name, where `= any` over 2,000 ids was
/// estimated at a few rows and planned as 24,000 nested-loop lookups
/// (50 ms against 19 ms over the benchmark's 2,000 inspections).
pub async fn tallies_by_region(
    conn: &mut PgConnection,
    inspections: &[i64],
) -> Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select r.name, k.code, sum(s.yes)::bigint, sum(s.no)::bigint, sum(s.na)::bigint
         from (select i.region_id, t.key_question_id, sum(t.yes)::bigint as yes,
                      sum(t.no)::bigint as no, sum(t.na)::bigint as na
               from unnest($1::bigint[]) as chosen (id)
               join key_question_tally t on t.inspection_id = chosen.id
               join inspection i on i.id = chosen.id
               group by i.region_id, t.key_question_id) s
         join key_question k on k.id = s.key_question_id
         join region r on r.id = s.region_id
         group by r.name, k.code",
    )
    .bind(inspections)
    .fetch_all(conn)
    .await
}
