//! The access log of households' private files: who opened which household's file, when,
//! on which page. One row per person, household and page per ten minutes, so reloading a
//! page adds nothing and the log grows with real openings only.

use super::Db;
use crate::domain::{NeedId, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::HouseholdId;

const BUCKET_MS: i64 = 600_000;

/// Records that `reader` opened these households' files (each maybe for a need) on `page`.
pub async fn log(
    db: &Db,
    reader: UserId,
    opened: &[(HouseholdId, Option<NeedId>)],
    page: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    if opened.is_empty() {
        return Ok(());
    }
    let mut tx = db.pool.begin().await?;
    // A list page opens many files at once: a few rows per statement, not one each.
    for chunk in opened.chunks(100) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, $1, $2, $3, $4)", 5 + 2 * i, 6 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO file_access (household_id, need_id, user_id, page, bucket, opened_at) \
             VALUES {} ON CONFLICT (household_id, user_id, page, bucket) DO NOTHING",
            values.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(reader.0)
            .bind(page)
            .bind(now.0 / BUCKET_MS)
            .bind(now.0);
        for (household, need) in chunk {
            query = query.bind(household.0).bind(need.map(|n| n.0));
        }
        query.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
