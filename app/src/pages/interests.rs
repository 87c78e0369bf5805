//! `/my/interests` (what a donor wants to help with) and `/for-you` (为你推荐: the open board
//! ranked for those interests, each card saying in one line why). Plain pages and forms.

use crate::components::need_card::NeedCard;
use crate::components::session::{Outcome, RoleGate};
use crate::functions::claims::ClaimNeed;
use crate::functions::interests::{get_interests, list_for_you, InterestsPage, SaveInterests};
use crate::people::Role;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_meta::Title;

#[component]
pub fn MyInterestsPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, interests.title))/>
        <RoleGate allowed=|v| v.has(Role::Donor) refused=td_string!(locale, interests.refused)>
            <InterestsForm/>
        </RoleGate>
    }
}

#[component]
fn InterestsForm() -> impl IntoView {
    let locale = crate::lang::locale();
    let save = ServerAction::<SaveInterests>::new();
    let page = Resource::new(move || save.version().get(), |_| get_interests());
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, interests.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(InterestsPage { interests, towns }) => {
                        let yuan = |fen: Option<crate::domain::Fen>| fen.map(|f| f.yuan_input()).unwrap_or_default();
                        view! {
                            <section class="panel">
                                <h1>{td!(locale, interests.heading)}</h1>
                                <p class="hint">{td!(locale, interests.hint)}</p>
                                <Outcome value=save.value() done=td_string!(locale, interests.saved) when="saved"/>
                                <ActionForm action=save attr:class="stack-form" attr:data-testid="interests-form">
                                    <fieldset class="choices">
                                        <legend>{td!(locale, interests.windows_legend)}</legend>
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
                                        <legend>{td!(locale, interests.towns_legend)}</legend>
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
                                    <label for="interest-min">{td!(locale, interests.min)}</label>
                                    <input id="interest-min" name="interests[min]" inputmode="decimal" value=yuan(interests.min)/>
                                    <label for="interest-max">{td!(locale, interests.max)}</label>
                                    <input id="interest-max" name="interests[max]" inputmode="decimal" value=yuan(interests.max)/>
                                    <label>
                                        <input type="checkbox" name="interests[notify]" value="1" checked=interests.notify/>
                                        {td!(locale, interests.notify)}
                                    </label>
                                    <button type="submit" class="btn-primary">{td!(locale, interests.save)}</button>
                                </ActionForm>
                                <p><a href="/for-you">{td!(locale, interests.see_for_you)}</a></p>
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
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, interests.for_you.title))/>
        <RoleGate allowed=|v| v.has(Role::Donor) refused=td_string!(locale, interests.for_you.refused)>
            <ForYouList/>
        </RoleGate>
    }
}

#[component]
fn ForYouList() -> impl IntoView {
    let locale = crate::lang::locale();
    let listed = Resource::new(|| (), |_| list_for_you());
    let claim = ServerAction::<ClaimNeed>::new();
    view! {
        <section class="panel">
            <h1>{td!(locale, interests.for_you.title)}</h1>
            <p class="hint">{td!(locale, interests.for_you.hint)}
                " " <a href="/my/interests">{td!(locale, interests.for_you.edit)}</a></p>
        </section>
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, interests.loading)}</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(for_you) => {
                        let hint = (!for_you.named).then(|| view! {
                            <p class="hint" data-testid="no-interests">{td!(locale, interests.for_you.no_interests)} <a href="/my/interests">{td!(locale, interests.for_you.set)}</a></p>
                        });
                        let empty = for_you.needs.is_empty();
                        view! {
                            {hint}
                            {empty.then(|| view! { <p class="empty">{td!(locale, interests.for_you.empty)}</p> })}
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
