//! Intake: volunteers enter needs, edit them, and send them to review.

use crate::domain::NeedId;
use crate::error::AppError;
use crate::private::{AuthoredNeed, NeedForm};
use leptos::prelude::*;

/// Saves a new need as a draft, or the caller's edit of their own need. Editing a published
/// need's public fields takes it off every board, live, and back to review.
#[server(prefix = "/api", endpoint = "save_need")]
pub async fn save_need(form: NeedForm) -> Result<NeedId, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{intake, Db};
    use crate::domain::UtcMillis;
    use crate::live::LiveHub;
    let author = signed_in().await?;
    let db: Db = from_context()?;
    let id = intake::save(&db, &author, &form, UtcMillis::now()).await?;
    from_context::<LiveHub>()?.wake();
    super::after_form_post(&format!("/intake?saved={id}"));
    Ok(id)
}

/// Sends the caller's draft to council review.
#[server(prefix = "/api", endpoint = "submit_need")]
pub async fn submit_need(need_id: i64) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{intake, Db};
    use crate::domain::UtcMillis;
    let author = signed_in().await?;
    let db: Db = from_context()?;
    intake::submit(&db, &author, NeedId(need_id), UtcMillis::now()).await?;
    super::after_form_post(&format!("/intake?submitted={need_id}"));
    Ok(())
}

/// The needs the caller entered.
#[server(prefix = "/api", endpoint = "my_needs")]
pub async fn my_needs() -> Result<Vec<AuthoredNeed>, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{intake, Db};
    let author = signed_in().await?;
    let db: Db = from_context()?;
    intake::authored(&db, &author).await
}
