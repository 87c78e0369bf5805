//! The claim race: claims and pledges, and giving a claim back (by the donor, or when its time
//! runs out). Exactly one donor wins a whole need; pledges of a money need never add up to
//! more than its amount; whatever the race. What happens after a claim is [`super::fulfilment`].
//!
//! Callers have checked who may do what ([`crate::access`]); these functions run the
//! conditional SQL that decides races.

use super::{aid, events, needs, notices, on_unique, Db, Tx};
use crate::domain::{
    Ask, ClaimReceipt, ClaimStatus, ClaimTerms, Coordinator, Fen, LiveChange, NeedId, NewNotice,
    UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{AidHistory, HouseholdId};
use sqlx::AnyConnection;

/// The signed-in donor making a claim (their phone, for the coordinating volunteer, is read
/// with the claim).
#[derive(Clone, Debug)]
pub struct Donor {
    pub id: UserId,
    pub name: String,
}

/// What a donor asks for: the whole need, or (money needs only) a part of what is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pledge {
    /// Goods, services, or all that a money need still needs.
    Whole,
    Part(Fen),
}

/// Claims (or pledges to) a published need. One conditional UPDATE decides the race (no
/// read-then-write): it moves `pledged_fen` only while the result stays within the amount, and
/// takes the need off the board when nothing is left; a CHECK on `needs` and a unique index on
/// whole claims back it. The event that tells every open board is logged in the same
/// transaction.
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
    pledge: Pledge,
    terms: ClaimTerms,
    period_months: u32,
    now: UtcMillis,
) -> Result<ClaimReceipt, AppError> {
    let (ask, pledged) = why_not_claimable(db, need_id).await??;
    // The part held: what was asked, or all that is left (read just now; if someone pledges in
    // between, the UPDATE below refuses rather than take more than is left).
    let amount = match (ask, pledge) {
        (Ask::Money { amount }, Pledge::Part(part)) => {
            terms.check_pledge(part, amount.get() - pledged)?;
            Some(part.get())
        }
        (Ask::Money { amount }, Pledge::Whole) => Some(amount.get() - pledged),
        (_, Pledge::Whole) => None,
        (_, Pledge::Part(_)) => {
            return Err(AppError::invalid(
                "amount",
                leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.part_only_money),
            ))
        }
    };
    let mut tx = db.begin().await?;
    // One donor's claims are counted under a lock on their row, so two at once cannot both
    // slip under the limits (SQLite's single writer does the same by itself). The same
    // statement reads the phone the coordinating volunteer will call.
    let contact: String =
        sqlx::query_scalar("UPDATE users SET show_name = show_name WHERE id = $1 RETURNING phone")
            .bind(donor.id.0)
            .fetch_one(&mut *tx)
            .await?;
    let (open, unconfirmed): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN status = 'delivered' AND checked_at IS NULL \
                                  THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM claims WHERE donor_id = $1 AND status IN ('open', 'delivered')",
    )
    .bind(donor.id.0)
    .fetch_one(&mut *tx)
    .await?;
    let today: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM claims WHERE donor_id = $1 AND claimed_at > $2")
            .bind(donor.id.0)
            .bind(now.0 - 86_400_000)
            .fetch_one(&mut *tx)
            .await?;
    // Claiming and releasing, again and again, would flood every board with events (and read
    // one volunteer's phone per claim): a day's claims are bounded, released ones included.
    if today >= i64::from(terms.max_per_day) {
        tx.rollback().await?;
        return Err(AppError::TooManyClaimsToday(terms.max_per_day));
    }
    if open >= i64::from(terms.max_open) {
        tx.rollback().await?;
        return Err(AppError::TooManyClaims(terms.max_open));
    }
    // Delivered claims hold the need until a volunteer acts: a donor cannot pile them up.
    // (Once a volunteer has checked one and given the family a code, it is no longer the
    // donor's to wait on.)
    if unconfirmed >= i64::from(terms.max_unconfirmed) {
        tx.rollback().await?;
        return Err(AppError::TooManyUnconfirmed(terms.max_unconfirmed));
    }
    // `$3` is the part pledged (NULL for a whole need of goods or services).
    let row = sqlx::query(&format!(
        "UPDATE needs SET pledged_fen = pledged_fen + COALESCE($3, 0), \
           status = CASE WHEN amount_fen IS NULL OR pledged_fen + $3 >= amount_fen \
                         THEN 'claimed' ELSE 'published' END, \
           updated_at = $2 \
         WHERE id = $1 AND status = 'published' \
           AND (amount_fen IS NULL OR pledged_fen + $3 <= amount_fen) \
         RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(need_id.0)
    .bind(now.0)
    .bind(amount)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        // Someone else won, or pledged, between the read above and the UPDATE.
        return Err(match why_not_claimable(db, need_id).await? {
            Err(refusal) => refusal,
            Ok(_) => too_large(db, need_id).await?,
        });
    };
    let need = needs::public_need(&row)?;
    let aid_warnings = aid_warnings(&mut tx, need_id, need.window, period_months, now).await?;
    let claim_id: i64 = sqlx::query_scalar(
        "INSERT INTO claims (need_id, donor_name, donor_contact, claimed_at, donor_id, \
         aid_warnings, amount_fen, status, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
    )
    .bind(need_id.0)
    .bind(&donor.name)
    .bind(&contact)
    .bind(now.0)
    .bind(donor.id.0)
    .bind(aid_warnings)
    .bind(amount)
    .bind(terms.expires_at(now).0)
    .fetch_one(&mut *tx)
    .await
    .map_err(on_unique(AppError::AlreadyClaimed))?;
    let change = if need.status == crate::domain::NeedStatus::Claimed {
        LiveChange::NeedClaimed {
            need_id,
            window: need.window,
            town: need.town.clone(),
        }
    } else {
        LiveChange::NeedChanged { need: need.clone() }
    };
    events::append(&mut tx, &change, now).await?;
    let coordinator = coordinator(&mut tx, need_id).await?;
    let pledged = amount.map(Fen::from_stored);
    // The coordinating volunteer hears of it at once, with the donor's contact: the one notice
    // a donor's phone appears in. Only while they are still a volunteer of the need's town;
    // otherwise the town's volunteers hear of it without the phone.
    match &coordinator {
        Some((author, _, true)) => {
            let notice = NewNotice::claim_made(
                need_id,
                claim_id,
                &need.title,
                &donor.name,
                Some(&contact),
                pledged,
            );
            notices::send(&mut tx, *author, &notice, now).await?;
        }
        _ => {
            let notice =
                NewNotice::claim_made(need_id, claim_id, &need.title, &donor.name, None, pledged);
            let stage = crate::private::ReviewStage::Volunteer;
            notices::send_to_reviewers(&mut tx, &need.town, stage, &[], &notice, now).await?;
        }
    }
    let coordinator = coordinator.map(|(_, coordinator, _)| coordinator);
    tx.commit().await?;
    Ok(ClaimReceipt {
        claim_id,
        need_id,
        title: need.title,
        amount: amount.map(Fen::from_stored),
        coordinator,
    })
}

/// Why a need cannot be claimed now (`Err`), or what it asks and how much of it is pledged
/// (`Ok`) if it looks open.
async fn why_not_claimable(
    db: &Db,
    need_id: NeedId,
) -> Result<Result<(Ask, i64), AppError>, AppError> {
    let row: Option<(String, String, Option<i64>, i64)> =
        sqlx::query_as("SELECT status, ask_kind, amount_fen, pledged_fen FROM needs WHERE id = $1")
            .bind(need_id.0)
            .fetch_optional(&db.pool)
            .await?;
    Ok(match row {
        None => Err(AppError::NeedNotFound),
        Some((status, kind, amount, pledged)) => match status.as_str() {
            "published" => Ask::from_parts(&kind, amount)
                .map(|ask| (ask, pledged))
                .map_err(|e| AppError::corrupt("need", e)),
            "claimed" => Err(AppError::AlreadyClaimed),
            "draft" | "council_review" | "volunteer_review" => Err(AppError::NeedNotFound),
            _ => Err(AppError::NotOpen),
        },
    })
}

/// The refusal of a pledge larger than what is left, saying what is left.
async fn too_large(db: &Db, need_id: NeedId) -> Result<AppError, AppError> {
    let left: i64 =
        sqlx::query_scalar("SELECT COALESCE(amount_fen - pledged_fen, 0) FROM needs WHERE id = $1")
            .bind(need_id.0)
            .fetch_one(&db.pool)
            .await?;
    Ok(AppError::invalid(
        "amount",
        leptos_i18n::td_string!(
            crate::lang::locale(),
            need.claim_errors.only_left,
            left = Fen::from_stored(left)
        )
        .to_string(),
    ))
}

/// The volunteer who entered the need, who coordinates its delivery, and whether they still
/// hold the volunteer role for the need's town (or every town), in one read.
async fn coordinator(
    conn: &mut AnyConnection,
    need_id: NeedId,
) -> Result<Option<(UserId, Coordinator, bool)>, AppError> {
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT u.id, u.display_name, u.phone, \
           CASE WHEN EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id \
             AND r.role = 'volunteer' AND (r.town = n.town OR r.town = '')) THEN 1 ELSE 0 END \
         FROM needs n JOIN users u ON u.id = n.author_id WHERE n.id = $1",
    )
    .bind(need_id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(id, name, phone, still)| (UserId(id), Coordinator { name, phone }, still != 0)))
}

/// How many records of aid in the need's window its household had within the period, now.
async fn aid_warnings(
    conn: &mut AnyConnection,
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

/// One claim as stored, with what decisions about it need: whose it is, where it stands and
/// its need's town.
#[derive(Clone, Debug)]
pub struct ClaimRecord {
    pub id: i64,
    pub need_id: NeedId,
    pub donor: Option<UserId>,
    pub status: ClaimStatus,
    pub amount: Option<i64>,
    pub town: String,
}

/// The row [`ClaimRecord`] is read from.
#[derive(sqlx::FromRow)]
struct ClaimRow {
    id: i64,
    need_id: i64,
    donor_id: Option<i64>,
    status: String,
    amount_fen: Option<i64>,
    town: String,
}

impl TryFrom<ClaimRow> for ClaimRecord {
    type Error = AppError;

    fn try_from(row: ClaimRow) -> Result<ClaimRecord, AppError> {
        Ok(ClaimRecord {
            id: row.id,
            need_id: NeedId(row.need_id),
            donor: row.donor_id.map(UserId),
            status: ClaimStatus::parse(&row.status).map_err(|e| AppError::corrupt("claim", e))?,
            amount: row.amount_fen,
            town: row.town,
        })
    }
}

/// A claim by its id; `Invalid` (field `claim_id`) when there is none.
pub async fn find(db: &Db, claim_id: i64) -> Result<ClaimRecord, AppError> {
    sqlx::query_as::<_, ClaimRow>(
        "SELECT c.id, c.need_id, c.donor_id, c.status, c.amount_fen, n.town FROM claims c \
         JOIN needs n ON n.id = c.need_id WHERE c.id = $1",
    )
    .bind(claim_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| {
        AppError::invalid(
            "claim_id",
            leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.claim_not_found),
        )
    })?
    .try_into()
}

/// How a claim goes back to the board, and from which status.
#[derive(Clone, Copy)]
enum GiveBack<'a> {
    /// The donor released it, or its time ran out: from `open`.
    Undelivered(ClaimStatus),
    /// A volunteer did not accept the delivery: from `delivered`, with their reason.
    Rejected { by: UserId, reason: &'a str },
}

/// Gives a claim back: the donor's own choice (`Released`), its time ran out (`Expired`), or a
/// volunteer rejected its delivery (`Rejected`). What it held goes back on the board, live.
/// Returns false if the claim had already moved on (by another path): nothing is changed then.
async fn give_back(
    db: &Db,
    claim: &ClaimRecord,
    how: GiveBack<'_>,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let (from, to, reason, by) = match how {
        GiveBack::Undelivered(why) => (ClaimStatus::Open, why, None, None),
        GiveBack::Rejected { by, reason } => (
            ClaimStatus::Delivered,
            ClaimStatus::Rejected,
            Some(reason),
            Some(by.0),
        ),
    };
    let mut tx: Tx = db.begin().await?;
    // The need's row first, as a confirmation takes it: the two never wait on each other in
    // opposite orders.
    needs::lock_row(&mut tx, claim.need_id).await?;
    let moved = sqlx::query(
        "UPDATE claims SET status = $2, released_at = $3, rejected_reason = $4, rejected_by = $5 \
         WHERE id = $1 AND status = $6",
    )
    .bind(claim.id)
    .bind(to.code())
    .bind(now.0)
    .bind(reason)
    .bind(by)
    .bind(from.code())
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    // A need paused on a report stays paused (off the board) with less pledged.
    let row = sqlx::query(&format!(
        "UPDATE needs SET pledged_fen = pledged_fen - COALESCE($2, 0), \
         status = CASE WHEN status = 'paused' THEN 'paused' ELSE 'published' END, \
         updated_at = $3 WHERE id = $1 AND status IN ('published', 'claimed', 'paused') \
         RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(claim.need_id.0)
    .bind(claim.amount)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        // Not on or off the board by claims (cannot happen while a claim is in hand: edits and
        // fulfilment wait for them); the claim is given back all the same.
        tx.commit().await?;
        return Ok(true);
    };
    let need = needs::public_need(&row)?;
    let paused = need.status == crate::domain::NeedStatus::Paused;
    // It was off the board if nothing was left before this pledge came back (or it is a
    // whole need); otherwise it stayed on the board and only what is left changed.
    let was_off = match need.remaining() {
        None => true,
        Some(left) => Some(left) == claim.amount,
    };
    // The donor hears why their claim came back (not when they released it themselves), and
    // whoever asked hears that the need is open again.
    let told = match (how, claim.donor) {
        (GiveBack::Undelivered(ClaimStatus::Expired), Some(donor)) => Some((
            donor,
            NewNotice::claim_expired(claim.need_id, claim.id, &need.title),
        )),
        (GiveBack::Rejected { reason, .. }, Some(donor)) => Some((
            donor,
            NewNotice::delivery_rejected(claim.need_id, claim.id, &need.title, reason),
        )),
        _ => None,
    };
    if let Some((donor, notice)) = told {
        notices::send(&mut tx, donor, &notice, now).await?;
    }
    if paused {
        // Not back on any board until its reviewer resumes it.
        tx.commit().await?;
        return Ok(true);
    }
    if was_off {
        notices::send_to_watchers(&mut tx, claim.need_id, &need.title, now).await?;
    }
    let change = if was_off {
        LiveChange::NeedPublished { need }
    } else {
        LiveChange::NeedChanged { need }
    };
    events::append(&mut tx, &change, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// The donor gives their undelivered claim back; `WrongStage` if it is no longer open.
pub async fn release(db: &Db, claim: &ClaimRecord, now: UtcMillis) -> Result<(), AppError> {
    let how = GiveBack::Undelivered(ClaimStatus::Released);
    if claim.status != ClaimStatus::Open || !give_back(db, claim, how, now).await? {
        return Err(AppError::WrongStage);
    }
    Ok(())
}

/// A volunteer does not accept a delivery, saying why (the donor is told): what the claim held
/// goes back on the board, live. `WrongStage` unless the claim is delivered and unconfirmed.
pub async fn reject_delivery(
    db: &Db,
    claim: &ClaimRecord,
    volunteer: UserId,
    reason: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    let how = GiveBack::Rejected {
        by: volunteer,
        reason,
    };
    if claim.status != ClaimStatus::Delivered || !give_back(db, claim, how, now).await? {
        return Err(AppError::WrongStage);
    }
    Ok(())
}

/// Releases every open claim whose time is up at `now` (the server calls this every minute;
/// tests call it with a clock of their own). Returns how many were released.
pub async fn expire_overdue(db: &Db, now: UtcMillis) -> Result<usize, AppError> {
    let due: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM claims WHERE status = 'open' AND expires_at <= $1 ORDER BY expires_at",
    )
    .bind(now.0)
    .fetch_all(&db.pool)
    .await?;
    let mut released = 0;
    // `expires_at <= now` above is `ClaimTerms::is_overdue`, asked of the database.
    for claim_id in due {
        let claim = find(db, claim_id).await?;
        let how = GiveBack::Undelivered(ClaimStatus::Expired);
        if give_back(db, &claim, how, now).await? {
            released += 1;
        }
    }
    Ok(released)
}
