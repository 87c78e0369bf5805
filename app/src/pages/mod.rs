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
