//! The append-only event log. Every state change appends its event in the same transaction
//! as the change, so the log and the needs can never disagree.

use super::Db;
use crate::domain::{EventId, LiveChange, UtcMillis};
use crate::error::AppError;
use sqlx::{AnyConnection, Row};

/// One logged event, as the live stream sends it: the payload is the JSON of a [`LiveChange`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    pub id: EventId,
    pub payload: String,
}

pub async fn append(
    conn: &mut AnyConnection,
    change: &LiveChange,
    now: UtcMillis,
) -> Result<EventId, AppError> {
    let payload = serde_json::to_string(change)
        .map_err(|e| AppError::internal("serialising a live event", e))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (kind, need_id, payload, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(change.kind())
    .bind(change.need_id().0)
    .bind(payload)
    .bind(now.0)
    .fetch_one(conn)
    .await?;
    Ok(EventId(id))
}

/// Events after `after`, oldest first, at most `limit`.
pub async fn after(db: &Db, after: EventId, limit: i64) -> Result<Vec<LoggedEvent>, AppError> {
    let rows = sqlx::query("SELECT id, payload FROM events WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(after.0)
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(LoggedEvent {
                id: EventId(row.try_get("id")?),
                payload: row.try_get("payload")?,
            })
        })
        .collect()
}

/// The newest event's id, or 0 for an empty log.
pub async fn latest(db: &Db) -> Result<EventId, AppError> {
    let id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
        .fetch_one(&db.pool)
        .await?;
    Ok(EventId(id))
}
