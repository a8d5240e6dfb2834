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
    pub pdu_name: String,
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

// A macro rather than a const so that `concat!` keeps each query a
// `&'static str` literal, which sqlx accepts as safe SQL.
macro_rules! select_inspection {
    () => {
        "select i.id, p.name as pdu_name, r.name as region_name, p.region_id, i.framework_version_id,
           i.fieldwork_start, i.sample_week_1, i.sample_week_2, i.status,
           s.cases_total::bigint, s.cases_complete::bigint
    from inspection i
    join inspection_summary s on s.inspection_id = i.id
    join pdu p on p.id = i.pdu_id
    join region r on r.id = p.region_id "
    };
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
        "where ($1::bigint is null
             or exists (select 1 from membership m where m.inspection_id = i.id and m.user_id = $1))
           and ($2::smallint is null or p.region_id = $2)
         order by i.fieldwork_start desc, p.name"
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
    sqlx::query("update inspection set status = $2 where id = $1")
        .bind(id)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}
