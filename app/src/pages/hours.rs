//! Volunteer hours (志愿服务时长): `/my/hours` (record an activity, see each one's status and the
//! confirmed hours by month, ask for a certificate), `/my/hours/certificate` (the printable
//! volunteer-service record), `/hours/verify/{code}` (public: the record exists, the name
//! masked, the totals) and `/review/hours` (a town's coordinators confirm or refuse). Plain
//! server-rendered forms, no island: everything works without JavaScript.

use crate::components::session::{Outcome, RoleGate};
use crate::domain::{
    hours_text, ActivityKind, ActivityStatus, ActivityView, HoursCertificate, MyHours,
    HOURS_NOTE_MAX,
};
use crate::functions::hours::{
    get_hours_certificate, get_my_hours, list_pending_hours, verify_hours, ConfirmHours,
    RecordHours, RefuseHours,
};
use crate::people::Role;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/my/hours`: anyone signed in sees their own; volunteers record.
#[component]
pub fn MyHoursPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("我的志愿服务时长")/>
        <RoleGate allowed=|_| true refused="">
            <MyHoursBody/>
        </RoleGate>
    }
}

#[component]
fn MyHoursBody() -> impl IntoView {
    let record = ServerAction::<RecordHours>::new();
    let before = use_query_map()
        .read_untracked()
        .get("before")
        .and_then(|id| id.parse::<i64>().ok());
    let mine = Resource::new(
        move || record.version().get(),
        move |_| get_my_hours(before),
    );
    view! {
        <section class="panel hours-page" data-testid="my-hours">
            <h1>"我的志愿服务时长"</h1>
            <p class="hint">"登记每一次志愿服务，由本镇议事小组或另一位志愿者确认后计入时长。只有已确认的时长计入合计和证明。"</p>
            <Outcome value=record.value() done="已登记，等待本镇协调人确认。" when="recorded"/>
            <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(mine) => view! { <MyHoursView mine record/> }.into_any(),
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn MyHoursView(mine: MyHours, record: ServerAction<RecordHours>) -> impl IntoView {
    let MyHours {
        activities,
        older,
        months,
        confirmed_minutes,
        pending,
        towns,
        today,
    } = mine;
    let year_start = format!("{}-01-01", &today[..4]);
    let form =
        (!towns.is_empty()).then(|| view! { <RecordForm towns today=today.clone() record/> });
    let empty = activities.is_empty();
    view! {
        <p class="hours-total" data-testid="hours-total">
            "已确认：" <strong data-minutes=confirmed_minutes>{hours_text(confirmed_minutes)}</strong>
            {(pending > 0).then(|| format!("（另有 {pending} 条待确认）"))}
        </p>
        {(!months.is_empty()).then(|| view! {
            <table class="desk-table" data-testid="hours-by-month">
                <caption>"按月合计（已确认）"</caption>
                <thead><tr><th>"月份"</th><th class="num">"时长"</th></tr></thead>
                <tbody>
                    {months.into_iter().map(|m| view! {
                        <tr data-month=m.month.clone()><td>{m.month.clone()}</td><td class="num">{hours_text(m.minutes)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {form}
        <h2>"服务记录"</h2>
        {empty.then(|| view! { <p class="empty">"还没有登记过志愿服务。"</p> })}
        <ul class="work-list" data-testid="hours-list">
            {activities.into_iter().map(|activity| view! { <ActivityItem activity/> }).collect_view()}
        </ul>
        {older.map(|id| view! { <p><a href=format!("/my/hours?before={id}")>"更早的记录"</a></p> })}
        <h2>"志愿服务记录证明"</h2>
        <form method="get" action="/my/hours/certificate" class="stack-form" data-testid="certificate-form">
            <label for="cert-from">"开始日期"</label>
            <input id="cert-from" name="from" type="date" value=year_start required=true/>
            <label for="cert-to">"结束日期"</label>
            <input id="cert-to" name="to" type="date" value=today required=true/>
            <button type="submit" class="btn-secondary">"开具证明"</button>
        </form>
    }
}

#[component]
fn RecordForm(
    towns: Vec<String>,
    today: String,
    record: ServerAction<RecordHours>,
) -> impl IntoView {
    view! {
        <h2>"登记一次服务"</h2>
        <ActionForm action=record attr:class="stack-form" attr:data-testid="record-hours-form">
            <label for="hours-kind">"服务类型"</label>
            <select id="hours-kind" name="kind" required=true>
                {ActivityKind::ALL.into_iter().map(|kind| view! { <option value=kind.code()>{kind.label()}</option> }).collect_view()}
            </select>
            <label for="hours-town">"镇（街道）"</label>
            <select id="hours-town" name="town" required=true>
                {towns.into_iter().map(|town| view! { <option value=town.clone()>{town.clone()}</option> }).collect_view()}
            </select>
            <label for="hours-date">"日期"</label>
            <input id="hours-date" name="date" type="date" value=today.clone() max=today required=true/>
            <fieldset>
                <legend>"开始和结束时间（或者下面的时长，二选一）"</legend>
                <label for="hours-in">"开始"</label>
                <input id="hours-in" name="time_in" type="time"/>
                <label for="hours-out">"结束"</label>
                <input id="hours-out" name="time_out" type="time"/>
            </fieldset>
            <label for="hours-hours">"时长（小时，可填半小时，如 1.5）"</label>
            <input id="hours-hours" name="hours" inputmode="decimal" maxlength="6"/>
            <label for="hours-need">"相关需求编号（选填）"</label>
            <input id="hours-need" name="need_id" inputmode="numeric" maxlength="12"/>
            <label for="hours-note">{format!("说明（选填，最多 {HOURS_NOTE_MAX} 字；不写电话或身份证号）")}</label>
            <textarea id="hours-note" name="note" rows="2" maxlength=HOURS_NOTE_MAX></textarea>
            <button type="submit" class="btn-primary">"登记"</button>
        </ActionForm>
    }
}

#[component]
fn ActivityItem(activity: ActivityView) -> impl IntoView {
    let decided = match activity.status {
        ActivityStatus::Pending => None,
        _ => Some(format!(
            "{}：{}{}",
            activity.coordinator_name.clone().unwrap_or_default(),
            activity.status.label(),
            activity
                .refusal_reason
                .as_ref()
                .map(|reason| format!("。原因：{reason}"))
                .unwrap_or_default()
        )),
    };
    view! {
        <li class="work-item hours-item" data-activity-id=activity.id data-status=activity.status.code()>
            <p class="work-head">
                <span class="need-state">{activity.status.label()}</span>
                <span>{activity.kind.label()}</span>
                <span class="place">{activity.town.clone()}</span>
                <span class="meta">{activity.when_text()}</span>
                <strong>{hours_text(activity.minutes)}</strong>
            </p>
            {(!activity.note.is_empty()).then(|| view! { <p class="report-note">{activity.note.clone()}</p> })}
            {decided.map(|text| view! { <p class="meta">{text}</p> })}
        </li>
    }
}

/// `/my/hours/certificate?from=&to=`: the caller's printable volunteer-service record.
#[component]
pub fn HoursCertificatePage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("志愿服务记录证明")/>
        <RoleGate allowed=|_| true refused="">
            <CertificateBody/>
        </RoleGate>
    }
}

#[component]
fn CertificateBody() -> impl IntoView {
    let query = use_query_map().read_untracked();
    let from = query.get("from").unwrap_or_default();
    let to = query.get("to").unwrap_or_default();
    let certificate = Resource::new(
        || (),
        move |_| get_hours_certificate(from.clone(), to.clone()),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match certificate.await {
                    Ok(c) => view! { <CertificateView c/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/my/hours">"回到我的志愿服务时长"</a></p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CertificateView(c: HoursCertificate) -> impl IntoView {
    if c.code.is_empty() {
        return view! {
            <section class="panel" data-testid="no-certificate">
                <p>{format!("{} 至 {} 没有已确认的志愿服务时长，无法开具证明。", c.from, c.to)}</p>
                <p><a href="/my/hours">"回到我的志愿服务时长"</a></p>
            </section>
        }
        .into_any();
    }
    let verify_path = format!("/hours/verify/{}", c.code);
    let verify_url = crate::share::page_url(&verify_path);
    view! {
        <article class="panel certificate hours-certificate" data-testid="hours-certificate">
            <h1>"志愿服务记录证明"</h1>
            <p class="meta">{format!("验证码 {}", c.code)}</p>
            <p class="certificate-body">
                {format!(
                    "兹证明 {} 于 {} 至 {} 参加“{}”志愿服务，经本镇（街道）协调人确认的志愿服务时长共计 {}（{} 次）。",
                    c.volunteer_name, c.from, c.to, c.programme, hours_text(c.total_minutes), c.lines.len()
                )}
            </p>
            <table class="desk-table certificate-lines" data-testid="certificate-lines">
                <thead><tr><th>"日期"</th><th>"服务类型"</th><th>"镇（街道）"</th><th class="num">"时长"</th><th>"确认人"</th></tr></thead>
                <tbody>
                    {c.lines.into_iter().map(|line| view! {
                        <tr>
                            <td>{line.day.shanghai_date_text()}</td>
                            <td>{line.kind.label()}</td>
                            <td>{line.town}</td>
                            <td class="num">{hours_text(line.minutes)}</td>
                            <td>{line.coordinator_name}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <dl>
                <dt>"志愿者"</dt><dd data-testid="certificate-name">{c.volunteer_name.clone()}</dd>
                <dt>"合计"</dt><dd data-testid="certificate-total">{hours_text(c.total_minutes)}</dd>
                <dt>"开具日期"</dt><dd>{c.issued_at.shanghai_date_text()}</dd>
                <dt>"核验"</dt><dd>{verify_url}</dd>
            </dl>
            <p class="certificate-note">"本证明依据《志愿服务记录与证明出具办法》记录的已确认服务时长出具。任何人可凭验证码在上述网址核验。"</p>
            <p class="print-hide">"用浏览器的“打印”即可打印本页（页眉页脚不会打印）。" <a href="/my/hours">"回到我的志愿服务时长"</a></p>
        </article>
    }
    .into_any()
}

/// `/hours/verify/{code}`: public. Whether such a record was issued: the name masked, the
/// programme, the period and the totals only.
#[component]
pub fn VerifyHoursPage() -> impl IntoView {
    let code = use_params_map()
        .read_untracked()
        .get("code")
        .unwrap_or_default();
    let found = Resource::new(|| (), move |_| verify_hours(code.clone()));
    view! {
        <Title text=crate::city::City::current().title("核验志愿服务记录证明")/>
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(Some(v)) => view! {
                        <section class="panel" data-testid="hours-verified">
                            <h1>"志愿服务记录证明核验"</h1>
                            <p class="form-ok">{format!("这份证明由{}开具，真实有效。", crate::city::City::current().brand)}</p>
                            <dl>
                                <dt>"志愿者"</dt><dd data-testid="verified-name">{v.masked_name}</dd>
                                <dt>"项目"</dt><dd>{v.programme}</dd>
                                <dt>"期间"</dt><dd>{format!("{} 至 {}", v.from, v.to)}</dd>
                                <dt>"已确认时长"</dt><dd data-testid="verified-total">{hours_text(v.total_minutes)}</dd>
                                <dt>"服务次数"</dt><dd>{v.activities}</dd>
                                <dt>"开具日期"</dt><dd>{v.issued_at.shanghai_date_text()}</dd>
                            </dl>
                        </section>
                    }.into_any(),
                    Ok(None) => {
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            response.set_status(http::StatusCode::NOT_FOUND);
                        }
                        view! {
                            <section class="panel" data-testid="hours-not-found">
                                <h1>"志愿服务记录证明核验"</h1>
                                <p>"没有找到这个验证码的证明，请核对后再试。"</p>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/review/hours`: the pending activities of the coordinator's towns (their own left out).
#[component]
pub fn ReviewHoursPage() -> impl IntoView {
    view! {
        <Title text=crate::city::City::current().title("确认志愿服务时长")/>
        <RoleGate allowed=|v| v.has(Role::Reviewer) || v.has(Role::Volunteer) refused="确认志愿服务时长需要本镇议事小组或志愿者身份。">
            <PendingHours/>
        </RoleGate>
    }
}

#[component]
fn PendingHours() -> impl IntoView {
    let confirm = ServerAction::<ConfirmHours>::new();
    let refuse = ServerAction::<RefuseHours>::new();
    let listed = Resource::new(
        move || (confirm.version().get(), refuse.version().get()),
        |_| list_pending_hours(),
    );
    view! {
        <section class="panel" data-testid="pending-hours">
            <h1>"确认志愿服务时长"</h1>
            <p class="hint">"本镇志愿者登记的服务，由议事小组或另一位志愿者核实后确认；不属实的写明原因退回。自己登记的不能自己确认。"</p>
            <div class="toast-area" role="status" aria-live="polite">
                <Outcome value=confirm.value() done="已确认，计入这位志愿者的时长。" when="confirmed"/>
                <Outcome value=refuse.value() done="已退回，志愿者会看到原因。" when="refused"/>
            </div>
            <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
                {move || Suspend::new(async move {
                    match listed.await {
                        Ok(listed) => {
                            let empty = listed.is_empty();
                            view! {
                                {empty.then(|| view! { <p class="empty">"没有待确认的服务记录。"</p> })}
                                <ul class="work-list">
                                    {listed.into_iter().map(|activity| view! { <PendingItem activity confirm refuse/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PendingItem(
    activity: ActivityView,
    confirm: ServerAction<ConfirmHours>,
    refuse: ServerAction<RefuseHours>,
) -> impl IntoView {
    let id = activity.id;
    view! {
        <li class="work-item hours-item" data-activity-id=id>
            <p class="work-head">
                <strong>{activity.volunteer_name.clone()}</strong>
                <span>{activity.kind.label()}</span>
                <span class="place">{activity.town.clone()}</span>
                <span class="meta">{activity.when_text()}</span>
                <strong>{hours_text(activity.minutes)}</strong>
            </p>
            {activity.need_id.map(|need| view! { <p class="meta">{format!("相关需求 #{need}")}</p> })}
            {(!activity.note.is_empty()).then(|| view! { <p class="report-note">{activity.note.clone()}</p> })}
            <div class="report-actions">
                <ActionForm action=confirm attr:class="inline-form">
                    <input type="hidden" name="activity_id" value=id/>
                    <button type="submit" class="btn-primary">"确认"</button>
                </ActionForm>
                <details>
                    <summary class="btn-secondary">"退回"</summary>
                    <ActionForm action=refuse attr:class="stack-form">
                        <input type="hidden" name="activity_id" value=id/>
                        <label for=format!("refuse-{id}")>"原因（志愿者会看到）"</label>
                        <input id=format!("refuse-{id}") name="reason" maxlength="200" required=true/>
                        <button type="submit" class="btn-secondary">"确认退回"</button>
                    </ActionForm>
                </details>
            </div>
        </li>
    }
}
