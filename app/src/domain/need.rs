//! Needs as the public sees them, and the board.

use super::*;
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NeedId(pub i64);

impl fmt::Display for NeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A need as anyone may see it: no names, no addresses, no contact details; the place is the
/// town, and the village only where the city's configuration shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNeed {
    pub id: NeedId,
    pub window: Window,
    pub title: String,
    pub story: String,
    pub town: String,
    /// Empty unless the city shows villages (`[public] locality` in the city's file).
    #[serde(default)]
    pub village: String,
    pub ask: Ask,
    pub urgency: Urgency,
    pub status: NeedStatus,
    /// When it reached the board (for a need still in review: when it was entered).
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    /// How much of a money need is pledged (0 for other needs).
    #[serde(default)]
    pub pledged_fen: i64,
}

impl PublicNeed {
    /// Where the need is, as a card shows it: `云阳街道`, or `云阳街道 · 东门社区`.
    pub fn place(&self) -> String {
        if self.village.is_empty() {
            self.town.clone()
        } else {
            format!("{} · {}", self.town, self.village)
        }
    }

    /// What a money need still needs; `None` for goods and services.
    pub fn remaining(&self) -> Option<i64> {
        self.ask
            .amount()
            .map(|amount| (amount.get() - self.pledged_fen).max(0))
    }

    /// The board's order: most urgent first, then newest, then highest id.
    pub fn board_order(a: &PublicNeed, b: &PublicNeed) -> std::cmp::Ordering {
        b.urgency
            .cmp(&a.urgency)
            .then(b.created_at.cmp(&a.created_at))
            .then(b.id.cmp(&a.id))
    }
}

/// A need's public fields, validated: what a volunteer enters and the board shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNeed {
    pub window: Window,
    pub title: String,
    pub story: String,
    pub town: String,
    pub village: String,
    pub ask: Ask,
    pub urgency: Urgency,
}

impl NewNeed {
    pub fn parse(
        window: Window,
        title: &str,
        story: &str,
        town: &str,
        village: &str,
        ask: Ask,
        urgency: Urgency,
    ) -> Result<NewNeed, AppError> {
        let locale = crate::lang::locale();
        let title_label = td_string!(locale, domain.field.title);
        let title = text_field("title", title_label, title, 4, 40)?;
        refuse_contact_details("title", title_label, &title)?;
        let story_label = td_string!(locale, domain.field.story);
        let story = text_field("story", story_label, story, 10, 1000)?;
        refuse_contact_details("story", story_label, &story)?;
        Ok(NewNeed {
            window,
            title,
            story,
            town: text_field("town", td_string!(locale, domain.field.town), town, 2, 20)?,
            // Empty where the city does not show villages on public cards.
            village: if village.trim().is_empty() {
                String::new()
            } else {
                text_field(
                    "village",
                    td_string!(locale, domain.field.village),
                    village,
                    2,
                    20,
                )?
            },
            ask,
            urgency,
        })
    }
}

/// Which needs a board shows, and how many pages of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BoardFilter {
    pub window: Option<Window>,
    pub town: Option<String>,
    /// Pages of [`BoardFilter::PAGE_SIZE`] needs shown (1 when absent).
    #[serde(default)]
    pub pages: u32,
}

impl BoardFilter {
    /// Needs a phone shows at first; each "more" adds as many.
    pub const PAGE_SIZE: i64 = 30;
    pub const MAX_PAGES: u32 = 30;

    /// The filter a board address asks for (`?window=…&town=…&pages=…`): an unknown window, an
    /// empty town or one that [cannot be a town](BoardFilter::could_be_a_town) means all, a
    /// missing or unreadable page count means one page.
    pub fn from_query(window: Option<&str>, town: Option<&str>, pages: Option<&str>) -> Self {
        BoardFilter {
            window: window.and_then(|code| Window::parse(code).ok()),
            town: town
                .filter(|town| !town.trim().is_empty() && Self::could_be_a_town(town))
                .map(str::to_owned),
            pages: pages.and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    }

    /// The filter a client sent, refused when its town cannot be one.
    pub fn check(self) -> Result<BoardFilter, AppError> {
        match &self.town {
            Some(town) if !Self::could_be_a_town(town) => Err(AppError::invalid(
                "town",
                td_string!(crate::lang::locale(), errors.need.no_such_town),
            )),
            _ => Ok(self),
        }
    }

    /// No town has a control character in its name (and PostgreSQL refuses NUL in text).
    fn could_be_a_town(town: &str) -> bool {
        !town.chars().any(char::is_control)
    }

    pub fn admits(&self, need: &PublicNeed) -> bool {
        self.admits_place(need.window, &need.town)
    }

    pub fn admits_place(&self, window: Window, town: &str) -> bool {
        self.window.is_none_or(|w| w == window) && self.town.as_deref().is_none_or(|t| t == town)
    }

    pub fn pages(&self) -> u32 {
        self.pages.clamp(1, Self::MAX_PAGES)
    }

    /// How many needs the board lists.
    pub fn limit(&self) -> i64 {
        Self::PAGE_SIZE * i64::from(self.pages())
    }
}

/// The open board as of one point in the event log: the client streams events after `as_of`.
/// `needs` is the first [`BoardFilter::limit`] of `total` open needs that match the filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub needs: Vec<PublicNeed>,
    pub total: i64,
    pub towns: Vec<String>,
    pub as_of: EventId,
}
