//! Claims and pledges, from claim to confirmed delivery.

use crate::domain::{ClaimReceipt, MyClaim};
use crate::error::AppError;
use crate::private::DeliveryToConfirm;
use leptos::prelude::*;

/// A signed-in donor claims a need, or pledges part of a money need (`amount` in yuan; empty
/// for all that is left). Exactly one claim wins a whole need; pledges never add up to more
/// than the amount. The donor's name and phone go to the coordinating volunteer only.
#[server(prefix = "/api", endpoint = "claim_need")]
pub async fn claim_need(
    need_id: i64,
    #[server(default)] amount: String,
) -> Result<ClaimReceipt, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::claims::{self, Donor, Pledge};
    use crate::db::Db;
    use crate::domain::{Fen, NeedId, UtcMillis};
    use crate::settings::Settings;
    let viewer = signed_in().await?;
    check(&viewer, Action::Claim)?;
    if need_id <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let pledge = match amount.trim() {
        "" => Pledge::Whole,
        yuan => Pledge::Part(Fen::parse_yuan(yuan)?),
    };
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let donor = Donor {
        id: viewer.id,
        name: viewer.name,
    };
    let receipt = claims::claim(
        &db,
        NeedId(need_id),
        &donor,
        pledge,
        settings.claim_terms,
        settings.aid_period_months,
        UtcMillis::now(),
    )
    .await;
    crate::metrics::count_claim(&receipt);
    let receipt = receipt?;
    // Without JavaScript the browser follows a redirect; the board it lands on says the claim
    // went through (the island shows the receipt instead).
    after_form_post(&format!("/?claimed={}", receipt.need_id));
    Ok(receipt)
}

/// The caller's claims, with each coordinating volunteer's contact.
#[server(prefix = "/api", endpoint = "my_claims")]
pub async fn my_claims() -> Result<Vec<MyClaim>, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{fulfilment, Db};
    let donor = signed_in().await?;
    let db: Db = from_context()?;
    fulfilment::mine(&db, donor.id).await
}

/// The donor gives an undelivered claim back; what it held returns to the board at once.
#[server(prefix = "/api", endpoint = "release_claim")]
pub async fn release_claim(claim_id: i64) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{claims, Db};
    use crate::domain::UtcMillis;
    let donor = signed_in().await?;
    let db: Db = from_context()?;
    let claim = claims::find(&db, claim_id).await?;
    check(&donor, Action::HandleOwnClaim { donor: claim.donor })?;
    claims::release(&db, &claim, UtcMillis::now()).await?;
    super::after_form_post(&format!("/my/claims?released={claim_id}"));
    Ok(())
}

/// Deliveries the calling volunteer may confirm: delivered claims of needs in their towns,
/// not their own.
#[server(prefix = "/api", endpoint = "list_deliveries")]
pub async fn list_deliveries() -> Result<Vec<DeliveryToConfirm>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, towns_for, Action};
    use crate::db::{fulfilment, Db};
    use crate::domain::UtcMillis;
    use crate::people::Role;
    use crate::settings::Settings;
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let towns = towns_for(&volunteer, Role::Volunteer);
    let now = UtcMillis::now();
    Ok(
        fulfilment::delivered(&db, towns.as_deref(), settings.claim_terms, now)
            .await?
            .into_iter()
            .filter(|(delivery, donor)| {
                let town = &delivery.claim.need.town;
                permits(
                    &volunteer,
                    Action::ConfirmDelivery {
                        town,
                        donor: *donor,
                    },
                )
            })
            .map(|(delivery, _)| delivery)
            .collect(),
    )
}

/// The claim, if `volunteer` may confirm or reject its delivery
/// ([`crate::access::Action::ConfirmDelivery`]: a volunteer of its town, not its donor).
#[cfg(feature = "ssr")]
async fn delivery_to_decide(
    db: &crate::db::Db,
    volunteer: &crate::people::Viewer,
    claim_id: i64,
) -> Result<crate::db::claims::ClaimRecord, AppError> {
    use crate::access::{check, Action};
    let claim = crate::db::claims::find(db, claim_id).await?;
    check(
        volunteer,
        Action::ConfirmDelivery {
            town: &claim.town,
            donor: claim.donor,
        },
    )?;
    Ok(claim)
}

/// A volunteer of the need's town confirms a delivery; the need is fulfilled (taken down for
/// good) once every claim of it is confirmed. Returns whether it was.
#[server(prefix = "/api", endpoint = "confirm_delivery")]
pub async fn confirm_delivery(claim_id: i64) -> Result<bool, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{fulfilment, Db};
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let claim = delivery_to_decide(&db, &volunteer, claim_id).await?;
    let fulfilled = fulfilment::confirm(
        &db,
        &claim,
        volunteer.id,
        &settings.points,
        UtcMillis::now(),
    )
    .await?;
    super::after_form_post(&format!("/review?confirmed={claim_id}"));
    Ok(fulfilled)
}

/// A volunteer of the need's town does not accept a delivery, saying why: what the claim held
/// goes back on the board at once, and the donor sees the reason on their claims page.
#[server(prefix = "/api", endpoint = "reject_delivery")]
pub async fn reject_delivery(claim_id: i64, reason: String) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{claims, Db};
    use crate::domain::{text_field, UtcMillis};
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let claim = delivery_to_decide(&db, &volunteer, claim_id).await?;
    // The reason goes to the donor, a stranger to the family: no phone or ID number in it.
    let reason = text_field("reason", "未确认的原因", &reason, 4, 200)?;
    crate::domain::refuse_contact_details("reason", "未确认的原因", &reason)?;
    claims::reject_delivery(&db, &claim, volunteer.id, &reason, UtcMillis::now()).await?;
    super::after_form_post(&format!("/review?rejected={claim_id}"));
    Ok(())
}
