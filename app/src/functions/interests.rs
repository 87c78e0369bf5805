//! Donors' interests (帮扶意向) and the "为你推荐" view.

use crate::domain::{Fit, Interests, PublicNeed};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The interests form as it is posted (`interests[windows][medical]=medical`,
/// `interests[towns][3]=云阳街道`, `interests[min]=…`): checked by [`Interests::parse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InterestsForm {
    pub windows: BTreeMap<String, String>,
    pub towns: BTreeMap<String, String>,
    pub min: String,
    pub max: String,
    /// Present (a ticked box): tell me of new matches.
    pub notify: String,
}

/// The caller's interests and the city's towns (for the form).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestsPage {
    pub interests: Interests,
    pub towns: Vec<String>,
}

/// The open needs ranked for the caller's interests, each with its one-line reason; `named`
/// is false until they have said what they care about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForYou {
    pub needs: Vec<(PublicNeed, Fit)>,
    pub named: bool,
}

/// How many needs the "为你推荐" view shows.
pub const FOR_YOU_SHOWN: usize = 30;

#[server(prefix = "/api", endpoint = "get_interests")]
pub async fn get_interests() -> Result<InterestsPage, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{interests, Db};
    use crate::settings::Settings;
    let donor = signed_in().await?;
    check(&donor, Action::Claim)?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    Ok(InterestsPage {
        interests: interests::load(&db, donor.id).await?,
        towns: settings.towns,
    })
}

#[server(prefix = "/api", endpoint = "save_interests")]
pub async fn save_interests(#[server(default)] interests: InterestsForm) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::Db;
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let donor = signed_in().await?;
    check(&donor, Action::Claim)?;
    let settings: Settings = from_context()?;
    // More ticks than there are windows or towns is not a form of ours.
    if interests.windows.len() > crate::domain::Window::ALL.len()
        || interests.towns.len() > settings.towns.len()
    {
        return Err(AppError::invalid(
            "towns",
            leptos_i18n::td_string!(crate::lang::locale(), interests.errors.too_many),
        ));
    }
    let windows: Vec<String> = interests.windows.values().cloned().collect();
    let towns: Vec<String> = interests.towns.values().cloned().collect();
    let chosen = Interests::parse(
        &windows,
        &towns,
        &settings.towns,
        &interests.min,
        &interests.max,
        !interests.notify.is_empty(),
    )?;
    for window in &chosen.windows {
        settings.city.check_window(*window)?;
    }
    let db: Db = from_context()?;
    crate::db::interests::save(&db, donor.id, &chosen, UtcMillis::now()).await?;
    after_form_post("/my/interests?saved=1");
    Ok(())
}

#[server(prefix = "/api", endpoint = "list_for_you")]
pub async fn list_for_you() -> Result<ForYou, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{interests, Db};
    use crate::domain::UtcMillis;
    let donor = signed_in().await?;
    check(&donor, Action::Claim)?;
    let db: Db = from_context()?;
    let wants = interests::load(&db, donor.id).await?;
    let named = wants != Interests::default()
        && wants
            != Interests {
                notify: true,
                ..Interests::default()
            };
    let needs = interests::recommended(&db, &wants, UtcMillis::now(), FOR_YOU_SHOWN).await?;
    Ok(ForYou { needs, named })
}
