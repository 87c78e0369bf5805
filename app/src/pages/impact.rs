//! `/impact`: what was done, for everyone, live. The figures are recomputed on the server
//! whenever the event stream says something changed (published, claimed, fulfilled), so the
//! page never drifts from the database.

use crate::components::chart::BarChart;
use crate::domain::Fen;
use crate::functions::impact::load_impact;
use crate::impact::{duration_text, Impact};
use leptos::prelude::*;

#[component]
pub fn ImpactPage() -> impl IntoView {
    let impact = Resource::new(|| (), |_| load_impact());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match impact.await {
                    Ok(figures) => view! { <LiveImpact figures/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <p class="more"><a href="/credit">"爱心积分榜：看看谁在帮忙"</a></p>
    }
}

/// The figures, refreshed whenever the event stream says something changed. An island.
#[island]
fn LiveImpact(figures: Impact) -> impl IntoView {
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
            <h1>"公益成效"</h1>
            <p class="board-count" data-live=move || if live.get() { "on" } else { "off" }>
                <span>"每一条需求都经过两道审核；这里的数字随认领和送达实时变化。"</span>
                <span class="live-dot">{move || if live.get() { "实时更新中" } else { "" }}</span>
            </p>
            <dl class="totals" data-testid="impact-totals">
                <div><dt>"已发布需求"</dt><dd data-testid="published">{figure(|f| f.published.to_string())}</dd></div>
                <div><dt>"已被认领"</dt><dd data-testid="claimed">{figure(|f| f.claimed.to_string())}</dd></div>
                <div><dt>"已完成帮扶"</dt><dd data-testid="fulfilled">{figure(|f| f.fulfilled.to_string())}</dd></div>
                <div><dt>"受助家庭"</dt><dd data-testid="households">{figure(|f| f.households_helped.to_string())}</dd></div>
                <div><dt>"送达善款"</dt><dd data-testid="money">{figure(|f| Fen::from_stored(f.money_delivered_fen).to_string())}</dd></div>
                <div><dt>"送达物资 / 服务"</dt><dd>{figure(|f| format!("{} / {}", f.goods_delivered, f.services_delivered))}</dd></div>
                <div><dt>"服务到场人次"</dt><dd data-testid="service-sessions">{figure(|f| f.service_sessions.to_string())}</dd></div>
                <div><dt>"认领用时（中位数）"</dt><dd>{figure(|f| f.median_minutes_to_claim.map(duration_text).unwrap_or_else(|| "—".into()))}</dd></div>
                <div><dt>"完成用时（中位数）"</dt><dd>{figure(|f| f.median_minutes_to_fulfil.map(duration_text).unwrap_or_else(|| "—".into()))}</dd></div>
            </dl>
            {move || {
                let f = figures.get();
                view! {
                    <BarChart title="按窗口" tallies=f.by_window/>
                    <BarChart title="按镇（街道）" tallies=f.by_town/>
                    <BarChart title="按月（近 12 个月）" tallies=f.by_month/>
                }
            }}
            <p class="hint">"浅色条：已发布；深色条：已完成。数字为 已完成/已发布。"</p>
        </section>
    }
}
