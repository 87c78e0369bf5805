//! What a need is about and asks for: help windows, urgency, money / goods / service, and where a need is in its life.

use super::*;
use crate::error::AppError;
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

    /// The name people know the window by.
    pub fn label(self) -> &'static str {
        match self {
            Window::Medical => "助医",
            Window::Education => "助学",
            Window::Disability => "助残",
            Window::Home => "家居微改善",
            Window::Insurance => "助保险",
            Window::Services => "服务与文化",
        }
    }

    pub fn parse(code: &str) -> Result<Window, AppError> {
        Window::ALL
            .into_iter()
            .find(|w| w.code() == code)
            .ok_or_else(|| AppError::invalid("window", format!("没有名为“{code}”的帮扶窗口。")))
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
            _ => Err(AppError::invalid("urgency", "紧急程度只能是 1、2 或 3。")),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Urgency::Normal => "一般",
            Urgency::Soon => "较急",
            Urgency::Urgent => "紧急",
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
            ("money", None) => Err(AppError::invalid("amount", "资金类需求必须填写金额。")),
            ("goods", None) => Ok(Ask::Goods),
            ("service", None) => Ok(Ask::Service),
            ("goods" | "service", Some(_)) => {
                Err(AppError::invalid("amount", "物资和服务类需求不填写金额。"))
            }
            _ => Err(AppError::invalid(
                "kind",
                "需求类型只能是资金、物资或服务。",
            )),
        }
    }

    pub fn label(self) -> String {
        match self {
            Ask::Money { amount } => format!("资金 {amount}"),
            Ask::Goods => "物资".to_owned(),
            Ask::Service => "服务".to_owned(),
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
            NeedStatus::Draft => "草稿",
            NeedStatus::CouncilReview => "待议事小组审核",
            NeedStatus::VolunteerReview => "待志愿者复核",
            NeedStatus::Published => "已发布",
            NeedStatus::Claimed => "已认领",
            NeedStatus::Fulfilled => "已完成",
            NeedStatus::Referred => "已转介政府救助",
            NeedStatus::Paused => "因举报暂停",
            NeedStatus::Withdrawn => "已撤下",
            NeedStatus::Matched => "已对接服务",
        }
    }
}
