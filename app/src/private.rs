//! Private data: households, the notes volunteers keep, and what reviewers see. These types
//! travel only in answers to the people allowed to read them (volunteers and reviewers of the
//! household's area, admins); every server function that returns one checks the caller first.
//! No public type ([`PublicNeed`], [`Board`](crate::domain::Board),
//! [`LiveChange`](crate::domain::LiveChange)) contains any of them, and the ID number itself has
//! no serialised form at all.

use crate::domain::{
    text_field, Ask, Fen, NeedId, NeedStatus, Phone, PublicNeed, UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HouseholdId(pub i64);

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A resident identity card number (18 characters, the last a check digit or X), checked.
/// It has no `Serialize`, no `Display` and a `Debug` that hides it: it is hashed with the
/// server's key the moment it arrives and only its last four characters are kept.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Result<IdNumber, AppError> {
        let normalised: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = normalised.as_bytes();
        let shaped = bytes.len() == 18
            && bytes[..17].iter().all(u8::is_ascii_digit)
            && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
        if !shaped {
            return Err(AppError::invalid(
                "id_number",
                "身份证号应为 18 位，最后一位可以是 X。",
            ));
        }
        if IdNumber::check_digit(&bytes[..17]) != bytes[17] {
            return Err(AppError::invalid(
                "id_number",
                "身份证号校验位不对，请核对后重新输入。",
            ));
        }
        Ok(IdNumber(normalised))
    }

    /// The check character (ISO 7064 MOD 11-2) of the first 17 digits.
    pub fn check_digit(digits: &[u8]) -> u8 {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = digits
            .iter()
            .zip(WEIGHTS)
            .map(|(digit, weight)| u32::from(digit - b'0') * weight)
            .sum();
        b"10X98765432"[(sum % 11) as usize]
    }

    /// The last four characters, kept in the clear so a volunteer can confirm a household.
    pub fn last4(&self) -> String {
        self.0[14..].to_owned()
    }

    /// The keyed hash that matches a household across sources without revealing the number.
    #[cfg(feature = "ssr")]
    pub fn key(&self, secret: &IdKey) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret.0)
            .expect("HMAC takes a key of any length");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber(…{})", self.last4())
    }
}

/// The server's secret for hashing ID numbers. Kept outside the database (a file or an
/// environment variable), so a copy of the database alone cannot be searched for a number.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct IdKey(pub Vec<u8>);

#[cfg(feature = "ssr")]
impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdKey(…)")
    }
}

/// Where the household stands with the welfare system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowIncome {
    /// Above every line; in hardship because of what it must spend.
    None,
    /// Expenditure-type hardship as certified by the town (支出型困难).
    Expenditure,
    /// Marginal low income (低保边缘).
    Marginal,
    /// Minimum living allowance (低保).
    Dibao,
    /// Extreme poverty support (特困).
    Tekun,
}

impl LowIncome {
    pub const ALL: [LowIncome; 5] = [
        LowIncome::Expenditure,
        LowIncome::Marginal,
        LowIncome::Dibao,
        LowIncome::Tekun,
        LowIncome::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LowIncome::None => "none",
            LowIncome::Expenditure => "expenditure",
            LowIncome::Marginal => "marginal",
            LowIncome::Dibao => "dibao",
            LowIncome::Tekun => "tekun",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LowIncome::None => "无",
            LowIncome::Expenditure => "支出型困难",
            LowIncome::Marginal => "低保边缘",
            LowIncome::Dibao => "低保",
            LowIncome::Tekun => "特困供养",
        }
    }

    pub fn parse(code: &str) -> Result<LowIncome, AppError> {
        LowIncome::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| AppError::invalid("low_income", "请选择低收入认定情况。"))
    }
}

/// A household as a volunteer registers it, validated.
#[derive(Debug)]
pub struct NewHousehold {
    pub town: String,
    pub village: String,
    pub head_name: String,
    pub id_number: IdNumber,
    pub address: String,
    pub phone: Phone,
    pub members: String,
    pub member_count: i64,
    pub low_income: LowIncome,
}

/// The form fields of a household, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdForm {
    pub town: String,
    pub village: String,
    pub head_name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub members: String,
    pub member_count: String,
    pub low_income: String,
}

impl NewHousehold {
    pub fn parse(form: &HouseholdForm) -> Result<NewHousehold, AppError> {
        let member_count = form
            .member_count
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=30).contains(n))
            .ok_or_else(|| {
                AppError::invalid("member_count", "家庭人口应为 1 到 30 之间的数字。")
            })?;
        Ok(NewHousehold {
            town: text_field("town", "镇（街道）", &form.town, 2, 20)?,
            village: text_field("village", "村（社区）", &form.village, 2, 20)?,
            head_name: text_field("head_name", "户主姓名", &form.head_name, 2, 20)?,
            id_number: IdNumber::parse(&form.id_number)?,
            address: text_field("address", "住址", &form.address, 4, 80)?,
            phone: Phone::parse(&form.phone)?,
            members: text_field("members", "家庭成员", &form.members, 2, 200)?,
            member_count,
            low_income: LowIncome::parse(&form.low_income)?,
        })
    }
}

/// A household as its volunteers, its town's reviewers and admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub town: String,
    pub village: String,
    pub head_name: String,
    pub id_last4: String,
    pub address: String,
    pub phone: String,
    pub members: String,
    pub member_count: i64,
    pub low_income: LowIncome,
}

/// Where a record of aid comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AidSource {
    /// A need of this household claimed or fulfilled through Wanshan.
    Here { need_id: NeedId, status: NeedStatus },
    /// A record imported from another agency.
    Agency { agency: String },
}

/// One record of aid a household received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidEntry {
    pub source: AidSource,
    pub window: Window,
    pub cause: String,
    pub at: UtcMillis,
    pub amount: Option<Fen>,
}

/// A household's aid history and the part of it that warns a reviewer: aid in the same window
/// as the need within the configured period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidHistory {
    pub entries: Vec<AidEntry>,
    /// Indexes into `entries` of the records that make a duplicate-aid warning.
    pub warnings: Vec<usize>,
    pub period_months: u32,
}

impl AidHistory {
    /// Splits `entries` (newest first) into history and warnings for a need in `window`
    /// reviewed at `now`.
    pub fn for_need(
        mut entries: Vec<AidEntry>,
        window: Window,
        now: UtcMillis,
        period_months: u32,
        exclude: Option<NeedId>,
    ) -> AidHistory {
        entries.retain(|entry| {
            !matches!(entry.source, AidSource::Here { need_id, .. } if Some(need_id) == exclude)
        });
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.at));
        let since = now.months_before(period_months);
        let warnings = entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.window == window && entry.at >= since)
            .map(|(index, _)| index)
            .collect();
        AidHistory {
            entries,
            warnings,
            period_months,
        }
    }
}

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
    pub private_notes: String,
    pub author: String,
    /// Who approved the council stage, once it has.
    pub council_reviewer: Option<String>,
    pub household: HouseholdView,
    pub aid: AidHistory,
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
}

/// A need as its author sees it in their intake list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthoredNeed {
    pub need: PublicNeed,
    pub household_id: HouseholdId,
    pub household_head: String,
    pub private_notes: String,
    /// Why a reviewer sent it back, if one did.
    pub returned_reason: Option<String>,
}

/// The fields of a need's intake form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedForm {
    /// Empty for a new need; the need's id when editing.
    #[serde(default)]
    pub need_id: String,
    /// Ignored when editing (a need keeps its household).
    #[serde(default)]
    pub household_id: String,
    pub window: String,
    pub title: String,
    pub story: String,
    pub ask_kind: String,
    /// Yuan, as typed (only for money).
    #[serde(default)]
    pub amount: String,
    pub urgency: String,
    #[serde(default)]
    pub private_notes: String,
}

/// An account as an admin sees it in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub phone: String,
    pub name: String,
    pub roles: Vec<crate::people::RoleGrant>,
}

/// What a successful import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: usize,
    /// How many imported rows match a household registered here.
    pub matched_households: usize,
}

/// The parsed money and ask of a need form.
pub fn parse_ask(kind: &str, amount_yuan: &str) -> Result<Ask, AppError> {
    match kind {
        "money" => Ok(Ask::Money {
            amount: Fen::parse_yuan(amount_yuan)?,
        }),
        "goods" => Ok(Ask::Goods),
        "service" => Ok(Ask::Service),
        _ => Err(AppError::invalid(
            "ask_kind",
            "请选择需要资金、物资还是服务。",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_are_checked_by_their_check_digit() {
        // A valid number built from the published check-digit rule.
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.last4(), "002X");
        assert!(!format!("{id:?}").contains("110105"));
        assert_eq!(
            IdNumber::parse("110105194912310021").unwrap_err().code(),
            "Invalid"
        );
        assert!(IdNumber::parse("1101051949123100").is_err());
        assert!(IdNumber::parse("11010519491231002Y").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_key_depends_on_the_secret_and_not_on_spacing_or_case() {
        let a = IdKey(b"secret-a".to_vec());
        let b = IdKey(b"secret-b".to_vec());
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let spaced = IdNumber::parse("110105 19491231 002x").unwrap();
        assert_eq!(id.key(&a), spaced.key(&a));
        assert_ne!(id.key(&a), id.key(&b));
        assert_eq!(id.key(&a).len(), 64);
    }

    fn entry(window: Window, at: i64, need: Option<i64>) -> AidEntry {
        AidEntry {
            source: match need {
                Some(id) => AidSource::Here {
                    need_id: NeedId(id),
                    status: NeedStatus::Claimed,
                },
                None => AidSource::Agency {
                    agency: "丹阳市慈善总会".into(),
                },
            },
            window,
            cause: "住院".into(),
            at: UtcMillis(at),
            amount: None,
        }
    }

    #[test]
    fn only_same_window_aid_within_the_period_warns() {
        const DAY: i64 = 86_400_000;
        let now = UtcMillis(1_000 * DAY);
        let history = AidHistory::for_need(
            vec![
                entry(Window::Medical, 1_000 * DAY - 30 * DAY, None),
                entry(Window::Medical, 1_000 * DAY - 400 * DAY, None),
                entry(Window::Education, 1_000 * DAY - 10 * DAY, None),
                entry(Window::Medical, 1_000 * DAY - DAY, Some(7)),
            ],
            Window::Medical,
            now,
            12,
            Some(NeedId(7)),
        );
        assert_eq!(
            history.entries.len(),
            3,
            "the need under review is not its own history"
        );
        let warned: Vec<_> = history
            .warnings
            .iter()
            .map(|&i| &history.entries[i])
            .collect();
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].at, UtcMillis(970 * DAY));
    }
}

/// A delivery awaiting confirmation, as its town's volunteers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryToConfirm {
    pub claim: crate::domain::MyClaim,
    pub donor_name: String,
    pub note: String,
    pub has_photo: bool,
}
