//! Who is on an inspection's team, in which role.

use crate::vocab::MemberRole;
use sqlx::PgConnection;

// ------------------------------------------------------------- memberships

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Member {
    pub user_id: i64,
    pub email: String,
    pub display_name: String,
    pub role: MemberRole,
}

pub async fn membership(
    conn: &mut PgConnection,
    inspection_id: i64,
    user_id: i64,
) -> Result<Option<MemberRole>, sqlx::Error> {
    sqlx::query_scalar("select role from membership where inspection_id = $1 and user_id = $2")
        .bind(inspection_id)
        .bind(user_id)
        .fetch_optional(conn)
        .await
}

pub async fn members(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(
        "select m.user_id, u.email, u.display_name, m.role
         from membership m join app_user u on u.id = m.user_id
         where m.inspection_id = $1 order by m.role, u.display_name",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await
}

/// Whether the user belongs to any inspection.
pub async fn is_member_anywhere(
    conn: &mut PgConnection,
    user_id: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from membership where user_id = $1)")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// How many leads an inspection has (its rows locked, so two demotions at
/// once cannot both see another lead).
pub async fn lead_count_for_update(
    conn: &mut PgConnection,
    inspection_id: i64,
) -> Result<usize, sqlx::Error> {
    let leads: Vec<i64> = sqlx::query_scalar(
        "select user_id from membership where inspection_id = $1 and role = 'lead' for update",
    )
    .bind(inspection_id)
    .fetch_all(conn)
    .await?;
    Ok(leads.len())
}

/// Adds or changes a membership; returns the role it had before.
pub async fn set_membership(
    conn: &mut PgConnection,
    inspection_id: i64,
    user_id: i64,
    role: MemberRole,
) -> Result<Option<MemberRole>, sqlx::Error> {
    let before = membership(&mut *conn, inspection_id, user_id).await?;
    sqlx::query(
        "insert into membership (inspection_id, user_id, role) values ($1, $2, $3)
         on conflict (inspection_id, user_id) do update set role = excluded.role",
    )
    .bind(inspection_id)
    .bind(user_id)
    .bind(role)
    .execute(conn)
    .await?;
    Ok(before)
}
