//! A person's notices: their inbox, reading it, what comes as a message, and asking to hear
//! when a claimed need comes back. Every function is the signed-in person's own: nobody reads
//! or changes another's notices.

use crate::domain::{Inbox, NoticePrefs};
use crate::error::AppError;
use leptos::prelude::*;

/// The signed-in person's newest notices and unread count.
#[server(prefix = "/api", endpoint = "get_inbox")]
pub async fn get_inbox() -> Result<Inbox, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{notices, Db};
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    notices::inbox(&db, viewer.id).await
}

/// Marks one of the person's notices read (`notice_id`), or (without it) all of them.
#[server(prefix = "/api", endpoint = "mark_notices_read")]
pub async fn mark_notices_read(#[server(default)] notice_id: Option<i64>) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::db::{notices, Db};
    use crate::domain::UtcMillis;
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    notices::mark_read(&db, viewer.id, notice_id, UtcMillis::now()).await?;
    // Only "all" says so on the page; one notice read just shows the inbox again.
    after_form_post(if notice_id.is_some() {
        "/my/notices"
    } else {
        "/my/notices?read=1"
    });
    Ok(())
}

/// What the person chose: which kinds also come as messages, quiet hours, email address.
#[server(prefix = "/api", endpoint = "get_notice_prefs")]
pub async fn get_notice_prefs() -> Result<NoticePrefs, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{notices, Db};
    use crate::settings::Settings;
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    notices::prefs(&db, viewer.id, settings.notice_sender).await
}

/// What the settings form posts (as `choices[quiet_from]`, ...). Each `m_<kind>` present (a
/// ticked box) means "inbox and message" for that kind; absent, inbox only. Quiet hours are
/// `HH:MM`, Shanghai time.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NoticeChoices {
    pub quiet_from: String,
    pub quiet_to: String,
    pub email: String,
    pub m_claim_made: String,
    pub m_claim_expiring: String,
    pub m_claim_expired: String,
    pub m_delivery_confirmed: String,
    pub m_delivery_rejected: String,
    pub m_review_waiting: String,
    pub m_need_returned: String,
    pub m_need_published: String,
    pub m_need_back: String,
    pub m_report_received: String,
    pub m_need_withdrawn: String,
    pub m_offer_decided: String,
    pub m_service_booked: String,
    pub m_need_for_you: String,
    pub m_hours_decided: String,
}

/// Saves the person's choices (see [`NoticeChoices`]).
#[server(prefix = "/api", endpoint = "save_notice_prefs")]
pub async fn save_notice_prefs(choices: NoticeChoices) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::db::{notices, Db};
    use crate::domain::{parse_email, NoticeKind, QuietHours};
    let viewer = signed_in().await?;
    let quiet = QuietHours::parse(&choices.quiet_from, &choices.quiet_to)?;
    let email = parse_email(&choices.email)?;
    let ticked = [
        (NoticeKind::ClaimMade, &choices.m_claim_made),
        (NoticeKind::ClaimExpiring, &choices.m_claim_expiring),
        (NoticeKind::ClaimExpired, &choices.m_claim_expired),
        (NoticeKind::DeliveryConfirmed, &choices.m_delivery_confirmed),
        (NoticeKind::DeliveryRejected, &choices.m_delivery_rejected),
        (NoticeKind::ReviewWaiting, &choices.m_review_waiting),
        (NoticeKind::NeedReturned, &choices.m_need_returned),
        (NoticeKind::NeedPublished, &choices.m_need_published),
        (NoticeKind::NeedBack, &choices.m_need_back),
        (NoticeKind::ReportReceived, &choices.m_report_received),
        (NoticeKind::NeedWithdrawn, &choices.m_need_withdrawn),
        (NoticeKind::OfferDecided, &choices.m_offer_decided),
        (NoticeKind::ServiceBooked, &choices.m_service_booked),
        (NoticeKind::NeedForYou, &choices.m_need_for_you),
        (NoticeKind::HoursDecided, &choices.m_hours_decided),
    ];
    let by_message: Vec<NoticeKind> = ticked
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(kind, _)| kind)
        .collect();
    let db: Db = from_context()?;
    notices::save_prefs(&db, viewer.id, &by_message, quiet, email.as_deref()).await?;
    after_form_post("/my/notices?saved=1#settings");
    Ok(())
}

/// Asks to hear when a claimed need comes back to the board (`watch` non-empty), or stops
/// asking. Donors only; the need must be claimed now.
#[server(prefix = "/api", endpoint = "watch_need")]
pub async fn watch_need(need_id: i64, #[server(default)] watch: String) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{notices, Db};
    use crate::domain::{NeedId, UtcMillis};
    let viewer = signed_in().await?;
    check(&viewer, Action::Claim)?;
    if need_id <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let db: Db = from_context()?;
    let on = !watch.is_empty();
    notices::watch(&db, viewer.id, NeedId(need_id), on, UtcMillis::now()).await?;
    after_form_post(&format!(
        "/needs/{need_id}?{}=1",
        if on { "watching" } else { "unwatched" }
    ));
    Ok(())
}

/// Whether the signed-in person asked to hear when `need_id` comes back (false for nobody).
#[server(prefix = "/api", endpoint = "get_watching")]
pub async fn get_watching(need_id: i64) -> Result<bool, AppError> {
    use super::{from_context, viewer};
    use crate::db::{notices, Db};
    use crate::domain::NeedId;
    let Some(viewer) = viewer().await? else {
        return Ok(false);
    };
    let db: Db = from_context()?;
    notices::watching(&db, viewer.id, NeedId(need_id)).await
}

/// Messages that could not be sent after every try. Admins only.
#[server(prefix = "/api", endpoint = "list_dead_letters")]
pub async fn list_dead_letters() -> Result<crate::domain::DeadLetters, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{notices, Db};
    let viewer = signed_in().await?;
    check(&viewer, Action::Administer)?;
    let db: Db = from_context()?;
    notices::dead_letters(&db).await
}

/// Sends every dead letter again (after the gateway was fixed). Admins only.
#[server(prefix = "/api", endpoint = "retry_dead_letters")]
pub async fn retry_dead_letters() -> Result<u64, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{notices, Db};
    use crate::domain::UtcMillis;
    let viewer = signed_in().await?;
    check(&viewer, Action::Administer)?;
    let db: Db = from_context()?;
    let retried = notices::retry_dead(&db, UtcMillis::now()).await?;
    after_form_post(&format!("/admin?retried={retried}#dead-letters"));
    Ok(retried)
}
