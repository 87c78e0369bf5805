//! Claiming a need: exactly one donor wins, whatever the race.

use super::{aid, events, on_unique, Db};
use crate::domain::{ClaimReceipt, LiveChange, NeedId, UtcMillis, Window};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{AidHistory, HouseholdId};

/// The signed-in donor making a claim, and how the coordinating volunteer reaches them.
#[derive(Clone, Debug)]
pub struct Donor {
    pub id: UserId,
    pub name: String,
    pub contact: String,
}

/// Claims a published need. One conditional UPDATE decides the race (no read-then-write);
/// the unique index on active claims backs it. The need leaves the board and the event that
/// tells every open board is logged in the same transaction.
///
/// A claim on a need that is already not open is refused by a plain read first, so the many
/// losers of a popular need do not queue for the database's write lock only to update nothing.
/// The read decides nothing for a need that looks open: the UPDATE does.
///
/// The household's aid in the need's window within `period_months` is counted at this moment
/// and kept with the claim, so its reviewers are warned again (never the donor or the public).
pub async fn claim(
    db: &Db,
    need_id: NeedId,
    donor: &Donor,
    period_months: u32,
    now: UtcMillis,
) -> Result<ClaimReceipt, AppError> {
    if let Some(refusal) = why_not_claimable(db, need_id).await? {
        return Err(refusal);
    }
    let mut tx = db.pool.begin().await?;
    let claimed: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE needs SET status = 'claimed', updated_at = $2 \
         WHERE id = $1 AND status = 'published' RETURNING title, aid_window, town",
    )
    .bind(need_id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, window, town)) = claimed else {
        tx.rollback().await?;
        // Someone else won between the read above and the UPDATE.
        return Err(why_not_claimable(db, need_id)
            .await?
            .unwrap_or(AppError::AlreadyClaimed));
    };
    let window = Window::parse(&window)
        .map_err(|e| AppError::internal("a stored need does not parse", format!("{e:?}")))?;
    let aid_warnings = aid_warnings(&mut tx, need_id, window, period_months, now).await?;
    let claim_id: i64 = sqlx::query_scalar(
        "INSERT INTO claims (need_id, donor_name, donor_contact, claimed_at, donor_id, aid_warnings) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(need_id.0)
    .bind(&donor.name)
    .bind(&donor.contact)
    .bind(now.0)
    .bind(donor.id.0)
    .bind(aid_warnings)
    .fetch_one(&mut *tx)
    .await
    .map_err(on_unique(AppError::AlreadyClaimed))?;
    events::append(
        db.backend,
        &mut tx,
        &LiveChange::NeedClaimed {
            need_id,
            window,
            town,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimReceipt {
        claim_id,
        need_id,
        title,
    })
}

/// Why a need cannot be claimed now, or `None` if it looks open.
async fn why_not_claimable(db: &Db, need_id: NeedId) -> Result<Option<AppError>, AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM needs WHERE id = $1")
        .bind(need_id.0)
        .fetch_optional(&db.pool)
        .await?;
    Ok(match status.as_deref() {
        None | Some("draft" | "council_review" | "volunteer_review") => {
            Some(AppError::NeedNotFound)
        }
        Some("published") => None,
        Some("claimed") => Some(AppError::AlreadyClaimed),
        Some(_) => Some(AppError::NotOpen),
    })
}

/// How many records of aid in the need's window its household had within the period, now.
async fn aid_warnings(
    conn: &mut sqlx::AnyConnection,
    need_id: NeedId,
    window: Window,
    period_months: u32,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let household: Option<(Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT n.household_id, h.id_key FROM needs n \
         LEFT JOIN households h ON h.id = n.household_id WHERE n.id = $1",
    )
    .bind(need_id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((Some(household), Some(key))) = household else {
        return Ok(0);
    };
    let entries = aid::history(conn, HouseholdId(household), &key).await?;
    let history = AidHistory::for_need(entries, window, now, period_months, Some(need_id));
    Ok(history.warnings.len() as i64)
}
