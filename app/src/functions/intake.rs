//! Intake: volunteers enter needs, edit them, and send them to review.

use crate::domain::NeedId;
use crate::error::AppError;
use crate::private::{AuthoredNeed, NeedForm};
use leptos::prelude::*;

/// The need, if `author` entered it and may still change it
/// ([`crate::access::Action::ChangeOwnNeed`]).
#[cfg(feature = "ssr")]
async fn own_need(
    db: &crate::db::Db,
    author: &crate::people::Viewer,
    id: NeedId,
) -> Result<crate::db::intake::Stored, AppError> {
    use crate::access::{check, Action};
    let stored = crate::db::intake::stored(db, id)
        .await?
        .ok_or(AppError::NeedNotFound)?;
    check(
        author,
        Action::ChangeOwnNeed {
            author: stored.author,
        },
    )?;
    Ok(stored)
}

/// Saves a new need as a draft, or the caller's edit of their own need. Editing a published
/// need's public fields takes it off every board, live, and back to review.
#[server(prefix = "/api", endpoint = "save_need")]
pub async fn save_need(form: NeedForm) -> Result<NeedId, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{households, intake, Db};
    use crate::domain::UtcMillis;
    use crate::private::NeedEntry;
    let author = signed_in().await?;
    check(&author, Action::Intake)?;
    let entry = NeedEntry::parse(&form)?;
    let db: Db = from_context()?;
    let (household_id, editing) = match entry.editing {
        None => (entry.household, None),
        Some(id) => {
            let stored = own_need(&db, &author, id).await?;
            (
                Some(stored.household.ok_or(AppError::Forbidden)?),
                Some(stored),
            )
        }
    };
    let unknown = || {
        AppError::invalid(
            "household_id",
            leptos_i18n::td_string!(crate::lang::locale(), intake.errors.household),
        )
    };
    let household_id = household_id.ok_or_else(unknown)?;
    let (household, _) = households::find(&db, household_id)
        .await?
        .ok_or_else(unknown)?;
    check(
        &author,
        Action::EnterFor {
            town: &household.town,
        },
    )?;
    let settings: crate::settings::Settings = from_context()?;
    let need = entry.for_household(&household, settings.show_village)?;
    // Nothing new in a window the city has switched off.
    settings.city.check_window(need.window)?;
    let now = UtcMillis::now();
    let id = match editing {
        None => {
            intake::create(
                &db,
                author.id,
                household_id,
                &need,
                &entry.private_notes,
                now,
            )
            .await?
        }
        Some(stored) => intake::edit(&db, stored, &need, &entry.private_notes, now).await?,
    };
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
    let stored = own_need(&db, &author, NeedId(need_id)).await?;
    intake::submit(&db, stored.need.id, UtcMillis::now()).await?;
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
    intake::authored(&db, author.id).await
}
