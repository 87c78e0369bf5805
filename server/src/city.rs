//! A city's configuration: one TOML file (`wanshan.toml`, named by WANSHAN_CITY_FILE) with the
//! city's name and brand, towns and villages, windows, points, claim rules, the public card's
//! locality and the review rules. Every key has a default (Danyang's); a bad file stops the
//! start with the file, the key and the reason.

use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use wanshan_app::city::{City, WindowSetting};
use wanshan_app::credit::PointRules;
use wanshan_app::domain::Window;
use wanshan_app::settings::{DANYANG_TOWNS, DEFAULT_PROGRAMMES};

/// The whole file. Every table and key may be left out: its default is Danyang's.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CityConfig {
    pub city: Identity,
    pub public: Public,
    pub claims: Claims,
    pub review: Review,
    pub points: Points,
    pub windows: Windows,
    pub towns: Vec<Town>,
}

/// `[city]`: who the site is.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Identity {
    pub name: String,
    pub brand: String,
    pub brand_line: String,
}

/// `[public]`: what public cards show of where a family lives.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Public {
    pub locality: Locality,
}

/// How precisely a public card places a family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locality {
    /// The town (镇、街道) only.
    Town,
    /// The town and the village (村、社区).
    Village,
}

/// `[claims]`: how long a claim lasts and the smallest pledge.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Claims {
    pub expiry_days: u32,
    pub min_pledge_yuan: u32,
}

/// `[review]`: what reviewers are warned of and may refer to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Review {
    pub aid_period_months: u32,
    pub referral_programmes: Vec<String>,
}

/// `[points]`: credit points per reason.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Points {
    pub fulfilment: i64,
    pub intake: i64,
    pub review: i64,
    pub confirmation: i64,
}

/// `[windows.<code>]`: each help window, on or off, and its name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Windows {
    pub medical: WindowEntry,
    pub education: WindowEntry,
    pub disability: WindowEntry,
    pub home: WindowEntry,
    pub insurance: WindowEntry,
    pub services: WindowEntry,
}

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowEntry {
    #[serde(default = "on")]
    pub on: bool,
    /// Unset: the window's usual name.
    #[serde(default)]
    pub label: Option<String>,
}

fn on() -> bool {
    true
}

/// `[[towns]]`: a town (镇、街道) and, if the city lists them, its villages (村、社区).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Town {
    pub name: String,
    #[serde(default)]
    pub villages: Vec<String>,
}

impl Default for Identity {
    fn default() -> Identity {
        let city = City::default();
        Identity {
            name: city.name,
            brand: city.brand,
            brand_line: city.brand_line,
        }
    }
}

impl Default for Public {
    fn default() -> Public {
        Public {
            locality: Locality::Town,
        }
    }
}

impl Default for Claims {
    fn default() -> Claims {
        Claims {
            expiry_days: 14,
            min_pledge_yuan: 50,
        }
    }
}

impl Default for Review {
    fn default() -> Review {
        Review {
            aid_period_months: 12,
            referral_programmes: DEFAULT_PROGRAMMES.map(str::to_owned).to_vec(),
        }
    }
}

impl Default for Points {
    fn default() -> Points {
        let rules = PointRules::DEFAULT;
        Points {
            fulfilment: rules.fulfilment,
            intake: rules.intake,
            review: rules.review,
            confirmation: rules.confirmation,
        }
    }
}

impl Default for Windows {
    fn default() -> Windows {
        let entry = |window: Window| WindowEntry {
            on: true,
            label: Some(window.label().to_owned()),
        };
        Windows {
            medical: entry(Window::Medical),
            education: entry(Window::Education),
            disability: entry(Window::Disability),
            home: entry(Window::Home),
            insurance: entry(Window::Insurance),
            services: entry(Window::Services),
        }
    }
}

impl Default for CityConfig {
    /// Danyang's: the app as it was built for it.
    fn default() -> CityConfig {
        CityConfig {
            city: Identity::default(),
            public: Public::default(),
            claims: Claims::default(),
            review: Review::default(),
            points: Points::default(),
            windows: Windows::default(),
            towns: DANYANG_TOWNS
                .map(|name| Town {
                    name: name.to_owned(),
                    villages: Vec::new(),
                })
                .to_vec(),
        }
    }
}

/// Why a configuration file was refused: the file, the key (a path such as
/// `towns[2].villages[0]`, or a line and column for a syntax error) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CityError {
    pub file: String,
    pub key: String,
    pub reason: String,
}

impl fmt::Display for CityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "{}: {}", self.file, self.reason)
        } else {
            write!(f, "{}: {}: {}", self.file, self.key, self.reason)
        }
    }
}

impl std::error::Error for CityError {}

/// The environment variables that were settings before the city's file, and the key each
/// became. Still set, they would be ignored without a word: the start is refused instead.
pub const MOVED: [(&str, &str); 10] = [
    ("WANSHAN_TOWNS", "towns"),
    ("WANSHAN_SHOW_VILLAGE", "public.locality"),
    ("WANSHAN_CLAIM_EXPIRY_DAYS", "claims.expiry_days"),
    ("WANSHAN_MIN_PLEDGE_YUAN", "claims.min_pledge_yuan"),
    ("WANSHAN_AID_PERIOD_MONTHS", "review.aid_period_months"),
    ("WANSHAN_REFERRAL_PROGRAMMES", "review.referral_programmes"),
    ("WANSHAN_POINTS_FULFILMENT", "points.fulfilment"),
    ("WANSHAN_POINTS_INTAKE", "points.intake"),
    ("WANSHAN_POINTS_REVIEW", "points.review"),
    ("WANSHAN_POINTS_CONFIRMATION", "points.confirmation"),
];

/// The first moved variable `lookup` finds set, as a refusal naming the key it became.
pub fn moved_setting(lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    MOVED.iter().find_map(|(variable, key)| {
        lookup(variable).map(|_| {
            format!(
                "{variable}: this setting moved to the city's file (WANSHAN_CITY_FILE), key \
                 `{key}`; unset it and set the key there (see wanshan.toml)"
            )
        })
    })
}

/// Reads, parses and checks the configuration file at `path`.
pub fn load(path: &Path) -> Result<CityConfig, CityError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| CityError {
        file: file.clone(),
        key: String::new(),
        reason: format!("cannot be read: {error}"),
    })?;
    parse(&file, &text)
}

/// Parses and checks a configuration's text; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<CityConfig, CityError> {
    let refuse = |key: String, reason: String| CityError {
        file: file.to_owned(),
        key,
        reason,
    };
    let at_line = |span: Option<std::ops::Range<usize>>| {
        span.map(|span| {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("line {line}, column {column}")
        })
        .unwrap_or_default()
    };
    let deserializer = toml::Deserializer::parse(text)
        .map_err(|error| refuse(at_line(error.span()), error.message().to_owned()))?;
    let config: CityConfig = serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let key = error.path().to_string();
        let inner = error.into_inner();
        let key = if key == "." {
            at_line(inner.span())
        } else {
            key
        };
        refuse(key, inner.message().to_owned())
    })?;
    config
        .check()
        .map_err(|(key, reason)| refuse(key, reason))?;
    Ok(config)
}

/// The longest town, village, city or brand name: a household's town and village are at most
/// 20 characters as typed.
const MAX_NAME: usize = 20;
const MAX_LABEL: usize = 10;
const MAX_PROGRAMME: usize = 30;
const MAX_POINTS: i64 = 1_000;
const MAX_PLEDGE_YUAN: u32 = 100_000;

/// A name's fault, if any: names are matched whole, with LIKE over comma-framed lists (so no
/// `,`, `%` or `_`), and must fit the fields households are registered with.
fn name_fault(name: &str, min: usize, max: usize) -> Option<String> {
    let length = name.chars().count();
    if name.trim().is_empty() {
        return Some("may not be empty".into());
    }
    if name.trim() != name {
        return Some(format!("“{name}” may not begin or end with spaces"));
    }
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!(
            "“{}” may not contain control characters (U+{:04X})",
            name.escape_debug(),
            u32::from(c)
        ));
    }
    if let Some(c) = name.chars().find(|c| [',', '，', '%', '_'].contains(c)) {
        return Some(format!("“{name}” may not contain “{c}”"));
    }
    if length < min {
        return Some(format!("“{name}” is shorter than {min} characters"));
    }
    if length > max {
        return Some(format!("“{name}” is longer than {max} characters"));
    }
    None
}

impl CityConfig {
    /// The first fault found, as (key, reason).
    fn check(&self) -> Result<(), (String, String)> {
        let fault = |key: &str, reason: String| Err((key.to_owned(), reason));
        for (key, value, min) in [
            ("city.name", &self.city.name, 1),
            ("city.brand", &self.city.brand, 1),
            ("city.brand_line", &self.city.brand_line, 1),
        ] {
            if let Some(reason) = name_fault(value, min, MAX_NAME) {
                return fault(key, reason);
            }
        }
        if self.towns.is_empty() {
            return fault("towns", "list at least one town".into());
        }
        let mut towns = HashSet::new();
        for (t, town) in self.towns.iter().enumerate() {
            if let Some(reason) = name_fault(&town.name, 2, MAX_NAME) {
                return fault(&format!("towns[{t}].name"), reason);
            }
            if !towns.insert(town.name.as_str()) {
                return fault(
                    &format!("towns[{t}].name"),
                    format!("“{}” is listed twice", town.name),
                );
            }
            let mut villages = HashSet::new();
            for (v, village) in town.villages.iter().enumerate() {
                let key = format!("towns[{t}].villages[{v}]");
                if let Some(reason) = name_fault(village, 2, MAX_NAME) {
                    return fault(&key, reason);
                }
                if !villages.insert(village.as_str()) {
                    return fault(
                        &key,
                        format!("“{village}” is listed twice in {}", town.name),
                    );
                }
            }
        }
        let windows = self.window_settings();
        if !windows.iter().any(|setting| setting.on) {
            return fault("windows", "switch at least one window on".into());
        }
        let mut labels = HashSet::new();
        for setting in &windows {
            let key = format!("windows.{}.label", setting.window.code());
            if let Some(reason) = name_fault(&setting.label, 1, MAX_LABEL) {
                return fault(&key, reason);
            }
            if !labels.insert(setting.label.as_str()) {
                return fault(
                    &key,
                    format!("“{}” names another window too", setting.label),
                );
            }
        }
        for (key, points) in [
            ("points.fulfilment", self.points.fulfilment),
            ("points.intake", self.points.intake),
            ("points.review", self.points.review),
            ("points.confirmation", self.points.confirmation),
        ] {
            if !(0..=MAX_POINTS).contains(&points) {
                return fault(key, format!("{points} is not between 0 and {MAX_POINTS}"));
            }
        }
        let Claims {
            expiry_days,
            min_pledge_yuan,
        } = self.claims;
        if !(1..=365).contains(&expiry_days) {
            return fault(
                "claims.expiry_days",
                format!("{expiry_days} is not between 1 and 365 days"),
            );
        }
        if !(1..=MAX_PLEDGE_YUAN).contains(&min_pledge_yuan) {
            return fault(
                "claims.min_pledge_yuan",
                format!("{min_pledge_yuan} is not between 1 and {MAX_PLEDGE_YUAN} yuan"),
            );
        }
        let months = self.review.aid_period_months;
        if !(1..=120).contains(&months) {
            return fault(
                "review.aid_period_months",
                format!("{months} is not between 1 and 120 months"),
            );
        }
        if self.review.referral_programmes.is_empty() {
            return fault(
                "review.referral_programmes",
                "list at least one programme (leave the key out for the default four)".into(),
            );
        }
        let mut programmes = HashSet::new();
        for (p, programme) in self.review.referral_programmes.iter().enumerate() {
            let key = format!("review.referral_programmes[{p}]");
            if let Some(reason) = name_fault(programme, 1, MAX_PROGRAMME) {
                return fault(&key, reason);
            }
            if !programmes.insert(programme.as_str()) {
                return fault(&key, format!("“{programme}” is listed twice"));
            }
        }
        Ok(())
    }

    /// Each window, on or off, under the name the city gives it.
    fn window_settings(&self) -> [WindowSetting; 6] {
        let w = &self.windows;
        let entries = [
            &w.medical,
            &w.education,
            &w.disability,
            &w.home,
            &w.insurance,
            &w.services,
        ];
        // `Window::ALL`'s order.
        std::array::from_fn(|i| WindowSetting {
            window: Window::ALL[i],
            on: entries[i].on,
            label: entries[i]
                .label
                .clone()
                .unwrap_or_else(|| Window::ALL[i].label().to_owned()),
        })
    }

    /// What pages show of the city.
    pub fn public_city(&self) -> City {
        City {
            name: self.city.name.clone(),
            brand: self.city.brand.clone(),
            brand_line: self.city.brand_line.clone(),
            windows: self.window_settings(),
        }
    }

    pub fn town_names(&self) -> Vec<String> {
        self.towns.iter().map(|town| town.name.clone()).collect()
    }

    /// The villages of the towns that list them.
    pub fn villages(&self) -> HashMap<String, Vec<String>> {
        self.towns
            .iter()
            .filter(|town| !town.villages.is_empty())
            .map(|town| (town.name.clone(), town.villages.clone()))
            .collect()
    }

    pub fn point_rules(&self) -> PointRules {
        PointRules {
            fulfilment: self.points.fulfilment,
            intake: self.points.intake,
            review: self.points.review,
            confirmation: self.points.confirmation,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        parse("city.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn the_repositorys_wanshan_toml_is_exactly_the_built_in_default() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wanshan.toml");
        assert_eq!(load(&path).unwrap(), CityConfig::default());
    }

    #[test]
    fn the_second_city_shipped_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/cities/jurong.toml");
        let config = load(&path).unwrap();
        assert_eq!(config.city.brand, "万善句容");
        assert_eq!(config.public.locality, Locality::Village);
        assert!(!config.public_city().is_on(Window::Insurance));
        assert_eq!(config.villages()["天王镇"], ["戴庄村", "唐陵村"]);
    }

    #[test]
    fn a_setting_moved_to_the_file_but_still_in_the_environment_is_named() {
        assert_eq!(moved_setting(|_| None), None);
        let refusal = moved_setting(|v| (v == "WANSHAN_POINTS_INTAKE").then(|| "3".into()));
        assert!(refusal
            .unwrap()
            .starts_with("WANSHAN_POINTS_INTAKE: this setting moved to the city's file"),);
    }

    #[test]
    fn an_empty_file_is_danyangs_defaults() {
        assert_eq!(parse("city.toml", "").unwrap(), CityConfig::default());
    }

    #[test]
    fn a_window_left_half_said_keeps_its_usual_name_and_the_rest_keep_theirs() {
        let config = parse(
            "city.toml",
            "[windows.education]\non = false\n[windows.home]\nlabel = \"安居\"\n",
        )
        .unwrap();
        let city = config.public_city();
        assert!(!city.is_on(Window::Education));
        assert_eq!(city.label(Window::Education), "助学");
        assert_eq!(city.label(Window::Home), "安居");
        assert!(city.is_on(Window::Home));
    }

    #[test]
    fn bad_values_name_the_file_the_key_and_the_reason() {
        let cases = [
            (
                "[[towns]]\nname = \"甲镇\"\n[[towns]]\nname = \"乙镇\"\n[[towns]]\nname = \"丙镇\"\nvillages = [\"x_y\"]\n",
                "city.toml: towns[2].villages[0]: “x_y” may not contain “_”",
            ),
            (
                "[[towns]]\nname = \"甲镇\"\n[[towns]]\nname = \"甲镇\"\n",
                "city.toml: towns[1].name: “甲镇” is listed twice",
            ),
            (
                "[[towns]]\nname = \"甲镇\"\nvillages = [\"东村\", \"东村\"]\n",
                "city.toml: towns[0].villages[1]: “东村” is listed twice in 甲镇",
            ),
            (
                "[[towns]]\nname = \"甲,镇\"\n",
                "city.toml: towns[0].name: “甲,镇” may not contain “,”",
            ),
            (
                "[[towns]]\nname = \"百分之%镇\"\n",
                "city.toml: towns[0].name: “百分之%镇” may not contain “%”",
            ),
            (
                "[[towns]]\nname = \"一二三四五六七八九十一二三四五六七八九十一\"\n",
                "city.toml: towns[0].name: “一二三四五六七八九十一二三四五六七八九十一” is longer than 20 characters",
            ),
            (
                "[[towns]]\nname = \"甲\\u0007镇\"\n",
                "city.toml: towns[0].name: “甲\\u{7}镇” may not contain control characters (U+0007)",
            ),
            ("towns = []\n", "city.toml: towns: list at least one town"),
            (
                "[windows]\nmedical.on = false\neducation.on = false\ndisability.on = false\nhome.on = false\ninsurance.on = false\nservices.on = false\n",
                "city.toml: windows: switch at least one window on",
            ),
            (
                "[windows.home]\nlabel = \"\"\n",
                "city.toml: windows.home.label: may not be empty",
            ),
            (
                "[windows.home]\nlabel = \"助医\"\n",
                "city.toml: windows.home.label: “助医” names another window too",
            ),
            (
                "[points]\nintake = -1\n",
                "city.toml: points.intake: -1 is not between 0 and 1000",
            ),
            (
                "[claims]\nmin_pledge_yuan = 0\n",
                "city.toml: claims.min_pledge_yuan: 0 is not between 1 and 100000 yuan",
            ),
            (
                "[claims]\nexpiry_days = 366\n",
                "city.toml: claims.expiry_days: 366 is not between 1 and 365 days",
            ),
            (
                "[review]\naid_period_months = 0\n",
                "city.toml: review.aid_period_months: 0 is not between 1 and 120 months",
            ),
            (
                "[public]\nlocality = \"county\"\n",
                "city.toml: public.locality: unknown variant `county`, expected `town` or `village`",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(refusal(text), expected, "for {text:?}");
        }
    }

    #[test]
    fn unknown_keys_wrong_types_and_broken_syntax_are_refused_with_where() {
        let unknown = refusal("[windows.medical]\nlable = \"医\"\n");
        assert!(
            unknown.starts_with("city.toml: windows.medical.lable: unknown field `lable`"),
            "{unknown}"
        );
        let wrong_type = refusal("[claims]\nexpiry_days = \"14\"\n");
        assert!(
            wrong_type.starts_with("city.toml: claims.expiry_days: invalid type: string"),
            "{wrong_type}"
        );
        let negative = refusal("[claims]\nexpiry_days = -3\n");
        assert!(
            negative.starts_with("city.toml: claims.expiry_days: invalid value: integer `-3`"),
            "{negative}"
        );
        let syntax = refusal("[city]\nname = \"丹阳\n");
        assert!(syntax.starts_with("city.toml: line 2, column "), "{syntax}");
    }
}
