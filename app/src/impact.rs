//! What was done, for everyone to see: the public impact board's figures. Public data only
//! (counts and sums; no household, no donor).

use crate::domain::{EventId, UtcMillis};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// One bar of a chart: a window, a town or a month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub label: String,
    pub published: i64,
    pub fulfilled: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    /// The event log position these figures are current as of (the page streams from it).
    pub as_of: EventId,
    /// Needs that reached the board, were claimed (fully), and were fulfilled.
    pub published: i64,
    pub claimed: i64,
    pub fulfilled: i64,
    /// Money in confirmed deliveries, in fen.
    pub money_delivered_fen: i64,
    /// Confirmed deliveries of goods, and of services.
    pub goods_delivered: i64,
    pub services_delivered: i64,
    /// Service sessions (送服务) a family attended, booked onto a provider's offer.
    #[serde(default)]
    pub service_sessions: i64,
    /// Households with at least one confirmed delivery.
    pub households_helped: i64,
    pub by_window: Vec<Tally>,
    pub by_town: Vec<Tally>,
    /// The last twelve months, oldest first (Shanghai calendar).
    pub by_month: Vec<Tally>,
    /// Median minutes from reaching the board to the first claim, and to fulfilment.
    pub median_minutes_to_claim: Option<i64>,
    pub median_minutes_to_fulfil: Option<i64>,
}

/// The median of `values` (the lower middle for an even count), or `None` for none.
pub fn median(mut values: Vec<i64>) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    Some(values[(values.len() - 1) / 2])
}

/// `3 天 4 小时`, `5 小时 12 分`, `8 分钟`: a duration as a person reads it.
pub fn duration_text(minutes: i64) -> String {
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    match (days, hours) {
        (0, 0) => {
            td_string!(crate::lang::locale(), domain.duration.minutes, mins = mins).to_string()
        }
        (0, _) => td_string!(
            crate::lang::locale(),
            domain.duration.hours_minutes,
            hours = hours,
            mins = mins
        )
        .to_string(),
        _ => td_string!(
            crate::lang::locale(),
            domain.duration.days_hours,
            days = days,
            hours = hours
        )
        .to_string(),
    }
}

/// `2026-11`: the Shanghai month of a moment.
pub fn month_of(at: UtcMillis) -> String {
    at.shanghai_date_text()[..7].to_owned()
}

/// The twelve months up to and including `now`'s, oldest first.
pub fn last_twelve_months(now: UtcMillis) -> Vec<String> {
    (0..12)
        .rev()
        .map(|back| month_of(now.months_before(back)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_is_the_middle_value() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30, 10, 20]), Some(20));
        assert_eq!(median(vec![40, 10, 30, 20]), Some(20));
    }

    #[test]
    fn durations_and_months_read_naturally() {
        assert_eq!(duration_text(8), "8 分钟");
        assert_eq!(duration_text(312), "5 小时 12 分");
        assert_eq!(duration_text(3 * 1440 + 250), "3 天 4 小时");
        let now = UtcMillis::from_shanghai_date(2026, 3, 31).unwrap();
        let months = last_twelve_months(now);
        assert_eq!(months.first().unwrap(), "2025-04");
        assert_eq!(months.last().unwrap(), "2026-03");
        assert_eq!(months.len(), 12);
    }
}
