//! Setting up an inspection: choosing (or adding) the PDU and checking the
//! dates, for the new-inspection form and the JSON API alike.

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::inspections::NewInspection;
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::MemberRole;

#[derive(Debug, Clone)]
pub enum PduChoice {
    Existing(i64),
    /// Created in the region unless a PDU of that name (any case) is there.
    Named(String),
}

#[derive(Debug, Clone)]
pub struct InspectionRequest {
    pub region_id: i16,
    pub pdu: PduChoice,
    pub fieldwork_start: NaiveDate,
    pub sample_week_1: Option<NaiveDate>,
    pub sample_week_2: Option<NaiveDate>,
    /// The framework's code; `None` for the current PDU framework.
    pub framework: Option<String>,
}

/// Checks the sample weeks against the fieldwork date: both come months
/// before fieldwork, the second after the first. Problems name the field:
/// "sample_week_1" or "sample_week_2".
pub fn check_dates(
    fieldwork_start: NaiveDate,
    week_1: Option<NaiveDate>,
    week_2: Option<NaiveDate>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut report =
        |field, message: &str| problems.push(Problem::new(Field::Named(field), message));
    if week_1.is_some_and(|w| w >= fieldwork_start) {
        report(
            "sample_week_1",
            "First sample week must be before the fieldwork start date",
        );
    }
    match (week_1, week_2) {
        (None, Some(_)) => report(
            "sample_week_1",
            "Enter the first sample week as well as the second",
        ),
        (Some(w1), Some(w2)) if w2 <= w1 => report(
            "sample_week_2",
            "Second sample week must be after the first",
        ),
        _ => {}
    }
    if week_2.is_some_and(|w| w >= fieldwork_start) {
        report(
            "sample_week_2",
            "Second sample week must be before the fieldwork start date",
        );
    }
    problems
}

/// Creates the inspection (and the PDU if new) in one transaction, under
/// the framework asked for (a version in use) or the current one.
/// The creator becomes the inspection's lead.
pub async fn create_inspection(
    pool: &PgPool,
    actor: &Actor,
    request: &InspectionRequest,
) -> Result<i64, Refusal> {
    if !access::may_create_inspection(actor) {
        return Err(Refusal::Forbidden);
    }
    let mut problems = check_dates(
        request.fieldwork_start,
        request.sample_week_1,
        request.sample_week_2,
    );
    let mut tx = pool.begin().await?;
    let framework_version_id = match &request.framework {
        None => Some(db::framework::current_id(&mut tx).await?),
        Some(code) => match db::framework::status_of(&mut tx, code.trim()).await? {
            Some((_, _, level)) if level != "pdu" => {
                problems.push(Problem::new(
                    Field::Named("framework"),
                    format!(
                        "Framework {} is for region inspections: start one from the PDU inspections it pools",
                        code.trim()
                    ),
                ));
                None
            }
            Some((id, status, _)) if status == "in_use" => Some(id),
            Some((_, status, _)) => {
                problems.push(Problem::new(
                    Field::Named("framework"),
                    format!(
                        "Framework {} is {}: inspections use a framework in use",
                        code.trim(),
                        status.replace('_', " ")
                    ),
                ));
                None
            }
            None => {
                problems.push(Problem::new(
                    Field::Named("framework"),
                    format!("There is no framework {}", code.trim()),
                ));
                None
            }
        },
    };
    let pdu_id = match &request.pdu {
        PduChoice::Existing(id) => match db::places::pdu(&mut tx, *id).await? {
            Some(pdu) if pdu.region_id == request.region_id => Some(pdu.id),
            _ => {
                problems.push(Problem::new(
                    Field::Named("pdu"),
                    "Select a PDU in the region",
                ));
                None
            }
        },
        PduChoice::Named(name) => {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 || crate::text::is_multiline(name) {
                problems.push(Problem::new(
                    Field::Named("pdu"),
                    "Enter the PDU name on one line (200 characters or fewer)",
                ));
                None
            } else {
                let (pdu, created) =
                    db::places::find_or_create_pdu(&mut tx, request.region_id, name).await?;
                if created {
                    crate::security::pdu_added(&mut tx, actor, &pdu).await?;
                }
                Some(pdu.id)
            }
        }
    };
    let (Some(pdu_id), Some(framework_version_id)) = (pdu_id, framework_version_id) else {
        return Err(Refusal::Invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Refusal::Invalid(problems));
    }
    let id = db::inspections::create(
        &mut tx,
        &NewInspection {
            pdu_id,
            framework_version_id,
            fieldwork_start: request.fieldwork_start,
            sample_week_1: request.sample_week_1,
            sample_week_2: request.sample_week_2,
        },
        actor.id,
    )
    .await?;
    if let Some(user_id) = actor.id {
        db::members::set_membership(&mut tx, id, user_id, MemberRole::Lead).await?;
    }
    db::audit::append(
        &mut tx,
        actor.id,
        &actor.label,
        &[NewEvent {
            inspection_id: id,
            entity: "inspection",
            field: Some("created"),
            new_value: Some(format!("fieldwork {}", request.fieldwork_start)),
            ..NewEvent::default()
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
