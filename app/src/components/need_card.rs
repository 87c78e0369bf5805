//! One need on the board, with its claim form. The form is a native disclosure and a real
//! form post, so a donor can claim with JavaScript off too. Claiming needs a signed-in donor:
//! anyone else gets the shortest way there (sign up or sign in, then straight back to this
//! need, opened).

use crate::domain::{Ask, Fen, PublicNeed};
use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;
use leptos_i18n::td_string;

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
    let locale = crate::lang::locale();
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
        (Ask::Money { amount }, Some(left)) if pledged > 0 => Some(
            td_string!(
                locale,
                board.card.still_needs,
                left = Fen::from_stored(left),
                amount = amount
            )
            .to_string(),
        ),
        (Ask::Money { amount }, _) => Some(amount.to_string()),
        _ => None,
    };
    let is_money = matches!(ask, Ask::Money { .. });
    let left_yuan = remaining
        .map(|left| Fen::from_stored(left).to_string())
        .unwrap_or_default();
    let ask_label = match ask {
        Ask::Money { .. } => td_string!(locale, board.card.ask_money),
        Ask::Goods => td_string!(locale, board.card.ask_goods),
        Ask::Service => td_string!(locale, board.card.ask_service),
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
                        {td_string!(locale, board.card.published, date = created_at.shanghai_text()).to_string()}
                    </time>
                </p>
                <ClaimDetails need_id=id is_money left_yuan claim donor open on_page=false/>
                <a class="report-link" href=format!("{}/report", crate::share::need_path(id))>{td_string!(locale, board.card.report)}</a>
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
    let locale = crate::lang::locale();
    let id = need_id;
    view! {
        <details class="claim" open=open>
            <summary class="btn-primary">{td_string!(locale, board.claim.button)}</summary>
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
                                            {td_string!(locale, board.claim.amount_label, left = left_yuan).to_string()}
                                        </label>
                                        <input
                                            id=format!("need-{id}-amount")
                                            name="amount"
                                            inputmode="decimal"
                                            placeholder=td_string!(locale, board.claim.amount_placeholder)
                                        />
                                    }
                                })}
                            <p class="privacy-note">{td_string!(locale, board.claim.privacy)}</p>
                            <button type="submit" class="btn-primary">{td_string!(locale, board.claim.confirm)}</button>
                        </ActionForm>
                    }
                        .into_any()
                }
                Some(false) => {
                    view! { <p class="privacy-note">{td_string!(locale, board.claim.not_donor)}</p> }.into_any()
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
                            <p class="privacy-note">{td_string!(locale, board.claim.need_account)}</p>
                            <a class="btn-primary" href=format!("/signup?next={next}")>{td_string!(locale, board.claim.signup)}</a>
                            <a class="btn-secondary" href=format!("/signin?next={next}")>{td_string!(locale, board.claim.signin)}</a>
                        </div>
                    }
                        .into_any()
                }
            }}
        </details>
    }
}
