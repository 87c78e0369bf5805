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
use leptos_router::hooks::{use_params_map, use_query_map};

fn reads_desk(viewer: &crate::people::Viewer) -> bool {
    viewer.has(Role::Official) || viewer.has(Role::Admin)
}

#[component]
pub fn DeskPage() -> impl IntoView {
    view! {
        <RoleGate allowed=reads_desk refused="督导台只对督导（政府工作人员）和管理员开放。">
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
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载督导台…"</p> }>
            {move || Suspend::new(async move {
                match desk.await {
                    Ok(desk) => view! { <DeskBody desk record recorded/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <h1>"督导台"</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/desk">"回到督导台"</a></p>
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
    let query = scope_query(&scope);
    let area = scope.town.clone().unwrap_or_else(|| "全市".into());
    let chosen = scope.town.clone().unwrap_or_default();
    let filters = view! {
        <form method="get" action="/desk" class="desk-filters" data-testid="desk-filters">
            <label for="desk-town">"范围"</label>
            <select id="desk-town" name="town">
                {city_wide.then(|| view! { <option value="" selected=chosen.is_empty()>"全市"</option> })}
                {towns
                    .into_iter()
                    .map(|t| {
                        let selected = t == chosen;
                        view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
                    })
                    .collect_view()}
            </select>
            <label for="desk-from">"从"</label>
            <input id="desk-from" name="from" type="date" value=scope.from.clone()/>
            <label for="desk-to">"到"</label>
            <input id="desk-to" name="to" type="date" value=scope.to.clone()/>
            <button type="submit" class="btn-secondary">"查看"</button>
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
        .map(|row| {
            view! {
                <tr>
                    <td>{row.month.clone()}</td>
                    <td>{row.window.map_or("全部", |w| w.label())}</td>
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
        .map(|t| {
            view! {
                <li data-stage=t.stage.code()>
                    {t.stage.label()} "：" {t.median_ms.map(duration_text).unwrap_or_else(|| "—".into())}
                    <span class="hint">{format!("（{} 条）", t.passed)}</span>
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
    view! {
        <section class="panel desk">
            <h1>"督导台 · " {area.clone()}</h1>
            {recorded.then(|| view! { <p class="toast" role="status">"已记录转介结果。"</p> })}
            <p class="hint">
                "家庭以编号显示（如“户·3F9A2C”），不显示姓名、电话、身份证号和住址。"
                {(open_reports > 0).then(|| format!("待处理举报 {open_reports} 条。"))}
            </p>
            {filters}
        </section>
        <section class="panel desk" data-testid="overdue">
            <h2>"超时未办"</h2>
            <DeskTable columns=town_columns() testid="overdue-by-town" caption="各镇（街道）超时数">{town_rows}</DeskTable>
            {overdue_view}
        </section>
        <section class="panel desk" data-testid="flow">
            <h2>"流转情况 · " {scope.from.clone()} " 至 " {scope.to.clone()}</h2>
            <p>
                <a href=format!("/desk/export/flow.csv?{query}") download="">"导出 CSV"</a>
            </p>
            <p class="totals-line" data-testid="flow-total">
                {format!(
                    "录入 {} · 退回 {} · 发布 {} · 认领 {} · 完成 {} · 转介 {} · 重复救助提醒率 {} · 提醒后仍通过 {}",
                    total.entered,
                    total.returned,
                    total.published,
                    total.claimed,
                    total.fulfilled,
                    total.referred,
                    total.warning_rate(),
                    total.approval_over_warning_rate(),
                )}
            </p>
            <h3>"各环节用时（中位数）"</h3>
            <ul class="stage-times">{stage_times}</ul>
            <DeskTable columns=vec!["月份", "窗口", "录入", "退回", "发布", "认领", "完成", "转介", "提醒率", "提醒后通过率"] caption="按月份和窗口">{flow_rows}</DeskTable>
            <h3>"退回原因"</h3>
            <ul class="reasons">{reasons}</ul>
        </section>
        <section class="panel desk" data-testid="supply">
            <h2>"供需对照（待认领 vs 近 30 天认领）"</h2>
            <p class="hint">"标色的行：有待认领的需求，但近 30 天没有任何认领，说明爱心还没有到达那里。"</p>
            <p>
                <a href=format!("/desk/export/supply.csv?{query}") download="">"导出 CSV"</a>
            </p>
            <DeskTable columns=vec!["窗口", "镇（街道）", "待认领", "待筹金额", "近30天认领", "近30天金额"] >{supply_rows}</DeskTable>
        </section>
        <section class="panel desk">
            <h2>"转介"</h2>
            <p class="hint">
                {format!("待反馈 {} 条，其中已过期限 {overdue_referrals} 条。", referrals.len())}
                <a href=format!("/desk/export/referrals.csv?{query}") download="">"导出 CSV（含已反馈）"</a>
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
    let shown = needs.len();
    let rows = needs
        .into_iter()
        .map(|n| {
            view! {
                <tr>
                    <td><a href=format!("/desk/needs/{}", n.need_id.0)>{n.title}</a></td>
                    <td>{crate::city::window_label(n.window)}</td>
                    <td>{n.town}</td>
                    <td>{n.household.0}</td>
                    <td class="num">{format!("{} 天", n.days)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="overdue" data-stage=stage.code() open=total > 0>
            <summary>
                <h3>{format!("{}（超过 {limit_days} 天）", stage.label())} " · " <span class="count">{total}</span></h3>
            </summary>
            <p>
                <a href=format!("/desk/export/{}.csv?{query}", stage.code()) download="">"导出 CSV"</a>
                {(total > shown as i64).then(|| format!(" 页面显示最久的 {shown} 条，导出含全部 {total} 条。"))}
            </p>
            {(total > 0).then(|| view! {
                <DeskTable columns=vec!["需求", "窗口", "镇（街道）", "家庭", "已等待"] >{rows}</DeskTable>
            })}
        </details>
    }
}

/// The overdue-by-town table's columns: the town, then each stage.
fn town_columns() -> Vec<&'static str> {
    std::iter::once("镇（街道）")
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
    view! {
        <div class="table-scroll">
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
    view! {
        <RoleGate allowed=reads_desk refused="需求全程记录只对督导（政府工作人员）和管理员开放。">
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
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match trail.await {
                    Ok(trail) => view! { <TrailBody trail/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <h1>"需求全程记录"</h1>
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/desk">"回到督导台"</a></p>
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
            <p><a href="/desk">"← 督导台"</a></p>
            <h1>{title}</h1>
            <p class="meta">
                {format!("需求 {} · {} · {} · {} · 当前：{}", need_id.0, window.label(), town, household.0, status.label())}
            </p>
            <h2>"全程记录"</h2>
            <DeskTable columns=vec!["时间", "事项", "经办", "说明"] testid="trail">{steps}</DeskTable>
            <h2>"家庭档案查阅记录 · " {opened}</h2>
            <p class="hint">"每次有人打开这户家庭的私密档案（姓名、电话、身份证号、住址），都记在这里：谁、何时、在哪个页面（同一人同一页面十分钟内只记一次）。"</p>
            <DeskTable columns=vec!["时间", "查阅人", "页面"] testid="file-openings">{openings}</DeskTable>
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
