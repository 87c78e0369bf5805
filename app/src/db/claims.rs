//! Claims and pledges, from claim to confirmed delivery. Exactly one donor wins a whole need;
//! pledges of a money need never add up to more than its amount; whatever the race.

use super::{aid, events, needs, on_unique, Db};
use crate::credit::{CreditReason, PointRules};
use crate::domain::{
    Ask, ClaimReceipt, ClaimStatus, ClaimTerms, Coordinator, Fen, LiveChange, MyClaim, NeedId,
    UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::{Role, UserId, Viewer};
use crate::private::{AidHistory, HouseholdId};
use sqlx::{AnyConnection, Row};

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
        (Ask::Money { .. }, Pledge::Part(part)) => Some(part.get()),
        (Ask::Money { amount }, Pledge::Whole) => Some(amount.get() - pledged),
        (_, Pledge::Whole) => None,
        (_, Pledge::Part(_)) => {
            return Err(AppError::invalid("amount", "只有资金需求可以部分认捐。"))
        }
    };
    let mut tx = db.pool.begin().await?;
    // One donor's claims are counted under a lock on their row, so two at once cannot both
    // slip under the limit (SQLite's single writer does the same by itself). The same
    // statement reads the phone the coordinating volunteer will call.
    let contact: String =
        sqlx::query_scalar("UPDATE users SET show_name = show_name WHERE id = $1 RETURNING phone")
            .bind(donor.id.0)
            .fetch_one(&mut *tx)
            .await?;
    let held: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM claims WHERE donor_id = $1 AND status = 'open'")
            .bind(donor.id.0)
            .fetch_one(&mut *tx)
            .await?;
    if held >= i64::from(terms.max_open) {
        tx.rollback().await?;
        return Err(AppError::TooManyClaims(terms.max_open));
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
    events::append(db.backend, &mut tx, &change, now).await?;
    let coordinator = coordinator(&mut tx, need_id).await?;
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
                .map_err(|e| AppError::internal("a stored need does not parse", format!("{e:?}"))),
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
        format!(
            "这条需求只剩 {} 需要认捐，请改小金额。",
            Fen::from_stored(left)
        ),
    ))
}

/// The volunteer who entered the need, who coordinates its delivery.
async fn coordinator(
    conn: &mut AnyConnection,
    need_id: NeedId,
) -> Result<Option<Coordinator>, AppError> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT u.display_name, u.phone FROM needs n JOIN users u ON u.id = n.author_id \
         WHERE n.id = $1",
    )
    .bind(need_id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(name, phone)| Coordinator { name, phone }))
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

/// One claim as stored, with what decisions about it need.
struct StoredClaim {
    need_id: NeedId,
    donor: Option<i64>,
    status: ClaimStatus,
    amount: Option<i64>,
    town: String,
}

async fn stored(db: &Db, claim_id: i64) -> Result<StoredClaim, AppError> {
    let row = sqlx::query(
        "SELECT c.need_id, c.donor_id, c.status, c.amount_fen, n.town FROM claims c \
         JOIN needs n ON n.id = c.need_id WHERE c.id = $1",
    )
    .bind(claim_id)
    .fetch_optional(&db.pool)
    .await?
    .ok_or_else(|| AppError::invalid("claim_id", "找不到这条认领。"))?;
    Ok(StoredClaim {
        need_id: NeedId(row.try_get("need_id")?),
        donor: row.try_get("donor_id")?,
        status: ClaimStatus::parse(row.try_get("status")?)
            .map_err(|e| AppError::internal("a stored claim does not parse", format!("{e:?}")))?,
        amount: row.try_get("amount_fen")?,
        town: row.try_get("town")?,
    })
}

/// Gives an undelivered claim back: the donor's own choice (`Released`) or its time ran out
/// (`Expired`). What it held goes back on the board, live. Returns false if the claim was no
/// longer open (delivered, or already released by the other path): nothing is changed then.
async fn give_back(
    db: &Db,
    claim_id: i64,
    claim: &StoredClaim,
    why: ClaimStatus,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let mut tx = db.pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE claims SET status = $2, released_at = $3 WHERE id = $1 AND status = 'open'",
    )
    .bind(claim_id)
    .bind(why.code())
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    let row = sqlx::query(&format!(
        "UPDATE needs SET pledged_fen = pledged_fen - COALESCE($2, 0), status = 'published', \
         updated_at = $3 WHERE id = $1 AND status IN ('published', 'claimed') \
         RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(claim.need_id.0)
    .bind(claim.amount)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        // Not on or off the board by claims (cannot happen while a claim is open: edits and
        // fulfilment wait for open claims); the claim is released all the same.
        tx.commit().await?;
        return Ok(true);
    };
    let need = needs::public_need(&row)?;
    // It was off the board if nothing was left before this pledge came back (or it is a
    // whole need); otherwise it stayed on the board and only what is left changed.
    let was_off = match need.remaining() {
        None => true,
        Some(left) => Some(left) == claim.amount,
    };
    let change = if was_off {
        LiveChange::NeedPublished { need }
    } else {
        LiveChange::NeedChanged { need }
    };
    events::append(db.backend, &mut tx, &change, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// The donor gives their undelivered claim back.
pub async fn release(
    db: &Db,
    donor: &Viewer,
    claim_id: i64,
    now: UtcMillis,
) -> Result<(), AppError> {
    let claim = stored(db, claim_id).await?;
    if claim.donor != Some(donor.id.0) {
        return Err(AppError::Forbidden);
    }
    if claim.status != ClaimStatus::Open
        || !give_back(db, claim_id, &claim, ClaimStatus::Released, now).await?
    {
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
        let claim = stored(db, claim_id).await?;
        if give_back(db, claim_id, &claim, ClaimStatus::Expired, now).await? {
            released += 1;
        }
    }
    Ok(released)
}

/// The donor marks their claim delivered, with a note and optionally a photo already stored.
pub async fn deliver(
    db: &Db,
    donor: &Viewer,
    claim_id: i64,
    note: &str,
    photo_file: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    let claim = stored(db, claim_id).await?;
    if claim.donor != Some(donor.id.0) {
        return Err(AppError::Forbidden);
    }
    let note = crate::domain::text_field("note", "送达说明", note, 2, 500)?;
    let moved = sqlx::query(
        "UPDATE claims SET status = 'delivered', delivered_at = $2, delivery_note = $3, \
         photo_file = $4 WHERE id = $1 AND status = 'open'",
    )
    .bind(claim_id)
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

/// Whether `viewer` coordinates deliveries in `town`: its volunteers (reviewers and admins see
/// deliveries but do not confirm them).
fn may_confirm(viewer: &Viewer, town: &str) -> bool {
    viewer.acts_as(Role::Volunteer, town)
}

/// Whether `viewer` may see a delivery's photo: the town's volunteers and reviewers, admins.
pub async fn may_see_photo(
    db: &Db,
    viewer: &Viewer,
    claim_id: i64,
) -> Result<Option<String>, AppError> {
    let claim = stored(db, claim_id).await?;
    let allowed = viewer.has(Role::Admin)
        || viewer.acts_as(Role::Volunteer, &claim.town)
        || viewer.acts_as(Role::Reviewer, &claim.town);
    if !allowed {
        return Err(AppError::Forbidden);
    }
    Ok(
        sqlx::query_scalar("SELECT photo_file FROM claims WHERE id = $1")
            .bind(claim_id)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// A volunteer of the need's town confirms a delivery. When no claim of the need is left
/// open or unconfirmed and nothing is left to pledge, the need is fulfilled: off the board for
/// good. The donor and the volunteer earn their points in the same transaction.
pub async fn confirm(
    db: &Db,
    volunteer: &Viewer,
    claim_id: i64,
    points: &PointRules,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let claim = stored(db, claim_id).await?;
    if !may_confirm(volunteer, &claim.town) {
        return Err(AppError::Forbidden);
    }
    if claim.donor == Some(volunteer.id.0) {
        return Err(AppError::SameReviewer);
    }
    let mut tx = db.pool.begin().await?;
    let moved = sqlx::query(
        "UPDATE claims SET status = 'confirmed', confirmed_at = $2, confirmed_by = $3 \
         WHERE id = $1 AND status = 'delivered'",
    )
    .bind(claim_id)
    .bind(now.0)
    .bind(volunteer.id.0)
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
        let window = Window::parse(row.try_get("aid_window")?)
            .map_err(|e| AppError::internal("a stored need does not parse", format!("{e:?}")))?;
        let change = LiveChange::NeedFulfilled {
            need_id: claim.need_id,
            window,
            town: row.try_get("town")?,
        };
        events::append(db.backend, &mut tx, &change, now).await?;
    }
    if let Some(donor) = claim.donor {
        for (user, reason, earned) in points.for_confirmation(UserId(donor), volunteer.id) {
            credit(
                &mut tx,
                user,
                reason,
                earned,
                claim.need_id,
                Some(claim_id),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(fulfilled.is_some())
}

/// Appends one ledger entry; the same person, reason and claim (or need) is paid once (a need
/// published again after an edit earns nothing new).
pub(crate) async fn credit(
    conn: &mut AnyConnection,
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
    .execute(conn)
    .await?;
    Ok(())
}

fn my_claim(row: &sqlx::any::AnyRow) -> Result<MyClaim, AppError> {
    let coordinator = match (
        row.try_get::<Option<String>, _>("coordinator_name")?,
        row.try_get::<Option<String>, _>("coordinator_phone")?,
    ) {
        (Some(name), Some(phone)) => Some(Coordinator { name, phone }),
        _ => None,
    };
    Ok(MyClaim {
        claim_id: row.try_get("claim_id")?,
        need: needs::public_need(row)?,
        amount: row
            .try_get::<Option<i64>, _>("claim_amount")?
            .map(Fen::from_stored),
        status: ClaimStatus::parse(row.try_get("claim_status")?)
            .map_err(|e| AppError::internal("a stored claim does not parse", format!("{e:?}")))?,
        claimed_at: UtcMillis(row.try_get("claimed_at")?),
        expires_at: UtcMillis(row.try_get::<Option<i64>, _>("expires_at")?.unwrap_or(0)),
        delivered_at: row
            .try_get::<Option<i64>, _>("delivered_at")?
            .map(UtcMillis),
        coordinator,
    })
}

fn claim_columns() -> String {
    let public: Vec<String> = needs::PUBLIC_COLUMNS
        .split(',')
        .map(|column| format!("n.{}", column.trim()))
        .collect();
    format!(
        "{}, c.id AS claim_id, c.amount_fen AS claim_amount, c.status AS claim_status, \
         c.claimed_at, c.expires_at, c.delivered_at, \
         u.display_name AS coordinator_name, u.phone AS coordinator_phone",
        public.join(", ")
    )
}

/// A donor's claims, newest first: the coordinating volunteer's contact with each.
pub async fn mine(db: &Db, donor: &Viewer) -> Result<Vec<MyClaim>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM claims c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN users u ON u.id = n.author_id \
         WHERE c.donor_id = $1 ORDER BY c.claimed_at DESC, c.id DESC LIMIT 100",
        claim_columns()
    ))
    .bind(donor.id.0)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(my_claim).collect()
}

use crate::private::DeliveryToConfirm as Delivery;

/// Deliveries a volunteer may confirm: delivered claims of needs in their towns.
pub async fn to_confirm(db: &Db, volunteer: &Viewer) -> Result<Vec<Delivery>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {}, c.donor_name, c.delivery_note, c.photo_file, c.donor_id \
         FROM claims c JOIN needs n ON n.id = c.need_id \
         LEFT JOIN users u ON u.id = n.author_id \
         WHERE c.status = 'delivered' ORDER BY c.delivered_at, c.id LIMIT 200",
        claim_columns()
    ))
    .fetch_all(&db.pool)
    .await?;
    let mut deliveries = Vec::new();
    for row in &rows {
        let claim = my_claim(row)?;
        if !may_confirm(volunteer, &claim.need.town)
            || row.try_get::<Option<i64>, _>("donor_id")? == Some(volunteer.id.0)
        {
            continue;
        }
        deliveries.push(Delivery {
            claim,
            donor_name: row.try_get("donor_name")?,
            note: row
                .try_get::<Option<String>, _>("delivery_note")?
                .unwrap_or_default(),
            has_photo: row.try_get::<Option<String>, _>("photo_file")?.is_some(),
        });
    }
    Ok(deliveries)
}
