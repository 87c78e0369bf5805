//! Referral (转介): at either review stage a reviewer sends a need to a government programme
//! instead of the board. The need leaves review for good as `referred` (never published); the
//! outcome is recorded later: granted writes an aid record (so the duplicate-aid check sees
//! the help the family got), refused or withdrawn sends the need back to its author as a
//! draft, with the reason, who may then submit it for the board.
//!
//! Callers have checked who may refer (the reviewer of the stage) and who may record.

use super::trail::{self, Step};
use super::{reviews, Db};
use crate::domain::{Fen, NeedId, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{ReferralOutcome, ReviewStage};

/// A referral to record.
pub struct NewReferral<'a> {
    pub stage: ReviewStage,
    pub reviewer: UserId,
    pub programme: &'a str,
    pub due: UtcMillis,
    pub note: &'a str,
}

/// Refers a need that was checked at `stage`; `WrongStage` or `NeedChanged` if it moved on.
pub async fn refer(
    db: &Db,
    stored: &super::intake::Stored,
    referral: NewReferral<'_>,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let id = stored.need.id;
    let mut tx = db.begin().await?;
    let moved = sqlx::query(
        "UPDATE needs SET status = 'referred', updated_at = $3 \
         WHERE id = $1 AND status = $2 AND version = $4",
    )
    .bind(id.0)
    .bind(referral.stage.awaits().code())
    .bind(now.0)
    .bind(stored.version)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(reviews::moved_on(db, stored).await);
    }
    let referral_id: i64 = sqlx::query_scalar(
        "INSERT INTO referrals (need_id, programme, stage, referred_by, referred_at, due_at, note) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(id.0)
    .bind(referral.programme)
    .bind(referral.stage.code())
    .bind(referral.reviewer.0)
    .bind(now.0)
    .bind(referral.due.0)
    .bind(referral.note)
    .fetch_one(&mut *tx)
    .await?;
    let mut detail = format!(
        "转介至{}，{}前反馈结果", // i18n-allow: stored record (the trail keeps the city's language)
        referral.programme,
        referral.due.shanghai_date_text()
    );
    if !referral.note.is_empty() {
        detail = format!("{detail}；{}", referral.note); // i18n-allow: stored record
    }
    trail::append(
        &mut tx,
        id,
        Step::Referred,
        Some(referral.reviewer),
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(referral_id)
}

/// A referral awaiting its outcome: what recording it is checked against.
pub struct Pending {
    pub need: NeedId,
    pub town: String,
}

/// The referral, if it awaits its outcome (`None` if unknown or already decided).
pub async fn pending(db: &Db, referral: i64) -> Result<Option<Pending>, AppError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT n.id, n.town FROM referrals f JOIN needs n ON n.id = f.need_id \
         WHERE f.id = $1 AND f.outcome IS NULL",
    )
    .bind(referral)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(need, town)| Pending {
        need: NeedId(need),
        town,
    }))
}

/// Records a referral's outcome, once, whatever the race (`WrongStage` for the second).
pub async fn record_outcome(
    db: &Db,
    referral: i64,
    outcome: ReferralOutcome,
    granted: Option<Fen>,
    note: &str,
    by: UserId,
    now: UtcMillis,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let decided: Option<(i64, String)> = sqlx::query_as(
        "UPDATE referrals SET outcome = $2, outcome_fen = $3, outcome_note = $4, \
         outcome_by = $5, outcome_at = $6 WHERE id = $1 AND outcome IS NULL \
         RETURNING need_id, programme",
    )
    .bind(referral)
    .bind(outcome.code())
    .bind(granted.map(Fen::get))
    .bind(note)
    .bind(by.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((need_id, programme)) = decided else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    let need = NeedId(need_id);
    // The trail and the aid history are records, kept in the city's language (zh-CN) whoever
    // writes them.
    let label = outcome.label_in(crate::lang::Locale::zh_CN);
    let mut detail = format!("{programme}：{label}"); // i18n-allow: stored record
    if let Some(amount) = granted {
        detail = format!("{detail} {amount}");
    }
    if !note.is_empty() {
        detail = format!("{detail}；{note}"); // i18n-allow: stored record
    }
    match outcome {
        ReferralOutcome::Granted => {
            // The family's aid history, for every later duplicate-aid check.
            let record: Option<i64> = sqlx::query_scalar(
                "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, \
                 amount_fen, imported_by, imported_at) \
                 SELECT h.id_key, $2, n.aid_window, $3, $4, $5, $6, $4 FROM needs n \
                 JOIN households h ON h.id = n.household_id WHERE n.id = $1 RETURNING id",
            )
            .bind(need.0)
            .bind(format!("{programme}（转介）")) // i18n-allow: stored record (aid history)
            .bind(format!("转介：{}", truncate(&detail, 80))) // i18n-allow: stored record (aid history)
            .bind(now.0)
            .bind(granted.map(Fen::get))
            .bind(by.0)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(record) = record {
                sqlx::query("UPDATE referrals SET aid_record_id = $2 WHERE id = $1")
                    .bind(referral)
                    .bind(record)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        ReferralOutcome::Refused | ReferralOutcome::Withdrawn => {
            // Back to its author, who may submit it for the board.
            sqlx::query(
                "UPDATE needs SET status = 'draft', returned_reason = $2, updated_at = $3, \
                 council_reviewer_id = NULL, volunteer_reviewer_id = NULL \
                 WHERE id = $1 AND status = 'referred'",
            )
            .bind(need.0)
            .bind(format!("转介{detail}")) // i18n-allow: stored record (the need's return reason)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
    }
    trail::append(&mut tx, need, Step::ReferralOutcome, Some(by), &detail, now).await?;
    tx.commit().await
}

fn truncate(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}
