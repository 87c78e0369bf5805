//! The two approvals, what reviewers see, and the deliveries volunteers confirm.

use super::*;
use crate::domain::{text_field, NeedStatus, PublicNeed, UtcMillis};
use crate::error::AppError;
use leptos_i18n::td_string;
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
                td_string!(crate::lang::locale(), review.errors.stage),
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
    text_field(
        "acknowledgement",
        td_string!(crate::lang::locale(), review.labels.acknowledgement),
        typed,
        4,
        200,
    )
}

/// Why a reviewer sends a need back: 2–200 characters.
pub fn return_reason(typed: &str) -> Result<String, AppError> {
    text_field(
        "reason",
        td_string!(crate::lang::locale(), review.labels.return_reason),
        typed,
        2,
        200,
    )
}

/// The texts of a donor's delivery upload (`POST /api/deliver/{claim}`), in `locale`. The
/// upload is a plain axum handler in the server crate (a multipart form), which knows the
/// request's language but has no translation macros of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryText {
    /// The delivery note's name, in its length checks.
    NoteLabel,
    /// The photo is not a whole JPEG or PNG.
    PhotoBroken,
    /// The photo is larger than allowed.
    PhotoTooBig,
    /// The photo is neither a JPEG nor a PNG.
    PhotoKind,
    /// The claim has no delivery photo.
    NoPhoto,
}

impl DeliveryText {
    pub fn text(self, locale: crate::lang::Locale) -> &'static str {
        match self {
            DeliveryText::NoteLabel => td_string!(locale, claims.item.note_label),
            DeliveryText::PhotoBroken => td_string!(locale, claims.delivery.photo_broken),
            DeliveryText::PhotoTooBig => td_string!(locale, claims.delivery.photo_too_big),
            DeliveryText::PhotoKind => td_string!(locale, claims.delivery.photo_kind),
            DeliveryText::NoPhoto => td_string!(locale, claims.delivery.no_photo),
        }
    }

    /// The refusal of a photo over the donor's quota of `quota` photos in 30 days.
    pub fn over_photo_quota(locale: crate::lang::Locale, quota: impl std::fmt::Display) -> String {
        td_string!(locale, claims.delivery.photo_quota, quota = quota).to_string()
    }
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
