//! `/admin/agencies`: the partner agencies of the exchange API and their keys (admins);
//! `/admin/api-log`: every call the API answered (admins and the city's officials).

use crate::components::session::{Outcome, RoleGate};
use crate::functions::agencies::{list_agencies, list_api_calls, CreateAgency, RevokeApiKey};
use crate::people::Role;
use crate::private::{AgencyView, ApiLog};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AgenciesPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("对接机构与接口密钥")/>
        <RoleGate allowed=|v| v.has(Role::Admin) refused="这里只有管理员可以使用。">
            <AgenciesDesk/>
        </RoleGate>
    }
}

#[component]
fn AgenciesDesk() -> impl IntoView {
    let create = ServerAction::<CreateAgency>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let agencies = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_agencies(),
    );
    view! {
        <section class="panel">
            <h1>"对接机构（数据交换接口）"</h1>
            <p class="hint">
                "民政、残联、慈善会等机构通过接口在帮扶前查询一户家庭近期在各窗口获得帮扶的次数（不含任何明细），帮扶后录入记录。每个机构用自己的密钥调用；密钥只在生成时显示一次，可随时作废。"
                <a href="/api/v1/docs">"接口文档"</a>" · "<a href="/admin/api-log">"调用日志"</a>
            </p>
            <ActionForm action=create attr:class="stack-form" attr:data-testid="create-agency">
                <label for="agency-name">"机构名称"</label>
                <input id="agency-name" name="name" maxlength="60" required/>
                <button type="submit" class="btn-primary">"添加机构"</button>
                <Outcome value=create.value() done="已添加。" when="created"/>
            </ActionForm>
            <Outcome value=revoke.value() done="密钥已作废。" when="revoked"/>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match agencies.await {
                    Ok(list) if list.is_empty() => view! { <section class="panel"><p class="empty">"还没有对接机构。"</p></section> }.into_any(),
                    Ok(list) => list.into_iter().map(|agency| view! { <AgencyPanel agency=agency revoke=revoke/> }).collect_view().into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgencyPanel(agency: AgencyView, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let id = agency.id.0;
    view! {
        <section class="panel" aria-labelledby=format!("agency-{id}") data-testid="agency">
            <h2 id=format!("agency-{id}")>{agency.name.clone()}</h2>
            <p class="hint">{format!("近 30 天调用 {} 次 · 添加于 {}", agency.calls_30_days, agency.created_at.shanghai_text())}</p>
            {(!agency.keys.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="accounts">
                        <caption>"密钥"</caption>
                        <thead><tr><th>"密钥开头"</th><th>"用途说明"</th><th>"权限"</th><th>"每分钟"</th><th>"最近使用"</th><th>"状态"</th></tr></thead>
                        <tbody>
                            {agency.keys.into_iter().map(|key| {
                                let state = match key.revoked_at {
                                    Some(at) => view! { <span>{format!("已作废 {}", at.shanghai_text())}</span> }.into_any(),
                                    None => view! {
                                        <ActionForm action=revoke attr:class="inline-form">
                                            <input type="hidden" name="key_id" value=key.id.0/>
                                            <button type="submit" class="btn-secondary">"作废"</button>
                                        </ActionForm>
                                    }.into_any(),
                                };
                                view! {
                                    <tr data-testid="api-key">
                                        <td><code>{format!("wsk_{}_…", key.prefix)}</code></td>
                                        <td>{key.label}</td>
                                        <td>{key.scopes.label()}</td>
                                        <td>{key.per_minute}</td>
                                        <td>{key.last_used_at.map_or_else(|| "从未".to_owned(), |at| at.shanghai_text())}</td>
                                        <td>{state}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
            // A plain form to a plain handler: the new key is shown on the page it answers
            // with, once, and never travels in an address.
            <form method="post" action="/admin/agencies/keys" class="stack-form" data-testid="create-key">
                <input type="hidden" name="agency_id" value=id/>
                <label for=format!("key-label-{id}")>"用途说明（如：民政局救助系统）"</label>
                <input id=format!("key-label-{id}") name="label" maxlength="60"/>
                <fieldset>
                    <legend>"权限"</legend>
                    <label class="inline"><input type="checkbox" name="query" value="true" checked/>"救前查询"</label>
                    <label class="inline"><input type="checkbox" name="record" value="true"/>"救后录入"</label>
                </fieldset>
                <label for=format!("key-rate-{id}")>"每分钟最多调用次数（1–600）"</label>
                <input id=format!("key-rate-{id}") name="per_minute" type="number" min="1" max="600" value="60" inputmode="numeric"/>
                <button type="submit" class="btn-primary">"生成新密钥"</button>
            </form>
        </section>
    }
}

/// Admins and the city's officials (a town's official has no city-wide view).
fn reads_log(viewer: &crate::people::Viewer) -> bool {
    crate::access::check(viewer, crate::access::Action::SeeDesk { town: None }).is_ok()
}

#[component]
pub fn ApiLogPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("接口调用日志")/>
        <RoleGate allowed=reads_log refused="调用日志只对全市督导和管理员开放。">
            <ApiLogView/>
        </RoleGate>
    }
}

#[component]
fn ApiLogView() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let chosen = move || {
        query
            .read()
            .get("agency")
            .and_then(|a| a.parse::<i64>().ok())
    };
    let log = Resource::new(chosen, list_api_calls);
    view! {
        <section class="panel">
            <h1>"接口调用日志"</h1>
            <p class="hint">"对接机构每一次用有效密钥调用接口都记在这里：时间、机构、密钥、操作、结果、窗口和条数。不记录查询的是哪一户。"</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(log) => view! { <ApiLogTable log=log chosen=chosen()/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ApiLogTable(log: ApiLog, chosen: Option<i64>) -> impl IntoView {
    let ApiLog {
        calls,
        total,
        agencies,
    } = log;
    view! {
        <form method="get" action="/admin/api-log" class="filter-form">
            <label for="log-agency">"机构"</label>
            <select id="log-agency" name="agency">
                <option value="">"全部"</option>
                {agencies.into_iter().map(|(id, name)| view! {
                    <option value=id.0 selected=chosen == Some(id.0)>{name}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="btn-secondary">"查看"</button>
        </form>
        <p data-testid="api-log-total" data-total=total>{format!("共 {total} 次调用，显示最近 {} 次。", calls.len())}</p>
        <div class="table-scroll">
            <table class="accounts">
                <thead><tr><th>"时间"</th><th>"机构"</th><th>"密钥"</th><th>"操作"</th><th>"结果"</th><th>"窗口"</th><th>"条数"</th></tr></thead>
                <tbody>
                    {calls.into_iter().map(|call| view! {
                        <tr data-testid="api-call">
                            <td>{call.at.shanghai_text()}</td>
                            <td>{call.agency}</td>
                            <td><code>{format!("wsk_{}_…", call.key_prefix)}</code></td>
                            <td>{call.operation}</td>
                            <td>{call.status}</td>
                            <td>{call.window.map(crate::city::window_label).unwrap_or_default()}</td>
                            <td>{call.rows}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
