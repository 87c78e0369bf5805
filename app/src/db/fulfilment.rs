//! After a claim: the donor marks it delivered, a volunteer of the need's town confirms it, and
//! the need is fulfilled (off the board for good) once nothing of it is open or unconfirmed.
//! The donor's page and the volunteer's list of deliveries to confirm are read here too.
//!
//! Callers have checked who may do what ([`crate::access`]) and parsed what was typed.

use super::claims::ClaimRecord;
use super::{credit, events, needs, Db};
use crate::credit::PointRules;
use crate::domain::{
    ClaimStatus, ClaimTerms, Coordinator, Fen, LiveChange, MyClaim, UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::DeliveryToConfirm;
use sqlx::Row;

/// Marks an open claim delivered, with the donor's note and the photo already stored under
/// `photo_file`; `WrongStage` if the claim is no longer open.
pub async fn deliver(
    db: &Db,
    claim: &ClaimRecord,
    note: &str,
    photo_file: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    let moved = sqlx::query(
        "UPDATE claims SET status = 'delivered', delivered_at = $2, delivery_note = $3, \
         photo_file = $4 WHERE id = $1 AND status = 'open'",
    )
    .bind(claim.id)
    .bind(now.0)
    .bind(note)
    .bind(photo_file)
    .execute(&db.pool)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::WrongStage);
    }
    Ok(())
}

/// The stored name of a claim's delivery photo, if it has one.
pub async fn photo_file(db: &Db, claim: &ClaimRecord) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT photo_file FROM claims WHERE id = $1")
            .bind(claim.id)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// Confirms a delivered claim by `volunteer`. When no claim of the need is left open or
/// unconfirmed and nothing is left to pledge, the need is fulfilled: off the board for good.
/// The donor and the volunteer earn their points in the same transaction. Returns whether the
/// need was fulfilled; `WrongStage` if the claim was not (or no longer) delivered.
pub async fn confirm(
    db: &Db,
    claim: &ClaimRecord,
    volunteer: UserId,
    points: &PointRules,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let mut tx = db.begin().await?;
    // Confirmations of two pledges of one need are serialised on the need's row: otherwise,
    // on PostgreSQL, each could see the other still delivered and neither fulfil the need.
    sqlx::query("UPDATE needs SET updated_at = updated_at WHERE id = $1")
        .bind(claim.need_id.0)
        .execute(&mut *tx)
        .await?;
    let moved = sqlx::query(
        "UPDATE claims SET status = 'confirmed', confirmed_at = $2, confirmed_by = $3 \
         WHERE id = $1 AND status = 'delivered'",
    )
    .bind(claim.id)
    .bind(now.0)
    .bind(volunteer.0)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    }
    let fulfilled = sqlx::query(
        "UPDATE needs SET status = 'fulfilled', fulfilled_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'claimed' AND NOT EXISTS \
         (SELECT 1 FROM claims WHERE need_id = $1 AND status IN ('open', 'delivered')) \
         RETURNING aid_window, town",
    )
    .bind(claim.need_id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(row) = &fulfilled {
        let window =
            Window::parse(row.try_get("aid_window")?).map_err(|e| AppError::corrupt("need", e))?;
        let change = LiveChange::NeedFulfilled {
            need_id: claim.need_id,
            window,
            town: row.try_get("town")?,
        };
        events::append(&mut tx, &change, now).await?;
    }
    if let Some(donor) = claim.donor {
        for (user, reason, earned) in points.for_confirmation(donor, volunteer) {
            credit::append(
                &mut tx,
                user,
                reason,
                earned,
                claim.need_id,
                Some(claim.id),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(fulfilled.is_some())
}

/// How many delivery photos `donor` stored since `since` (the photo quota counts them).
pub async fn photos_since(db: &Db, donor: UserId, since: UtcMillis) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM claims WHERE donor_id = $1 AND photo_file IS NOT NULL \
         AND delivered_at >= $2",
    )
    .bind(donor.0)
    .bind(since.0)
    .fetch_one(&db.pool)
    .await?)
}

fn my_claim(row: &sqlx::any::AnyRow) -> Result<MyClaim, AppError> {
    let status = ClaimStatus::parse(row.try_get("claim_status")?)
        .map_err(|e| AppError::corrupt("claim", e))?;
    // The volunteer's phone reaches a donor only while their claim is in hand.
    let coordinator = match (
        status.in_hand(),
        row.try_get::<Option<String>, _>("coordinator_name")?,
        row.try_get::<Option<String>, _>("coordinator_phone")?,
    ) {
        (true, Some(name), Some(phone)) => Some(Coordinator { name, phone }),
        _ => None,
    };
    Ok(MyClaim {
        claim_id: row.try_get("claim_id")?,
        need: needs::public_need(row)?,
        amount: row
            .try_get::<Option<i64>, _>("claim_amount")?
            .map(Fen::from_stored),
        status,
        claimed_at: UtcMillis(row.try_get("claimed_at")?),
        expires_at: UtcMillis(row.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(0)),
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")?
            .map(UtcMillis),
        coordinator,
        rejected_reason: row.try_get("rejected_reason")?,
    })
}

fn claim_columns() -> String {
    let public: Vec<String> = needs::PUBLIC_COLUMNS
        .split(',')
        .map(|column| format!("n.{}", column.trim()))
        .collect();
    format!(
        "{}, c.id AS claim_id, c.amount_fen AS claim_amount, c.status AS claim_status, \
         c.claimed_at, c.expires_at, c.delivered_at, c.rejected_reason, \
         u.display_name AS coordinator_name, u.phone AS coordinator_phone",
        public.join(", ")
    )
}

/// A donor's claims, newest first: the coordinating volunteer's contact with each.
pub async fn mine(db: &Db, donor: UserId) -> Result<Vec<MyClaim>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM claims c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN users u ON u.id = n.author_id \
         WHERE c.donor_id = $1 ORDER BY c.claimed_at DESC, c.id DESC LIMIT 100",
        claim_columns()
    ))
    .bind(donor.0)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(my_claim).collect()
}

/// Delivered claims of needs in `towns` (every town for `None`) awaiting confirmation, oldest
/// first (those waiting longer than `terms` allow marked overdue), at most 200, each with its
/// donor (the caller keeps those it may confirm). The towns are chosen in the query, so other
/// towns' deliveries cannot push a town's own off its volunteers' list.
pub async fn delivered(
    db: &Db,
    towns: Option<&[&str]>,
    terms: ClaimTerms,
    now: UtcMillis,
) -> Result<Vec<(DeliveryToConfirm, Option<UserId>)>, AppError> {
    if towns == Some(&[]) {
        return Ok(Vec::new());
    }
    let in_towns = super::and_town_in("n.town", towns);
    let sql = format!(
        "SELECT {}, c.donor_name, c.delivery_note, c.photo_file, c.donor_id \
         FROM claims c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN users u ON u.id = n.author_id \
         WHERE c.status = 'delivered'{in_towns} ORDER BY c.delivered_at, c.id LIMIT 200",
        claim_columns()
    );
    let mut query = sqlx::query(&sql);
    for town in towns.unwrap_or_default() {
        query = query.bind(*town);
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter()
        .map(|row| {
            let claim = my_claim(row)?;
            let overdue = claim
                .delivered_at
                .is_some_and(|at| terms.confirmation_overdue(at, now));
            let delivery = DeliveryToConfirm {
                claim,
                donor_name: row.try_get("donor_name")?,
                note: row
                    .try_get::<Option<String>, _>("delivery_note")?
                    .unwrap_or_default(),
                has_photo: row.try_get::<Option<String>, _>("photo_file")?.is_some(),
                overdue,
            };
            let donor = row.try_get::<Option<i64>, _>("donor_id")?.map(UserId);
            Ok((delivery, donor))
        })
        .collect()
}
