//! `/needs/{id}`: one need's public page, server-rendered (readable and claimable with
//! JavaScript off), kept live while open; its share card (Open Graph and WeChat meta, the
//! image and QR code the server draws) and `/needs/{id}/poster`, a page to print or
//! screenshot. A need in review or withdrawn is not found, for everyone.

use crate::components::need_card::ClaimDetails;
use crate::components::toast::ClaimToast;
use crate::domain::{Ask, Fen, LiveChange, Moment, NeedPage, NeedStatus, PublicNeed};
use crate::functions::claims::ClaimNeed;
use crate::functions::needs::get_need_page;
use crate::functions::notices::{get_watching, WatchNeed};
use crate::share::need_path;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

fn need_id_param() -> i64 {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse::<i64>().ok())
        .unwrap_or(0)
}

/// What a money need asks and has left, in words: `还需 ¥1,200.00（共 ¥3,000.00）`.
fn asked(need: &PublicNeed) -> String {
    let locale = crate::lang::locale();
    match (need.ask, need.remaining()) {
        (Ask::Money { amount }, Some(left)) if need.pledged_fen > 0 => td_string!(
            locale,
            board.card.still_needs,
            left = Fen::from_stored(left),
            amount = amount
        )
        .to_string(),
        (Ask::Money { amount }, _) => {
            td_string!(locale, need.asked_money, amount = amount).to_string()
        }
        (Ask::Goods, _) => td_string!(locale, need.asked_goods).into(),
        (Ask::Service, _) => td_string!(locale, need.asked_service).into(),
    }
}

/// The one-line description a share card carries.
fn share_text(need: &PublicNeed) -> String {
    let story: String = need.story.chars().take(60).collect();
    td_string!(
        crate::lang::locale(),
        need.share_text,
        window = crate::city::window_label(need.window),
        place = need.place(),
        asked = asked(need),
        story = story
    )
    .to_string()
}

#[component]
pub fn NeedPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let id = need_id_param();
    let page = Resource::new(|| (), move |_| get_need_page(id));
    let query = use_query_map();
    let open = query.read_untracked().get("open").is_some();
    let claimed_without_script = query.read_untracked().get("claimed").is_some();
    let donor = crate::components::session::signed_in_viewer()
        .map(|viewer| viewer.has(crate::people::Role::Donor));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(NeedPage { need, timeline, as_of }) => {
                        super::keep_offline();
                        let id = need.id;
                        let need_status = need.status;
                        let url = crate::share::page_url(&need_path(id));
                        let image = crate::share::page_url(&format!("{}/card.png", need_path(id)));
                        let city = crate::city::City::current();
                        let title = city.title(&need.title);
                        let description = share_text(&need);
                        // Paused on a report: its text is not shown while it is looked into.
                        let paused = need_status == NeedStatus::Paused;
                        let story = if paused {
                            td_string!(locale, need.paused_story).to_owned()
                        } else {
                            need.story.clone()
                        };
                        let report = (need_status != NeedStatus::Fulfilled).then(|| {
                            view! {
                                <a class="report-link" href=format!("{}/report", need_path(id)) data-testid="report-link">{td_string!(locale, board.card.report)}</a>
                            }
                        });
                        // Three parts, each erased: one view of them all is a type too deep to
                        // build.
                        let meta = view! {
                            <Title text=title.clone()/>
                            <Meta property="og:type" content="article"/>
                            <Meta property="og:title" content=title.clone()/>
                            <Meta property="og:description" content=description.clone()/>
                            <Meta property="og:url" content=url.clone()/>
                            <Meta property="og:image" content=image.clone()/>
                            <Meta property="og:site_name" content=city.brand.clone()/>
                            <Meta itemprop="name" content=title.clone()/>
                            <Meta itemprop="description" content=description/>
                            <Meta itemprop="image" content=image/>
                        }
                            .into_any();
                        let article = view! {
                            <article class="panel need-page" data-need-id=id.0>
                                <header class="need-head">
                                    <span class=format!("window window-{}", need.window.code())>{crate::city::window_label(need.window)}</span>
                                    <span class=format!("urgency urgency-{}", need.urgency.rank())>{need.urgency.label()}</span>
                                    <span class="place">{need.place()}</span>
                                </header>
                                <h1 class="need-title">{need.title.clone()}</h1>
                                <p class="need-story">{story}</p>
                                <LiveNeed locale need as_of donor open claimed_without_script url title/>
                                <p class="share-links">
                                    {(!paused).then(|| view! { <a href=format!("{}/poster", need_path(id))>{td_string!(locale, need.poster_link)}</a> " " })}
                                    {report}
                                </p>
                                <figure class="need-qr">
                                    <img src=format!("{}/qr.svg", need_path(id)) width="160" height="160" alt=td_string!(locale, need.qr_alt)/>
                                    <figcaption>{td_string!(locale, need.qr_caption)}</figcaption>
                                </figure>
                            </article>
                        }
                            .into_any();
                        let watch = (donor == Some(true) && need_status == NeedStatus::Claimed)
                            .then(|| view! { <WatchForm need_id=id.0/> }.into_any());
                        view! {
                            {meta}
                            {article}
                            {watch}
                            <section class="panel">
                                <h2>{td_string!(locale, need.progress)}</h2>
                                <Timeline timeline/>
                            </section>
                        }
                            .into_any()
                    }
                    Err(crate::error::AppError::NeedNotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "有人放弃时提醒我": a donor on a claimed need's page asks to hear when it comes back (a plain
/// form: it works without JavaScript), or stops asking.
#[component]
fn WatchForm(need_id: i64) -> impl IntoView {
    let locale = crate::lang::locale();
    let watch = ServerAction::<WatchNeed>::new();
    let watching = Resource::new(
        move || watch.version().get(),
        move |_| get_watching(need_id),
    );
    view! {
        <section class="panel watch" data-testid="watch">
            <crate::components::session::Outcome value=watch.value() done=td_string!(locale, need.watch.saved)/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let on = watching.await.unwrap_or(false);
                    view! {
                        <ActionForm action=watch attr:class="stack-form">
                            <input type="hidden" name="need_id" value=need_id/>
                            {(!on).then(|| view! { <input type="hidden" name="watch" value="1"/> })}
                            <p class="hint">
                                {if on {
                                    td_string!(locale, need.watch.on_hint)
                                } else {
                                    td_string!(locale, need.watch.off_hint)
                                }}
                            </p>
                            <button type="submit" class=if on { "btn-secondary" } else { "btn-primary" }>
                                {if on { td_string!(locale, need.watch.stop) } else { td_string!(locale, need.watch.start) }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What changes while the page is open: the need's status and what is left, its claim form
/// and the share button, changed live by the board's events for this need. An island (the
/// rest of the page is server HTML).
#[island]
fn LiveNeed(
    /// The page's language (the browser has no request to read it from).
    locale: crate::lang::Locale,
    need: PublicNeed,
    /// The event the page was rendered at: changes after it are streamed.
    as_of: crate::domain::EventId,
    /// `None` when nobody is signed in; whether the signed-in person may claim.
    donor: Option<bool>,
    open: bool,
    claimed_without_script: bool,
    /// The page's absolute address and title, as shared.
    url: String,
    title: String,
) -> impl IntoView {
    crate::lang::provide_locale(locale);
    let claim = ServerAction::<ClaimNeed>::new();
    let id = need.id;
    let need = RwSignal::new(need);
    // Withdrawn for editing while this page is open: it is back in review.
    let withdrawn = RwSignal::new(false);
    let apply = move |change: LiveChange| {
        if change.need_id() != Some(id) {
            return;
        }
        match change {
            LiveChange::NeedClaimed { .. } => need.update(|n| n.status = NeedStatus::Claimed),
            LiveChange::NeedFulfilled { .. } => need.update(|n| n.status = NeedStatus::Fulfilled),
            LiveChange::NeedWithdrawn { .. } => withdrawn.set(true),
            LiveChange::NeedChanged { need: changed }
            | LiveChange::NeedPublished { need: changed } => {
                withdrawn.set(false);
                need.set(changed);
            }
            _ => {}
        }
    };
    // This donor's own successful claim: what is left changes at once (the event follows).
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = claim.value().get() {
            need.update(|n| match (n.remaining(), receipt.amount) {
                (Some(left), Some(part)) if part.get() < left => n.pledged_fen += part.get(),
                _ => n.status = NeedStatus::Claimed,
            });
        }
    });
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        crate::live::client::follow(
            as_of,
            apply,
            || {
                let _ = window().location().reload();
            },
            live,
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (apply, as_of);
    let status = move || {
        if withdrawn.get() {
            return ("withdrawn", td_string!(locale, need.status.withdrawn));
        }
        match need.with(|n| n.status) {
            NeedStatus::Paused => ("paused", td_string!(locale, need.status.paused)),
            NeedStatus::Claimed => ("claimed", td_string!(locale, need.status.claimed)),
            NeedStatus::Fulfilled => ("fulfilled", td_string!(locale, need.status.fulfilled)),
            _ => ("open", td_string!(locale, need.status.open)),
        }
    };
    let is_open = move || status().0 == "open";
    view! {
        <div class="need-live" data-status=move || status().0 data-live=move || if live.get() { "on" } else { "off" }>
            <p class=move || format!("need-status status-{}", status().0) role="status" aria-live="polite" data-testid="need-status">
                {move || status().1}
            </p>
            <p class="need-ask"><strong class="amount" data-testid="need-asked">{move || need.with(asked)}</strong></p>
            <Show when=is_open>
                {move || {
                    let n = need.get();
                    let left_yuan = n.remaining().map(|left| Fen::from_stored(left).to_string()).unwrap_or_default();
                    view! {
                        <ClaimDetails
                            need_id=id
                            is_money=matches!(n.ask, Ask::Money { .. })
                            left_yuan
                            claim
                            donor
                            open
                            on_page=true
                        />
                    }
                }}
            </Show>
            <ShareButton url title/>
            <ClaimToast claim claimed_without_script=claimed_without_script.then_some(id.0)/>
        </div>
    }
}

#[component]
fn Timeline(timeline: Vec<Moment>) -> impl IntoView {
    view! {
        <ol class="timeline" data-testid="timeline">
            {timeline
                .into_iter()
                .map(|moment| {
                    view! {
                        <li data-kind=moment.what.code()>
                            <time datetime=moment.at.0.to_string()>{moment.at.shanghai_text()}</time>
                            " "
                            <span>{moment.what.text()}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// Shares the page: the phone's own share sheet where the browser has one (Web Share API),
/// else the address copied to the clipboard; without JavaScript the address is there to copy.
#[component]
fn ShareButton(url: String, title: String) -> impl IntoView {
    let locale = crate::lang::locale();
    let copied = RwSignal::new(false);
    let share_url = url.clone();
    let share = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let navigator = window().navigator();
            let data = web_sys::ShareData::new();
            data.set_title(&title);
            data.set_url(&share_url);
            if has(&navigator, "share", true) {
                let _ = navigator.share_with_data(&data);
            } else if has(&navigator, "clipboard", false) {
                let _ = navigator.clipboard().write_text(&share_url);
                copied.set(true);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&title, &share_url);
    };
    view! {
        <div class="share">
            <button type="button" class="btn-secondary" data-testid="share" on:click=share>
                {td_string!(locale, need.share.button)}
            </button>
            <span role="status" aria-live="polite" data-testid="share-outcome">
                {move || copied.get().then_some(td_string!(locale, need.share.copied))}
            </span>
            <label class="share-url">
                {td_string!(locale, need.share.url_label)}
                <input type="text" readonly value=url/>
            </label>
        </div>
    }
}

/// Whether the browser's navigator has `name`, a method (`method`) or an object: the Web Share
/// API is missing on many desktops and some in-app browsers, the clipboard outside secure pages.
#[cfg(feature = "hydrate")]
fn has(navigator: &web_sys::Navigator, name: &str, method: bool) -> bool {
    use leptos::wasm_bindgen::JsValue;
    leptos::web_sys::js_sys::Reflect::get(navigator, &JsValue::from_str(name)).is_ok_and(|value| {
        if method {
            value.is_function()
        } else {
            value.is_object()
        }
    })
}

/// `/needs/{id}/poster`: the need and its QR code, for a volunteer to print or screenshot.
#[component]
pub fn PosterPage() -> impl IntoView {
    let locale = crate::lang::locale();
    let id = need_id_param();
    let page = Resource::new(|| (), move |_| get_need_page(id));
    view! {
        <Suspense fallback=move || view! { <p class="loading">{td_string!(locale, common.loading)}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    // A need paused on a report has no poster while it is looked into.
                    Ok(NeedPage { need, .. }) if need.status != NeedStatus::Paused => {
                        let url = crate::share::page_url(&need_path(need.id));
                        let city = crate::city::City::current();
                        view! {
                            <Title text=td_string!(locale, need.poster.title, title = need.title.clone()).to_string()/>
                            <article class="poster" data-testid="poster">
                                <p class="poster-brand">{city.full_brand()}</p>
                                <p><span class=format!("window window-{}", need.window.code())>{crate::city::window_label(need.window)}</span> " " {need.place()}</p>
                                <h1>{need.title.clone()}</h1>
                                <p class="poster-story">{need.story.clone()}</p>
                                <p class="poster-ask">{asked(&need)}</p>
                                <img class="poster-qr" src=format!("{}/qr.svg", need_path(need.id)) width="240" height="240" alt=td_string!(locale, need.qr_alt)/>
                                <p class="poster-url">{td_string!(locale, need.poster.scan)} {url}</p>
                                <p class="poster-note">{td_string!(locale, need.poster.note)}</p>
                            </article>
                        }
                            .into_any()
                    }
                    Ok(_) | Err(crate::error::AppError::NeedNotFound) => view! { <super::NotFound/> }.into_any(),
                    Err(error) => view! { <p class="form-error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
