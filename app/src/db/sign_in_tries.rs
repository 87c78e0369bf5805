//! Counts of sign-in tries per key, in a fixed window, kept in the database so every instance
//! counts the same tries. One statement takes a place and says how many there are now, so
//! parallel tries cannot all read the same count.

use super::Db;
use crate::domain::UtcMillis;
use crate::error::AppError;

/// Counts a try for `key` at `now` in its window (a window older than `window_ms` starts over)
/// and returns the count including this try.
pub async fn count_try(
    db: &Db,
    key: &str,
    now: UtcMillis,
    window_ms: i64,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO sign_in_tries (key, window_start, tries) VALUES ($1, $2, 1) \
         ON CONFLICT (key) DO UPDATE SET \
           tries = CASE WHEN sign_in_tries.window_start <= $3 THEN 1 \
                        ELSE sign_in_tries.tries + 1 END, \
           window_start = CASE WHEN sign_in_tries.window_start <= $3 THEN $2 \
                               ELSE sign_in_tries.window_start END \
         RETURNING tries",
    )
    .bind(key)
    .bind(now.0)
    .bind(now.0 - window_ms)
    .fetch_one(&db.pool)
    .await?)
}

/// Takes one try back from `key` (it was refused or never checked).
pub async fn uncount_try(db: &Db, key: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE sign_in_tries SET tries = tries - 1 WHERE key = $1 AND tries > 0")
        .bind(key)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Forgets `key`'s count (its owner signed in).
pub async fn clear(db: &Db, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sign_in_tries WHERE key = $1")
        .bind(key)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Drops every count whose window ended before `before` (the sweep calls this): the table
/// holds at most the keys tried within one window.
pub async fn prune(db: &Db, before: UtcMillis) -> Result<u64, AppError> {
    Ok(
        sqlx::query("DELETE FROM sign_in_tries WHERE window_start < $1")
            .bind(before.0)
            .execute(&db.pool)
            .await?
            .rows_affected(),
    )
}
