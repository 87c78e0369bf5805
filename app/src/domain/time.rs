//! Time: UTC milliseconds in storage, the Shanghai calendar on screen.

use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// The months as English dates name them (`28 Nov 16:05`).
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

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

    /// `11月28日 16:05` (`28 Nov 16:05` in English), in Shanghai time.
    pub fn shanghai_text(self) -> String {
        let seconds = self.0.div_euclid(1000) + i64::from(Self::SHANGHAI_OFFSET_SECONDS);
        let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (_, month, day) = civil_from_days(days);
        let time = format!("{:02}:{:02}", of_day / 3600, of_day % 3600 / 60);
        let month_name = MONTH_NAMES[usize::try_from(month - 1).unwrap_or(0) % 12];
        td_string!(
            crate::lang::locale(),
            domain.date_time,
            month = month,
            day = day,
            month_name = month_name,
            time = time
        )
        .to_string()
    }

    /// `2026-11-28`, the date in Shanghai (the same in every language).
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

    /// Midnight at the start of a Shanghai date written `2026-03-15` (or `2026/3/15`), or
    /// `None` for text that is not a real date.
    pub fn parse_shanghai_date(text: &str) -> Option<UtcMillis> {
        let date = text.trim().replace('/', "-");
        let parts: Vec<&str> = date.split('-').collect();
        match parts.as_slice() {
            [y, m, d] => match (y.parse(), m.parse(), d.parse()) {
                (Ok(y), Ok(m), Ok(d)) => UtcMillis::from_shanghai_date(y, m, d),
                _ => None,
            },
            _ => None,
        }
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
pub(super) fn civil_from_days(days: i64) -> (i64, i64, i64) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_as_a_date_and_time_in_either_language() {
        let at = UtcMillis(1_764_347_100_000); // 2025-11-29 00:25 in Shanghai
        assert_eq!(at.shanghai_text(), "11月29日 00:25");
        let owner = leptos::prelude::Owner::new();
        owner.with(|| {
            crate::lang::provide_locale(crate::lang::Locale::en);
            assert_eq!(at.shanghai_text(), "29 Nov 00:25");
        });
    }
}
