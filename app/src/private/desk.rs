//! The supervision desk (总服务台) for the city's officials: what is stuck, how needs flow,
//! where donors are not reaching, referrals to government programmes, and one need's full
//! trail. Officials never see a household's identity: a household appears only as its
//! [`HouseholdLabel`], the same for every need of that household and meaningless outside.

use crate::domain::{Fen, NeedId, NeedStatus, UtcMillis, Window};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// A household as the desk shows it: `户·3F9A2C`, derived from the household's matchable key
/// by a one-way hash, so the same family has the same label on every row and every need,
/// and nothing about who they are.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HouseholdLabel(pub String);

impl HouseholdLabel {
    #[cfg(feature = "ssr")]
    pub fn from_key(id_key: &str) -> HouseholdLabel {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("wanshan household label\n{id_key}").as_bytes());
        HouseholdLabel(
            td_string!(
                crate::lang::locale(),
                desk.household_label,
                code = hex::encode_upper(&digest[..3])
            )
            .to_string(),
        )
    }

    /// A need entered without a household (the demo seed, tests).
    pub fn none() -> HouseholdLabel {
        HouseholdLabel("—".into())
    }
}

/// The stages where a need can wait too long, in the order a need passes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeskStage {
    /// Submitted, waiting for the village council group.
    CouncilReview,
    /// Approved by the council, waiting for the volunteer's review.
    VolunteerReview,
    /// On the board with no claim (a money need still short of its amount counts).
    Unclaimed,
    /// Claimed, not yet delivered.
    Undelivered,
    /// Delivered, not yet confirmed by a volunteer or the family.
    Unconfirmed,
}

impl DeskStage {
    pub const ALL: [DeskStage; 5] = [
        DeskStage::CouncilReview,
        DeskStage::VolunteerReview,
        DeskStage::Unclaimed,
        DeskStage::Undelivered,
        DeskStage::Unconfirmed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeskStage::CouncilReview => "council",
            DeskStage::VolunteerReview => "volunteer",
            DeskStage::Unclaimed => "unclaimed",
            DeskStage::Undelivered => "undelivered",
            DeskStage::Unconfirmed => "unconfirmed",
        }
    }

    pub fn parse(code: &str) -> Result<DeskStage, AppError> {
        DeskStage::ALL
            .into_iter()
            .find(|stage| stage.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "stage",
                    td_string!(crate::lang::locale(), desk.errors.no_stage, code = code)
                        .to_string(),
                )
            })
    }

    pub fn label(self) -> &'static str {
        let locale = crate::lang::locale();
        match self {
            DeskStage::CouncilReview => td_string!(locale, desk.stage.council),
            DeskStage::VolunteerReview => td_string!(locale, desk.stage.volunteer),
            DeskStage::Unclaimed => td_string!(locale, desk.stage.unclaimed),
            DeskStage::Undelivered => td_string!(locale, desk.stage.undelivered),
            DeskStage::Unconfirmed => td_string!(locale, desk.stage.unconfirmed),
        }
    }

    fn index(self) -> usize {
        DeskStage::ALL
            .iter()
            .position(|stage| *stage == self)
            .unwrap_or(0)
    }
}

/// How many days each stage may take before the desk lists a need as overdue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueLimits(pub [u32; 5]);

impl OverdueLimits {
    pub const DEFAULT: OverdueLimits = OverdueLimits([3, 3, 30, 7, 7]);

    pub fn days(self, stage: DeskStage) -> u32 {
        self.0[stage.index()]
    }

    /// Parses `council=3,volunteer=3,unclaimed=30,undelivered=7,unconfirmed=7` (any subset;
    /// the rest keep `base`'s). Each limit is 1 to 365 days.
    pub fn parse(text: &str, base: OverdueLimits) -> Result<OverdueLimits, String> {
        let mut limits = base;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (code, days) = part
                .split_once('=')
                .ok_or_else(|| format!("“{part}” should be stage=days"))?;
            let stage = DeskStage::parse(code.trim()).map_err(|_| {
                format!(
                    "unknown stage “{}” (council, volunteer, unclaimed, undelivered, unconfirmed)",
                    code.trim()
                )
            })?;
            let days: u32 = days
                .trim()
                .parse()
                .ok()
                .filter(|d| (1..=365).contains(d))
                .ok_or_else(|| format!("{}: days must be 1 to 365", stage.code()))?;
            limits.0[stage.index()] = days;
        }
        Ok(limits)
    }
}

/// What the desk looks at: one town or the whole city, a period of Shanghai dates.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeskScope {
    pub town: Option<String>,
    /// Inclusive first day, `2026-01-01`; empty: twelve months before today.
    pub from: String,
    /// Inclusive last day; empty: today.
    pub to: String,
}

/// A need that has waited longer than its stage allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueNeed {
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    pub town: String,
    pub household: HouseholdLabel,
    /// When it entered the stage.
    pub since: UtcMillis,
    /// Whole days waited.
    pub days: i64,
}

/// One stage's overdue needs, oldest first (at most [`OverdueList::SHOWN`] rows; `total` all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueList {
    pub stage: DeskStage,
    pub limit_days: u32,
    pub needs: Vec<OverdueNeed>,
    pub total: i64,
}

impl OverdueList {
    pub const SHOWN: i64 = 200;
}

/// Overdue counts of one town, per stage in [`DeskStage::ALL`]'s order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownOverdue {
    pub town: String,
    pub counts: [i64; 5],
}

/// The flow of one month and window: how many needs did what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowRow {
    /// `2026-11` (Shanghai).
    pub month: String,
    pub window: Option<Window>,
    pub entered: i64,
    pub returned: i64,
    pub published: i64,
    pub claimed: i64,
    pub fulfilled: i64,
    pub referred: i64,
    /// Review decisions made.
    pub reviews: i64,
    /// Review decisions made over a duplicate-aid warning.
    pub warned: i64,
    /// Of those, approvals.
    pub approved_over_warning: i64,
}

impl FlowRow {
    pub fn add(&mut self, other: &FlowRow) {
        self.entered += other.entered;
        self.returned += other.returned;
        self.published += other.published;
        self.claimed += other.claimed;
        self.fulfilled += other.fulfilled;
        self.referred += other.referred;
        self.reviews += other.reviews;
        self.warned += other.warned;
        self.approved_over_warning += other.approved_over_warning;
    }

    /// Percent of review decisions made over a warning, one decimal (`—` for none).
    pub fn warning_rate(&self) -> String {
        percent(self.warned, self.reviews)
    }

    /// Percent of decisions over a warning that approved anyway.
    pub fn approval_over_warning_rate(&self) -> String {
        percent(self.approved_over_warning, self.warned)
    }
}

pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// The median time a stage took, over needs that passed it in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTime {
    pub stage: DeskStage,
    pub median_ms: Option<i64>,
    pub passed: i64,
}

/// `2.5 天` or `5.0 小时`.
pub fn duration_text(ms: i64) -> String {
    let locale = crate::lang::locale();
    let hours = ms as f64 / 3_600_000.0;
    if hours >= 48.0 {
        td_string!(
            locale,
            desk.duration_days,
            n = format!("{:.1}", hours / 24.0)
        )
        .to_string()
    } else {
        td_string!(locale, desk.duration_hours, n = format!("{hours:.1}")).to_string()
    }
}

/// A reason needs were sent back, and how often.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnReason {
    pub reason: String,
    pub count: i64,
}

/// The flow figures of a period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// By month and window, months ascending.
    pub rows: Vec<FlowRow>,
    pub total: FlowRow,
    pub stage_times: Vec<StageTime>,
    pub return_reasons: Vec<ReturnReason>,
}

/// Open needs of one window and town against what donors did there in the last 30 days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyRow {
    pub window: Window,
    pub town: String,
    pub open_needs: i64,
    /// What open money needs still lack.
    pub open_money: Fen,
    pub claims_30d: i64,
    pub claimed_money_30d: Fen,
}

/// Where a referral stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralOutcome {
    Granted,
    Refused,
    Withdrawn,
}

impl ReferralOutcome {
    pub const ALL: [ReferralOutcome; 3] = [
        ReferralOutcome::Granted,
        ReferralOutcome::Refused,
        ReferralOutcome::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReferralOutcome::Granted => "granted",
            ReferralOutcome::Refused => "refused",
            ReferralOutcome::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Result<ReferralOutcome, AppError> {
        ReferralOutcome::ALL
            .into_iter()
            .find(|o| o.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "outcome",
                    td_string!(crate::lang::locale(), desk.errors.choose_outcome),
                )
            })
    }

    pub fn label(self) -> &'static str {
        self.label_in(crate::lang::locale())
    }

    /// The label in `locale` (the trail and the aid history store it in the city's language).
    pub fn label_in(self, locale: crate::lang::Locale) -> &'static str {
        match self {
            ReferralOutcome::Granted => td_string!(locale, desk.outcome.granted),
            ReferralOutcome::Refused => td_string!(locale, desk.outcome.refused),
            ReferralOutcome::Withdrawn => td_string!(locale, desk.outcome.withdrawn),
        }
    }
}

/// What a reviewer typed to refer a need, parsed: a programme from the configured list, a
/// due date from today to a year ahead, a note of at most 200 characters (optional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferralRequest {
    pub programme: String,
    pub due: UtcMillis,
    pub note: String,
}

impl ReferralRequest {
    pub fn parse(
        programmes: &[String],
        programme: &str,
        due: &str,
        note: &str,
        today: UtcMillis,
    ) -> Result<ReferralRequest, AppError> {
        let locale = crate::lang::locale();
        let programme = programme.trim();
        if !programmes.iter().any(|p| p == programme) {
            return Err(AppError::invalid(
                "programme",
                td_string!(
                    locale,
                    desk.errors.choose_programme,
                    list = programmes.join(td_string!(locale, desk.errors.list_separator))
                )
                .to_string(),
            ));
        }
        let due_at = UtcMillis::parse_shanghai_date(due)
            .ok_or_else(|| AppError::invalid("due", td_string!(locale, desk.errors.due_missing)))?;
        let start_of_today =
            UtcMillis::parse_shanghai_date(&today.shanghai_date_text()).unwrap_or(today);
        if due_at < start_of_today || due_at.0 > today.0 + 366 * 86_400_000 {
            return Err(AppError::invalid(
                "due",
                td_string!(locale, desk.errors.due_range),
            ));
        }
        let label = td_string!(locale, desk.errors.referral_note_label);
        let note = match note.trim() {
            "" => String::new(),
            typed => crate::domain::text_field("note", label, typed, 1, 200)?,
        };
        crate::domain::refuse_contact_details("note", label, &note)?;
        Ok(ReferralRequest {
            programme: programme.to_owned(),
            // The end of the due day: due means "by then".
            due: UtcMillis(due_at.0 + 86_400_000 - 1),
            note,
        })
    }
}

/// A recorded outcome, parsed: granted needs an amount in yuan (zero for help in kind),
/// the others none; the note at most 200 characters.
pub fn referral_outcome(
    outcome: &str,
    amount: &str,
    note: &str,
) -> Result<(ReferralOutcome, Option<Fen>, String), AppError> {
    let locale = crate::lang::locale();
    let outcome = ReferralOutcome::parse(outcome)?;
    let granted = match (outcome, amount.trim()) {
        (ReferralOutcome::Granted, "0") => Some(Fen::from_stored(0)),
        (ReferralOutcome::Granted, typed) => Some(Fen::parse_yuan(typed)?),
        (_, "") => None,
        (_, _) => {
            return Err(AppError::invalid(
                "amount",
                td_string!(locale, desk.errors.amount_only_granted),
            ))
        }
    };
    let label = td_string!(locale, desk.errors.note_label);
    let note = match note.trim() {
        "" => String::new(),
        typed => crate::domain::text_field("note", label, typed, 1, 200)?,
    };
    crate::domain::refuse_contact_details("note", label, &note)?;
    Ok((outcome, granted, note))
}

/// A need referred to a government programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: i64,
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    pub town: String,
    pub household: HouseholdLabel,
    pub programme: String,
    pub referred_at: UtcMillis,
    pub due_at: UtcMillis,
    pub note: String,
    pub outcome: Option<ReferralOutcome>,
    pub granted: Option<Fen>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<UtcMillis>,
    /// Whether the reader may record its outcome.
    pub can_record: bool,
}

/// Everything `/desk` shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Desk {
    pub scope: DeskScope,
    /// The towns the reader may look at (`None` for the whole city's reader: every town).
    pub towns: Vec<String>,
    pub city_wide: bool,
    pub overdue: Vec<OverdueList>,
    pub by_town: Vec<TownOverdue>,
    pub flow: Flow,
    pub supply: Vec<SupplyRow>,
    /// Referrals awaiting their outcome, by due date.
    pub referrals: Vec<Referral>,
    pub open_reports: i64,
    pub now: UtcMillis,
}

/// One step in a need's full trail, as officials see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailStep {
    pub at: UtcMillis,
    pub what: String,
    /// Staff by name and role; donors and the public by role.
    pub who: String,
    pub detail: String,
}

/// One opening of the household's private file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOpening {
    pub at: UtcMillis,
    pub who: String,
    pub page: String,
}

/// `/desk/needs/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedTrail {
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    pub town: String,
    pub status: NeedStatus,
    pub household: HouseholdLabel,
    pub steps: Vec<TrailStep>,
    pub openings: Vec<FileOpening>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_any_subset_and_refuse_nonsense() {
        let limits =
            OverdueLimits::parse("council=5, unconfirmed=2", OverdueLimits::DEFAULT).unwrap();
        assert_eq!(limits.days(DeskStage::CouncilReview), 5);
        assert_eq!(limits.days(DeskStage::VolunteerReview), 3);
        assert_eq!(limits.days(DeskStage::Unconfirmed), 2);
        assert_eq!(
            OverdueLimits::parse("", OverdueLimits::DEFAULT).unwrap(),
            OverdueLimits::DEFAULT
        );
        assert!(OverdueLimits::parse("council=0", OverdueLimits::DEFAULT).is_err());
        assert!(OverdueLimits::parse("council=400", OverdueLimits::DEFAULT).is_err());
        assert!(OverdueLimits::parse("lunch=3", OverdueLimits::DEFAULT)
            .unwrap_err()
            .contains("lunch"));
        assert!(OverdueLimits::parse("council", OverdueLimits::DEFAULT).is_err());
    }

    #[test]
    fn a_household_label_is_stable_and_says_nothing() {
        let key = "3a5f0c9d1e";
        let label = HouseholdLabel::from_key(key);
        assert_eq!(label, HouseholdLabel::from_key(key));
        assert_ne!(label, HouseholdLabel::from_key("3a5f0c9d1f"));
        assert!(label.0.starts_with("户·"));
        assert_eq!(label.0.chars().count(), 8);
        assert!(!label.0.contains(key));
    }

    #[test]
    fn a_referral_names_a_known_programme_and_a_date_within_a_year() {
        let programmes = vec!["医疗救助".to_owned(), "临时救助".to_owned()];
        let today = UtcMillis::from_shanghai_date(2026, 11, 29).unwrap();
        let ok = ReferralRequest::parse(&programmes, "医疗救助", "2026-12-31", " 请核实 ", today)
            .unwrap();
        assert_eq!(ok.note, "请核实");
        assert_eq!(ok.due.shanghai_date_text(), "2026-12-31");
        assert!(ReferralRequest::parse(&programmes, "医疗救助", "2026-11-29", "", today).is_ok());
        let field = |r: Result<ReferralRequest, AppError>| match r.unwrap_err() {
            AppError::Invalid { field, .. } => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(ReferralRequest::parse(
                &programmes,
                "买房补贴",
                "2026-12-31",
                "",
                today
            )),
            "programme"
        );
        assert_eq!(
            field(ReferralRequest::parse(
                &programmes,
                "医疗救助",
                "2026-11-28",
                "",
                today
            )),
            "due"
        );
        assert_eq!(
            field(ReferralRequest::parse(
                &programmes,
                "医疗救助",
                "2028-01-01",
                "",
                today
            )),
            "due"
        );
        assert_eq!(
            field(ReferralRequest::parse(
                &programmes,
                "医疗救助",
                "明天",
                "",
                today
            )),
            "due"
        );
        assert_eq!(
            field(ReferralRequest::parse(
                &programmes,
                "医疗救助",
                "2026-12-01",
                "电话13812345678",
                today
            )),
            "note"
        );
    }

    #[test]
    fn an_outcome_has_an_amount_only_when_granted() {
        let (outcome, amount, _) = referral_outcome("granted", "1200.50", "").unwrap();
        assert_eq!(
            (outcome, amount),
            (ReferralOutcome::Granted, Some(Fen::from_stored(120_050)))
        );
        assert_eq!(
            referral_outcome("granted", "0", "").unwrap().1,
            Some(Fen::from_stored(0))
        );
        assert!(referral_outcome("granted", "", "").is_err());
        assert!(referral_outcome("refused", "100", "").is_err());
        assert_eq!(
            referral_outcome("refused", "", "不符合条件").unwrap().1,
            None
        );
        assert!(referral_outcome("maybe", "", "").is_err());
    }

    #[test]
    fn rates_and_durations_read_plainly() {
        assert_eq!(percent(1, 3), "33.3%");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(duration_text(5 * 3_600_000), "5.0 小时");
        assert_eq!(duration_text(60 * 3_600_000), "2.5 天");
    }
}
