//! Credit points (新时代文明实践积分): an append-only ledger of who earned what, for what. A
//! balance is the sum of a person's entries, never a counter that can drift.

use crate::people::UserId;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// Why points were earned. The code is what the ledger and its CSV export carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditReason {
    /// A donor's claim (or pledge) was delivered and confirmed.
    Fulfilment,
    /// A volunteer entered a need that was published.
    Intake,
    /// A reviewer approved a stage of a need that was published.
    Review,
    /// A volunteer confirmed a delivery.
    Confirmation,
}

impl CreditReason {
    pub fn code(self) -> &'static str {
        match self {
            CreditReason::Fulfilment => "fulfilment",
            CreditReason::Intake => "intake",
            CreditReason::Review => "review",
            CreditReason::Confirmation => "confirmation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CreditReason::Fulfilment => {
                td_string!(crate::lang::locale(), domain.credit_reason.fulfilment)
            }
            CreditReason::Intake => td_string!(crate::lang::locale(), domain.credit_reason.intake),
            CreditReason::Review => td_string!(crate::lang::locale(), domain.credit_reason.review),
            CreditReason::Confirmation => {
                td_string!(crate::lang::locale(), domain.credit_reason.confirmation)
            }
        }
    }
}

/// How many points each reason earns (configuration; 0 turns a reason off).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointRules {
    pub fulfilment: i64,
    pub intake: i64,
    pub review: i64,
    pub confirmation: i64,
}

impl PointRules {
    pub const DEFAULT: PointRules = PointRules {
        fulfilment: 10,
        intake: 3,
        review: 2,
        confirmation: 2,
    };

    pub fn points(&self, reason: CreditReason) -> i64 {
        match reason {
            CreditReason::Fulfilment => self.fulfilment,
            CreditReason::Intake => self.intake,
            CreditReason::Review => self.review,
            CreditReason::Confirmation => self.confirmation,
        }
    }

    /// The entries a confirmed delivery earns: the donor's and the confirming volunteer's.
    pub fn for_confirmation(
        &self,
        donor: UserId,
        volunteer: UserId,
    ) -> Vec<(UserId, CreditReason, i64)> {
        self.entries([
            (donor, CreditReason::Fulfilment),
            (volunteer, CreditReason::Confirmation),
        ])
    }

    /// The entries a publication earns: the author's and each approving reviewer's.
    pub fn for_publication(
        &self,
        author: Option<UserId>,
        reviewers: [Option<UserId>; 2],
    ) -> Vec<(UserId, CreditReason, i64)> {
        let mut earned = Vec::new();
        if let Some(author) = author {
            earned.extend(self.entries([(author, CreditReason::Intake)]));
        }
        for reviewer in reviewers.into_iter().flatten() {
            earned.extend(self.entries([(reviewer, CreditReason::Review)]));
        }
        earned
    }

    fn entries<const N: usize>(
        &self,
        who: [(UserId, CreditReason); N],
    ) -> Vec<(UserId, CreditReason, i64)> {
        who.into_iter()
            .map(|(user, reason)| (user, reason, self.points(reason)))
            .filter(|(_, _, points)| *points != 0)
            .collect()
    }
}

/// One line of the public leaderboard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub rank: usize,
    /// The display name if its owner chose to show it, else masked ([`masked_name`]).
    pub name: String,
    pub points: i64,
    /// Confirmed volunteer hours, in minutes (0 for none).
    #[serde(default)]
    pub hours_minutes: i64,
}

/// A name as the public sees it unless its owner chose to show it: the first character and a
/// star (`张*`), or 爱心人士 for an empty name.
pub fn masked_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(first) => format!("{first}*"),
        None => td_string!(crate::lang::locale(), domain.anonymous_donor).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_not_chosen_to_be_shown_keeps_only_its_first_character() {
        assert_eq!(masked_name("张晓明"), "张*");
        assert_eq!(masked_name(" 丹阳爱心企业有限公司"), "丹*");
        assert_eq!(masked_name(""), "爱心人士");
    }

    #[test]
    fn a_confirmed_delivery_credits_the_donor_and_the_confirming_volunteer() {
        let rules = PointRules::DEFAULT;
        let earned = rules.for_confirmation(UserId(1), UserId(2));
        assert_eq!(
            earned,
            vec![
                (UserId(1), CreditReason::Fulfilment, 10),
                (UserId(2), CreditReason::Confirmation, 2)
            ]
        );
    }

    #[test]
    fn a_publication_credits_the_author_and_both_reviewers_and_zero_rules_are_off() {
        let rules = PointRules {
            review: 0,
            ..PointRules::DEFAULT
        };
        let earned = rules.for_publication(Some(UserId(5)), [Some(UserId(6)), Some(UserId(7))]);
        assert_eq!(earned, vec![(UserId(5), CreditReason::Intake, 3)]);
        let earned = PointRules::DEFAULT.for_publication(None, [Some(UserId(6)), None]);
        assert_eq!(earned, vec![(UserId(6), CreditReason::Review, 2)]);
    }
}
