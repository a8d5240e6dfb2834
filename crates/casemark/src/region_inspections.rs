//! Region inspections (docs/rating-rules.md, "Region inspections"): an
//! inspection of a probation region, set up over the region's PDU
//! inspections. Its pooled standards are summed from their casework
//! (`db::ratings`); its evidence standards and its own cases (unpaid work,
//! victim work) are judged and marked as a PDU inspection's are, so it has
//! the same lifecycle, team, audit, dashboard and workbook.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::access;
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::refusal::{Field, Problem, Refusal};
use crate::vocab::MemberRole;

/// The region framework a region inspection gets unless it names another.
pub const REGION_FRAMEWORK_CODE: &str = "region-2024";

#[derive(Debug, Clone)]
pub struct RegionInspectionRequest {
    pub region_id: i16,
    pub fieldwork_start: NaiveDate,
    /// The PDU inspections whose casework it pools: inspections of PDUs in
    /// the region.
    pub pdu_inspections: Vec<i64>,
    /// A region framework's code; `None` for [`REGION_FRAMEWORK_CODE`].
    pub framework: Option<String>,
}

/// Creates the region inspection and its pool in one transaction, with the
/// audit of each pooled inspection; the creator becomes its lead.
pub async fn create(
    pool: &PgPool,
    actor: &Actor,
    request: &RegionInspectionRequest,
) -> Result<i64, Refusal> {
    if !access::may_create_inspection(actor) {
        return Err(Refusal::Forbidden);
    }
    let mut problems = Vec::new();
    let mut tx = pool.begin().await?;
    let code = request
        .framework
        .as_deref()
        .map_or(REGION_FRAMEWORK_CODE, str::trim);
    let framework_version_id = match db::framework::status_of(&mut tx, code).await? {
        Some((id, status, level)) if status == "in_use" && level == "region" => Some(id),
        Some((_, _, level)) if level != "region" => {
            problems.push(Problem::new(
                Field::Named("framework"),
                format!("Framework {code} is for PDU inspections: choose a region framework"),
            ));
            None
        }
        Some((_, status, _)) => {
            problems.push(Problem::new(
                Field::Named("framework"),
                format!(
                    "Framework {code} is {}: inspections use a framework in use",
                    status.replace('_', " ")
                ),
            ));
            None
        }
        None => {
            problems.push(Problem::new(
                Field::Named("framework"),
                format!("There is no framework {code}"),
            ));
            None
        }
    };
    let chosen: BTreeSet<i64> = request.pdu_inspections.iter().copied().collect();
    if chosen.is_empty() {
        problems.push(Problem::new(
            Field::Named("pdu_inspections"),
            "Select the PDU inspections whose cases the region inspection pools",
        ));
    }
    let mut pooled = Vec::with_capacity(chosen.len());
    for id in chosen {
        match db::inspections::get(&mut tx, id).await? {
            Some(i) if !i.of_region && i.region_id == request.region_id => pooled.push(i),
            Some(i) if !i.of_region => problems.push(Problem::new(
                Field::Named("pdu_inspections"),
                format!(
                    "Inspection {id} ({}) is in {}, not this region",
                    i.pdu_name, i.region_name
                ),
            )),
            Some(_) => problems.push(Problem::new(
                Field::Named("pdu_inspections"),
                format!("Inspection {id} is a region inspection: pool PDU inspections only"),
            )),
            None => problems.push(Problem::new(
                Field::Named("pdu_inspections"),
                format!("There is no inspection {id}"),
            )),
        }
    }
    let (Some(framework_version_id), true) = (framework_version_id, problems.is_empty()) else {
        return Err(Refusal::Invalid(problems));
    };
    let id = db::inspections::create_region(
        &mut tx,
        request.region_id,
        framework_version_id,
        request.fieldwork_start,
        actor.id,
    )
    .await?;
    let ids: Vec<i64> = pooled.iter().map(|i| i.id).collect();
    db::inspections::add_to_pool(&mut tx, id, &ids).await?;
    if let Some(user_id) = actor.id {
        db::members::set_membership(&mut tx, id, user_id, MemberRole::Lead).await?;
    }
    let mut events = vec![NewEvent {
        inspection_id: id,
        entity: "inspection",
        field: Some("created"),
        new_value: Some(format!("fieldwork {}", request.fieldwork_start)),
        ..NewEvent::default()
    }];
    events.extend(pooled.iter().map(|i| NewEvent {
        inspection_id: id,
        entity: "inspection",
        field: Some("pooled"),
        new_value: Some(format!(
            "inspection {} ({}, fieldwork {})",
            i.id, i.pdu_name, i.fieldwork_start
        )),
        ..NewEvent::default()
    }));
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(id)
}
