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
use leptos_i18n::{td, td_string};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/my/hours`: anyone signed in sees their own; volunteers record.
#[component]
pub fn MyHoursPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, hours.my.title))/>
        <RoleGate allowed=|_| true refused="">
            <MyHoursBody/>
        </RoleGate>
    }
}

#[component]
fn MyHoursBody() -> impl IntoView {
    let locale = crate::lang::locale();
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
            <h1>{td!(locale, hours.my.title)}</h1>
            <p class="hint">{td!(locale, hours.my.hint)}</p>
            <Outcome value=record.value() done=td_string!(locale, hours.my.recorded) when="recorded"/>
            <Suspense fallback=move || view! { <p class="loading">{td!(locale, hours.loading)}</p> }>
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
    let locale = crate::lang::locale();
    let year_start = format!("{}-01-01", &today[..4]);
    let form =
        (!towns.is_empty()).then(|| view! { <RecordForm towns today=today.clone() record/> });
    let empty = activities.is_empty();
    view! {
        <p class="hours-total" data-testid="hours-total">
            {td!(locale, hours.my.confirmed)} <strong data-minutes=confirmed_minutes>{hours_text(confirmed_minutes)}</strong>
            {(pending > 0).then(|| td_string!(locale, hours.my.pending, n = pending).to_string())}
        </p>
        {(!months.is_empty()).then(|| view! {
            <table class="desk-table" data-testid="hours-by-month">
                <caption>{td!(locale, hours.my.by_month)}</caption>
                <thead><tr><th>{td!(locale, hours.my.month)}</th><th class="num">{td!(locale, hours.my.duration)}</th></tr></thead>
                <tbody>
                    {months.into_iter().map(|m| view! {
                        <tr data-month=m.month.clone()><td>{m.month.clone()}</td><td class="num">{hours_text(m.minutes)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        {form}
        <h2>{td!(locale, hours.my.records)}</h2>
        {empty.then(|| view! { <p class="empty">{td!(locale, hours.my.empty)}</p> })}
        <ul class="work-list" data-testid="hours-list">
            {activities.into_iter().map(|activity| view! { <ActivityItem activity/> }).collect_view()}
        </ul>
        {older.map(|id| view! { <p><a href=format!("/my/hours?before={id}")>{td!(locale, hours.my.older)}</a></p> })}
        <h2>{td!(locale, hours.certificate.title)}</h2>
        <form method="get" action="/my/hours/certificate" class="stack-form" data-testid="certificate-form">
            <label for="cert-from">{td!(locale, hours.my.cert_from)}</label>
            <input id="cert-from" name="from" type="date" value=year_start required=true/>
            <label for="cert-to">{td!(locale, hours.my.cert_to)}</label>
            <input id="cert-to" name="to" type="date" value=today required=true/>
            <button type="submit" class="btn-secondary">{td!(locale, hours.my.issue)}</button>
        </form>
    }
}

#[component]
fn RecordForm(
    towns: Vec<String>,
    today: String,
    record: ServerAction<RecordHours>,
) -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <h2>{td!(locale, hours.record.heading)}</h2>
        <ActionForm action=record attr:class="stack-form" attr:data-testid="record-hours-form">
            <label for="hours-kind">{td!(locale, hours.record.kind)}</label>
            <select id="hours-kind" name="kind" required=true>
                {ActivityKind::ALL.into_iter().map(|kind| view! { <option value=kind.code()>{kind.label()}</option> }).collect_view()}
            </select>
            <label for="hours-town">{td!(locale, hours.record.town)}</label>
            <select id="hours-town" name="town" required=true>
                {towns.into_iter().map(|town| view! { <option value=town.clone()>{town.clone()}</option> }).collect_view()}
            </select>
            <label for="hours-date">{td!(locale, hours.record.date)}</label>
            <input id="hours-date" name="date" type="date" value=today.clone() max=today required=true/>
            <fieldset>
                <legend>{td!(locale, hours.record.span)}</legend>
                <label for="hours-in">{td!(locale, hours.record.start)}</label>
                <input id="hours-in" name="time_in" type="time"/>
                <label for="hours-out">{td!(locale, hours.record.end)}</label>
                <input id="hours-out" name="time_out" type="time"/>
            </fieldset>
            <label for="hours-hours">{td!(locale, hours.record.hours)}</label>
            <input id="hours-hours" name="hours" inputmode="decimal" maxlength="6"/>
            <label for="hours-need">{td!(locale, hours.record.need)}</label>
            <input id="hours-need" name="need_id" inputmode="numeric" maxlength="12"/>
            <label for="hours-note">{td_string!(locale, hours.record.note, max = HOURS_NOTE_MAX).to_string()}</label>
            <textarea id="hours-note" name="note" rows="2" maxlength=HOURS_NOTE_MAX></textarea>
            <button type="submit" class="btn-primary">{td!(locale, hours.record.submit)}</button>
        </ActionForm>
    }
}

#[component]
fn ActivityItem(activity: ActivityView) -> impl IntoView {
    let locale = crate::lang::locale();
    let decided = match activity.status {
        ActivityStatus::Pending => None,
        _ => Some(
            td_string!(
                locale,
                hours.activity.decided,
                who = activity.coordinator_name.clone().unwrap_or_default(),
                status = activity.status.label(),
                reason = activity
                    .refusal_reason
                    .as_ref()
                    .map(
                        |reason| td_string!(locale, hours.activity.reason, reason = reason)
                            .to_string()
                    )
                    .unwrap_or_default()
            )
            .to_string(),
        ),
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
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, hours.certificate.title))/>
        <RoleGate allowed=|_| true refused="">
            <CertificateBody/>
        </RoleGate>
    }
}

#[component]
fn CertificateBody() -> impl IntoView {
    let locale = crate::lang::locale();
    let query = use_query_map().read_untracked();
    let from = query.get("from").unwrap_or_default();
    let to = query.get("to").unwrap_or_default();
    let certificate = Resource::new(
        || (),
        move |_| get_hours_certificate(from.clone(), to.clone()),
    );
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, hours.loading)}</p> }>
            {move || Suspend::new(async move {
                match certificate.await {
                    Ok(c) => view! { <CertificateView c/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <p class="form-error" role="alert">{error.to_string()}</p>
                            <p><a href="/my/hours">{td!(locale, hours.certificate.back)}</a></p>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CertificateView(c: HoursCertificate) -> impl IntoView {
    let locale = crate::lang::locale();
    if c.code.is_empty() {
        return view! {
            <section class="panel" data-testid="no-certificate">
                <p>{td_string!(locale, hours.certificate.none, from = c.from.clone(), to = c.to.clone()).to_string()}</p>
                <p><a href="/my/hours">{td!(locale, hours.certificate.back)}</a></p>
            </section>
        }
        .into_any();
    }
    let verify_path = format!("/hours/verify/{}", c.code);
    let verify_url = crate::share::page_url(&verify_path);
    view! {
        <article class="panel certificate hours-certificate" data-testid="hours-certificate">
            <h1>{td!(locale, hours.certificate.title)}</h1>
            <p class="meta">{td_string!(locale, hours.certificate.code, code = c.code.clone()).to_string()}</p>
            <p class="certificate-body">
                {td_string!(
                    locale,
                    hours.certificate.body,
                    name = c.volunteer_name.clone(),
                    from = c.from.clone(),
                    to = c.to.clone(),
                    programme = c.programme.clone(),
                    total = hours_text(c.total_minutes),
                    n = c.lines.len()
                ).to_string()}
            </p>
            <table class="desk-table certificate-lines" data-testid="certificate-lines">
                <thead><tr><th>{td!(locale, hours.certificate.date)}</th><th>{td!(locale, hours.certificate.kind)}</th><th>{td!(locale, hours.certificate.town)}</th><th class="num">{td!(locale, hours.certificate.duration)}</th><th>{td!(locale, hours.certificate.confirmer)}</th></tr></thead>
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
                <dt>{td!(locale, hours.certificate.volunteer)}</dt><dd data-testid="certificate-name">{c.volunteer_name.clone()}</dd>
                <dt>{td!(locale, hours.certificate.total)}</dt><dd data-testid="certificate-total">{hours_text(c.total_minutes)}</dd>
                <dt>{td!(locale, hours.certificate.issued)}</dt><dd>{c.issued_at.shanghai_date_text()}</dd>
                <dt>{td!(locale, hours.certificate.verify)}</dt><dd>{verify_url}</dd>
            </dl>
            <p class="certificate-note">{td!(locale, hours.certificate.note)}</p>
            <p class="print-hide">{td!(locale, hours.certificate.print)} <a href="/my/hours">{td!(locale, hours.certificate.back)}</a></p>
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
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, hours.verify.title))/>
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, hours.loading)}</p> }>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(Some(v)) => view! {
                        <section class="panel" data-testid="hours-verified">
                            <h1>{td!(locale, hours.verify.heading)}</h1>
                            <p class="form-ok">{td_string!(locale, hours.verify.valid, brand = crate::city::City::current().brand.clone()).to_string()}</p>
                            <dl>
                                <dt>{td!(locale, hours.verify.volunteer)}</dt><dd data-testid="verified-name">{v.masked_name}</dd>
                                <dt>{td!(locale, hours.verify.programme)}</dt><dd>{v.programme}</dd>
                                <dt>{td!(locale, hours.verify.period)}</dt><dd>{td_string!(locale, hours.verify.period_value, from = v.from.clone(), to = v.to.clone()).to_string()}</dd>
                                <dt>{td!(locale, hours.verify.confirmed)}</dt><dd data-testid="verified-total">{hours_text(v.total_minutes)}</dd>
                                <dt>{td!(locale, hours.verify.activities)}</dt><dd>{v.activities}</dd>
                                <dt>{td!(locale, hours.verify.issued)}</dt><dd>{v.issued_at.shanghai_date_text()}</dd>
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
                                <h1>{td!(locale, hours.verify.heading)}</h1>
                                <p>{td!(locale, hours.verify.not_found)}</p>
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
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, hours.review.title))/>
        <RoleGate allowed=|v| v.has(Role::Reviewer) || v.has(Role::Volunteer) refused=td_string!(locale, hours.review.refused)>
            <PendingHours/>
        </RoleGate>
    }
}

#[component]
fn PendingHours() -> impl IntoView {
    let locale = crate::lang::locale();
    let confirm = ServerAction::<ConfirmHours>::new();
    let refuse = ServerAction::<RefuseHours>::new();
    let listed = Resource::new(
        move || (confirm.version().get(), refuse.version().get()),
        |_| list_pending_hours(),
    );
    view! {
        <section class="panel" data-testid="pending-hours">
            <h1>{td!(locale, hours.review.title)}</h1>
            <p class="hint">{td!(locale, hours.review.hint)}</p>
            <div class="toast-area" role="status" aria-live="polite">
                <Outcome value=confirm.value() done=td_string!(locale, hours.review.confirmed) when="confirmed"/>
                <Outcome value=refuse.value() done=td_string!(locale, hours.review.returned) when="refused"/>
            </div>
            <Suspense fallback=move || view! { <p class="loading">{td!(locale, hours.loading)}</p> }>
                {move || Suspend::new(async move {
                    match listed.await {
                        Ok(listed) => {
                            let empty = listed.is_empty();
                            view! {
                                {empty.then(|| view! { <p class="empty">{td!(locale, hours.review.empty)}</p> })}
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
    let locale = crate::lang::locale();
    view! {
        <li class="work-item hours-item" data-activity-id=id>
            <p class="work-head">
                <strong>{activity.volunteer_name.clone()}</strong>
                <span>{activity.kind.label()}</span>
                <span class="place">{activity.town.clone()}</span>
                <span class="meta">{activity.when_text()}</span>
                <strong>{hours_text(activity.minutes)}</strong>
            </p>
            {activity.need_id.map(|need| view! { <p class="meta">{td_string!(locale, hours.review.need, need = need).to_string()}</p> })}
            {(!activity.note.is_empty()).then(|| view! { <p class="report-note">{activity.note.clone()}</p> })}
            <div class="report-actions">
                <ActionForm action=confirm attr:class="inline-form">
                    <input type="hidden" name="activity_id" value=id/>
                    <button type="submit" class="btn-primary">{td!(locale, hours.review.confirm)}</button>
                </ActionForm>
                <details>
                    <summary class="btn-secondary">{td!(locale, hours.review.return_button)}</summary>
                    <ActionForm action=refuse attr:class="stack-form">
                        <input type="hidden" name="activity_id" value=id/>
                        <label for=format!("refuse-{id}")>{td!(locale, hours.review.reason)}</label>
                        <input id=format!("refuse-{id}") name="reason" maxlength="200" required=true/>
                        <button type="submit" class="btn-secondary">{td!(locale, hours.review.confirm_return)}</button>
                    </ActionForm>
                </details>
            </div>
        </li>
    }
}
