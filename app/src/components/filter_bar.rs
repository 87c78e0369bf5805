//! Window chips and a town picker. Plain links and a GET form, so they work without JavaScript.

use crate::domain::{BoardFilter, Window};
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::components::Form;

/// The board's address for a filter; `pages` above 1 asks for more needs.
pub fn board_href(window: Option<Window>, town: Option<&str>, pages: u32) -> String {
    let mut params = Vec::new();
    if let Some(window) = window {
        params.push(format!("window={}", window.code()));
    }
    if let Some(town) = town {
        params.push(format!("town={}", encode_component(town)));
    }
    if pages > 1 {
        params.push(format!("pages={pages}"));
    }
    if params.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{}", params.join("&"))
    }
}

/// Percent-encodes a query value (towns are Chinese).
pub fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[component]
pub fn FilterBar(filter: BoardFilter, towns: Vec<String>) -> impl IntoView {
    let locale = crate::lang::locale();
    let town = filter.town.clone();
    let chips = std::iter::once(None)
        .chain(
            crate::city::City::current()
                .windows_on()
                .into_iter()
                .map(Some),
        )
        .map(|window| {
            let href = board_href(window, town.as_deref(), 1);
            let current = filter.window == window;
            let label = window.map_or_else(
                || td_string!(locale, board.filter.all).to_owned(),
                crate::city::window_label,
            );
            view! {
                <li>
                    <a
                        href=href
                        class="chip"
                        class:chip-current=current
                        aria-current=current.then_some("page")
                    >
                        {label}
                    </a>
                </li>
            }
        })
        .collect_view();
    let selected_town = filter.town.clone().unwrap_or_default();
    let options = towns
        .into_iter()
        .map(|name| {
            let selected = name == selected_town;
            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
        })
        .collect_view();
    view! {
        <nav class="filters" aria-label=td_string!(locale, board.filter.aria)>
            <ul class="chips">{chips}</ul>
            <Form method="GET" action="/" attr:class="town-form">
                {filter.window.map(|w| view! { <input type="hidden" name="window" value=w.code()/> })}
                <label for="town">{td_string!(locale, board.filter.town_label)}</label>
                <select id="town" name="town">
                    <option value="">{td_string!(locale, board.filter.all_towns)}</option>
                    {options}
                </select>
                <button type="submit" class="btn-secondary">{td_string!(locale, board.filter.submit)}</button>
            </Form>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_links_keep_the_other_filter_and_encode_towns() {
        assert_eq!(board_href(None, None, 1), "/");
        assert_eq!(
            board_href(Some(Window::Medical), None, 1),
            "/?window=medical"
        );
        assert_eq!(
            board_href(Some(Window::Home), Some("延陵镇"), 2),
            "/?window=home&town=%E5%BB%B6%E9%99%B5%E9%95%87&pages=2"
        );
    }
}
