//! Drawing the case sample from the long list (docs/sampling.md): a
//! preview that writes nothing, the confirmation that adds the drawn cases
//! and keeps the reserves in one transaction, and replacing a case with the
//! next reserve of its stratum.

use std::collections::HashMap;

use casemark_rules::{Draw, DrawRequest, PRACTITIONER_CAP, Stratum, draw_sample, share_hundredths};
use rand_core::RngCore;
use sqlx::{PgConnection, PgPool};

use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::db::cases::CaseFacts;
use crate::db::long_list::{Placed, SampleDraw};
use crate::long_list::{Excluded, ListedRow};
use crate::refusal::{Field, Problem, Refusal};

/// The largest sample a draw may ask for.
pub const MAX_SIZE: i64 = 500;
/// Seeds casemark picks, and the largest one may give.
pub const MAX_SEED: i64 = 999_999_999;

/// What the lead asks for; a missing seed is picked (and recorded).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct DrawInput {
    pub size: Option<i64>,
    pub buffer_percent: Option<i64>,
    pub seed: Option<i64>,
    /// The long list a preview was drawn from ([`Drawn::long_list`]): when
    /// given, a confirm is refused if the list was replaced since.
    pub long_list: Option<String>,
}

/// A drawn or reserve case as the preview shows it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DrawnCase {
    pub crn: String,
    pub stratum: &'static str,
    pub office: String,
    pub practitioner: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StratumFigures {
    pub code: &'static str,
    pub name: &'static str,
    /// Eligible cases of the long list.
    pub long_list: usize,
    /// Share of the eligible long list, hundredths of a percent.
    pub long_list_share: Option<u32>,
    pub drawn: usize,
    /// Share of the drawn sample, hundredths of a percent.
    pub sample_share: Option<u32>,
    pub reserves: usize,
}

/// A draw, previewed or confirmed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Drawn {
    /// Which upload of the long list this was drawn from.
    pub long_list: String,
    pub seed: i64,
    pub size: usize,
    pub buffer_percent: u32,
    pub strata: Vec<StratumFigures>,
    pub cases: Vec<DrawnCase>,
    pub reserves: Vec<DrawnCase>,
    pub shortfall: usize,
    pub practitioner_cap: usize,
    /// Practitioners with the cap's number of cases drawn.
    pub at_cap: Vec<String>,
    pub excluded: Vec<Excluded>,
    /// Set once confirmed: the cases added, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub case_ids: Vec<i64>,
}

/// Checks the request; the seed is picked when none is given.
fn checked(input: &DrawInput) -> Result<(usize, u32, i64), Refusal> {
    let mut problems = Vec::new();
    let size = match input.size {
        Some(n) if (1..=MAX_SIZE).contains(&n) => n as usize,
        _ => {
            problems.push(Problem::new(
                Field::Named("size"),
                format!("Enter a sample size from 1 to {MAX_SIZE}"),
            ));
            0
        }
    };
    let buffer = match input.buffer_percent {
        None => 0,
        Some(b) if (0..=100).contains(&b) => b as u32,
        Some(_) => {
            problems.push(Problem::new(
                Field::Named("buffer_percent"),
                "Enter a buffer from 0 to 100 per cent",
            ));
            0
        }
    };
    let seed = match input.seed {
        None => i64::from(rand_core::OsRng.next_u32()) % (MAX_SEED + 1),
        Some(s) if (0..=MAX_SEED).contains(&s) => s,
        Some(_) => {
            problems.push(Problem::new(
                Field::Named("seed"),
                format!("Enter a seed from 0 to {MAX_SEED}"),
            ));
            0
        }
    };
    if problems.is_empty() {
        Ok((size, buffer, seed))
    } else {
        Err(Refusal::Invalid(problems))
    }
}

/// The checks before a draw: the lead, before moderation, a long list,
/// and no sample drawn yet. Returns the long list and the fieldwork start.
async fn ready(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
) -> Result<(Vec<ListedRow>, chrono::NaiveDate, String), Refusal> {
    let (status, access) = crate::access::stage_and_standing(&mut *conn, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_adding_cases(status)?;
    if db::long_list::draw_of(&mut *conn, inspection_id)
        .await?
        .is_some()
    {
        return Err(Refusal::Locked(
            "The sample has already been drawn from the long list".into(),
        ));
    }
    let rows = db::long_list::rows(&mut *conn, inspection_id)
        .await?
        .ok_or_else(|| Refusal::Locked("Upload the long list before drawing the sample".into()))?;
    let inspection = db::inspections::get(&mut *conn, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let uploaded = db::long_list::uploaded_at(&mut *conn, inspection_id)
        .await?
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .unwrap_or_default();
    Ok((rows, inspection.fieldwork_start, uploaded))
}

fn run(
    rows: &[ListedRow],
    started_by: chrono::NaiveDate,
    size: usize,
    buffer: u32,
    seed: i64,
) -> Draw {
    let listed: Vec<_> = rows.iter().map(ListedRow::listed).collect();
    draw_sample(
        &listed,
        &DrawRequest {
            size,
            buffer_percent: buffer,
            seed: seed as u64,
            started_by: started_by.to_string(),
        },
    )
}

fn figures(
    rows: &[ListedRow],
    draw: &Draw,
    (size, buffer, seed): (usize, u32, i64),
    long_list: String,
) -> Drawn {
    let eligible: usize = draw.strata.iter().map(|s| s.eligible).sum();
    let drawn: usize = draw.drawn.len();
    let case = |p: &casemark_rules::Picked| DrawnCase {
        crn: rows[p.index].crn.clone(),
        stratum: p.stratum.code(),
        office: rows[p.index].office.clone(),
        practitioner: rows[p.index].practitioner.clone(),
    };
    Drawn {
        long_list,
        seed,
        size,
        buffer_percent: buffer,
        strata: draw
            .strata
            .iter()
            .map(|s| StratumFigures {
                code: s.stratum.code(),
                name: s.stratum.name(),
                long_list: s.eligible,
                long_list_share: share_hundredths(s.eligible, eligible),
                drawn: s.drawn,
                sample_share: share_hundredths(s.drawn, drawn),
                reserves: s.reserves,
            })
            .collect(),
        cases: draw.drawn.iter().map(case).collect(),
        reserves: draw.reserves.iter().map(case).collect(),
        shortfall: draw.shortfall,
        practitioner_cap: PRACTITIONER_CAP,
        at_cap: draw.at_cap.clone(),
        excluded: draw
            .excluded
            .iter()
            .map(|(index, why)| Excluded {
                row: rows[*index].row,
                reason: why.reason(),
            })
            .collect(),
        case_ids: Vec::new(),
    }
}

/// The draw the request would make, writing nothing.
pub async fn preview(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    input: &DrawInput,
) -> Result<Drawn, Refusal> {
    let mut tx = pool.begin().await?;
    let (rows, started_by, uploaded) = ready(&mut tx, actor, inspection_id).await?;
    let (size, buffer, seed) = checked(input)?;
    let draw = run(&rows, started_by, size, buffer, seed);
    Ok(figures(&rows, &draw, (size, buffer, seed), uploaded))
}

/// Draws and adds the sample: the drawn cases join the inspection, the
/// reserves are queued per stratum, and the names, dates of birth and
/// PNCs of the whole list are wiped, all in one transaction.
pub async fn confirm(
    pool: &PgPool,
    actor: &Actor,
    inspection_id: i64,
    input: &DrawInput,
) -> Result<Drawn, Refusal> {
    let mut tx = pool.begin().await?;
    let (rows, started_by, uploaded) = ready(&mut tx, actor, inspection_id).await?;
    if input.long_list.as_ref().is_some_and(|l| *l != uploaded) {
        return Err(Refusal::Locked(
            "The long list was replaced after this preview: preview the draw again".into(),
        ));
    }
    let (size, buffer, seed) = checked(input)?;
    let draw = run(&rows, started_by, size, buffer, seed);
    let inspection = db::inspections::get(&mut tx, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let valid: Vec<(usize, CaseFacts)> = draw
        .drawn
        .iter()
        .map(|p| (rows[p.index].row, facts_of(&rows[p.index])))
        .collect();
    let added = crate::intake::insert_cases(
        &mut tx,
        actor,
        inspection_id,
        inspection.framework_version_id,
        valid,
    )
    .await?;
    let mut placed = Vec::with_capacity(draw.drawn.len() + draw.reserves.len());
    for (picked, case) in draw.drawn.iter().zip(&added) {
        db::cases::set_stratum(&mut tx, case.id, picked.stratum.code()).await?;
        placed.push(Placed {
            row: row_number(&rows[picked.index]),
            stratum: picked.stratum.code(),
            role: "drawn",
            reserve_position: None,
            case_id: Some(case.id),
        });
    }
    let mut position: HashMap<Stratum, i32> = HashMap::new();
    for picked in &draw.reserves {
        let n = position.entry(picked.stratum).or_default();
        *n += 1;
        placed.push(Placed {
            row: row_number(&rows[picked.index]),
            stratum: picked.stratum.code(),
            role: "reserve",
            reserve_position: Some(*n),
            case_id: None,
        });
    }
    db::long_list::place(&mut tx, inspection_id, &placed).await?;
    let record = SampleDraw {
        size: size as i32,
        buffer_percent: buffer as i32,
        seed,
        started_by,
        shortfall: draw.shortfall as i32,
        drawn_at: chrono::Utc::now(),
    };
    db::long_list::record_draw(&mut tx, inspection_id, &record, actor.id).await?;
    let event = NewEvent {
        inspection_id,
        entity: "inspection",
        field: Some("sample_draw"),
        new_value: Some(format!(
            "{} cases drawn with seed {seed} ({} asked, buffer {buffer}%), {} reserves",
            draw.drawn.len(),
            size,
            draw.reserves.len()
        )),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    let mut drawn = figures(&rows, &draw, (size, buffer, seed), uploaded);
    drawn.case_ids = added.iter().map(|c| c.id).collect();
    Ok(drawn)
}

fn row_number(row: &ListedRow) -> i32 {
    i32::try_from(row.row).unwrap_or(i32::MAX)
}

/// A drawn row's facts as a case of the sample: the CRN is its reference.
fn facts_of(row: &ListedRow) -> CaseFacts {
    CaseFacts {
        reference: row.crn.clone(),
        sentence_type: row.sentence_type,
        start_date: row.start_date,
        office: Some(row.office.clone()),
        sex: row.sex,
        rosh_level: row.rosh_level,
        ..facts_of_blank()
    }
}

/// A case replaced by a reserve.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Replacement {
    pub replaced: i64,
    pub replacement: i64,
    pub reference: String,
}

/// Replaces a drawn case with the next reserve of its stratum whose
/// practitioner is under the cap, with a written reason. The replaced case
/// stays, marked and no longer counted; its answers are removed (the case
/// history keeps them). All in one transaction, audited.
pub async fn replace(
    pool: &PgPool,
    actor: &Actor,
    case_id: i64,
    reason: Option<&str>,
) -> Result<Replacement, Refusal> {
    let mut tx = pool.begin().await?;
    let inspection_id = db::cases::inspection_of(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (status, access) = crate::access::stage_and_standing(&mut tx, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let case = db::cases::get_for_update(&mut tx, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    access.check_adding_cases(status)?;
    if case.replaced_reason.is_some() {
        return Err(Refusal::Locked(
            "This case has already been replaced".into(),
        ));
    }
    let reason = reason.map(str::trim).unwrap_or_default();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(Refusal::Invalid(vec![Problem::new(
            Field::Named("reason"),
            "Enter why the case is replaced, in 2000 characters or fewer",
        )]));
    }
    let (stratum, leaving) = db::long_list::origin_of(&mut tx, case_id)
        .await?
        .ok_or_else(|| {
            Refusal::Locked(
                "This case was not drawn from a long list, so there is no reserve to replace it"
                    .into(),
            )
        })?;
    let key = casemark_rules::practitioner_key;
    let mut in_sample: HashMap<String, usize> = HashMap::new();
    for name in db::long_list::practitioners_in_sample(&mut tx, inspection_id).await? {
        *in_sample.entry(key(&name)).or_default() += 1;
    }
    if let Some(n) = in_sample.get_mut(&key(&leaving)) {
        *n = n.saturating_sub(1);
    }
    let name = Stratum::parse(&stratum).map_or_else(|| stratum.clone(), |s| s.name().to_owned());
    let reserve = db::long_list::reserves(&mut tx, inspection_id, &stratum)
        .await?
        .into_iter()
        .find(|r| in_sample.get(&key(&r.practitioner)).copied().unwrap_or(0) < PRACTITIONER_CAP)
        .ok_or_else(|| Refusal::Locked(format!("No reserve is left in the stratum '{name}'")))?;

    let revision = db::cases::bump_revision(&mut tx, case_id).await?;
    let removed = db::answers::remove_all(&mut tx, case_id).await?;
    db::cases::mark_replaced(&mut tx, case_id, reason, actor.id).await?;
    let facts = CaseFacts {
        reference: reserve.crn.clone(),
        sentence_type: reserve.sentence_type,
        start_date: reserve.start_date,
        office: Some(reserve.office.clone()),
        sex: reserve.sex,
        rosh_level: reserve.rosh_level,
        ..facts_of_blank()
    };
    let added = crate::intake::insert_cases(
        &mut tx,
        actor,
        inspection_id,
        case.framework_version_id,
        vec![(usize::try_from(reserve.row).unwrap_or_default(), facts)],
    )
    .await?;
    let new_id = added.first().map(|c| c.id).ok_or(Refusal::NotFound)?;
    db::cases::set_stratum(&mut tx, new_id, &stratum).await?;
    db::cases::set_replacement_of(&mut tx, new_id, case_id).await?;
    db::long_list::use_reserve(&mut tx, inspection_id, reserve.row, new_id).await?;

    let at = |id: i64, rev: i64| NewEvent {
        inspection_id,
        case_id: Some(id),
        case_revision: Some(rev),
        reason: Some(reason.to_owned()),
        ..NewEvent::default()
    };
    let mut events: Vec<NewEvent> = removed
        .into_iter()
        .map(|r| NewEvent {
            entity: r.entity,
            standard: Some(crate::marking::standard_of(&r.code)),
            code: Some(r.code),
            field: Some(r.field),
            old_value: Some(r.old),
            ..at(case_id, revision)
        })
        .collect();
    events.push(NewEvent {
        entity: "case",
        field: Some("replaced_by"),
        new_value: Some(reserve.crn.clone()),
        ..at(case_id, revision)
    });
    events.push(NewEvent {
        entity: "case",
        field: Some("replacement_of"),
        new_value: Some(case.facts.reference.clone()),
        ..at(new_id, 0)
    });
    db::audit::append(&mut tx, actor.id, &actor.label, &events).await?;
    tx.commit().await?;
    Ok(Replacement {
        replaced: case_id,
        replacement: new_id,
        reference: reserve.crn,
    })
}

/// Facts the long list does not hold, left unrecorded.
fn facts_of_blank() -> CaseFacts {
    CaseFacts {
        reference: String::new(),
        sentence_type: crate::vocab::SentenceType::CommunityOrder,
        start_date: None,
        office: None,
        practitioner_grade: None,
        practitioner_count: None,
        sex: None,
        age_at_start: None,
        ethnicity_group: None,
        rosh_level: None,
        mappa_eligible: None,
        licence_weeks: None,
        case_type: None,
    }
}
