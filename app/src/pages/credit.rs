//! `/credit`: the public leaderboard of credit points (新时代文明实践积分).

use crate::functions::impact::load_leaderboard;
use leptos::prelude::*;

#[component]
pub fn CreditPage() -> impl IntoView {
    let standings = Resource::new(|| (), |_| load_leaderboard());
    view! {
        <section class="panel">
            <h1>"爱心积分榜"</h1>
            <p class="hint">"捐助送达并确认、录入和审核需求都会获得积分；积分是每一笔记录的合计。名字只显示第一个字（如“张*”），本人选择后才显示完整称呼。积分旁是经确认的志愿服务时长。"</p>
            <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
                {move || Suspend::new(async move {
                    let standings = standings.await.unwrap_or_default();
                    if standings.is_empty() {
                        return view! { <p class="empty">"还没有积分记录。"</p> }.into_any();
                    }
                    view! {
                        <ol class="leaderboard" data-testid="leaderboard">
                            {standings
                                .into_iter()
                                .map(|s| view! { <li><span class="rank">{s.rank}</span><span class="name">{s.name}</span><span class="points">{format!("{} 分", s.points)}</span><span class="hours" data-minutes=s.hours_minutes>{if s.hours_minutes > 0 { crate::domain::hours_text(s.hours_minutes) } else { "—".to_owned() }}</span></li> })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}
