use crate::domain::ClaimReceipt;
use crate::error::AppError;
use leptos::prelude::*;

/// A donor claims a need. Exactly one claim wins; the rest get `AlreadyClaimed`. The donor's
/// contact goes to the coordinating volunteer only and never onto a public page or event.
#[server(prefix = "/api", endpoint = "claim_need")]
pub async fn claim_need(
    need_id: i64,
    donor_name: String,
    donor_contact: String,
) -> Result<ClaimReceipt, AppError> {
    use super::from_context;
    use crate::db::{claims, Db};
    use crate::domain::{NewClaim, UtcMillis};
    use crate::live::LiveHub;
    let claim = NewClaim::parse(need_id, &donor_name, &donor_contact)?;
    let db: Db = from_context()?;
    let hub: LiveHub = from_context()?;
    let receipt = claims::claim(&db, &claim, UtcMillis::now()).await?;
    hub.wake();
    if is_plain_form_post() {
        // Without JavaScript the browser follows a redirect; the board it lands on says the
        // claim went through (the hydrated page shows the receipt instead).
        leptos_axum::redirect(&format!("/?claimed={}", receipt.need_id));
    }
    Ok(receipt)
}

/// A form posted by a browser without JavaScript asks for HTML back; the hydrated client's
/// calls do not.
#[cfg(feature = "ssr")]
fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    })
}
