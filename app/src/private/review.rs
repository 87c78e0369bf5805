//! The two approvals, what reviewers see, and the deliveries volunteers confirm.

use super::*;
use crate::domain::{text_field, NeedStatus, PublicNeed, UtcMillis};
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The two approvals a need passes, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    /// By a council reviewer (村民议事小组) of the household's town.
    Council,
    /// By a volunteer who neither entered the need nor approved its council stage.
    Volunteer,
}

impl ReviewStage {
    pub fn code(self) -> &'static str {
        match self {
            ReviewStage::Council => "council",
            ReviewStage::Volunteer => "volunteer",
        }
    }

    pub fn parse(code: &str) -> Result<ReviewStage, AppError> {
        match code {
            "council" => Ok(ReviewStage::Council),
            "volunteer" => Ok(ReviewStage::Volunteer),
            _ => Err(AppError::invalid(
                "stage",
                "审核环节应为 council 或 volunteer。",
            )),
        }
    }

    /// The status a need waits in for this stage.
    pub fn awaits(self) -> NeedStatus {
        match self {
            ReviewStage::Council => NeedStatus::CouncilReview,
            ReviewStage::Volunteer => NeedStatus::VolunteerReview,
        }
    }

    /// The status an approval moves it to.
    pub fn approved(self) -> NeedStatus {
        match self {
            ReviewStage::Council => NeedStatus::VolunteerReview,
            ReviewStage::Volunteer => NeedStatus::Published,
        }
    }

    /// The role that decides this stage.
    pub fn role(self) -> crate::people::Role {
        match self {
            ReviewStage::Council => crate::people::Role::Reviewer,
            ReviewStage::Volunteer => crate::people::Role::Volunteer,
        }
    }
}

/// A need with what its reviewers see beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub need: PublicNeed,
    /// The version of the need's public text shown: the approval names it.
    #[serde(default)]
    pub version: i64,
    pub private_notes: String,
    pub author: String,
    /// Who approved the council stage, once it has.
    pub council_reviewer: Option<String>,
    pub household: HouseholdView,
    pub aid: AidHistory,
    /// Other towns where the same ID number is registered: a possible double registration.
    #[serde(default)]
    pub registered_elsewhere: Vec<String>,
    /// For a need of a service: published offers in its window and town with free places to
    /// come, which the reviewer may book it onto instead of publishing it.
    #[serde(default)]
    pub offers: Vec<crate::domain::PublicOffer>,
}

/// A claimed need whose household had aid in the same window when it was claimed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimAlert {
    pub need: PublicNeed,
    pub household: HouseholdView,
    pub aid_warnings: i64,
    pub claimed_at: UtcMillis,
}

/// What a reviewer or volunteer has to decide, in their areas.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQueue {
    /// Awaiting the council stage, for a reviewer of the household's town.
    pub council: Vec<ReviewItem>,
    /// Awaiting the second, volunteer stage, entered and council-approved by others.
    pub volunteer: Vec<ReviewItem>,
    /// Claimed needs that warned of duplicate aid at claim time.
    pub claim_alerts: Vec<ClaimAlert>,
    /// The government programmes a need may be referred to instead of the board.
    #[serde(default)]
    pub programmes: Vec<String>,
    /// Referrals of the reader's towns awaiting the programme's answer, by due date (for a
    /// council reviewer, who records it).
    #[serde(default)]
    pub referrals: Vec<super::Referral>,
}

/// What a reviewer writes to approve over a duplicate-aid warning: nothing without warnings;
/// with warnings, a reason of 4–200 characters (`DuplicateAid` until one is given).
pub fn approval_reason(warnings: usize, typed: &str) -> Result<String, AppError> {
    if warnings == 0 {
        return Ok(String::new());
    }
    if typed.trim().is_empty() {
        return Err(AppError::DuplicateAid);
    }
    text_field("acknowledgement", "确认理由", typed, 4, 200)
}

/// Why a reviewer sends a need back: 2–200 characters.
pub fn return_reason(typed: &str) -> Result<String, AppError> {
    text_field("reason", "退回理由", typed, 2, 200)
}

/// A delivery awaiting confirmation, as its town's volunteers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryToConfirm {
    pub claim: crate::domain::MyClaim,
    pub donor_name: String,
    pub note: String,
    pub has_photo: bool,
    /// It has waited for a volunteer longer than the configured days: listed first, marked.
    #[serde(default)]
    pub overdue: bool,
    /// When the family code given for it stops working, if one was given and not yet used.
    #[serde(default)]
    pub code_expires_at: Option<crate::domain::UtcMillis>,
}
