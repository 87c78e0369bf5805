//! `GET /lang?to=en&back=/needs/7`: remembers a reader's language in a cookie and sends them
//! back to the page they were on. A plain link, so it works without JavaScript.

use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wanshan_app::lang::{self, LANG_COOKIE, LANG_COOKIE_SECONDS};

#[derive(Deserialize)]
pub struct Switch {
    to: String,
    #[serde(default)]
    back: String,
}

/// 303 to `back` (a path on this site; anything else goes to the board) with the choice in
/// an HttpOnly, SameSite=Lax cookie; 400 for a language we do not have.
pub async fn switch_language(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(switch): Query<Switch>,
) -> Response {
    let Some(locale) = lang::parse_choice(&switch.to) else {
        return (StatusCode::BAD_REQUEST, "to: en or zh-CN").into_response();
    };
    let over_tls = state.settings.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={LANG_COOKIE_SECONDS}{}",
        lang::tag(locale),
        if over_tls { "; Secure" } else { "" }
    );
    let back = local_path(&switch.back).unwrap_or("/");
    let (Ok(cookie), Ok(location)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(back))
    else {
        return (StatusCode::BAD_REQUEST, "back: a path on this site").into_response();
    };
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, cookie),
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// `back` if it is a path on this site: it starts with one `/` (not `//` or `/\`, which a
/// browser reads as another host), is at most 2,000 bytes and has no control characters.
fn local_path(back: &str) -> Option<&str> {
    let local = back.starts_with('/')
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.len() <= 2_000
        && !back.chars().any(char::is_control);
    local.then_some(back)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_a_path_on_this_site_is_a_way_back() {
        assert_eq!(local_path("/needs/7?x=1"), Some("/needs/7?x=1"));
        assert_eq!(local_path("/"), Some("/"));
        for elsewhere in [
            "",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "needs/7",
            "/a\r\nSet-Cookie: x=1",
        ] {
            assert_eq!(local_path(elsewhere), None, "{elsewhere:?}");
        }
    }
}
