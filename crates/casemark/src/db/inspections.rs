//! Inspections.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::vocab::InspectionStatus;

#[derive(Debug, Clone)]
pub struct NewInspection {
    pub pdu_id: i64,
    pub framework_version_id: i32,
    pub fieldwork_start: NaiveDate,
    pub sample_week_1: Option<NaiveDate>,
    pub sample_week_2: Option<NaiveDate>,
}

/// An inspection with the names and counts every page about it shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Inspection {
    pub id: i64,
    /// What was inspected: the PDU's name, or for a region inspection the
    /// region's ("North West region").
    pub pdu_name: String,
    /// A region inspection: of a region, with no PDU.
    pub of_region: bool,
    pub region_name: String,
    pub region_id: i16,
    pub framework_version_id: i32,
    pub fieldwork_start: NaiveDate,
    pub sample_week_1: Option<NaiveDate>,
    pub sample_week_2: Option<NaiveDate>,
    pub status: InspectionStatus,
    pub cases_total: i64,
    pub cases_complete: i64,
}

pub async fn create(
    conn: &mut PgConnection,
    new: &NewInspection,
    created_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into inspection (pdu_id, framework_version_id, fieldwork_start, sample_week_1, sample_week_2, created_by)
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(new.pdu_id)
    .bind(new.framework_version_id)
    .bind(new.fieldwork_start)
    .bind(new.sample_week_1)
    .bind(new.sample_week_2)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// A region inspection: of the region, with no PDU (its pool is added by
/// [`add_to_pool`] in the same transaction).
pub async fn create_region(
    conn: &mut PgConnection,
    region_id: i16,
    framework_version_id: i32,
    fieldwork_start: NaiveDate,
    created_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into inspection (region_id, framework_version_id, fieldwork_start, created_by)
         values ($1, $2, $3, $4) returning id",
    )
    .bind(region_id)
    .bind(framework_version_id)
    .bind(fieldwork_start)
    .bind(created_by)
    .fetch_one(conn)
    .await
}

/// Adds PDU inspections to a region inspection's pool.
pub async fn add_to_pool(
    conn: &mut PgConnection,
    region_inspection_id: i64,
    pdu_inspections: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into region_pool (region_inspection_id, pdu_inspection_id)
         select $1, unnest($2::bigint[]) on conflict do nothing",
    )
    .bind(region_inspection_id)
    .bind(pdu_inspections)
    .execute(conn)
    .await?;
    Ok(())
}

// A macro rather than a const so that `concat!` keeps each query a
// `&'static str` literal, which sqlx accepts as safe SQL.
macro_rules! select_inspection {
    () => {
        "select i.id, coalesce(p.name, r.name || ' region') as pdu_name, i.pdu_id is null as of_region,
           r.name as region_name, i.region_id, i.framework_version_id,
           i.fieldwork_start, i.sample_week_1, i.sample_week_2, i.status,
           s.cases_total::bigint, s.cases_complete::bigint
    from inspection i
    join inspection_summary s on s.inspection_id = i.id
    left join pdu p on p.id = i.pdu_id
    join region r on r.id = i.region_id "
    };
}

// Which inspections a list may show: every one, or ($1 a user id) those the
// user is a member of; in one region ($2), or in all.
macro_rules! visible_in_region {
    () => {
        "($1::bigint is null
             or exists (select 1 from membership m where m.inspection_id = i.id and m.user_id = $1))
           and ($2::smallint is null or i.region_id = $2) "
    };
}

/// The PDU inspections a region inspection pools, by PDU name.
pub async fn pool_of(
    conn: &mut PgConnection,
    region_inspection_id: i64,
) -> Result<Vec<Inspection>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_inspection!(),
        "join region_pool rp on rp.pdu_inspection_id = i.id
         where rp.region_inspection_id = $1 order by pdu_name, i.id"
    ))
    .bind(region_inspection_id)
    .fetch_all(conn)
    .await
}

/// The region inspections that pool a PDU inspection.
pub async fn pooled_into(
    conn: &mut PgConnection,
    pdu_inspection_id: i64,
) -> Result<Vec<Inspection>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_inspection!(),
        "join region_pool rp on rp.region_inspection_id = i.id
         where rp.pdu_inspection_id = $1 order by i.fieldwork_start, i.id"
    ))
    .bind(pdu_inspection_id)
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: i64) -> Result<Option<Inspection>, sqlx::Error> {
    sqlx::query_as(concat!(select_inspection!(), "where i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Inspections latest fieldwork first: all of them, or (with a user id) those
/// the user is a member of; in one region, or in all.
pub async fn list(
    conn: &mut PgConnection,
    member: Option<i64>,
    region: Option<i16>,
) -> Result<Vec<Inspection>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_inspection!(),
        "where ",
        visible_in_region!(),
        "order by i.fieldwork_start desc, pdu_name"
    ))
    .bind(member)
    .bind(region)
    .fetch_all(conn)
    .await
}

/// What the national table (and a region's page) shows: who may see what,
/// the filters, the order and the page.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only inspections this user is a member of (`None`: every one).
    pub member: Option<i64>,
    pub region: Option<i16>,
    pub status: Option<InspectionStatus>,
    /// `Some(None)`: not yet rated; `Some(Some(r))`: rated `r` overall.
    pub overall: Option<Option<casemark_rules::Rating>>,
    pub sort: ListSort,
    /// From 0.
    pub page: u32,
    pub per_page: u32,
}

/// The orders the national table offers; each ends with latest fieldwork
/// first, then PDU name, so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListSort {
    #[default]
    Fieldwork,
    Pdu,
    Region,
    Status,
    /// Highest score first, the unrated last.
    Score,
}

impl ListSort {
    pub const ALL: [ListSort; 5] = [
        ListSort::Fieldwork,
        ListSort::Pdu,
        ListSort::Region,
        ListSort::Status,
        ListSort::Score,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ListSort::Fieldwork => "fieldwork",
            ListSort::Pdu => "pdu",
            ListSort::Region => "region",
            ListSort::Status => "status",
            ListSort::Score => "score",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListSort::Fieldwork => "Latest fieldwork first",
            ListSort::Pdu => "PDU name",
            ListSort::Region => "Region",
            ListSort::Status => "Status",
            ListSort::Score => "Highest score first",
        }
    }

    pub fn parse(code: &str) -> Option<ListSort> {
        ListSort::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(sqlx::FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    inspection: Inspection,
    total: i64,
}

/// One page of the national table, and how many inspections match in all.
/// The overall-rating filter and the score order read the summary cache:
/// call [`stale`] and bring those up to date first.
pub async fn page(
    conn: &mut PgConnection,
    filter: &ListFilter,
) -> Result<(Vec<Inspection>, i64), sqlx::Error> {
    let overall = filter
        .overall
        .map(|o| o.map_or("none", casemark_rules::Rating::code));
    let rows: Vec<PageRow> = sqlx::query_as(concat!(
        "select t.*, count(*) over () as total from (",
        select_inspection!(),
        "where ",
        visible_in_region!(),
        "and ($3::text is null or i.status = $3)
           and ($4::text is null or ($4 = 'none' and s.overall is null) or s.overall = $4)
         ) t
         join inspection_summary s on s.inspection_id = t.id
         order by
           case when $5 = 'pdu' then t.pdu_name end,
           case when $5 = 'region' then t.region_name end,
           case when $5 = 'status'
                then array_position(array['setup', 'fieldwork', 'moderation', 'published'], t.status) end,
           case when $5 = 'score' then s.score end desc nulls last,
           t.fieldwork_start desc, t.pdu_name, t.id
         limit $6 offset $7"
    ))
    .bind(filter.member)
    .bind(filter.region)
    .bind(filter.status.map(InspectionStatus::code))
    .bind(overall)
    .bind(filter.sort.code())
    .bind(i64::from(filter.per_page))
    .bind(i64::from(filter.page) * i64::from(filter.per_page))
    .fetch_all(conn)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows.into_iter().map(|r| r.inspection).collect(), total))
}

/// The inspections a list may show whose cached ratings are behind their
/// data (usually a few: those changed since the last list was drawn).
pub async fn stale(
    conn: &mut PgConnection,
    member: Option<i64>,
    region: Option<i16>,
) -> Result<Vec<Inspection>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_inspection!(),
        "where s.rated_version <> s.version and ",
        visible_in_region!()
    ))
    .bind(member)
    .bind(region)
    .fetch_all(conn)
    .await
}

/// The status, locked against a concurrent status change until the
/// transaction ends; for reading.
pub async fn status_for_share(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<InspectionStatus>, sqlx::Error> {
    sqlx::query_scalar("select status from inspection where id = $1 for share")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The status, with the inspection locked for a change of its data until
/// the transaction ends. Every transaction that writes an inspection's
/// cases, judgements or ratings takes this lock first: writes to one
/// inspection then run one after another, and the rows that triggers keep
/// per inspection (tallies, summary) are always locked in the same order,
/// so concurrent writers cannot deadlock. A status change (FOR UPDATE)
/// waits for them, and they for it.
pub async fn status_for_write(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<InspectionStatus>, sqlx::Error> {
    sqlx::query_scalar("select status from inspection where id = $1 for no key update")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn status_for_update(
    conn: &mut PgConnection,
    id: i64,
) -> Result<Option<InspectionStatus>, sqlx::Error> {
    sqlx::query_scalar("select status from inspection where id = $1 for update")
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn set_status(
    conn: &mut PgConnection,
    id: i64,
    status: InspectionStatus,
) -> Result<(), sqlx::Error> {
    // The publication date goes with the status (a check holds them together).
    sqlx::query(
        "update inspection set status = $2,
             published_on = case when $2 = 'published' then current_date end
         where id = $1",
    )
    .bind(id)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(())
}
