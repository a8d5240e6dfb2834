//! Loading a framework version.

use casemark_rules::{Bands, Thresholds};
use sqlx::PgConnection;

use crate::framework::{
    Area, DomainOneQuestion, Framework, KeyQuestion, OutcomeQuestion, Prompt, QuestionSet, Standard,
};

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
    level: String,
}

#[derive(sqlx::FromRow)]
struct StandardRow {
    id: i32,
    code: String,
    domain: i16,
    name: String,
    statement: String,
    rated_from: String,
    scored: bool,
    rated: bool,
    position: i16,
}

#[derive(sqlx::FromRow)]
struct KeyQuestionRow {
    id: i32,
    standard_id: i32,
    code: String,
    area: String,
    text: String,
    pooled_from: Option<String>,
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
                overall_requires_improvement_min, overall_good_min, overall_outstanding_min, level
         from framework_version where id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let standards: Vec<StandardRow> = sqlx::query_as(
        "select id, code, domain, name, statement, rated_from, scored, rated, position from standard
         where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let key_questions: Vec<KeyQuestionRow> = sqlx::query_as(
        "select id, standard_id, code, area, text, pooled_from from key_question
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
    let areas: Vec<(String, String)> =
        sqlx::query_as("select code, name from framework_area where framework_version_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
    let area = |code: &str| {
        areas
            .iter()
            .find(|(c, _)| c == code)
            .map(|(c, name)| Area::new(c.as_str(), name.as_str()))
            .ok_or_else(|| {
                sqlx::Error::Decode(format!("area '{code}' of framework version {id}").into())
            })
    };

    let case_types: Vec<(String, String)> = sqlx::query_as(
        "select code, name from framework_case_type where framework_version_id = $1 order by position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let level = crate::framework_file::Level::parse(&version.level)
        .ok_or_else(|| sqlx::Error::Decode(format!("level '{}'", version.level).into()))?;

    let mut built = Vec::with_capacity(standards.len());
    let mut pooled_elsewhere = Vec::new();
    for s in standards {
        let mut kqs = Vec::new();
        for kq in key_questions.iter().filter(|kq| kq.standard_id == s.id) {
            kqs.push(KeyQuestion {
                id: kq.id,
                code: kq.code.clone(),
                area: area(&kq.area)?,
                text: kq.text.clone(),
                pooled_from: kq.pooled_from.clone(),
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
        let rated_from =
            crate::framework_file::RatedFrom::parse(&s.rated_from).ok_or_else(|| {
                sqlx::Error::Decode(
                    format!("rated_from '{}' of standard {}", s.rated_from, s.code).into(),
                )
            })?;
        let standard = Standard {
            id: s.id,
            position: s.position,
            code: s.code,
            domain: s.domain,
            name: s.name,
            statement: s.statement,
            rated_from,
            scored: s.scored,
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
        };
        if s.rated {
            built.push(standard);
        } else {
            pooled_elsewhere.push(standard);
        }
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
        level,
        standards: built,
        pooled_elsewhere,
        case_types: case_types
            .into_iter()
            .map(|(code, name)| crate::framework_file::CaseType { code, name })
            .collect(),
        outcomes: outcomes
            .into_iter()
            .map(|(id, code, text)| OutcomeQuestion { id, code, text })
            .collect(),
        question_sets: question_sets(conn, id).await?,
    })
}

#[derive(sqlx::FromRow)]
struct QuestionSetRow {
    id: i32,
    code: String,
    name: String,
    selector: Option<String>,
    every_key_question: bool,
}

/// A version's question sets in file order, conditions read again (they
/// were checked when imported, so a failure here is a damaged row).
pub async fn question_sets(
    conn: &mut PgConnection,
    version: i32,
) -> Result<Vec<QuestionSet>, sqlx::Error> {
    let rows: Vec<QuestionSetRow> = sqlx::query_as(
        "select id, code, name, selector, every_key_question from question_set
         where framework_version_id = $1 order by position",
    )
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let members: Vec<(i32, i32)> = sqlx::query_as(
        "select question_set_id, key_question_id from question_set_key_question
         where framework_version_id = $1",
    )
    .bind(version)
    .fetch_all(&mut *conn)
    .await?;
    let facts = crate::framework_file::case_facts();
    rows.into_iter()
        .map(|row| {
            let when = match &row.selector {
                None => None,
                Some(text) => Some(casemark_rules::Selector::parse(text, &facts).map_err(|e| {
                    sqlx::Error::Decode(format!("question set {}: {e}", row.code).into())
                })?),
            };
            let key_questions = (!row.every_key_question).then(|| {
                members
                    .iter()
                    .filter(|(set, _)| *set == row.id)
                    .map(|(_, kq)| *kq)
                    .collect()
            });
            Ok(QuestionSet {
                id: row.id,
                code: row.code,
                name: row.name,
                when,
                key_questions,
            })
        })
        .collect()
}

/// The key question codes of each set, in the order the file gave them.
async fn question_set_codes(
    conn: &mut PgConnection,
    version: i32,
) -> Result<Vec<(i32, String)>, sqlx::Error> {
    sqlx::query_as(
        "select m.question_set_id, k.code
         from question_set_key_question m join key_question k on k.id = m.key_question_id
         where m.framework_version_id = $1 order by m.question_set_id, m.position",
    )
    .bind(version)
    .fetch_all(conn)
    .await
}

fn thresholds(ri: i16, good: i16, outstanding: i16) -> Result<Thresholds, sqlx::Error> {
    let convert = |v: i16| u8::try_from(v).map_err(|e| sqlx::Error::Decode(Box::new(e)));
    Ok(Thresholds {
        requires_improvement: convert(ri)?,
        good: convert(good)?,
        outstanding: convert(outstanding)?,
    })
}

/// A framework version as listed by `casemark framework list`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Listed {
    pub code: String,
    pub name: String,
    pub version: i16,
    pub status: String,
    pub inspections: i64,
    /// "pdu" or "region".
    pub level: String,
}

pub async fn list(conn: &mut PgConnection) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as(
        "select f.code, f.name, f.version, f.status, f.level,
                (select count(*) from inspection i where i.framework_version_id = f.id) as inspections
         from framework_version f order by f.code, f.version",
    )
    .fetch_all(conn)
    .await
}

#[derive(sqlx::FromRow)]
struct FileFacts {
    id: i32,
    version: i16,
    status: String,
    source: Option<String>,
}

/// A stored framework version as its file describes it (`casemark
/// framework export`); `None` if there is no version with that code.
pub async fn definition(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<crate::framework_file::Definition>, sqlx::Error> {
    use crate::framework_file as file;
    let Some(facts): Option<FileFacts> =
        sqlx::query_as("select id, version, status, source from framework_version where code = $1")
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?
    else {
        return Ok(None);
    };
    let framework = load(&mut *conn, facts.id).await?;
    let decode = |what: &str, value: &str| {
        sqlx::Error::Decode(format!("{what} '{value}' in framework {code}").into())
    };
    let areas: Vec<(String, String)> = sqlx::query_as(
        "select code, name from framework_area where framework_version_id = $1 order by position",
    )
    .bind(facts.id)
    .fetch_all(&mut *conn)
    .await?;
    let domains: Vec<(i16, String)> = sqlx::query_as(
        "select number, name from framework_domain where framework_version_id = $1 order by number",
    )
    .bind(facts.id)
    .fetch_all(&mut *conn)
    .await?;
    let provisional: Vec<String> = sqlx::query_scalar(
        "select code from key_question where framework_version_id = $1 and provisional
         union all
         select code from domain_one_question where framework_version_id = $1 and provisional",
    )
    .bind(facts.id)
    .fetch_all(&mut *conn)
    .await?;
    // The conditions as the file wrote them, so an export gives back its bytes.
    let selectors: Vec<(i32, Option<String>)> =
        sqlx::query_as("select id, selector from question_set where framework_version_id = $1")
            .bind(facts.id)
            .fetch_all(&mut *conn)
            .await?;
    let set_codes = question_set_codes(&mut *conn, facts.id).await?;
    let prompt_code = |id: i32| {
        framework
            .prompt_by_id(id)
            .map(|p| p.code.clone())
            .unwrap_or_default()
    };
    let mut built = Vec::with_capacity(framework.standards.len());
    for s in framework.all_standards() {
        let key_questions = match s.rated_from {
            file::RatedFrom::Cases => s
                .key_questions
                .iter()
                .map(|kq| file::KeyQuestion {
                    code: kq.code.clone(),
                    area: Some(kq.area.code().to_owned()),
                    text: kq.text.clone(),
                    provisional: provisional.contains(&kq.code),
                    prompts: kq
                        .prompts
                        .iter()
                        .map(|p| file::Prompt {
                            code: p.code.clone(),
                            text: p.text.clone(),
                        })
                        .collect(),
                    case_evidence: Vec::new(),
                    pooled_from: kq.pooled_from.clone(),
                })
                .collect(),
            file::RatedFrom::Evidence => s
                .domain_one_questions
                .iter()
                .map(|q| file::KeyQuestion {
                    code: q.code.clone(),
                    area: None,
                    text: q.text.clone(),
                    provisional: provisional.contains(&q.code),
                    prompts: Vec::new(),
                    case_evidence: q.case_prompts.iter().map(|id| prompt_code(*id)).collect(),
                    pooled_from: None,
                })
                .collect(),
        };
        built.push(file::Standard {
            code: s.code.clone(),
            domain: u32::try_from(s.domain).unwrap_or_default(),
            name: s.name.clone(),
            statement: s.statement.clone(),
            rated_from: s.rated_from,
            scored: s.scored,
            rated: !framework.pooled_elsewhere.iter().any(|p| p.id == s.id),
            key_questions,
        });
    }
    let scored = built.iter().filter(|s| s.scored).count() as u32;
    Ok(Some(file::Definition {
        code: framework.code.clone(),
        name: framework.name.clone(),
        version: u32::try_from(facts.version).unwrap_or_default(),
        status: file::Status::parse(&facts.status)
            .ok_or_else(|| decode("status", &facts.status))?,
        level: framework.level,
        source: facts.source,
        key_question_bands: framework.bands.key_question,
        overall_bands: framework.bands.overall,
        // Three points a scored standard: the framework's maximum.
        max_score: 3 * scored,
        areas: areas
            .into_iter()
            .map(|(code, name)| file::Area { code, name })
            .collect(),
        domains: domains
            .into_iter()
            .map(|(number, name)| file::Domain {
                number: u32::try_from(number).unwrap_or_default(),
                name,
            })
            .collect(),
        standards: built,
        outcomes: framework
            .outcomes
            .iter()
            .map(|o| file::Outcome {
                code: o.code.clone(),
                text: o.text.clone(),
            })
            .collect(),
        question_sets: framework
            .question_sets
            .iter()
            .map(|s| file::QuestionSet {
                code: s.code.clone(),
                name: s.name.clone(),
                when: selectors
                    .iter()
                    .find(|(id, _)| *id == s.id)
                    .and_then(|(_, text)| text.clone()),
                key_questions: s.key_questions.as_ref().map(|_| {
                    set_codes
                        .iter()
                        .filter(|(id, _)| *id == s.id)
                        .map(|(_, code)| code.clone())
                        .collect()
                }),
            })
            .collect(),
        case_types: framework.case_types.clone(),
    }))
}

/// The ids of the framework versions of a level ("pdu", "region"), oldest first.
pub async fn ids_of_level(conn: &mut PgConnection, level: &str) -> Result<Vec<i32>, sqlx::Error> {
    sqlx::query_scalar("select id from framework_version where level = $1 order by id")
        .bind(level)
        .fetch_all(conn)
        .await
}

pub async fn exists(conn: &mut PgConnection, code: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from framework_version where code = $1)")
        .bind(code)
        .fetch_one(conn)
        .await
}

/// A version's id, status and level ("pdu" or "region"), by code.
pub async fn status_of(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<(i32, String, String)>, sqlx::Error> {
    sqlx::query_as("select id, status, level from framework_version where code = $1")
        .bind(code)
        .fetch_optional(conn)
        .await
}
