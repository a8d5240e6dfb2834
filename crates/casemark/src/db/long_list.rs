//! The long list an inspection's sample is drawn from, the draw, and the
//! reserves (docs/sampling.md).

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::long_list::ListedRow;
use crate::vocab::{RoshLevel, SentenceType, Sex};

/// Replaces the inspection's long list (rows written in one statement).
pub async fn replace(
    conn: &mut PgConnection,
    inspection_id: i64,
    uploaded_by: Option<i64>,
    rows: &[ListedRow],
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from long_list where inspection_id = $1")
        .bind(inspection_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("insert into long_list (inspection_id, uploaded_by) values ($1, $2)")
        .bind(inspection_id)
        .bind(uploaded_by)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into long_list_case (inspection_id, row, crn, pnc, first_name, last_name,
             date_of_birth, sex, sentence_type, rosh_level, office, practitioner, start_date,
             sensitive)
         select $1, r.row, r.crn, r.pnc, r.first_name, r.last_name, r.date_of_birth, r.sex,
                r.sentence_type, r.rosh_level, r.office, r.practitioner, r.start_date, r.sensitive
         from jsonb_to_recordset($2) as r (row integer, crn text, pnc text, first_name text,
             last_name text, date_of_birth date, sex text, sentence_type text, rosh_level text,
             office text, practitioner text, start_date date, sensitive boolean)",
    )
    .bind(inspection_id)
    .bind(sqlx::types::Json(rows))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct RowRecord {
    row: i32,
    crn: String,
    pnc: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    date_of_birth: Option<NaiveDate>,
    sex: Option<Sex>,
    sentence_type: SentenceType,
    rosh_level: Option<RoshLevel>,
    office: String,
    practitioner: String,
    start_date: Option<NaiveDate>,
    sensitive: bool,
}

/// When the inspection's long list was uploaded, if it has one.
pub async fn uploaded_at(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    sqlx::query_scalar("select uploaded_at from long_list where inspection_id = $1")
        .bind(inspection_id)
        .fetch_optional(conn)
        .await
}

pub async fn exists(conn: &mut PgConnection, inspection_id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from long_list where inspection_id = $1)")
        .bind(inspection_id)
        .fetch_one(conn)
        .await
}

/// The inspection's long list in row order; `None` if it has none.
pub async fn rows(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Option<Vec<ListedRow>>, sqlx::Error> {
    if !exists(&mut *conn, inspection_id).await? {
        return Ok(None);
    }
    let records: Vec<RowRecord> = sqlx::query_as(
        "select row, crn, pnc, first_name, last_name, date_of_birth, sex, sentence_type,
                rosh_level, office, practitioner, start_date, sensitive
         from long_list_case where inspection_id = $1 order by row",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(Some(
        records
            .into_iter()
            .map(|r| ListedRow {
                row: usize::try_from(r.row).unwrap_or_default(),
                crn: r.crn,
                pnc: r.pnc,
                first_name: r.first_name,
                last_name: r.last_name,
                date_of_birth: r.date_of_birth,
                sex: r.sex,
                sentence_type: r.sentence_type,
                rosh_level: r.rosh_level,
                office: r.office,
                practitioner: r.practitioner,
                start_date: r.start_date,
                sensitive: r.sensitive,
            })
            .collect(),
    ))
}

/// A confirmed draw.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SampleDraw {
    pub size: i32,
    pub buffer_percent: i32,
    pub seed: i64,
    pub started_by: NaiveDate,
    pub shortfall: i32,
    pub drawn_at: DateTime<Utc>,
}

pub async fn draw_of(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Option<SampleDraw>, sqlx::Error> {
    sqlx::query_as(
        "select size, buffer_percent, seed, started_by, shortfall, drawn_at
         from sample_draw where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_optional(conn)
    .await
}

pub async fn record_draw(
    conn: &mut PgConnection,
    inspection_id: i64,
    draw: &SampleDraw,
    drawn_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into sample_draw (inspection_id, size, buffer_percent, seed, started_by,
             shortfall, drawn_by)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(inspection_id)
    .bind(draw.size)
    .bind(draw.buffer_percent)
    .bind(draw.seed)
    .bind(draw.started_by)
    .bind(draw.shortfall)
    .bind(drawn_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// What the draw made of a row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Placed {
    pub row: i32,
    pub stratum: &'static str,
    pub role: &'static str,
    pub reserve_position: Option<i32>,
    pub case_id: Option<i64>,
}

/// Records each row's part in the draw, and wipes from every row what
/// only the duplicate check needed (names, dates of birth, PNCs).
pub async fn place(
    conn: &mut PgConnection,
    inspection_id: i64,
    placed: &[Placed],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update long_list_case l
         set stratum = p.stratum, role = p.role, reserve_position = p.reserve_position,
             case_id = p.case_id
         from jsonb_to_recordset($2) as p (row integer, stratum text, role text,
             reserve_position integer, case_id bigint)
         where l.inspection_id = $1 and l.row = p.row",
    )
    .bind(inspection_id)
    .bind(sqlx::types::Json(placed))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update long_list_case set pnc = null, first_name = null, last_name = null,
             date_of_birth = null
         where inspection_id = $1",
    )
    .bind(inspection_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A reserve waiting in its stratum's queue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Reserve {
    pub row: i32,
    pub crn: String,
    pub sex: Option<Sex>,
    pub sentence_type: SentenceType,
    pub rosh_level: Option<RoshLevel>,
    pub office: String,
    pub practitioner: String,
    pub start_date: Option<NaiveDate>,
}

/// A stratum's unused reserves, in the order they are to be used.
pub async fn reserves(
    conn: &mut PgConnection,
    inspection_id: i64,
    stratum: &str,
) -> Result<Vec<Reserve>, sqlx::Error> {
    sqlx::query_as(
        "select row, crn, sex, sentence_type, rosh_level, office, practitioner, start_date
         from long_list_case
         where inspection_id = $1 and stratum = $2 and role = 'reserve' and case_id is null
         order by reserve_position",
    )
    .bind(inspection_id)
    .bind(stratum)
    .fetch_all(conn)
    .await
}

/// A reserve brought into the sample as `case_id`.
pub async fn use_reserve(
    conn: &mut PgConnection,
    inspection_id: i64,
    row: i32,
    case_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update long_list_case set role = 'drawn', reserve_position = null, case_id = $3
         where inspection_id = $1 and row = $2",
    )
    .bind(inspection_id)
    .bind(row)
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The practitioner of each case in the sample (not replaced) drawn from
/// the long list, for the cap.
pub async fn practitioners_in_sample(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select l.practitioner from long_list_case l join sample_case c on c.id = l.case_id
         where l.inspection_id = $1 and c.replaced_at is null",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// The long list row a case was drawn from: (stratum, practitioner).
pub async fn origin_of(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select stratum, practitioner from long_list_case where case_id = $1 and stratum is not null",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

/// After the draw: each stratum's cases in the sample (not replaced) and
/// unused reserves, by stratum code.
pub async fn strata_now(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select l.stratum,
                count(*) filter (where l.role = 'drawn' and c.replaced_at is null),
                count(*) filter (where l.role = 'reserve' and l.case_id is null)
         from long_list_case l left join sample_case c on c.id = l.case_id
         where l.inspection_id = $1 and l.stratum is not null
         group by l.stratum",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// A case replaced by a reserve, as the sample page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplacedCase {
    pub id: i64,
    pub reference: String,
    pub reason: String,
    pub replaced_at: DateTime<Utc>,
    pub by_id: Option<i64>,
    pub by_reference: Option<String>,
}

pub async fn replaced(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<ReplacedCase>, sqlx::Error> {
    sqlx::query_as(
        "select c.id, c.reference, c.replaced_reason as reason, c.replaced_at,
                r.id as by_id, r.reference as by_reference
         from sample_case c left join sample_case r on r.replacement_of = c.id
         where c.inspection_id = $1 and c.replaced_at is not null
         order by c.replaced_at",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}
