//! Domain one (1.1 leadership, 1.2 staffing, 1.3 services), marked from
//! evidence: the team records strengths and areas for improvement under each
//! key question, tagged with their source, and staff survey figures; the lead
//! or the inspector the lead names judges each key question on the
//! four-point scale; the rules crate proposes the standard's rating from
//! those judgements and the lead confirms it or records another with a
//! reason (docs/rating-rules.md, rule 7).
//!
//! Every change is one transaction that locks the inspection first, checks
//! the caller's standing and the lifecycle, and appends its audit events.
//! The browser and the JSON API share these functions.

mod confirm;
mod evidence;
mod judging;
mod survey;
mod view;

use std::collections::HashMap;
use std::sync::Arc;

use casemark_rules::{Proposal, Rating, propose_domain_one};
use sqlx::PgConnection;

pub use confirm::{DomainOneInput, MAX_EVIDENCE_CHARS, record, record_in};
pub use evidence::{EvidenceInput, MAX_BULLET_CHARS, add_evidence, remove_evidence};
pub use judging::{judge, name_judge};
pub use survey::{SurveyInput, add_survey_item, remove_survey_item};
pub use view::{CaseFigure, EvidenceView, QuestionView, StandardView, load_view};

use crate::access::{self, Access};
use crate::audit::Actor;
use crate::db;
use crate::framework::{Framework, FrameworkCache, Standard};
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::InspectionStatus;

/// A problem with one part of a domain one request: the framework code it
/// is about ("1.1", "1.2.3"; empty when none) and which part: "rating",
/// "reason", "strengths", "areas_for_improvement", "judgement", "judge",
/// "question", "kind", "source", "text", "survey_item", "positive",
/// "respondents"; "standard" for an unknown code.
fn problem(code: &str, part: &'static str, message: impl Into<String>) -> Problem {
    Problem::new(
        Field::DomainOne {
            code: code.to_owned(),
            part,
        },
        message,
    )
}

/// The key-question judgements of one inspection, by question id.
pub type Judgements = HashMap<i32, Rating>;

/// The standard's proposed rating from the judgements made so far.
pub fn proposal(standard: &Standard, judgements: &Judgements) -> Option<Proposal> {
    let judged: Vec<Rating> = standard
        .domain_one_questions
        .iter()
        .filter_map(|q| judgements.get(&q.id).copied())
        .collect();
    propose_domain_one(&judged)
}

pub async fn judgements_of(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Judgements, sqlx::Error> {
    Ok(db::domain_one::judgements(conn, inspection_id)
        .await?
        .into_iter()
        .map(|(question, j)| (question, j.rating))
        .collect())
}

/// A change in progress: the inspection locked for writing, with the
/// caller's standing and the framework it is marked under.
struct Change {
    status: InspectionStatus,
    access: Access,
    framework: Arc<Framework>,
}

async fn open_change(
    tx: &mut PgConnection,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
) -> Result<Change, Refusal> {
    let (status, access) = access::stage_and_standing(&mut *tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    let inspection = db::inspections::get(&mut *tx, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let framework = frameworks
        .get(&mut *tx, inspection.framework_version_id)
        .await?;
    Ok(Change {
        status,
        access,
        framework,
    })
}

/// Trimmed text, `None` when blank.
fn text(value: &str) -> Option<String> {
    Some(value.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

fn rating_code(rating: Option<Rating>) -> Option<String> {
    rating.map(|r| r.code().to_owned())
}
