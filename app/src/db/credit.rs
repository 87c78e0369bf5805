//! The credit ledger: appends in the transactions that earn them (confirmation, publication);
//! balances, the public leaderboard, the CSV export.

use super::{Db, Tx};
use crate::credit::{CreditReason, Standing};
use crate::domain::{NeedId, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use sqlx::Row;

/// Appends one ledger entry; the same person, reason and claim (or need) is paid once (a need
/// published again after an edit earns nothing new).
pub(crate) async fn append(
    tx: &mut Tx,
    user: UserId,
    reason: CreditReason,
    points: i64,
    need: NeedId,
    claim: Option<i64>,
    now: UtcMillis,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO credit_ledger (user_id, reason, points, need_id, claim_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
    )
    .bind(user.0)
    .bind(reason.code())
    .bind(points)
    .bind(need.0)
    .bind(claim)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person's balance: the sum of their ledger entries.
pub async fn balance(db: &Db, user: UserId) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM credit_ledger WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_one(&db.pool)
    .await?)
}

/// The public leaderboard: the `limit` highest balances. A person who chose to appear
/// anonymously is listed as 匿名爱心人士; no phone ever appears.
pub async fn leaderboard(db: &Db, limit: i64) -> Result<Vec<Standing>, AppError> {
    let rows = sqlx::query(
        "SELECT u.display_name, u.show_name, CAST(SUM(l.points) AS BIGINT) AS points \
         FROM credit_ledger l JOIN users u ON u.id = l.user_id \
         GROUP BY u.id, u.display_name, u.show_name \
         HAVING SUM(l.points) > 0 ORDER BY points DESC, u.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .enumerate()
        .map(|(index, row)| {
            let shown: i64 = row.try_get("show_name")?;
            Ok(Standing {
                rank: index + 1,
                name: if shown != 0 {
                    row.try_get("display_name")?
                } else {
                    "匿名爱心人士".to_owned()
                },
                points: row.try_get("points")?,
            })
        })
        .collect()
}

/// Whether the person appears by name on the leaderboard.
pub async fn set_show_name(db: &Db, user: UserId, show: bool) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET show_name = $2 WHERE id = $1")
        .bind(user.0)
        .bind(i64::from(show))
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn shows_name(db: &Db, user: UserId) -> Result<bool, AppError> {
    let shown: i64 = sqlx::query_scalar("SELECT show_name FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_one(&db.pool)
        .await?;
    Ok(shown != 0)
}

/// Quotes a CSV field when it needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The whole ledger as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese), for the
/// city's civilization-practice points system (新时代文明实践积分): one row per entry, with the
/// person's phone, as that system identifies people by it.
pub async fn ledger_csv(db: &Db) -> Result<String, AppError> {
    let rows = sqlx::query(
        "SELECT l.id, u.phone, u.display_name, l.reason, l.points, l.need_id, l.claim_id, \
         l.created_at FROM credit_ledger l JOIN users u ON u.id = l.user_id ORDER BY l.id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out = String::from("\u{feff}编号,手机号,姓名,事由,积分,需求编号,认领编号,时间\n");
    for row in &rows {
        let reason: String = row.try_get("reason")?;
        let label = [
            crate::credit::CreditReason::Fulfilment,
            crate::credit::CreditReason::Intake,
            crate::credit::CreditReason::Review,
            crate::credit::CreditReason::Confirmation,
        ]
        .into_iter()
        .find(|r| r.code() == reason)
        .map_or(reason.clone(), |r| r.label().to_owned());
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            row.try_get::<i64, _>("id")?,
            csv_field(&row.try_get::<String, _>("phone")?),
            csv_field(&row.try_get::<String, _>("display_name")?),
            csv_field(&label),
            row.try_get::<i64, _>("points")?,
            row.try_get::<Option<i64>, _>("need_id")?
                .map(|id| id.to_string())
                .unwrap_or_default(),
            row.try_get::<Option<i64>, _>("claim_id")?
                .map(|id| id.to_string())
                .unwrap_or_default(),
            UtcMillis(row.try_get("created_at")?).shanghai_date_text(),
        ));
    }
    Ok(out)
}
