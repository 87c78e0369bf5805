//! The append-only event log. Every state change appends its event in the same transaction
//! as the change, so the log and the needs can never disagree.
//!
//! Readers follow the log by id (`WHERE id > last`), so ids must become visible in id order.
//! SQLite has one writer at a time, so they do. On PostgreSQL two transactions could commit
//! their ids out of order and a reader could pass over the earlier one; an advisory lock,
//! taken just before the id is drawn and held to commit, serialises that last step. The
//! NOTIFY, delivered only on commit, wakes every instance's pump.

use super::{Backend, Db, Tx};
use crate::domain::{EventId, LiveChange, UtcMillis};
use crate::error::AppError;
use sqlx::{AnyConnection, Row};

/// One logged event, as the live stream sends it: the payload is the JSON of a [`LiveChange`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    pub id: EventId,
    pub payload: String,
}

/// The PostgreSQL channel every instance LISTENs on.
pub const NOTIFY_CHANNEL: &str = "wanshan_events";
/// Any constant: the advisory lock that orders event ids by commit.
const EVENT_ORDER_LOCK: i64 = 0x5753_4556; // "WSEV"

/// Logs `change` in the transaction; its commit wakes the live hub.
pub async fn append(tx: &mut Tx, change: &LiveChange, now: UtcMillis) -> Result<EventId, AppError> {
    tx.logged = true;
    let backend = tx.backend;
    let conn: &mut AnyConnection = tx;
    let payload = serde_json::to_string(change)
        .map_err(|e| AppError::internal("serialising a live event", e))?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(EVENT_ORDER_LOCK)
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("NOTIFY {NOTIFY_CHANNEL}"))
            .execute(&mut *conn)
            .await?;
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO events (kind, need_id, payload, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(change.kind())
    .bind(change.need_id().map(|id| id.0))
    .bind(payload)
    .bind(now.0)
    .fetch_one(&mut *conn)
    .await?;
    Ok(EventId(id))
}

/// Rewrites every logged event that carries `withdrawn`'s need's public text (its publication
/// and changes) as that withdrawal: text that was edited away is not replayed to anyone.
/// Streams already sent it; a reconnecting one replays the withdrawal instead.
pub async fn redact_public_text(tx: &mut Tx, withdrawn: &LiveChange) -> Result<(), AppError> {
    let payload = serde_json::to_string(withdrawn)
        .map_err(|e| AppError::internal("serialising a live event", e))?;
    let conn: &mut AnyConnection = tx;
    sqlx::query(
        "UPDATE events SET kind = $2, payload = $3 \
         WHERE need_id = $1 AND kind IN ('need_published', 'need_changed')",
    )
    .bind(withdrawn.need_id().map(|id| id.0))
    .bind(withdrawn.kind())
    .bind(payload)
    .execute(conn)
    .await?;
    Ok(())
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
