//! A household's aid history: needs helped here, and records imported from other agencies.
//! Imported rows carry the ID number, which is turned into the same keyed hash households are
//! matched by and then dropped.

use super::Db;
use crate::domain::{Fen, NeedId, NeedStatus, UtcMillis, Window};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{AidEntry, AidSource, HouseholdId, ImportReport, ImportRow};
use sqlx::{AnyConnection, Row};

/// Every record of aid for a household: its needs claimed or fulfilled here (dated by their
/// last change) and imported records with the same key.
pub async fn history(
    conn: &mut AnyConnection,
    household: HouseholdId,
    id_key: &str,
) -> Result<Vec<AidEntry>, AppError> {
    let corrupt = |e: AppError| AppError::corrupt("aid record", e);
    let mut entries = Vec::new();
    let here = sqlx::query(
        "SELECT id, aid_window, title, status, updated_at, amount_fen FROM needs \
         WHERE status IN ('claimed', 'fulfilled') AND (household_id = $1 OR household_id IN \
         (SELECT id FROM households WHERE id_key = $2))",
    )
    .bind(household.0)
    .bind(id_key)
    .fetch_all(&mut *conn)
    .await?;
    for row in &here {
        entries.push(AidEntry {
            source: AidSource::Here {
                need_id: NeedId(row.try_get("id")?),
                status: NeedStatus::parse(row.try_get("status")?).map_err(corrupt)?,
            },
            window: Window::parse(row.try_get("aid_window")?).map_err(corrupt)?,
            cause: row.try_get("title")?,
            at: UtcMillis(row.try_get("updated_at")?),
            amount: row
                .try_get::<Option<i64>, _>("amount_fen")?
                .map(Fen::from_stored),
        });
    }
    let imported = sqlx::query(
        "SELECT agency, aid_window, cause, aided_at, amount_fen FROM aid_records WHERE id_key = $1",
    )
    .bind(id_key)
    .fetch_all(&mut *conn)
    .await?;
    for row in &imported {
        entries.push(AidEntry {
            source: AidSource::Agency {
                agency: row.try_get("agency")?,
            },
            window: Window::parse(row.try_get("aid_window")?).map_err(corrupt)?,
            cause: row.try_get("cause")?,
            at: UtcMillis(row.try_get("aided_at")?),
            amount: row
                .try_get::<Option<i64>, _>("amount_fen")?
                .map(Fen::from_stored),
        });
    }
    Ok(entries)
}

/// Stores another agency's aid records, already checked ([`crate::private::parse_aid_import`]),
/// all in one transaction. Returns how many there were and how many match a household here.
pub async fn import(
    db: &Db,
    rows: &[ImportRow],
    by: UserId,
    now: UtcMillis,
) -> Result<ImportReport, AppError> {
    let mut tx = db.begin().await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, amount_fen, \
             imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&row.id_key)
        .bind(&row.agency)
        .bind(row.window.code())
        .bind(&row.cause)
        .bind(row.at.0)
        .bind(row.amount.map(Fen::get))
        .bind(by.0)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
    }
    let mut matched = 0;
    for row in rows {
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM households WHERE id_key = $1")
            .bind(&row.id_key)
            .fetch_one(&mut *tx)
            .await?;
        matched += usize::from(found > 0);
    }
    tx.commit().await?;
    Ok(ImportReport {
        imported: rows.len(),
        matched_households: matched,
    })
}
