//! The national picture of the annual report: the PDU ratings table
//! (published inspections, highest score first) and the national figures
//! (how many got each rating, and key questions pooled over every case),
//! with the same split by region.
//!
//! Only inspections under the current PDU framework, or a PDU framework
//! that rates the same standards (pdu-2024 adds case types the region
//! inspection rates), count: a table of seven ratings, or a pooled key
//! question, means nothing across frameworks that rate differently.
//! Everything is read from the per-inspection summaries (the
//! ratings cache) and tallies, so the cost grows with the number of
//! inspections, never with their cases or answers; the counting and pooling
//! are the rules crate's ([`RatingCounts`], [`pool`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use casemark_rules::{Counts, Rating, RatingCounts, pool};
use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::db;
use crate::db::national::Published;
use crate::framework::{Framework, FrameworkCache};
use crate::ratings::{Summary, summaries};

/// Which published inspections: by publication date (either end open) and
/// region; `member` limits them to one user's inspections (`None`: all).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub region: Option<i16>,
    pub member: Option<i64>,
}

/// A row of the PDU ratings table.
#[derive(Debug, Clone)]
pub struct TableRow {
    pub published: Published,
    pub summary: Summary,
}

/// The published inspections in the filter with their ratings, and the
/// framework they are rated under.
pub async fn table(
    conn: &mut PgConnection,
    frameworks: &FrameworkCache,
    filter: &Filter,
) -> Result<(Arc<Framework>, Vec<TableRow>), sqlx::Error> {
    let framework_id = db::framework::current_id(&mut *conn).await?;
    let framework = frameworks.get(&mut *conn, framework_id).await?;
    let alike = rating_alike(&mut *conn, frameworks, &framework).await?;
    let published = db::national::published(
        &mut *conn,
        filter.member,
        filter.region,
        &alike,
        filter.from,
        filter.to,
    )
    .await?;
    let inspections: Vec<_> = published.iter().map(|p| p.inspection.clone()).collect();
    let rated = summaries(&mut *conn, frameworks, &inspections).await?;
    let mut rows: Vec<TableRow> = published
        .into_iter()
        .zip(rated)
        .map(|(published, summary)| TableRow { published, summary })
        .collect();
    // The appendix's order: highest score first; then latest published,
    // then PDU name, so the order is stable.
    rows.sort_by(|a, b| {
        b.summary
            .score
            .cmp(&a.summary.score)
            .then(b.published.published_on.cmp(&a.published.published_on))
            .then(
                a.published
                    .inspection
                    .pdu_name
                    .cmp(&b.published.inspection.pdu_name),
            )
    });
    Ok((framework, rows))
}

/// The PDU framework versions that rate exactly the standards `current`
/// does, in its order (itself included): their summaries line up.
async fn rating_alike(
    conn: &mut PgConnection,
    frameworks: &FrameworkCache,
    current: &Framework,
) -> Result<Vec<i32>, sqlx::Error> {
    let codes = |f: &Framework| {
        f.standards
            .iter()
            .map(|s| s.code.clone())
            .collect::<Vec<_>>()
    };
    let wanted = codes(current);
    let mut alike = Vec::new();
    for id in db::framework::ids_of_level(&mut *conn, current.level.code()).await? {
        let other = frameworks.get(&mut *conn, id).await?;
        if codes(&other) == wanted {
            alike.push(id);
        }
    }
    Ok(alike)
}

/// The national figures, as the API and the page give them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[schema(as = NationalFigures)]
pub struct Figures {
    pub inspections: usize,
    pub overall: RatingCounts,
    pub standards: Vec<StandardCounts>,
    pub key_questions: Vec<PooledKeyQuestion>,
    pub regions: Vec<RegionFigures>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StandardCounts {
    pub code: String,
    pub name: String,
    pub ratings: RatingCounts,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PooledKeyQuestion {
    pub code: String,
    pub yes: u32,
    pub no: u32,
    pub na: u32,
    pub percent: Option<u8>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RegionFigures {
    pub region: String,
    pub inspections: usize,
    pub overall: RatingCounts,
    pub standards: Vec<StandardCounts>,
    pub key_questions: Vec<PooledKeyQuestion>,
}

fn counted(framework: &Framework, rows: &[&TableRow]) -> (RatingCounts, Vec<StandardCounts>) {
    let overall = RatingCounts::of(rows.iter().map(|r| r.summary.overall));
    let standards = framework
        .standards
        .iter()
        .enumerate()
        .map(|(i, s)| StandardCounts {
            code: s.code.clone(),
            name: s.name.clone(),
            ratings: RatingCounts::of(
                rows.iter()
                    .map(|r| r.summary.standards.get(i).copied().flatten()),
            ),
        })
        .collect();
    (overall, standards)
}

fn pooled(framework: &Framework, tallies: &[&BTreeMap<String, Counts>]) -> Vec<PooledKeyQuestion> {
    framework
        .key_questions()
        .map(|kq| {
            let counts = pool(tallies.iter().filter_map(|t| t.get(&kq.code).copied()));
            PooledKeyQuestion {
                code: kq.code.clone(),
                yes: counts.yes,
                no: counts.no,
                na: counts.na,
                percent: counts.percent(),
            }
        })
        .collect()
}

/// The national figures over the table's inspections.
pub async fn figures(
    conn: &mut PgConnection,
    framework: &Framework,
    rows: &[TableRow],
) -> Result<Figures, sqlx::Error> {
    let ids: Vec<i64> = rows.iter().map(|r| r.published.inspection.id).collect();
    let mut by_region: BTreeMap<String, BTreeMap<String, Counts>> = BTreeMap::new();
    for (region, kq, yes, no, na) in db::national::tallies_by_region(&mut *conn, &ids).await? {
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        by_region
            .entry(region)
            .or_default()
            .insert(kq, Counts::new(count(yes), count(no), count(na)));
    }
    let all: Vec<&TableRow> = rows.iter().collect();
    let (overall, standards) = counted(framework, &all);
    let every_region: Vec<&BTreeMap<String, Counts>> = by_region.values().collect();
    let mut regions: BTreeMap<&str, Vec<&TableRow>> = BTreeMap::new();
    for row in rows {
        regions
            .entry(row.published.inspection.region_name.as_str())
            .or_default()
            .push(row);
    }
    let regions = regions
        .into_iter()
        .map(|(region, rows)| {
            let (overall, standards) = counted(framework, &rows);
            let tallies: Vec<&BTreeMap<String, Counts>> =
                by_region.get(region).into_iter().collect();
            RegionFigures {
                region: region.to_owned(),
                inspections: rows.len(),
                overall,
                standards,
                key_questions: pooled(framework, &tallies),
            }
        })
        .collect();
    Ok(Figures {
        inspections: rows.len(),
        overall,
        standards,
        key_questions: pooled(framework, &every_region),
        regions,
    })
}

/// The region inspections' ratings counted, as the annual report counts
/// them beside the PDUs' (three regions Requires improvement overall, say).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct RegionLevel {
    pub inspections: usize,
    pub overall: RatingCounts,
    pub standards: Vec<StandardCounts>,
}

/// Published region inspections under the region framework, in the same
/// filter as the PDU table (publication date, region, membership).
pub async fn region_level(
    conn: &mut PgConnection,
    frameworks: &FrameworkCache,
    filter: &Filter,
) -> Result<RegionLevel, sqlx::Error> {
    let Some((framework_id, _, _)) =
        db::framework::status_of(&mut *conn, crate::region_inspections::REGION_FRAMEWORK_CODE)
            .await?
    else {
        return Ok(RegionLevel::default());
    };
    let published = db::national::published(
        &mut *conn,
        filter.member,
        filter.region,
        &[framework_id],
        filter.from,
        filter.to,
    )
    .await?;
    if published.is_empty() {
        return Ok(RegionLevel::default());
    }
    let framework = frameworks.get(&mut *conn, framework_id).await?;
    let inspections: Vec<_> = published.iter().map(|p| p.inspection.clone()).collect();
    let rated = summaries(&mut *conn, frameworks, &inspections).await?;
    let rows: Vec<TableRow> = published
        .into_iter()
        .zip(rated)
        .map(|(published, summary)| TableRow { published, summary })
        .collect();
    let all: Vec<&TableRow> = rows.iter().collect();
    let (overall, standards) = counted(&framework, &all);
    Ok(RegionLevel {
        inspections: rows.len(),
        overall,
        standards,
    })
}

/// The ratings in the table's column order, for the page and the files.
pub fn rating_label(rating: Option<Rating>) -> &'static str {
    rating.map_or("Not rated", Rating::label)
}
