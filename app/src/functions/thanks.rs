//! The family's side: confirming help with a one-time code, without an account.

use crate::domain::ThanksReceipt;
use crate::error::AppError;
use leptos::prelude::*;

/// A family confirms that they received the help, with the code their volunteer gave them,
/// and may leave a message for the donor (shown on the need's page only if `public`). Anyone
/// may call it: the code is the proof. Wrong codes are counted per code (five lock it for an
/// hour) and per address (twenty in ten minutes).
#[server(prefix = "/api", endpoint = "confirm_received")]
pub async fn confirm_received(
    code: String,
    #[server(default)] received: String,
    #[server(default)] message: String,
    #[server(default)] public: String,
) -> Result<ThanksReceipt, AppError> {
    use super::{client_addr, from_context};
    use crate::db::{thanks, Db};
    use crate::domain::{FamilyCode, ThanksMessage, UtcMillis};
    use crate::settings::Settings;
    use crate::throttle::SignInThrottle;
    // What was typed is checked before any code is tried: a bad message costs no try.
    if received.is_empty() {
        return Err(AppError::invalid(
            "received",
            leptos_i18n::td_string!(crate::lang::locale(), thanks.errors.received),
        ));
    }
    let message = ThanksMessage::parse(&message)?;
    let public = !public.is_empty();
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let throttle: SignInThrottle = from_context()?;
    let now = UtcMillis::now();
    let attempt = throttle
        .begin_code_try(client_addr(), now)
        .await?
        .ok_or(AppError::CodeLocked)?;
    let code = match FamilyCode::parse(&code) {
        Ok(code) => code,
        Err(error) => {
            attempt.wrong();
            return Err(error);
        }
    };
    match thanks::redeem(
        &db,
        &settings.id_key,
        &code,
        &message,
        public,
        &settings.points,
        now,
    )
    .await
    {
        Ok(receipt) => {
            attempt.not_wrong().await?;
            let said = if message.is_empty() { "" } else { "&said=1" };
            super::after_form_post(&format!("/thanks?done={}{said}", receipt.need_id));
            Ok(receipt)
        }
        Err(AppError::WrongCode) => {
            attempt.wrong();
            Err(AppError::WrongCode)
        }
        Err(error) => {
            attempt.not_wrong().await?;
            Err(error)
        }
    }
}
