//! `/my/claims`: a donor's claims. Whom to contact for each, when it is due, marking it
//! delivered (a note and optionally a photo: a real multipart form post, so it works without
//! JavaScript), giving it back, and the donor's credit points.

use crate::components::session::{Outcome, RoleGate};
use crate::domain::{ClaimStatus, MyClaim};
use crate::functions::claims::{my_claims, ReleaseClaim};
use crate::functions::impact::{my_credit, SetAnonymous};
use crate::people::Role;
use leptos::prelude::*;
use leptos_i18n::{td, td_string};
use leptos_router::hooks::use_query_map;

#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Donor) refused=td_string!(locale, claims.refused)>
            <MyClaims/>
        </RoleGate>
    }
}

#[component]
fn MyClaims() -> impl IntoView {
    let locale = crate::lang::locale();
    let release = ServerAction::<ReleaseClaim>::new();
    let anonymous = ServerAction::<SetAnonymous>::new();
    let claims = Resource::new(move || release.version().get(), |_| my_claims());
    let credit = Resource::new(move || anonymous.version().get(), |_| my_credit());
    let query = use_query_map();
    let delivered = move || query.read().get("delivered");
    let failed = move || query.read().get("error");
    view! {
        <section class="panel">
            <h1>{td!(locale, claims.title)}</h1>
            {move || delivered().map(|_| view! { <p class="form-ok" role="status">{td!(locale, claims.delivered)}</p> })}
            {move || failed().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <Outcome value=release.value() done=td_string!(locale, claims.released) when="released"/>
            <Suspense fallback=move || view! { <p class="loading">{td!(locale, claims.loading)}</p> }>
                {move || Suspend::new(async move {
                    match claims.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="empty">{td!(locale, claims.empty_before)} <a href="/">{td!(locale, claims.empty_board)}</a> {td!(locale, claims.empty_after)}</p> }.into_any()
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
            <h2>{td!(locale, claims.credit.title)}</h2>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let (balance, shown) = credit.await.unwrap_or((0, false));
                    view! {
                        <p data-testid="my-balance">{td_string!(locale, claims.credit.balance, balance = balance).to_string()}</p>
                        <ActionForm action=anonymous attr:class="stack-form">
                            <input type="hidden" name="anonymous" value=if shown { "true" } else { "false" }/>
                            <p class="hint">
                                {if shown { td_string!(locale, claims.credit.shown_full) } else { td_string!(locale, claims.credit.shown_initial) }}
                            </p>
                            <button type="submit" class="btn-secondary">
                                {if shown { td_string!(locale, claims.credit.to_initial) } else { td_string!(locale, claims.credit.to_full) }}
                            </button>
                        </ActionForm>
                        <p><a href="/credit">{td!(locale, claims.credit.see_board)}</a></p>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ClaimItem(claim: MyClaim, release: ServerAction<ReleaseClaim>) -> impl IntoView {
    let locale = crate::lang::locale();
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
                {td_string!(locale, claims.item.claimed_at, at = claimed_at.shanghai_text()).to_string()}
                {amount.map(|a| td_string!(locale, claims.item.pledged, amount = a).to_string())}
                {open.then(|| td_string!(locale, claims.item.due, at = expires_at.shanghai_text()).to_string())}
            </p>
            {rejected_reason
                .map(|reason| {
                    view! {
                        <p class="warning" data-testid="rejected-reason">
                            {td!(locale, claims.item.rejected)} {reason}
                        </p>
                    }
                })}
            {awaiting_family.then(|| view! {
                <p class="hint" data-testid="awaiting-family">{td!(locale, claims.item.awaiting_family)}</p>
            })}
            {thanks
                .map(|thanks| {
                    view! {
                        <div class="family-thanks" data-testid="family-thanks">
                            <p>{td_string!(locale, claims.item.family_thanks, at = thanks.at.shanghai_text()).to_string()}</p>
                            {(!thanks.message.is_empty()).then(|| view! { <blockquote>{thanks.message.clone()}</blockquote> })}
                        </div>
                    }
                })}
            {confirmed.then(|| view! {
                <p class="links">
                    <a href=format!("/my/claims/{claim_id}/certificate")>{td!(locale, claims.item.certificate_link)}</a>
                    " · "
                    <a href=crate::share::need_path(need.id)>{td!(locale, claims.item.need_page)}</a>
                </p>
            })}
            {coordinator
                .map(|c| {
                    view! {
                        <p class="coordinator">
                            {td!(locale, claims.item.coordinator)} {c.name} " "
                            <a href=format!("tel:{}", c.phone)>{c.phone.clone()}</a>
                        </p>
                    }
                })}
            <Show when=move || open>
                <details class="deliver">
                    <summary class="btn-primary">{td!(locale, claims.item.deliver_summary)}</summary>
                    <form
                        class="stack-form"
                        method="post"
                        enctype="multipart/form-data"
                        action=format!("/api/deliver/{claim_id}")
                    >
                        <label for=format!("note-{claim_id}")>{td!(locale, claims.item.note_label)}</label>
                        <textarea id=format!("note-{claim_id}") name="note" rows="2" maxlength="500" required placeholder=td_string!(locale, claims.item.note_placeholder)></textarea>
                        <label for=format!("photo-{claim_id}")>{td!(locale, claims.item.photo_label)}</label>
                        <input id=format!("photo-{claim_id}") name="photo" type="file" accept="image/jpeg,image/png"/>
                        <button type="submit" class="btn-primary">{td!(locale, claims.item.deliver_submit)}</button>
                    </form>
                </details>
                <ActionForm action=release attr:class="release-form">
                    <input type="hidden" name="claim_id" value=claim_id/>
                    <button type="submit" class="btn-secondary">{td!(locale, claims.item.release)}</button>
                </ActionForm>
            </Show>
        </li>
    }
}

/// `/my/claims/{claim}/certificate`: the donor's printable 爱心认领凭证 for a confirmed claim.
#[component]
pub fn CertificatePage() -> impl IntoView {
    let locale = crate::lang::locale();
    view! {
        <RoleGate allowed=|v| v.has(Role::Donor) refused=td_string!(locale, claims.certificate.refused)>
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
    let locale = crate::lang::locale();
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td!(locale, claims.loading)}</p> }>
            {move || Suspend::new(async move {
                match certificate.await {
                    Ok(c) => {
                        let what = match (c.ask, c.amount) {
                            (_, Some(amount)) => td_string!(locale, claims.certificate.money, amount = amount).to_string(),
                            (Ask::Goods, _) => td_string!(locale, claims.certificate.goods).to_owned(),
                            (Ask::Service, _) => td_string!(locale, claims.certificate.service).to_owned(),
                            (Ask::Money { amount }, None) => td_string!(locale, claims.certificate.money, amount = amount).to_string(),
                        };
                        let city = crate::city::City::current();
                        view! {
                            <article class="panel certificate" data-testid="certificate">
                                <h1>{td!(locale, claims.certificate.title)}</h1>
                                <p class="meta">{td_string!(locale, claims.certificate.number, number = c.number.clone()).to_string()}</p>
                                <p class="certificate-body">
                                    {td_string!(locale, claims.certificate.body, donor = c.donor_name.clone(), brand = city.brand.clone(), window = city.label(c.window), title = c.title.clone(), place = c.place.clone(), what = what).to_string()}
                                </p>
                                <dl>
                                    <dt>{td!(locale, claims.certificate.claimed_at)}</dt><dd>{c.claimed_at.shanghai_text()}</dd>
                                    <dt>{td!(locale, claims.certificate.confirmed)}</dt><dd>{td_string!(locale, claims.certificate.confirmed_value, at = c.confirmed_at.shanghai_text(), by = if c.by_family { td_string!(locale, claims.certificate.by_family) } else { td_string!(locale, claims.certificate.by_volunteer) }).to_string()}</dd>
                                    <dt>{td!(locale, claims.certificate.need_page)}</dt><dd>{crate::share::page_url(&crate::share::need_path(c.need_id))}</dd>
                                </dl>
                                <p class="certificate-note" data-testid="not-a-receipt">
                                    {td!(locale, claims.certificate.not_a_receipt)}
                                </p>
                                <p class="print-hide"><a href="/my/claims">{td!(locale, claims.certificate.back)}</a></p>
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
