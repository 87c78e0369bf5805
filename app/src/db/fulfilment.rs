//! After a claim: the donor marks it delivered, a volunteer of the need's town confirms it, and
//! the need is fulfilled (off the board for good) once nothing of it is open or unconfirmed.
//! The donor's page and the volunteer's list of deliveries to confirm are read here too.
//!
//! Callers have checked who may do what ([`crate::access`]) and parsed what was typed.

use super::claims::ClaimRecord;
use super::{credit, events, needs, notices, Db};
use crate::credit::PointRules;
use crate::domain::{
    ClaimStatus, ClaimTerms, Coordinator, FamilyThanks, Fen, LiveChange, MyClaim, NewNotice,
    UtcMillis, Window,
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

/// How a delivered claim is confirmed.
#[derive(Clone, Copy, Debug)]
pub enum Confirmation<'a> {
    /// The family confirmed with the code the volunteer who checked the delivery gave them.
    Family,
    /// The volunteer fulfils it, writing why the family cannot confirm (an unused family code
    /// stops working).
    Volunteer { reason: &'a str },
}

/// Confirms a delivered claim for `volunteer` (the one who checked it). When no claim of the
/// need is left open or unconfirmed and nothing is left to pledge, the need is fulfilled: off
/// the board for good. The donor and the volunteer earn their points in the same
/// transaction. Returns whether the need was fulfilled; `WrongStage` if the claim was not (or
/// no longer) delivered.
pub async fn confirm(
    db: &Db,
    claim: &ClaimRecord,
    volunteer: UserId,
    how: Confirmation<'_>,
    points: &PointRules,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let mut tx = db.begin().await?;
    let fulfilled = confirm_in(&mut tx, claim, volunteer, how, points, now).await;
    match fulfilled {
        Ok(fulfilled) => {
            tx.commit().await?;
            Ok(fulfilled)
        }
        Err(error) => {
            tx.rollback().await?;
            Err(error)
        }
    }
}

/// [`confirm`] within a transaction the caller commits (or rolls back on an error).
pub(crate) async fn confirm_in(
    tx: &mut super::Tx,
    claim: &ClaimRecord,
    volunteer: UserId,
    how: Confirmation<'_>,
    points: &PointRules,
    now: UtcMillis,
) -> Result<bool, AppError> {
    // Confirmations of two pledges of one need are serialised on the need's row: otherwise,
    // on PostgreSQL, each could see the other still delivered and neither fulfil the need.
    needs::lock_row(tx, claim.need_id).await?;
    let (how_code, reason) = match how {
        Confirmation::Family => ("family", None),
        Confirmation::Volunteer { reason } => ("volunteer", Some(reason)),
    };
    let moved = sqlx::query(
        "UPDATE claims SET status = 'confirmed', confirmed_at = $2, confirmed_by = $3, \
         confirmed_how = $4, confirm_reason = $5 WHERE id = $1 AND status = 'delivered'",
    )
    .bind(claim.id)
    .bind(now.0)
    .bind(volunteer.0)
    .bind(how_code)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::WrongStage);
    }
    if matches!(how, Confirmation::Volunteer { .. }) {
        // A code the family has not used stops working: the claim is confirmed without it.
        sqlx::query(
            "UPDATE family_thanks SET expires_at = $2, code_to_show = NULL \
             WHERE claim_id = $1 AND used_at IS NULL",
        )
        .bind(claim.id)
        .bind(now.0)
        .execute(&mut **tx)
        .await?;
    }
    let fulfilled = sqlx::query(
        "UPDATE needs SET status = 'fulfilled', fulfilled_at = $2, updated_at = $2 \
         WHERE id = $1 AND status = 'claimed' AND NOT EXISTS \
         (SELECT 1 FROM claims WHERE need_id = $1 AND status IN ('open', 'delivered')) \
         RETURNING aid_window, town",
    )
    .bind(claim.need_id.0)
    .bind(now.0)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(row) = &fulfilled {
        let window =
            Window::parse(row.try_get("aid_window")?).map_err(|e| AppError::corrupt("need", e))?;
        let change = LiveChange::NeedFulfilled {
            need_id: claim.need_id,
            window,
            town: row.try_get("town")?,
        };
        events::append(tx, &change, now).await?;
        notices::forget_watches(tx, claim.need_id).await?;
    }
    if let Some(donor) = claim.donor {
        let title: String = sqlx::query_scalar("SELECT title FROM needs WHERE id = $1")
            .bind(claim.need_id.0)
            .fetch_one(&mut **tx)
            .await?;
        let notice = NewNotice::delivery_confirmed(claim.need_id, claim.id, &title);
        notices::send(tx, donor, &notice, now).await?;
        for (user, reason, earned) in points.for_confirmation(donor, volunteer) {
            credit::append(tx, user, reason, earned, claim.need_id, Some(claim.id), now).await?;
        }
    }
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
        awaiting_family: status == ClaimStatus::Delivered
            && row.try_get::<Option<i64>, _>("checked_at")?.is_some(),
        thanks: match row.try_get::<Option<i64>, _>("thanks_at")? {
            Some(at) => Some(FamilyThanks {
                message: row
                    .try_get::<Option<String>, _>("thanks_message")?
                    .unwrap_or_default(),
                public: row.try_get::<Option<i64>, _>("thanks_public")?.unwrap_or(0) != 0,
                at: UtcMillis(at),
            }),
            None => None,
        },
    })
}

/// The public columns of a need, as `n.` of a join.
fn need_columns() -> String {
    needs::PUBLIC_COLUMNS
        .split(',')
        .map(|column| format!("n.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn claim_columns() -> String {
    format!(
        "{}, c.id AS claim_id, c.amount_fen AS claim_amount, c.status AS claim_status, \
         c.claimed_at, c.expires_at, c.delivered_at, c.rejected_reason, c.checked_at, \
         t.used_at AS thanks_at, t.message AS thanks_message, t.message_public AS thanks_public, \
         t.expires_at AS code_expires_at, \
         u.display_name AS coordinator_name, u.phone AS coordinator_phone",
        need_columns()
    )
}

/// A donor's claims, newest first: the coordinating volunteer's contact with each.
pub async fn mine(db: &Db, donor: UserId) -> Result<Vec<MyClaim>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM claims c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN users u ON u.id = n.author_id \
         LEFT JOIN family_thanks t ON t.claim_id = c.id \
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
         LEFT JOIN family_thanks t ON t.claim_id = c.id \
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
            // Waiting for the family: overdue once their code ran out; else waiting for a
            // volunteer: overdue after the configured days.
            let code_expires_at = row
                .try_get::<Option<i64>, _>("code_expires_at")?
                .filter(|_| claim.awaiting_family)
                .map(UtcMillis);
            let overdue = match code_expires_at {
                Some(expires) => expires <= now,
                None => claim
                    .delivered_at
                    .is_some_and(|at| terms.confirmation_overdue(at, now)),
            };
            let delivery = DeliveryToConfirm {
                claim,
                donor_name: row.try_get("donor_name")?,
                note: row
                    .try_get::<Option<String>, _>("delivery_note")?
                    .unwrap_or_default(),
                has_photo: row.try_get::<Option<String>, _>("photo_file")?.is_some(),
                overdue,
                code_expires_at,
            };
            let donor = row.try_get::<Option<i64>, _>("donor_id")?.map(UserId);
            Ok((delivery, donor))
        })
        .collect()
}

/// The 爱心认领凭证 of a confirmed claim, for its donor: `Forbidden` for anyone else,
/// `Invalid` (claim_id) for a claim that does not exist or is not confirmed.
pub async fn certificate(
    db: &Db,
    claim_id: i64,
    donor: UserId,
) -> Result<crate::domain::ClaimCertificate, AppError> {
    use crate::domain::ClaimCertificate;
    let row = sqlx::query(&format!(
        "SELECT {}, c.donor_id, c.donor_name, c.status AS claim_status, c.claimed_at, \
         c.confirmed_at, c.confirmed_how, c.amount_fen AS claim_amount \
         FROM claims c JOIN needs n ON n.id = c.need_id WHERE c.id = $1",
        need_columns()
    ))
    .bind(claim_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "claim_id",
            leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.claim_not_found),
        )
    })?;
    if row.try_get::<Option<i64>, _>("donor_id")? != Some(donor.0) {
        return Err(AppError::Forbidden);
    }
    let confirmed_at = match (
        row.try_get::<String, _>("claim_status")?.as_str(),
        row.try_get::<Option<i64>, _>("confirmed_at")?,
    ) {
        ("confirmed", Some(at)) => UtcMillis(at),
        _ => {
            return Err(AppError::invalid(
                "claim_id",
                leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.not_confirmed),
            ))
        }
    };
    let need = needs::public_need(&row)?;
    Ok(ClaimCertificate {
        number: ClaimCertificate::number_for(claim_id, confirmed_at),
        donor_name: row.try_get("donor_name")?,
        need_id: need.id,
        title: need.title.clone(),
        window: need.window,
        place: need.place(),
        amount: need
            .ask
            .amount()
            .and(row.try_get::<Option<i64>, _>("claim_amount")?)
            .map(Fen::from_stored),
        ask: need.ask,
        claimed_at: UtcMillis(row.try_get("claimed_at")?),
        confirmed_at,
        by_family: row
            .try_get::<Option<String>, _>("confirmed_how")?
            .as_deref()
            == Some("family"),
    })
}
