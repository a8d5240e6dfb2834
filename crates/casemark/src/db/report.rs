//! What a report draft reads beyond the ratings: the lead's
//! recommendations, the rationales quoted in the report, and the sample by
//! kind of case.

use sqlx::PgConnection;

/// The recommendations in order.
pub async fn recommendations(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select text from recommendation where inspection_id = $1 order by position")
        .bind(inspection_id)
        .fetch_all(conn)
        .await
}

/// Replaces the recommendations with `texts`, numbered in order.
pub async fn set_recommendations(
    conn: &mut PgConnection,
    inspection_id: i64,
    texts: &[String],
) -> Result<(), sqlx::Error> {
    sqlx::query("delete from recommendation where inspection_id = $1")
        .bind(inspection_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into recommendation (inspection_id, position, text)
         select $1, t.position, t.text
         from unnest($2::text[]) with ordinality as t(text, position)",
    )
    .bind(inspection_id)
    .bind(texts)
    .execute(conn)
    .await?;
    Ok(())
}

/// A rationale quoted in the report, with its key question and answer.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Quoted {
    pub key_question_id: i32,
    pub answer: crate::vocab::Answer,
    pub rationale: String,
}

/// The quoted rationales of an inspection's counted cases, in the order of
/// the cases' references.
pub async fn quoted(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Quoted>, sqlx::Error> {
    sqlx::query_as(
        "select j.key_question_id, j.answer, j.rationale
         from key_question_judgement j join sample_case c on c.id = j.case_id
         where c.inspection_id = $1 and c.replaced_at is null and j.quote_in_report
         order by c.reference, j.key_question_id",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// The counted cases by kind: (case type, sentence type, cases); the case
/// type `None` for the main kind.
pub async fn sample_by_kind(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<(Option<String>, crate::vocab::SentenceType, i64)>, sqlx::Error> {
    sqlx::query_as(
        "select case_type, sentence_type, count(*) from sample_case
         where inspection_id = $1 and replaced_at is null
         group by case_type, sentence_type order by case_type nulls first, sentence_type",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}
