//! Loading a framework version.

use casemark_rules::{Bands, Thresholds};
use sqlx::PgConnection;

use crate::framework::{
    DomainOneQuestion, Framework, KeyQuestion, OutcomeQuestion, Prompt, Standard,
};
use crate::vocab::from_db;

/// The framework new inspections are created under.
pub const CURRENT_FRAMEWORK_CODE: &str = "pdu-2023";

pub async fn current_id(conn: &mut PgConnection) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("select id from framework_version where code = $1")
        .bind(CURRENT_FRAMEWORK_CODE)
        .fetch_one(conn)
        .await
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    code: String,
    name: String,
    kq_requires_improvement_min: i16,
    kq_good_min: i16,
    kq_outstanding_min: i16,
    overall_requires_improvement_min: i16,
    overall_good_min: i16,
    overall_outstanding_min: i16,
}

#[derive(sqlx::FromRow)]
struct StandardRow {
    id: i32,
    code: String,
    domain: i16,
    name: String,
    statement: String,
}

#[derive(sqlx::FromRow)]
struct KeyQuestionRow {
    id: i32,
    standard_id: i32,
    code: String,
    area: String,
    text: String,
}

#[derive(sqlx::FromRow)]
struct PromptRow {
    id: i32,
    key_question_id: i32,
    code: String,
    text: String,
}

pub async fn load(conn: &mut PgConnection, id: i32) -> Result<Framework, sqlx::Error> {
    let version: VersionRow = sqlx::query_as(
        "select code, name, kq_requires_improvement_min, kq_good_min, kq_outstanding_min,
                overall_requires_improvement_min, overall_good_min, overall_outstanding_min
         from framework_version where id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let standards: Vec<StandardRow> = sqlx::query_as(
        "select id, code, domain, name, statement from standard
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let key_questions: Vec<KeyQuestionRow> = sqlx::query_as(
        "select id, standard_id, code, area, text from key_question
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let prompts: Vec<PromptRow> = sqlx::query_as(
        "select id, key_question_id, code, text from prompt
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let domain_one_questions: Vec<(i32, i32, String, String)> = sqlx::query_as(
        "select id, standard_id, code, text from domain_one_question
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let case_evidence: Vec<(i32, i32)> = sqlx::query_as(
        "select question_id, prompt_id from domain_one_case_evidence
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let outcomes: Vec<(i32, String, String)> = sqlx::query_as(
        "select id, code, text from outcome_question
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;

    let mut built = Vec::with_capacity(standards.len());
    for s in standards {
        let mut kqs = Vec::new();
        for kq in key_questions.iter().filter(|kq| kq.standard_id == s.id) {
            kqs.push(KeyQuestion {
                id: kq.id,
                code: kq.code.clone(),
                area: from_db(&kq.area)?,
                text: kq.text.clone(),
                prompts: prompts
                    .iter()
                    .filter(|p| p.key_question_id == kq.id)
                    .map(|p| Prompt {
                        id: p.id,
                        code: p.code.clone(),
                        text: p.text.clone(),
                    })
                    .collect(),
            });
        }
        built.push(Standard {
            id: s.id,
            code: s.code,
            domain: s.domain,
            name: s.name,
            statement: s.statement,
            key_questions: kqs,
            domain_one_questions: domain_one_questions
                .iter()
                .filter(|(_, standard, _, _)| *standard == s.id)
                .map(|(question, _, code, text)| DomainOneQuestion {
                    id: *question,
                    code: code.clone(),
                    text: text.clone(),
                    case_prompts: case_evidence
                        .iter()
                        .filter(|(q, _)| q == question)
                        .map(|(_, prompt)| *prompt)
                        .collect(),
                })
                .collect(),
        });
    }

    Ok(Framework {
        id,
        code: version.code,
        name: version.name,
        bands: Bands {
            key_question: thresholds(
                version.kq_requires_improvement_min,
                version.kq_good_min,
                version.kq_outstanding_min,
            )?,
            overall: thresholds(
                version.overall_requires_improvement_min,
                version.overall_good_min,
                version.overall_outstanding_min,
            )?,
        },
        standards: built,
        outcomes: outcomes
            .into_iter()
            .map(|(id, code, text)| OutcomeQuestion { id, code, text })
            .collect(),
    })
}

fn thresholds(ri: i16, good: i16, outstanding: i16) -> Result<Thresholds, sqlx::Error> {
    let convert = |v: i16| u8::try_from(v).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    Ok(Thresholds {
        requires_improvement: convert(ri)?,
        good: convert(good)?,
        outstanding: convert(outstanding)?,
    })
}
