//! The two approvals. A need moves council review → volunteer review → published, each step a
//! conditional UPDATE on the status it expects, so two reviewers racing on one need cannot both
//! move it; the decision is recorded with who made it and why.

use super::intake::{stored, Stored};
use super::{aid, events, households, needs, Db};
use crate::domain::{text_field, LiveChange, NeedId, NeedStatus, UtcMillis};
use crate::error::AppError;
use crate::people::{Role, UserId, Viewer};
use crate::private::{AidHistory, ClaimAlert, ReviewItem, ReviewQueue, ReviewStage};
use sqlx::Row;

/// Who may decide `stage` of this need, and whether it is at that stage: the errors, in the
/// order a reviewer needs to hear them.
fn check_reviewer(stored: &Stored, reviewer: &Viewer, stage: ReviewStage) -> Result<(), AppError> {
    if !reviewer.acts_as(stage.role(), &stored.need.town) {
        return Err(AppError::Forbidden);
    }
    if stored.need.status != stage.awaits() {
        return Err(AppError::WrongStage);
    }
    let me = Some(reviewer.id.0);
    if stored.author == me || (stage == ReviewStage::Volunteer && stored.council_reviewer == me) {
        return Err(AppError::SameReviewer);
    }
    Ok(())
}

async fn aid_for(
    db: &Db,
    stored: &Stored,
    period_months: u32,
    now: UtcMillis,
) -> Result<Option<(crate::private::HouseholdView, AidHistory)>, AppError> {
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

/// Approves `stage` of a need. Over a duplicate-aid warning, `acknowledgement` must say why.
pub async fn approve(
    db: &Db,
    reviewer: &Viewer,
    id: NeedId,
    stage: ReviewStage,
    acknowledgement: &str,
    settings: &crate::settings::Settings,
    now: UtcMillis,
) -> Result<NeedStatus, AppError> {
    let (period_months, points) = (settings.aid_period_months, &settings.points);
    let stored = stored(db, id).await?.ok_or(AppError::NeedNotFound)?;
    check_reviewer(&stored, reviewer, stage)?;
    let warnings = match aid_for(db, &stored, period_months, now).await? {
        Some((_, history)) => history.warnings.len(),
        None => 0,
    };
    let reason = if warnings > 0 {
        if acknowledgement.trim().is_empty() {
            return Err(AppError::DuplicateAid);
        }
        text_field("acknowledgement", "确认理由", acknowledgement, 4, 200)?
    } else {
        String::new()
    };
    let next = stage.approved();
    let reviewer_column = match stage {
        ReviewStage::Council => "council_reviewer_id",
        ReviewStage::Volunteer => "volunteer_reviewer_id",
    };
    let mut tx = db.pool.begin().await?;
    // A published need's created_at is when it reached the board (the board's "newest").
    let published_at = if next == NeedStatus::Published {
        ", created_at = $5"
    } else {
        ""
    };
    let row = sqlx::query(&format!(
        "UPDATE needs SET status = $3, {reviewer_column} = $4, updated_at = $5, \
         returned_reason = NULL{published_at} WHERE id = $1 AND status = $2 RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(id.0)
    .bind(stage.awaits().code())
    .bind(next.code())
    .bind(reviewer.id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    record(
        &mut tx, id, stage, reviewer, "approve", &reason, warnings, now,
    )
    .await?;
    if next == NeedStatus::Published {
        let need = needs::public_need(&row)?;
        events::append(
            db.backend,
            &mut tx,
            &LiveChange::NeedPublished { need },
            now,
        )
        .await?;
        let earned = points.for_publication(
            stored.author.map(UserId),
            [stored.council_reviewer.map(UserId), Some(reviewer.id)],
        );
        for (user, reason, points) in earned {
            super::claims::credit(&mut tx, user, reason, points, id, None, now).await?;
        }
    }
    tx.commit().await?;
    Ok(next)
}

/// Sends a need back to its author with a reason.
pub async fn send_back(
    db: &Db,
    reviewer: &Viewer,
    id: NeedId,
    stage: ReviewStage,
    reason: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    let stored = stored(db, id).await?.ok_or(AppError::NeedNotFound)?;
    check_reviewer(&stored, reviewer, stage)?;
    let reason = text_field("reason", "退回理由", reason, 2, 200)?;
    let mut tx = db.pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE needs SET status = 'draft', returned_reason = $3, updated_at = $4, \
         council_reviewer_id = NULL, volunteer_reviewer_id = NULL WHERE id = $1 AND status = $2",
    )
    .bind(id.0)
    .bind(stage.awaits().code())
    .bind(&reason)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    }
    record(&mut tx, id, stage, reviewer, "return", &reason, 0, now).await?;
    tx.commit().await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut sqlx::AnyConnection,
    id: NeedId,
    stage: ReviewStage,
    reviewer: &Viewer,
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
    .bind(reviewer.id.0)
    .bind(decision)
    .bind(reason)
    .bind(aid_warnings as i64)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}

async fn name_of(db: &Db, id: Option<i64>) -> Result<Option<String>, AppError> {
    let Some(id) = id else { return Ok(None) };
    Ok(
        sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?,
    )
}

async fn items(
    db: &Db,
    reviewer: &Viewer,
    stage: ReviewStage,
    period_months: u32,
    now: UtcMillis,
) -> Result<Vec<ReviewItem>, AppError> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM needs WHERE status = $1 ORDER BY urgency DESC, updated_at, id",
    )
    .bind(stage.awaits().code())
    .fetch_all(&db.pool)
    .await?;
    let mut items = Vec::new();
    for id in ids {
        let Some(stored) = stored(db, NeedId(id)).await? else {
            continue;
        };
        if check_reviewer(&stored, reviewer, stage).is_err() {
            continue;
        }
        let Some((household, aid)) = aid_for(db, &stored, period_months, now).await? else {
            continue;
        };
        items.push(ReviewItem {
            author: name_of(db, stored.author).await?.unwrap_or_default(),
            council_reviewer: name_of(db, stored.council_reviewer).await?,
            private_notes: stored.private_notes,
            need: stored.need,
            household,
            aid,
        });
    }
    Ok(items)
}

/// What this person has to decide: council-stage needs of the towns they review, volunteer-stage
/// needs of their towns that others entered and approved, and claims that warned of duplicate aid.
pub async fn queue(
    db: &Db,
    reviewer: &Viewer,
    period_months: u32,
    now: UtcMillis,
) -> Result<ReviewQueue, AppError> {
    let council = if reviewer.has(Role::Reviewer) {
        items(db, reviewer, ReviewStage::Council, period_months, now).await?
    } else {
        Vec::new()
    };
    let volunteer = if reviewer.has(Role::Volunteer) {
        items(db, reviewer, ReviewStage::Volunteer, period_months, now).await?
    } else {
        Vec::new()
    };
    let alerts = sqlx::query(
        "SELECT need_id, aid_warnings, claimed_at FROM claims \
         WHERE aid_warnings > 0 AND released_at IS NULL ORDER BY claimed_at DESC LIMIT 200",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut claim_alerts = Vec::new();
    for row in &alerts {
        let Some(stored) = stored(db, NeedId(row.try_get("need_id")?)).await? else {
            continue;
        };
        let town = &stored.need.town;
        if !(reviewer.acts_as(Role::Reviewer, town) || reviewer.acts_as(Role::Volunteer, town)) {
            continue;
        }
        let Some((household, _)) = (match stored.household {
            Some(id) => households::find(db, id).await?,
            None => None,
        }) else {
            continue;
        };
        claim_alerts.push(ClaimAlert {
            need: stored.need,
            household,
            aid_warnings: row.try_get("aid_warnings")?,
            claimed_at: UtcMillis(row.try_get("claimed_at")?),
        });
    }
    Ok(ReviewQueue {
        council,
        volunteer,
        claim_alerts,
    })
}
