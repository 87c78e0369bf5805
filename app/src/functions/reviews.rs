//! The two approvals and the queues reviewers work from.

use crate::domain::NeedStatus;
use crate::error::AppError;
use crate::private::{ReviewQueue, ReviewStage};
use leptos::prelude::*;

/// What the caller has to decide, with each household's aid history.
#[server(prefix = "/api", endpoint = "load_review_queue")]
pub async fn load_review_queue() -> Result<ReviewQueue, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{reviews, Db};
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    reviews::queue(&db, &reviewer, settings.aid_period_months, UtcMillis::now()).await
}

/// Approves one stage of a need: `council` by a council reviewer of its town, then `volunteer`
/// by a volunteer who neither entered it nor approved the first stage. Over a duplicate-aid
/// warning, `acknowledgement` must give the reason, and it is recorded.
#[server(prefix = "/api", endpoint = "approve_need")]
pub async fn approve_need(
    need_id: i64,
    stage: ReviewStage,
    #[server(default)] acknowledgement: String,
) -> Result<NeedStatus, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{reviews, Db};
    use crate::domain::UtcMillis;
    use crate::live::LiveHub;
    use crate::settings::Settings;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let status = reviews::approve(
        &db,
        &reviewer,
        crate::domain::NeedId(need_id),
        stage,
        &acknowledgement,
        &settings,
        UtcMillis::now(),
    )
    .await?;
    from_context::<LiveHub>()?.wake();
    super::after_form_post(&format!("/review?approved={need_id}"));
    Ok(status)
}

/// Sends a need back to its author with a reason, at the stage the caller reviews.
#[server(prefix = "/api", endpoint = "return_need")]
pub async fn return_need(need_id: i64, stage: ReviewStage, reason: String) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{reviews, Db};
    use crate::domain::UtcMillis;
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    reviews::send_back(
        &db,
        &reviewer,
        crate::domain::NeedId(need_id),
        stage,
        &reason,
        UtcMillis::now(),
    )
    .await?;
    super::after_form_post(&format!("/review?returned={need_id}"));
    Ok(())
}
