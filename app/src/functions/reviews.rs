//! The two approvals and the queues reviewers work from.

use crate::domain::NeedStatus;
use crate::error::AppError;
use crate::private::{ReviewQueue, ReviewStage};
use leptos::prelude::*;

/// What the caller has to decide, with each household's aid history: council-stage needs of
/// the towns they review, volunteer-stage needs of their towns that others entered and
/// approved, and claims that warned of duplicate aid in their towns.
#[server(prefix = "/api", endpoint = "load_review_queue")]
pub async fn load_review_queue() -> Result<ReviewQueue, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, Action};
    use crate::db::{reviews, Db};
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let period = from_context::<Settings>()?.aid_period_months;
    let now = UtcMillis::now();
    let mut stages = [Vec::new(), Vec::new()];
    for (stage, items) in [ReviewStage::Council, ReviewStage::Volunteer]
        .into_iter()
        .zip(&mut stages)
    {
        if !reviewer.has(stage.role()) {
            continue;
        }
        for stored in reviews::awaiting(&db, stage).await? {
            let need = stored.parties();
            if permits(&reviewer, Action::Review { stage, need }) {
                items.extend(reviews::review_item(&db, stored, period, now).await?);
            }
        }
    }
    let mut claim_alerts = Vec::new();
    for (stored, warnings, claimed_at) in reviews::warned_claims(&db).await? {
        let town = stored.need.town.as_str();
        if permits(&reviewer, Action::SeeClaimAlert { town }) {
            claim_alerts.extend(reviews::claim_alert(&db, stored, warnings, claimed_at).await?);
        }
    }
    // Every household file this page shows is an opening, logged for the desk.
    let opened: Vec<_> = stages
        .iter()
        .flatten()
        .map(|item| (item.household.id, Some(item.need.id)))
        .chain(
            claim_alerts
                .iter()
                .map(|alert| (alert.household.id, Some(alert.need.id))),
        )
        .collect();
    let page = "审核页"; // i18n-allow: the page's name as the file-access log stores it
    crate::db::file_access::log(&db, reviewer.id, &opened, page, now).await?;
    // Referrals awaiting an answer, for the council reviewers who record it (of their towns
    // only: a volunteer's page asks for none).
    let mut referrals = Vec::new();
    match crate::access::towns_for(&reviewer, crate::people::Role::Reviewer) {
        None => referrals = crate::db::desk::referrals(&db, None, false).await?,
        Some(towns) => {
            for town in towns {
                referrals.extend(crate::db::desk::referrals(&db, Some(town), false).await?);
            }
            referrals.sort_by_key(|referral| (referral.due_at, referral.id));
        }
    }
    for referral in &mut referrals {
        referral.can_record = true;
    }
    // Service needs may be booked onto an offer instead of the board.
    let mut offered: std::collections::HashMap<(crate::domain::Window, String), _> =
        std::collections::HashMap::new();
    for item in stages.iter_mut().flatten() {
        if item.need.ask != crate::domain::Ask::Service {
            continue;
        }
        let key = (item.need.window, item.need.town.clone());
        if !offered.contains_key(&key) {
            let found = crate::db::offers::bookable_for(&db, key.0, &key.1, now).await?;
            offered.insert(key.clone(), found);
        }
        item.offers = offered[&key].clone();
    }
    let [council, volunteer] = stages;
    Ok(ReviewQueue {
        council,
        volunteer,
        claim_alerts,
        programmes: from_context::<Settings>()?.referral_programmes,
        referrals,
    })
}

/// Books a service need onto a slot of an offer instead of publishing it, at the stage the
/// caller reviews (the same people who may approve it then), if it is still the `version` they
/// saw. `slot_id` names the offer's slot. The offer must serve the household's town; the slot must have a free place
/// (`SlotFull`). The need becomes `matched`: fulfilled once the family attends, back to its
/// author if the booking falls through.
#[server(prefix = "/api", endpoint = "match_need")]
pub async fn match_need(
    need_id: i64,
    stage: ReviewStage,
    version: i64,
    #[server(default)] slot_id: i64,
) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::offers::{self, MatchedNeed, NewBooking};
    use crate::db::Db;
    use crate::domain::{Ask, OfferStatus, UtcMillis};
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let stored = reviewable(&db, &reviewer, need_id, stage, version).await?;
    if stored.need.ask != Ask::Service {
        return Err(AppError::invalid(
            "slot_id",
            leptos_i18n::td_string!(crate::lang::locale(), review.errors.match_not_service),
        ));
    }
    let household = stored.household.ok_or_else(|| {
        AppError::invalid(
            "slot_id",
            leptos_i18n::td_string!(crate::lang::locale(), review.errors.match_no_household),
        )
    })?;
    let offer_id = offers::offer_of_slot(&db, slot_id).await?.ok_or_else(|| {
        AppError::invalid(
            "slot_id",
            leptos_i18n::td_string!(crate::lang::locale(), review.errors.match_slot),
        )
    })?;
    let offer = match offers::find(&db, offer_id).await {
        Ok(offer) if offer.offer.status == OfferStatus::Published => offer,
        Ok(_) | Err(AppError::OfferNotFound) => {
            return Err(AppError::invalid(
                "slot_id",
                leptos_i18n::td_string!(crate::lang::locale(), review.errors.match_offer),
            ))
        }
        Err(error) => return Err(error),
    };
    let town = offers::household_town(&db, household)
        .await?
        .unwrap_or_else(|| stored.need.town.clone());
    if !offer.offer.towns.contains(&town) {
        return Err(AppError::invalid(
            "slot_id",
            leptos_i18n::td_string!(crate::lang::locale(), review.errors.match_town, town = town)
                .to_string(),
        ));
    }
    let booking = NewBooking {
        slot: slot_id,
        household,
        by: reviewer.id,
        note: "",
        need: Some(MatchedNeed {
            stored: &stored,
            stage,
        }),
    };
    offers::book(&db, &offer, booking, UtcMillis::now()).await?;
    super::after_form_post(&format!("/review?matched={need_id}"));
    Ok(())
}

/// The need, if `reviewer` may decide `stage` of it now ([`crate::access::Action::Review`])
/// and it is still the `version` they looked at (`NeedChanged` if it was edited since).
#[cfg(feature = "ssr")]
async fn reviewable(
    db: &crate::db::Db,
    reviewer: &crate::people::Viewer,
    need_id: i64,
    stage: ReviewStage,
    version: i64,
) -> Result<crate::db::intake::Stored, AppError> {
    use crate::access::{check, Action};
    let stored = crate::db::intake::stored(db, crate::domain::NeedId(need_id))
        .await?
        .ok_or(AppError::NeedNotFound)?;
    let need = stored.parties();
    check(reviewer, Action::Review { stage, need })?;
    if stored.version != version {
        return Err(AppError::NeedChanged);
    }
    Ok(stored)
}

/// Approves one stage of a need: `council` by a council reviewer of its town, then `volunteer`
/// by a volunteer who neither entered it nor approved the first stage. Over a duplicate-aid
/// warning, `acknowledgement` must give the reason, and it is recorded. `version` is the
/// version of the need the reviewer saw: an approval of text edited since is `NeedChanged`.
#[server(prefix = "/api", endpoint = "approve_need")]
pub async fn approve_need(
    need_id: i64,
    stage: ReviewStage,
    version: i64,
    #[server(default)] acknowledgement: String,
) -> Result<NeedStatus, AppError> {
    use super::{from_context, signed_in};
    use crate::db::reviews::{self, Approval};
    use crate::db::Db;
    use crate::domain::UtcMillis;
    use crate::private::approval_reason;
    use crate::settings::Settings;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let now = UtcMillis::now();
    let stored = reviewable(&db, &reviewer, need_id, stage, version).await?;
    let warnings = reviews::aid_warnings(&db, &stored, settings.aid_period_months, now).await?;
    let reason = approval_reason(warnings, &acknowledgement)?;
    let approval = Approval {
        stage,
        reviewer: reviewer.id,
        reason: &reason,
        warnings,
    };
    let status = reviews::approve(&db, &stored, approval, &settings.points, now).await?;
    super::after_form_post(&format!("/review?approved={need_id}"));
    Ok(status)
}

/// Sends a need back to its author with a reason, at the stage the caller reviews, if it is
/// still the `version` they saw.
#[server(prefix = "/api", endpoint = "return_need")]
pub async fn return_need(
    need_id: i64,
    stage: ReviewStage,
    version: i64,
    reason: String,
) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{reviews, Db};
    use crate::domain::UtcMillis;
    use crate::private::return_reason;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let stored = reviewable(&db, &reviewer, need_id, stage, version).await?;
    let reason = return_reason(&reason)?;
    reviews::send_back(&db, &stored, stage, reviewer.id, &reason, UtcMillis::now()).await?;
    super::after_form_post(&format!("/review?returned={need_id}"));
    Ok(())
}

/// Refers a need to a government programme instead of publishing it, at the stage the caller
/// reviews (the same people who may approve it then), if it is still the `version` they saw.
/// `programme` is one of the configured programmes; `due` the date by which the programme
/// should answer (`2026-12-31`, today to a year ahead).
#[server(prefix = "/api", endpoint = "refer_need")]
pub async fn refer_need(
    need_id: i64,
    stage: ReviewStage,
    version: i64,
    programme: String,
    due: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::referrals::{self, NewReferral};
    use crate::db::Db;
    use crate::domain::UtcMillis;
    use crate::private::ReferralRequest;
    use crate::settings::Settings;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let stored = reviewable(&db, &reviewer, need_id, stage, version).await?;
    let now = UtcMillis::now();
    let request =
        ReferralRequest::parse(&settings.referral_programmes, &programme, &due, &note, now)?;
    let referral = NewReferral {
        stage,
        reviewer: reviewer.id,
        programme: &request.programme,
        due: request.due,
        note: &request.note,
    };
    referrals::refer(&db, &stored, referral, now).await?;
    super::after_form_post(&format!("/review?referred={need_id}"));
    Ok(())
}
