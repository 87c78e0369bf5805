//! `/my/interests` (what a donor wants to help with) and `/for-you` (为你推荐: the open board
//! ranked for those interests, each card saying in one line why). Plain pages and forms.

use crate::components::need_card::NeedCard;
use crate::components::session::{Outcome, RoleGate};
use crate::functions::claims::ClaimNeed;
use crate::functions::interests::{get_interests, list_for_you, InterestsPage, SaveInterests};
use crate::people::Role;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MyInterestsPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("帮扶意向")/>
        <RoleGate allowed=|v| v.has(Role::Donor) refused="帮扶意向是爱心人士的设置。">
            <InterestsForm/>
        </RoleGate>
    }
}

#[component]
fn InterestsForm() -> impl IntoView {
    let save = ServerAction::<SaveInterests>::new();
    let page = Resource::new(move || save.version().get(), |_| get_interests());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(InterestsPage { interests, towns }) => {
                        let yuan = |fen: Option<crate::domain::Fen>| fen.map(|f| f.yuan_input()).unwrap_or_default();
                        view! {
                            <section class="panel">
                                <h1>"我的帮扶意向"</h1>
                                <p class="hint">"告诉我们您想帮哪些窗口、哪些镇（街道）、多大金额的需求。“为你推荐”会把最合适的需求排在前面；有新的合适需求发布时，也可以通知您（每天最多 3 条）。"</p>
                                <Outcome value=save.value() done="已保存。" when="saved"/>
                                <ActionForm action=save attr:class="stack-form" attr:data-testid="interests-form">
                                    <fieldset class="choices">
                                        <legend>"窗口（不选即不限）"</legend>
                                        {crate::city::City::current()
                                            .windows_on()
                                            .into_iter()
                                            .map(|w| {
                                                let checked = interests.windows.contains(&w);
                                                view! {
                                                    <label>
                                                        <input type="checkbox" name=format!("interests[windows][{}]", w.code()) value=w.code() checked=checked/>
                                                        " " {crate::city::window_label(w)}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </fieldset>
                                    <fieldset class="choices">
                                        <legend>"镇（街道）（不选即不限）"</legend>
                                        {towns
                                            .into_iter()
                                            .enumerate()
                                            .map(|(index, town)| {
                                                let checked = interests.towns.contains(&town);
                                                view! {
                                                    <label>
                                                        <input type="checkbox" name=format!("interests[towns][{index}]") value=town.clone() checked=checked/>
                                                        " " {town.clone()}
                                                    </label>
                                                }
                                            })
                                            .collect_view()}
                                    </fieldset>
                                    <label for="interest-min">"资金需求金额下限（元，选填）"</label>
                                    <input id="interest-min" name="interests[min]" inputmode="decimal" value=yuan(interests.min)/>
                                    <label for="interest-max">"资金需求金额上限（元，选填）"</label>
                                    <input id="interest-max" name="interests[max]" inputmode="decimal" value=yuan(interests.max)/>
                                    <label>
                                        <input type="checkbox" name="interests[notify]" value="1" checked=interests.notify/>
                                        " 有合适的新需求时通知我"
                                    </label>
                                    <button type="submit" class="btn-primary">"保存"</button>
                                </ActionForm>
                                <p><a href="/for-you">"看看为你推荐的需求"</a></p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/for-you`: open needs ranked by fit to the donor's interests (urgency and waiting time
/// break ties), each with its reason.
#[component]
pub fn ForYouPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("为你推荐")/>
        <RoleGate allowed=|v| v.has(Role::Donor) refused="“为你推荐”是为爱心人士准备的。">
            <ForYouList/>
        </RoleGate>
    }
}

#[component]
fn ForYouList() -> impl IntoView {
    let listed = Resource::new(|| (), |_| list_for_you());
    let claim = ServerAction::<ClaimNeed>::new();
    view! {
        <section class="panel">
            <h1>"为你推荐"</h1>
            <p class="hint">"按您的帮扶意向排序：窗口、镇（街道）、金额越合适越靠前，同样合适时更紧急、等得更久的在前。"
                " " <a href="/my/interests">"修改帮扶意向"</a></p>
        </section>
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(for_you) => {
                        let hint = (!for_you.named).then(|| view! {
                            <p class="hint" data-testid="no-interests">"您还没有设置帮扶意向，下面是需求墙上最紧急的需求。" <a href="/my/interests">"设置帮扶意向"</a></p>
                        });
                        let empty = for_you.needs.is_empty();
                        view! {
                            {hint}
                            {empty.then(|| view! { <p class="empty">"需求墙上的需求都已被认领，谢谢您！"</p> })}
                            <ul class="needs" data-testid="for-you">
                                {for_you
                                    .needs
                                    .into_iter()
                                    .map(|(need, fit)| view! { <NeedCard need claim donor=Some(true) open=false fit=fit.line/> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
