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
    /// `page` when claimed on the need's own page (a plain form post returns there).
    #[server(default)]
    from: String,
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
    if from == "page" {
        after_form_post(&format!("/needs/{}?claimed=1", receipt.need_id));
    } else {
        after_form_post(&format!("/?claimed={}", receipt.need_id));
    }
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

/// A volunteer of the need's town who has checked a delivery gives the family a one-time code
/// (printed on the delivery slip or read out): the family confirms with it on `/thanks`, and
/// the claim is confirmed then. Issuing again replaces a code not yet used. The code is shown
/// once, on the slip page this leads to.
#[server(prefix = "/api", endpoint = "issue_family_code")]
pub async fn issue_family_code(claim_id: i64) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{thanks, Db};
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let claim = delivery_to_decide(&db, &volunteer, claim_id).await?;
    thanks::issue(
        &db,
        &settings.id_key,
        &claim,
        volunteer.id,
        UtcMillis::now(),
    )
    .await?;
    super::after_form_post(&format!("/review/slips/{claim_id}"));
    Ok(())
}

/// The delivery slip of a claim, for the volunteer who issued its family code: the code the
/// first time it is shown, never again (issue a new one if the slip is lost).
#[server(prefix = "/api", endpoint = "show_family_slip")]
pub async fn show_family_slip(claim_id: i64) -> Result<crate::domain::FamilySlip, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{thanks, Db};
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    // Only a volunteer of the town may see it (the issuer is one, unless their grant went).
    delivery_to_decide(&db, &volunteer, claim_id).await?;
    thanks::take_slip(&db, claim_id, volunteer.id).await
}

/// A volunteer of the need's town confirms a delivery without the family's code, writing why
/// the family cannot confirm it themselves (no phone, cannot read, moved away…); an unused
/// code stops working. The need is fulfilled (taken down for good) once every claim of it is
/// confirmed. Returns whether it was.
#[server(prefix = "/api", endpoint = "confirm_delivery")]
pub async fn confirm_delivery(
    claim_id: i64,
    #[server(default)] reason: String,
) -> Result<bool, AppError> {
    use super::{from_context, signed_in};
    use crate::db::fulfilment::{self, Confirmation};
    use crate::db::Db;
    use crate::domain::{refuse_contact_details, text_field, UtcMillis};
    use crate::settings::Settings;
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let claim = delivery_to_decide(&db, &volunteer, claim_id).await?;
    let label = leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.reason_family);
    let reason = text_field("reason", label, &reason, 4, 200)?;
    refuse_contact_details("reason", label, &reason)?;
    let fulfilled = fulfilment::confirm(
        &db,
        &claim,
        volunteer.id,
        Confirmation::Volunteer { reason: &reason },
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
    let label =
        leptos_i18n::td_string!(crate::lang::locale(), need.claim_errors.reason_unconfirmed);
    let reason = text_field("reason", label, &reason, 4, 200)?;
    crate::domain::refuse_contact_details("reason", label, &reason)?;
    claims::reject_delivery(&db, &claim, volunteer.id, &reason, UtcMillis::now()).await?;
    super::after_form_post(&format!("/review?rejected={claim_id}"));
    Ok(())
}

/// The donor's 爱心认领凭证 for one of their confirmed claims (theirs alone).
#[server(prefix = "/api", endpoint = "get_claim_certificate")]
pub async fn get_claim_certificate(
    claim_id: i64,
) -> Result<crate::domain::ClaimCertificate, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{claims, fulfilment, Db};
    let donor = signed_in().await?;
    let db: Db = from_context()?;
    let claim = claims::find(&db, claim_id).await?;
    check(&donor, Action::HandleOwnClaim { donor: claim.donor })?;
    fulfilment::certificate(&db, claim_id, donor.id).await
}
