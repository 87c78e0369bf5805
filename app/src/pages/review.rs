//! `/review`: the queue a council reviewer or volunteer works from on a phone. Each need shows
//! its household and aid history; aid in the same window within the period is a warning that
//! must be acknowledged, with a reason, to approve.

use crate::components::session::{Outcome, RoleGate};
use crate::domain::Ask;
use crate::error::AppError;
use crate::functions::claims::{list_deliveries, ConfirmDelivery, IssueFamilyCode, RejectDelivery};
use crate::functions::desk::RecordReferralOutcome;
use crate::functions::reviews::{load_review_queue, ApproveNeed, MatchNeed, ReferNeed, ReturnNeed};
use crate::people::Role;
use crate::private::{
    AidSource, ClaimAlert, DeliveryToConfirm, HouseholdView, Referral, ReferralOutcome, ReviewItem,
    ReviewStage,
};
use leptos::prelude::*;
use leptos_i18n::{td, td_string};

#[component]
pub fn ReviewPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Reviewer) || v.has(Role::Volunteer) refused=td_string!(locale, review.refused)>
            <ReviewDesk/>
        </RoleGate>
    }
}

#[component]
fn ReviewDesk() -> impl IntoView {
    let locale = crate::lang::locale();
    let approve = ServerAction::<ApproveNeed>::new();
    let send_back = ServerAction::<ReturnNeed>::new();
    let refer = ServerAction::<ReferNeed>::new();
    let match_need = ServerAction::<MatchNeed>::new();
    let record = ServerAction::<RecordReferralOutcome>::new();
    let queue = Resource::new(
        move || {
            (
                approve.version().get(),
                send_back.version().get(),
                refer.version().get(),
                match_need.version().get(),
                record.version().get(),
            )
        },
        |_| load_review_queue(),
    );
    let actions = Decisions {
        approve,
        send_back,
        refer,
        match_need,
    };
    // Resources are made here, at the top of the page, never inside a <Suspense>'s children.
    let confirm = ServerAction::<ConfirmDelivery>::new();
    let reject = ServerAction::<RejectDelivery>::new();
    let deliveries = Resource::new(
        move || (confirm.version().get(), reject.version().get()),
        |_| list_deliveries(),
    );
    view! {
        <div class="toast-area" role="status" aria-live="polite">
            <Outcome value=approve.value() done=td_string!(locale, review.done.approved) when="approved"/>
            <Outcome value=send_back.value() done=td_string!(locale, review.done.returned) when="returned"/>
            <Outcome value=refer.value() done=td_string!(locale, review.done.referred) when="referred"/>
            <Outcome value=match_need.value() done=td_string!(locale, review.done.matched) when="matched"/>
            <Outcome value=record.value() done=td_string!(locale, review.done.recorded) when="recorded"/>
        </div>
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, review.loading)}</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => {
                        let empty = queue.council.is_empty() && queue.volunteer.is_empty();
                        view! {
                            <section class="panel">
                                <h1>{td!(locale, review.title)}</h1>
                                {crate::components::session::signed_in_viewer()
                                    .is_some_and(|v| v.has(Role::Volunteer))
                                    .then(|| view! { <p><a href="/review/offers">{td!(locale, review.offers_review)}</a>" · "<a href="/offers">{td!(locale, review.book_for_family)}</a></p> })}
                                {empty.then(|| view! { <p class="empty">{td!(locale, review.empty)}</p> })}
                                <Stage title=td_string!(locale, review.stage_council) stage=ReviewStage::Council items=queue.council actions programmes=queue.programmes.clone()/>
                                <Stage title=td_string!(locale, review.stage_volunteer) stage=ReviewStage::Volunteer items=queue.volunteer actions programmes=queue.programmes/>
                            </section>
                            <PendingReferrals referrals=queue.referrals record back_to="review"/>
                            <ClaimAlerts alerts=queue.claim_alerts/>
                            <Deliveries deliveries confirm reject/>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The decisions a reviewer can make on one need.
#[derive(Clone, Copy)]
struct Decisions {
    approve: ServerAction<ApproveNeed>,
    send_back: ServerAction<ReturnNeed>,
    refer: ServerAction<ReferNeed>,
    match_need: ServerAction<MatchNeed>,
}

#[component]
fn Stage(
    title: &'static str,
    stage: ReviewStage,
    items: Vec<ReviewItem>,
    actions: Decisions,
    programmes: Vec<String>,
) -> impl IntoView {
    if items.is_empty() {
        return ().into_any();
    }
    view! {
        <h2>{title} " · " {items.len()}</h2>
        <ul class="work-list" data-stage=stage.code()>
            {items
                .into_iter()
                .map(|item| view! { <ReviewCard item stage actions programmes=programmes.clone()/> })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ReviewCard(
    item: ReviewItem,
    stage: ReviewStage,
    actions: Decisions,
    programmes: Vec<String>,
) -> impl IntoView {
    let locale = crate::lang::locale();
    let Decisions {
        approve,
        send_back,
        refer,
        match_need,
    } = actions;
    let ReviewItem {
        need,
        version,
        private_notes,
        author,
        council_reviewer,
        household,
        aid,
        registered_elsewhere,
        offers,
    } = item;
    let id = need.id.0;
    let warned = !aid.warnings.is_empty();
    let amount = match need.ask {
        Ask::Money { amount } => amount.to_string(),
        other => other.label(),
    };
    let stage_code = stage.code();
    view! {
        <li class="work-item review-item" data-need-id=id>
            <p class="work-head">
                <span class=format!("window window-{}", need.window.code())>{crate::city::window_label(need.window)}</span>
                <span class="place">{need.place()}</span>
                <span class="amount">{amount}</span>
            </p>
            <h3 class="work-title">{need.title.clone()}</h3>
            <p class="need-story">{need.story.clone()}</p>
            <p class="meta">
                {td!(locale, review.card.author)} {author}
                {council_reviewer.map(|name| view! { {td!(locale, review.card.council_passed)} {name} })}
            </p>
            {(!private_notes.is_empty()).then(|| view! { <p class="private-notes">{td!(locale, review.card.private_notes)} {private_notes}</p> })}
            <HouseholdPanel household/>
            {(!registered_elsewhere.is_empty())
                .then(|| {
                    view! {
                        <p class="aid-warning" role="alert" data-testid="registered-elsewhere">
                            {td_string!(
                                locale,
                                review.card.registered_elsewhere,
                                towns = registered_elsewhere.join(td_string!(locale, review.list_separator)),
                            )
                            .to_string()}
                        </p>
                    }
                })}
            {warned
                .then(|| {
                    view! {
                        <p class="aid-warning" role="alert" data-testid="aid-warning">
                            {td_string!(
                                locale,
                                review.card.aid_warning,
                                months = aid.period_months,
                                window = crate::city::window_label(need.window),
                                count = aid.warnings.len(),
                            )
                            .to_string()}
                        </p>
                    }
                })}
            <details class="aid-history" open=warned>
                <summary>{td_string!(locale, review.card.aid_history, count = aid.entries.len()).to_string()}</summary>
                <ul>
                    {aid
                        .entries
                        .iter()
                        .enumerate()
                        .map(|(index, entry)| {
                            let source = match &entry.source {
                                AidSource::Here { need_id, status } => td_string!(locale, review.card.aid_here, need_id = need_id, status = status.label()).to_string(),
                                AidSource::Agency { agency } => agency.clone(),
                            };
                            let warn = aid.warnings.contains(&index);
                            view! {
                                <li class:warn=warn>
                                    {format!(
                                        "{} · {} · {} · {}{}",
                                        entry.at.shanghai_date_text(),
                                        crate::city::window_label(entry.window),
                                        source,
                                        entry.cause,
                                        entry.amount.map(|a| format!(" · {a}")).unwrap_or_default(),
                                    )}
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </details>
            <ActionForm action=approve attr:class="stack-form approve-form">
                <input type="hidden" name="need_id" value=id/>
                <input type="hidden" name="stage" value=stage_code/>
                <input type="hidden" name="version" value=version/>
                {warned
                    .then(|| {
                        view! {
                            <label for=format!("ack-{id}")>{td!(locale, review.card.ack_label)}</label>
                            <textarea id=format!("ack-{id}") name="acknowledgement" rows="2" maxlength="200" required></textarea>
                        }
                    })}
                <button type="submit" class="btn-primary">{td!(locale, review.card.approve)}</button>
            </ActionForm>
            <details class="return">
                <summary class="btn-secondary">{td!(locale, review.card.return_summary)}</summary>
                <ActionForm action=send_back attr:class="stack-form">
                    <input type="hidden" name="need_id" value=id/>
                    <input type="hidden" name="stage" value=stage_code/>
                    <input type="hidden" name="version" value=version/>
                    <label for=format!("reason-{id}")>{td!(locale, review.card.return_reason)}</label>
                    <textarea id=format!("reason-{id}") name="reason" rows="2" maxlength="200" required></textarea>
                    <button type="submit" class="btn-secondary">{td!(locale, review.card.return_button)}</button>
                </ActionForm>
            </details>
            {(!offers.is_empty())
                .then(|| {
                    view! {
                        <details class="match" open=true>
                            <summary class="btn-secondary">{td_string!(locale, review.card.match_summary, count = offers.len()).to_string()}</summary>
                            <ActionForm action=match_need attr:class="stack-form" attr:data-testid="match-form">
                                <input type="hidden" name="need_id" value=id/>
                                <input type="hidden" name="stage" value=stage_code/>
                                <input type="hidden" name="version" value=version/>
                                <p class="hint">{td!(locale, review.card.match_hint)}</p>
                                {offers
                                    .into_iter()
                                    .map(|offer| {
                                        let offer_id = offer.id.0;
                                        view! {
                                            <fieldset class="choices">
                                                <legend>
                                                    <a href=format!("/offers/{offer_id}")>{offer.title.clone()}</a>
                                                    {td_string!(locale, review.card.offer_provider, provider = offer.provider.clone()).to_string()}
                                                </legend>
                                                {offer
                                                    .slots
                                                    .iter()
                                                    .map(|slot| {
                                                        view! {
                                                            <label>
                                                                <input type="radio" name="slot_id" value=slot.id required=true/>
                                                                {td_string!(locale, review.card.slot, when = slot.when(), free = slot.free()).to_string()}
                                                            </label>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </fieldset>
                                        }
                                    })
                                    .collect_view()}
                                <button type="submit" class="btn-secondary">{td!(locale, review.card.book)}</button>
                            </ActionForm>
                        </details>
                    }
                })}
            <details class="refer">
                <summary class="btn-secondary">{td!(locale, review.card.refer_summary)}</summary>
                <ActionForm action=refer attr:class="stack-form" attr:data-testid="refer-form">
                    <input type="hidden" name="need_id" value=id/>
                    <input type="hidden" name="stage" value=stage_code/>
                    <input type="hidden" name="version" value=version/>
                    <p class="hint">{td!(locale, review.card.refer_hint)}</p>
                    <label for=format!("programme-{id}")>{td!(locale, review.card.programme)}</label>
                    <select id=format!("programme-{id}") name="programme" required>
                        {programmes.into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                    </select>
                    <label for=format!("due-{id}")>{td!(locale, review.card.due)}</label>
                    <input id=format!("due-{id}") name="due" type="date" required/>
                    <label for=format!("refer-note-{id}")>{td!(locale, review.card.refer_note)}</label>
                    <textarea id=format!("refer-note-{id}") name="note" rows="2" maxlength="200"></textarea>
                    <button type="submit" class="btn-secondary">{td!(locale, review.card.refer)}</button>
                </ActionForm>
            </details>
        </li>
    }
}

/// Referrals awaiting the programme's answer, by due date, each with a
/// form to record the answer when the reader may.
#[component]
pub fn PendingReferrals(
    referrals: Vec<Referral>,
    record: ServerAction<RecordReferralOutcome>,
    back_to: &'static str,
) -> impl IntoView {
    let locale = crate::lang::locale();
    if referrals.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel" data-testid="referrals">
            <h2>{td!(locale, review.referrals.title)} {referrals.len()}</h2>
            <ul class="work-list">
                {referrals
                    .into_iter()
                    .map(|r| {
                        let id = r.id;
                        view! {
                            <li class="work-item" data-referral-id=id>
                                <p class="work-head">
                                    <span class=format!("window window-{}", r.window.code())>{crate::city::window_label(r.window)}</span>
                                    <span class="place">{r.town.clone()}</span>
                                    <span>{r.household.0.clone()}</span>
                                </p>
                                <h3 class="work-title">
                                    <a href=format!("/desk/needs/{}", r.need_id.0)>{r.title.clone()}</a>
                                </h3>
                                <p class="meta">
                                    {td_string!(
                                        locale,
                                        review.referrals.meta,
                                        programme = r.programme.clone(),
                                        referred = r.referred_at.shanghai_text(),
                                        due = r.due_at.shanghai_date_text(),
                                    )
                                    .to_string()}
                                </p>
                                {(!r.note.is_empty()).then(|| view! { <p class="hint">{r.note.clone()}</p> })}
                                {r.can_record
                                    .then(|| {
                                        view! {
                                            <details>
                                                <summary class="btn-secondary">{td!(locale, review.referrals.record)}</summary>
                                                <ActionForm action=record attr:class="stack-form" attr:data-testid="record-referral">
                                                    <input type="hidden" name="referral_id" value=id/>
                                                    <input type="hidden" name="back_to" value=back_to/>
                                                    <fieldset>
                                                        <legend>{td!(locale, review.referrals.outcome)}</legend>
                                                        {ReferralOutcome::ALL
                                                            .into_iter()
                                                            .map(|o| {
                                                                view! {
                                                                    <label class="inline">
                                                                        <input type="radio" name="outcome" value=o.code() required/>
                                                                        {o.label()}
                                                                    </label>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </fieldset>
                                                    <label for=format!("granted-{id}")>{td!(locale, review.referrals.granted_label)}</label>
                                                    <input id=format!("granted-{id}") name="amount" inputmode="decimal"/>
                                                    <label for=format!("outcome-note-{id}")>{td!(locale, review.referrals.note_label)}</label>
                                                    <textarea id=format!("outcome-note-{id}") name="note" rows="2" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">{td!(locale, review.referrals.save)}</button>
                                                </ActionForm>
                                            </details>
                                        }
                                    })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

#[component]
fn HouseholdPanel(household: HouseholdView) -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <dl class="household" data-testid="household">
            <dt>{td!(locale, review.household.head)}</dt><dd>{td_string!(locale, review.household.head_value, name = household.head_name, last4 = household.id_last4).to_string()}</dd>
            <dt>{td!(locale, review.household.address)}</dt><dd>{household.address}</dd>
            <dt>{td!(locale, review.household.phone)}</dt><dd>{household.phone}</dd>
            <dt>{td!(locale, review.household.members)}</dt><dd>{td_string!(locale, review.household.members_value, members = household.members, count = household.member_count).to_string()}</dd>
            <dt>{td!(locale, review.household.low_income)}</dt><dd>{household.low_income.label()}</dd>
        </dl>
    }
}

#[component]
fn ClaimAlerts(alerts: Vec<ClaimAlert>) -> impl IntoView {
    let locale = crate::lang::locale();
    if alerts.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel">
            <h2>{td!(locale, review.alerts.title)}</h2>
            <p class="hint">{td!(locale, review.alerts.hint)}</p>
            <ul class="work-list" data-testid="claim-alerts">
                {alerts
                    .into_iter()
                    .map(|alert| {
                        view! {
                            <li class="work-item" data-need-id=alert.need.id.0>
                                <p class="work-title">{alert.need.title}</p>
                                <p class="meta">
                                    {td_string!(
                                        locale,
                                        review.alerts.meta,
                                        at = alert.claimed_at.shanghai_text(),
                                        head = alert.household.head_name,
                                        count = alert.aid_warnings,
                                    )
                                    .to_string()}
                                </p>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
    .into_any()
}

/// Deliveries donors have marked done in the volunteer's towns, to confirm.
#[component]
fn Deliveries(
    deliveries: Resource<Result<Vec<DeliveryToConfirm>, AppError>>,
    confirm: ServerAction<ConfirmDelivery>,
    reject: ServerAction<RejectDelivery>,
) -> impl IntoView {
    // Issuing a code leads (without JavaScript, by redirect) to the slip page that shows it.
    let issue = ServerAction::<IssueFamilyCode>::new();
    let locale = crate::lang::locale();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = deliveries.await.unwrap_or_default();
                if list.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="panel">
                        <h2>{td_string!(locale, review.deliveries.title, count = list.len()).to_string()}</h2>
                        <Outcome value=confirm.value() done=td_string!(locale, review.done.confirmed) when="confirmed"/>
                        <Outcome value=issue.value() done=td_string!(locale, review.done.code_issued)/>
                        <Outcome value=reject.value() done=td_string!(locale, review.done.rejected) when="rejected"/>
                        <ul class="work-list" data-testid="deliveries">
                            {list
                                .into_iter()
                                .map(|d| {
                                    let claim_id = d.claim.claim_id;
                                    view! {
                                        <li class="work-item" data-claim-id=claim_id class:overdue=d.overdue>
                                            <p class="work-title">{d.claim.need.title.clone()}</p>
                                            {d.overdue.then(|| view! { <p class="warning" data-testid="overdue">{td!(locale, review.deliveries.overdue)}</p> })}
                                            <p class="meta">
                                                {format!(
                                                    "{} · {}{}",
                                                    d.donor_name,
                                                    d.claim.delivered_at.map(|t| td_string!(locale, review.deliveries.delivered_at, at = t.shanghai_text()).to_string()).unwrap_or_default(),
                                                    d.claim.amount.map(|a| format!(" · {a}")).unwrap_or_default(),
                                                )}
                                            </p>
                                            <p class="need-story">{d.note.clone()}</p>
                                            {d.has_photo.then(|| view! { <p><a href=format!("/api/claims/{claim_id}/photo") target="_blank">{td!(locale, review.deliveries.see_photo)}</a></p> })}
                                            {d.code_expires_at.map(|expires| view! {
                                                <p class="hint" data-testid="awaiting-family">
                                                    {td_string!(locale, review.deliveries.awaiting_family, expires = expires.shanghai_text()).to_string()}
                                                </p>
                                            })}
                                            <ActionForm action=issue attr:class="inline-form">
                                                <input type="hidden" name="claim_id" value=claim_id/>
                                                <button type="submit" class="btn-primary">
                                                    {if d.code_expires_at.is_some() { td_string!(locale, review.deliveries.reissue_code) } else { td_string!(locale, review.deliveries.issue_code) }}
                                                </button>
                                            </ActionForm>
                                            <details class="confirm-without-code">
                                                <summary>{td!(locale, review.deliveries.confirm_summary)}</summary>
                                                <ActionForm action=confirm>
                                                    <input type="hidden" name="claim_id" value=claim_id/>
                                                    <label for=format!("confirm-{claim_id}")>{td!(locale, review.deliveries.confirm_reason)}</label>
                                                    <textarea id=format!("confirm-{claim_id}") name="reason" required minlength="4" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">{td!(locale, review.deliveries.confirm_button)}</button>
                                                </ActionForm>
                                            </details>
                                            <details class="reject">
                                                <summary>{td!(locale, review.deliveries.reject_summary)}</summary>
                                                <ActionForm action=reject>
                                                    <input type="hidden" name="claim_id" value=claim_id/>
                                                    <label for=format!("reject-{claim_id}")>{td!(locale, review.deliveries.reject_reason)}</label>
                                                    <textarea id=format!("reject-{claim_id}") name="reason" required minlength="4" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">{td!(locale, review.deliveries.reject_button)}</button>
                                                </ActionForm>
                                            </details>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </section>
                }
                    .into_any()
            })}
        </Suspense>
    }
}
