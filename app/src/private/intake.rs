//! Intake forms: a need as its author enters and sees it.

use super::*;
use crate::domain::{
    has_control_characters, Ask, Fen, NeedId, NewNeed, PublicNeed, Urgency, Window,
};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// A need as its author sees it in their intake list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthoredNeed {
    pub need: PublicNeed,
    pub household_id: HouseholdId,
    pub household_head: String,
    pub private_notes: String,
    /// Why a reviewer sent it back, if one did.
    pub returned_reason: Option<String>,
}

/// The fields of a need's intake form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedForm {
    /// Empty for a new need; the need's id when editing.
    #[serde(default)]
    pub need_id: String,
    /// Ignored when editing (a need keeps its household).
    #[serde(default)]
    pub household_id: String,
    pub window: String,
    pub title: String,
    pub story: String,
    pub ask_kind: String,
    /// Yuan, as typed (only for money).
    #[serde(default)]
    pub amount: String,
    pub urgency: String,
    #[serde(default)]
    pub private_notes: String,
}

/// A need's intake form, parsed: everything but the place, which comes from its household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NeedEntry {
    /// The need being edited, or `None` for a new one.
    pub editing: Option<NeedId>,
    /// The household of a new need (an edited need keeps its own).
    pub household: Option<HouseholdId>,
    pub window: Window,
    pub title: String,
    pub story: String,
    pub ask: Ask,
    pub urgency: Urgency,
    pub private_notes: String,
}

fn form_id(field: &str, text: &str, missing: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::invalid(field, missing))
}

impl NeedEntry {
    /// Checks every field that does not depend on the household.
    pub fn parse(form: &NeedForm) -> Result<NeedEntry, AppError> {
        let locale = crate::lang::locale();
        let editing = match form.need_id.trim() {
            "" => None,
            id => Some(NeedId(form_id(
                "need_id",
                id,
                td_string!(locale, intake.errors.need_id),
            )?)),
        };
        let household = match editing {
            Some(_) => None,
            None => Some(HouseholdId(form_id(
                "household_id",
                &form.household_id,
                td_string!(locale, intake.errors.household),
            )?)),
        };
        let window = Window::parse(&form.window)
            .map_err(|_| AppError::invalid("window", td_string!(locale, intake.errors.window)))?;
        let urgency = form
            .urgency
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|rank| Urgency::from_rank(rank).ok())
            .ok_or_else(|| {
                AppError::invalid("urgency", td_string!(locale, intake.errors.urgency))
            })?;
        let ask = parse_ask(&form.ask_kind, &form.amount)?;
        let private_notes = form.private_notes.trim();
        if private_notes.chars().count() > 1000 {
            return Err(AppError::invalid(
                "private_notes",
                td_string!(locale, intake.errors.notes_too_long),
            ));
        }
        if has_control_characters(private_notes) {
            return Err(AppError::invalid(
                "private_notes",
                td_string!(locale, intake.errors.notes_control),
            ));
        }
        // The public text is checked with the place, in `for_household`, and here already
        // so a bad title is named before anything is looked up.
        NewNeed::parse(
            window,
            &form.title,
            &form.story,
            "城镇", // i18n-allow: a stand-in place, only checked, never shown
            "村庄", // i18n-allow: a stand-in place, only checked, never shown
            ask,
            urgency,
        )?;
        Ok(NeedEntry {
            editing,
            household,
            window,
            title: form.title.clone(),
            story: form.story.clone(),
            ask,
            urgency,
            private_notes: private_notes.to_owned(),
        })
    }

    /// The need as it will be stored, placed in its household's town (and village, where the
    /// city shows villages), its public text checked for the household's name, phone and
    /// address.
    pub fn for_household(
        &self,
        household: &HouseholdView,
        show_village: bool,
    ) -> Result<NewNeed, AppError> {
        let village = if show_village {
            household.village.as_str()
        } else {
            ""
        };
        let need = NewNeed::parse(
            self.window,
            &self.title,
            &self.story,
            &household.town,
            village,
            self.ask,
            self.urgency,
        )?;
        let locale = crate::lang::locale();
        household.refuse_in_public_text(
            "title",
            td_string!(locale, intake.public_text.title),
            &need.title,
        )?;
        household.refuse_in_public_text(
            "story",
            td_string!(locale, intake.public_text.story),
            &need.story,
        )?;
        Ok(need)
    }
}

/// The parsed money and ask of a need form.
pub fn parse_ask(kind: &str, amount_yuan: &str) -> Result<Ask, AppError> {
    match kind {
        "money" => Ok(Ask::Money {
            amount: Fen::parse_yuan(amount_yuan)?,
        }),
        "goods" => Ok(Ask::Goods),
        "service" => Ok(Ask::Service),
        _ => Err(AppError::invalid(
            "ask_kind",
            td_string!(crate::lang::locale(), intake.errors.ask_kind),
        )),
    }
}
