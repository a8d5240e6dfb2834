//! Writing a framework version from its file (`casemark framework import`).
//! Framework rows carry explicit ids (the seed's are fixed), so an import
//! takes the next free ids under a table lock.

use sqlx::PgConnection;

use crate::framework_file::{Definition, RatedFrom};

/// A stored version with the same code: its id, status and whether an
/// inspection uses it. Locks framework_version against other imports.
pub async fn existing(
    conn: &mut PgConnection,
    code: &str,
) -> Result<Option<(i32, String, bool)>, sqlx::Error> {
    sqlx::query("lock table framework_version in share row exclusive mode")
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(
        "select f.id, f.status,
                exists (select 1 from inspection i where i.framework_version_id = f.id)
         from framework_version f where f.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await
}

/// Removes an unused version and everything under it (a draft being
/// replaced). The framework_in_use trigger still refuses a version in use.
pub async fn delete(conn: &mut PgConnection, id: i32) -> Result<(), sqlx::Error> {
    for table in [
        "question_set_key_question",
        "question_set",
        "domain_one_case_evidence",
        "domain_one_question",
        "prompt",
        "key_question",
        "outcome_question",
        "standard",
        "framework_area",
        "framework_domain",
        "framework_case_type",
    ] {
        // The table names are this list's literals, never input.
        let sql = format!("delete from {table} where framework_version_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("delete from framework_version where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

async fn next_id(conn: &mut PgConnection, table: &'static str) -> Result<i32, sqlx::Error> {
    let sql = format!("select coalesce(max(id), 0) + 1 from {table}");
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(conn)
        .await
}

fn small(n: usize) -> i16 {
    i16::try_from(n).unwrap_or(i16::MAX)
}

/// Inserts a checked definition; returns the new version's id.
pub async fn insert(conn: &mut PgConnection, d: &Definition) -> Result<i32, sqlx::Error> {
    let id = next_id(conn, "framework_version").await?;
    let k = &d.key_question_bands;
    let o = &d.overall_bands;
    sqlx::query(
        "insert into framework_version (id, code, name, kq_requires_improvement_min, kq_good_min,
             kq_outstanding_min, overall_requires_improvement_min, overall_good_min,
             overall_outstanding_min, version, status, source, level)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id)
    .bind(&d.code)
    .bind(&d.name)
    .bind(i16::from(k.requires_improvement))
    .bind(i16::from(k.good))
    .bind(i16::from(k.outstanding))
    .bind(i16::from(o.requires_improvement))
    .bind(i16::from(o.good))
    .bind(i16::from(o.outstanding))
    .bind(i16::try_from(d.version).unwrap_or(i16::MAX))
    .bind(d.status.code())
    .bind(&d.source)
    .bind(d.level.code())
    .execute(&mut *conn)
    .await?;
    for (position, case_type) in d.case_types.iter().enumerate() {
        sqlx::query(
            "insert into framework_case_type (framework_version_id, code, name, position)
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&case_type.code)
        .bind(&case_type.name)
        .bind(small(position + 1))
        .execute(&mut *conn)
        .await?;
    }
    for domain in &d.domains {
        sqlx::query(
            "insert into framework_domain (framework_version_id, number, name) values ($1, $2, $3)",
        )
        .bind(id)
        .bind(i16::try_from(domain.number).unwrap_or(i16::MAX))
        .bind(&domain.name)
        .execute(&mut *conn)
        .await?;
    }
    for (position, area) in d.areas.iter().enumerate() {
        sqlx::query(
            "insert into framework_area (framework_version_id, code, name, position)
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&area.code)
        .bind(&area.name)
        .bind(small(position + 1))
        .execute(&mut *conn)
        .await?;
    }
    let mut standard_id = next_id(conn, "standard").await?;
    let mut kq_id = next_id(conn, "key_question").await?;
    let mut prompt_id = next_id(conn, "prompt").await?;
    let mut question_id = next_id(conn, "domain_one_question").await?;
    // Evidence questions cite prompts by code: insert those after every prompt.
    let mut citations: Vec<(i32, &str, i16)> = Vec::new();
    let mut prompt_ids: Vec<(&str, i32)> = Vec::new();
    let mut key_question_ids: Vec<(&str, i32)> = Vec::new();
    for (s, standard) in d.standards.iter().enumerate() {
        sqlx::query(
            "insert into standard (id, framework_version_id, code, domain, name, statement,
                 position, rated_from, scored, rated)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(standard_id)
        .bind(id)
        .bind(&standard.code)
        .bind(i16::try_from(standard.domain).unwrap_or(i16::MAX))
        .bind(&standard.name)
        .bind(&standard.statement)
        .bind(small(s + 1))
        .bind(standard.rated_from.code())
        .bind(standard.scored)
        .bind(standard.rated)
        .execute(&mut *conn)
        .await?;
        for (q, kq) in standard.key_questions.iter().enumerate() {
            match standard.rated_from {
                RatedFrom::Cases => {
                    sqlx::query(
                        "insert into key_question (id, standard_id, framework_version_id, code,
                             area, text, position, provisional, pooled_from)
                         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(kq_id)
                    .bind(standard_id)
                    .bind(id)
                    .bind(&kq.code)
                    .bind(kq.area.as_deref().unwrap_or_default())
                    .bind(&kq.text)
                    .bind(small(q + 1))
                    .bind(kq.provisional)
                    .bind(&kq.pooled_from)
                    .execute(&mut *conn)
                    .await?;
                    for (p, prompt) in kq.prompts.iter().enumerate() {
                        sqlx::query(
                            "insert into prompt (id, key_question_id, framework_version_id, code,
                                 text, position)
                             values ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(prompt_id)
                        .bind(kq_id)
                        .bind(id)
                        .bind(&prompt.code)
                        .bind(&prompt.text)
                        .bind(small(p + 1))
                        .execute(&mut *conn)
                        .await?;
                        prompt_ids.push((&prompt.code, prompt_id));
                        prompt_id += 1;
                    }
                    key_question_ids.push((&kq.code, kq_id));
                    kq_id += 1;
                }
                RatedFrom::Evidence => {
                    sqlx::query(
                        "insert into domain_one_question (id, standard_id, framework_version_id,
                             code, text, position, provisional)
                         values ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(question_id)
                    .bind(standard_id)
                    .bind(id)
                    .bind(&kq.code)
                    .bind(&kq.text)
                    .bind(small(q + 1))
                    .bind(kq.provisional)
                    .execute(&mut *conn)
                    .await?;
                    for (e, cited) in kq.case_evidence.iter().enumerate() {
                        citations.push((question_id, cited, small(e + 1)));
                    }
                    question_id += 1;
                }
            }
        }
        standard_id += 1;
    }
    for (question, cited, position) in citations {
        let Some((_, prompt)) = prompt_ids.iter().find(|(code, _)| *code == cited) else {
            continue;
        };
        sqlx::query(
            "insert into domain_one_case_evidence (question_id, prompt_id, framework_version_id,
                 position)
             values ($1, $2, $3, $4)",
        )
        .bind(question)
        .bind(*prompt)
        .bind(id)
        .bind(position)
        .execute(&mut *conn)
        .await?;
    }
    let mut outcome_id = next_id(conn, "outcome_question").await?;
    for (position, outcome) in d.outcomes.iter().enumerate() {
        sqlx::query(
            "insert into outcome_question (id, framework_version_id, code, text, position)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(outcome_id)
        .bind(id)
        .bind(&outcome.code)
        .bind(&outcome.text)
        .bind(small(position + 1))
        .execute(&mut *conn)
        .await?;
        outcome_id += 1;
    }
    insert_question_sets(conn, id, d, &key_question_ids).await?;
    Ok(id)
}

async fn insert_question_sets(
    conn: &mut PgConnection,
    version: i32,
    d: &Definition,
    key_question_ids: &[(&str, i32)],
) -> Result<(), sqlx::Error> {
    let mut set_id = next_id(conn, "question_set").await?;
    for (position, set) in d.question_sets.iter().enumerate() {
        sqlx::query(
            "insert into question_set (id, framework_version_id, code, name, position, selector,
                 every_key_question)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(set_id)
        .bind(version)
        .bind(&set.code)
        .bind(&set.name)
        .bind(small(position + 1))
        .bind(&set.when)
        .bind(set.key_questions.is_none())
        .execute(&mut *conn)
        .await?;
        for (k, code) in set.key_questions.iter().flatten().enumerate() {
            // The file was checked: every code is a case key question.
            let Some((_, kq)) = key_question_ids.iter().find(|(c, _)| c == code) else {
                continue;
            };
            sqlx::query(
                "insert into question_set_key_question (question_set_id, framework_version_id,
                     key_question_id, position)
                 values ($1, $2, $3, $4)",
            )
            .bind(set_id)
            .bind(version)
            .bind(*kq)
            .bind(small(k + 1))
            .execute(&mut *conn)
            .await?;
        }
        set_id += 1;
    }
    Ok(())
}
