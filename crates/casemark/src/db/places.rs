//! Regions and PDUs.

use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Region {
    pub id: i16,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pdu {
    pub id: i64,
    pub region_id: i16,
    pub name: String,
}

pub async fn regions(conn: &mut PgConnection) -> Result<Vec<Region>, sqlx::Error> {
    sqlx::query_as("select id, name from region order by name")
        .fetch_all(conn)
        .await
}

pub async fn region(conn: &mut PgConnection, id: i16) -> Result<Option<Region>, sqlx::Error> {
    sqlx::query_as("select id, name from region where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Finds a region by name, ignoring case, commas and extra spaces.
pub async fn region_named(
    conn: &mut PgConnection,
    name: &str,
) -> Result<Option<Region>, sqlx::Error> {
    sqlx::query_as("select id, name from region where region_key(name) = region_key($1)")
        .bind(name)
        .fetch_optional(conn)
        .await
}

pub async fn pdus_in_region(
    conn: &mut PgConnection,
    region_id: i16,
) -> Result<Vec<Pdu>, sqlx::Error> {
    sqlx::query_as("select id, region_id, name from pdu where region_id = $1 order by name")
        .bind(region_id)
        .fetch_all(conn)
        .await
}

pub async fn pdu(conn: &mut PgConnection, id: i64) -> Result<Option<Pdu>, sqlx::Error> {
    sqlx::query_as("select id, region_id, name from pdu where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// The PDU of that name in the region (ignoring case), created if new; and
/// whether it was created now.
pub async fn find_or_create_pdu(
    conn: &mut PgConnection,
    region_id: i16,
    name: &str,
) -> Result<(Pdu, bool), sqlx::Error> {
    let created: Option<Pdu> = sqlx::query_as(
        "insert into pdu (region_id, name) values ($1, $2)
         on conflict (region_id, lower(name)) do nothing
         returning id, region_id, name",
    )
    .bind(region_id)
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(pdu) = created {
        return Ok((pdu, true));
    }
    let pdu = sqlx::query_as(
        "select id, region_id, name from pdu where region_id = $1 and lower(name) = lower($2)",
    )
    .bind(region_id)
    .bind(name)
    .fetch_one(conn)
    .await?;
    Ok((pdu, false))
}
