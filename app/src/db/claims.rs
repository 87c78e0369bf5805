//! Claiming a need: exactly one donor wins, whatever the race.

use super::{events, is_unique_violation, Db};
use crate::domain::{ClaimReceipt, LiveChange, NewClaim, UtcMillis, Window};
use crate::error::AppError;

/// Claims a published need. One conditional UPDATE decides the race (no read-then-write);
/// the unique index on active claims backs it. The need leaves the board and the event that
/// tells every open board is logged in the same transaction.
///
/// A claim on a need that is already not open is refused by a plain read first, so the many
/// losers of a popular need do not queue for the database's write lock only to update nothing.
/// The read decides nothing for a need that looks open: the UPDATE does.
pub async fn claim(db: &Db, claim: &NewClaim, now: UtcMillis) -> Result<ClaimReceipt, AppError> {
    if let Some(refusal) = why_not_claimable(db, claim).await? {
        return Err(refusal);
    }
    let mut tx = db.pool.begin().await?;
    let claimed: Option<(String, String, String)> = sqlx::query_as(
        "UPDATE needs SET status = 'claimed', updated_at = $2 \
         WHERE id = $1 AND status = 'published' RETURNING title, aid_window, town",
    )
    .bind(claim.need_id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, window, town)) = claimed else {
        tx.rollback().await?;
        // Someone else won between the read above and the UPDATE.
        return Err(why_not_claimable(db, claim)
            .await?
            .unwrap_or(AppError::AlreadyClaimed));
    };
    let window = Window::parse(&window)
        .map_err(|e| AppError::internal("a stored need does not parse", format!("{e:?}")))?;
    let claim_id: i64 = sqlx::query_scalar(
        "INSERT INTO claims (need_id, donor_name, donor_contact, claimed_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(claim.need_id.0)
    .bind(&claim.donor_name)
    .bind(claim.donor_contact.as_str())
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::AlreadyClaimed
        } else {
            e.into()
        }
    })?;
    events::append(
        db.backend,
        &mut tx,
        &LiveChange::NeedClaimed {
            need_id: claim.need_id,
            window,
            town,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(ClaimReceipt {
        claim_id,
        need_id: claim.need_id,
        title,
    })
}

/// Why a need cannot be claimed now, or `None` if it looks open.
async fn why_not_claimable(db: &Db, claim: &NewClaim) -> Result<Option<AppError>, AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM needs WHERE id = $1")
        .bind(claim.need_id.0)
        .fetch_optional(&db.pool)
        .await?;
    Ok(match status.as_deref() {
        None => Some(AppError::NeedNotFound),
        Some("published") => None,
        Some("claimed") => Some(AppError::AlreadyClaimed),
        Some(_) => Some(AppError::NotOpen),
    })
}
