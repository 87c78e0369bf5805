//! Notices: what a person hears about what concerns them, in their inbox and (if they want it
//! and the city configured a sender) as a message. The words are composed here, from public
//! fields of a need and, for the coordinating volunteer alone, the donor's contact: never from
//! a household's private file.

use super::{Fen, NeedId, OfferId, UtcMillis};
use crate::lang::Locale;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// What a notice is about; each person chooses per kind whether it also comes as a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeKind {
    /// To the coordinating volunteer: a donor claimed or pledged to their need.
    ClaimMade,
    /// To the donor: their claim runs out within two days.
    ClaimExpiring,
    /// To the donor: their claim ran out and went back on the board.
    ClaimExpired,
    /// To the donor: a volunteer (or the family) confirmed their delivery.
    DeliveryConfirmed,
    /// To the donor: a volunteer did not accept their delivery, with the reason.
    DeliveryRejected,
    /// To the town's reviewers: a need reached their stage.
    ReviewWaiting,
    /// To the author: a reviewer sent their need back, with the reason.
    NeedReturned,
    /// To the author: their need is on the board.
    NeedPublished,
    /// To a donor who asked: a claimed need is back on the board.
    NeedBack,
    /// To the town's council reviewers: the public reported a need (at most one an hour per
    /// need).
    ReportReceived,
    /// To a donor whose undelivered claim or pledge was released: the need was withdrawn.
    NeedWithdrawn,
    /// To a provider: a volunteer approved their service offer, or sent it back with a reason.
    OfferDecided,
    /// To a provider: a household was booked onto (or taken off) their offer.
    ServiceBooked,
    /// To a donor who said what they want to help with: a matching need was just published
    /// (at most a few a day).
    NeedForYou,
    /// To a volunteer: a coordinator confirmed or refused hours they recorded.
    HoursDecided,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 15] = [
        NoticeKind::ClaimMade,
        NoticeKind::ClaimExpiring,
        NoticeKind::ClaimExpired,
        NoticeKind::DeliveryConfirmed,
        NoticeKind::DeliveryRejected,
        NoticeKind::ReviewWaiting,
        NoticeKind::NeedReturned,
        NoticeKind::NeedPublished,
        NoticeKind::NeedBack,
        NoticeKind::ReportReceived,
        NoticeKind::NeedWithdrawn,
        NoticeKind::OfferDecided,
        NoticeKind::ServiceBooked,
        NoticeKind::NeedForYou,
        NoticeKind::HoursDecided,
    ];

    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::ClaimMade => "claim_made",
            NoticeKind::ClaimExpiring => "claim_expiring",
            NoticeKind::ClaimExpired => "claim_expired",
            NoticeKind::DeliveryConfirmed => "delivery_confirmed",
            NoticeKind::DeliveryRejected => "delivery_rejected",
            NoticeKind::ReviewWaiting => "review_waiting",
            NoticeKind::NeedReturned => "need_returned",
            NoticeKind::NeedPublished => "need_published",
            NoticeKind::NeedBack => "need_back",
            NoticeKind::ReportReceived => "report_received",
            NoticeKind::NeedWithdrawn => "need_withdrawn",
            NoticeKind::OfferDecided => "offer_decided",
            NoticeKind::ServiceBooked => "service_booked",
            NoticeKind::NeedForYou => "need_for_you",
            NoticeKind::HoursDecided => "hours_decided",
        }
    }

    pub fn parse(code: &str) -> Result<NoticeKind, String> {
        NoticeKind::ALL
            .into_iter()
            .find(|kind| kind.code() == code)
            .ok_or_else(|| format!("unknown notice kind {code:?}"))
    }

    /// What the settings page calls it.
    pub fn label(self) -> &'static str {
        let locale = crate::lang::locale();
        match self {
            NoticeKind::ClaimMade => td_string!(locale, notices.kinds.claim_made),
            NoticeKind::ClaimExpiring => td_string!(locale, notices.kinds.claim_expiring),
            NoticeKind::ClaimExpired => td_string!(locale, notices.kinds.claim_expired),
            NoticeKind::DeliveryConfirmed => td_string!(locale, notices.kinds.delivery_confirmed),
            NoticeKind::DeliveryRejected => td_string!(locale, notices.kinds.delivery_rejected),
            NoticeKind::ReviewWaiting => td_string!(locale, notices.kinds.review_waiting),
            NoticeKind::NeedReturned => td_string!(locale, notices.kinds.need_returned),
            NoticeKind::NeedPublished => td_string!(locale, notices.kinds.need_published),
            NoticeKind::NeedBack => td_string!(locale, notices.kinds.need_back),
            NoticeKind::ReportReceived => td_string!(locale, notices.kinds.report_received),
            NoticeKind::NeedWithdrawn => td_string!(locale, notices.kinds.need_withdrawn),
            NoticeKind::OfferDecided => td_string!(locale, notices.kinds.offer_decided),
            NoticeKind::ServiceBooked => td_string!(locale, notices.kinds.service_booked),
            NoticeKind::NeedForYou => td_string!(locale, notices.kinds.need_for_you),
            NoticeKind::HoursDecided => td_string!(locale, notices.kinds.hours_decided),
        }
    }

    /// Whether it comes as a message too unless the person says otherwise: the kinds that
    /// ask someone to act (call the donor, deliver, review, fix) or that they asked for.
    pub fn by_message_unless_chosen(self) -> bool {
        matches!(
            self,
            NoticeKind::ClaimMade
                | NoticeKind::ClaimExpiring
                | NoticeKind::DeliveryRejected
                | NoticeKind::ReviewWaiting
                | NoticeKind::NeedReturned
                | NoticeKind::NeedBack
                | NoticeKind::ReportReceived
                | NoticeKind::ServiceBooked
        )
    }
}

/// A notice about to be written: its kind, the words, and where it leads. It is written when
/// something happens, for a recipient whose language is not known then: the words are kept in
/// both languages (`body` in Chinese, also what a message says; `body_en` in English).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewNotice {
    pub kind: NoticeKind,
    pub need_id: Option<NeedId>,
    pub claim_id: Option<i64>,
    pub body: String,
    pub body_en: String,
    pub link: String,
}

/// The words in both languages: `words` is called with each locale.
fn both(words: impl Fn(Locale) -> String) -> (String, String) {
    (words(Locale::zh_CN), words(Locale::en))
}

/// The words of each notice.
impl NewNotice {
    fn about(kind: NoticeKind, need_id: NeedId, body: (String, String), link: String) -> NewNotice {
        NewNotice {
            kind,
            need_id: Some(need_id),
            claim_id: None,
            body: body.0,
            body_en: body.1,
            link,
        }
    }

    fn need_link(need_id: NeedId) -> String {
        format!("/needs/{}", need_id.0)
    }

    /// To the coordinating volunteer: who claimed (or pledged how much), and how to reach them.
    pub fn claim_made(
        need_id: NeedId,
        claim_id: i64,
        title: &str,
        donor_name: &str,
        donor_contact: Option<&str>,
        pledged: Option<Fen>,
    ) -> NewNotice {
        let body = both(|locale| {
            let what = match pledged {
                Some(amount) => {
                    td_string!(locale, notices.body.pledged, amount = amount).to_string()
                }
                None => td_string!(locale, notices.body.claimed).to_owned(),
            };
            let (whose, then) = match donor_contact {
                Some(contact) => (
                    td_string!(
                        locale,
                        notices.body.whose_author,
                        title = title,
                        donor = donor_name,
                        contact = contact
                    )
                    .to_string(),
                    td_string!(locale, notices.body.then_author),
                ),
                // To the town's volunteers when its author no longer coordinates: no phone.
                None => (
                    td_string!(
                        locale,
                        notices.body.whose_town,
                        title = title,
                        donor = donor_name
                    )
                    .to_string(),
                    td_string!(locale, notices.body.then_town),
                ),
            };
            td_string!(
                locale,
                notices.body.claim_made,
                whose = whose,
                what = what,
                then = then
            )
            .to_string()
        });
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(NoticeKind::ClaimMade, need_id, body, "/review".to_owned())
        }
    }

    /// To the donor, two days (or less) before their claim runs out.
    pub fn claim_expiring(need_id: NeedId, claim_id: i64, title: &str, at: UtcMillis) -> NewNotice {
        let at = at.shanghai_text();
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(
                NoticeKind::ClaimExpiring,
                need_id,
                both(|locale| {
                    td_string!(locale, notices.body.claim_expiring, title = title, at = &at)
                        .to_string()
                }),
                "/my/claims".to_owned(),
            )
        }
    }

    /// To the donor: the claim ran out and went back on the board.
    pub fn claim_expired(need_id: NeedId, claim_id: i64, title: &str) -> NewNotice {
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(
                NoticeKind::ClaimExpired,
                need_id,
                both(|locale| {
                    td_string!(locale, notices.body.claim_expired, title = title).to_string()
                }),
                "/my/claims".to_owned(),
            )
        }
    }

    pub fn delivery_confirmed(need_id: NeedId, claim_id: i64, title: &str) -> NewNotice {
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(
                NoticeKind::DeliveryConfirmed,
                need_id,
                both(|locale| {
                    td_string!(locale, notices.body.delivery_confirmed, title = title).to_string()
                }),
                "/my/claims".to_owned(),
            )
        }
    }

    pub fn delivery_rejected(
        need_id: NeedId,
        claim_id: i64,
        title: &str,
        reason: &str,
    ) -> NewNotice {
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(
                NoticeKind::DeliveryRejected,
                need_id,
                both(|locale| {
                    td_string!(
                        locale,
                        notices.body.delivery_rejected,
                        title = title,
                        reason = reason
                    )
                    .to_string()
                }),
                "/my/claims".to_owned(),
            )
        }
    }

    /// To each reviewer of the need's town at the stage it reached.
    pub fn review_waiting(need_id: NeedId, title: &str, town: &str, stage: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::ReviewWaiting,
            need_id,
            both(|locale| {
                td_string!(
                    locale,
                    notices.body.review_waiting,
                    town = town,
                    title = title,
                    stage = stage
                )
                .to_string()
            }),
            "/review".to_owned(),
        )
    }

    pub fn need_returned(need_id: NeedId, title: &str, reason: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::NeedReturned,
            need_id,
            both(|locale| {
                td_string!(
                    locale,
                    notices.body.need_returned,
                    title = title,
                    reason = reason
                )
                .to_string()
            }),
            "/intake".to_owned(),
        )
    }

    pub fn need_published(need_id: NeedId, title: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::NeedPublished,
            need_id,
            both(|locale| {
                td_string!(locale, notices.body.need_published, title = title).to_string()
            }),
            NewNotice::need_link(need_id),
        )
    }

    pub fn need_back(need_id: NeedId, title: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::NeedBack,
            need_id,
            both(|locale| td_string!(locale, notices.body.need_back, title = title).to_string()),
            NewNotice::need_link(need_id),
        )
    }
}

/// The words of the notices about reports.
impl NewNotice {
    /// To the town's council reviewers: a need of theirs was reported.
    pub fn report_received(need_id: NeedId, title: &str, town: &str, reason: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::ReportReceived,
            need_id,
            both(|locale| {
                td_string!(
                    locale,
                    notices.body.report_received,
                    town = town,
                    title = title,
                    reason = reason
                )
                .to_string()
            }),
            "/review/reports".to_owned(),
        )
    }

    /// To a donor whose undelivered claim or pledge the withdrawal released.
    pub fn need_withdrawn(need_id: NeedId, claim_id: i64, title: &str) -> NewNotice {
        NewNotice {
            claim_id: Some(claim_id),
            ..NewNotice::about(
                NoticeKind::NeedWithdrawn,
                need_id,
                both(|locale| {
                    td_string!(locale, notices.body.need_withdrawn, title = title).to_string()
                }),
                "/my/claims".to_owned(),
            )
        }
    }

    /// To a provider: their offer was approved (`note` empty) or sent back with `note`.
    pub fn offer_decided(offer: OfferId, title: &str, approved: bool, note: &str) -> NewNotice {
        let (body, body_en) = both(|locale| {
            if approved {
                td_string!(locale, notices.body.offer_approved, title = title).to_string()
            } else {
                td_string!(
                    locale,
                    notices.body.offer_returned,
                    title = title,
                    note = note
                )
                .to_string()
            }
        });
        NewNotice {
            kind: NoticeKind::OfferDecided,
            need_id: None,
            claim_id: None,
            body,
            body_en,
            link: format!("/offers/{offer}"),
        }
    }

    /// To a provider: a household was booked onto their offer (who, only on its page).
    pub fn service_booked(offer: OfferId, title: &str, when: &str, cancelled: bool) -> NewNotice {
        let (body, body_en) = both(|locale| {
            if cancelled {
                td_string!(
                    locale,
                    notices.body.service_cancelled,
                    title = title,
                    when = when
                )
                .to_string()
            } else {
                td_string!(
                    locale,
                    notices.body.service_booked,
                    title = title,
                    when = when
                )
                .to_string()
            }
        });
        NewNotice {
            kind: NoticeKind::ServiceBooked,
            need_id: None,
            claim_id: None,
            body,
            body_en,
            link: format!("/my/offers#offer-{offer}"),
        }
    }

    /// To a donor whose interests match a need just published; `why` is the match line.
    pub fn need_for_you(need_id: NeedId, title: &str, why: &str) -> NewNotice {
        NewNotice::about(
            NoticeKind::NeedForYou,
            need_id,
            both(|locale| {
                td_string!(locale, notices.body.need_for_you, title = title, why = why).to_string()
            }),
            NewNotice::need_link(need_id),
        )
    }
}

/// The words of the notices about volunteer hours.
impl NewNotice {
    /// To the volunteer: a coordinator confirmed (`refusal` none) or refused their activity.
    pub fn hours_decided(
        day: UtcMillis,
        kind_label: &str,
        minutes: i64,
        refusal: Option<&str>,
    ) -> NewNotice {
        let (day, hours) = (day.shanghai_date_text(), super::hours_text(minutes));
        let (body, body_en) = both(|locale| {
            let what = td_string!(
                locale,
                notices.body.hours_what,
                day = &day,
                kind = kind_label,
                hours = &hours
            )
            .to_string();
            match refusal {
                None => td_string!(locale, notices.body.hours_confirmed, what = &what).to_string(),
                Some(reason) => td_string!(
                    locale,
                    notices.body.hours_refused,
                    what = &what,
                    reason = reason
                )
                .to_string(),
            }
        });
        NewNotice {
            kind: NoticeKind::HoursDecided,
            need_id: None,
            claim_id: None,
            body,
            body_en,
            link: "/my/hours".to_owned(),
        }
    }
}

/// One notice in a person's inbox: `body` in Chinese and, for notices written since both
/// languages are kept, `body_en` in English (empty for older ones).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub body: String,
    #[serde(default)]
    pub body_en: String,
    pub link: String,
    pub created_at: UtcMillis,
    pub read: bool,
}

impl Notice {
    /// The words in `locale`: English when there are English words, else Chinese.
    pub fn body_in(&self, locale: Locale) -> &str {
        match locale {
            Locale::en if !self.body_en.is_empty() => &self.body_en,
            _ => &self.body,
        }
    }
}

/// A person's inbox: the newest notices first, and how many are unread in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    pub notices: Vec<Notice>,
    pub unread: i64,
}

/// A message that could not be sent after every try, for the admins' page: which kind, to
/// whom (their name only), how often it was tried and what the sender said last.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub id: i64,
    pub kind: NoticeKind,
    pub user_name: String,
    pub attempts: i64,
    pub last_error: String,
    pub dead_at: UtcMillis,
}

/// The newest dead letters and how many there are in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetters {
    pub letters: Vec<DeadLetter>,
    pub total: i64,
}

/// No messages at night: minutes after midnight, Shanghai time, from `from` to `to` (across
/// midnight when `from` is later). Equal ends: no quiet hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: u16,
    pub to: u16,
}

impl QuietHours {
    const DAY: i64 = 24 * 60;
    const MINUTE_MS: i64 = 60_000;
    const SHANGHAI_OFFSET_MS: i64 = 8 * 3_600_000;

    /// 22:00 to 08:00.
    pub const NIGHT: QuietHours = QuietHours {
        from: 22 * 60,
        to: 8 * 60,
    };

    /// Parses `HH:MM` ends (as a time input posts them).
    pub fn parse(from: &str, to: &str) -> Result<QuietHours, crate::error::AppError> {
        Ok(QuietHours {
            from: minutes("quiet_from", from)?,
            to: minutes("quiet_to", to)?,
        })
    }

    pub fn from_stored(from: i64, to: i64) -> QuietHours {
        let clamp = |m: i64| m.rem_euclid(QuietHours::DAY) as u16;
        QuietHours {
            from: clamp(from),
            to: clamp(to),
        }
    }

    /// `22:00`.
    pub fn text(minutes: u16) -> String {
        format!("{:02}:{:02}", minutes / 60, minutes % 60)
    }

    fn minute_of_day(at: UtcMillis) -> i64 {
        (at.0 + Self::SHANGHAI_OFFSET_MS)
            .div_euclid(Self::MINUTE_MS)
            .rem_euclid(Self::DAY)
    }

    pub fn contains(self, at: UtcMillis) -> bool {
        let (from, to, m) = (
            i64::from(self.from),
            i64::from(self.to),
            Self::minute_of_day(at),
        );
        match from.cmp(&to) {
            std::cmp::Ordering::Equal => false,
            std::cmp::Ordering::Less => from <= m && m < to,
            std::cmp::Ordering::Greater => m >= from || m < to,
        }
    }

    /// When a message due at `at` may go: `at` itself outside the quiet hours, else the
    /// quiet hours' end (the start of that minute, Shanghai time).
    pub fn next_allowed(self, at: UtcMillis) -> UtcMillis {
        if !self.contains(at) {
            return at;
        }
        let m = Self::minute_of_day(at);
        let wait = (i64::from(self.to) - m).rem_euclid(Self::DAY);
        let start_of_minute = at.0 - at.0.rem_euclid(Self::MINUTE_MS);
        UtcMillis(start_of_minute + wait * Self::MINUTE_MS)
    }
}

fn minutes(field: &str, text: &str) -> Result<u16, crate::error::AppError> {
    let invalid = || {
        crate::error::AppError::invalid(
            field,
            td_string!(crate::lang::locale(), notices.errors.time_format),
        )
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(invalid)?;
    let (h, m): (u16, u16) = (
        h.parse().map_err(|_| invalid())?,
        m.parse().map_err(|_| invalid())?,
    );
    if h > 23 || m > 59 {
        return Err(invalid());
    }
    Ok(h * 60 + m)
}

/// What a person chose: per kind, whether it also comes as a message; quiet hours; an email
/// address (when the city sends email). `sender` says what the city configured, so the page
/// can say whether messages go anywhere at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticePrefs {
    pub by_message: Vec<(NoticeKind, bool)>,
    pub quiet: QuietHours,
    pub email: Option<String>,
    pub sender: SenderKind,
}

/// How messages leave the app, as the city configured it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SenderKind {
    /// Inbox only (the default).
    #[default]
    None,
    /// A signed HTTPS webhook (the city's SMS gateway or WeChat bridge): to the phone.
    Webhook,
    /// SMTP email: to the address the person gives.
    Email,
}

impl SenderKind {
    pub fn parse(text: &str) -> Result<SenderKind, String> {
        match text.trim() {
            "" | "none" => Ok(SenderKind::None),
            "webhook" => Ok(SenderKind::Webhook),
            "smtp" | "email" => Ok(SenderKind::Email),
            other => Err(format!("{other:?} is not none, webhook or smtp")),
        }
    }
}

/// Parses an email address just enough to send to it: one `@`, a dot in the domain, no spaces
/// or angle brackets, at most 254 characters. Empty: none.
pub fn parse_email(text: &str) -> Result<Option<String>, crate::error::AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let invalid = || {
        crate::error::AppError::invalid(
            "email",
            td_string!(crate::lang::locale(), notices.errors.email),
        )
    };
    let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>(),;:\"[]\\@".contains(c);
    if text.len() > 254
        || local.is_empty()
        || local.len() > 64
        || domain.len() < 3
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || local.chars().any(bad)
        || domain.chars().any(bad)
    {
        return Err(invalid());
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29 at `h:m` Shanghai time.
    fn at(h: i64, m: i64) -> UtcMillis {
        let midnight = UtcMillis::from_shanghai_date(2026, 11, 29).unwrap();
        UtcMillis(midnight.0 + (h * 60 + m) * 60_000)
    }

    #[test]
    fn quiet_hours_across_midnight_hold_messages_until_the_morning() {
        let night = QuietHours::NIGHT;
        assert!(!night.contains(at(21, 59)));
        assert!(night.contains(at(22, 0)));
        assert!(night.contains(at(3, 0)));
        assert!(!night.contains(at(8, 0)));
        assert_eq!(night.next_allowed(at(12, 0)), at(12, 0));
        // 23:30 waits for 08:00 the next day; 03:00 for 08:00 the same day.
        assert_eq!(
            night.next_allowed(at(23, 30)),
            UtcMillis(at(8, 0).0 + 86_400_000)
        );
        assert_eq!(night.next_allowed(at(3, 0)), at(8, 0));
    }

    #[test]
    fn quiet_hours_within_a_day_and_none_at_all() {
        let lunch = QuietHours::parse("12:00", "13:30").unwrap();
        assert!(lunch.contains(at(12, 45)));
        assert!(!lunch.contains(at(13, 30)));
        assert_eq!(lunch.next_allowed(at(12, 45)), at(13, 30));
        let none = QuietHours::parse("00:00", "0:00").unwrap();
        assert!(!none.contains(at(3, 0)));
        for bad in ["24:00", "7", "ab:cd", "-1:00", "12:60"] {
            let error = QuietHours::parse(bad, "08:00").unwrap_err();
            assert_eq!(error.code(), "Invalid", "{bad}");
        }
    }

    #[test]
    fn every_kind_reads_back_from_its_code() {
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(kind.code()), Ok(kind));
        }
        assert!(NoticeKind::parse("nope").is_err());
    }

    #[test]
    fn email_addresses_are_checked_enough_to_send_to() {
        assert_eq!(
            parse_email(" a.b@example.cn ").unwrap().as_deref(),
            Some("a.b@example.cn")
        );
        assert_eq!(parse_email("").unwrap(), None);
        for bad in [
            "a@b", "@x.cn", "a b@x.cn", "a@x.cn>", "a@@x.cn", "a@.cn", "<a@x.cn",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_coordinator_hears_who_claimed_and_how_to_reach_them() {
        let notice = NewNotice::claim_made(NeedId(7), 3, "轮椅", "张三", Some("13800000000"), None);
        assert!(notice.body.contains("13800000000"));
        assert!(notice.body.contains("轮椅"));
        assert_eq!(notice.kind, NoticeKind::ClaimMade);
    }
}
