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

#[component]
pub fn ReviewPage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Reviewer) || v.has(Role::Volunteer) refused="审核需要议事小组审核员或志愿者身份。">
            <ReviewDesk/>
        </RoleGate>
    }
}

#[component]
fn ReviewDesk() -> impl IntoView {
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
            <Outcome value=approve.value() done="已通过。" when="approved"/>
            <Outcome value=send_back.value() done="已退回给录入的志愿者。" when="returned"/>
            <Outcome value=refer.value() done="已转介，需求不会发布到需求墙。" when="referred"/>
            <Outcome value=match_need.value() done="已为这户家庭预约服务，需求不会发布到需求墙；到场后即完成。" when="matched"/>
            <Outcome value=record.value() done="已记录转介结果。" when="recorded"/>
        </div>
        <Suspense fallback=|| view! { <p class="loading">"正在加载审核队列…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(queue) => {
                        let empty = queue.council.is_empty() && queue.volunteer.is_empty();
                        view! {
                            <section class="panel">
                                <h1>"审核"</h1>
                                {crate::components::session::signed_in_viewer()
                                    .is_some_and(|v| v.has(Role::Volunteer))
                                    .then(|| view! { <p><a href="/review/offers">"服务审核"</a>" · "<a href="/offers">"为家庭预约服务"</a></p> })}
                                {empty.then(|| view! { <p class="empty">"目前没有等待您审核的需求。"</p> })}
                                <Stage title="待议事小组审核" stage=ReviewStage::Council items=queue.council actions programmes=queue.programmes.clone()/>
                                <Stage title="待志愿者复核" stage=ReviewStage::Volunteer items=queue.volunteer actions programmes=queue.programmes/>
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
                "录入：" {author}
                {council_reviewer.map(|name| view! { " · 议事小组已通过：" {name} })}
            </p>
            {(!private_notes.is_empty()).then(|| view! { <p class="private-notes">"内部备注：" {private_notes}</p> })}
            <HouseholdPanel household/>
            {(!registered_elsewhere.is_empty())
                .then(|| {
                    view! {
                        <p class="aid-warning" role="alert" data-testid="registered-elsewhere">
                            {format!(
                                "重复登记提醒：同一身份证号也在{}登记过。请与该镇核实，避免同一家庭被重复帮扶。",
                                registered_elsewhere.join("、"),
                            )}
                        </p>
                    }
                })}
            {warned
                .then(|| {
                    view! {
                        <p class="aid-warning" role="alert" data-testid="aid-warning">
                            {format!(
                                "重复帮扶提醒：该家庭近 {} 个月内在“{}”窗口已获帮扶 {} 次，请核实是否仍有需要。",
                                aid.period_months,
                                crate::city::window_label(need.window),
                                aid.warnings.len(),
                            )}
                        </p>
                    }
                })}
            <details class="aid-history" open=warned>
                <summary>{format!("帮扶记录（{} 条）", aid.entries.len())}</summary>
                <ul>
                    {aid
                        .entries
                        .iter()
                        .enumerate()
                        .map(|(index, entry)| {
                            let source = match &entry.source {
                                AidSource::Here { need_id, status } => format!("万善（需求 {need_id}，{}）", status.label()),
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
                            <label for=format!("ack-{id}")>"确认理由（已了解重复帮扶情况，仍需通过的原因）"</label>
                            <textarea id=format!("ack-{id}") name="acknowledgement" rows="2" maxlength="200" required></textarea>
                        }
                    })}
                <button type="submit" class="btn-primary">"通过"</button>
            </ActionForm>
            <details class="return">
                <summary class="btn-secondary">"退回修改"</summary>
                <ActionForm action=send_back attr:class="stack-form">
                    <input type="hidden" name="need_id" value=id/>
                    <input type="hidden" name="stage" value=stage_code/>
                    <input type="hidden" name="version" value=version/>
                    <label for=format!("reason-{id}")>"退回理由"</label>
                    <textarea id=format!("reason-{id}") name="reason" rows="2" maxlength="200" required></textarea>
                    <button type="submit" class="btn-secondary">"退回给录入人"</button>
                </ActionForm>
            </details>
            {(!offers.is_empty())
                .then(|| {
                    view! {
                        <details class="match" open=true>
                            <summary class="btn-secondary">{format!("对接服务（{} 项可预约）", offers.len())}</summary>
                            <ActionForm action=match_need attr:class="stack-form" attr:data-testid="match-form">
                                <input type="hidden" name="need_id" value=id/>
                                <input type="hidden" name="stage" value=stage_code/>
                                <input type="hidden" name="version" value=version/>
                                <p class="hint">"本镇有服务可以满足这条需求：为这户家庭预约后，需求不再发布到需求墙，到场后即完成。"</p>
                                {offers
                                    .into_iter()
                                    .map(|offer| {
                                        let offer_id = offer.id.0;
                                        view! {
                                            <fieldset class="choices">
                                                <legend>
                                                    <a href=format!("/offers/{offer_id}")>{offer.title.clone()}</a>
                                                    {format!("（{}）", offer.provider)}
                                                </legend>
                                                {offer
                                                    .slots
                                                    .iter()
                                                    .map(|slot| {
                                                        view! {
                                                            <label>
                                                                <input type="radio" name="slot_id" value=slot.id required=true/>
                                                                {format!(" {} · 余 {} 个名额", slot.when(), slot.free())}
                                                            </label>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </fieldset>
                                        }
                                    })
                                    .collect_view()}
                                <button type="submit" class="btn-secondary">"预约服务"</button>
                            </ActionForm>
                        </details>
                    }
                })}
            <details class="refer">
                <summary class="btn-secondary">"转介政府救助"</summary>
                <ActionForm action=refer attr:class="stack-form" attr:data-testid="refer-form">
                    <input type="hidden" name="need_id" value=id/>
                    <input type="hidden" name="stage" value=stage_code/>
                    <input type="hidden" name="version" value=version/>
                    <p class="hint">"转介后需求不会发布到需求墙；救助项目反馈结果后记录在此。"</p>
                    <label for=format!("programme-{id}")>"救助项目"</label>
                    <select id=format!("programme-{id}") name="programme" required>
                        {programmes.into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                    </select>
                    <label for=format!("due-{id}")>"反馈期限"</label>
                    <input id=format!("due-{id}") name="due" type="date" required/>
                    <label for=format!("refer-note-{id}")>"转介说明（选填，勿写电话或身份证号）"</label>
                    <textarea id=format!("refer-note-{id}") name="note" rows="2" maxlength="200"></textarea>
                    <button type="submit" class="btn-secondary">"转介"</button>
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
    if referrals.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel" data-testid="referrals">
            <h2>"转介待反馈 · " {referrals.len()}</h2>
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
                                    {format!(
                                        "{} · 转介于 {} · 期限 {}",
                                        r.programme,
                                        r.referred_at.shanghai_text(),
                                        r.due_at.shanghai_date_text(),
                                    )}
                                </p>
                                {(!r.note.is_empty()).then(|| view! { <p class="hint">{r.note.clone()}</p> })}
                                {r.can_record
                                    .then(|| {
                                        view! {
                                            <details>
                                                <summary class="btn-secondary">"记录结果"</summary>
                                                <ActionForm action=record attr:class="stack-form" attr:data-testid="record-referral">
                                                    <input type="hidden" name="referral_id" value=id/>
                                                    <input type="hidden" name="back_to" value=back_to/>
                                                    <fieldset>
                                                        <legend>"结果"</legend>
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
                                                    <label for=format!("granted-{id}")>"获批金额（元，仅获批时填；实物填 0）"</label>
                                                    <input id=format!("granted-{id}") name="amount" inputmode="decimal"/>
                                                    <label for=format!("outcome-note-{id}")>"说明（选填）"</label>
                                                    <textarea id=format!("outcome-note-{id}") name="note" rows="2" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">"保存结果"</button>
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
    view! {
        <dl class="household" data-testid="household">
            <dt>"户主"</dt><dd>{format!("{}（身份证尾号 {}）", household.head_name, household.id_last4)}</dd>
            <dt>"住址"</dt><dd>{household.address}</dd>
            <dt>"电话"</dt><dd>{household.phone}</dd>
            <dt>"成员"</dt><dd>{format!("{}（{} 人）", household.members, household.member_count)}</dd>
            <dt>"低收入认定"</dt><dd>{household.low_income.label()}</dd>
        </dl>
    }
}

#[component]
fn ClaimAlerts(alerts: Vec<ClaimAlert>) -> impl IntoView {
    if alerts.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel">
            <h2>"认领时的重复帮扶提醒"</h2>
            <p class="hint">"这些需求被认领时，家庭在同一窗口近期已获其他帮扶。请联系认领人和家庭核实。"</p>
            <ul class="work-list" data-testid="claim-alerts">
                {alerts
                    .into_iter()
                    .map(|alert| {
                        view! {
                            <li class="work-item" data-need-id=alert.need.id.0>
                                <p class="work-title">{alert.need.title}</p>
                                <p class="meta">
                                    {format!(
                                        "{} 认领 · {} · {} 条同窗口帮扶记录",
                                        alert.claimed_at.shanghai_text(),
                                        alert.household.head_name,
                                        alert.aid_warnings,
                                    )}
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
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = deliveries.await.unwrap_or_default();
                if list.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="panel">
                        <h2>{format!("待确认送达 · {}", list.len())}</h2>
                        <Outcome value=confirm.value() done="已确认送达并完成。" when="confirmed"/>
                        <Outcome value=issue.value() done="已生成确认码。"/>
                        <Outcome value=reject.value() done="已退回：这份认领已放回需求墙，认领人会看到您写的原因。" when="rejected"/>
                        <ul class="work-list" data-testid="deliveries">
                            {list
                                .into_iter()
                                .map(|d| {
                                    let claim_id = d.claim.claim_id;
                                    view! {
                                        <li class="work-item" data-claim-id=claim_id class:overdue=d.overdue>
                                            <p class="work-title">{d.claim.need.title.clone()}</p>
                                            {d.overdue.then(|| view! { <p class="warning" data-testid="overdue">"久未确认：已超过规定天数，请尽快核实，确认或退回。"</p> })}
                                            <p class="meta">
                                                {format!(
                                                    "{} · {}{}",
                                                    d.donor_name,
                                                    d.claim.delivered_at.map(|t| t.shanghai_text() + " 送达").unwrap_or_default(),
                                                    d.claim.amount.map(|a| format!(" · {a}")).unwrap_or_default(),
                                                )}
                                            </p>
                                            <p class="need-story">{d.note.clone()}</p>
                                            {d.has_photo.then(|| view! { <p><a href=format!("/api/claims/{claim_id}/photo") target="_blank">"查看送达照片"</a></p> })}
                                            {d.code_expires_at.map(|expires| view! {
                                                <p class="hint" data-testid="awaiting-family">
                                                    {format!("已给家庭发确认码，等待家庭确认（{} 前有效）。", expires.shanghai_text())}
                                                </p>
                                            })}
                                            <ActionForm action=issue attr:class="inline-form">
                                                <input type="hidden" name="claim_id" value=claim_id/>
                                                <button type="submit" class="btn-primary">
                                                    {if d.code_expires_at.is_some() { "重新生成家庭确认码" } else { "核实已送达，生成家庭确认码" }}
                                                </button>
                                            </ActionForm>
                                            <details class="confirm-without-code">
                                                <summary>"家庭无法自己确认？写明原因后完成"</summary>
                                                <ActionForm action=confirm>
                                                    <input type="hidden" name="claim_id" value=claim_id/>
                                                    <label for=format!("confirm-{claim_id}")>"家庭无法用确认码确认的原因（如：老人不会用手机，已当面确认）"</label>
                                                    <textarea id=format!("confirm-{claim_id}") name="reason" required minlength="4" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">"确认送达并完成"</button>
                                                </ActionForm>
                                            </details>
                                            <details class="reject">
                                                <summary>"没有收到？退回这份认领"</summary>
                                                <ActionForm action=reject>
                                                    <input type="hidden" name="claim_id" value=claim_id/>
                                                    <label for=format!("reject-{claim_id}")>"原因（认领人会看到）"</label>
                                                    <textarea id=format!("reject-{claim_id}") name="reason" required minlength="4" maxlength="200"></textarea>
                                                    <button type="submit" class="btn-secondary">"退回，放回需求墙"</button>
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
