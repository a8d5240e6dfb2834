//! Sign-in attempts counted per account and per client address.

use sqlx::PgConnection;

// ---------------------------------------------------------------- throttle

/// Counts one sign-in attempt against a throttle key before its password is
/// checked, in one statement, so parallel attempts cannot slip past the
/// limit; returns the attempts counted so far, this one included. The key
/// is locked for `lock_minutes` as the count reaches `limit`; a lock that
/// has run out starts the count again. (A successful sign-in gives its
/// attempt back: [`clear_throttle`], [`give_back_attempt`].)
pub async fn count_attempt(
    conn: &mut PgConnection,
    key: &str,
    limit: i32,
    lock_minutes: i32,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar(
        "insert into sign_in_throttle as t (key, failures, locked_until)
         values ($1, 1, case when $2 <= 1 then now() + make_interval(mins => $3) end)
         on conflict (key) do update set
             failures = case when t.locked_until <= now() then 1 else t.failures + 1 end,
             locked_until = case
                 when t.locked_until <= now() then
                     case when $2 <= 1 then now() + make_interval(mins => $3) end
                 when t.locked_until is null and t.failures + 1 >= $2 then
                     now() + make_interval(mins => $3)
                 else t.locked_until end
         returning failures",
    )
    .bind(key)
    .bind(limit)
    .bind(lock_minutes)
    .fetch_one(conn)
    .await
}

pub async fn clear_throttle(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("delete from sign_in_throttle where key = $1")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes back one counted attempt (a sign-in that succeeded), lifting a lock
/// that attempt alone had set.
pub async fn give_back_attempt(
    conn: &mut PgConnection,
    key: &str,
    limit: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update sign_in_throttle set
             failures = greatest(failures - 1, 0),
             locked_until = case when failures - 1 < $2 then null else locked_until end
         where key = $1",
    )
    .bind(key)
    .bind(limit)
    .execute(conn)
    .await?;
    Ok(())
}
