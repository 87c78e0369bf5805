//! The header's switch between Chinese and English: a plain link to `GET /lang`, which
//! remembers the choice in a cookie and sends the reader back to the page they were on (it
//! works without JavaScript, and in WeChat's browser).

use crate::lang::{self, Locale};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};

/// Where the switch sends a reader of `path` (with its query) who wants `to`.
pub fn switch_href(to: Locale, path_and_query: &str) -> String {
    let mut query = form_urlencoded_pairs(&[("to", lang::tag(to)), ("back", path_and_query)]);
    query.insert_str(0, "/lang?");
    query
}

fn form_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[component]
pub fn LangSwitch() -> impl IntoView {
    let locale = lang::locale();
    let to = lang::other(locale);
    let location = leptos_router::hooks::use_location();
    let search = location.search.get_untracked();
    let here = match search.trim_start_matches('?') {
        "" => location.pathname.get_untracked(),
        query => format!("{}?{query}", location.pathname.get_untracked()),
    };
    let href = switch_href(to, &here);
    view! {
        <a class="lang-switch" href=href lang=lang::tag(to) hreflang=lang::tag(to)
            aria-label=td_string!(locale, common.switch_label) data-testid="lang-switch">
            {td!(locale, common.switch_to)}
        </a>
    }
}
