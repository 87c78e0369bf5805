//! What a need is about and asks for: help windows, urgency, money / goods / service, and where a need is in its life.

use super::*;
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// The window (窗口) a need belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    Medical,
    Education,
    Disability,
    Home,
    Insurance,
    Services,
}

impl Window {
    pub const ALL: [Window; 6] = [
        Window::Medical,
        Window::Education,
        Window::Disability,
        Window::Home,
        Window::Insurance,
        Window::Services,
    ];

    /// The code used in URLs and storage.
    pub fn code(self) -> &'static str {
        match self {
            Window::Medical => "medical",
            Window::Education => "education",
            Window::Disability => "disability",
            Window::Home => "home",
            Window::Insurance => "insurance",
            Window::Services => "services",
        }
    }

    /// The name people know the window by, in the reader's language (the built-in name: a
    /// city may call it otherwise, see [`crate::city::City::label`]).
    pub fn label(self) -> &'static str {
        self.label_in(crate::lang::locale())
    }

    /// The built-in name of the window in `locale`.
    pub fn label_in(self, locale: crate::lang::Locale) -> &'static str {
        match self {
            Window::Medical => td_string!(locale, domain.window.medical),
            Window::Education => td_string!(locale, domain.window.education),
            Window::Disability => td_string!(locale, domain.window.disability),
            Window::Home => td_string!(locale, domain.window.home),
            Window::Insurance => td_string!(locale, domain.window.insurance),
            Window::Services => td_string!(locale, domain.window.services),
        }
    }

    pub fn parse(code: &str) -> Result<Window, AppError> {
        Window::ALL
            .into_iter()
            .find(|w| w.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "window",
                    td_string!(
                        crate::lang::locale(),
                        errors.asks.unknown_window,
                        code = code
                    )
                    .to_string(),
                )
            })
    }
}

/// How soon help is needed. Higher sorts first on the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    Soon,
    Urgent,
}

impl Urgency {
    pub fn rank(self) -> i64 {
        match self {
            Urgency::Normal => 1,
            Urgency::Soon => 2,
            Urgency::Urgent => 3,
        }
    }

    pub fn from_rank(rank: i64) -> Result<Urgency, AppError> {
        match rank {
            1 => Ok(Urgency::Normal),
            2 => Ok(Urgency::Soon),
            3 => Ok(Urgency::Urgent),
            _ => Err(AppError::invalid(
                "urgency",
                td_string!(crate::lang::locale(), errors.asks.bad_urgency),
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Normal => td_string!(crate::lang::locale(), domain.urgency.normal),
            Urgency::Soon => td_string!(crate::lang::locale(), domain.urgency.soon),
            Urgency::Urgent => td_string!(crate::lang::locale(), domain.urgency.urgent),
        }
    }
}

/// What the family asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ask {
    /// A sum of money, paid against receipts.
    Money { amount: Fen },
    /// Goods, described in the story.
    Goods,
    /// A service (care, tutoring, repairs, company), described in the story.
    Service,
}

impl Ask {
    pub fn code(self) -> &'static str {
        match self {
            Ask::Money { .. } => "money",
            Ask::Goods => "goods",
            Ask::Service => "service",
        }
    }

    pub fn amount(self) -> Option<Fen> {
        match self {
            Ask::Money { amount } => Some(amount),
            _ => None,
        }
    }

    /// From the stored pair (kind code, amount); money needs an amount, the others none.
    pub fn from_parts(code: &str, amount: Option<i64>) -> Result<Ask, AppError> {
        match (code, amount) {
            ("money", Some(fen)) => Ok(Ask::Money {
                amount: Fen::parse(fen)?,
            }),
            ("money", None) => Err(AppError::invalid(
                "amount",
                td_string!(crate::lang::locale(), errors.asks.money_needs_amount),
            )),
            ("goods", None) => Ok(Ask::Goods),
            ("service", None) => Ok(Ask::Service),
            ("goods" | "service", Some(_)) => Err(AppError::invalid(
                "amount",
                td_string!(crate::lang::locale(), errors.asks.no_amount),
            )),
            _ => Err(AppError::invalid(
                "kind",
                td_string!(crate::lang::locale(), errors.asks.bad_kind),
            )),
        }
    }

    pub fn label(self) -> String {
        match self {
            Ask::Money { amount } => {
                td_string!(crate::lang::locale(), domain.ask.money, amount = amount).to_string()
            }
            Ask::Goods => td_string!(crate::lang::locale(), domain.ask.goods).to_owned(),
            Ask::Service => td_string!(crate::lang::locale(), domain.ask.service).to_owned(),
        }
    }
}

/// Where a need is in its life: entered by a volunteer (draft), approved by the council
/// reviewer of its area, then by a second volunteer, then on the board until claimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NeedStatus {
    Draft,
    CouncilReview,
    VolunteerReview,
    Published,
    Claimed,
    Fulfilled,
    /// Sent to a government programme by a reviewer instead of the board; never published.
    Referred,
    /// Taken off the board by the town's reviewer while a public report is looked into.
    Paused,
    /// Taken down for good after a report.
    Withdrawn,
    /// A service need a reviewer booked onto a service offer instead of the board; fulfilled
    /// when the family attends, back to its author if the booking falls through.
    Matched,
}

impl NeedStatus {
    pub fn code(self) -> &'static str {
        match self {
            NeedStatus::Draft => "draft",
            NeedStatus::CouncilReview => "council_review",
            NeedStatus::VolunteerReview => "volunteer_review",
            NeedStatus::Published => "published",
            NeedStatus::Claimed => "claimed",
            NeedStatus::Fulfilled => "fulfilled",
            NeedStatus::Referred => "referred",
            NeedStatus::Paused => "paused",
            NeedStatus::Withdrawn => "withdrawn",
            NeedStatus::Matched => "matched",
        }
    }

    pub fn parse(code: &str) -> Result<NeedStatus, AppError> {
        match code {
            "draft" => Ok(NeedStatus::Draft),
            "council_review" => Ok(NeedStatus::CouncilReview),
            "volunteer_review" => Ok(NeedStatus::VolunteerReview),
            "published" => Ok(NeedStatus::Published),
            "claimed" => Ok(NeedStatus::Claimed),
            "fulfilled" => Ok(NeedStatus::Fulfilled),
            "referred" => Ok(NeedStatus::Referred),
            "paused" => Ok(NeedStatus::Paused),
            "withdrawn" => Ok(NeedStatus::Withdrawn),
            "matched" => Ok(NeedStatus::Matched),
            _ => Err(AppError::invalid(
                "status",
                format!("unknown status {code}"),
            )),
        }
    }

    /// How a volunteer's list names the stage.
    pub fn label(self) -> &'static str {
        match self {
            NeedStatus::Draft => td_string!(crate::lang::locale(), domain.need_status.draft),
            NeedStatus::CouncilReview => {
                td_string!(crate::lang::locale(), domain.need_status.council_review)
            }
            NeedStatus::VolunteerReview => {
                td_string!(crate::lang::locale(), domain.need_status.volunteer_review)
            }
            NeedStatus::Published => {
                td_string!(crate::lang::locale(), domain.need_status.published)
            }
            NeedStatus::Claimed => td_string!(crate::lang::locale(), domain.need_status.claimed),
            NeedStatus::Fulfilled => {
                td_string!(crate::lang::locale(), domain.need_status.fulfilled)
            }
            NeedStatus::Referred => td_string!(crate::lang::locale(), domain.need_status.referred),
            NeedStatus::Paused => td_string!(crate::lang::locale(), domain.need_status.paused),
            NeedStatus::Withdrawn => {
                td_string!(crate::lang::locale(), domain.need_status.withdrawn)
            }
            NeedStatus::Matched => td_string!(crate::lang::locale(), domain.need_status.matched),
        }
    }
}
