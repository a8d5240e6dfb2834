//! The counts that ratings are computed from, aggregated in PostgreSQL so
//! that only a few dozen rows leave the database per inspection.

use std::collections::HashMap;

use casemark_rules::{Counts, Rating};
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

pub async fn key_question_tallies(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Tallies, sqlx::Error> {
    let rows = sqlx::query_as(
        "select j.key_question_id as id,
                count(*) filter (where j.answer = 'yes') as yes,
                count(*) filter (where j.answer = 'no') as no,
                count(*) filter (where j.answer = 'na') as na
         from key_question_judgement j
         join sample_case c on c.id = j.case_id
         where c.inspection_id = $1
         group by j.key_question_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(tallies(rows))
}

pub async fn prompt_tallies(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Tallies, sqlx::Error> {
    let rows = sqlx::query_as(
        "select a.prompt_id as id,
                count(*) filter (where a.answer = 'yes') as yes,
                count(*) filter (where a.answer = 'no') as no,
                count(*) filter (where a.answer = 'na') as na
         from prompt_answer a
         join sample_case c on c.id = a.case_id
         where c.inspection_id = $1
         group by a.prompt_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(tallies(rows))
}

/// Outcome answers: Yes and No tallies (outcomes have no N/A).
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

/// Key-question tallies of every inspection, for the inspections list.
pub async fn key_question_tallies_by_inspection(
    conn: &mut PgConnection,
) -> Result<HashMap<i64, Tallies>, sqlx::Error> {
    let rows: Vec<(i64, i32, i64, i64, i64)> = sqlx::query_as(
        "select c.inspection_id, j.key_question_id,
                count(*) filter (where j.answer = 'yes'),
                count(*) filter (where j.answer = 'no'),
                count(*) filter (where j.answer = 'na')
         from key_question_judgement j
         join sample_case c on c.id = j.case_id
         group by c.inspection_id, j.key_question_id",
    )
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

/// A domain one standard's recorded rating and evidence.
#[derive(Debug, Clone, Default)]
pub struct DomainOne {
    pub rating: Option<Rating>,
    pub strengths: Option<String>,
    pub areas_for_improvement: Option<String>,
}

type DomainOneRow = (i64, i32, Option<String>, Option<String>, Option<String>);

fn domain_one_entry(row: DomainOneRow) -> Result<(i64, i32, DomainOne), sqlx::Error> {
    let (inspection_id, standard_id, rating, strengths, areas_for_improvement) = row;
    let rating = rating
        .map(|r| r.parse::<Rating>())
        .transpose()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok((
        inspection_id,
        standard_id,
        DomainOne {
            rating,
            strengths,
            areas_for_improvement,
        },
    ))
}

/// Domain one by standard id.
pub async fn domain_one(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<HashMap<i32, DomainOne>, sqlx::Error> {
    let rows: Vec<DomainOneRow> = sqlx::query_as(
        "select inspection_id, standard_id, rating, strengths, areas_for_improvement
         from domain_one_rating where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| domain_one_entry(row).map(|(_, standard, d)| (standard, d)))
        .collect()
}

/// Domain one ratings of every inspection, by inspection then standard id.
pub async fn domain_one_by_inspection(
    conn: &mut PgConnection,
) -> Result<HashMap<i64, HashMap<i32, DomainOne>>, sqlx::Error> {
    let rows: Vec<DomainOneRow> = sqlx::query_as(
        "select inspection_id, standard_id, rating, strengths, areas_for_improvement from domain_one_rating",
    )
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
                                        strengths, areas_for_improvement)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (inspection_id, standard_id) do update
            set rating = excluded.rating, strengths = excluded.strengths,
                areas_for_improvement = excluded.areas_for_improvement",
    )
    .bind(inspection_id)
    .bind(standard_id)
    .bind(framework_version_id)
    .bind(entry.rating.map(Rating::code))
    .bind(&entry.strengths)
    .bind(&entry.areas_for_improvement)
    .execute(conn)
    .await?;
    Ok(())
}
