//! `/my/claims`: a donor's claims. Whom to contact for each, when it is due, marking it
//! delivered (a note and optionally a photo: a real multipart form post, so it works without
//! JavaScript), giving it back, and the donor's credit points.

use crate::components::session::{Outcome, RoleGate};
use crate::domain::{ClaimStatus, MyClaim};
use crate::functions::claims::{my_claims, ReleaseClaim};
use crate::functions::impact::{my_credit, SetAnonymous};
use crate::people::Role;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyClaimsPage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Donor) refused="这里是爱心人士的认领记录。">
            <MyClaims/>
        </RoleGate>
    }
}

#[component]
fn MyClaims() -> impl IntoView {
    let release = ServerAction::<ReleaseClaim>::new();
    let anonymous = ServerAction::<SetAnonymous>::new();
    let claims = Resource::new(move || release.version().get(), |_| my_claims());
    let credit = Resource::new(move || anonymous.version().get(), |_| my_credit());
    let query = use_query_map();
    let delivered = move || query.read().get("delivered");
    let failed = move || query.read().get("error");
    view! {
        <section class="panel">
            <h1>"我的认领"</h1>
            {move || delivered().map(|_| view! { <p class="form-ok" role="status">"已登记送达，等待协调志愿者确认。谢谢您！"</p> })}
            {move || failed().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <Outcome value=release.value() done="已放弃这条认领，它已回到需求墙。" when="released"/>
            <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
                {move || Suspend::new(async move {
                    match claims.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">"还没有认领。去 " <a href="/">"需求墙"</a> " 看看吧。"</p> }.into_any()
                        }
                        Ok(list) => {
                            view! {
                                <ul class="work-list" data-testid="my-claims">
                                    {list.into_iter().map(|claim| view! { <ClaimItem claim release/> }).collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="panel">
            <h2>"我的积分"</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (balance, shown) = credit.await.unwrap_or((0, false));
                    view! {
                        <p data-testid="my-balance">{format!("{balance} 分")}</p>
                        <ActionForm action=anonymous attr:class="stack-form">
                            <input type="hidden" name="anonymous" value=if shown { "true" } else { "false" }/>
                            <p class="hint">
                                {if shown { "积分榜上显示您的完整称呼。" } else { "积分榜上只显示您称呼的第一个字（如“张*”）。" }}
                            </p>
                            <button type="submit" class="btn-secondary">
                                {if shown { "改为只显示第一个字" } else { "改为显示完整称呼" }}
                            </button>
                        </ActionForm>
                        <p><a href="/credit">"查看积分榜"</a></p>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ClaimItem(claim: MyClaim, release: ServerAction<ReleaseClaim>) -> impl IntoView {
    let MyClaim {
        claim_id,
        need,
        amount,
        status,
        claimed_at,
        expires_at,
        coordinator,
        rejected_reason,
        awaiting_family,
        thanks,
        ..
    } = claim;
    let confirmed = status == ClaimStatus::Confirmed;
    let open = status == ClaimStatus::Open;
    view! {
        <li class="work-item" data-claim-id=claim_id data-status=status.code()>
            <p class="work-head">
                <span class="status">{status.label()}</span>
                <span class=format!("window window-{}", need.window.code())>{crate::city::window_label(need.window)}</span>
                <span class="place">{need.place()}</span>
            </p>
            <p class="work-title">{need.title.clone()}</p>
            <p class="meta">
                {format!("{} 认领", claimed_at.shanghai_text())}
                {amount.map(|a| format!(" · 认捐 {a}"))}
                {open.then(|| format!(" · 请在 {} 前送达，逾期将自动放回需求墙", expires_at.shanghai_text()))}
            </p>
            {rejected_reason
                .map(|reason| {
                    view! {
                        <p class="warning" data-testid="rejected-reason">
                            "志愿者没有确认这次送达，原因：" {reason}
                        </p>
                    }
                })}
            {awaiting_family.then(|| view! {
                <p class="hint" data-testid="awaiting-family">"志愿者已核实送达，正在等待家庭用确认码确认。"</p>
            })}
            {thanks
                .map(|thanks| {
                    view! {
                        <div class="family-thanks" data-testid="family-thanks">
                            <p>{format!("{} 家庭已确认收到您的帮助。", thanks.at.shanghai_text())}</p>
                            {(!thanks.message.is_empty()).then(|| view! { <blockquote>{thanks.message.clone()}</blockquote> })}
                        </div>
                    }
                })}
            {confirmed.then(|| view! {
                <p class="links">
                    <a href=format!("/my/claims/{claim_id}/certificate")>"爱心认领凭证（可打印）"</a>
                    " · "
                    <a href=crate::share::need_path(need.id)>"需求页面"</a>
                </p>
            })}
            {coordinator
                .map(|c| {
                    view! {
                        <p class="coordinator">
                            "协调志愿者：" {c.name} " "
                            <a href=format!("tel:{}", c.phone)>{c.phone.clone()}</a>
                        </p>
                    }
                })}
            <Show when=move || open>
                <details class="deliver">
                    <summary class="btn-primary">"登记已送达"</summary>
                    <form
                        class="stack-form"
                        method="post"
                        enctype="multipart/form-data"
                        action=format!("/api/deliver/{claim_id}")
                    >
                        <label for=format!("note-{claim_id}")>"送达说明"</label>
                        <textarea id=format!("note-{claim_id}") name="note" rows="2" maxlength="500" required placeholder="如：已把助听器送到家中，家属签收"></textarea>
                        <label for=format!("photo-{claim_id}")>"照片（可选，JPEG 或 PNG，5 MB 以内）"</label>
                        <input id=format!("photo-{claim_id}") name="photo" type="file" accept="image/jpeg,image/png"/>
                        <button type="submit" class="btn-primary">"提交送达"</button>
                    </form>
                </details>
                <ActionForm action=release attr:class="release-form">
                    <input type="hidden" name="claim_id" value=claim_id/>
                    <button type="submit" class="btn-secondary">"放弃认领（放回需求墙）"</button>
                </ActionForm>
            </Show>
        </li>
    }
}

/// `/my/claims/{claim}/certificate`: the donor's printable 爱心认领凭证 for a confirmed claim.
#[component]
pub fn CertificatePage() -> impl IntoView {
    view! {
        <RoleGate allowed=|v| v.has(Role::Donor) refused="凭证只给认领的爱心人士本人。">
            <Certificate/>
        </RoleGate>
    }
}

#[component]
fn Certificate() -> impl IntoView {
    use crate::domain::Ask;
    use crate::functions::claims::get_claim_certificate;
    let claim_id = leptos_router::hooks::use_params_map()
        .read_untracked()
        .get("claim")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0);
    let certificate = Resource::new(|| (), move |_| get_claim_certificate(claim_id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match certificate.await {
                    Ok(c) => {
                        let what = match (c.ask, c.amount) {
                            (_, Some(amount)) => format!("认捐资金 {amount}"),
                            (Ask::Goods, _) => "捐助物资".to_owned(),
                            (Ask::Service, _) => "提供服务".to_owned(),
                            (Ask::Money { amount }, None) => format!("认捐资金 {amount}"),
                        };
                        let city = crate::city::City::current();
                        view! {
                            <article class="panel certificate" data-testid="certificate">
                                <h1>"爱心认领凭证"</h1>
                                <p class="meta">{format!("凭证编号 {}", c.number)}</p>
                                <p class="certificate-body">
                                    {format!("{} 认领了{}“{}”窗口的爱心需求“{}”（{}），{}。", c.donor_name, city.brand, city.label(c.window), c.title, c.place, what)}
                                </p>
                                <dl>
                                    <dt>"认领时间"</dt><dd>{c.claimed_at.shanghai_text()}</dd>
                                    <dt>"确认送达"</dt><dd>{format!("{}（{}）", c.confirmed_at.shanghai_text(), if c.by_family { "家庭确认" } else { "志愿者确认" })}</dd>
                                    <dt>"需求页面"</dt><dd>{crate::share::page_url(&crate::share::need_path(c.need_id))}</dd>
                                </dl>
                                <p class="certificate-note" data-testid="not-a-receipt">
                                    "本凭证仅记录您的爱心认领，不是捐赠票据（公益事业捐赠统一票据），不能用于税前扣除。需要捐赠票据的，请通过有资质的慈善组织捐赠。"
                                </p>
                                <p class="print-hide"><a href="/my/claims">"回到我的认领"</a></p>
                            </article>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
