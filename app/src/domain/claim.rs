//! Claims: phones, receipts, a claim's life and terms, a donor's claims.

use super::*;
use crate::error::AppError;
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
                "手机号格式不正确，应为 11 位数字，例如 13812345678。",
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
}

impl ClaimStatus {
    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::Open => "open",
            ClaimStatus::Delivered => "delivered",
            ClaimStatus::Confirmed => "confirmed",
            ClaimStatus::Released => "released",
            ClaimStatus::Expired => "expired",
        }
    }

    pub fn parse(code: &str) -> Result<ClaimStatus, AppError> {
        [
            ClaimStatus::Open,
            ClaimStatus::Delivered,
            ClaimStatus::Confirmed,
            ClaimStatus::Released,
            ClaimStatus::Expired,
        ]
        .into_iter()
        .find(|status| status.code() == code)
        .ok_or_else(|| AppError::invalid("status", format!("unknown claim status {code}")))
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Open => "待送达",
            ClaimStatus::Delivered => "已送达，待志愿者确认",
            ClaimStatus::Confirmed => "已完成",
            ClaimStatus::Released => "已放弃",
            ClaimStatus::Expired => "已超时，已放回需求墙",
        }
    }
}

/// How long a claim may stay undelivered, and how many a donor may hold at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimTerms {
    pub expiry_days: u32,
    pub max_open: u32,
}

impl ClaimTerms {
    pub const DEFAULT: ClaimTerms = ClaimTerms {
        expiry_days: 14,
        max_open: 5,
    };

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
    pub coordinator: Option<Coordinator>,
}
