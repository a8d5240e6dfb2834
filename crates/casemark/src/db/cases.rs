//! Cases of an inspection's sample.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::vocab::{
    Answer, EthnicityGroup, MarkingStatus, MemberRole, PractitionerGrade, RoshLevel, SentenceType,
    Sex,
};

/// Unique index that makes a reference unique within its inspection.
pub const REFERENCE_KEY: &str = "sample_case_reference_key";

/// The facts recorded with a case, used for breakdowns. Only the reference
/// and sentence type are required.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct CaseFacts {
    pub reference: String,
    pub sentence_type: SentenceType,
    pub start_date: Option<NaiveDate>,
    pub office: Option<String>,
    pub practitioner_grade: Option<PractitionerGrade>,
    pub practitioner_count: Option<i16>,
    pub sex: Option<Sex>,
    pub age_at_start: Option<i16>,
    pub ethnicity_group: Option<EthnicityGroup>,
    pub rosh_level: Option<RoshLevel>,
    pub mappa_eligible: Option<bool>,
    /// Licence cases only.
    pub licence_weeks: Option<i16>,
    /// One of its framework's case types; `None` for the main kind (the
    /// first) or where the framework has none.
    pub case_type: Option<String>,
}

impl CaseFacts {
    /// The facts as text by field name (see `intake::FIELDS`), blank when not
    /// recorded: for forms and for the audit trail.
    pub fn as_text(&self) -> Vec<(&'static str, String)> {
        let text = |v: Option<String>| v.unwrap_or_default();
        vec![
            ("reference", self.reference.clone()),
            ("sentence_type", self.sentence_type.code().to_owned()),
            ("start_date", text(self.start_date.map(|d| d.to_string()))),
            ("office", text(self.office.clone())),
            (
                "practitioner_grade",
                text(self.practitioner_grade.map(|g| g.code().to_owned())),
            ),
            (
                "practitioner_count",
                text(self.practitioner_count.map(|c| c.to_string())),
            ),
            ("sex", text(self.sex.map(|s| s.code().to_owned()))),
            (
                "age_at_start",
                text(self.age_at_start.map(|a| a.to_string())),
            ),
            (
                "ethnicity_group",
                text(self.ethnicity_group.map(|e| e.code().to_owned())),
            ),
            (
                "rosh_level",
                text(self.rosh_level.map(|r| r.code().to_owned())),
            ),
            (
                "mappa_eligible",
                text(
                    self.mappa_eligible
                        .map(|m| if m { "yes" } else { "no" }.to_owned()),
                ),
            ),
            (
                "licence_weeks",
                text(self.licence_weeks.map(|w| w.to_string())),
            ),
            ("case_type", text(self.case_type.clone())),
        ]
    }

    /// Young adults (18 to 25 at the start) are reported separately.
    pub fn young_adult(&self) -> Option<bool> {
        self.age_at_start.map(|age| (18..=25).contains(&age))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Case {
    pub id: i64,
    pub inspection_id: i64,
    pub framework_version_id: i32,
    pub marking_status: MarkingStatus,
    pub assigned_to: Option<i64>,
    pub assignee_name: Option<String>,
    /// The first marker (who first saved its answers) and as what: lead,
    /// inspector or local assessor.
    pub marker_name: Option<String>,
    pub marked_as: Option<MemberRole>,
    /// Incremented by every saved change, for lost-update checks.
    pub revision: i64,
    /// The question set it is marked on; `None` where its framework has none.
    pub question_set_id: Option<i32>,
    /// The lead's reason, when the lead chose the set over the facts' choice.
    pub question_set_override: Option<String>,
    /// Why it was replaced by a reserve, if it was: it then no longer counts.
    pub replaced_reason: Option<String>,
    /// The reference of the reserve that replaced it.
    pub replaced_by_reference: Option<String>,
    /// The reference of the case it replaced, if it is a reserve.
    pub replacement_of_reference: Option<String>,
    /// Its stratum, when it was drawn from a long list.
    pub stratum: Option<String>,
    #[sqlx(flatten)]
    pub facts: CaseFacts,
}

macro_rules! select_case {
    () => {
        "select sample_case.id, inspection_id, framework_version_id, marking_status, assigned_to,
                (select display_name from app_user where app_user.id = assigned_to) as assignee_name,
                (select display_name from app_user where app_user.id = marked_by) as marker_name,
                marked_as, revision, reference, sentence_type, start_date, office, practitioner_grade,
                practitioner_count, sex, age_at_start, ethnicity_group, rosh_level, mappa_eligible,
                licence_weeks, case_type, question_set_id, question_set_override, replaced_reason,
                (select r.reference from sample_case r where r.replacement_of = sample_case.id)
                    as replaced_by_reference,
                (select o.reference from sample_case o where o.id = sample_case.replacement_of)
                    as replacement_of_reference,
                stratum
         from sample_case "
    };
}

pub async fn insert(
    conn: &mut PgConnection,
    inspection_id: i64,
    framework_version_id: i32,
    question_set_id: Option<i32>,
    facts: &CaseFacts,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "insert into sample_case (inspection_id, framework_version_id, reference, sentence_type,
             start_date, office, practitioner_grade, practitioner_count, sex, age_at_start,
             ethnicity_group, rosh_level, mappa_eligible, licence_weeks, question_set_id, case_type)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
         returning id",
    )
    .bind(inspection_id)
    .bind(framework_version_id)
    .bind(&facts.reference)
    .bind(facts.sentence_type)
    .bind(facts.start_date)
    .bind(&facts.office)
    .bind(facts.practitioner_grade)
    .bind(facts.practitioner_count)
    .bind(facts.sex)
    .bind(facts.age_at_start)
    .bind(facts.ethnicity_group)
    .bind(facts.rosh_level)
    .bind(facts.mappa_eligible)
    .bind(facts.licence_weeks)
    .bind(question_set_id)
    .bind(&facts.case_type)
    .fetch_one(conn)
    .await
}

pub async fn update_facts(
    conn: &mut PgConnection,
    id: i64,
    facts: &CaseFacts,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sample_case set reference = $2, sentence_type = $3, start_date = $4, office = $5,
             practitioner_grade = $6, practitioner_count = $7, sex = $8, age_at_start = $9,
             ethnicity_group = $10, rosh_level = $11, mappa_eligible = $12, licence_weeks = $13,
             case_type = $14
         where id = $1",
    )
    .bind(id)
    .bind(&facts.reference)
    .bind(facts.sentence_type)
    .bind(facts.start_date)
    .bind(&facts.office)
    .bind(facts.practitioner_grade)
    .bind(facts.practitioner_count)
    .bind(facts.sex)
    .bind(facts.age_at_start)
    .bind(facts.ethnicity_group)
    .bind(facts.rosh_level)
    .bind(facts.mappa_eligible)
    .bind(facts.licence_weeks)
    .bind(&facts.case_type)
    .execute(conn)
    .await?;
    Ok(())
}

/// The case type codes of an inspection's framework, in order (empty when
/// it has none).
pub async fn case_types_of(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "select t.code from framework_case_type t
         join inspection i on i.framework_version_id = t.framework_version_id
         where i.id = $1 order by t.position",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

pub async fn get(conn: &mut PgConnection, id: i64) -> Result<Option<Case>, sqlx::Error> {
    sqlx::query_as(concat!(select_case!(), "where sample_case.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The inspection a case belongs to (which never changes), so that a
/// writer can lock the inspection before the case.
pub async fn inspection_of(conn: &mut PgConnection, id: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("select inspection_id from sample_case where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The case, locked until the transaction ends, so that two saves of the
/// same case apply one after the other. Lock its inspection first
/// (`access::stage_and_standing`): locks are taken inspection, then case.
pub async fn get_for_update(conn: &mut PgConnection, id: i64) -> Result<Option<Case>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_case!(),
        "where sample_case.id = $1 for update"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The references already used in an inspection, lower-cased as the unique
/// index compares them.
pub async fn references_in(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("select lower(reference) from sample_case where inspection_id = $1")
        .bind(inspection_id)
        .fetch_all(conn)
        .await
}

/// The cases of an inspection by lower-cased reference, as the unique
/// index compares them.
pub async fn ids_by_reference(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<(String, i64)>, sqlx::Error> {
    sqlx::query_as("select lower(reference), id from sample_case where inspection_id = $1")
        .bind(inspection_id)
        .fetch_all(conn)
        .await
}

/// Records that the case changed; returns its new revision.
pub async fn bump_revision(conn: &mut PgConnection, id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "update sample_case set revision = revision + 1 where id = $1 returning revision",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// Assigns cases of one inspection; returns (case id, reference, previous assignee) of those that changed.
pub async fn assign(
    conn: &mut PgConnection,
    inspection_id: i64,
    case_ids: &[i64],
    assignee: Option<i64>,
) -> Result<Vec<(i64, String, Option<i64>, i64)>, sqlx::Error> {
    sqlx::query_as(
        "update sample_case c set assigned_to = $3, revision = c.revision + 1
         from sample_case old
         where c.id = old.id and c.inspection_id = $1 and c.id = any($2)
           and c.assigned_to is distinct from $3
         returning c.id, c.reference, old.assigned_to, c.revision",
    )
    .bind(inspection_id)
    .bind(case_ids)
    .bind(assignee)
    .fetch_all(conn)
    .await
}

/// A user's assigned cases across inspections, for "My cases".
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AssignedCase {
    pub id: i64,
    pub reference: String,
    pub marking_status: MarkingStatus,
    pub inspection_id: i64,
    pub pdu_name: String,
    pub inspection_status: crate::vocab::InspectionStatus,
}

pub async fn assigned_to(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<Vec<AssignedCase>, sqlx::Error> {
    sqlx::query_as(
        "select c.id, c.reference, c.marking_status, c.inspection_id,
                coalesce(p.name, r.name || ' region') as pdu_name, i.status as inspection_status
         from sample_case c join inspection i on i.id = c.inspection_id
         left join pdu p on p.id = i.pdu_id join region r on r.id = i.region_id
         where c.assigned_to = $1 and c.replaced_at is null
         order by i.fieldwork_start desc, (c.marking_status = 'complete'), c.reference",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await
}

/// Records the case's first marker, unless it has one.
pub async fn set_marker_if_unset(
    conn: &mut PgConnection,
    id: i64,
    user_id: i64,
    role: MemberRole,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sample_case set marked_by = $2, marked_as = $3 where id = $1 and marked_by is null",
    )
    .bind(id)
    .bind(user_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(())
}

/// The stratum of a case drawn from the long list.
pub async fn set_stratum(
    conn: &mut PgConnection,
    id: i64,
    stratum: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("update sample_case set stratum = $2 where id = $1")
        .bind(id)
        .bind(stratum)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks a case replaced: it stays, with the reason, and no longer counts.
pub async fn mark_replaced(
    conn: &mut PgConnection,
    id: i64,
    reason: &str,
    by: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sample_case set replaced_at = now(), replaced_reason = $2, replaced_by = $3
         where id = $1",
    )
    .bind(id)
    .bind(reason)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_replacement_of(
    conn: &mut PgConnection,
    id: i64,
    replaced: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("update sample_case set replacement_of = $2 where id = $1")
        .bind(id)
        .bind(replaced)
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts the case on a question set; `overridden` is the lead's reason when
/// the lead chose it, `None` when the facts did.
pub async fn set_question_set(
    conn: &mut PgConnection,
    id: i64,
    set: i32,
    overridden: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sample_case set question_set_id = $2, question_set_override = $3 where id = $1",
    )
    .bind(id)
    .bind(set)
    .bind(overridden)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_marking_status(
    conn: &mut PgConnection,
    id: i64,
    status: MarkingStatus,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sample_case set marking_status = $2 where id = $1 and marking_status <> $2",
    )
    .bind(id)
    .bind(status)
    .execute(conn)
    .await?;
    Ok(())
}

/// Which cases of an inspection to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<MarkingStatus>,
    /// Cases whose answer to this key question (by id) is `answer`.
    pub key_question: Option<(i32, Answer)>,
    /// Cases whose answer to this prompt (by id) is `answer`.
    pub prompt: Option<(i32, Answer)>,
}

pub async fn list(
    conn: &mut PgConnection,
    inspection_id: i64,
    filter: &CaseFilter,
) -> Result<Vec<Case>, sqlx::Error> {
    sqlx::query_as(concat!(
        select_case!(),
        "where inspection_id = $1 and replaced_at is null
           and ($2::text is null or marking_status = $2)
           and ($3::integer is null or exists (
                select 1 from key_question_judgement j
                where j.case_id = sample_case.id and j.key_question_id = $3 and j.answer = $4))
           and ($5::integer is null or exists (
                select 1 from prompt_answer p
                where p.case_id = sample_case.id and p.prompt_id = $5 and p.answer = $6))
         order by reference"
    ))
    .bind(inspection_id)
    .bind(filter.status)
    .bind(filter.key_question.map(|(id, _)| id))
    .bind(filter.key_question.map(|(_, a)| a))
    .bind(filter.prompt.map(|(id, _)| id))
    .bind(filter.prompt.map(|(_, a)| a))
    .fetch_all(conn)
    .await
}
