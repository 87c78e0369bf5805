//! `/admin/agencies`: the partner agencies of the exchange API and their keys (admins);
//! `/admin/api-log`: every call the API answered (admins and the city's officials).

use crate::components::session::{Outcome, RoleGate};
use crate::functions::agencies::{list_agencies, list_api_calls, CreateAgency, RevokeApiKey};
use crate::people::Role;
use crate::private::{AgencyView, ApiLog};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_meta::Title;

#[component]
pub fn AgenciesPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, agencies.title))/>
        <RoleGate allowed=|v| v.has(Role::Admin) refused=td_string!(locale, agencies.admins_only)>
            <AgenciesDesk/>
        </RoleGate>
    }
}

#[component]
fn AgenciesDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let create = ServerAction::<CreateAgency>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let agencies = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_agencies(),
    );
    view! {
        <section class="panel">
            <h1>{td!(locale, agencies.heading)}</h1>
            <p class="hint">
                {td!(locale, agencies.intro)}
                <a href="/api/v1/docs">{td!(locale, agencies.docs_link)}</a>" · "<a href="/admin/api-log">{td!(locale, agencies.log_link)}</a>
            </p>
            <ActionForm action=create attr:class="stack-form" attr:data-testid="create-agency">
                <label for="agency-name">{td!(locale, agencies.name_label)}</label>
                <input id="agency-name" name="name" maxlength="60" required/>
                <button type="submit" class="btn-primary">{td!(locale, agencies.add_button)}</button>
                <Outcome value=create.value() done=td_string!(locale, agencies.added) when="created"/>
            </ActionForm>
            <Outcome value=revoke.value() done=td_string!(locale, agencies.key_revoked) when="revoked"/>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match agencies.await {
                    Ok(list) if list.is_empty() => view! { <section class="panel"><p class="empty">{td!(locale, agencies.none_yet)}</p></section> }.into_any(),
                    Ok(list) => list.into_iter().map(|agency| view! { <AgencyPanel agency=agency revoke=revoke/> }).collect_view().into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgencyPanel(agency: AgencyView, revoke: ServerAction<RevokeApiKey>) -> impl IntoView {
    let locale = crate::lang::locale();
    let id = agency.id.0;
    view! {
        <section class="panel" aria-labelledby=format!("agency-{id}") data-testid="agency">
            <h2 id=format!("agency-{id}")>{agency.name.clone()}</h2>
            <p class="hint">{td_string!(locale, agencies.summary, calls = agency.calls_30_days, added = agency.created_at.shanghai_text()).to_string()}</p>
            {(!agency.keys.is_empty()).then(|| view! {
                <div class="table-scroll">
                    <table class="accounts">
                        <caption>{td!(locale, agencies.keys.caption)}</caption>
                        <thead><tr>
                            <th>{td!(locale, agencies.keys.col_prefix)}</th><th>{td!(locale, agencies.keys.col_label)}</th>
                            <th>{td!(locale, agencies.keys.col_scopes)}</th><th>{td!(locale, agencies.keys.col_per_minute)}</th>
                            <th>{td!(locale, agencies.keys.col_last_used)}</th><th>{td!(locale, agencies.keys.col_state)}</th>
                        </tr></thead>
                        <tbody>
                            {agency.keys.into_iter().map(|key| {
                                let state = match key.revoked_at {
                                    Some(at) => view! { <span>{td_string!(locale, agencies.keys.revoked_at, at = at.shanghai_text()).to_string()}</span> }.into_any(),
                                    None => view! {
                                        <ActionForm action=revoke attr:class="inline-form">
                                            <input type="hidden" name="key_id" value=key.id.0/>
                                            <button type="submit" class="btn-secondary">{td!(locale, agencies.keys.revoke_button)}</button>
                                        </ActionForm>
                                    }.into_any(),
                                };
                                view! {
                                    <tr data-testid="api-key">
                                        <td><code>{format!("wsk_{}_…", key.prefix)}</code></td>
                                        <td>{key.label}</td>
                                        <td>{key.scopes.label()}</td>
                                        <td>{key.per_minute}</td>
                                        <td>{key.last_used_at.map_or_else(|| td_string!(locale, agencies.keys.never).to_owned(), |at| at.shanghai_text())}</td>
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
                <label for=format!("key-label-{id}")>{td!(locale, agencies.new_key_form.label_label)}</label>
                <input id=format!("key-label-{id}") name="label" maxlength="60"/>
                <fieldset>
                    <legend>{td!(locale, agencies.new_key_form.scopes_legend)}</legend>
                    <label class="inline"><input type="checkbox" name="query" value="true" checked/>{td!(locale, agencies.new_key_form.query)}</label>
                    <label class="inline"><input type="checkbox" name="record" value="true"/>{td!(locale, agencies.new_key_form.record)}</label>
                </fieldset>
                <label for=format!("key-rate-{id}")>{td!(locale, agencies.new_key_form.rate_label)}</label>
                <input id=format!("key-rate-{id}") name="per_minute" type="number" min="1" max="600" value="60" inputmode="numeric"/>
                <button type="submit" class="btn-primary">{td!(locale, agencies.new_key_form.create_button)}</button>
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
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, agencies.log.title))/>
        <RoleGate allowed=reads_log refused=td_string!(locale, agencies.log.refused)>
            <ApiLogView/>
        </RoleGate>
    }
}

#[component]
fn ApiLogView() -> impl IntoView {
    let locale = crate::lang::locale();
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
            <h1>{td!(locale, agencies.log.title)}</h1>
            <p class="hint">{td!(locale, agencies.log.intro)}</p>
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
    let locale = crate::lang::locale();
    let ApiLog {
        calls,
        total,
        agencies,
    } = log;
    view! {
        <form method="get" action="/admin/api-log" class="filter-form">
            <label for="log-agency">{td!(locale, agencies.log.agency_label)}</label>
            <select id="log-agency" name="agency">
                <option value="">{td!(locale, agencies.log.all)}</option>
                {agencies.into_iter().map(|(id, name)| view! {
                    <option value=id.0 selected=chosen == Some(id.0)>{name}</option>
                }).collect_view()}
            </select>
            <button type="submit" class="btn-secondary">{td!(locale, agencies.log.show_button)}</button>
        </form>
        <p data-testid="api-log-total" data-total=total>{td_string!(locale, agencies.log.total, total = total, shown = calls.len()).to_string()}</p>
        <div class="table-scroll">
            <table class="accounts">
                <thead><tr>
                    <th>{td!(locale, agencies.log.col_time)}</th><th>{td!(locale, agencies.log.col_agency)}</th>
                    <th>{td!(locale, agencies.log.col_key)}</th><th>{td!(locale, agencies.log.col_operation)}</th>
                    <th>{td!(locale, agencies.log.col_status)}</th><th>{td!(locale, agencies.log.col_window)}</th>
                    <th>{td!(locale, agencies.log.col_rows)}</th>
                </tr></thead>
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
