//! Service offers and bookings. A provider's offer waits for a volunteer's review; approved,
//! it is public and live. Volunteers book households onto its slots: one conditional UPDATE
//! moves a slot's `booked` only while it stays within its places, whatever the race (a CHECK
//! backs it), and a unique index keeps a household to one booking per slot. Attendance writes
//! an aid record the duplicate-aid check sees (or, for a need matched at review, fulfils it).
//!
//! Callers have checked who may do what ([`crate::access`]).

use super::trail::{self, Step};
use super::{events, notices, on_unique, reviews, Db, Tx};
use crate::domain::{
    LiveChange, NeedId, NewNotice, NewOffer, OfferId, OfferStatus, PublicOffer, ServiceKind, Slot,
    SlotPlaces, UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{
    BookableHousehold, Booking, BookingStatus, HouseholdId, OfferForReview, OwnOffer, ReviewStage,
};
use leptos_i18n::td_string;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Offers one provider may have in review or published at once.
pub const MAX_LIVE_OFFERS: i64 = 20;
/// New offers one provider may submit in 24 hours (withdrawn ones count).
pub const NEW_OFFERS_A_DAY: i64 = 20;
/// Bookings one volunteer may make in 24 hours (cancelled ones count): booking and cancelling
/// cannot flood every open page and a provider's inbox.
pub const BOOKINGS_A_DAY: i64 = 200;
/// Most offers a public list shows.
const LIST_LIMIT: i64 = 200;

/// An offer with who offers it and where it stands: what rights are checked against.
#[derive(Clone, Debug)]
pub struct StoredOffer {
    pub offer: PublicOffer,
    pub provider: UserId,
    pub review_note: String,
}

fn corrupt(e: AppError) -> AppError {
    AppError::corrupt("offer", e)
}

fn slot(row: &AnyRow) -> Result<Slot, AppError> {
    Ok(Slot {
        id: row.try_get("id")?,
        starts_at: UtcMillis(row.try_get("starts_at")?),
        ends_at: UtcMillis(row.try_get("ends_at")?),
        places: row.try_get("places")?,
        booked: row.try_get("booked")?,
    })
}

const OFFER_COLUMNS: &str = "o.id, o.provider_id, o.kind, o.aid_window, o.title, o.description, \
                             o.status, o.review_note, u.display_name";

/// Reads offers (rows of [`OFFER_COLUMNS`]) with their towns and slots (those ending after
/// `from`; every slot when `None`): three statements however many offers.
async fn complete(
    db: &Db,
    rows: Vec<AnyRow>,
    from: Option<UtcMillis>,
) -> Result<Vec<StoredOffer>, AppError> {
    use std::collections::HashMap;
    let ids = rows
        .iter()
        .map(|row| row.try_get::<i64, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Integers from the database, so the list is safe to write into the statement.
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let mut towns: HashMap<i64, Vec<String>> = HashMap::new();
    let town_rows = sqlx::query(&format!(
        "SELECT offer_id, town FROM offer_towns WHERE offer_id IN ({list}) ORDER BY town"
    ))
    .fetch_all(&db.pool)
    .await?;
    for row in &town_rows {
        towns
            .entry(row.try_get("offer_id")?)
            .or_default()
            .push(row.try_get("town")?);
    }
    let mut slots: HashMap<i64, Vec<Slot>> = HashMap::new();
    let slot_rows = sqlx::query(&format!(
        "SELECT id, offer_id, starts_at, ends_at, places, booked FROM offer_slots \
         WHERE offer_id IN ({list}) AND ends_at > $1 ORDER BY starts_at, id"
    ))
    .bind(from.map_or(i64::MIN, |f| f.0))
    .fetch_all(&db.pool)
    .await?;
    for row in &slot_rows {
        slots
            .entry(row.try_get("offer_id")?)
            .or_default()
            .push(slot(row)?);
    }
    let mut offers = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        offers.push(StoredOffer {
            offer: PublicOffer {
                id: OfferId(id),
                provider: row.try_get("display_name")?,
                kind: ServiceKind::parse(row.try_get("kind")?).map_err(corrupt)?,
                window: Window::parse(row.try_get("aid_window")?).map_err(corrupt)?,
                title: row.try_get("title")?,
                description: row.try_get("description")?,
                towns: towns.remove(&id).unwrap_or_default(),
                status: OfferStatus::parse(row.try_get("status")?).map_err(corrupt)?,
                slots: slots.remove(&id).unwrap_or_default(),
            },
            provider: UserId(row.try_get("provider_id")?),
            review_note: row.try_get("review_note")?,
        });
    }
    Ok(offers)
}

/// Stores a provider's offer for review; `Invalid` on `offer` when they already have
/// [`MAX_LIVE_OFFERS`] in review or published.
pub async fn create(
    db: &Db,
    provider: UserId,
    offer: &NewOffer,
    now: UtcMillis,
) -> Result<OfferId, AppError> {
    let mut tx = db.begin().await?;
    // Counted under a lock on the provider's row (SQLite's single writer does it by itself).
    sqlx::query("UPDATE users SET show_name = show_name WHERE id = $1")
        .bind(provider.0)
        .execute(&mut *tx)
        .await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM offers WHERE provider_id = $1 AND status IN ('review', 'published')",
    )
    .bind(provider.0)
    .fetch_one(&mut *tx)
    .await?;
    // Closing and offering again is bounded too: at most so many new offers a day.
    let today: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM offers WHERE provider_id = $1 AND created_at > $2",
    )
    .bind(provider.0)
    .bind(now.0 - 86_400_000)
    .fetch_one(&mut *tx)
    .await?;
    if today >= NEW_OFFERS_A_DAY {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "offer",
            td_string!(
                crate::lang::locale(),
                offers.errors.offers_a_day,
                n = NEW_OFFERS_A_DAY
            )
            .to_string(),
        ));
    }
    if live >= MAX_LIVE_OFFERS {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "offer",
            td_string!(
                crate::lang::locale(),
                offers.errors.live_offers,
                n = MAX_LIVE_OFFERS
            )
            .to_string(),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO offers (provider_id, kind, aid_window, title, description, status, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'review', $6, $6) RETURNING id",
    )
    .bind(provider.0)
    .bind(offer.kind.code())
    .bind(offer.window.code())
    .bind(&offer.title)
    .bind(&offer.description)
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await?;
    for town in &offer.towns {
        sqlx::query("INSERT INTO offer_towns (offer_id, town) VALUES ($1, $2)")
            .bind(id)
            .bind(town)
            .execute(&mut *tx)
            .await?;
    }
    for time in &offer.slots {
        sqlx::query(
            "INSERT INTO offer_slots (offer_id, starts_at, ends_at, places) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(time.starts_at.0)
        .bind(time.ends_at.0)
        .bind(offer.places)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(OfferId(id))
}

/// An offer whatever its status (every slot), or `OfferNotFound`.
pub async fn find(db: &Db, id: OfferId) -> Result<StoredOffer, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id WHERE o.id = $1"
    ))
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    complete(db, rows, None)
        .await?
        .pop()
        .ok_or(AppError::OfferNotFound)
}

/// A published offer with its slots still to come, as anyone may see it; `OfferNotFound` for
/// one in review, sent back or closed.
pub async fn find_public(db: &Db, id: OfferId, now: UtcMillis) -> Result<PublicOffer, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id \
         WHERE o.id = $1 AND o.status = 'published'"
    ))
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    complete(db, rows, Some(now))
        .await?
        .pop()
        .map(|stored| stored.offer)
        .ok_or(AppError::OfferNotFound)
}

/// Published offers with a slot still to come, in `town` and `window` when given, newest
/// first, with the event id they are current as of (read first: a change that slips in is
/// replayed, never missed).
pub async fn public_list(
    db: &Db,
    town: Option<&str>,
    window: Option<Window>,
    now: UtcMillis,
) -> Result<(crate::domain::EventId, Vec<PublicOffer>), AppError> {
    let as_of = events::latest(db).await?;
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id \
         WHERE o.status = 'published' \
           AND EXISTS (SELECT 1 FROM offer_slots s WHERE s.offer_id = o.id AND s.ends_at > $1) \
           AND ($2 IS NULL OR EXISTS (SELECT 1 FROM offer_towns t \
                                      WHERE t.offer_id = o.id AND t.town = $2)) \
           AND ($3 IS NULL OR o.aid_window = $3) \
         ORDER BY o.id DESC LIMIT $4"
    ))
    .bind(now.0)
    .bind(town)
    .bind(window.map(Window::code))
    .bind(LIST_LIMIT)
    .fetch_all(&db.pool)
    .await?;
    let offers = complete(db, rows, Some(now)).await?;
    Ok((as_of, offers.into_iter().map(|s| s.offer).collect()))
}

/// Published offers in `window` serving `town` with a free place still to come: what a
/// reviewer may book a service need onto.
pub async fn bookable_for(
    db: &Db,
    window: Window,
    town: &str,
    now: UtcMillis,
) -> Result<Vec<PublicOffer>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id \
         WHERE o.status = 'published' AND o.aid_window = $1 \
           AND EXISTS (SELECT 1 FROM offer_towns t WHERE t.offer_id = o.id AND t.town = $2) \
           AND EXISTS (SELECT 1 FROM offer_slots s WHERE s.offer_id = o.id \
                       AND s.starts_at > $3 AND s.booked < s.places) \
         ORDER BY o.id DESC LIMIT 20"
    ))
    .bind(window.code())
    .bind(town)
    .bind(now.0)
    .fetch_all(&db.pool)
    .await?;
    let mut offers: Vec<PublicOffer> = complete(db, rows, Some(now))
        .await?
        .into_iter()
        .map(|s| s.offer)
        .collect();
    for offer in &mut offers {
        offer
            .slots
            .retain(|slot| slot.starts_at > now && slot.free() > 0);
    }
    Ok(offers)
}

/// Offers awaiting review that serve one of `towns` (`None`: every town), oldest first.
pub async fn awaiting_review(
    db: &Db,
    towns: Option<&[&str]>,
) -> Result<Vec<OfferForReview>, AppError> {
    let serving = match towns {
        None => String::new(),
        Some([]) => return Ok(Vec::new()),
        Some(towns) => {
            let marks: Vec<String> = (1..=towns.len()).map(|n| format!("${n}")).collect();
            format!(
                "AND EXISTS (SELECT 1 FROM offer_towns t WHERE t.offer_id = o.id \
                 AND t.town IN ({}))",
                marks.join(", ")
            )
        }
    };
    let sql = format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id \
         WHERE o.status = 'review' {serving} ORDER BY o.id LIMIT {LIST_LIMIT}"
    );
    let mut query = sqlx::query(&sql);
    for town in towns.unwrap_or_default() {
        query = query.bind(*town);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(complete(db, rows, None)
        .await?
        .into_iter()
        .map(|stored| OfferForReview {
            provider_id: stored.provider.0,
            offer: stored.offer,
        })
        .collect())
}

/// Approves (publishes, live) or sends back an offer still in review; `WrongStage` if another
/// volunteer decided first. The provider is told either way.
pub async fn decide(
    db: &Db,
    stored: &StoredOffer,
    reviewer: UserId,
    approve: bool,
    note: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    let next = if approve {
        OfferStatus::Published
    } else {
        OfferStatus::Returned
    };
    let mut tx = db.begin().await?;
    let moved = sqlx::query(
        "UPDATE offers SET status = $2, reviewer_id = $3, review_note = $4, reviewed_at = $5, \
         updated_at = $5 WHERE id = $1 AND status = 'review'",
    )
    .bind(stored.offer.id.0)
    .bind(next.code())
    .bind(reviewer.0)
    .bind(note)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    }
    if approve {
        let change = LiveChange::OfferPublished {
            offer_id: stored.offer.id,
            window: stored.offer.window,
            towns: stored.offer.towns.clone(),
        };
        events::append(&mut tx, &change, now).await?;
    }
    let notice = NewNotice::offer_decided(stored.offer.id, &stored.offer.title, approve, note);
    notices::send(&mut tx, stored.provider, &notice, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Closes a published offer (or withdraws one in review or sent back): it leaves every list,
/// live. Refused while any booking of it still waits for its outcome (a time to come, or one
/// past that nobody recorded): those families are cancelled or recorded first, and the page
/// they are recorded on is the offer's. The offer's row is written first, so a booking that
/// races the closing waits for it and then finds the offer closed (see [`book`]).
pub async fn close(db: &Db, stored: &StoredOffer, now: UtcMillis) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE offers SET updated_at = $2 WHERE id = $1 AND status <> 'closed' RETURNING status",
    )
    .bind(stored.offer.id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(status) = status else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE offer_id = $1 AND status = 'booked'",
    )
    .bind(stored.offer.id.0)
    .fetch_one(&mut *tx)
    .await?;
    if waiting > 0 {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "offer",
            td_string!(
                crate::lang::locale(),
                offers.errors.bookings_waiting,
                n = waiting
            )
            .to_string(),
        ));
    }
    sqlx::query("UPDATE offers SET status = 'closed' WHERE id = $1")
        .bind(stored.offer.id.0)
        .execute(&mut *tx)
        .await?;
    if status == OfferStatus::Published.code() {
        let change = LiveChange::OfferClosed {
            offer_id: stored.offer.id,
        };
        events::append(&mut tx, &change, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A provider's offers, newest first, with every booking of each.
pub async fn of_provider(db: &Db, provider: UserId) -> Result<Vec<OwnOffer>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {OFFER_COLUMNS} FROM offers o JOIN users u ON u.id = o.provider_id \
         WHERE o.provider_id = $1 ORDER BY o.id DESC LIMIT 100"
    ))
    .bind(provider.0)
    .fetch_all(&db.pool)
    .await?;
    let mut own = Vec::new();
    for stored in complete(db, rows, None).await? {
        let bookings = bookings(db, "b.offer_id = $1", stored.offer.id.0).await?;
        own.push(OwnOffer {
            offer: stored.offer,
            review_note: stored.review_note,
            bookings,
        });
    }
    Ok(own)
}

const BOOKING_COLUMNS: &str = "b.id, b.offer_id, o.title, s.id AS slot_id, s.starts_at, \
     s.ends_at, s.places, s.booked, h.town, h.village, h.head_name, h.phone, h.address, b.note, \
     b.need_id, b.status, b.booked_at, u.display_name AS booked_by";

async fn bookings(db: &Db, condition: &str, value: i64) -> Result<Vec<Booking>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings b \
         JOIN offers o ON o.id = b.offer_id JOIN offer_slots s ON s.id = b.slot_id \
         JOIN households h ON h.id = b.household_id JOIN users u ON u.id = b.booked_by \
         WHERE {condition} ORDER BY s.starts_at DESC, b.id DESC LIMIT 500"
    ))
    .bind(value)
    .fetch_all(&db.pool)
    .await?;
    rows.iter().map(booking).collect()
}

fn booking(row: &AnyRow) -> Result<Booking, AppError> {
    Ok(Booking {
        id: row.try_get("id")?,
        offer_id: OfferId(row.try_get("offer_id")?),
        offer_title: row.try_get("title")?,
        slot: Slot {
            id: row.try_get("slot_id")?,
            starts_at: UtcMillis(row.try_get("starts_at")?),
            ends_at: UtcMillis(row.try_get("ends_at")?),
            places: row.try_get("places")?,
            booked: row.try_get("booked")?,
        },
        town: row.try_get("town")?,
        village: row.try_get("village")?,
        head_name: row.try_get("head_name")?,
        phone: row.try_get("phone")?,
        address: row.try_get("address")?,
        note: row.try_get("note")?,
        need_id: row.try_get::<Option<i64>, _>("need_id")?.map(NeedId),
        status: BookingStatus::parse(row.try_get("status")?).map_err(corrupt)?,
        booked_at: UtcMillis(row.try_get("booked_at")?),
        booked_by: row.try_get("booked_by")?,
    })
}

/// Bookings of an offer for households of `towns` (`None`: every town): what the town's staff
/// see on the offer's page.
pub async fn bookings_in_towns(
    db: &Db,
    offer: OfferId,
    towns: Option<&[&str]>,
) -> Result<Vec<Booking>, AppError> {
    Ok(bookings(db, "b.offer_id = $1", offer.0)
        .await?
        .into_iter()
        .filter(|b| towns.is_none_or(|towns| towns.contains(&b.town.as_str())))
        .collect())
}

/// Households of `towns` that `offer` serves, for a volunteer's booking form.
pub async fn bookable_households(
    db: &Db,
    offer: &PublicOffer,
    towns: Option<&[&str]>,
) -> Result<Vec<BookableHousehold>, AppError> {
    let mut households = Vec::new();
    for town in &offer.towns {
        if towns.is_some_and(|towns| !towns.contains(&town.as_str())) {
            continue;
        }
        let rows = sqlx::query(
            "SELECT id, village, head_name FROM households WHERE town = $1 ORDER BY id DESC \
             LIMIT 300",
        )
        .bind(town)
        .fetch_all(&db.pool)
        .await?;
        for row in &rows {
            households.push(BookableHousehold {
                id: row.try_get("id")?,
                label: td_string!(
                    crate::lang::locale(),
                    offers.household_label,
                    name = row.try_get::<String, _>("head_name")?,
                    town = town,
                    village = row.try_get::<String, _>("village")?
                )
                .to_string(),
            });
        }
    }
    Ok(households)
}

/// The town of a household, if it exists: what booking rights are checked against.
pub async fn household_town(db: &Db, id: HouseholdId) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT town FROM households WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// A slot's offer, if there is such a slot.
pub async fn offer_of_slot(db: &Db, slot: i64) -> Result<Option<OfferId>, AppError> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT offer_id FROM offer_slots WHERE id = $1")
            .bind(slot)
            .fetch_optional(&db.pool)
            .await?
            .map(OfferId),
    )
}

/// A need to book at review instead of publishing it: its stored version and the stage the
/// reviewer decides.
pub struct MatchedNeed<'a> {
    pub stored: &'a super::intake::Stored,
    pub stage: ReviewStage,
}

/// A booking to make.
pub struct NewBooking<'a> {
    pub slot: i64,
    pub household: HouseholdId,
    pub by: UserId,
    pub note: &'a str,
    pub need: Option<MatchedNeed<'a>>,
}

/// Books a household onto a slot of a published offer. One conditional UPDATE decides the
/// race for the last places (no read-then-write); `SlotFull` to the losers, `AlreadyBooked` if
/// the household holds this slot already, `Invalid` on `slot` once it has begun. With a need,
/// the need leaves review as `matched` in the same transaction (`WrongStage`/`NeedChanged` if
/// it moved on). Every open `/offers` page hears the places left; the provider is told.
pub async fn book(
    db: &Db,
    stored: &StoredOffer,
    booking: NewBooking<'_>,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    // The offer's row first: a closing in progress holds it, and once it commits this finds
    // the offer closed (on PostgreSQL the row lock; on SQLite the one writer).
    let open = sqlx::query(
        "UPDATE offers SET updated_at = updated_at WHERE id = $1 AND status = 'published'",
    )
    .bind(stored.offer.id.0)
    .execute(&mut *tx)
    .await?;
    if open.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::OfferNotFound);
    }
    let today: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE booked_by = $1 AND booked_at > $2")
            .bind(booking.by.0)
            .bind(now.0 - 86_400_000)
            .fetch_one(&mut *tx)
            .await?;
    if today >= BOOKINGS_A_DAY {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "household",
            td_string!(
                crate::lang::locale(),
                offers.errors.bookings_a_day,
                n = BOOKINGS_A_DAY
            )
            .to_string(),
        ));
    }
    let row = sqlx::query(
        "UPDATE offer_slots SET booked = booked + 1 \
         WHERE id = $1 AND offer_id = $2 AND booked < places AND starts_at > $3 \
         RETURNING booked, places, starts_at, ends_at",
    )
    .bind(booking.slot)
    .bind(stored.offer.id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(why_not_bookable(db, stored.offer.id, booking.slot, now).await?);
    };
    let places = SlotPlaces {
        slot_id: booking.slot,
        booked: row.try_get("booked")?,
        places: row.try_get("places")?,
    };
    let when = Slot {
        id: booking.slot,
        starts_at: UtcMillis(row.try_get("starts_at")?),
        ends_at: UtcMillis(row.try_get("ends_at")?),
        places: places.places,
        booked: places.booked,
    }
    .when();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO bookings (slot_id, offer_id, household_id, need_id, booked_by, note, \
         status, booked_at) VALUES ($1, $2, $3, $4, $5, $6, 'booked', $7) RETURNING id",
    )
    .bind(booking.slot)
    .bind(stored.offer.id.0)
    .bind(booking.household.0)
    .bind(booking.need.as_ref().map(|m| m.stored.need.id.0))
    .bind(booking.by.0)
    .bind(booking.note)
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await
    .map_err(on_unique(AppError::AlreadyBooked))?;
    if let Some(matched) = &booking.need {
        let moved = sqlx::query(
            "UPDATE needs SET status = 'matched', updated_at = $3 \
             WHERE id = $1 AND status = $2 AND version = $4",
        )
        .bind(matched.stored.need.id.0)
        .bind(matched.stage.awaits().code())
        .bind(now.0)
        .bind(matched.stored.version)
        .execute(&mut *tx)
        .await?;
        if moved.rows_affected() == 0 {
            tx.rollback().await?;
            return Err(reviews::moved_on(db, matched.stored).await);
        }
        let detail = format!("预约「{}」{when}", stored.offer.title); // i18n-allow: stored text of the need's trail
        let need = matched.stored.need.id;
        trail::append(&mut tx, need, Step::Matched, Some(booking.by), &detail, now).await?;
    }
    let change = LiveChange::SlotChanged {
        offer_id: stored.offer.id,
        slot: places,
    };
    events::append(&mut tx, &change, now).await?;
    let notice = NewNotice::service_booked(stored.offer.id, &stored.offer.title, &when, false);
    notices::send(&mut tx, stored.provider, &notice, now).await?;
    tx.commit().await?;
    Ok(id)
}

/// Why a slot took no booking: no such slot on a public offer, begun, or full.
async fn why_not_bookable(
    db: &Db,
    offer: OfferId,
    slot: i64,
    now: UtcMillis,
) -> Result<AppError, AppError> {
    let row: Option<(i64, i64, i64, String)> = sqlx::query_as(
        "SELECT s.starts_at, s.booked, s.places, o.status FROM offer_slots s \
         JOIN offers o ON o.id = s.offer_id WHERE s.id = $1 AND s.offer_id = $2",
    )
    .bind(slot)
    .bind(offer.0)
    .fetch_optional(&db.pool)
    .await?;
    Ok(match row {
        None => AppError::invalid(
            "slot",
            td_string!(crate::lang::locale(), offers.errors.choose_slot),
        ),
        Some((_, _, _, status)) if status != "published" => AppError::OfferNotFound,
        Some((starts, _, _, _)) if starts <= now.0 => AppError::invalid(
            "slot",
            td_string!(crate::lang::locale(), offers.errors.slot_begun),
        ),
        Some(_) => AppError::SlotFull,
    })
}

/// A booking with who may handle it: the household's town and the offer's provider.
pub struct BookingParties {
    pub town: String,
    pub provider: UserId,
    pub starts_at: UtcMillis,
}

pub async fn booking_parties(db: &Db, id: i64) -> Result<Option<BookingParties>, AppError> {
    let row = sqlx::query(
        "SELECT h.town, o.provider_id, s.starts_at FROM bookings b \
         JOIN households h ON h.id = b.household_id JOIN offers o ON o.id = b.offer_id \
         JOIN offer_slots s ON s.id = b.slot_id WHERE b.id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| {
        Ok(BookingParties {
            town: row.try_get("town")?,
            provider: UserId(row.try_get("provider_id")?),
            starts_at: UtcMillis(row.try_get("starts_at")?),
        })
    })
    .transpose()
}

/// Records what came of a booking still `booked`: attended (counts as aid: an aid record the
/// duplicate-aid check sees, or for a matched need its fulfilment), absent, or cancelled (the
/// place goes back, live). Attendance only once the slot has begun. A matched need whose
/// booking falls through goes back to its author as a draft, with the reason. `WrongStage`
/// if someone recorded it first.
pub async fn record_outcome(
    db: &Db,
    id: i64,
    outcome: BookingStatus,
    by: UserId,
    now: UtcMillis,
) -> Result<(), AppError> {
    if outcome == BookingStatus::Booked {
        return Err(AppError::invalid(
            "outcome",
            td_string!(crate::lang::locale(), offers.errors.choose_outcome),
        ));
    }
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "UPDATE bookings SET status = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $1 AND status = 'booked' \
         RETURNING slot_id, offer_id, household_id, need_id",
    )
    .bind(id)
    .bind(outcome.code())
    .bind(by.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    let slot_id: i64 = row.try_get("slot_id")?;
    let offer_id = OfferId(row.try_get("offer_id")?);
    let household: i64 = row.try_get("household_id")?;
    let need = row.try_get::<Option<i64>, _>("need_id")?.map(NeedId);
    let (title, provider, window, starts_at, ends_at, provider_name): (
        String,
        i64,
        String,
        i64,
        i64,
        String,
    ) = sqlx::query_as(
        "SELECT o.title, o.provider_id, o.aid_window, s.starts_at, s.ends_at, u.display_name \
         FROM offers o JOIN offer_slots s ON s.offer_id = o.id \
         JOIN users u ON u.id = o.provider_id WHERE s.id = $1",
    )
    .bind(slot_id)
    .fetch_one(&mut *tx)
    .await?;
    if outcome != BookingStatus::Cancelled && starts_at > now.0 {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "outcome",
            td_string!(crate::lang::locale(), offers.errors.not_started),
        ));
    }
    match outcome {
        BookingStatus::Attended => match need {
            // The need was this help: fulfilled (its aid history entry is the need itself).
            Some(need) => {
                sqlx::query(
                    "UPDATE needs SET status = 'fulfilled', fulfilled_at = $2, updated_at = $2 \
                     WHERE id = $1 AND status = 'matched'",
                )
                .bind(need.0)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                let detail = format!("已到场接受服务「{title}」"); // i18n-allow: stored text of the need's trail
                trail::append(&mut tx, need, Step::MatchEnded, Some(by), &detail, now).await?;
            }
            None => {
                let aid: i64 = sqlx::query_scalar(
                    "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, \
                     amount_fen, imported_by, imported_at) \
                     SELECT id_key, $2, $3, $4, $5, NULL, $6, $7 FROM households WHERE id = $1 \
                     RETURNING id",
                )
                .bind(household)
                .bind(format!("服务：{provider_name}")) // i18n-allow: stored agency name of an aid record
                .bind(&window)
                .bind(&title)
                .bind(starts_at)
                .bind(by.0)
                .bind(now.0)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("UPDATE bookings SET aid_record_id = $2 WHERE id = $1")
                    .bind(id)
                    .bind(aid)
                    .execute(&mut *tx)
                    .await?;
            }
        },
        BookingStatus::Absent | BookingStatus::Cancelled => {
            if outcome == BookingStatus::Cancelled {
                free_place(&mut tx, offer_id, slot_id, now).await?;
                let when = Slot {
                    id: slot_id,
                    starts_at: UtcMillis(starts_at),
                    ends_at: UtcMillis(ends_at),
                    places: 0,
                    booked: 0,
                }
                .when();
                let notice = NewNotice::service_booked(offer_id, &title, &when, true);
                notices::send(&mut tx, UserId(provider), &notice, now).await?;
            }
            if let Some(need) = need {
                let reason = format!(
                    "服务预约「{title}」{}，请重新安排或提交审核。", // i18n-allow: stored return reason of the need
                    if outcome == BookingStatus::Absent {
                        "未到场" // i18n-allow: part of the stored return reason
                    } else {
                        "已取消" // i18n-allow: part of the stored return reason
                    }
                );
                sqlx::query(
                    "UPDATE needs SET status = 'draft', returned_reason = $2, updated_at = $3 \
                     WHERE id = $1 AND status = 'matched'",
                )
                .bind(need.0)
                .bind(&reason)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
                trail::append(&mut tx, need, Step::MatchEnded, Some(by), &reason, now).await?;
            }
        }
        // Refused before the transaction began.
        BookingStatus::Booked => {}
    }
    tx.commit().await?;
    Ok(())
}

/// Gives a cancelled booking's place back and tells every open page.
async fn free_place(
    tx: &mut Tx,
    offer: OfferId,
    slot: i64,
    now: UtcMillis,
) -> Result<(), AppError> {
    let (booked, places): (i64, i64) = sqlx::query_as(
        "UPDATE offer_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0 \
         RETURNING booked, places",
    )
    .bind(slot)
    .fetch_one(&mut **tx)
    .await?;
    let change = LiveChange::SlotChanged {
        offer_id: offer,
        slot: SlotPlaces {
            slot_id: slot,
            booked,
            places,
        },
    };
    events::append(tx, &change, now).await?;
    Ok(())
}

/// Attended service sessions and the households they reached: the impact board's figures.
pub async fn attended(db: &Db) -> Result<Vec<i64>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT household_id FROM bookings WHERE status = 'attended'")
            .fetch_all(&db.pool)
            .await?,
    )
}
