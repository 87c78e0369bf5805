//! Reports from the public (举报/纠错): `/needs/{id}/report`, where anyone reports a need (a
//! plain form: it works without JavaScript), and `/review/reports`, where the town's council
//! reviewer pauses, resumes or withdraws a reported need and resolves its reports. Plain
//! server-rendered forms, no island.

use crate::components::session::{Outcome, RoleGate};
use crate::domain::{
    NeedPage, NeedStatus, ReportReason, ReportResolution, ReportView, ReportedNeed,
};
use crate::error::AppError;
use crate::functions::needs::get_need_page;
use crate::functions::reports::{
    list_reports, PauseNeed, ReportNeed, ResolveReport, ResumeNeed, WithdrawNeed,
};
use crate::people::Role;
use crate::share::need_path;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/needs/{id}/report`: a reason from the list and an optional note. After a plain post the
/// server brings the browser back here with `?sent=1`, and the page thanks them.
#[component]
pub fn ReportPage() -> impl IntoView {
    let id = use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let page = Resource::new(|| (), move |_| get_need_page(id));
    let report = ServerAction::<ReportNeed>::new();
    let sent = use_query_map().read_untracked().get("sent").is_some();
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, reports.page_title))/>
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, reports.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(NeedPage { need, .. }) => {
                        let back = need_path(need.id);
                        let form = (!sent && need.status != NeedStatus::Fulfilled)
                            .then(|| view! { <ReportForm need_id=id report/> });
                        view! {
                            <section class="panel report-page" data-testid="report-page">
                                <h1>{td!(locale, reports.page_title)}</h1>
                                <p>{td!(locale, reports.need_label)} <a href=back.clone()>{need.title.clone()}</a></p>
                                <Outcome
                                    value=report.value()
                                    done=td_string!(locale, reports.sent)
                                    when="sent"
                                />
                                {form}
                                <p><a href=back>{td!(locale, reports.back)}</a></p>
                            </section>
                        }
                            .into_any()
                    }
                    Err(AppError::NeedNotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportForm(need_id: i64, report: ServerAction<ReportNeed>) -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <ActionForm action=report attr:class="stack-form" attr:data-testid="report-form">
            <input type="hidden" name="need_id" value=need_id/>
            <fieldset class="choices">
                <legend>{td!(locale, reports.form.legend)}</legend>
                {ReportReason::ALL
                    .into_iter()
                    .map(|reason| {
                        view! {
                            <label>
                                <input type="radio" name="reason" value=reason.code() required=true/>
                                " " {reason.label()}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            <label for="report-note">{td!(locale, reports.form.note_label)}</label>
            <textarea id="report-note" name="note" rows="4" maxlength="500"></textarea>
            <p class="privacy-note">{td!(locale, reports.form.privacy)}</p>
            <button type="submit" class="btn-primary">{td!(locale, reports.form.submit)}</button>
        </ActionForm>
    }
}

/// `/review/reports`: the reported needs of the reviewer's towns (every town for an admin,
/// who acts only where they are a reviewer too).
#[component]
pub fn ReviewReportsPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <Title text=crate::city::City::current().title(td_string!(locale, reports.desk.title))/>
        <RoleGate allowed=|v| v.has(Role::Reviewer) || v.has(Role::Admin) refused=td_string!(locale, reports.desk.refused)>
            <ReportDesk/>
        </RoleGate>
    }
}

/// The four actions of the page, handed to each need.
#[derive(Clone, Copy)]
struct Actions {
    pause: ServerAction<PauseNeed>,
    resume: ServerAction<ResumeNeed>,
    resolve: ServerAction<ResolveReport>,
    withdraw: ServerAction<WithdrawNeed>,
}

#[component]
fn ReportDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let actions = Actions {
        pause: ServerAction::new(),
        resume: ServerAction::new(),
        resolve: ServerAction::new(),
        withdraw: ServerAction::new(),
    };
    let listed = Resource::new(
        move || {
            (
                actions.pause.version().get(),
                actions.resume.version().get(),
                actions.resolve.version().get(),
                actions.withdraw.version().get(),
            )
        },
        |_| list_reports(),
    );
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            <Outcome value=actions.pause.value() done=td_string!(locale, reports.done.paused) when="paused"/>
            <Outcome value=actions.resume.value() done=td_string!(locale, reports.done.resumed) when="resumed"/>
            <Outcome value=actions.resolve.value() done=td_string!(locale, reports.done.resolved) when="resolved"/>
            <Outcome value=actions.withdraw.value() done=td_string!(locale, reports.done.withdrawn) when="withdrawn"/>
        </div>
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, reports.loading)}</p> }>
            {move || Suspend::new(async move {
                match listed.await {
                    Ok(listed) => {
                        let empty = listed.is_empty();
                        view! {
                            <section class="panel">
                                <h1>{td!(locale, reports.desk.heading)}</h1>
                                <p class="hint">{td!(locale, reports.desk.hint)}</p>
                                {empty.then(|| view! { <p class="empty">{td!(locale, reports.desk.empty)}</p> })}
                                <ul class="work-list" data-testid="reported-needs">
                                    {listed
                                        .into_iter()
                                        .map(|reported| view! { <ReportedCard reported actions/> })
                                        .collect_view()}
                                </ul>
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

#[component]
fn ReportedCard(reported: ReportedNeed, actions: Actions) -> impl IntoView {
    let locale = crate::lang::locale();
    let open = reported.open_reports();
    let ReportedNeed {
        need,
        reports,
        can_act,
    } = reported;
    let id = need.id.0;
    let status = need.status;
    let visible = matches!(
        status,
        NeedStatus::Published | NeedStatus::Claimed | NeedStatus::Fulfilled | NeedStatus::Paused
    );
    let title = if visible {
        view! { <a href=need_path(need.id)>{need.title.clone()}</a> }.into_any()
    } else {
        need.title.clone().into_any()
    };
    let need_actions = can_act.then(|| {
        let pause = (status == NeedStatus::Published).then(|| {
            view! {
                <ActionForm action=actions.pause attr:class="inline-form">
                    <input type="hidden" name="need_id" value=id/>
                    <button type="submit" class="btn-secondary">{td!(locale, reports.card.pause)}</button>
                </ActionForm>
            }
        });
        let resume = (status == NeedStatus::Paused).then(|| {
            view! {
                <ActionForm action=actions.resume attr:class="inline-form">
                    <input type="hidden" name="need_id" value=id/>
                    <button type="submit" class="btn-primary">{td!(locale, reports.card.resume)}</button>
                </ActionForm>
            }
        });
        let withdrawable = matches!(
            status,
            NeedStatus::Published | NeedStatus::Claimed | NeedStatus::Paused
        );
        let withdraw = withdrawable.then(|| {
            view! {
                <details class="withdraw">
                    <summary class="btn-secondary">{td!(locale, reports.card.withdraw_summary)}</summary>
                    <ActionForm action=actions.withdraw attr:class="stack-form">
                        <input type="hidden" name="need_id" value=id/>
                        <label for=format!("withdraw-{id}-note")>{td!(locale, reports.card.withdraw_note)}</label>
                        <textarea id=format!("withdraw-{id}-note") name="note" rows="2" maxlength="500"></textarea>
                        <p class="privacy-note">{td!(locale, reports.card.withdraw_warning)}</p>
                        <button type="submit" class="btn-primary">{td!(locale, reports.card.withdraw_confirm)}</button>
                    </ActionForm>
                </details>
            }
        });
        view! { <div class="report-actions">{pause} {resume} {withdraw}</div> }
    });
    view! {
        <li class="work-item reported-need" data-need-id=id data-status=status.code()>
            <p class="work-head">
                <span class=format!("window window-{}", need.window.code())>{crate::city::window_label(need.window)}</span>
                <span class="place">{need.place()}</span>
                <span class="need-state">{status.label()}</span>
                <span class="meta">{td_string!(locale, reports.card.open_count, open = open).to_string()}</span>
            </p>
            <h3 class="work-title">{title}</h3>
            <p class="need-story">{need.story.clone()}</p>
            {need_actions}
            <ul class="report-list">
                {reports
                    .into_iter()
                    .map(|report| view! { <ReportItem report can_act resolve=actions.resolve/> })
                    .collect_view()}
            </ul>
        </li>
    }
}

#[component]
fn ReportItem(
    report: ReportView,
    can_act: bool,
    resolve: ServerAction<ResolveReport>,
) -> impl IntoView {
    let locale = crate::lang::locale();
    let id = report.id;
    let outcome = match report.resolution {
        Some(resolution) => {
            let at = report
                .resolved_at
                .map(|at| at.shanghai_text())
                .unwrap_or_default();
            let note = report.resolution_note.clone();
            Some(
                view! {
                    <p class="meta resolved" data-resolution=resolution.code()>
                        {td_string!(locale, reports.item.resolved, at = at, resolution = resolution.label()).to_string()}
                        {(!note.is_empty()).then(|| td_string!(locale, reports.item.resolved_note, note = note).to_string())}
                    </p>
                }
                .into_any(),
            )
        }
        None if can_act => Some(
            view! {
                <ActionForm action=resolve attr:class="stack-form resolve-form">
                    <input type="hidden" name="report_id" value=id/>
                    <label for=format!("resolve-{id}")>{td!(locale, reports.item.resolution_label)}</label>
                    <select id=format!("resolve-{id}") name="resolution" required=true>
                        {[ReportResolution::Dismissed, ReportResolution::Corrected]
                            .into_iter()
                            .map(|r| view! { <option value=r.code()>{r.label()}</option> })
                            .collect_view()}
                    </select>
                    <label for=format!("resolve-{id}-note")>{td!(locale, reports.item.note_label)}</label>
                    <input id=format!("resolve-{id}-note") name="note" maxlength="500"/>
                    <button type="submit" class="btn-secondary">{td!(locale, reports.item.resolve_button)}</button>
                </ActionForm>
            }
            .into_any(),
        ),
        None => None,
    };
    view! {
        <li class="report" data-report-id=id data-reason=report.reason.code()>
            <p>
                <strong>{report.reason.label()}</strong>
                " "
                <time class="meta" datetime=report.created_at.0.to_string()>{report.created_at.shanghai_text()}</time>
            </p>
            {(!report.note.is_empty()).then(|| view! { <p class="report-note">{report.note.clone()}</p> })}
            {outcome}
        </li>
    }
}
