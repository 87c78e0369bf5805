//! One need on the board, with its claim form. The form is a native disclosure and a real
//! form post, so a donor can claim with JavaScript off too. Claiming needs a signed-in donor:
//! anyone else gets the shortest way there (sign up or sign in, then straight back to this
//! need, opened).

use crate::domain::{Ask, Fen, PublicNeed};
use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;

#[component]
pub fn NeedCard(
    need: PublicNeed,
    claim: ServerAction<ClaimNeed>,
    /// `None`: nobody is signed in; `Some(false)`: signed in without the donor role.
    donor: Option<bool>,
    /// Open the claim form at once (the donor just signed in to claim this need).
    open: bool,
    /// Why it is recommended (`匹配：助学 · 云阳街道`), on the "为你推荐" view.
    #[prop(optional)]
    fit: Option<String>,
) -> impl IntoView {
    let remaining = need.remaining();
    let pledged = need.pledged_fen;
    let place = need.place();
    let PublicNeed {
        id,
        window,
        title,
        story,
        ask,
        urgency,
        created_at,
        ..
    } = need;
    // A money need shows what it still needs; once pledged in part, out of how much.
    let amount = match (ask, remaining) {
        (Ask::Money { amount }, Some(left)) if pledged > 0 => {
            Some(format!("还需 {}（共 {amount}）", Fen::from_stored(left)))
        }
        (Ask::Money { amount }, _) => Some(amount.to_string()),
        _ => None,
    };
    let is_money = matches!(ask, Ask::Money { .. });
    let left_yuan = remaining
        .map(|left| Fen::from_stored(left).to_string())
        .unwrap_or_default();
    let ask_label = match ask {
        Ask::Money { .. } => "资金",
        Ask::Goods => "物资",
        Ask::Service => "服务",
    };
    view! {
        <li class="need" data-need-id=id.0 data-window=window.code()>
            <article>
                <header class="need-head">
                    <span class=format!("window window-{}", window.code())>{crate::city::window_label(window)}</span>
                    <span class=format!("urgency urgency-{}", urgency.rank())>{urgency.label()}</span>
                    <span class="place">{place}</span>
                </header>
                <h2 class="need-title">
                    <a href=crate::share::need_path(id)>{title}</a>
                </h2>
                {fit.map(|line| view! { <p class="fit-line" data-testid="fit-line">{line}</p> })}
                <p class="need-story">{story}</p>
                <p class="need-ask">
                    <span class="ask-kind">{ask_label}</span>
                    {amount.map(|amount| view! { <strong class="amount">{amount}</strong> })}
                    <time class="published" datetime=created_at.0.to_string()>
                        {format!("{} 发布", created_at.shanghai_text())}
                    </time>
                </p>
                <ClaimDetails need_id=id is_money left_yuan claim donor open on_page=false/>
                <a class="report-link" href=format!("{}/report", crate::share::need_path(id))>"举报/纠错"</a>
            </article>
        </li>
    }
}

/// The claim button and form of one need, on its board card or its own page. A native
/// disclosure and a real form post, so it works with JavaScript off; after a plain post the
/// server brings the donor back to where they were (`on_page`: the need's page).
#[component]
pub fn ClaimDetails(
    need_id: crate::domain::NeedId,
    is_money: bool,
    /// All that is left of a money need, in yuan (the default pledge).
    left_yuan: String,
    claim: ServerAction<ClaimNeed>,
    donor: Option<bool>,
    open: bool,
    on_page: bool,
) -> impl IntoView {
    let id = need_id;
    view! {
        <details class="claim" open=open>
            <summary class="btn-primary">"我来认领"</summary>
            {match donor {
                Some(true) => {
                    view! {
                        <ActionForm action=claim attr:class="claim-form">
                            <input type="hidden" name="need_id" value=id.0/>
                            {on_page.then(|| view! { <input type="hidden" name="from" value="page"/> })}
                            {is_money
                                .then(|| {
                                    view! {
                                        <label for=format!("need-{id}-amount")>
                                            {format!("认捐金额（元）：留空即认捐还需的全部 {left_yuan}")}
                                        </label>
                                        <input
                                            id=format!("need-{id}-amount")
                                            name="amount"
                                            inputmode="decimal"
                                            placeholder="例如 500"
                                        />
                                    }
                                })}
                            <p class="privacy-note">"认领后，协调志愿者会通过您账号的手机号联系您；您的信息不会公开。"</p>
                            <button type="submit" class="btn-primary">"确认认领"</button>
                        </ActionForm>
                    }
                        .into_any()
                }
                Some(false) => {
                    view! { <p class="privacy-note">"您的账号没有认领权限，请用爱心人士账号登录。"</p> }.into_any()
                }
                None => {
                    // Back here after signing up or in, with the form open.
                    let next = if on_page {
                        format!("%2Fneeds%2F{id}%3Fopen%3D1")
                    } else {
                        format!("%2F%3Fopen%3D{id}")
                    };
                    view! {
                        <div class="claim-form">
                            <p class="privacy-note">"认领需要一个爱心账号：只要手机号和密码，注册后直接回到这条需求。"</p>
                            <a class="btn-primary" href=format!("/signup?next={next}")>"注册并认领"</a>
                            <a class="btn-secondary" href=format!("/signin?next={next}")>"已有账号，登录"</a>
                        </div>
                    }
                        .into_any()
                }
            }}
        </details>
    }
}
