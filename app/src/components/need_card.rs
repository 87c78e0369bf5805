//! One need on the board, with its claim form. The form is a native disclosure and a real
//! form post, so a donor can claim with JavaScript off too.

use crate::domain::{Ask, PublicNeed};
use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;

#[component]
pub fn NeedCard(need: PublicNeed, claim: ServerAction<ClaimNeed>) -> impl IntoView {
    let PublicNeed {
        id,
        window,
        title,
        story,
        town,
        village,
        ask,
        urgency,
        created_at,
        ..
    } = need;
    let amount = match ask {
        Ask::Money { amount } => Some(amount.to_string()),
        _ => None,
    };
    let ask_label = match ask {
        Ask::Money { .. } => "资金",
        Ask::Goods => "物资",
        Ask::Service => "服务",
    };
    let field = move |name: &'static str| format!("need-{id}-{name}");
    view! {
        <li class="need" data-need-id=id.0 data-window=window.code()>
            <article>
                <header class="need-head">
                    <span class=format!("window window-{}", window.code())>{window.label()}</span>
                    <span class=format!("urgency urgency-{}", urgency.rank())>{urgency.label()}</span>
                    <span class="place">{format!("{town} · {village}")}</span>
                </header>
                <h2 class="need-title">{title}</h2>
                <p class="need-story">{story}</p>
                <p class="need-ask">
                    <span class="ask-kind">{ask_label}</span>
                    {amount.map(|amount| view! { <strong class="amount">{amount}</strong> })}
                    <time class="published" datetime=created_at.0.to_string()>
                        {format!("{} 发布", created_at.shanghai_text())}
                    </time>
                </p>
                <details class="claim">
                    <summary class="btn-primary">"我来认领"</summary>
                    <ActionForm action=claim attr:class="claim-form">
                        <input type="hidden" name="need_id" value=id.0/>
                        <label for=field("name")>"您的称呼"</label>
                        <input
                            id=field("name")
                            name="donor_name"
                            required
                            maxlength="30"
                            autocomplete="name"
                            placeholder="如：王先生、某某公司"
                        />
                        <label for=field("contact")>"手机号或单位名称"</label>
                        <input
                            id=field("contact")
                            name="donor_contact"
                            required
                            maxlength="60"
                            autocomplete="tel"
                            placeholder="志愿者将通过它与您联系"
                        />
                        <p class="privacy-note">"联系方式只提供给协调志愿者，不会公开。"</p>
                        <button type="submit" class="btn-primary">"确认认领"</button>
                    </ActionForm>
                </details>
            </article>
        </li>
    }
}
