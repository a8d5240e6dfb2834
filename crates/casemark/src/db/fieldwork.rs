//! What the fieldwork control board reads: each case's assignment and last
//! save (from the audit trail), and the long list's profile.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::vocab::{MarkingStatus, PractitionerGrade, RoshLevel, SentenceType, Sex};

/// A case of the sample (not replaced) and when it was last touched.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseActivity {
    pub id: i64,
    pub reference: String,
    pub marking_status: MarkingStatus,
    pub assigned_to: Option<i64>,
    pub assigned_at: Option<DateTime<Utc>>,
    /// The last answer, rationale or outcome saved.
    pub saved_at: Option<DateTime<Utc>>,
    pub sentence_type: SentenceType,
    pub sex: Option<Sex>,
    pub rosh_level: Option<RoshLevel>,
    pub practitioner_grade: Option<PractitionerGrade>,
}

pub async fn activity(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<CaseActivity>, sqlx::Error> {
    sqlx::query_as(
        "select c.id, c.reference, c.marking_status, c.assigned_to,
                (select max(e.at) from audit_event e
                 where e.case_id = c.id and e.entity = 'assignment') as assigned_at,
                (select max(e.at) from audit_event e
                 where e.case_id = c.id
                   and e.entity in ('judgement', 'rationale', 'prompt', 'outcome')) as saved_at,
                c.sentence_type, c.sex, c.rosh_level, c.practitioner_grade
         from sample_case c
         where c.inspection_id = $1 and c.replaced_at is null
         order by c.reference",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// A long list case as the profile counts it: sentence type, sex and RoSH
/// level (`None` for not recorded).
pub type ListedFacts = (SentenceType, Option<Sex>, Option<RoshLevel>);

/// The long list's cases, for the profile's comparison.
pub async fn long_list_profile(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<ListedFacts>, sqlx::Error> {
    sqlx::query_as(
        "select sentence_type, sex, rosh_level from long_list_case where inspection_id = $1",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}
