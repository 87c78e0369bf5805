use crate::domain::ClaimReceipt;
use crate::error::AppError;
use leptos::prelude::*;

/// A signed-in donor claims a need. Exactly one claim wins; the rest get `AlreadyClaimed`. The
/// donor's name and phone go to the coordinating volunteer only, never onto a public page or
/// event.
#[server(prefix = "/api", endpoint = "claim_need")]
pub async fn claim_need(need_id: i64) -> Result<ClaimReceipt, AppError> {
    use super::{from_context, is_plain_form_post, signed_in};
    use crate::db::claims::{self, Donor};
    use crate::db::{accounts, Db};
    use crate::domain::{NeedId, UtcMillis};
    use crate::live::LiveHub;
    use crate::people::Role;
    use crate::settings::Settings;
    let viewer = signed_in().await?;
    if !viewer.has(Role::Donor) {
        return Err(AppError::Forbidden);
    }
    if need_id <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let donor = Donor {
        contact: accounts::phone_of(&db, viewer.id).await?,
        id: viewer.id,
        name: viewer.name,
    };
    let receipt = claims::claim(
        &db,
        NeedId(need_id),
        &donor,
        settings.aid_period_months,
        UtcMillis::now(),
    )
    .await?;
    from_context::<LiveHub>()?.wake();
    if is_plain_form_post() {
        // Without JavaScript the browser follows a redirect; the board it lands on says the
        // claim went through (the hydrated page shows the receipt instead).
        leptos_axum::redirect(&format!("/?claimed={}", receipt.need_id));
    }
    Ok(receipt)
}
