//! Claims: phones, receipts, a claim's life and terms, a donor's claims.

use super::*;
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// A mainland China mobile number, normalised to its 11 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Accepts `13812345678`, `138 1234 5678`, `138-1234-5678`, `+86 138…`.
    pub fn parse(text: &str) -> Result<Phone, AppError> {
        let digits: String = text
            .trim()
            .trim_start_matches("+86")
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        let valid = digits.len() == 11
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if valid {
            Ok(Phone(digits))
        } else {
            Err(AppError::invalid(
                "phone",
                td_string!(crate::lang::locale(), errors.claim.bad_phone),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The volunteer who coordinates a need, as its donors reach them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coordinator {
    pub name: String,
    pub phone: String,
}

/// What a donor gets back from a successful claim (sent to that donor only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimReceipt {
    pub claim_id: i64,
    pub need_id: NeedId,
    pub title: String,
    /// The part of a money need pledged; `None` for a whole need.
    #[serde(default)]
    pub amount: Option<Fen>,
    #[serde(default)]
    pub coordinator: Option<Coordinator>,
}

/// Where a claim (or pledge) is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Claimed, not yet delivered; released by the donor or by expiry.
    Open,
    /// The donor says it is delivered; a volunteer confirms.
    Delivered,
    Confirmed,
    /// Given back by the donor.
    Released,
    /// Not delivered in time: back on the board.
    Expired,
    /// A volunteer of the need's town did not accept the delivery, saying why: back on the
    /// board, and the donor is told the reason.
    Rejected,
}

impl ClaimStatus {
    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::Open => "open",
            ClaimStatus::Delivered => "delivered",
            ClaimStatus::Confirmed => "confirmed",
            ClaimStatus::Released => "released",
            ClaimStatus::Expired => "expired",
            ClaimStatus::Rejected => "rejected",
        }
    }

    pub fn parse(code: &str) -> Result<ClaimStatus, AppError> {
        [
            ClaimStatus::Open,
            ClaimStatus::Delivered,
            ClaimStatus::Confirmed,
            ClaimStatus::Released,
            ClaimStatus::Expired,
            ClaimStatus::Rejected,
        ]
        .into_iter()
        .find(|status| status.code() == code)
        .ok_or_else(|| AppError::invalid("status", format!("unknown claim status {code}")))
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Open => td_string!(crate::lang::locale(), domain.claim_status.open),
            ClaimStatus::Delivered => {
                td_string!(crate::lang::locale(), domain.claim_status.delivered)
            }
            ClaimStatus::Confirmed => {
                td_string!(crate::lang::locale(), domain.claim_status.confirmed)
            }
            ClaimStatus::Released => {
                td_string!(crate::lang::locale(), domain.claim_status.released)
            }
            ClaimStatus::Expired => td_string!(crate::lang::locale(), domain.claim_status.expired),
            ClaimStatus::Rejected => {
                td_string!(crate::lang::locale(), domain.claim_status.rejected)
            }
        }
    }

    /// Whether the claim is still in hand: the donor may reach the coordinating volunteer
    /// only then (never after releasing it, so claiming cannot harvest volunteers' phones).
    pub fn in_hand(self) -> bool {
        matches!(self, ClaimStatus::Open | ClaimStatus::Delivered)
    }
}

/// The terms every claim is held on: how long it may stay undelivered, how many a donor may
/// hold, how small a pledge may be, and what bounds a donor's deliveries waiting for a
/// volunteer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimTerms {
    pub expiry_days: u32,
    /// Undelivered claims one donor may hold.
    pub max_open: u32,
    /// Delivered claims one donor may have waiting for a volunteer's confirmation.
    pub max_unconfirmed: u32,
    /// Claims one donor may make in 24 hours, released ones included.
    pub max_per_day: u32,
    /// The smallest part of a money need one may pledge (all that is left may always be).
    pub min_pledge: Fen,
    /// Days a delivery may wait for a volunteer before it is listed as overdue.
    pub confirm_within_days: u32,
    /// Delivery photos one donor may upload in 30 days.
    pub photo_quota: u32,
}

impl ClaimTerms {
    pub const DEFAULT: ClaimTerms = ClaimTerms {
        expiry_days: 14,
        max_open: 5,
        max_unconfirmed: 3,
        max_per_day: 10,
        min_pledge: Fen::from_stored(5_000),
        confirm_within_days: 7,
        photo_quota: 10,
    };

    /// A pledge of `part` is at least the minimum, unless it is all that is `left`.
    pub fn check_pledge(self, part: Fen, left: i64) -> Result<(), AppError> {
        if part.get() >= self.min_pledge.get() || part.get() == left {
            return Ok(());
        }
        Err(AppError::invalid(
            "amount",
            td_string!(
                crate::lang::locale(),
                errors.claim.pledge_too_small,
                min = self.min_pledge,
                left = Fen::from_stored(left)
            )
            .to_string(),
        ))
    }

    /// Whether a delivery made at `delivered_at` has waited too long for a volunteer at `now`.
    pub fn confirmation_overdue(self, delivered_at: UtcMillis, now: UtcMillis) -> bool {
        now.0 - delivered_at.0 >= i64::from(self.confirm_within_days) * 86_400_000
    }

    /// When a claim made at `claimed_at` is released if still undelivered.
    pub fn expires_at(self, claimed_at: UtcMillis) -> UtcMillis {
        UtcMillis(claimed_at.0 + i64::from(self.expiry_days) * 86_400_000)
    }

    /// Whether a claim due at `expires_at` is overdue at `now` (due at the very millisecond).
    pub fn is_overdue(expires_at: UtcMillis, now: UtcMillis) -> bool {
        now >= expires_at
    }
}

/// One of a donor's claims, as their "my claims" page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyClaim {
    pub claim_id: i64,
    pub need: PublicNeed,
    pub amount: Option<Fen>,
    pub status: ClaimStatus,
    pub claimed_at: UtcMillis,
    pub expires_at: UtcMillis,
    pub delivered_at: Option<UtcMillis>,
    /// Only while the claim is in hand ([`ClaimStatus::in_hand`]).
    pub coordinator: Option<Coordinator>,
    /// Why a volunteer did not accept the delivery, for a rejected claim.
    #[serde(default)]
    pub rejected_reason: Option<String>,
    /// A volunteer checked the delivery and gave the family a code: waiting for the family.
    #[serde(default)]
    pub awaiting_family: bool,
    /// What the family said when they confirmed with their code.
    #[serde(default)]
    pub thanks: Option<FamilyThanks>,
}
