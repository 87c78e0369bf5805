//! `/credit`: the public leaderboard of credit points (新时代文明实践积分).

use crate::functions::impact::load_leaderboard;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};

#[component]
pub fn CreditPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let standings = Resource::new(|| (), |_| load_leaderboard());
    view! {
        <section class="panel">
            <h1>{td!(locale, credit.title)}</h1>
            <p class="hint">{td!(locale, credit.hint)}</p>
            <Suspense fallback=move || view! { <p class="loading">{td!(locale, common.loading)}</p> }>
                {move || Suspend::new(async move {
                    let standings = standings.await.unwrap_or_default();
                    if standings.is_empty() {
                        return view! { <p class="empty">{td!(locale, credit.empty)}</p> }.into_any();
                    }
                    view! {
                        <ol class="leaderboard" data-testid="leaderboard">
                            {standings
                                .into_iter()
                                .map(|s| view! { <li><span class="rank">{s.rank}</span><span class="name">{s.name}</span><span class="points">{td_string!(locale, credit.points, points = s.points).to_string()}</span><span class="hours" data-minutes=s.hours_minutes>{if s.hours_minutes > 0 { crate::domain::hours_text(s.hours_minutes) } else { "—".to_owned() }}</span></li> })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}
