//! What a donor wants to help with (帮扶意向), and how well a need fits it: the "为你推荐"
//! view's order and its one-line reason, and who hears of a newly published need.

use super::{Fen, PublicNeed, UtcMillis, Window};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// A donor's interests. Empty windows or towns mean any.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interests {
    pub windows: Vec<Window>,
    pub towns: Vec<String>,
    /// A money need's amount this donor would take on, in fen (either end open).
    pub min: Option<Fen>,
    pub max: Option<Fen>,
    /// Whether a newly published matching need becomes a notice.
    pub notify: bool,
}

/// How well a need fits a donor's interests: its place in the "为你推荐" order and the reason
/// its card gives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fit {
    pub score: i64,
    /// `匹配：助学 · 云阳街道 · 金额合适`, or `其他需求` when nothing matched.
    pub line: String,
}

impl Interests {
    /// At most this many towns (the form lists the city's towns).
    pub const MAX_TOWNS: usize = 30;

    /// Reads the form: window codes, towns (each one of `known`), the range in yuan (either
    /// may be empty), and whether to be told.
    pub fn parse(
        windows: &[String],
        towns: &[String],
        known: &[String],
        min_yuan: &str,
        max_yuan: &str,
        notify: bool,
    ) -> Result<Interests, AppError> {
        let mut chosen_windows = Vec::new();
        for code in windows.iter().filter(|c| !c.trim().is_empty()) {
            let window = Window::parse(code.trim()).map_err(|_| {
                AppError::invalid(
                    "windows",
                    td_string!(crate::lang::locale(), errors.interest.choose_window),
                )
            })?;
            if !chosen_windows.contains(&window) {
                chosen_windows.push(window);
            }
        }
        let chosen_towns = super::pick_towns(towns, known)?;
        if chosen_towns.len() > Self::MAX_TOWNS {
            return Err(AppError::invalid(
                "towns",
                td_string!(crate::lang::locale(), errors.interest.too_many_towns),
            ));
        }
        let amount = |field: &str, text: &str| -> Result<Option<Fen>, AppError> {
            match text.trim() {
                "" => Ok(None),
                text => Fen::parse_yuan(text).map(Some).map_err(|_| {
                    AppError::invalid(
                        field,
                        td_string!(crate::lang::locale(), errors.interest.bad_amount),
                    )
                }),
            }
        };
        let (min, max) = (amount("min", min_yuan)?, amount("max", max_yuan)?);
        if let (Some(min), Some(max)) = (min, max) {
            if max < min {
                return Err(AppError::invalid(
                    "max",
                    td_string!(crate::lang::locale(), errors.interest.max_below_min),
                ));
            }
        }
        Ok(Interests {
            windows: chosen_windows,
            towns: chosen_towns,
            min,
            max,
            notify,
        })
    }

    fn window_fits(&self, window: Window) -> bool {
        self.windows.is_empty() || self.windows.contains(&window)
    }

    fn town_fits(&self, town: &str) -> bool {
        self.towns.is_empty() || self.towns.iter().any(|t| t == town)
    }

    /// A money need's amount (what is still needed) within the range; a need of goods or a
    /// service always fits.
    fn amount_fits(&self, need: &PublicNeed) -> bool {
        match need.remaining() {
            None => true,
            Some(left) => {
                self.min.is_none_or(|min| left >= min.get())
                    && self.max.is_none_or(|max| left <= max.get())
            }
        }
    }

    /// Whether a newly published need should be a notice to this donor: it fits every
    /// interest they named (and they named at least one).
    pub fn wants_to_hear_of(&self, need: &PublicNeed) -> bool {
        let named = !self.windows.is_empty()
            || !self.towns.is_empty()
            || self.min.is_some()
            || self.max.is_some();
        self.notify
            && named
            && self.window_fits(need.window)
            && self.town_fits(&need.town)
            && self.amount_fits(need)
    }

    /// How well `need` fits: a named window that matches counts most, then a named town, then
    /// the amount; urgency and how long it has waited break ties, so an old urgent need the
    /// donor cares about comes first.
    pub fn fit(&self, need: &PublicNeed, now: UtcMillis) -> Fit {
        let mut score = 0;
        let mut reasons: Vec<String> = Vec::new();
        if !self.windows.is_empty() && self.windows.contains(&need.window) {
            score += 300;
            reasons.push(crate::city::window_label(need.window));
        }
        if !self.towns.is_empty() && self.towns.contains(&need.town) {
            score += 200;
            reasons.push(need.town.clone());
        }
        if (self.min.is_some() || self.max.is_some())
            && need.remaining().is_some()
            && self.amount_fits(need)
        {
            score += 100;
            reasons.push(td_string!(crate::lang::locale(), domain.fit.amount).to_owned());
        }
        // Urgency 1–3 as 10–30; days waiting up to 30 as 0–30.
        score += need.urgency.rank() * 10;
        score += ((now.0 - need.created_at.0).max(0) / 86_400_000).min(30);
        let line = if reasons.is_empty() {
            td_string!(crate::lang::locale(), domain.fit.other).to_owned()
        } else {
            td_string!(
                crate::lang::locale(),
                domain.fit.matched,
                reasons = reasons.join(" · ")
            )
            .to_string()
        };
        Fit { score, line }
    }

    /// Orders needs for the "为你推荐" view: best fit first, then the board's order.
    pub fn recommend(&self, needs: Vec<PublicNeed>, now: UtcMillis) -> Vec<(PublicNeed, Fit)> {
        let mut fitted: Vec<(PublicNeed, Fit)> = needs
            .into_iter()
            .map(|need| {
                let fit = self.fit(&need, now);
                (need, fit)
            })
            .collect();
        fitted.sort_by(|(a, fa), (b, fb)| {
            fb.score
                .cmp(&fa.score)
                .then_with(|| PublicNeed::board_order(a, b))
        });
        fitted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Ask, NeedId, NeedStatus, Urgency};

    const DAY: i64 = 86_400_000;

    fn need(id: i64, window: Window, town: &str, amount: Option<i64>, age_days: i64) -> PublicNeed {
        PublicNeed {
            id: NeedId(id),
            window,
            title: format!("需求{id}"),
            story: "情况说明情况说明".into(),
            town: town.into(),
            village: String::new(),
            ask: match amount {
                Some(fen) => Ask::Money {
                    amount: Fen::parse(fen).unwrap(),
                },
                None => Ask::Goods,
            },
            urgency: Urgency::from_rank(2).unwrap(),
            status: NeedStatus::Published,
            created_at: UtcMillis(100 * DAY - age_days * DAY),
            updated_at: UtcMillis(0),
            pledged_fen: 0,
        }
    }

    fn known() -> Vec<String> {
        vec!["云阳街道".into(), "司徒镇".into()]
    }

    #[test]
    fn the_best_fit_comes_first_with_its_reason_in_one_line() {
        let interests = Interests::parse(
            &["education".into()],
            &["云阳街道".into()],
            &known(),
            "",
            "2000",
            true,
        )
        .unwrap();
        let now = UtcMillis(100 * DAY);
        let ranked = interests.recommend(
            vec![
                need(1, Window::Medical, "司徒镇", Some(50_000), 20),
                need(2, Window::Education, "司徒镇", Some(50_000), 1),
                need(3, Window::Education, "云阳街道", Some(150_000), 1),
                need(4, Window::Medical, "云阳街道", Some(500_000), 3),
            ],
            now,
        );
        let order: Vec<i64> = ranked.iter().map(|(n, _)| n.id.0).collect();
        assert_eq!(order, vec![3, 2, 4, 1]);
        assert_eq!(ranked[0].1.line, "匹配：助学 · 云阳街道 · 金额合适");
        assert_eq!(ranked[1].1.line, "匹配：助学 · 金额合适");
        assert_eq!(ranked[2].1.line, "匹配：云阳街道");
        assert_eq!(ranked[3].1.line, "匹配：金额合适");
        // With nothing named, the board's order stands and nothing claims to match.
        let none = Interests::default();
        assert_eq!(
            none.fit(&need(5, Window::Home, "司徒镇", None, 0), now)
                .line,
            "其他需求"
        );
    }

    #[test]
    fn a_notice_only_for_a_need_that_fits_everything_named() {
        let interests =
            Interests::parse(&["medical".into()], &[], &known(), "100", "1000", true).unwrap();
        assert!(interests.wants_to_hear_of(&need(1, Window::Medical, "司徒镇", Some(50_000), 0)));
        assert!(!interests.wants_to_hear_of(&need(2, Window::Home, "司徒镇", Some(50_000), 0)));
        assert!(!interests.wants_to_hear_of(&need(3, Window::Medical, "司徒镇", Some(500_000), 0)));
        let quiet = Interests {
            notify: false,
            ..interests.clone()
        };
        assert!(!quiet.wants_to_hear_of(&need(1, Window::Medical, "司徒镇", Some(50_000), 0)));
        // Someone who named nothing is not told of every need in the city.
        let any = Interests {
            notify: true,
            ..Interests::default()
        };
        assert!(!any.wants_to_hear_of(&need(1, Window::Medical, "司徒镇", Some(50_000), 0)));
    }

    #[test]
    fn bad_interests_are_refused_naming_the_field() {
        let field = |r: Result<Interests, AppError>| match r {
            Err(AppError::Invalid { field, .. }) => field,
            other => panic!("expected Invalid, got {other:?}"),
        };
        assert_eq!(
            field(Interests::parse(
                &["magic".into()],
                &[],
                &known(),
                "",
                "",
                true
            )),
            "windows"
        );
        assert_eq!(
            field(Interests::parse(
                &[],
                &["火星镇".into()],
                &known(),
                "",
                "",
                true
            )),
            "towns"
        );
        assert_eq!(
            field(Interests::parse(&[], &[], &known(), "五百", "", true)),
            "min"
        );
        assert_eq!(
            field(Interests::parse(&[], &[], &known(), "500", "100", true)),
            "max"
        );
    }
}
