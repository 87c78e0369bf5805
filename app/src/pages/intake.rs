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
use leptos_router::hooks::use_query_map;

#[component]
pub fn IntakePage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Volunteer) refused="录入需求需要志愿者身份，请联系管理员。">
            <IntakeDesk/>
        </RoleGate>
    }
}

#[component]
fn IntakeDesk() -> impl IntoView {
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
                        <h1>"录入需求"</h1>
                        <NeedEditor households edited save/>
                    </section>
                    <section class="panel">
                        <h2>"我录入的需求"</h2>
                        <AuthoredList mine submit/>
                        <Outcome value=submit.value() done="已提交，等待村民议事小组审核。" when="submitted"/>
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
                <summary class="btn-secondary">"登记新的困难家庭"</summary>
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
            {is_edit.then(|| view! { <p class="hint">"正在修改已录入的需求。" {published.then_some("它已发布：修改公开内容后会立即从需求墙撤下，重新审核。")}</p> })}
            <label for="need-household">"为哪个家庭录入"</label>
            <select id="need-household" name="form[household_id]" required disabled=is_edit>
                {households
                    .into_iter()
                    .map(|h| {
                        let selected = Some(h.id) == household_id;
                        view! {
                            <option value=h.id.0 selected=selected>
                                {format!("{} · {} {}（身份证尾号 {}）", h.town, h.village, h.head_name, h.id_last4)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {no_households.then(|| view! { <p class="hint">"还没有您所在镇的家庭，请先在下方登记。"</p> })}
            <label for="need-window">"帮扶窗口"</label>
            <select id="need-window" name="form[window]" required>
                {Window::ALL
                    .into_iter()
                    // A need edited in a window the city has since switched off keeps it shown
                    // (saving it is refused, saying so) rather than silently taking another.
                    .filter(|w| city.is_on(*w) || Some(*w) == window)
                    .map(|w| {
                        let label = if city.is_on(w) { city.label(w) } else { format!("{}（已停用）", city.label(w)) };
                        view! { <option value=w.code() selected=Some(w) == window>{label}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="need-title">"公开标题（4–40 字，不写姓名）"</label>
            <input id="need-title" name="form[title]" maxlength="40" required value=title/>
            <label for="need-story">"公开说明（10–1000 字，不写姓名、门牌、电话）"</label>
            <textarea id="need-story" name="form[story]" rows="5" maxlength="1000" required>{story}</textarea>
            <label for="need-ask">"需要什么"</label>
            <select id="need-ask" name="form[ask_kind]">
                <option value="money" selected=ask_code == "money">"资金"</option>
                <option value="goods" selected=ask_code == "goods">"物资"</option>
                <option value="service" selected=ask_code == "service">"服务"</option>
            </select>
            <label for="need-amount">"金额（元，仅资金需要填）"</label>
            <input id="need-amount" name="form[amount]" inputmode="decimal" value=amount/>
            <label for="need-urgency">"紧急程度"</label>
            <select id="need-urgency" name="form[urgency]">
                {[Urgency::Normal, Urgency::Soon, Urgency::Urgent]
                    .into_iter()
                    .map(|u| view! { <option value=u.rank() selected=Some(u) == urgency>{u.label()}</option> })
                    .collect_view()}
            </select>
            <label for="need-notes">"内部备注（只有审核人员能看到）"</label>
            <textarea id="need-notes" name="form[private_notes]" rows="3" maxlength="1000">{notes}</textarea>
            <button type="submit" class="btn-primary">{if is_edit { "保存修改" } else { "保存为草稿" }}</button>
            <Outcome value=save.value() done="已保存。草稿需要在下方“提交审核”。" when="saved"/>
        </ActionForm>
    }
}

#[component]
fn AuthoredList(mine: Vec<AuthoredNeed>, submit: ServerAction<SubmitNeed>) -> impl IntoView {
    if mine.is_empty() {
        return view! { <p class="empty">"还没有录入过需求。"</p> }.into_any();
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
                            {item.returned_reason.clone().map(|reason| view! { <p class="returned">"被退回：" {reason}</p> })}
                            <div class="work-actions">
                                <Show when=move || status == NeedStatus::Draft>
                                    <ActionForm action=submit>
                                        <input type="hidden" name="need_id" value=id/>
                                        <button type="submit" class="btn-primary">"提交审核"</button>
                                    </ActionForm>
                                </Show>
                                <Show when=move || editable>
                                    <a class="btn-secondary" href=format!("/intake?edit={id}")>"修改"</a>
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
    let listed = crate::components::session::city_villages();
    if listed.is_empty() {
        return view! {
            <label for="hh-village">"村（社区）"</label>
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
            <label for="hh-village-typed">{format!("村（社区），{}的家庭填写", unlisted.join("、"))}</label>
            <input id="hh-village-typed" name="form[village_typed]" maxlength="20"/>
        }
    });
    let first = if unlisted.is_empty() {
        "请选择"
    } else {
        "（未列出：在下方填写）"
    };
    view! {
        <label for="hh-village">"村（社区）"</label>
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
    view! {
        <ActionForm action=register attr:class="stack-form" attr:data-testid="household-form">
            <p class="hint">"以下信息只有本镇志愿者、议事小组和管理员能看到。身份证号只保存加密摘要和后四位。"</p>
            <label for="hh-town">"镇（街道）"</label>
            <TownSelect id="hh-town" name="form[town]" everywhere=None/>
            <VillageField/>
            <label for="hh-head">"户主姓名"</label>
            <input id="hh-head" name="form[head_name]" required maxlength="20"/>
            <label for="hh-id">"户主身份证号"</label>
            <input id="hh-id" name="form[id_number]" required maxlength="18" autocomplete="off"/>
            <label for="hh-address">"住址"</label>
            <input id="hh-address" name="form[address]" required maxlength="80"/>
            <label for="hh-phone">"联系电话"</label>
            <input id="hh-phone" name="form[phone]" type="tel" inputmode="numeric" required/>
            <label for="hh-members">"家庭成员"</label>
            <input id="hh-members" name="form[members]" required maxlength="200" placeholder="如：户主、妻子、女儿（9 岁）"/>
            <label for="hh-count">"家庭人口"</label>
            <input id="hh-count" name="form[member_count]" type="number" min="1" max="30" required/>
            <label for="hh-income">"低收入认定"</label>
            <select id="hh-income" name="form[low_income]">
                {LowIncome::ALL
                    .into_iter()
                    .map(|s| view! { <option value=s.code()>{s.label()}</option> })
                    .collect_view()}
            </select>
            <button type="submit" class="btn-primary">"登记家庭"</button>
            <Outcome value=register.value() done="家庭已登记，可以为它录入需求了。" when="registered"/>
        </ActionForm>
    }
}
