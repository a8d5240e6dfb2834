//! A case's key-question judgements, prompt answers and outcome answers.

use std::collections::HashMap;

use sqlx::PgConnection;

use crate::vocab::{Answer, OutcomeAnswer};

#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub answer: Answer,
    pub rationale: Option<String>,
    /// The rationale is quoted in the report draft (a Yes or No with a
    /// rationale only: a constraint holds it).
    pub quote: bool,
}

/// Everything recorded for one case, keyed by framework ids.
#[derive(Debug, Clone, Default)]
pub struct CaseAnswers {
    pub key_questions: HashMap<i32, Judgement>,
    pub prompts: HashMap<i32, Answer>,
    pub outcomes: HashMap<i32, OutcomeAnswer>,
}

impl CaseAnswers {
    pub fn is_empty(&self) -> bool {
        self.key_questions.is_empty() && self.prompts.is_empty() && self.outcomes.is_empty()
    }
}

pub async fn load(conn: &mut PgConnection, case_id: i64) -> Result<CaseAnswers, sqlx::Error> {
    let judgements: Vec<(i32, Answer, Option<String>, bool)> = sqlx::query_as(
        "select key_question_id, answer, rationale, quote_in_report
         from key_question_judgement where case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let prompts: Vec<(i32, Answer)> =
        sqlx::query_as("select prompt_id, answer from prompt_answer where case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    let outcomes: Vec<(i32, OutcomeAnswer)> =
        sqlx::query_as("select outcome_question_id, answer from outcome_answer where case_id = $1")
            .bind(case_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(CaseAnswers {
        key_questions: judgements
            .into_iter()
            .map(|(id, answer, rationale, quote)| {
                (
                    id,
                    Judgement {
                        answer,
                        rationale,
                        quote,
                    },
                )
            })
            .collect(),
        prompts: prompts.into_iter().collect(),
        outcomes: outcomes.into_iter().collect(),
    })
}

/// Removes a case's answers to the given key questions and prompts (those
/// its new question set does not ask); the tally triggers count them out.
pub async fn remove(
    conn: &mut PgConnection,
    case_id: i64,
    key_questions: &[i32],
    prompts: &[i32],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "delete from key_question_judgement where case_id = $1 and key_question_id = any($2)",
    )
    .bind(case_id)
    .bind(key_questions)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from prompt_answer where case_id = $1 and prompt_id = any($2)")
        .bind(case_id)
        .bind(prompts)
        .execute(conn)
        .await?;
    Ok(())
}

/// An answer removed from a case, for its audit row.
#[derive(Debug, Clone)]
pub struct Removed {
    pub entity: &'static str,
    pub code: String,
    pub field: &'static str,
    pub old: String,
}

/// Removes everything recorded for a case (a case replaced by a reserve),
/// returning what was there; the tally triggers count it out.
pub async fn remove_all(
    conn: &mut PgConnection,
    case_id: i64,
) -> Result<Vec<Removed>, sqlx::Error> {
    let judgements: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "with gone as (delete from key_question_judgement where case_id = $1
                       returning key_question_id, answer, rationale)
         select k.code, gone.answer, gone.rationale
         from gone join key_question k on k.id = gone.key_question_id order by k.code",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let prompts: Vec<(String, String)> = sqlx::query_as(
        "with gone as (delete from prompt_answer where case_id = $1 returning prompt_id, answer)
         select p.code, gone.answer from gone join prompt p on p.id = gone.prompt_id order by p.code",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let outcomes: Vec<(String, String)> = sqlx::query_as(
        "with gone as (delete from outcome_answer where case_id = $1
                       returning outcome_question_id, answer)
         select o.code, gone.answer
         from gone join outcome_question o on o.id = gone.outcome_question_id order by o.code",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    let mut removed = Vec::new();
    for (code, answer, rationale) in judgements {
        removed.push(Removed {
            entity: "judgement",
            code: code.clone(),
            field: "answer",
            old: answer,
        });
        if let Some(rationale) = rationale {
            removed.push(Removed {
                entity: "judgement",
                code,
                field: "rationale",
                old: rationale,
            });
        }
    }
    for (code, answer) in prompts {
        removed.push(Removed {
            entity: "prompt",
            code,
            field: "answer",
            old: answer,
        });
    }
    for (code, answer) in outcomes {
        removed.push(Removed {
            entity: "outcome",
            code,
            field: "answer",
            old: answer,
        });
    }
    Ok(removed)
}

/// Everything recorded for every case of an inspection, by case id: what an
/// export needs, in three queries however many cases there are.
pub async fn for_inspection(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<HashMap<i64, CaseAnswers>, sqlx::Error> {
    let judgements: Vec<(i64, i32, Answer, Option<String>, bool)> = sqlx::query_as(
        "select j.case_id, j.key_question_id, j.answer, j.rationale, j.quote_in_report
         from key_question_judgement j join sample_case c on c.id = j.case_id
         where c.inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(&mut *conn)
    .await?;
    let prompts: Vec<(i64, i32, Answer)> = sqlx::query_as(
        "select a.case_id, a.prompt_id, a.answer
         from prompt_answer a join sample_case c on c.id = a.case_id
         where c.inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(&mut *conn)
    .await?;
    let outcomes: Vec<(i64, i32, OutcomeAnswer)> = sqlx::query_as(
        "select a.case_id, a.outcome_question_id, a.answer
         from outcome_answer a join sample_case c on c.id = a.case_id
         where c.inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_case: HashMap<i64, CaseAnswers> = HashMap::new();
    for (case_id, id, answer, rationale, quote) in judgements {
        by_case.entry(case_id).or_default().key_questions.insert(
            id,
            Judgement {
                answer,
                rationale,
                quote,
            },
        );
    }
    for (case_id, id, answer) in prompts {
        by_case
            .entry(case_id)
            .or_default()
            .prompts
            .insert(id, answer);
    }
    for (case_id, id, answer) in outcomes {
        by_case
            .entry(case_id)
            .or_default()
            .outcomes
            .insert(id, answer);
    }
    Ok(by_case)
}

// Each save writes all of its rows in one statement (arrays unnested), so a
// standard costs one round trip per kind of answer however many it holds.

/// The rationale of each case of an inspection judged on one key question
/// (by framework id), by case id: the drill-down behind a dashboard count.
pub async fn rationales(
    conn: &mut PgConnection,
    inspection_id: i64,
    key_question_id: i32,
) -> Result<HashMap<i64, String>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "select j.case_id, j.rationale
         from key_question_judgement j join sample_case c on c.id = j.case_id
         where c.inspection_id = $1 and j.key_question_id = $2 and j.rationale is not null",
    )
    .bind(inspection_id)
    .bind(key_question_id)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().collect())
}

pub async fn upsert_judgements(
    conn: &mut PgConnection,
    case_id: i64,
    framework_version_id: i32,
    judgements: &[(i32, Judgement)],
) -> Result<(), sqlx::Error> {
    if judgements.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = judgements.iter().map(|(id, _)| *id).collect();
    let answers: Vec<&str> = judgements.iter().map(|(_, j)| j.answer.code()).collect();
    let rationales: Vec<Option<&str>> = judgements
        .iter()
        .map(|(_, j)| j.rationale.as_deref())
        .collect();
    let quotes: Vec<bool> = judgements.iter().map(|(_, j)| j.quote).collect();
    sqlx::query(
        "insert into key_question_judgement (case_id, key_question_id, framework_version_id, answer,
             rationale, quote_in_report)
         select $1, t.id, $2, t.answer, t.rationale, t.quote
         from unnest($3::integer[], $4::text[], $5::text[], $6::boolean[])
             as t(id, answer, rationale, quote)
         on conflict (case_id, key_question_id) do update
            set answer = excluded.answer, rationale = excluded.rationale,
                quote_in_report = excluded.quote_in_report
            where (key_question_judgement.answer, key_question_judgement.rationale,
                   key_question_judgement.quote_in_report)
                  is distinct from (excluded.answer, excluded.rationale, excluded.quote_in_report)",
    )
    .bind(case_id)
    .bind(framework_version_id)
    .bind(ids)
    .bind(answers)
    .bind(rationales)
    .bind(quotes)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upsert_prompts(
    conn: &mut PgConnection,
    case_id: i64,
    framework_version_id: i32,
    prompts: &[(i32, Answer)],
) -> Result<(), sqlx::Error> {
    if prompts.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = prompts.iter().map(|(id, _)| *id).collect();
    let answers: Vec<&str> = prompts.iter().map(|(_, a)| a.code()).collect();
    sqlx::query(
        "insert into prompt_answer (case_id, prompt_id, framework_version_id, answer)
         select $1, t.id, $2, t.answer from unnest($3::integer[], $4::text[]) as t(id, answer)
         on conflict (case_id, prompt_id) do update set answer = excluded.answer
            where prompt_answer.answer <> excluded.answer",
    )
    .bind(case_id)
    .bind(framework_version_id)
    .bind(ids)
    .bind(answers)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn upsert_outcomes(
    conn: &mut PgConnection,
    case_id: i64,
    framework_version_id: i32,
    outcomes: &[(i32, OutcomeAnswer)],
) -> Result<(), sqlx::Error> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let ids: Vec<i32> = outcomes.iter().map(|(id, _)| *id).collect();
    let answers: Vec<&str> = outcomes.iter().map(|(_, a)| a.code()).collect();
    sqlx::query(
        "insert into outcome_answer (case_id, outcome_question_id, framework_version_id, answer)
         select $1, t.id, $2, t.answer from unnest($3::integer[], $4::text[]) as t(id, answer)
         on conflict (case_id, outcome_question_id) do update set answer = excluded.answer
            where outcome_answer.answer <> excluded.answer",
    )
    .bind(case_id)
    .bind(framework_version_id)
    .bind(ids)
    .bind(answers)
    .execute(conn)
    .await?;
    Ok(())
}
