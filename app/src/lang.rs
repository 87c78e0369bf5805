//! Which language a page is in: Chinese (`zh-CN`, the default) or English (`en`).
//!
//! The texts live in `app/locales/<locale>/<namespace>.json` and are read with leptos_i18n's
//! `td!` (in a view) and `td_string!` (anywhere else), always with the locale this module
//! gives: the server resolves it once per request (the reader's remembered choice, else the
//! browser's `Accept-Language`), and an island is handed it as a prop.

pub use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::Locale as _;

/// The cookie that remembers a reader's choice of language (set by `GET /lang`).
pub const LANG_COOKIE: &str = "wanshan_lang";

/// How long the choice is remembered: a year.
pub const LANG_COOKIE_SECONDS: u32 = 365 * 86_400;

/// The language of what is being rendered now.
pub fn locale() -> Locale {
    if let Some(locale) = use_context::<Locale>() {
        return locale;
    }
    #[cfg(feature = "ssr")]
    if let Some(parts) = use_context::<http::request::Parts>() {
        return from_headers(&parts.headers);
    }
    Locale::default()
}

/// Makes `locale` the language of everything rendered below (islands call it with their prop).
pub fn provide_locale(locale: Locale) {
    provide_context(locale);
}

/// The tag for `<html lang>` and `hreflang`: `zh-CN` or `en`.
pub fn tag(locale: Locale) -> &'static str {
    locale.as_str()
}

/// The other language, the one the switch offers.
pub fn other(locale: Locale) -> Locale {
    match locale {
        Locale::en => Locale::zh_CN,
        Locale::zh_CN => Locale::en,
    }
}

/// A language chosen by name (`en`, `zh-CN`, or just `zh`); `None` for anything else.
pub fn parse_choice(value: &str) -> Option<Locale> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("en") {
        Some(Locale::en)
    } else if value.eq_ignore_ascii_case("zh-CN") || value.eq_ignore_ascii_case("zh") {
        Some(Locale::zh_CN)
    } else {
        None
    }
}

/// The language for a request: the remembered choice if there is one, else the first of the
/// browser's languages (by `q`) that we have, else Chinese.
pub fn from_headers(headers: &http::HeaderMap) -> Locale {
    let chosen = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LANG_COOKIE)
        .and_then(|(_, value)| parse_choice(value));
    chosen.unwrap_or_else(|| {
        headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .map(from_accept_language)
            .unwrap_or_default()
    })
}

/// The best of Chinese and English for an `Accept-Language` value: the language range with the
/// highest quality that is one of ours (`zh…` or `en…`; the first on a tie); Chinese when
/// neither is there. A malformed entry is skipped, never an error.
pub fn from_accept_language(value: &str) -> Locale {
    let mut best: Option<(u16, Locale)> = None;
    for entry in value.split(',').take(32) {
        let mut parts = entry.split(';');
        let range = parts.next().unwrap_or("").trim();
        let quality = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .map_or(Some(1000), quality_in_thousandths);
        let Some(quality) = quality else { continue };
        let primary = range.split('-').next().unwrap_or("");
        let locale = if primary.eq_ignore_ascii_case("en") {
            Locale::en
        } else if primary.eq_ignore_ascii_case("zh") {
            Locale::zh_CN
        } else {
            continue;
        };
        if quality > 0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, locale));
        }
    }
    best.map(|(_, locale)| locale).unwrap_or_default()
}

/// `q=0.8` as 800; `None` when it is not a quality value.
fn quality_in_thousandths(value: &str) -> Option<u16> {
    let value = value.trim();
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    let quality = whole * 1000 + fraction;
    (quality <= 1000).then_some(quality)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browsers_best_language_we_have_is_chosen() {
        assert_eq!(from_accept_language("en-US,en;q=0.9"), Locale::en);
        assert_eq!(
            from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Locale::zh_CN
        );
        assert_eq!(
            from_accept_language("fr-FR, en;q=0.5, zh;q=0.4"),
            Locale::en
        );
        assert_eq!(
            from_accept_language("de, zh-TW;q=0.9, en;q=0.91"),
            Locale::en
        );
        assert_eq!(from_accept_language("de, fr"), Locale::zh_CN);
        assert_eq!(from_accept_language(""), Locale::zh_CN);
        assert_eq!(from_accept_language("en;q=0, zh;q=0.1"), Locale::zh_CN);
        // Malformed qualities are skipped, not trusted.
        assert_eq!(from_accept_language("en;q=7, zh;q=0.2"), Locale::zh_CN);
        assert_eq!(from_accept_language("en;q=abc"), Locale::zh_CN);
    }

    #[test]
    fn a_remembered_choice_wins_over_the_browser() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_LANGUAGE, "zh-CN".parse().unwrap());
        headers.insert(
            http::header::COOKIE,
            "a=b; wanshan_lang=en".parse().unwrap(),
        );
        assert_eq!(from_headers(&headers), Locale::en);
        headers.insert(
            http::header::COOKIE,
            "wanshan_lang=klingon".parse().unwrap(),
        );
        assert_eq!(from_headers(&headers), Locale::zh_CN);
        headers.insert(http::header::ACCEPT_LANGUAGE, "en-GB".parse().unwrap());
        assert_eq!(from_headers(&headers), Locale::en);
    }

    /// Every key is in both languages, and no text is empty: a page can never show a key or
    /// a blank where a translation is missing. (leptos_i18n refuses a key missing from the
    /// default language at build time; this covers the other direction and empty texts.)
    #[test]
    fn both_locales_have_every_key() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut checked = 0;
        for entry in std::fs::read_dir(root.join("zh-CN")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_owned();
            let zh: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let en: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(root.join("en").join(&name)).unwrap(),
            )
            .unwrap();
            let (mut zh_keys, mut en_keys) = (Vec::new(), Vec::new());
            leaves("", &zh, &mut zh_keys);
            leaves("", &en, &mut en_keys);
            zh_keys.sort();
            en_keys.sort();
            let zh_names: Vec<_> = zh_keys.iter().map(|(k, _)| k.clone()).collect();
            let en_names: Vec<_> = en_keys.iter().map(|(k, _)| k.clone()).collect();
            assert_eq!(
                zh_names, en_names,
                "{name:?}: the two languages' keys differ"
            );
            for (key, text) in zh_keys.iter().chain(&en_keys) {
                assert!(!text.trim().is_empty(), "{name:?}: {key} is empty");
            }
            // English texts are English: no Chinese in them except the brand's own name.
            for (key, text) in &en_keys {
                let chinese = text
                    .replace("万善", "") // i18n-allow: the brand's own name
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
                let allowed = key.ends_with("switch_to")
                    || key.ends_with("switch_label")
                    || key.ends_with("_zh");
                assert!(
                    !chinese || allowed,
                    "{name:?}: {key} is not translated: {text}"
                );
            }
            checked += zh_keys.len();
        }
        assert!(checked > 0);
    }

    fn leaves(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    leaves(&format!("{prefix}{key}."), value, out);
                }
            }
            serde_json::Value::String(text) => {
                out.push((prefix.trim_end_matches('.').to_owned(), text.clone()))
            }
            other => out.push((prefix.trim_end_matches('.').to_owned(), other.to_string())),
        }
    }
}

/// Every text a reader sees comes from `locales/`: no Chinese string is left in the code of the
/// pages, components, messages and checks (tests, the demo seed and comments aside). A line
/// whose Chinese is data, not interface (a stored value matched in SQL, the brand's own name),
/// says so with a `// i18n-allow: <why>` comment.
#[cfg(test)]
mod untranslated {
    /// Chinese string literals in a Rust source file: (line number, literal).
    pub fn chinese_literals(source: &str) -> Vec<(usize, String)> {
        let mut found = Vec::new();
        for (index, line) in source.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || line.contains("// i18n-allow:") {
                continue;
            }
            if code.starts_with("#[cfg(test)]") {
                break;
            }
            let mut in_string = false;
            let mut escaped = false;
            let mut literal = String::new();
            for c in line.chars() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        in_string = false;
                        if literal.chars().any(is_chinese) {
                            found.push((index + 1, literal.clone()));
                        }
                        literal.clear();
                        continue;
                    }
                    literal.push(c);
                } else if c == '"' {
                    in_string = true;
                } else if c == '/' && line.contains("//") && !literal.is_empty() {
                    break;
                }
            }
        }
        found
    }

    pub fn is_chinese(c: char) -> bool {
        ('\u{4e00}'..='\u{9fff}').contains(&c)
            || ('\u{3000}'..='\u{303f}').contains(&c)
            || ('\u{ff00}'..='\u{ffef}').contains(&c)
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_chinese_text_is_left_in_the_code() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let mut files = Vec::new();
        rust_files(&root.join("app/src"), &mut files);
        rust_files(&root.join("server/src"), &mut files);
        files.sort();
        let mut left = Vec::new();
        for file in files {
            let name = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if name.ends_with("tests.rs") || name.ends_with("/seed.rs") {
                continue;
            }
            for (line, literal) in chinese_literals(&std::fs::read_to_string(&file).unwrap()) {
                left.push(format!("{name}:{line}: \"{literal}\""));
            }
        }
        assert!(
            left.is_empty(),
            "{} Chinese texts outside locales/:\n{}",
            left.len(),
            left.join("\n")
        );
    }
}
