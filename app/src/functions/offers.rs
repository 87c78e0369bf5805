//! Service offers (送服务、送文化): providers offer, volunteers review and book households,
//! providers and volunteers record attendance, and anyone reads the public list.

use crate::domain::{EventId, PublicOffer};
use crate::error::AppError;
use crate::private::{OfferForReview, OwnOffer, StaffView};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The public list of offers, with the event id it is current as of (the page streams from
/// it) and the city's towns for the filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferList {
    pub as_of: EventId,
    pub offers: Vec<PublicOffer>,
    pub towns: Vec<String>,
}

/// One offer's page: the offer as the public sees it, and (for a volunteer of a town it
/// serves) the households they may book and the bookings of their towns; `own` for its
/// provider.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferPage {
    pub offer: PublicOffer,
    pub staff: Option<StaffView>,
    pub own: bool,
}

/// An offer's form as it is posted (`offer[kind]`, `offer[towns][3]=云阳街道`, ...): checked
/// by [`crate::domain::NewOffer::parse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OfferForm {
    pub kind: String,
    pub window: String,
    pub title: String,
    pub description: String,
    /// Ticked towns, keyed by their place in the list.
    pub towns: BTreeMap<String, String>,
    /// One slot per line: `2026-12-05 14:00-16:00`.
    pub slots: String,
    pub repeat_weeks: String,
    pub places: String,
}

/// Published offers with a slot to come, in `town` and `window` when given.
#[server(prefix = "/api", endpoint = "list_offers")]
pub async fn list_offers(
    #[server(default)] town: String,
    #[server(default)] window: String,
) -> Result<OfferList, AppError> {
    use super::from_context;
    use crate::db::{offers, Db};
    use crate::domain::{UtcMillis, Window};
    use crate::settings::Settings;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    // An unknown town or window means all (as on the board).
    let town = settings.towns.iter().find(|t| **t == town).cloned();
    let window = Window::parse(&window).ok();
    let (as_of, offers) =
        offers::public_list(&db, town.as_deref(), window, UtcMillis::now()).await?;
    Ok(OfferList {
        as_of,
        offers,
        towns: settings.towns,
    })
}

/// A published offer's page (its provider sees theirs whatever its status). A volunteer of a
/// town it serves also gets the households of their towns to book, and their bookings: that
/// is an opening of those households' files, logged.
#[server(prefix = "/api", endpoint = "get_offer")]
pub async fn get_offer(offer_id: i64) -> Result<OfferPage, AppError> {
    use super::{from_context, viewer};
    use crate::access::{permits, towns_for, Action};
    use crate::db::{file_access, offers, Db};
    use crate::domain::{OfferId, OfferStatus, UtcMillis};
    use crate::people::Role;
    use crate::private::HouseholdId;
    let db: Db = from_context()?;
    let now = UtcMillis::now();
    let caller = viewer().await?;
    let stored = offers::find(&db, OfferId(offer_id)).await?;
    let own = caller.as_ref().is_some_and(|c| c.id == stored.provider);
    let published = stored.offer.status == OfferStatus::Published;
    let reviewer = caller.as_ref().is_some_and(|c| {
        stored.offer.status == OfferStatus::Review
            && stored
                .offer
                .towns
                .iter()
                .any(|town| permits(c, Action::BookService { town }))
    });
    if !(published || own || reviewer) {
        return Err(AppError::OfferNotFound);
    }
    let mut offer = if published {
        offers::find_public(&db, stored.offer.id, now).await?
    } else {
        stored.offer.clone()
    };
    offer.slots.retain(|slot| own || slot.ends_at > now);
    let staff = match &caller {
        Some(caller) if published => {
            let towns = towns_for(caller, Role::Volunteer);
            let serves = offer
                .towns
                .iter()
                .any(|town| permits(caller, Action::BookService { town }));
            if serves {
                let towns = towns.as_deref();
                let households = offers::bookable_households(&db, &offer, towns).await?;
                let bookings = offers::bookings_in_towns(&db, offer.id, towns).await?;
                let opened: Vec<_> = households
                    .iter()
                    .map(|h| (HouseholdId(h.id), None))
                    .collect();
                file_access::log(&db, caller.id, &opened, "服务预约页", now).await?; // i18n-allow: stored page name in the file-access log
                Some(StaffView {
                    households,
                    bookings,
                })
            } else {
                None
            }
        }
        _ => None,
    };
    Ok(OfferPage { offer, staff, own })
}

/// A provider offers a service: it waits for a volunteer's review of a town it serves.
#[server(prefix = "/api", endpoint = "create_offer")]
pub async fn create_offer(#[server(default)] offer: OfferForm) -> Result<i64, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{offers, Db};
    use crate::domain::{NewOffer, UtcMillis};
    use crate::settings::Settings;
    let provider = signed_in().await?;
    if !provider.has(crate::people::Role::Provider) {
        return Err(AppError::Forbidden);
    }
    let settings: Settings = from_context()?;
    let towns: Vec<String> = offer.towns.values().cloned().collect();
    if towns.len() > settings.towns.len() {
        return Err(AppError::invalid(
            "towns",
            leptos_i18n::td_string!(crate::lang::locale(), offers.errors.too_many_towns),
        ));
    }
    let now = UtcMillis::now();
    let new = NewOffer::parse(
        &offer.kind,
        &offer.window,
        &offer.title,
        &offer.description,
        &towns,
        &settings.towns,
        &offer.slots,
        &offer.repeat_weeks,
        &offer.places,
        now,
    )?;
    settings.city.check_window(new.window)?;
    for town in &new.towns {
        check(&provider, Action::OfferService { town })?;
    }
    let db: Db = from_context()?;
    let id = offers::create(&db, provider.id, &new, now).await?;
    after_form_post(&format!("/my/offers?created={id}"));
    Ok(id.0)
}

/// The caller's own offers with their bookings (what to deliver, to whom): providers only.
#[server(prefix = "/api", endpoint = "list_my_offers")]
pub async fn list_my_offers() -> Result<Vec<OwnOffer>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{offers, Db};
    let provider = signed_in().await?;
    if !provider.has(crate::people::Role::Provider) {
        return Err(AppError::Forbidden);
    }
    check(
        &provider,
        Action::SeeBookings {
            provider: provider.id,
        },
    )?;
    let db: Db = from_context()?;
    offers::of_provider(&db, provider.id).await
}

/// Offers awaiting review that serve one of the caller's towns: volunteers.
#[server(prefix = "/api", endpoint = "list_offers_for_review")]
pub async fn list_offers_for_review() -> Result<Vec<OfferForReview>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::towns_for;
    use crate::db::{offers, Db};
    use crate::people::Role;
    let volunteer = signed_in().await?;
    if !volunteer.has(Role::Volunteer) {
        return Err(AppError::Forbidden);
    }
    let db: Db = from_context()?;
    let towns = towns_for(&volunteer, Role::Volunteer);
    let mut listed = offers::awaiting_review(&db, towns.as_deref()).await?;
    // Never one's own (the rule of two people).
    listed.retain(|item| item.provider_id != volunteer.id.0);
    Ok(listed)
}

/// A volunteer of a town the offer serves approves it (`decision` = `approve`: public, live)
/// or sends it back with a `note` saying why.
#[server(prefix = "/api", endpoint = "decide_offer")]
pub async fn decide_offer(
    offer_id: i64,
    #[server(default)] decision: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, permits, Action};
    use crate::db::{offers, Db};
    use crate::domain::{text_field, OfferId, UtcMillis};
    let reviewer = signed_in().await?;
    let approve = match decision.as_str() {
        "approve" => true,
        "return" => false,
        _ => {
            return Err(AppError::invalid(
                "decision",
                leptos_i18n::td_string!(crate::lang::locale(), offers.errors.choose_decision),
            ))
        }
    };
    let note = if approve {
        String::new()
    } else {
        text_field(
            "note",
            leptos_i18n::td_string!(crate::lang::locale(), offers.review.return_reason),
            &note,
            2,
            300,
        )?
    };
    let db: Db = from_context()?;
    let stored = offers::find(&db, OfferId(offer_id)).await?;
    let provider = stored.provider;
    // Any town it serves will do; the first refusal is the one said.
    let town = stored
        .offer
        .towns
        .iter()
        .find(|town| permits(&reviewer, Action::ReviewOffer { town, provider }))
        .or(stored.offer.towns.first())
        .cloned()
        .unwrap_or_default();
    check(
        &reviewer,
        Action::ReviewOffer {
            town: &town,
            provider,
        },
    )?;
    offers::decide(&db, &stored, reviewer.id, approve, &note, UtcMillis::now()).await?;
    after_form_post(&format!("/review/offers?decided={offer_id}"));
    Ok(())
}

/// Its provider closes an offer: it leaves the list, live (refused while families are booked
/// onto slots to come).
#[server(prefix = "/api", endpoint = "close_offer")]
pub async fn close_offer(offer_id: i64) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{offers, Db};
    use crate::domain::{OfferId, UtcMillis};
    let provider = signed_in().await?;
    let db: Db = from_context()?;
    let stored = offers::find(&db, OfferId(offer_id)).await?;
    check(
        &provider,
        Action::SeeBookings {
            provider: stored.provider,
        },
    )
    .map_err(|_| AppError::OfferNotFound)?;
    offers::close(&db, &stored, UtcMillis::now()).await?;
    after_form_post(&format!("/my/offers?closed={offer_id}"));
    Ok(())
}

/// A volunteer books a household of their town onto a slot of a published offer that serves
/// it: never more than its places, whatever the race (`SlotFull`).
#[server(prefix = "/api", endpoint = "book_service")]
pub async fn book_service(
    offer_id: i64,
    #[server(default)] slot_id: i64,
    #[server(default)] household_id: i64,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::offers::{self, NewBooking};
    use crate::db::Db;
    use crate::domain::{refuse_contact_details, text_field, OfferId, OfferStatus, UtcMillis};
    use crate::private::HouseholdId;
    let volunteer = signed_in().await?;
    if !volunteer.has(crate::people::Role::Volunteer) {
        return Err(AppError::Forbidden);
    }
    // Optional; when given, plain text (no control characters: PostgreSQL refuses NUL) of at
    // most 200 characters, without a phone or ID number.
    let note = match note.trim() {
        "" => String::new(),
        note => text_field(
            "note",
            leptos_i18n::td_string!(crate::lang::locale(), offers.note_label),
            note,
            1,
            200,
        )?,
    };
    refuse_contact_details(
        "note",
        leptos_i18n::td_string!(crate::lang::locale(), offers.note_label),
        &note,
    )?;
    let db: Db = from_context()?;
    let stored = offers::find(&db, OfferId(offer_id)).await?;
    if stored.offer.status != OfferStatus::Published {
        return Err(AppError::OfferNotFound);
    }
    if household_id <= 0 {
        return Err(AppError::invalid(
            "household",
            leptos_i18n::td_string!(crate::lang::locale(), offers.errors.choose_household),
        ));
    }
    // No such household is refused as one of another town is: ids cannot be probed.
    let town = offers::household_town(&db, HouseholdId(household_id))
        .await?
        .ok_or(AppError::Forbidden)?;
    check(&volunteer, Action::BookService { town: &town })?;
    if !stored.offer.towns.contains(&town) {
        return Err(AppError::invalid(
            "household",
            leptos_i18n::td_string!(
                crate::lang::locale(),
                offers.errors.town_not_served,
                town = &town
            )
            .to_string(),
        ));
    }
    let booking = NewBooking {
        slot: slot_id,
        household: HouseholdId(household_id),
        by: volunteer.id,
        note: &note,
        need: None,
    };
    let id = offers::book(&db, &stored, booking, UtcMillis::now()).await?;
    after_form_post(&format!("/offers/{offer_id}?booked={id}"));
    Ok(id)
}

/// Records what came of a booking (`outcome`: `attended`, `absent` or `cancelled`): a
/// volunteer of the household's town, or the offer's provider. Attendance counts as aid.
#[server(prefix = "/api", endpoint = "record_booking")]
pub async fn record_booking(
    booking_id: i64,
    #[server(default)] outcome: String,
    #[server(default)] back_to: String,
) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{offers, Db};
    use crate::domain::UtcMillis;
    use crate::private::BookingStatus;
    let caller = signed_in().await?;
    let outcome = BookingStatus::parse_outcome(&outcome)?;
    let db: Db = from_context()?;
    let parties = offers::booking_parties(&db, booking_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    check(
        &caller,
        Action::HandleBooking {
            town: &parties.town,
            provider: parties.provider,
        },
    )?;
    offers::record_outcome(&db, booking_id, outcome, caller.id, UtcMillis::now()).await?;
    // Back to the page the form was on: the provider's list or an offer's page.
    let back = match back_to.strip_prefix("/offers/") {
        Some(id) if id.parse::<i64>().is_ok() => format!("/offers/{id}"),
        _ => "/my/offers".to_owned(),
    };
    after_form_post(&format!("{back}?recorded={booking_id}"));
    Ok(())
}
