//! Blind second marking: while a second marking is open, its marker sees
//! nothing of the case's first marking. Every page and endpoint that shows
//! a first marking asks here first.

use sqlx::PgConnection;

use crate::audit::Actor;
use crate::db;
use crate::refusal::Refusal;

/// Refuses a caller whose own second marking of this case is open: its
/// first marking stays hidden from them until they submit.
pub async fn check_not_blind_to_case(
    conn: &mut PgConnection,
    actor: &Actor,
    case_id: i64,
) -> Result<(), Refusal> {
    let Some(user_id) = actor.id else {
        return Ok(());
    };
    let Some(sampled) = db::qa::sampled(conn, case_id).await? else {
        return Ok(());
    };
    if sampled.second_marker_id == user_id && sampled.submitted_at.is_none() {
        return Err(Refusal::Blind);
    }
    Ok(())
}

/// Refuses a caller with any open second marking in this inspection, for
/// what shows every case's first marking at once (exports, history,
/// judgement imports).
pub async fn check_not_blind_in(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
) -> Result<(), Refusal> {
    match actor.id {
        Some(user_id)
            if !db::qa::blind_cases(conn, user_id, Some(inspection_id))
                .await?
                .is_empty() =>
        {
            Err(Refusal::Blind)
        }
        _ => Ok(()),
    }
}

/// The cases whose first marking the caller may not see yet, anywhere.
pub async fn hidden_cases(conn: &mut PgConnection, actor: &Actor) -> Result<Vec<i64>, sqlx::Error> {
    match actor.id {
        Some(user_id) => db::qa::blind_cases(conn, user_id, None).await,
        None => Ok(Vec::new()),
    }
}
