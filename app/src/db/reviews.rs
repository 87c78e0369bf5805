//! The two approvals. A need moves council review → volunteer review → published, each step a
//! conditional UPDATE on the status it expects, so two reviewers racing on one need cannot both
//! move it; the decision is recorded with who made it and why.
//!
//! Callers have checked who may decide ([`crate::access`]) and parsed the reason.

use super::intake::{stored, Stored};
use super::{aid, credit, events, households, needs, notices, Db, Tx};
use crate::credit::PointRules;
use crate::domain::{LiveChange, NeedId, NeedStatus, NewNotice, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{AidHistory, ClaimAlert, HouseholdView, ReviewItem, ReviewStage};
use sqlx::Row;

/// The need's household and its aid history around the need, if it has a household.
pub async fn household_and_aid(
    db: &Db,
    stored: &Stored,
    period_months: u32,
    now: UtcMillis,
) -> Result<Option<(HouseholdView, AidHistory)>, AppError> {
    let Some(household_id) = stored.household else {
        return Ok(None);
    };
    let Some((household, key)) = households::find(db, household_id).await? else {
        return Ok(None);
    };
    let mut conn = db.pool.acquire().await?;
    let entries = aid::history(&mut conn, household_id, &key).await?;
    let history = AidHistory::for_need(
        entries,
        stored.need.window,
        now,
        period_months,
        Some(stored.need.id),
    );
    Ok(Some((household, history)))
}

/// How many duplicate-aid warnings the need's household has now.
pub async fn aid_warnings(
    db: &Db,
    stored: &Stored,
    period_months: u32,
    now: UtcMillis,
) -> Result<usize, AppError> {
    Ok(household_and_aid(db, stored, period_months, now)
        .await?
        .map_or(0, |(_, history)| history.warnings.len()))
}

/// One approval to record.
pub struct Approval<'a> {
    pub stage: ReviewStage,
    pub reviewer: UserId,
    /// Why it is approved over a duplicate-aid warning (empty without warnings).
    pub reason: &'a str,
    pub warnings: usize,
}

/// Approves a stage of a need that was checked at that stage; `WrongStage` if another
/// reviewer moved it first. Publication pays the author and both approvers their points.
pub async fn approve(
    db: &Db,
    stored: &Stored,
    approval: Approval<'_>,
    points: &PointRules,
    now: UtcMillis,
) -> Result<NeedStatus, AppError> {
    let Approval {
        stage,
        reviewer,
        reason,
        warnings,
    } = approval;
    let id = stored.need.id;
    let next = stage.approved();
    let reviewer_column = match stage {
        ReviewStage::Council => "council_reviewer_id",
        ReviewStage::Volunteer => "volunteer_reviewer_id",
    };
    let mut tx = db.begin().await?;
    // A published need's created_at is when it reached the board (the board's "newest").
    let published_at = if next == NeedStatus::Published {
        ", created_at = $5, published_at = COALESCE(published_at, $5)"
    } else {
        ""
    };
    let row = sqlx::query(&format!(
        "UPDATE needs SET status = $3, {reviewer_column} = $4, updated_at = $5, \
         returned_reason = NULL{published_at} WHERE id = $1 AND status = $2 AND version = $6 \
         RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(id.0)
    .bind(stage.awaits().code())
    .bind(next.code())
    .bind(reviewer.0)
    .bind(now.0)
    .bind(stored.version)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(moved_on(db, stored).await);
    };
    record(
        &mut tx, id, stage, reviewer, "approve", reason, warnings, now,
    )
    .await?;
    let title = &stored.need.title;
    if next == NeedStatus::VolunteerReview {
        let stage = "志愿者复核"; // i18n-allow: stored in the notice
        let notice = NewNotice::review_waiting(id, title, &stored.need.town, stage);
        let not = [stored.author, Some(reviewer)];
        notices::send_to_reviewers(
            &mut tx,
            &stored.need.town,
            ReviewStage::Volunteer,
            &not,
            &notice,
            now,
        )
        .await?;
    }
    if let (NeedStatus::Published, Some(author)) = (next, stored.author) {
        notices::send(&mut tx, author, &NewNotice::need_published(id, title), now).await?;
    }
    if next == NeedStatus::Published {
        let need = needs::public_need(&row)?;
        super::interests::tell_interested(&mut tx, &need, now).await?;
        events::append(&mut tx, &LiveChange::NeedPublished { need }, now).await?;
        let earned =
            points.for_publication(stored.author, [stored.council_reviewer, Some(reviewer)]);
        for (user, reason, points) in earned {
            credit::append(&mut tx, user, reason, points, id, None, now).await?;
        }
    }
    tx.commit().await?;
    Ok(next)
}

/// Sends a need back to its author with a reason; `WrongStage` if it moved on meanwhile.
pub async fn send_back(
    db: &Db,
    stored: &Stored,
    stage: ReviewStage,
    reviewer: UserId,
    reason: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    let id = stored.need.id;
    let mut tx = db.begin().await?;
    let moved = sqlx::query(
        "UPDATE needs SET status = 'draft', returned_reason = $3, updated_at = $4, \
         council_reviewer_id = NULL, volunteer_reviewer_id = NULL \
         WHERE id = $1 AND status = $2 AND version = $5",
    )
    .bind(id.0)
    .bind(stage.awaits().code())
    .bind(reason)
    .bind(now.0)
    .bind(stored.version)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(moved_on(db, stored).await);
    }
    record(&mut tx, id, stage, reviewer, "return", reason, 0, now).await?;
    if let Some(author) = stored.author {
        let notice = NewNotice::need_returned(id, &stored.need.title, reason);
        notices::send(&mut tx, author, &notice, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Why a decision about `stored` changed nothing: it was edited since it was read
/// (`NeedChanged`), or another reviewer moved it on (`WrongStage`).
pub(crate) async fn moved_on(db: &Db, stored: &Stored) -> AppError {
    let version: Result<Option<i64>, _> =
        sqlx::query_scalar("SELECT version FROM needs WHERE id = $1")
            .bind(stored.need.id.0)
            .fetch_optional(&db.pool)
            .await;
    match version {
        Ok(Some(now)) if now != stored.version => AppError::NeedChanged,
        Ok(_) => AppError::WrongStage,
        Err(error) => error.into(),
    }
}

#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut Tx,
    id: NeedId,
    stage: ReviewStage,
    reviewer: UserId,
    decision: &str,
    reason: &str,
    aid_warnings: usize,
    now: UtcMillis,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO reviews (need_id, stage, reviewer_id, decision, reason, aid_warnings, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id.0)
    .bind(stage.code())
    .bind(reviewer.0)
    .bind(decision)
    .bind(reason)
    .bind(aid_warnings as i64)
    .bind(now.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn name_of(db: &Db, id: Option<UserId>) -> Result<Option<String>, AppError> {
    let Some(id) = id else { return Ok(None) };
    Ok(
        sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// The needs waiting at `stage`, most urgent and oldest first.
pub async fn awaiting(db: &Db, stage: ReviewStage) -> Result<Vec<Stored>, AppError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM needs WHERE status = $1 ORDER BY urgency DESC, updated_at, id",
    )
    .bind(stage.awaits().code())
    .fetch_all(&db.pool)
    .await?;
    let mut waiting = Vec::new();
    for id in ids {
        waiting.extend(stored(db, NeedId(id)).await?);
    }
    Ok(waiting)
}

/// What a reviewer sees of one need: it, its household and aid history, who entered and who
/// approved it. `None` for a need without a household.
pub async fn review_item(
    db: &Db,
    stored: Stored,
    period_months: u32,
    now: UtcMillis,
) -> Result<Option<ReviewItem>, AppError> {
    let Some((household, aid)) = household_and_aid(db, &stored, period_months, now).await? else {
        return Ok(None);
    };
    let registered_elsewhere = households::registered_elsewhere(db, household.id).await?;
    Ok(Some(ReviewItem {
        registered_elsewhere,
        author: name_of(db, stored.author).await?.unwrap_or_default(),
        council_reviewer: name_of(db, stored.council_reviewer).await?,
        private_notes: stored.private_notes,
        need: stored.need,
        version: stored.version,
        household,
        aid,
        offers: Vec::new(),
    }))
}

/// Claims that warned of duplicate aid when they were made (not released), newest first, each
/// with its need (the caller keeps those of towns the reader works in).
pub async fn warned_claims(db: &Db) -> Result<Vec<(Stored, i64, UtcMillis)>, AppError> {
    let rows = sqlx::query(
        "SELECT need_id, aid_warnings, claimed_at FROM claims \
         WHERE aid_warnings > 0 AND released_at IS NULL ORDER BY claimed_at DESC LIMIT 200",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut warned = Vec::new();
    for row in &rows {
        if let Some(stored) = stored(db, NeedId(row.try_get("need_id")?)).await? {
            warned.push((
                stored,
                row.try_get("aid_warnings")?,
                UtcMillis(row.try_get("claimed_at")?),
            ));
        }
    }
    Ok(warned)
}

/// The alert a reviewer sees for a claim that warned of duplicate aid.
pub async fn claim_alert(
    db: &Db,
    stored: Stored,
    aid_warnings: i64,
    claimed_at: UtcMillis,
) -> Result<Option<ClaimAlert>, AppError> {
    let Some(household_id) = stored.household else {
        return Ok(None);
    };
    let Some((household, _)) = households::find(db, household_id).await? else {
        return Ok(None);
    };
    Ok(Some(ClaimAlert {
        need: stored.need,
        household,
        aid_warnings,
        claimed_at,
    }))
}
