//! Live events: what every open board is told.

use super::*;
use serde::{Deserialize, Serialize};

/// The position of an event in the append-only event log.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// A change the open boards must apply. Carries public data only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveChange {
    /// A need appeared on the board.
    NeedPublished { need: PublicNeed },
    /// A need was claimed: it leaves every open board. Its window and town let a filtered
    /// board keep its count right even when the need was not among those it lists.
    NeedClaimed {
        need_id: NeedId,
        window: Window,
        town: String,
    },
    /// A published need was edited: it leaves every open board until it passes review again.
    NeedWithdrawn {
        need_id: NeedId,
        window: Window,
        town: String,
    },
    /// A need still on the board changed: a part of it was pledged or a pledge released.
    NeedChanged { need: PublicNeed },
    /// A need was delivered and confirmed: taken down for good (the impact board counts it).
    NeedFulfilled {
        need_id: NeedId,
        window: Window,
        town: String,
    },
    /// A service offer was approved: every open `/offers` page of its window and towns shows
    /// it (by loading the list again: the list is server HTML).
    OfferPublished {
        offer_id: OfferId,
        window: Window,
        towns: Vec<String>,
    },
    /// A slot's places changed (a booking, or one cancelled).
    SlotChanged { offer_id: OfferId, slot: SlotPlaces },
    /// An offer was closed by its provider: it leaves every `/offers` page.
    OfferClosed { offer_id: OfferId },
}

impl LiveChange {
    pub fn kind(&self) -> &'static str {
        match self {
            LiveChange::NeedPublished { .. } => "need_published",
            LiveChange::NeedClaimed { .. } => "need_claimed",
            LiveChange::NeedWithdrawn { .. } => "need_withdrawn",
            LiveChange::NeedChanged { .. } => "need_changed",
            LiveChange::NeedFulfilled { .. } => "need_fulfilled",
            LiveChange::OfferPublished { .. } => "offer_published",
            LiveChange::SlotChanged { .. } => "slot_changed",
            LiveChange::OfferClosed { .. } => "offer_closed",
        }
    }

    /// The need it is about (`None` for a service offer's change).
    pub fn need_id(&self) -> Option<NeedId> {
        match self {
            LiveChange::NeedPublished { need } | LiveChange::NeedChanged { need } => Some(need.id),
            LiveChange::NeedClaimed { need_id, .. }
            | LiveChange::NeedWithdrawn { need_id, .. }
            | LiveChange::NeedFulfilled { need_id, .. } => Some(*need_id),
            LiveChange::OfferPublished { .. }
            | LiveChange::SlotChanged { .. }
            | LiveChange::OfferClosed { .. } => None,
        }
    }
}
