//! Domain one evidence of an inspection: key-question judgements, evidence
//! bullets and staff survey figures. The confirmed standard ratings live in
//! `db::ratings` with the other inputs of the score.

use std::collections::HashMap;

use casemark_rules::{Counts, Rating};
use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::vocab::{EvidenceKind, EvidenceSource};

/// A key question's judgement.
#[derive(Debug, Clone)]
pub struct Judgement {
    pub rating: Rating,
    pub judged_by_name: String,
}

#[derive(sqlx::FromRow)]
struct JudgementRow {
    question_id: i32,
    rating: String,
    judged_by_name: String,
}

/// The judgements of one inspection by domain one question id.
pub async fn judgements(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<HashMap<i32, Judgement>, sqlx::Error> {
    let rows: Vec<JudgementRow> = sqlx::query_as(
        "select question_id, rating, judged_by_name from domain_one_judgement where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok((
                row.question_id,
                Judgement {
                    rating: parse_rating(&row.rating)?,
                    judged_by_name: row.judged_by_name,
                },
            ))
        })
        .collect()
}

fn parse_rating(code: &str) -> Result<Rating, sqlx::Error> {
    code.parse::<Rating>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

pub async fn set_judgement(
    conn: &mut PgConnection,
    inspection_id: i64,
    framework_version_id: i32,
    question_id: i32,
    rating: Rating,
    judged_by: Option<i64>,
    judged_by_name: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into domain_one_judgement (inspection_id, question_id, framework_version_id, rating,
                                           judged_by, judged_by_name)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (inspection_id, question_id) do update
            set rating = excluded.rating, judged_by = excluded.judged_by,
                judged_by_name = excluded.judged_by_name",
    )
    .bind(inspection_id)
    .bind(question_id)
    .bind(framework_version_id)
    .bind(rating.code())
    .bind(judged_by)
    .bind(judged_by_name)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn clear_judgement(
    conn: &mut PgConnection,
    inspection_id: i64,
    question_id: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from domain_one_judgement where inspection_id = $1 and question_id = $2")
        .bind(inspection_id)
        .bind(question_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// One bullet of evidence under a key question.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Evidence {
    pub id: i64,
    pub question_id: i32,
    pub kind: EvidenceKind,
    pub source: EvidenceSource,
    pub text: String,
    pub survey_item_id: Option<i64>,
    pub added_by: Option<i64>,
    pub added_by_name: String,
    pub created_at: DateTime<Utc>,
}

/// Every bullet of an inspection, oldest first within each question.
pub async fn evidence(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Evidence>, sqlx::Error> {
    sqlx::query_as(
        "select id, question_id, kind, source, text, survey_item_id, added_by, added_by_name,
                created_at
         from domain_one_evidence where inspection_id = $1 order by question_id, id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

pub async fn evidence_by_id(
    conn: &mut PgConnection,
    inspection_id: i64,
    id: i64,
) -> Result<Option<Evidence>, sqlx::Error> {
    sqlx::query_as(
        "select id, question_id, kind, source, text, survey_item_id, added_by, added_by_name,
                created_at
         from domain_one_evidence where inspection_id = $1 and id = $2",
    )
    .bind(inspection_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[derive(Debug)]
pub struct NewEvidence<'a> {
    pub inspection_id: i64,
    pub framework_version_id: i32,
    pub question_id: i32,
    pub kind: EvidenceKind,
    pub source: EvidenceSource,
    pub text: &'a str,
    pub survey_item_id: Option<i64>,
    pub added_by: Option<i64>,
    pub added_by_name: &'a str,
}

pub async fn add_evidence(
    conn: &mut PgConnection,
    new: &NewEvidence<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into domain_one_evidence (inspection_id, framework_version_id, question_id, kind,
                                          source, text, survey_item_id, added_by, added_by_name)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         returning id",
    )
    .bind(new.inspection_id)
    .bind(new.framework_version_id)
    .bind(new.question_id)
    .bind(new.kind)
    .bind(new.source)
    .bind(new.text)
    .bind(new.survey_item_id)
    .bind(new.added_by)
    .bind(new.added_by_name)
    .fetch_one(conn)
    .await
}

pub async fn remove_evidence(
    conn: &mut PgConnection,
    inspection_id: i64,
    id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from domain_one_evidence where inspection_id = $1 and id = $2")
        .bind(inspection_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A staff survey question with its figures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SurveyItem {
    pub id: i64,
    pub question: String,
    pub positive: i32,
    pub respondents: i32,
    /// Who recorded it: they or the lead may remove it.
    pub added_by: Option<i64>,
}

impl SurveyItem {
    /// As reports quote it: "19 out of 36 staff".
    pub fn figure(&self) -> String {
        format!("{} out of {} staff", self.positive, self.respondents)
    }

    /// The whole percentage answering positively, rounded as key-question
    /// percentages are (the rules crate's half up).
    pub fn percent(&self) -> u8 {
        let count = |n: i32| u32::try_from(n).unwrap_or(0);
        Counts::new(
            count(self.positive),
            count(self.respondents - self.positive),
            0,
        )
        .percent()
        .unwrap_or(0)
    }
}

pub async fn survey_items(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<SurveyItem>, sqlx::Error> {
    sqlx::query_as(
        "select id, question, positive, respondents, added_by from staff_survey_item
         where inspection_id = $1 order by id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// The unique index that keeps one item per question (case-insensitive).
pub const SURVEY_QUESTION_KEY: &str = "staff_survey_item_question_key";

pub async fn add_survey_item(
    conn: &mut PgConnection,
    inspection_id: i64,
    question: &str,
    positive: i32,
    respondents: i32,
    added_by: Option<i64>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into staff_survey_item (inspection_id, question, positive, respondents, added_by)
         values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(inspection_id)
    .bind(question)
    .bind(positive)
    .bind(respondents)
    .bind(added_by)
    .fetch_one(conn)
    .await
}

/// How many evidence bullets cite a survey item.
pub async fn survey_citations(
    conn: &mut PgConnection,
    survey_item_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select count(*) from domain_one_evidence where survey_item_id = $1")
        .bind(survey_item_id)
        .fetch_one(conn)
        .await
}

pub async fn remove_survey_item(
    conn: &mut PgConnection,
    inspection_id: i64,
    id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from staff_survey_item where inspection_id = $1 and id = $2")
        .bind(inspection_id)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
