//! The public domain: needs, help windows, money and time. These types travel to the browser,
//! so nothing private to a household (names, ID numbers, addresses, phones) can live in them.
//! Values from outside are parsed into these types at the edge; past it they are valid.

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Money

/// An amount of money in fen (分). 1 yuan = 100 fen. Never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(i64);

impl Fen {
    /// The most a single need may ask for: ¥500,000. Anything above is a typing slip or abuse.
    pub const MAX_NEED: Fen = Fen(50_000_000);

    /// An amount a need may ask for: more than zero and at most [`Fen::MAX_NEED`].
    pub fn parse(fen: i64) -> Result<Fen, AppError> {
        if fen <= 0 {
            return Err(AppError::invalid("amount", "金额必须大于零。"));
        }
        if fen > Self::MAX_NEED.0 {
            return Err(AppError::invalid(
                "amount",
                "金额过大：单条需求最多 50 万元。",
            ));
        }
        Ok(Fen(fen))
    }

    /// Parses what a person types in yuan, "1200", "1200.5" or "¥1,200.50", exactly (no floats).
    pub fn parse_yuan(text: &str) -> Result<Fen, AppError> {
        let cleaned: String = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = || AppError::invalid("amount", "请输入金额，例如 1200 或 1200.50。");
        let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty() || whole.len() > 9 || frac.len() > 2 {
            return Err(bad());
        }
        if !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let yuan: i64 = whole.parse().map_err(|_| bad())?;
        let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        Fen::parse(yuan * 100 + fen)
    }

    /// A stored value, trusted because the database's CHECK constraint admitted it.
    pub fn from_stored(fen: i64) -> Fen {
        Fen(fen)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// What a person would type for this amount in yuan: `1200` or `1200.50` (the inverse of
    /// [`Fen::parse_yuan`]).
    pub fn yuan_input(self) -> String {
        match self.0 % 100 {
            0 => (self.0 / 100).to_string(),
            fen => format!("{}.{fen:02}", self.0 / 100),
        }
    }
}

impl fmt::Display for Fen {
    /// `¥12,345` for whole yuan, `¥12,345.60` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yuan = self.0 / 100;
        let fen = self.0 % 100;
        let digits = yuan.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if fen == 0 {
            write!(f, "¥{grouped}")
        } else {
            write!(f, "¥{grouped}.{fen:02}")
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Time

/// A moment, stored as milliseconds since the Unix epoch (UTC). Shown in Asia/Shanghai time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UtcMillis(pub i64);

impl UtcMillis {
    /// China has kept UTC+8 all year since 1991: a fixed offset is exact for every date we store.
    const SHANGHAI_OFFSET_SECONDS: i32 = 8 * 3600;

    #[cfg(feature = "ssr")]
    pub fn now() -> UtcMillis {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        UtcMillis(since_epoch.as_millis() as i64)
    }

    /// `11月28日 16:05`, in Shanghai time.
    pub fn shanghai_text(self) -> String {
        let seconds = self.0.div_euclid(1000) + i64::from(Self::SHANGHAI_OFFSET_SECONDS);
        let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (_, month, day) = civil_from_days(days);
        format!(
            "{month}月{day}日 {:02}:{:02}",
            of_day / 3600,
            of_day % 3600 / 60
        )
    }

    /// `2026-11-28`, the date in Shanghai.
    pub fn shanghai_date_text(self) -> String {
        let (year, month, day) = self.shanghai_date();
        format!("{year:04}-{month:02}-{day:02}")
    }

    fn shanghai_date(self) -> (i64, i64, i64) {
        let seconds = self.0.div_euclid(1000) + i64::from(Self::SHANGHAI_OFFSET_SECONDS);
        civil_from_days(seconds.div_euclid(86_400))
    }

    /// Midnight at the start of a Shanghai date, or `None` for a date that does not exist.
    pub fn from_shanghai_date(year: i64, month: i64, day: i64) -> Option<UtcMillis> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) || day < 1 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        let seconds =
            days_from_civil(year, month, day) * 86_400 - i64::from(Self::SHANGHAI_OFFSET_SECONDS);
        Some(UtcMillis(seconds * 1000))
    }

    /// The same Shanghai wall-clock moment `months` calendar months earlier (the day clamped to
    /// the end of a shorter month): the start of a "within the last N months" period.
    pub fn months_before(self, months: u32) -> UtcMillis {
        let (year, month, day) = self.shanghai_date();
        let index = year * 12 + (month - 1) - i64::from(months);
        let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
        let day = day.min(days_in_month(year, month));
        let of_day =
            (self.0 + i64::from(Self::SHANGHAI_OFFSET_SECONDS) * 1000).rem_euclid(86_400_000);
        let midnight = (days_from_civil(year, month, day) * 86_400
            - i64::from(Self::SHANGHAI_OFFSET_SECONDS))
            * 1000;
        UtcMillis(midnight + of_day)
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// (year, month, day) of a day count since 1970-01-01 in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

// ---------------------------------------------------------------------------------------------
// Windows, urgency, what is asked

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
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Needs

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NeedId(pub i64);

impl fmt::Display for NeedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A need as anyone may see it: no names, no addresses below the village, no contact details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicNeed {
    pub id: NeedId,
    pub window: Window,
    pub title: String,
    pub story: String,
    pub town: String,
    pub village: String,
    pub ask: Ask,
    pub urgency: Urgency,
    pub status: NeedStatus,
    /// When it reached the board (for a need still in review: when it was entered).
    pub created_at: UtcMillis,
    pub updated_at: UtcMillis,
    /// How much of a money need is pledged (0 for other needs).
    #[serde(default)]
    pub pledged_fen: i64,
}

impl PublicNeed {
    /// What a money need still needs; `None` for goods and services.
    pub fn remaining(&self) -> Option<i64> {
        self.ask
            .amount()
            .map(|amount| (amount.get() - self.pledged_fen).max(0))
    }

    /// The board's order: most urgent first, then newest, then highest id.
    pub fn board_order(a: &PublicNeed, b: &PublicNeed) -> std::cmp::Ordering {
        b.urgency
            .cmp(&a.urgency)
            .then(b.created_at.cmp(&a.created_at))
            .then(b.id.cmp(&a.id))
    }
}

/// A need's public fields, validated: what a volunteer enters and the board shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNeed {
    pub window: Window,
    pub title: String,
    pub story: String,
    pub town: String,
    pub village: String,
    pub ask: Ask,
    pub urgency: Urgency,
}

impl NewNeed {
    pub fn parse(
        window: Window,
        title: &str,
        story: &str,
        town: &str,
        village: &str,
        ask: Ask,
        urgency: Urgency,
    ) -> Result<NewNeed, AppError> {
        Ok(NewNeed {
            window,
            title: text_field("title", "标题", title, 4, 40)?,
            story: text_field("story", "情况说明", story, 10, 1000)?,
            town: text_field("town", "镇（街道）", town, 2, 20)?,
            village: text_field("village", "村（社区）", village, 2, 20)?,
            ask,
            urgency,
        })
    }
}

/// Which needs a board shows, and how many pages of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BoardFilter {
    pub window: Option<Window>,
    pub town: Option<String>,
    /// Pages of [`BoardFilter::PAGE_SIZE`] needs shown (1 when absent).
    #[serde(default)]
    pub pages: u32,
}

impl BoardFilter {
    /// Needs a phone shows at first; each "more" adds as many.
    pub const PAGE_SIZE: i64 = 30;
    pub const MAX_PAGES: u32 = 30;

    pub fn admits(&self, need: &PublicNeed) -> bool {
        self.admits_place(need.window, &need.town)
    }

    pub fn admits_place(&self, window: Window, town: &str) -> bool {
        self.window.is_none_or(|w| w == window) && self.town.as_deref().is_none_or(|t| t == town)
    }

    pub fn pages(&self) -> u32 {
        self.pages.clamp(1, Self::MAX_PAGES)
    }

    /// How many needs the board lists.
    pub fn limit(&self) -> i64 {
        Self::PAGE_SIZE * i64::from(self.pages())
    }
}

/// The open board as of one point in the event log: the client streams events after `as_of`.
/// `needs` is the first [`BoardFilter::limit`] of `total` open needs that match the filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub needs: Vec<PublicNeed>,
    pub total: i64,
    pub towns: Vec<String>,
    pub as_of: EventId,
}

// ---------------------------------------------------------------------------------------------
// Claims

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

// ---------------------------------------------------------------------------------------------
// Live events

/// The position of an event in the append-only event log.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// A change the open boards must apply. Carries public data only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveChange {
    /// A need appeared on the board.
    NeedPublished { need: PublicNeed },
    /// A need was claimed: it leaves every open board. Its window and town let a filtered
    /// board keep its count right even when the need was not among those it lists.
    NeedClaimed {
        need_id: NeedId,
        window: Window,
        town: String,
    },
    /// A published need was edited: it leaves every open board until it passes review again.
    NeedWithdrawn {
        need_id: NeedId,
        window: Window,
        town: String,
    },
    /// A need still on the board changed: a part of it was pledged or a pledge released.
    NeedChanged { need: PublicNeed },
    /// A need was delivered and confirmed: taken down for good (the impact board counts it).
    NeedFulfilled {
        need_id: NeedId,
        window: Window,
        town: String,
    },
}

impl LiveChange {
    pub fn kind(&self) -> &'static str {
        match self {
            LiveChange::NeedPublished { .. } => "need_published",
            LiveChange::NeedClaimed { .. } => "need_claimed",
            LiveChange::NeedWithdrawn { .. } => "need_withdrawn",
            LiveChange::NeedChanged { .. } => "need_changed",
            LiveChange::NeedFulfilled { .. } => "need_fulfilled",
        }
    }

    pub fn need_id(&self) -> NeedId {
        match self {
            LiveChange::NeedPublished { need } | LiveChange::NeedChanged { need } => need.id,
            LiveChange::NeedClaimed { need_id, .. }
            | LiveChange::NeedWithdrawn { need_id, .. }
            | LiveChange::NeedFulfilled { need_id, .. } => *need_id,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Text fields

/// Trims `text` and checks it is `min..=max` characters with no control characters.
pub fn text_field(
    field: &str,
    label: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<String, AppError> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count == 0 {
        return Err(AppError::invalid(field, format!("请填写{label}。")));
    }
    if count < min {
        return Err(AppError::invalid(
            field,
            format!("{label}至少 {min} 个字。"),
        ));
    }
    if count > max {
        return Err(AppError::invalid(
            field,
            format!("{label}最多 {max} 个字。"),
        ));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            format!("{label}含有无法显示的字符。"),
        ));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_accepts_positive_amounts_up_to_the_cap() {
        assert_eq!(Fen::parse(1).unwrap().get(), 1);
        assert_eq!(Fen::parse(50_000_000).unwrap().get(), 50_000_000);
        assert_eq!(Fen::parse(0).unwrap_err().code(), "Invalid");
        assert_eq!(Fen::parse(-500).unwrap_err().code(), "Invalid");
        assert_eq!(Fen::parse(50_000_001).unwrap_err().code(), "Invalid");
    }

    #[test]
    fn yuan_text_is_parsed_exactly() {
        assert_eq!(Fen::parse_yuan("1200").unwrap().get(), 120_000);
        assert_eq!(Fen::parse_yuan("1200.5").unwrap().get(), 120_050);
        assert_eq!(Fen::parse_yuan("￥1,200.05").unwrap().get(), 120_005);
        assert_eq!(Fen::parse_yuan(" 0.01 ").unwrap().get(), 1);
        for bad in ["", "abc", "1.234", "-5", "1e5", "12.3.4", "99999999999"] {
            assert!(Fen::parse_yuan(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn an_amount_round_trips_through_what_a_person_types() {
        for fen in [100, 120_050, 5, 50_000_000] {
            let amount = Fen::parse(fen).unwrap();
            assert_eq!(Fen::parse_yuan(&amount.yuan_input()).unwrap(), amount);
        }
        assert_eq!(Fen::parse(120_050).unwrap().yuan_input(), "1200.50");
    }

    #[test]
    fn fen_displays_as_grouped_yuan() {
        assert_eq!(Fen::parse(120_000).unwrap().to_string(), "¥1,200");
        assert_eq!(Fen::parse(12_345_678).unwrap().to_string(), "¥123,456.78");
        assert_eq!(Fen::parse(5).unwrap().to_string(), "¥0.05");
    }

    #[test]
    fn times_show_in_shanghai() {
        // 2026-11-28T16:05:00Z is 2026-11-29 00:05 in Shanghai.
        let t = UtcMillis(1_795_881_900_000);
        assert_eq!(t.shanghai_text(), "11月29日 00:05");
        // 2024-02-29T15:59:59Z and one second later, across a leap day.
        assert_eq!(
            UtcMillis(1_709_222_399_000).shanghai_text(),
            "2月29日 23:59"
        );
        assert_eq!(UtcMillis(1_709_222_400_000).shanghai_text(), "3月1日 00:00");
        // Before 1970 too.
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(0), (1970, 1, 1));
    }

    #[test]
    fn windows_round_trip_through_their_codes() {
        for w in Window::ALL {
            assert_eq!(Window::parse(w.code()).unwrap(), w);
        }
        assert!(Window::parse("casino").is_err());
    }

    #[test]
    fn money_asks_need_an_amount_and_others_must_not_have_one() {
        assert!(Ask::from_parts("money", Some(100)).is_ok());
        assert!(Ask::from_parts("money", None).is_err());
        assert!(Ask::from_parts("money", Some(0)).is_err());
        assert!(Ask::from_parts("goods", Some(100)).is_err());
        assert_eq!(Ask::from_parts("service", None).unwrap(), Ask::Service);
        assert!(Ask::from_parts("lottery", None).is_err());
    }

    #[test]
    fn phones_are_normalised_mainland_mobiles() {
        assert_eq!(
            Phone::parse("138 1234 5678").unwrap().as_str(),
            "13812345678"
        );
        assert_eq!(
            Phone::parse("+86 138-1234-5678").unwrap().as_str(),
            "13812345678"
        );
        for bad in ["12812345678", "1381234567", "138123456789", "02512345678"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shanghai_dates_round_trip_and_periods_count_calendar_months() {
        let start = UtcMillis::from_shanghai_date(2026, 3, 31).unwrap();
        assert_eq!(start.shanghai_date_text(), "2026-03-31");
        assert_eq!(start.shanghai_text(), "3月31日 00:00");
        assert_eq!(UtcMillis::from_shanghai_date(2026, 2, 29), None);
        assert_eq!(
            UtcMillis::from_shanghai_date(2024, 2, 29)
                .unwrap()
                .shanghai_date_text(),
            "2024-02-29"
        );
        // 31 March minus one month is the end of February.
        assert_eq!(start.months_before(1).shanghai_date_text(), "2026-02-28");
        assert_eq!(start.months_before(12).shanghai_date_text(), "2025-03-31");
        assert_eq!(start.months_before(15).shanghai_date_text(), "2024-12-31");
        let afternoon = UtcMillis(start.0 + 15 * 3_600_000);
        assert_eq!(
            afternoon.months_before(12).0,
            start.months_before(12).0 + 15 * 3_600_000
        );
    }

    #[test]
    fn a_claim_is_due_fourteen_days_after_it_was_made_and_overdue_from_that_moment() {
        let terms = ClaimTerms::DEFAULT;
        let claimed = UtcMillis::from_shanghai_date(2026, 11, 28).unwrap();
        let due = terms.expires_at(claimed);
        assert_eq!(due.shanghai_date_text(), "2026-12-12");
        assert_eq!(due.0 - claimed.0, 14 * 86_400_000);
        // A controllable clock: a millisecond before, at, and after the moment.
        assert!(!ClaimTerms::is_overdue(due, UtcMillis(due.0 - 1)));
        assert!(ClaimTerms::is_overdue(due, due));
        assert!(ClaimTerms::is_overdue(due, UtcMillis(due.0 + 1)));
        let short = ClaimTerms {
            expiry_days: 1,
            max_open: 5,
        };
        assert_eq!(short.expires_at(claimed).shanghai_date_text(), "2026-11-29");
    }

    #[test]
    fn text_fields_refuse_empty_oversized_and_control_text() {
        assert_eq!(
            text_field("name", "称呼", " 王先生 ", 1, 30).unwrap(),
            "王先生"
        );
        let empty = text_field("name", "称呼", "   ", 1, 30).unwrap_err();
        assert_eq!(empty, AppError::invalid("name", "请填写称呼。"));
        assert!(text_field("name", "称呼", &"好".repeat(31), 1, 30).is_err());
        assert!(text_field("name", "称呼", "王\u{7}先生", 1, 30).is_err());
    }

    #[test]
    fn the_board_puts_urgent_then_newest_first() {
        let need = |id, urgency, created| PublicNeed {
            id: NeedId(id),
            window: Window::Medical,
            title: String::new(),
            story: String::new(),
            town: String::new(),
            village: String::new(),
            ask: Ask::Goods,
            urgency,
            status: NeedStatus::Published,
            created_at: UtcMillis(created),
            updated_at: UtcMillis(created),
            pledged_fen: 0,
        };
        let mut needs = [
            need(1, Urgency::Normal, 30),
            need(2, Urgency::Urgent, 10),
            need(3, Urgency::Urgent, 20),
        ];
        needs.sort_by(PublicNeed::board_order);
        let ids: Vec<i64> = needs.iter().map(|n| n.id.0).collect();
        assert_eq!(ids, [3, 2, 1]);
    }

    #[test]
    fn filters_admit_by_window_and_town() {
        let filter = BoardFilter {
            window: Some(Window::Education),
            town: Some("延陵镇".into()),
            pages: 0,
        };
        assert_eq!(
            filter.limit(),
            BoardFilter::PAGE_SIZE,
            "no pages means the first page"
        );
        let far = BoardFilter {
            pages: 1000,
            ..filter.clone()
        };
        assert_eq!(
            far.limit(),
            BoardFilter::PAGE_SIZE * i64::from(BoardFilter::MAX_PAGES)
        );
        let mut need = PublicNeed {
            id: NeedId(1),
            window: Window::Education,
            title: String::new(),
            story: String::new(),
            town: "延陵镇".into(),
            village: String::new(),
            ask: Ask::Goods,
            urgency: Urgency::Normal,
            status: NeedStatus::Published,
            created_at: UtcMillis(0),
            updated_at: UtcMillis(0),
            pledged_fen: 0,
        };
        assert!(filter.admits(&need));
        need.town = "司徒镇".into();
        assert!(!filter.admits(&need));
        assert!(BoardFilter::default().admits(&need));
    }
}
