//! Quality assurance: the QA sample, second markings and adjudications
//! (migration 0010).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::vocab::{Answer, MarkingStatus, MemberRole};

/// A case of the QA sample.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Sampled {
    pub case_id: i64,
    pub inspection_id: i64,
    pub reference: String,
    pub marking_status: MarkingStatus,
    pub first_marker: Option<String>,
    pub marked_as: Option<MemberRole>,
    pub second_marker_id: i64,
    pub second_marker: String,
    pub chosen: String,
    pub seed: Option<i64>,
    pub submitted_at: Option<DateTime<Utc>>,
}

macro_rules! select_sampled {
    () => {
        "select q.case_id, q.inspection_id, c.reference, c.marking_status,
                (select display_name from app_user u where u.id = c.marked_by) as first_marker,
                c.marked_as, q.second_marker_id,
                (select display_name from app_user u where u.id = q.second_marker_id) as second_marker,
                q.chosen, q.seed, q.submitted_at
         from qa_sample q join sample_case c on c.id = q.case_id "
    };
}

pub async fn sample(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Sampled>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_sampled!(),
        // A case replaced by a reserve leaves the QA sample's figures, as it
        // leaves every other count.
        "where q.inspection_id = $1 and c.replaced_at is null order by c.reference"
    ))
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// The sample row of a case, locked for the rest of the transaction.
pub async fn sampled_for_update(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<Option<Sampled>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_sampled!(),
        "where q.case_id = $1 for update of q"
    ))
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

pub async fn sampled(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<Option<Sampled>, sqlx::Error> {
    sqlx::query_as(concat!(select_sampled!(), "where q.case_id = $1"))
        .bind(case_id)
        .fetch_optional(conn)
        .await
}

/// A case that could join the QA sample.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub reference: String,
    pub marking_status: MarkingStatus,
    pub marked_by: Option<i64>,
    pub marked_as: Option<MemberRole>,
}

/// The inspection's cases not yet in the QA sample, by id (the order a
/// seeded draw takes them in).
pub async fn candidates(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Candidate>, sqlx::Error> {
    sqlx::query_as(
        "select c.id, c.reference, c.marking_status, c.marked_by, c.marked_as
         from sample_case c
         where c.inspection_id = $1 and c.replaced_at is null
           and not exists (select 1 from qa_sample q where q.case_id = c.id)
         order by c.id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

pub async fn add(
    conn: &mut PgConnection,
    inspection_id: i64,
    case_ids: &[i64],
    second_marker_id: i64,
    chosen: &str,
    seed: Option<i64>,
    added_by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into qa_sample (case_id, inspection_id, second_marker_id, chosen, seed, added_by)
         select unnest($2::bigint[]), $1, $3, $4, $5, $6",
    )
    .bind(inspection_id)
    .bind(case_ids)
    .bind(second_marker_id)
    .bind(chosen)
    .bind(seed)
    .bind(added_by)
    .execute(conn)
    .await?;
    Ok(())
}

/// One key question of a second marking, with the first marking's answer
/// beside it once submitted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SecondAnswer {
    pub key_question_id: i32,
    pub answer: Answer,
    pub rationale: Option<String>,
    pub first_answer: Option<Answer>,
    pub first_rationale: Option<String>,
}

pub async fn second_answers(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<HashMap<i32, SecondAnswer>, sqlx::Error> {
    let rows: Vec<SecondAnswer> = sqlx::query_as(
        "select key_question_id, answer, rationale, first_answer, first_rationale
         from second_marking where case_id = $1",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.key_question_id, r)).collect())
}

pub async fn second_prompts(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<HashMap<i32, Answer>, sqlx::Error> {
    let rows: Vec<(i32, Answer)> =
        sqlx::query_as("select prompt_id, answer from second_marking_prompt where case_id = $1")
            .bind(case_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().collect())
}

pub async fn upsert_second_answers(
    conn: &mut PgConnection,
    case_id: i64,
    answers: &[(i32, Answer, Option<String>)],
) -> Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into second_marking (case_id, key_question_id, answer, rationale)
         select $1, t.kq, t.answer, t.rationale
         from unnest($2::integer[], $3::text[], $4::text[]) as t(kq, answer, rationale)
         on conflict (case_id, key_question_id) do update
            set answer = excluded.answer, rationale = excluded.rationale",
    )
    .bind(case_id)
    .bind(answers.iter().map(|a| a.0).collect::<Vec<_>>())
    .bind(answers.iter().map(|a| a.1.code()).collect::<Vec<_>>())
    .bind(answers.iter().map(|a| a.2.clone()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upsert_second_prompts(
    conn: &mut PgConnection,
    case_id: i64,
    answers: &[(i32, Answer)],
) -> Result<(), sqlx::Error> {
    if answers.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "insert into second_marking_prompt (case_id, prompt_id, answer)
         select $1, t.prompt, t.answer from unnest($2::integer[], $3::text[]) as t(prompt, answer)
         on conflict (case_id, prompt_id) do update set answer = excluded.answer",
    )
    .bind(case_id)
    .bind(answers.iter().map(|a| a.0).collect::<Vec<_>>())
    .bind(answers.iter().map(|a| a.1.code()).collect::<Vec<_>>())
    .execute(conn)
    .await?;
    Ok(())
}

/// Submits a second marking: copies the first marking's answers and
/// rationales beside it, as they are now, and closes it.
pub async fn submit(conn: &mut PgConnection, case_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update second_marking s set first_answer = j.answer, first_rationale = j.rationale
         from key_question_judgement j
         where s.case_id = $1 and j.case_id = s.case_id and j.key_question_id = s.key_question_id",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update qa_sample set submitted_at = now() where case_id = $1")
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A submitted pair of answers on one key question, with its adjudication.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pair {
    pub case_id: i64,
    pub reference: String,
    pub key_question_id: i32,
    pub first_marker_id: Option<i64>,
    pub first_marker: Option<String>,
    pub first_answer: Answer,
    pub first_rationale: Option<String>,
    pub second_marker: String,
    pub second_answer: Answer,
    pub second_rationale: Option<String>,
    pub final_answer: Option<Answer>,
    pub reason: Option<String>,
    pub adjudicated_by: Option<String>,
}

/// Every submitted pair of the inspection's QA sample.
pub async fn pairs(conn: &mut PgConnection, inspection_id: i64) -> Result<Vec<Pair>, sqlx::Error> {
    sqlx::query_as(
        "select s.case_id, c.reference, s.key_question_id, c.marked_by as first_marker_id,
                (select display_name from app_user u where u.id = c.marked_by) as first_marker,
                s.first_answer, s.first_rationale,
                (select display_name from app_user u where u.id = q.second_marker_id) as second_marker,
                s.answer as second_answer, s.rationale as second_rationale,
                a.final_answer, a.reason,
                (select display_name from app_user u where u.id = a.adjudicated_by) as adjudicated_by
         from second_marking s
         join qa_sample q on q.case_id = s.case_id
         join sample_case c on c.id = s.case_id
         left join adjudication a on a.case_id = s.case_id and a.key_question_id = s.key_question_id
         where q.inspection_id = $1 and q.submitted_at is not null and s.first_answer is not null
           and c.replaced_at is null
         order by c.reference, s.key_question_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// Disagreements of the inspection's submitted second markings that no
/// one has adjudicated yet: (case reference, key question code), in order.
pub async fn unadjudicated(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select c.reference, k.code from second_marking s
         join qa_sample q on q.case_id = s.case_id
         join sample_case c on c.id = s.case_id
         join key_question k on k.id = s.key_question_id
         where q.inspection_id = $1 and q.submitted_at is not null and c.replaced_at is null
           and s.first_answer is distinct from s.answer
           and not exists (select 1 from adjudication a
                           where a.case_id = s.case_id and a.key_question_id = s.key_question_id)
         order by c.reference, k.code",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// The QA sample's size, how many second markings are submitted, and the
/// submitted pairs cross-tabulated (first answer, second answer, count):
/// what the dashboard shows, in two small queries.
pub async fn summary(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<(i64, i64, Vec<(Answer, Answer, i64)>), sqlx::Error> {
    let (sampled, submitted): (i64, i64) = sqlx::query_as(
        "select count(*), count(q.submitted_at)
         from qa_sample q join sample_case c on c.id = q.case_id
         where q.inspection_id = $1 and c.replaced_at is null",
    )
    .bind(inspection_id)
    .fetch_one(&mut *conn)
    .await?;
    if submitted == 0 {
        return Ok((sampled, 0, Vec::new()));
    }
    let table = sqlx::query_as(
        "select s.first_answer, s.answer, count(*)
         from second_marking s join qa_sample q on q.case_id = s.case_id
         join sample_case c on c.id = s.case_id
         where q.inspection_id = $1 and q.submitted_at is not null and s.first_answer is not null
           and c.replaced_at is null
         group by 1, 2",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok((sampled, submitted, table))
}

pub async fn upsert_adjudication(
    conn: &mut PgConnection,
    case_id: i64,
    key_question_id: i32,
    final_answer: Answer,
    reason: &str,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into adjudication (case_id, key_question_id, final_answer, reason, adjudicated_by)
         values ($1, $2, $3, $4, $5)
         on conflict (case_id, key_question_id) do update
            set final_answer = excluded.final_answer, reason = excluded.reason,
                adjudicated_by = excluded.adjudicated_by, adjudicated_at = now()",
    )
    .bind(case_id)
    .bind(key_question_id)
    .bind(final_answer)
    .bind(reason)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cases whose first marking `user_id` may not see yet: their own open
/// second markings (in one inspection, or in all when `inspection_id` is
/// `None`).
pub async fn blind_cases(
    conn: &mut PgConnection,
    user_id: i64,
    inspection_id: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "select case_id from qa_sample
         where second_marker_id = $1 and submitted_at is null
           and ($2::bigint is null or inspection_id = $2)",
    )
    .bind(user_id)
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}
