//! Wanshan 万善: the shared crate. Domain types, pages and server functions are compiled twice,
//! for the server (`ssr`) and for the browser (`hydrate`); storage and the live hub are server-only.
//!
//! Pages are rendered on the server and stay plain HTML (forms post, the server redirects):
//! only the islands (`#[island]`: the live board with its claim form, the live impact figures)
//! are hydrated, so a phone downloads the code of those alone.

pub mod access;
pub mod city;
pub mod components;
pub mod credit;
pub mod domain;
pub mod error;
pub mod functions;
pub mod impact;
pub mod pages;
pub mod people;
pub mod private;
pub mod share;

#[cfg(feature = "ssr")]
pub mod db;
pub mod live;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod passwords;
#[cfg(feature = "ssr")]
pub mod settings;
#[cfg(feature = "ssr")]
pub mod throttle;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    content_security_policy();
    let city = city::City::current();
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#b3261e"/>
                <meta name="description" content=format!("{}：支出型困难家庭的爱心需求，认领即下架，帮扶不重复。", city.brand)/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from this site or inline with this
/// response's nonce (the hydration script Leptos writes carries it), WebAssembly compiled by
/// that script, styles and images from this site, requests only to this site, no plugins, no
/// framing, and forms posted only here. Set on every page the shell renders.
#[cfg(feature = "ssr")]
fn content_security_policy() {
    let (Some(response), Some(nonce)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let brand = city::City::current().full_brand();
    view! {
        <Stylesheet id="wanshan" href="/pkg/wanshan.css"/>
        <Title text=brand.clone()/>
        <Router>
            <header class="site-header">
                <A href="/" attr:class="brand">
                    <span class="brand-mark">"万善"</span>
                    <span class="brand-name">{brand}</span>
                </A>
                <components::session::SessionNav/>
            </header>
            <main>
                <Routes fallback=pages::NotFound>
                    <Route path=StaticSegment("") view=pages::board::BoardPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signin") view=pages::account::SignInPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signup") view=pages::account::SignUpPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("intake") view=pages::intake::IntakePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("review") view=pages::review::ReviewPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view=pages::admin::AdminPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("agencies")) view=pages::agencies::AgenciesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("api-log")) view=pages::agencies::ApiLogPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("desk") view=pages::desk::DeskPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("desk"), StaticSegment("needs"), ParamSegment("id")) view=pages::desk::NeedTrailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("claims")) view=pages::my_claims::MyClaimsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("impact") view=pages::impact::ImpactPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("credit") view=pages::credit::CreditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("needs"), ParamSegment("id")) view=pages::need::NeedPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("needs"), ParamSegment("id"), StaticSegment("poster")) view=pages::need::PosterPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("needs"), ParamSegment("id"), StaticSegment("report")) view=pages::reports::ReportPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("review"), StaticSegment("reports")) view=pages::reports::ReviewReportsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("notices")) view=pages::notices::NoticesPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("offers") view=pages::offers::OffersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("offers"), StaticSegment("new")) view=pages::offers::NewOfferPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("offers"), ParamSegment("id")) view=pages::offers::OfferDetailPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("offers")) view=pages::offers::MyOffersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("review"), StaticSegment("offers")) view=pages::offers::ReviewOffersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("interests")) view=pages::interests::MyInterestsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("for-you") view=pages::interests::ForYouPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("thanks") view=pages::thanks::ThanksPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("review"), StaticSegment("slips"), ParamSegment("claim")) view=pages::thanks::SlipPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("claims"), ParamSegment("claim"), StaticSegment("certificate")) view=pages::my_claims::CertificatePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("hours")) view=pages::hours::MyHoursPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("my"), StaticSegment("hours"), StaticSegment("certificate")) view=pages::hours::HoursCertificatePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hours"), StaticSegment("verify"), ParamSegment("code")) view=pages::hours::VerifyHoursPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("review"), StaticSegment("hours")) view=pages::hours::ReviewHoursPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>"每一条需求都经过村民议事小组和志愿者两道审核。家庭身份信息不公开。"</p>
            </footer>
        </Router>
    }
}
