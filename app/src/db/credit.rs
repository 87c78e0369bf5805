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

/// The public leaderboard: the `limit` highest balances, each name masked (`张*`) unless its
/// owner chose to show it; no phone ever appears.
pub async fn leaderboard(db: &Db, limit: i64) -> Result<Vec<Standing>, AppError> {
    let rows = sqlx::query(
        // Everyone with points, and every volunteer with confirmed hours (shown beside them).
        "SELECT * FROM (SELECT u.id, u.display_name, u.show_name, \
           CAST(COALESCE((SELECT SUM(l.points) FROM credit_ledger l WHERE l.user_id = u.id), 0) \
             AS BIGINT) AS points, \
           CAST(COALESCE((SELECT SUM(a.minutes) FROM volunteer_activities a \
             WHERE a.volunteer_id = u.id AND a.status = 'confirmed'), 0) AS BIGINT) AS hours_minutes \
           FROM users u \
           WHERE EXISTS (SELECT 1 FROM credit_ledger l WHERE l.user_id = u.id) \
              OR EXISTS (SELECT 1 FROM volunteer_activities a \
                WHERE a.volunteer_id = u.id AND a.status = 'confirmed')) s \
         WHERE s.points > 0 OR s.hours_minutes > 0 \
         ORDER BY s.points DESC, s.hours_minutes DESC, s.id LIMIT $1",
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
                    crate::credit::masked_name(row.try_get("display_name")?)
                },
                points: row.try_get("points")?,
                hours_minutes: row.try_get("hours_minutes")?,
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

/// A cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+…`, `-…`, `@…`, or one
/// starting with a tab or carriage return) is kept as text by a leading apostrophe, as OWASP
/// advises for CSV exports; every other cell is left as it is.
pub fn neutralise_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
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
    // UTF-8 with a byte-order mark, so Excel reads the Chinese; quoting by the csv crate.
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let failed = |e: csv::Error| AppError::internal("writing the ledger CSV", e);
    // The headers in the language of the request (Chinese where there is none).
    let locale = crate::lang::locale();
    out.write_record([
        leptos_i18n::td_string!(locale, credit.csv.id),
        leptos_i18n::td_string!(locale, credit.csv.phone),
        leptos_i18n::td_string!(locale, credit.csv.name),
        leptos_i18n::td_string!(locale, credit.csv.reason),
        leptos_i18n::td_string!(locale, credit.csv.points),
        leptos_i18n::td_string!(locale, credit.csv.need_id),
        leptos_i18n::td_string!(locale, credit.csv.claim_id),
        leptos_i18n::td_string!(locale, credit.csv.time),
    ])
    .map_err(failed)?;
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
        let optional = |id: Option<i64>| id.map(|id| id.to_string()).unwrap_or_default();
        out.write_record([
            row.try_get::<i64, _>("id")?.to_string(),
            neutralise_formula(&row.try_get::<String, _>("phone")?).into_owned(),
            neutralise_formula(&row.try_get::<String, _>("display_name")?).into_owned(),
            neutralise_formula(&label).into_owned(),
            row.try_get::<i64, _>("points")?.to_string(),
            optional(row.try_get("need_id")?),
            optional(row.try_get("claim_id")?),
            UtcMillis(row.try_get("created_at")?).shanghai_date_text(),
        ])
        .map_err(failed)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal("writing the ledger CSV", e))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal("the ledger CSV is not UTF-8", e))
}

#[cfg(test)]
mod tests {
    use super::neutralise_formula;

    #[test]
    fn cells_a_spreadsheet_would_run_are_kept_as_text() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise_formula(formula), format!("'{formula}"));
        }
        for plain in ["陈女士", "13900000001", "爱心 = 善", ""] {
            assert_eq!(neutralise_formula(plain), plain);
        }
    }
}
