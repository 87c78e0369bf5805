//! A need's public page: the need and what happened to it, with no names but masked donors'.

use super::*;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// What the public page of one need shows, as of one point in the event log (the page streams
/// changes after `as_of` while the need is open).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedPage {
    pub need: PublicNeed,
    pub timeline: Vec<Moment>,
    pub as_of: EventId,
}

/// One step in a need's public timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moment {
    pub at: UtcMillis,
    pub what: Happened,
}

/// What happened, as the public may know it: reviews by role (never the reviewer's name),
/// donors as `张*` or 匿名爱心人士 (never a phone), the family's words only if they said so.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Happened {
    CouncilApproved,
    VolunteerApproved,
    Published,
    Claimed {
        donor: String,
        amount: Option<Fen>,
    },
    Delivered {
        donor: String,
    },
    /// `by_family`: the family confirmed with their code; else the volunteer confirmed.
    Confirmed {
        donor: String,
        by_family: bool,
    },
    Thanked {
        message: String,
    },
    Fulfilled,
}

impl Happened {
    /// The line the timeline shows.
    pub fn text(&self) -> String {
        let locale = crate::lang::locale();
        match self {
            Happened::CouncilApproved => td_string!(locale, desk.timeline.council_approved).into(),
            Happened::VolunteerApproved => {
                td_string!(locale, desk.timeline.volunteer_approved).into()
            }
            Happened::Published => td_string!(locale, desk.timeline.published).into(),
            Happened::Claimed {
                donor,
                amount: Some(amount),
            } => td_string!(
                locale,
                desk.timeline.pledged,
                donor = donor,
                amount = amount
            )
            .to_string(),
            Happened::Claimed {
                donor,
                amount: None,
            } => td_string!(locale, desk.timeline.claimed, donor = donor).to_string(),
            Happened::Delivered { donor } => {
                td_string!(locale, desk.timeline.delivered, donor = donor).to_string()
            }
            Happened::Confirmed {
                donor,
                by_family: true,
            } => td_string!(locale, desk.timeline.confirmed_by_family, donor = donor).to_string(),
            Happened::Confirmed {
                donor,
                by_family: false,
            } => {
                td_string!(locale, desk.timeline.confirmed_by_volunteer, donor = donor).to_string()
            }
            Happened::Thanked { message } => {
                td_string!(locale, desk.timeline.thanked, message = message).to_string()
            }
            Happened::Fulfilled => td_string!(locale, desk.timeline.fulfilled).into(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Happened::CouncilApproved => "council_approved",
            Happened::VolunteerApproved => "volunteer_approved",
            Happened::Published => "published",
            Happened::Claimed { .. } => "claimed",
            Happened::Delivered { .. } => "delivered",
            Happened::Confirmed { .. } => "confirmed",
            Happened::Thanked { .. } => "thanked",
            Happened::Fulfilled => "fulfilled",
        }
    }
}

/// A donor as a need's page names them: the first character and a star if they chose to show
/// their name (`张*`), else 匿名爱心人士.
pub fn donor_on_page(name: &str, shown: bool) -> String {
    match name.trim().chars().next() {
        Some(first) if shown => format!("{first}*"),
        _ => td_string!(crate::lang::locale(), desk.timeline.anonymous_donor).to_owned(),
    }
}
