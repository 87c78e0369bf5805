//! `/intake`: a volunteer registers households of their town, enters needs for them, edits them
//! (`?edit=ID`) and sends them to review. Works on a phone.

use crate::components::session::TownSelect;
use crate::components::session::{Outcome, RoleGate};
use crate::domain::{Ask, NeedStatus, Urgency, Window};
use crate::functions::households::{list_households, RegisterHousehold};
use crate::functions::intake::{my_needs, SaveNeed, SubmitNeed};
use crate::people::Role;
use crate::private::{AuthoredNeed, HouseholdView, LowIncome};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_router::hooks::use_query_map;

#[component]
pub fn IntakePage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Volunteer) refused=td_string!(locale, intake.refused)>
            <IntakeDesk/>
        </RoleGate>
    }
}

#[component]
fn IntakeDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let register = ServerAction::<RegisterHousehold>::new();
    let save = ServerAction::<SaveNeed>::new();
    let submit = ServerAction::<SubmitNeed>::new();
    let households = Resource::new(move || register.version().get(), |_| list_households());
    let mine = Resource::new(
        move || (save.version().get(), submit.version().get()),
        |_| my_needs(),
    );
    let query = use_query_map();
    let editing = Memo::new(move |_| {
        query
            .read()
            .get("edit")
            .and_then(|id| id.parse::<i64>().ok())
    });
    // One <Suspense> reads both resources (each resource is read in exactly one).
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let households = households.await.unwrap_or_default();
                let mine = mine.await.unwrap_or_default();
                let edited = editing.get().and_then(|id| mine.iter().find(|n| n.need.id.0 == id).cloned());
                view! {
                    <section class="panel">
                        <h1>{td!(locale, intake.title)}</h1>
                        <NeedEditor households edited save/>
                    </section>
                    <section class="panel">
                        <h2>{td!(locale, intake.mine_title)}</h2>
                        <AuthoredList mine submit/>
                        <Outcome value=submit.value() done=td_string!(locale, intake.submitted) when="submitted"/>
                    </section>
                }
            })}
        </Suspense>
        <section class="panel">
            // Open when it has something to say: just registered, or refused.
            <details open=move || {
                query.read().get("registered").is_some()
                    || matches!(register.value().get(), Some(Err(_)))
            }>
                <summary class="btn-secondary">{td!(locale, intake.register_summary)}</summary>
                <HouseholdForm register/>
            </details>
        </section>
    }
}

#[component]
fn NeedEditor(
    households: Vec<HouseholdView>,
    edited: Option<AuthoredNeed>,
    save: ServerAction<SaveNeed>,
) -> impl IntoView {
    let locale = crate::lang::locale();
    let is_edit = edited.is_some();
    let e = edited.clone();
    let need_id = e
        .as_ref()
        .map(|n| n.need.id.0.to_string())
        .unwrap_or_default();
    let household_id = e.as_ref().map(|n| n.household_id);
    let window = e.as_ref().map(|n| n.need.window);
    let title = e.as_ref().map(|n| n.need.title.clone()).unwrap_or_default();
    let story = e.as_ref().map(|n| n.need.story.clone()).unwrap_or_default();
    let ask = e.as_ref().map(|n| n.need.ask);
    let urgency = e.as_ref().map(|n| n.need.urgency);
    let notes = e
        .as_ref()
        .map(|n| n.private_notes.clone())
        .unwrap_or_default();
    let amount = match ask {
        Some(Ask::Money { amount }) => amount.yuan_input(),
        _ => String::new(),
    };
    let ask_code = ask.map(|a| a.code()).unwrap_or("money");
    let published = e
        .as_ref()
        .is_some_and(|n| n.need.status == NeedStatus::Published);
    let no_households = households.is_empty();
    let city = crate::city::City::current();
    view! {
        <ActionForm action=save attr:class="stack-form need-form" attr:data-testid="need-form">
            <input type="hidden" name="form[need_id]" value=need_id/>
            {is_edit.then(|| view! { <p class="hint">{td!(locale, intake.editor.editing_hint)} {published.then_some(td_string!(locale, intake.editor.published_hint))}</p> })}
            <label for="need-household">{td!(locale, intake.editor.household_label)}</label>
            <select id="need-household" name="form[household_id]" required disabled=is_edit>
                {households
                    .into_iter()
                    .map(|h| {
                        let selected = Some(h.id) == household_id;
                        view! {
                            <option value=h.id.0 selected=selected>
                                {td_string!(locale, intake.editor.household_option, town = h.town, village = h.village, head = h.head_name, last4 = h.id_last4).to_string()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {no_households.then(|| view! { <p class="hint">{td!(locale, intake.editor.no_households)}</p> })}
            <label for="need-window">{td!(locale, intake.editor.window_label)}</label>
            <select id="need-window" name="form[window]" required>
                {Window::ALL
                    .into_iter()
                    // A need edited in a window the city has since switched off keeps it shown
                    // (saving it is refused, saying so) rather than silently taking another.
                    .filter(|w| city.is_on(*w) || Some(*w) == window)
                    .map(|w| {
                        let label = if city.is_on(w) { city.label(w) } else { td_string!(locale, intake.editor.window_off, label = city.label(w)).to_string() };
                        view! { <option value=w.code() selected=Some(w) == window>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="need-title">{td!(locale, intake.editor.title_label)}</label>
            <input id="need-title" name="form[title]" maxlength="40" required value=title/>
            <label for="need-story">{td!(locale, intake.editor.story_label)}</label>
            <textarea id="need-story" name="form[story]" rows="5" maxlength="1000" required>{story}</textarea>
            <label for="need-ask">{td!(locale, intake.editor.ask_label)}</label>
            <select id="need-ask" name="form[ask_kind]">
                <option value="money" selected=ask_code == "money">{td!(locale, intake.editor.ask_money)}</option>
                <option value="goods" selected=ask_code == "goods">{td!(locale, intake.editor.ask_goods)}</option>
                <option value="service" selected=ask_code == "service">{td!(locale, intake.editor.ask_service)}</option>
            </select>
            <label for="need-amount">{td!(locale, intake.editor.amount_label)}</label>
            <input id="need-amount" name="form[amount]" inputmode="decimal" value=amount/>
            <label for="need-urgency">{td!(locale, intake.editor.urgency_label)}</label>
            <select id="need-urgency" name="form[urgency]">
                {[Urgency::Normal, Urgency::Soon, Urgency::Urgent]
                    .into_iter()
                    .map(|u| view! { <option value=u.rank() selected=Some(u) == urgency>{u.label()}</option> })
                    .collect_view()}
            </select>
            <label for="need-notes">{td!(locale, intake.editor.notes_label)}</label>
            <textarea id="need-notes" name="form[private_notes]" rows="3" maxlength="1000">{notes}</textarea>
            <button type="submit" class="btn-primary">{if is_edit { td_string!(locale, intake.editor.save_changes) } else { td_string!(locale, intake.editor.save_draft) }}</button>
            <Outcome value=save.value() done=td_string!(locale, intake.editor.saved) when="saved"/>
        </ActionForm>
    }
}

#[component]
fn AuthoredList(mine: Vec<AuthoredNeed>, submit: ServerAction<SubmitNeed>) -> impl IntoView {
    let locale = crate::lang::locale();
    if mine.is_empty() {
        return view! { <p class="empty">{td!(locale, intake.mine.empty)}</p> }.into_any();
    }
    view! {
        <ul class="work-list" data-testid="my-needs">
            {mine
                .into_iter()
                .map(|item| {
                    let id = item.need.id.0;
                    let status = item.need.status;
                    let editable = !matches!(status, NeedStatus::Claimed | NeedStatus::Fulfilled);
                    view! {
                        <li class="work-item" data-need-id=id data-status=status.code()>
                            <p class="work-head">
                                <span class="status">{status.label()}</span>
                                <span class=format!("window window-{}", item.need.window.code())>{crate::city::window_label(item.need.window)}</span>
                                <span class="place">{format!("{} · {}", item.need.town, item.household_head)}</span>
                            </p>
                            <p class="work-title">{item.need.title.clone()}</p>
                            {item.returned_reason.clone().map(|reason| view! { <p class="returned">{td!(locale, intake.mine.returned)} {reason}</p> })}
                            <div class="work-actions">
                                <Show when=move || status == NeedStatus::Draft>
                                    <ActionForm action=submit>
                                        <input type="hidden" name="need_id" value=id/>
                                        <button type="submit" class="btn-primary">{td!(locale, intake.mine.submit)}</button>
                                    </ActionForm>
                                </Show>
                                <Show when=move || editable>
                                    <a class="btn-secondary" href=format!("/intake?edit={id}")>{td!(locale, intake.mine.edit)}</a>
                                </Show>
                            </div>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
        .into_any()
}

/// The village: typed, unless the city lists villages; then chosen from the lists, grouped by
/// town (the server refuses a village that is not its town's), with a typed field for the
/// towns that list none.
#[component]
fn VillageField() -> impl IntoView {
    let locale = crate::lang::locale();
    let listed = crate::components::session::city_villages();
    if listed.is_empty() {
        return view! {
            <label for="hh-village">{td!(locale, intake.household.village_label)}</label>
            <input id="hh-village" name="form[village]" required maxlength="20"/>
        }
        .into_any();
    }
    let unlisted = crate::components::session::city_towns()
        .into_iter()
        .filter(|town| !listed.iter().any(|(listed, _)| listed == town))
        .collect::<Vec<_>>();
    let typed = (!unlisted.is_empty()).then(|| {
        view! {
            <label for="hh-village-typed">{td_string!(locale, intake.household.village_typed_label, towns = unlisted.join(td_string!(locale, intake.list_separator))).to_string()}</label>
            <input id="hh-village-typed" name="form[village_typed]" maxlength="20"/>
        }
    });
    let first = if unlisted.is_empty() {
        td_string!(locale, intake.household.choose)
    } else {
        td_string!(locale, intake.household.unlisted_option)
    };
    view! {
        <label for="hh-village">{td!(locale, intake.household.village_label)}</label>
        <select id="hh-village" name="form[village]" required=unlisted.is_empty()>
            <option value="">{first}</option>
            {listed
                .into_iter()
                .map(|(town, villages)| view! {
                    <optgroup label=town>
                        {villages.into_iter().map(|v| view! { <option value=v.clone()>{v.clone()}</option> }).collect_view()}
                    </optgroup>
                })
                .collect_view()}
        </select>
        {typed}
    }
    .into_any()
}

#[component]
fn HouseholdForm(register: ServerAction<RegisterHousehold>) -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <ActionForm action=register attr:class="stack-form" attr:data-testid="household-form">
            <p class="hint">{td!(locale, intake.household.privacy_hint)}</p>
            <label for="hh-town">{td!(locale, intake.household.town_label)}</label>
            <TownSelect id="hh-town" name="form[town]" everywhere=None/>
            <VillageField/>
            <label for="hh-head">{td!(locale, intake.household.head_label)}</label>
            <input id="hh-head" name="form[head_name]" required maxlength="20"/>
            <label for="hh-id">{td!(locale, intake.household.id_label)}</label>
            <input id="hh-id" name="form[id_number]" required maxlength="18" autocomplete="off"/>
            <label for="hh-address">{td!(locale, intake.household.address_label)}</label>
            <input id="hh-address" name="form[address]" required maxlength="80"/>
            <label for="hh-phone">{td!(locale, intake.household.phone_label)}</label>
            <input id="hh-phone" name="form[phone]" type="tel" inputmode="numeric" required/>
            <label for="hh-members">{td!(locale, intake.household.members_label)}</label>
            <input id="hh-members" name="form[members]" required maxlength="200" placeholder=td_string!(locale, intake.household.members_placeholder)/>
            <label for="hh-count">{td!(locale, intake.household.count_label)}</label>
            <input id="hh-count" name="form[member_count]" type="number" min="1" max="30" required/>
            <label for="hh-income">{td!(locale, intake.household.income_label)}</label>
            <select id="hh-income" name="form[low_income]">
                {LowIncome::ALL
                    .into_iter()
                    .map(|s| view! { <option value=s.code()>{s.label()}</option> })
                    .collect_view()}
            </select>
            <button type="submit" class="btn-primary">{td!(locale, intake.household.register_button)}</button>
            <Outcome value=register.value() done=td_string!(locale, intake.household.registered) when="registered"/>
        </ActionForm>
    }
}
