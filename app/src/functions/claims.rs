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
    Ok(receipt)
}
