//! A need's public page: the need and what happened to it, with no names but masked donors'.

use super::*;
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
        match self {
            Happened::CouncilApproved => "村民议事小组审核通过".into(),
            Happened::VolunteerApproved => "志愿者复核通过".into(),
            Happened::Published => "发布到爱心需求墙".into(),
            Happened::Claimed {
                donor,
                amount: Some(amount),
            } => format!("{donor} 认捐 {amount}"),
            Happened::Claimed {
                donor,
                amount: None,
            } => format!("{donor} 认领"),
            Happened::Delivered { donor } => format!("{donor} 已送达"),
            Happened::Confirmed {
                donor,
                by_family: true,
            } => format!("家庭确认收到{donor}的帮助"),
            Happened::Confirmed {
                donor,
                by_family: false,
            } => format!("志愿者确认{donor}的帮助已送到"),
            Happened::Thanked { message } => format!("家庭留言：{message}"),
            Happened::Fulfilled => "需求已全部完成".into(),
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
        _ => "匿名爱心人士".to_owned(),
    }
}
