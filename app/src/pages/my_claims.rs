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
        ..
    } = claim;
    let open = status == ClaimStatus::Open;
    view! {
        <li class="work-item" data-claim-id=claim_id data-status=status.code()>
            <p class="work-head">
                <span class="status">{status.label()}</span>
                <span class=format!("window window-{}", need.window.code())>{need.window.label()}</span>
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
