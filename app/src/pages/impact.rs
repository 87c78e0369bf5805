//! `/impact`: what was done, for everyone, live. The figures are recomputed on the server
//! whenever the event stream says something changed (published, claimed, fulfilled), so the
//! page never drifts from the database.

use crate::components::chart::BarChart;
use crate::domain::Fen;
use crate::functions::impact::load_impact;
use crate::impact::{duration_text, Impact};
use leptos::prelude::*;
use leptos_i18n::td_string;

#[component]
pub fn ImpactPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let impact = Resource::new(|| (), |_| load_impact());
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match impact.await {
                    Ok(figures) => {
                        super::keep_offline();
                        view! { <LiveImpact locale figures/> }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <p class="more"><a href="/credit">{td_string!(locale, impact.credit_link)}</a></p>
    }
}

/// The figures, refreshed whenever the event stream says something changed. An island.
#[island]
fn LiveImpact(
    /// The page's language (the browser has no request to read it from).
    locale: crate::lang::Locale,
    figures: Impact,
) -> impl IntoView {
    crate::lang::provide_locale(locale);
    let as_of = figures.as_of;
    let figures = RwSignal::new(figures);
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let refresh = move || {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = load_impact().await {
                    figures.set(fresh);
                }
            })
        };
        crate::live::client::follow(as_of, move |_| refresh(), refresh, live);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = as_of;
    let figure = move |read: fn(&Impact) -> String| move || figures.with(read);
    view! {
        <section class="panel impact">
            <h1>{td_string!(locale, impact.title)}</h1>
            <p class="board-count" data-live=move || if live.get() { "on" } else { "off" }>
                <span>{td_string!(locale, impact.intro)}</span>
                <span class="live-dot">{move || if live.get() { td_string!(locale, impact.live_on) } else { "" }}</span>
            </p>
            <dl class="totals" data-testid="impact-totals">
                <div><dt>{td_string!(locale, impact.published)}</dt><dd data-testid="published">{figure(|f| f.published.to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.claimed)}</dt><dd data-testid="claimed">{figure(|f| f.claimed.to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.fulfilled)}</dt><dd data-testid="fulfilled">{figure(|f| f.fulfilled.to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.households)}</dt><dd data-testid="households">{figure(|f| f.households_helped.to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.money)}</dt><dd data-testid="money">{figure(|f| Fen::from_stored(f.money_delivered_fen).to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.goods_services)}</dt><dd>{figure(|f| format!("{} / {}", f.goods_delivered, f.services_delivered))}</dd></div>
                <div><dt>{td_string!(locale, impact.sessions)}</dt><dd data-testid="service-sessions">{figure(|f| f.service_sessions.to_string())}</dd></div>
                <div><dt>{td_string!(locale, impact.claim_time)}</dt><dd>{figure(|f| f.median_minutes_to_claim.map(duration_text).unwrap_or_else(|| "—".into()))}</dd></div>
                <div><dt>{td_string!(locale, impact.fulfil_time)}</dt><dd>{figure(|f| f.median_minutes_to_fulfil.map(duration_text).unwrap_or_else(|| "—".into()))}</dd></div>
            </dl>
            {move || {
                let f = figures.get();
                view! {
                    <BarChart title=td_string!(locale, impact.by_window) tallies=f.by_window/>
                    <BarChart title=td_string!(locale, impact.by_town) tallies=f.by_town/>
                    <BarChart title=td_string!(locale, impact.by_month) tallies=f.by_month/>
                }
            }}
            <p class="hint">{td_string!(locale, impact.legend)}</p>
        </section>
    }
}
