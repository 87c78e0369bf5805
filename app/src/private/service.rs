//! Bookings of households onto service offers: what the town's staff and the offer's provider
//! see. The provider sees what it needs to deliver (the family's contact, village and address)
//! and never the ID number; these types have no field for it.

use crate::domain::{NeedId, OfferId, PublicOffer, Slot, UtcMillis};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// Where a booking stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Booked,
    Attended,
    Absent,
    Cancelled,
}

impl BookingStatus {
    pub fn code(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Attended => "attended",
            BookingStatus::Absent => "absent",
            BookingStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(code: &str) -> Result<BookingStatus, AppError> {
        match code {
            "booked" => Ok(BookingStatus::Booked),
            "attended" => Ok(BookingStatus::Attended),
            "absent" => Ok(BookingStatus::Absent),
            "cancelled" => Ok(BookingStatus::Cancelled),
            _ => Err(AppError::invalid(
                "outcome",
                td_string!(crate::lang::locale(), offers.errors.choose_outcome),
            )),
        }
    }

    /// What may be recorded of a booking: everything but `booked` itself.
    pub fn parse_outcome(code: &str) -> Result<BookingStatus, AppError> {
        match BookingStatus::parse(code)? {
            BookingStatus::Booked => Err(AppError::invalid(
                "outcome",
                td_string!(crate::lang::locale(), offers.errors.choose_outcome),
            )),
            outcome => Ok(outcome),
        }
    }

    pub fn label(self) -> &'static str {
        let locale = crate::lang::locale();
        match self {
            BookingStatus::Booked => td_string!(locale, offers.booking_status.booked),
            BookingStatus::Attended => td_string!(locale, offers.booking_status.attended),
            BookingStatus::Absent => td_string!(locale, offers.booking_status.absent),
            BookingStatus::Cancelled => td_string!(locale, offers.booking_status.cancelled),
        }
    }
}

/// One booking as the offer's provider and the town's staff see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: i64,
    pub offer_id: OfferId,
    pub offer_title: String,
    pub slot: Slot,
    pub town: String,
    pub village: String,
    /// The family's contact: the head of household's name, phone and address, for delivering
    /// the service. Never the ID number.
    pub head_name: String,
    pub phone: String,
    pub address: String,
    pub note: String,
    pub need_id: Option<NeedId>,
    pub status: BookingStatus,
    pub booked_at: UtcMillis,
    pub booked_by: String,
}

/// An offer awaiting a volunteer's review, with who offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferForReview {
    pub offer: PublicOffer,
    pub provider_id: i64,
}

/// A provider's own offer, whatever its status, with the reason it was sent back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnOffer {
    pub offer: PublicOffer,
    pub review_note: String,
    pub bookings: Vec<Booking>,
}

/// A household a volunteer may book (of their towns that the offer serves): name and village
/// to choose by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookableHousehold {
    pub id: i64,
    pub label: String,
}

/// What a volunteer sees on an offer's page: the households they may book, and the bookings
/// of households of their towns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub households: Vec<BookableHousehold>,
    pub bookings: Vec<Booking>,
}
