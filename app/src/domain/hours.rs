//! Volunteer hours (志愿服务时长, #15): what a volunteer did, when and for how long, as they
//! record it; confirmed or refused by a coordinator of the town; totalled by month and in a
//! printable volunteer-service record (志愿服务记录证明) whose code anyone can verify. Parsed
//! here, at the edge; storage gets checked values only. An activity may name a need it served,
//! never anything of the household behind it.

use super::{refuse_contact_details, text_field, UtcMillis};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// The longest one activity may be: 12 hours.
pub const MAX_ACTIVITY_MINUTES: i64 = 720;
/// How far back an activity may be recorded, in days.
pub const RECORD_WITHIN_DAYS: i64 = 90;
/// The longest note, in characters.
pub const HOURS_NOTE_MAX: usize = 200;
/// The longest refusal reason, in characters.
pub const REFUSAL_MAX: usize = 200;
/// Activities one volunteer may record in 24 hours.
pub const ACTIVITIES_PER_DAY: u32 = 20;
/// Certificates (distinct periods or totals) one volunteer may have issued in 24 hours.
pub const CERTIFICATES_PER_DAY: u32 = 20;
/// The longest period one certificate covers, in days.
pub const CERTIFICATE_MAX_DAYS: i64 = 366;
/// The programme a certificate is issued by, under the city's brand.
pub fn programme(brand: &str) -> String {
    td_string!(crate::lang::locale(), domain.programme, brand = brand).to_string()
}

const DAY_MS: i64 = 86_400_000;
const MINUTE_MS: i64 = 60_000;

/// What kind of service an activity was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// 送达帮扶: took help to a family.
    Delivery,
    /// 入户走访: visited a household to take in or check a need.
    IntakeVisit,
    /// 服务活动: a service session (tutoring, care, repairs).
    ServiceSession,
    /// 培训: training.
    Training,
    Other,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 5] = [
        ActivityKind::Delivery,
        ActivityKind::IntakeVisit,
        ActivityKind::ServiceSession,
        ActivityKind::Training,
        ActivityKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActivityKind::Delivery => "delivery",
            ActivityKind::IntakeVisit => "intake_visit",
            ActivityKind::ServiceSession => "service_session",
            ActivityKind::Training => "training",
            ActivityKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::Delivery => {
                td_string!(crate::lang::locale(), domain.activity_kind.delivery)
            }
            ActivityKind::IntakeVisit => {
                td_string!(crate::lang::locale(), domain.activity_kind.intake_visit)
            }
            ActivityKind::ServiceSession => {
                td_string!(crate::lang::locale(), domain.activity_kind.service_session)
            }
            ActivityKind::Training => {
                td_string!(crate::lang::locale(), domain.activity_kind.training)
            }
            ActivityKind::Other => td_string!(crate::lang::locale(), domain.activity_kind.other),
        }
    }

    pub fn parse(code: &str) -> Result<ActivityKind, AppError> {
        ActivityKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    td_string!(crate::lang::locale(), errors.hours.choose_kind),
                )
            })
    }
}

/// Where an activity stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityStatus {
    Pending,
    Confirmed,
    Refused,
}

impl ActivityStatus {
    pub fn code(self) -> &'static str {
        match self {
            ActivityStatus::Pending => "pending",
            ActivityStatus::Confirmed => "confirmed",
            ActivityStatus::Refused => "refused",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ActivityStatus::Pending => {
                td_string!(crate::lang::locale(), domain.activity_status.pending)
            }
            ActivityStatus::Confirmed => {
                td_string!(crate::lang::locale(), domain.activity_status.confirmed)
            }
            ActivityStatus::Refused => {
                td_string!(crate::lang::locale(), domain.activity_status.refused)
            }
        }
    }

    pub fn parse(code: &str) -> Option<ActivityStatus> {
        [
            ActivityStatus::Pending,
            ActivityStatus::Confirmed,
            ActivityStatus::Refused,
        ]
        .into_iter()
        .find(|status| status.code() == code)
    }
}

/// What the record form posts, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityForm {
    pub kind: String,
    pub town: String,
    /// `2026-11-28`, the Shanghai date.
    pub date: String,
    /// `HH:MM`, Shanghai time; with `time_out`, instead of `hours`.
    pub time_in: String,
    pub time_out: String,
    /// Hours in half-hour steps (`1.5`), when no times are given.
    pub hours: String,
    /// A need it served (optional).
    pub need_id: String,
    pub note: String,
}

/// A checked activity, ready to store: in a town the volunteer serves, on a day within the
/// last [`RECORD_WITHIN_DAYS`] days, not in the future, 1 minute to 12 hours long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub town: String,
    /// Midnight (Shanghai) of its day.
    pub day: UtcMillis,
    /// Time in and out, when they were given.
    pub span: Option<(UtcMillis, UtcMillis)>,
    pub minutes: i64,
    pub need_id: Option<i64>,
    pub note: String,
}

/// Minutes after midnight of `HH:MM` (or `H:MM`); `Invalid` naming `field` otherwise.
fn clock(field: &str, text: &str) -> Result<i64, AppError> {
    let bad = || {
        AppError::invalid(
            field,
            td_string!(crate::lang::locale(), errors.hours.bad_clock),
        )
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max: usize| {
        (!s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    match (digits(h, 2), digits(m, 2)) {
        (Some(h), Some(m)) if h < 24 && m < 60 => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

/// Minutes of a duration in hours written in half-hour steps (`2`, `1.5`, `0.5`, `3.0`).
fn duration(text: &str) -> Result<i64, AppError> {
    let text = text.trim().trim_end_matches("小时").trim(); // i18n-allow: a unit people type after the number, read and dropped
    let bad = |message: &str| AppError::invalid("hours", message);
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 3 || !digits(whole) || !digits(fraction) {
        return Err(bad(td_string!(
            crate::lang::locale(),
            errors.hours.bad_duration
        )));
    }
    let half = match fraction.trim_end_matches('0') {
        "" => 0,
        "5" => 30,
        _ => {
            return Err(bad(td_string!(
                crate::lang::locale(),
                errors.hours.half_hours
            )))
        }
    };
    let minutes = whole.parse::<i64>().unwrap_or(i64::MAX / 2) * 60 + half;
    if minutes <= 0 {
        return Err(bad(td_string!(
            crate::lang::locale(),
            errors.hours.zero_duration
        )));
    }
    if minutes > MAX_ACTIVITY_MINUTES {
        return Err(bad(td_string!(
            crate::lang::locale(),
            errors.hours.too_long
        )));
    }
    Ok(minutes)
}

/// Midnight (Shanghai) of the day `at` falls on.
pub fn shanghai_midnight(at: UtcMillis) -> UtcMillis {
    const OFFSET_MS: i64 = 8 * 3_600_000;
    UtcMillis((at.0 + OFFSET_MS).div_euclid(DAY_MS) * DAY_MS - OFFSET_MS)
}

impl NewActivity {
    /// Parses the form of a volunteer who serves `towns`, at `now`. Each refusal names its
    /// field: `kind`, `town`, `date`, `time_in`, `time_out`, `hours`, `need_id`, `note`.
    pub fn parse(
        form: &ActivityForm,
        towns: &[String],
        now: UtcMillis,
    ) -> Result<NewActivity, AppError> {
        let kind = ActivityKind::parse(&form.kind)?;
        let town = form.town.trim();
        if town.is_empty() {
            return Err(AppError::invalid(
                "town",
                td_string!(crate::lang::locale(), errors.hours.choose_town),
            ));
        }
        if !towns.iter().any(|t| t == town) {
            return Err(AppError::invalid(
                "town",
                td_string!(crate::lang::locale(), errors.hours.not_your_town),
            ));
        }
        let day = UtcMillis::parse_shanghai_date(&form.date).ok_or_else(|| {
            AppError::invalid(
                "date",
                td_string!(crate::lang::locale(), errors.hours.bad_date),
            )
        })?;
        let today = shanghai_midnight(now);
        if day > today {
            return Err(AppError::invalid(
                "date",
                td_string!(crate::lang::locale(), errors.hours.future_date),
            ));
        }
        if day.0 < today.0 - RECORD_WITHIN_DAYS * DAY_MS {
            return Err(AppError::invalid(
                "date",
                td_string!(
                    crate::lang::locale(),
                    errors.hours.too_old,
                    days = RECORD_WITHIN_DAYS
                )
                .to_string(),
            ));
        }
        let times = !form.time_in.trim().is_empty() || !form.time_out.trim().is_empty();
        let (span, minutes) = if times {
            if !form.hours.trim().is_empty() {
                return Err(AppError::invalid(
                    "hours",
                    td_string!(crate::lang::locale(), errors.hours.times_and_duration),
                ));
            }
            if form.time_in.trim().is_empty() {
                return Err(AppError::invalid(
                    "time_in",
                    td_string!(crate::lang::locale(), errors.hours.no_start),
                ));
            }
            if form.time_out.trim().is_empty() {
                return Err(AppError::invalid(
                    "time_out",
                    td_string!(crate::lang::locale(), errors.hours.no_end),
                ));
            }
            let start = UtcMillis(day.0 + clock("time_in", &form.time_in)? * MINUTE_MS);
            let end = UtcMillis(day.0 + clock("time_out", &form.time_out)? * MINUTE_MS);
            if end <= start {
                return Err(AppError::invalid(
                    "time_out",
                    td_string!(crate::lang::locale(), errors.hours.end_before_start),
                ));
            }
            let minutes = (end.0 - start.0) / MINUTE_MS;
            if minutes > MAX_ACTIVITY_MINUTES {
                return Err(AppError::invalid(
                    "time_out",
                    td_string!(crate::lang::locale(), errors.hours.too_long),
                ));
            }
            if end > now {
                return Err(AppError::invalid(
                    "time_out",
                    td_string!(crate::lang::locale(), errors.hours.future_end),
                ));
            }
            (Some((start, end)), minutes)
        } else if form.hours.trim().is_empty() {
            return Err(AppError::invalid(
                "hours",
                td_string!(crate::lang::locale(), errors.hours.no_time),
            ));
        } else {
            (None, duration(&form.hours)?)
        };
        let need_id = match form.need_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    return Err(AppError::invalid(
                        "need_id",
                        td_string!(crate::lang::locale(), errors.hours.bad_need_id),
                    ))
                }
            },
        };
        let note = if form.note.trim().is_empty() {
            String::new()
        } else {
            let label = td_string!(crate::lang::locale(), domain.field.note);
            let note = text_field("note", label, &form.note, 1, HOURS_NOTE_MAX)?;
            refuse_contact_details("note", label, &note)?;
            note
        };
        Ok(NewActivity {
            kind,
            town: town.to_owned(),
            day,
            span,
            minutes,
            need_id,
            note,
        })
    }
}

/// Whether two spans of time share any moment (touching ends do not).
pub fn overlaps(a: (UtcMillis, UtcMillis), b: (UtcMillis, UtcMillis)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Why a coordinator refuses an activity: 1 to [`REFUSAL_MAX`] characters, no phone or ID
/// number (the volunteer reads it).
pub fn refusal_reason(text: &str) -> Result<String, AppError> {
    let label = td_string!(crate::lang::locale(), domain.field.refusal_reason);
    let reason = text_field("reason", label, text, 1, REFUSAL_MAX)?;
    refuse_contact_details("reason", label, &reason)?;
    Ok(reason)
}

/// `12.5 小时`, `1 小时`, `0.75 小时`: minutes as hours, to at most two decimals.
pub fn hours_text(minutes: i64) -> String {
    let hundredths = (minutes * 100 + 30) / 60;
    let (whole, part) = (hundredths / 100, hundredths % 100);
    let number = match part {
        0 => whole.to_string(),
        p if p % 10 == 0 => format!("{whole}.{}", p / 10),
        p => format!("{whole}.{p:02}"),
    };
    td_string!(crate::lang::locale(), domain.hours, number = number).to_string()
}

/// One activity as its volunteer, or a coordinator, sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityView {
    pub id: i64,
    pub volunteer_id: i64,
    pub volunteer_name: String,
    pub kind: ActivityKind,
    pub town: String,
    pub need_id: Option<i64>,
    pub note: String,
    pub day: UtcMillis,
    pub span: Option<(UtcMillis, UtcMillis)>,
    pub minutes: i64,
    pub status: ActivityStatus,
    pub coordinator_name: Option<String>,
    pub decided_at: Option<UtcMillis>,
    pub refusal_reason: Option<String>,
}

impl ActivityView {
    /// `2026-11-28 09:00–11:30` or `2026-11-28`.
    pub fn when_text(&self) -> String {
        let day = self.day.shanghai_date_text();
        match self.span {
            Some((start, end)) => {
                let clock = |at: UtcMillis| {
                    let text = at.shanghai_text();
                    text.rsplit(' ').next().unwrap_or_default().to_owned()
                };
                format!("{day} {}–{}", clock(start), clock(end))
            }
            None => day,
        }
    }
}

/// Confirmed minutes in one Shanghai month (`2026-11`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthHours {
    pub month: String,
    pub minutes: i64,
}

/// Totals confirmed minutes by Shanghai month, newest month first, from (day, minutes) rows.
pub fn by_month(rows: &[(UtcMillis, i64)]) -> Vec<MonthHours> {
    let mut months: Vec<MonthHours> = Vec::new();
    for (day, minutes) in rows {
        let month = day.shanghai_date_text()[..7].to_owned();
        match months.iter_mut().find(|m| m.month == month) {
            Some(found) => found.minutes += minutes,
            None => months.push(MonthHours {
                month,
                minutes: *minutes,
            }),
        }
    }
    months.sort_by(|a, b| b.month.cmp(&a.month));
    months
}

/// A volunteer's own page: their activities (newest first, a page at a time), their confirmed
/// totals, and the towns they may record for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyHours {
    pub activities: Vec<ActivityView>,
    /// The id to ask for the next (older) page with, if there is one.
    pub older: Option<i64>,
    pub months: Vec<MonthHours>,
    pub confirmed_minutes: i64,
    pub pending: i64,
    pub towns: Vec<String>,
    /// Today's Shanghai date (`2026-11-29`): the form's default and latest day.
    pub today: String,
}

/// A certificate's period: its first and last Shanghai days (the day after the last is the
/// end, exclusive). Refusals name `from` or `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HoursPeriod {
    pub from: UtcMillis,
    pub until: UtcMillis,
}

impl HoursPeriod {
    pub fn parse(from: &str, to: &str, now: UtcMillis) -> Result<HoursPeriod, AppError> {
        let from = UtcMillis::parse_shanghai_date(from).ok_or_else(|| {
            AppError::invalid(
                "from",
                td_string!(crate::lang::locale(), errors.hours.bad_from),
            )
        })?;
        let to = UtcMillis::parse_shanghai_date(to).ok_or_else(|| {
            AppError::invalid("to", td_string!(crate::lang::locale(), errors.hours.bad_to))
        })?;
        if to < from {
            return Err(AppError::invalid(
                "to",
                td_string!(crate::lang::locale(), errors.hours.to_before_from),
            ));
        }
        if to > shanghai_midnight(now) {
            return Err(AppError::invalid(
                "to",
                td_string!(crate::lang::locale(), errors.hours.future_to),
            ));
        }
        if (to.0 - from.0) / DAY_MS >= CERTIFICATE_MAX_DAYS {
            return Err(AppError::invalid(
                "from",
                td_string!(crate::lang::locale(), errors.hours.period_too_long),
            ));
        }
        Ok(HoursPeriod {
            from,
            until: UtcMillis(to.0 + DAY_MS),
        })
    }

    pub fn from_text(self) -> String {
        self.from.shanghai_date_text()
    }

    pub fn to_text(self) -> String {
        UtcMillis(self.until.0 - DAY_MS).shanghai_date_text()
    }
}

/// One line of a certificate: a confirmed activity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateLine {
    pub day: UtcMillis,
    pub kind: ActivityKind,
    pub town: String,
    pub minutes: i64,
    pub coordinator_name: String,
}

/// The volunteer-service record (志愿服务记录证明) of one person and period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursCertificate {
    pub code: String,
    pub volunteer_name: String,
    pub programme: String,
    pub from: String,
    pub to: String,
    pub total_minutes: i64,
    pub lines: Vec<CertificateLine>,
    pub issued_at: UtcMillis,
}

/// What the public verification page shows of a certificate: the name masked, the totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursVerification {
    pub masked_name: String,
    pub programme: String,
    pub from: String,
    pub to: String,
    pub total_minutes: i64,
    pub activities: i64,
    pub issued_at: UtcMillis,
}

/// A certificate's verification code: 12 characters of the family codes' alphabet (no
/// look-alikes), shown as `ABCD-EFGH-JKMN`.
pub struct CertificateCode;

impl CertificateCode {
    pub const LEN: usize = 12;

    pub fn from_random(bytes: [u8; 12]) -> String {
        let alphabet = super::FamilyCode::ALPHABET;
        let chars: String = bytes
            .iter()
            .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
            .collect();
        format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..])
    }

    /// The code as stored, from what someone typed (case, spaces and dashes do not matter);
    /// `None` if it cannot be one.
    pub fn normalise(text: &str) -> Option<String> {
        let chars: String = text
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = chars.len() == Self::LEN
            && chars
                .bytes()
                .all(|b| super::FamilyCode::ALPHABET.contains(&b));
        valid.then(|| format!("{}-{}-{}", &chars[..4], &chars[4..8], &chars[8..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29 at `h:m` Shanghai time.
    fn at(h: i64, m: i64) -> UtcMillis {
        let midnight = UtcMillis::from_shanghai_date(2026, 11, 29).unwrap();
        UtcMillis(midnight.0 + (h * 60 + m) * MINUTE_MS)
    }

    fn towns() -> Vec<String> {
        vec!["延陵镇".to_owned()]
    }

    fn form(date: &str, time_in: &str, time_out: &str, hours: &str) -> ActivityForm {
        ActivityForm {
            kind: "delivery".into(),
            town: "延陵镇".into(),
            date: date.into(),
            time_in: time_in.into(),
            time_out: time_out.into(),
            hours: hours.into(),
            need_id: String::new(),
            note: String::new(),
        }
    }

    fn field_of(error: AppError) -> String {
        match error {
            AppError::Invalid { field, .. } => field,
            other => panic!("not Invalid: {other:?}"),
        }
    }

    #[test]
    fn time_in_and_out_give_the_span_and_its_minutes() {
        let now = at(18, 0);
        let parsed =
            NewActivity::parse(&form("2026-11-29", "09:00", "11:30", ""), &towns(), now).unwrap();
        assert_eq!(parsed.minutes, 150);
        assert_eq!(parsed.span, Some((at(9, 0), at(11, 30))));
        assert_eq!(parsed.day, at(0, 0));
        assert_eq!(parsed.kind, ActivityKind::Delivery);
    }

    #[test]
    fn a_duration_in_half_hours_is_stored_as_minutes() {
        let now = at(18, 0);
        for (hours, minutes) in [
            ("2", 120),
            ("1.5", 90),
            ("0.5", 30),
            ("3.0", 180),
            ("12", 720),
        ] {
            let parsed =
                NewActivity::parse(&form("2026-11-28", "", "", hours), &towns(), now).unwrap();
            assert_eq!(parsed.minutes, minutes, "{hours}");
            assert_eq!(parsed.span, None);
        }
    }

    #[test]
    fn every_bad_input_names_its_field() {
        let now = at(18, 0);
        let cases = [
            (form("2026-11-29", "11:00", "11:00", ""), "time_out"),
            (form("2026-11-29", "11:00", "10:00", ""), "time_out"),
            (form("2026-11-29", "09:00", "", ""), "time_out"),
            (form("2026-11-29", "", "10:00", ""), "time_in"),
            (form("2026-11-29", "25:00", "26:00", ""), "time_in"),
            (form("2026-11-29", "9点", "10:00", ""), "time_in"),
            (form("2026-11-28", "05:00", "17:01", ""), "time_out"),
            (form("2026-11-29", "17:00", "19:00", ""), "time_out"),
            (form("2026-11-30", "", "", "2"), "date"),
            (form("2026-08-30", "", "", "2"), "date"),
            (form("昨天", "", "", "2"), "date"),
            (form("2026-02-30", "", "", "2"), "date"),
            (form("2026-11-29", "", "", "0"), "hours"),
            (form("2026-11-29", "", "", "-1"), "hours"),
            (form("2026-11-29", "", "", "1.25"), "hours"),
            (form("2026-11-29", "", "", "12.5"), "hours"),
            (form("2026-11-29", "", "", "两小时"), "hours"),
            (form("2026-11-29", "", "", ""), "hours"),
            (form("2026-11-29", "09:00", "10:00", "1"), "hours"),
        ];
        for (case, field) in cases {
            let error = NewActivity::parse(&case, &towns(), now).unwrap_err();
            assert_eq!(field_of(error), field, "{case:?}");
        }
        let mut other_town = form("2026-11-29", "", "", "1");
        other_town.town = "司徒镇".into();
        let error = NewActivity::parse(&other_town, &towns(), now).unwrap_err();
        assert_eq!(field_of(error), "town");
        let mut kind = form("2026-11-29", "", "", "1");
        kind.kind = "party".into();
        assert_eq!(
            field_of(NewActivity::parse(&kind, &towns(), now).unwrap_err()),
            "kind"
        );
        let mut need = form("2026-11-29", "", "", "1");
        need.need_id = "-3".into();
        assert_eq!(
            field_of(NewActivity::parse(&need, &towns(), now).unwrap_err()),
            "need_id"
        );
    }

    #[test]
    fn ninety_days_back_is_the_limit() {
        let now = at(18, 0);
        // 2026-08-31 is 90 days before 2026-11-29.
        assert!(NewActivity::parse(&form("2026-08-31", "", "", "1"), &towns(), now).is_ok());
        assert!(NewActivity::parse(&form("2026-08-30", "", "", "1"), &towns(), now).is_err());
    }

    #[test]
    fn a_note_is_bounded_and_carries_no_phone() {
        let now = at(18, 0);
        let mut ok = form("2026-11-29", "", "", "1");
        ok.note = "  陪同复诊 ".into();
        assert_eq!(
            NewActivity::parse(&ok, &towns(), now).unwrap().note,
            "陪同复诊"
        );
        for bad in [
            "多".repeat(HOURS_NOTE_MAX + 1),
            "请打 138 1234 5678".to_owned(),
        ] {
            let mut case = form("2026-11-29", "", "", "1");
            case.note = bad;
            let error = NewActivity::parse(&case, &towns(), now).unwrap_err();
            assert_eq!(field_of(error), "note");
        }
        assert_eq!(field_of(refusal_reason("  ").unwrap_err()), "reason");
        assert_eq!(refusal_reason(" 当天未参加 ").unwrap(), "当天未参加");
    }

    #[test]
    fn spans_overlap_unless_they_only_touch() {
        assert!(overlaps((at(9, 0), at(11, 0)), (at(10, 0), at(12, 0))));
        assert!(overlaps((at(9, 0), at(11, 0)), (at(9, 30), at(10, 0))));
        assert!(!overlaps((at(9, 0), at(11, 0)), (at(11, 0), at(12, 0))));
    }

    #[test]
    fn hours_read_as_people_write_them() {
        assert_eq!(hours_text(750), "12.5 小时");
        assert_eq!(hours_text(60), "1 小时");
        assert_eq!(hours_text(45), "0.75 小时");
        assert_eq!(hours_text(0), "0 小时");
    }

    #[test]
    fn months_total_in_shanghai_time_newest_first() {
        let nov = UtcMillis::from_shanghai_date(2026, 11, 1).unwrap();
        let oct = UtcMillis::from_shanghai_date(2026, 10, 31).unwrap();
        let months = by_month(&[(oct, 60), (nov, 90), (nov, 30)]);
        assert_eq!(
            months,
            vec![
                MonthHours {
                    month: "2026-11".into(),
                    minutes: 120
                },
                MonthHours {
                    month: "2026-10".into(),
                    minutes: 60
                }
            ]
        );
    }

    #[test]
    fn a_period_is_checked_and_ends_the_day_after_its_last() {
        let now = at(18, 0);
        let period = HoursPeriod::parse("2026-01-01", "2026-11-29", now).unwrap();
        assert_eq!(period.to_text(), "2026-11-29");
        assert_eq!(
            period.until,
            UtcMillis::from_shanghai_date(2026, 11, 30).unwrap()
        );
        for (from, to, field) in [
            ("x", "2026-11-01", "from"),
            ("2026-11-01", "", "to"),
            ("2026-11-02", "2026-11-01", "to"),
            ("2026-11-01", "2026-11-30", "to"),
            ("2024-11-01", "2026-11-01", "from"),
        ] {
            let error = HoursPeriod::parse(from, to, now).unwrap_err();
            assert_eq!(field_of(error), field, "{from} {to}");
        }
    }

    #[test]
    fn codes_read_back_however_they_are_typed() {
        let code = CertificateCode::from_random([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255]);
        assert_eq!(code.len(), 14);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(CertificateCode::normalise(&typed), Some(code));
        assert_eq!(CertificateCode::normalise("OOOO-0000-1111"), None);
        assert_eq!(CertificateCode::normalise("ABC"), None);
    }
}
