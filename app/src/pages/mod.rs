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

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="not-found">
            <h1>"页面不存在"</h1>
            <p><a href="/">"回到爱心需求"</a></p>
        </section>
    }
}
