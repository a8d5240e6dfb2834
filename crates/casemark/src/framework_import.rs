//! Importing a framework file (`casemark framework import FILE`): checked,
//! then written in one transaction, or not at all.
//!
//! A version that exists is replaced only while it is an unused draft; a
//! version in use stays frozen (and a trigger would refuse the change
//! anyway).

use sqlx::PgPool;

use crate::audit::Actor;
use crate::db;
use crate::framework_file::{FileProblem, Status, parse};

#[derive(Debug, thiserror::Error)]
pub enum ImportRefusal {
    #[error("{} problems in the file", .0.len())]
    Problems(Vec<FileProblem>),
    #[error("{0}")]
    Exists(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub id: i32,
    pub code: String,
    /// It replaced an unused draft of the same code.
    pub replaced: bool,
}

/// Reads, checks and stores a framework file, with its security event.
pub async fn import(pool: &PgPool, actor: &Actor, text: &str) -> Result<Imported, ImportRefusal> {
    let definition = parse(text).map_err(ImportRefusal::Problems)?;
    let mut tx = pool.begin().await?;
    let replaced = match db::framework_store::existing(&mut tx, &definition.code).await? {
        None => false,
        Some((id, status, in_use)) => {
            if in_use || Status::parse(&status) != Some(Status::Draft) {
                return Err(ImportRefusal::Exists(format!(
                    "Framework {} exists and is {}: a version that is in use or no longer a draft never changes; give the new version its own code",
                    definition.code,
                    if in_use {
                        "used by an inspection".to_owned()
                    } else {
                        status.replace('_', " ")
                    }
                )));
            }
            db::framework_store::delete(&mut tx, id).await?;
            true
        }
    };
    let id = db::framework_store::insert(&mut tx, &definition).await?;
    crate::security::framework_imported(&mut tx, actor, &definition.code, id, replaced).await?;
    tx.commit().await?;
    Ok(Imported {
        id,
        code: definition.code,
        replaced,
    })
}

/// The framework files shipped in `frameworks/`, built into the binary.
pub const SHIPPED: [(&str, &str); 4] = [
    (
        "frameworks/pdu-2023.toml",
        include_str!("../../../frameworks/pdu-2023.toml"),
    ),
    (
        "frameworks/youth-2018.toml",
        include_str!("../../../frameworks/youth-2018.toml"),
    ),
    (
        "frameworks/pdu-2024.toml",
        include_str!("../../../frameworks/pdu-2024.toml"),
    ),
    (
        "frameworks/region-2024.toml",
        include_str!("../../../frameworks/region-2024.toml"),
    ),
];

/// Stores every shipped framework whose code the database lacks (at each
/// start; the PDU 2023 version is also seeded by a migration, so on a
/// database made by this release it is there already). Returns the codes
/// imported.
///
/// Instances starting together on one database take turns (an advisory
/// lock held on one connection for the whole load), so each file is stored
/// once rather than raced.
pub async fn load_shipped(pool: &PgPool) -> Result<Vec<String>, String> {
    /// The advisory lock's key: "casemark frameworks" in a number.
    const LOCK: i64 = 0x6361_7365_6d61_726b;
    let mut lock = pool.acquire().await.map_err(|e| e.to_string())?;
    sqlx::query("select pg_advisory_lock($1)")
        .bind(LOCK)
        .execute(&mut *lock)
        .await
        .map_err(|e| e.to_string())?;
    let loaded = load_each(pool, &mut lock).await;
    // Released whatever happened: the connection goes back to the pool.
    sqlx::query("select pg_advisory_unlock($1)")
        .bind(LOCK)
        .execute(&mut *lock)
        .await
        .map_err(|e| e.to_string())?;
    loaded
}

async fn load_each(pool: &PgPool, conn: &mut sqlx::PgConnection) -> Result<Vec<String>, String> {
    let mut imported = Vec::new();
    for (path, text) in SHIPPED {
        let code = parse(text)
            .map_err(|problems| format!("{path} is not a valid framework file: {problems:?}"))?
            .code;
        if db::framework::exists(&mut *conn, &code)
            .await
            .map_err(|e| e.to_string())?
        {
            continue;
        }
        import(pool, &Actor::system("start-up"), text)
            .await
            .map_err(|e| format!("{path} could not be loaded: {e}"))?;
        imported.push(code);
    }
    Ok(imported)
}
