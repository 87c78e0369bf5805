//! `/desk`: the supervision desk (总服务台) for the city's officials: overdue needs per stage,
//! counts by town, the flow of a period, supply against demand, referrals; and
//! `/desk/needs/{id}`: one need's full trail with its household's access log. Server HTML
//! only (no island): the filters are a plain GET form and the exports plain links, so it works
//! the same on a desktop and on a phone without JavaScript.

use crate::components::session::RoleGate;
use crate::functions::desk::{get_desk, get_need_trail, RecordReferralOutcome};
use crate::pages::review::PendingReferrals;
use crate::people::Role;
use crate::private::{duration_text, Desk, DeskScope, DeskStage, NeedTrail, OverdueList};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_router::hooks::{use_params_map, use_query_map};

fn reads_desk(viewer: &crate::people::Viewer) -> bool {
    viewer.has(Role::Official) || viewer.has(Role::Admin)
}

#[component]
pub fn DeskPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=reads_desk refused=td_string!(locale, desk.refused_desk)>
            <DeskView/>
        </RoleGate>
    }
}

/// `?town=&from=&to=` as the desk's export links repeat it.
fn scope_query(scope: &DeskScope) -> String {
    let town = scope.town.clone().unwrap_or_default();
    format!(
        "town={}&from={}&to={}",
        urlencoding(&town),
        scope.from,
        scope.to
    )
}

/// Percent-encodes a query value (town names are Chinese).
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn DeskView() -> impl IntoView {
    let query = use_query_map();
    let asked = move || {
        let query = query.read_untracked();
        let get = |key: &str| query.get(key).unwrap_or_default();
        (get("town"), get("from"), get("to"))
    };
    let (town, from, to) = asked();
    let desk = Resource::new(
        || (),
        move |_| get_desk(town.clone(), from.clone(), to.clone()),
    );
    let record = ServerAction::<RecordReferralOutcome>::new();
    let recorded = query.read_untracked().get("recorded").is_some();
    let locale = crate::lang::locale();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, desk.loading_desk)}</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <DeskBody desk record recorded/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <h1>{td!(locale, desk.title)}</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/desk">{td!(locale, desk.back_to_desk)}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeskBody(
    desk: Desk,
    record: ServerAction<RecordReferralOutcome>,
    recorded: bool,
) -> impl IntoView {
    let Desk {
        scope,
        towns,
        city_wide,
        overdue,
        by_town,
        flow,
        supply,
        referrals,
        open_reports,
        now,
    } = desk;
    let locale = crate::lang::locale();
    let query = scope_query(&scope);
    let area = scope
        .town
        .clone()
        .unwrap_or_else(|| td_string!(locale, desk.city_wide).into());
    let chosen = scope.town.clone().unwrap_or_default();
    let filters = view! {
        <form method="get" action="/desk" class="desk-filters" data-testid="desk-filters">
            <label for="desk-town">{td!(locale, desk.filters.scope)}</label>
            <select id="desk-town" name="town">
                {city_wide.then(|| view! { <option value="" selected=chosen.is_empty()>{td!(locale, desk.city_wide)}</option> })}
                {towns
                    .into_iter()
                    .map(|t| {
                        let selected = t == chosen;
                        view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="desk-from">{td!(locale, desk.filters.from)}</label>
            <input id="desk-from" name="from" type="date" value=scope.from.clone()/>
            <label for="desk-to">{td!(locale, desk.filters.to)}</label>
            <input id="desk-to" name="to" type="date" value=scope.to.clone()/>
            <button type="submit" class="btn-secondary">{td!(locale, desk.filters.show)}</button>
        </form>
    };
    let overdue_view = overdue
        .into_iter()
        .map(|list| view! { <Overdue list query=query.clone()/> })
        .collect_view();
    let town_rows = by_town
        .into_iter()
        .map(|t| {
            let cells = t.counts.map(|n| view! { <td class="num">{n}</td> });
            view! { <tr><th scope="row">{t.town}</th>{cells.into_iter().collect_view()}</tr> }
        })
        .collect_view();
    let total = flow.total.clone();
    let flow_rows = flow
        .rows
        .into_iter()
        .map(move |row| {
            view! {
                <tr>
                    <td>{row.month.clone()}</td>
                    <td>{row.window.map_or(td_string!(locale, desk.all_windows), |w| w.label())}</td>
                    <td class="num">{row.entered}</td>
                    <td class="num">{row.returned}</td>
                    <td class="num">{row.published}</td>
                    <td class="num">{row.claimed}</td>
                    <td class="num">{row.fulfilled}</td>
                    <td class="num">{row.referred}</td>
                    <td class="num">{row.warning_rate()}</td>
                    <td class="num">{row.approval_over_warning_rate()}</td>
                </tr>
            }
        })
        .collect_view();
    let stage_times = flow
        .stage_times
        .into_iter()
        .map(move |t| {
            let median = t.median_ms.map(duration_text).unwrap_or_else(|| "—".into());
            view! {
                <li data-stage=t.stage.code()>
                    {td_string!(locale, desk.stage_time, stage = t.stage.label(), median = median).to_string()}
                    <span class="hint">{td_string!(locale, desk.stage_time_passed, n = t.passed).to_string()}</span>
                </li>
            }
        })
        .collect_view();
    let reasons = flow
        .return_reasons
        .into_iter()
        .map(
            |r| view! { <li>{r.reason} <span class="hint">{format!(" × {}", r.count)}</span></li> },
        )
        .collect_view();
    let supply_rows = supply
        .into_iter()
        .map(|s| {
            let unreached = s.open_needs > 0 && s.claims_30d == 0;
            view! {
                <tr class:unreached=unreached>
                    <td>{crate::city::window_label(s.window)}</td>
                    <td>{s.town}</td>
                    <td class="num">{s.open_needs}</td>
                    <td class="num">{s.open_money.to_string()}</td>
                    <td class="num">{s.claims_30d}</td>
                    <td class="num">{s.claimed_money_30d.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let overdue_referrals = referrals.iter().filter(|r| r.due_at < now).count();
    let flow_columns = vec![
        td_string!(locale, desk.col.month),
        td_string!(locale, desk.col.window),
        td_string!(locale, desk.col.entered),
        td_string!(locale, desk.col.returned),
        td_string!(locale, desk.col.published),
        td_string!(locale, desk.col.claimed),
        td_string!(locale, desk.col.fulfilled),
        td_string!(locale, desk.col.referred),
        td_string!(locale, desk.col.warning_rate),
        td_string!(locale, desk.col.approved_rate),
    ];
    let supply_columns = vec![
        td_string!(locale, desk.col.window),
        td_string!(locale, desk.col.town),
        td_string!(locale, desk.col.open),
        td_string!(locale, desk.col.open_money),
        td_string!(locale, desk.col.claims_30d),
        td_string!(locale, desk.col.money_30d),
    ];
    view! {
        <section class="panel desk">
            <h1>{td_string!(locale, desk.heading, area = area.clone()).to_string()}</h1>
            {recorded.then(|| view! { <p class="toast" role="status">{td!(locale, desk.recorded)}</p> })}
            <p class="hint">
                {td!(locale, desk.privacy_hint)}
                {(open_reports > 0).then(|| td_string!(locale, desk.open_reports, n = open_reports).to_string())}
            </p>
            {filters}
        </section>
        <section class="panel desk" data-testid="overdue">
            <h2>{td!(locale, desk.overdue_heading)}</h2>
            <DeskTable columns=town_columns() testid="overdue-by-town" caption=td_string!(locale, desk.overdue_by_town)>{town_rows}</DeskTable>
            {overdue_view}
        </section>
        <section class="panel desk" data-testid="flow">
            <h2>{td_string!(locale, desk.flow_heading, from = scope.from.clone(), to = scope.to.clone()).to_string()}</h2>
            <p>
                <a href=format!("/desk/export/flow.csv?{query}") download="">{td!(locale, desk.export_csv)}</a>
            </p>
            <p class="totals-line" data-testid="flow-total">
                {td_string!(
                    locale,
                    desk.flow_totals,
                    entered = total.entered,
                    returned = total.returned,
                    published = total.published,
                    claimed = total.claimed,
                    fulfilled = total.fulfilled,
                    referred = total.referred,
                    warning_rate = total.warning_rate(),
                    approved_rate = total.approval_over_warning_rate(),
                )
                .to_string()}
            </p>
            <h3>{td!(locale, desk.stage_times_heading)}</h3>
            <ul class="stage-times">{stage_times}</ul>
            <DeskTable columns=flow_columns caption=td_string!(locale, desk.by_month_window)>{flow_rows}</DeskTable>
            <h3>{td!(locale, desk.return_reasons_heading)}</h3>
            <ul class="reasons">{reasons}</ul>
        </section>
        <section class="panel desk" data-testid="supply">
            <h2>{td!(locale, desk.supply_heading)}</h2>
            <p class="hint">{td!(locale, desk.supply_hint)}</p>
            <p>
                <a href=format!("/desk/export/supply.csv?{query}") download="">{td!(locale, desk.export_csv)}</a>
            </p>
            <DeskTable columns=supply_columns >{supply_rows}</DeskTable>
        </section>
        <section class="panel desk">
            <h2>{td!(locale, desk.referrals_heading)}</h2>
            <p class="hint">
                {td_string!(locale, desk.referrals_waiting, waiting = referrals.len(), overdue = overdue_referrals).to_string()}
                <a href=format!("/desk/export/referrals.csv?{query}") download="">{td!(locale, desk.export_csv_all)}</a>
            </p>
        </section>
        <PendingReferrals referrals record back_to="desk"/>
    }
}

#[component]
fn Overdue(list: OverdueList, query: String) -> impl IntoView {
    let OverdueList {
        stage,
        limit_days,
        needs,
        total,
    } = list;
    let locale = crate::lang::locale();
    let shown = needs.len();
    let rows = needs
        .into_iter()
        .map(move |n| {
            view! {
                <tr>
                    <td><a href=format!("/desk/needs/{}", n.need_id.0)>{n.title}</a></td>
                    <td>{crate::city::window_label(n.window)}</td>
                    <td>{n.town}</td>
                    <td>{n.household.0}</td>
                    <td class="num">{td_string!(locale, desk.days, n = n.days).to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="overdue" data-stage=stage.code() open=total > 0>
            <summary>
                <h3>{td_string!(locale, desk.overdue_title, stage = stage.label(), days = limit_days).to_string()} " · " <span class="count">{total}</span></h3>
            </summary>
            <p>
                <a href=format!("/desk/export/{}.csv?{query}", stage.code()) download="">{td!(locale, desk.export_csv)}</a>
                {(total > shown as i64).then(|| td_string!(locale, desk.overdue_more, shown = shown, total = total).to_string())}
            </p>
            {(total > 0).then(|| view! {
                <DeskTable columns=vec![
                    td_string!(locale, desk.col.need),
                    td_string!(locale, desk.col.window),
                    td_string!(locale, desk.col.town),
                    td_string!(locale, desk.col.household),
                    td_string!(locale, desk.col.waited),
                ] >{rows}</DeskTable>
            })}
        </details>
    }
}

/// The overdue-by-town table's columns: the town, then each stage.
fn town_columns() -> Vec<&'static str> {
    std::iter::once(td_string!(crate::lang::locale(), desk.col.town))
        .chain(DeskStage::ALL.map(DeskStage::label))
        .collect()
}

/// A table of the desk: scrolls sideways on a phone (never the page), column headings from
/// `columns`, rows as children.
#[component]
fn DeskTable(
    columns: Vec<&'static str>,
    #[prop(optional)] caption: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    // Focusable, so a keyboard can scroll it; named, so a screen reader says what it is.
    let label = caption.unwrap_or(td_string!(crate::lang::locale(), desk.table_label));
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-label=label>
            <table class="desk-table" data-testid=testid>
                {caption.map(|caption| view! { <caption>{caption}</caption> })}
                <thead>
                    <tr>{columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn NeedTrailPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=reads_desk refused=td_string!(locale, desk.refused_trail)>
            <TrailView/>
        </RoleGate>
    }
}

#[component]
fn TrailView() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let trail = Resource::new(|| (), move |_| get_need_trail(id));
    let locale = crate::lang::locale();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, desk.loading)}</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Ok(trail) => view! { <TrailBody trail/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <h1>{td!(locale, desk.trail_title)}</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/desk">{td!(locale, desk.back_to_desk)}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TrailBody(trail: NeedTrail) -> impl IntoView {
    let NeedTrail {
        need_id,
        title,
        window,
        town,
        status,
        household,
        steps,
        openings,
    } = trail;
    let locale = crate::lang::locale();
    let steps = steps
        .into_iter()
        .map(|s| {
            view! {
                <tr>
                    <td>{s.at.shanghai_text()}</td>
                    <td>{s.what}</td>
                    <td>{s.who}</td>
                    <td>{s.detail}</td>
                </tr>
            }
        })
        .collect_view();
    let opened = openings.len();
    let openings = openings
        .into_iter()
        .map(
            |o| view! { <tr><td>{o.at.shanghai_text()}</td><td>{o.who}</td><td>{o.page}</td></tr> },
        )
        .collect_view();
    view! {
        <section class="panel desk">
            <p><a href="/desk">{td!(locale, desk.back_arrow)}</a></p>
            <h1>{title}</h1>
            <p class="meta">
                {td_string!(
                    locale,
                    desk.need_meta,
                    id = need_id.0,
                    window = window.label(),
                    town = town,
                    household = household.0,
                    status = status.label(),
                )
                .to_string()}
            </p>
            <h2>{td!(locale, desk.trail_heading)}</h2>
            <DeskTable columns=vec![
                td_string!(locale, desk.col.time),
                td_string!(locale, desk.col.event),
                td_string!(locale, desk.col.by),
                td_string!(locale, desk.col.detail),
            ] testid="trail">{steps}</DeskTable>
            <h2>{td_string!(locale, desk.openings_heading, n = opened).to_string()}</h2>
            <p class="hint">{td!(locale, desk.openings_hint)}</p>
            <DeskTable columns=vec![
                td_string!(locale, desk.col.time),
                td_string!(locale, desk.col.opened_by),
                td_string!(locale, desk.col.page),
            ] testid="file-openings">{openings}</DeskTable>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn town_names_are_percent_encoded_in_links() {
        assert_eq!(super::urlencoding("延陵镇"), "%E5%BB%B6%E9%99%B5%E9%95%87");
        assert_eq!(super::urlencoding("a b&c"), "a%20b%26c");
    }
}
