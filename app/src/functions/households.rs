//! Private households: registered and read by the volunteers of their town (and its reviewers
//! and admins, through the review queue).

use crate::error::AppError;
use crate::private::{HouseholdForm, HouseholdId, HouseholdView};
use leptos::prelude::*;

/// Registers a household in the caller's town. Volunteers of that town only.
#[server(prefix = "/api", endpoint = "register_household")]
pub async fn register_household(form: HouseholdForm) -> Result<HouseholdId, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{households, Db};
    use crate::domain::UtcMillis;
    use crate::private::NewHousehold;
    use crate::settings::Settings;
    let volunteer = signed_in().await?;
    check(&volunteer, Action::Intake)?;
    let mut form = form;
    if form.village.trim().is_empty() {
        form.village = std::mem::take(&mut form.village_typed);
    }
    let household = NewHousehold::parse(&form)?;
    let settings: Settings = from_context()?;
    settings.check_town("town", &household.town)?;
    settings.check_village(&household.town, &household.village)?;
    check(
        &volunteer,
        Action::EnterFor {
            town: &household.town,
        },
    )?;
    let db: Db = from_context()?;
    let id = households::register(
        &db,
        &settings.id_key,
        &household,
        volunteer.id,
        UtcMillis::now(),
    )
    .await?;
    after_form_post("/intake?registered=1");
    Ok(id)
}

/// The households the caller may enter needs for.
#[server(prefix = "/api", endpoint = "list_households")]
pub async fn list_households() -> Result<Vec<HouseholdView>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::towns_for;
    use crate::db::{households, Db};
    use crate::people::Role;
    let volunteer = signed_in().await?;
    let db: Db = from_context()?;
    let households = match towns_for(&volunteer, Role::Volunteer) {
        Some(towns) if towns.is_empty() => Vec::new(),
        towns => households::in_towns(&db, towns.as_deref()).await?,
    };
    // Every household file this list shows is an opening, logged for the desk.
    let opened: Vec<_> = households.iter().map(|h| (h.id, None)).collect();
    let now = crate::domain::UtcMillis::now();
    let page = "录入页"; // i18n-allow: the page's name as the file-access log stores it
    crate::db::file_access::log(&db, volunteer.id, &opened, page, now).await?;
    Ok(households)
}

/// The towns of the city, for the pickers. Public.
#[server(prefix = "/api", endpoint = "list_towns")]
pub async fn list_towns() -> Result<Vec<String>, AppError> {
    let settings: crate::settings::Settings = super::from_context()?;
    Ok(settings.towns)
}
