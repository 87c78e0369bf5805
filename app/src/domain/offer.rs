//! Non-material help (送思想、送文化、送服务): service offers as the public sees them, their
//! time slots and places, and the rules an offer's form is checked against.

use super::{refuse_contact_details, refuse_web_addresses, text_field, UtcMillis, Window};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OfferId(pub i64);

impl fmt::Display for OfferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of help an offer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Tutoring,
    Legal,
    Health,
    Repair,
    Culture,
    Care,
    Other,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 7] = [
        ServiceKind::Tutoring,
        ServiceKind::Legal,
        ServiceKind::Health,
        ServiceKind::Repair,
        ServiceKind::Culture,
        ServiceKind::Care,
        ServiceKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceKind::Tutoring => "tutoring",
            ServiceKind::Legal => "legal",
            ServiceKind::Health => "health",
            ServiceKind::Repair => "repair",
            ServiceKind::Culture => "culture",
            ServiceKind::Care => "care",
            ServiceKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ServiceKind::Tutoring => {
                td_string!(crate::lang::locale(), domain.service_kind.tutoring)
            }
            ServiceKind::Legal => td_string!(crate::lang::locale(), domain.service_kind.legal),
            ServiceKind::Health => td_string!(crate::lang::locale(), domain.service_kind.health),
            ServiceKind::Repair => td_string!(crate::lang::locale(), domain.service_kind.repair),
            ServiceKind::Culture => td_string!(crate::lang::locale(), domain.service_kind.culture),
            ServiceKind::Care => td_string!(crate::lang::locale(), domain.service_kind.care),
            ServiceKind::Other => td_string!(crate::lang::locale(), domain.service_kind.other),
        }
    }

    pub fn parse(code: &str) -> Result<ServiceKind, AppError> {
        ServiceKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    td_string!(crate::lang::locale(), errors.offer.choose_kind),
                )
            })
    }
}

/// Where an offer is in its life: awaiting a volunteer's review, public, sent back to its
/// provider with a reason, or closed (by its provider, or once every slot is past).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfferStatus {
    Review,
    Published,
    Returned,
    Closed,
}

impl OfferStatus {
    pub fn code(self) -> &'static str {
        match self {
            OfferStatus::Review => "review",
            OfferStatus::Published => "published",
            OfferStatus::Returned => "returned",
            OfferStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Result<OfferStatus, AppError> {
        match code {
            "review" => Ok(OfferStatus::Review),
            "published" => Ok(OfferStatus::Published),
            "returned" => Ok(OfferStatus::Returned),
            "closed" => Ok(OfferStatus::Closed),
            _ => Err(AppError::invalid(
                "status",
                format!("unknown offer status {code}"),
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OfferStatus::Review => td_string!(crate::lang::locale(), domain.offer_status.review),
            OfferStatus::Published => {
                td_string!(crate::lang::locale(), domain.offer_status.published)
            }
            OfferStatus::Returned => {
                td_string!(crate::lang::locale(), domain.offer_status.returned)
            }
            OfferStatus::Closed => td_string!(crate::lang::locale(), domain.offer_status.closed),
        }
    }
}

/// One time an offer is given, with its places.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub id: i64,
    pub starts_at: UtcMillis,
    pub ends_at: UtcMillis,
    pub places: i64,
    pub booked: i64,
}

impl Slot {
    pub fn free(&self) -> i64 {
        (self.places - self.booked).max(0)
    }

    /// What a list says of its places: `余 3 / 5 个名额`, or `已约满`.
    pub fn places_text(booked: i64, places: i64) -> String {
        let free = (places - booked).max(0);
        if free > 0 {
            td_string!(
                crate::lang::locale(),
                domain.slot.places_left,
                free = free,
                places = places
            )
            .to_string()
        } else {
            td_string!(crate::lang::locale(), domain.slot.full).to_owned()
        }
    }

    /// `12月5日 14:00–16:00`, in Shanghai time.
    pub fn when(&self) -> String {
        let end = self.ends_at.shanghai_text();
        let end_time = end.rsplit(' ').next().unwrap_or_default().to_owned();
        format!("{}–{end_time}", self.starts_at.shanghai_text())
    }
}

/// A service offer as anyone may see it: the provider's public name, what, where and when,
/// and how many places are left. Never a family.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicOffer {
    pub id: OfferId,
    pub provider: String,
    pub kind: ServiceKind,
    pub window: Window,
    pub title: String,
    pub description: String,
    pub towns: Vec<String>,
    pub status: OfferStatus,
    /// Slots still to come, earliest first.
    pub slots: Vec<Slot>,
}

impl PublicOffer {
    pub fn free_places(&self) -> i64 {
        self.slots.iter().map(Slot::free).sum()
    }
}

/// A slot's time as a provider writes it, before it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotTime {
    pub starts_at: UtcMillis,
    pub ends_at: UtcMillis,
}

/// An offer's form, checked: what the provider asks to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewOffer {
    pub kind: ServiceKind,
    pub window: Window,
    pub title: String,
    pub description: String,
    pub towns: Vec<String>,
    pub slots: Vec<SlotTime>,
    pub places: i64,
}

impl NewOffer {
    /// Most slots one offer may have (its repeats included).
    pub const MAX_SLOTS: usize = 40;
    pub const MAX_PLACES: i64 = 500;
    pub const MAX_REPEAT_WEEKS: u32 = 12;
    /// The longest a slot may be.
    const MAX_SLOT_MILLIS: i64 = 12 * 3_600_000;
    /// How far ahead a slot may be.
    const MAX_AHEAD_MILLIS: i64 = 366 * 86_400_000;

    /// Checks an offer's form. `towns` are the towns it serves, each one of `known` (the city's
    /// towns); `slots` one per line, `2026-12-05 14:00-16:00`, each repeated weekly
    /// `repeat_weeks` more times; `places` per slot. Every slot must lie ahead of `now`, within
    /// a year, at most twelve hours long, and overlap no other.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        kind: &str,
        window: &str,
        title: &str,
        description: &str,
        towns: &[String],
        known: &[String],
        slots: &str,
        repeat_weeks: &str,
        places: &str,
        now: UtcMillis,
    ) -> Result<NewOffer, AppError> {
        let kind = ServiceKind::parse(kind)?;
        let locale = crate::lang::locale();
        let window = Window::parse(window).map_err(|_| {
            AppError::invalid("window", td_string!(locale, errors.offer.choose_window))
        })?;
        let label = td_string!(locale, domain.field.offer_title);
        let title = text_field("title", label, title, 4, 40)?;
        refuse_contact_details("title", label, &title)?;
        refuse_web_addresses("title", label, &title)?;
        let label = td_string!(locale, domain.field.offer_description);
        let description = text_field("description", label, description, 10, 1000)?;
        refuse_contact_details("description", label, &description)?;
        refuse_web_addresses("description", label, &description)?;
        let chosen = super::pick_towns(towns, known)?;
        if chosen.is_empty() {
            return Err(AppError::invalid(
                "towns",
                td_string!(locale, errors.offer.no_towns),
            ));
        }
        let places: i64 = places.trim().parse().map_err(|_| {
            AppError::invalid(
                "places",
                td_string!(locale, errors.offer.places_not_a_number),
            )
        })?;
        if !(1..=Self::MAX_PLACES).contains(&places) {
            return Err(AppError::invalid(
                "places",
                td_string!(locale, errors.offer.places_range, max = Self::MAX_PLACES).to_string(),
            ));
        }
        let repeat: u32 = match repeat_weeks.trim() {
            "" => 0,
            text => text
                .parse()
                .ok()
                .filter(|weeks| *weeks <= Self::MAX_REPEAT_WEEKS)
                .ok_or_else(|| {
                    AppError::invalid(
                        "repeat_weeks",
                        td_string!(
                            locale,
                            errors.offer.repeat_range,
                            max = Self::MAX_REPEAT_WEEKS
                        )
                        .to_string(),
                    )
                })?,
        };
        let mut times = Vec::new();
        for line in slots.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let first = parse_slot_line(line)?;
            for week in 0..=i64::from(repeat) {
                let shift = week * 7 * 86_400_000;
                times.push(SlotTime {
                    starts_at: UtcMillis(first.starts_at.0 + shift),
                    ends_at: UtcMillis(first.ends_at.0 + shift),
                });
                if times.len() > Self::MAX_SLOTS {
                    return Err(AppError::invalid(
                        "slots",
                        td_string!(locale, errors.offer.too_many_slots, max = Self::MAX_SLOTS)
                            .to_string(),
                    ));
                }
            }
        }
        if times.is_empty() {
            return Err(AppError::invalid(
                "slots",
                td_string!(locale, errors.offer.no_slots),
            ));
        }
        for time in &times {
            if time.starts_at <= now {
                return Err(AppError::invalid(
                    "slots",
                    td_string!(
                        locale,
                        errors.offer.slot_past,
                        slot = time.starts_at.shanghai_text()
                    )
                    .to_string(),
                ));
            }
            if time.starts_at.0 - now.0 > Self::MAX_AHEAD_MILLIS {
                return Err(AppError::invalid(
                    "slots",
                    td_string!(locale, errors.offer.slot_too_far),
                ));
            }
        }
        times.sort_by_key(|t| t.starts_at);
        if let Some(pair) = times.windows(2).find(|p| p[1].starts_at < p[0].ends_at) {
            return Err(AppError::invalid(
                "slots",
                td_string!(
                    locale,
                    errors.offer.slots_overlap,
                    first = pair[0].starts_at.shanghai_text(),
                    second = pair[1].starts_at.shanghai_text()
                )
                .to_string(),
            ));
        }
        Ok(NewOffer {
            kind,
            window,
            title,
            description,
            towns: chosen,
            slots: times,
            places,
        })
    }
}

/// One slot line: `2026-12-05 14:00-16:00` (Shanghai time; `～`, `~` or `–` between the times
/// do too).
fn parse_slot_line(line: &str) -> Result<SlotTime, AppError> {
    let bad = || {
        AppError::invalid(
            "slots",
            td_string!(crate::lang::locale(), errors.offer.bad_slot, line = line).to_string(),
        )
    };
    let (date, times) = line.split_once(char::is_whitespace).ok_or_else(bad)?;
    let midnight = UtcMillis::parse_shanghai_date(date).ok_or_else(bad)?;
    let times = times.trim().replace(['～', '~', '–', '—', '至'], "-");
    let (from, to) = times.split_once('-').ok_or_else(bad)?;
    let from = minutes_of_day(from).ok_or_else(bad)?;
    let to = minutes_of_day(to).ok_or_else(bad)?;
    if to <= from {
        return Err(AppError::invalid(
            "slots",
            td_string!(
                crate::lang::locale(),
                errors.offer.slot_ends_before_start,
                line = line
            )
            .to_string(),
        ));
    }
    if (to - from) * 60_000 > NewOffer::MAX_SLOT_MILLIS {
        return Err(AppError::invalid(
            "slots",
            td_string!(
                crate::lang::locale(),
                errors.offer.slot_too_long,
                line = line
            )
            .to_string(),
        ));
    }
    Ok(SlotTime {
        starts_at: UtcMillis(midnight.0 + from * 60_000),
        ends_at: UtcMillis(midnight.0 + to * 60_000),
    })
}

/// `14:00` (or `14：00`, `9:30`) as minutes after midnight.
fn minutes_of_day(text: &str) -> Option<i64> {
    let text = text.trim().replace('：', ":");
    let (hours, minutes) = text.split_once(':')?;
    if minutes.len() != 2 {
        return None;
    }
    let (hours, minutes): (i64, i64) = (hours.parse().ok()?, minutes.parse().ok()?);
    ((0..24).contains(&hours) && (0..60).contains(&minutes)).then_some(hours * 60 + minutes)
}

/// What changed on an offer, for the live `/offers` page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotPlaces {
    pub slot_id: i64,
    pub booked: i64,
    pub places: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> UtcMillis {
        // 2026-11-29 00:00 Shanghai.
        UtcMillis::parse_shanghai_date("2026-11-29").unwrap()
    }

    fn towns() -> Vec<String> {
        vec!["云阳街道".to_owned(), "司徒镇".to_owned()]
    }

    fn parse(slots: &str, repeat: &str, places: &str) -> Result<NewOffer, AppError> {
        NewOffer::parse(
            "tutoring",
            "education",
            "周末数学辅导",
            "大学生志愿者每周末为初中生辅导数学。",
            &["云阳街道".to_owned()],
            &towns(),
            slots,
            repeat,
            places,
            now(),
        )
    }

    fn field(result: Result<NewOffer, AppError>) -> String {
        match result {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_slot_line_is_read_in_shanghai_time_and_repeats_weekly() {
        let offer = parse("2026-12-05 14:00-16:00", "2", "8").unwrap();
        assert_eq!(offer.slots.len(), 3);
        assert_eq!(offer.slots[0].starts_at.shanghai_text(), "12月5日 14:00");
        assert_eq!(offer.slots[0].ends_at.shanghai_text(), "12月5日 16:00");
        assert_eq!(offer.slots[2].starts_at.shanghai_text(), "12月19日 14:00");
        assert_eq!(offer.places, 8);
        let slot = Slot {
            id: 1,
            starts_at: offer.slots[0].starts_at,
            ends_at: offer.slots[0].ends_at,
            places: 8,
            booked: 3,
        };
        assert_eq!(slot.when(), "12月5日 14:00–16:00");
        assert_eq!(slot.free(), 5);
    }

    #[test]
    fn bad_slots_and_places_are_refused_naming_the_field() {
        assert_eq!(field(parse("2026-11-28 14:00-16:00", "", "8")), "slots");
        assert_eq!(field(parse("2026-12-05 16:00-14:00", "", "8")), "slots");
        assert_eq!(field(parse("2026-12-05 06:00-20:00", "", "8")), "slots");
        assert_eq!(field(parse("明天下午", "", "8")), "slots");
        assert_eq!(field(parse("2026-12-05 14:00-16:60", "", "8")), "slots");
        assert_eq!(field(parse("", "", "8")), "slots");
        assert_eq!(field(parse("2028-12-05 14:00-16:00", "", "8")), "slots");
        // Overlapping: the same afternoon twice, or a repeat that lands on another line's slot.
        assert_eq!(
            field(parse(
                "2026-12-05 14:00-16:00\n2026-12-05 15:00-17:00",
                "",
                "8"
            )),
            "slots"
        );
        assert_eq!(
            field(parse(
                "2026-12-05 14:00-16:00\n2026-12-12 15:00-17:00",
                "1",
                "8"
            )),
            "slots"
        );
        // Back to back is fine.
        assert!(parse("2026-12-05 14:00-16:00\n2026-12-05 16:00-17:00", "", "8").is_ok());
        assert_eq!(field(parse("2026-12-05 14:00-16:00", "", "0")), "places");
        assert_eq!(field(parse("2026-12-05 14:00-16:00", "", "-3")), "places");
        assert_eq!(field(parse("2026-12-05 14:00-16:00", "", "501")), "places");
        assert_eq!(field(parse("2026-12-05 14:00-16:00", "", "八")), "places");
        assert_eq!(
            field(parse("2026-12-05 14:00-16:00", "13", "8")),
            "repeat_weeks"
        );
        let many: String = (1..=41)
            .map(|day| format!("2027-01-{:02} 09:00-10:00\n", (day % 28) + 1))
            .collect();
        assert_eq!(field(parse(&many, "", "8")), "slots");
    }

    #[test]
    fn towns_must_be_the_citys_and_at_least_one() {
        let with_towns = |chosen: &[&str]| {
            NewOffer::parse(
                "legal",
                "services",
                "免费法律咨询",
                "律师事务所每月一次上门法律咨询。",
                &chosen.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
                &towns(),
                "2026-12-05 14:00-16:00",
                "",
                "5",
                now(),
            )
        };
        assert_eq!(field(with_towns(&[])), "towns");
        assert_eq!(field(with_towns(&["火星镇"])), "towns");
        let offer = with_towns(&["司徒镇", "司徒镇", "云阳街道"]).unwrap();
        assert_eq!(offer.towns, vec!["司徒镇", "云阳街道"]);
        assert!(matches!(
            ServiceKind::parse("magic"),
            Err(AppError::Invalid { field, .. }) if field == "kind"
        ));
    }
}
