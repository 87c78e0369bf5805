pub mod account;
pub mod admin;
pub mod agencies;
pub mod board;
pub mod credit;
pub mod desk;
pub mod hours;
pub mod impact;
pub mod intake;
pub mod interests;
pub mod my_claims;
pub mod need;
pub mod notices;
pub mod offers;
pub mod reports;
pub mod review;
pub mod thanks;

use leptos::prelude::*;
use leptos_i18n::td;

/// The header that tells the service worker it may keep this page for reading offline.
pub const OFFLINE_KEEP_HEADER: &str = "x-wanshan-offline";

/// Marks the page being rendered as one the service worker may keep on the device (the
/// board, a need's page, the impact page, once they rendered whole). Only pages that call this
/// are ever kept; the session layer strips the mark again from anything a signed-in person is
/// shown, so a page with someone's name on it never is.
pub fn keep_offline() {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            http::HeaderName::from_static(OFFLINE_KEEP_HEADER),
            http::HeaderValue::from_static("keep"),
        );
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let locale = crate::lang::locale();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="not-found">
            <h1>{td!(locale, common.not_found.title)}</h1>
            <p><a href="/">{td!(locale, common.not_found.back)}</a></p>
        </section>
    }
}
