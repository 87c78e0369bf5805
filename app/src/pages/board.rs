//! `/`: the public board of open needs, filterable by window and town. Rendered whole on the
//! server (it reads with JavaScript off), then kept live in the browser.

use crate::components::filter_bar::{board_href, FilterBar};
use crate::components::need_card::NeedCard;
use crate::components::toast::ClaimToast;
use crate::domain::{Board, BoardFilter, LiveChange, NeedId, PublicNeed};
use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BoardPage() -> impl IntoView {
    let query = use_query_map();
    let number = move |key: &str| {
        query
            .read_untracked()
            .get(key)
            .and_then(|id| id.parse::<i64>().ok())
    };
    // `?claimed=ID`: a claim just made without JavaScript; `?open=ID`: the need a donor was
    // about to claim before signing in, opened for them.
    let (claimed_without_script, open) = (number("claimed"), number("open"));
    // `None` when nobody is signed in; whether the signed-in person may claim.
    let donor = crate::components::session::signed_in_viewer()
        .map(|viewer| viewer.has(crate::people::Role::Donor));
    // The server loaded the board before rendering (no resource, no <Suspense>: a resource in
    // a <Suspense> let a small share of board pages stall under load). Pages are rendered on
    // the server only; the island below is what the browser takes over.
    #[cfg(feature = "ssr")]
    let Some(crate::functions::needs::LoadedBoard(filter, board)) =
        crate::functions::needs::loaded_board()
    else {
        // Only `GET /` (and `HEAD /`) loads the board. The router still comes here for
        // another spelling of that path (`/credit/%2e%2e/`), which the server answers as not
        // found: so does the page.
        return view! { <super::NotFound/> }.into_any();
    };
    #[cfg(feature = "ssr")]
    let loaded = (filter, board);
    #[cfg(not(feature = "ssr"))]
    let loaded: (BoardFilter, Result<Board, crate::error::AppError>) = (
        BoardFilter::default(),
        Err(crate::error::AppError::Internal),
    );
    match loaded {
        (filter, Ok(board)) => {
            let towns = board.towns.clone();
            let for_you = (donor == Some(true)).then(|| view! {
                <p class="for-you-link"><a href="/for-you">"为你推荐"</a>" · "<a href="/my/interests">"我的帮扶意向"</a></p>
            });
            view! {
                {for_you}
                <FilterBar filter=filter.clone() towns/>
                <LiveBoard board filter donor open claimed_without_script window_names=crate::city::City::current().window_names()/>
            }
            .into_any()
        }
        (_, Err(error)) => {
            view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any()
        }
    }
}

/// The board as loaded, then changed by live events and by this donor's own claims. An
/// island: the part of the page the browser takes over.
#[island]
fn LiveBoard(
    board: Board,
    filter: BoardFilter,
    /// `None` when nobody is signed in; whether the signed-in person may claim.
    donor: Option<bool>,
    open: Option<i64>,
    claimed_without_script: Option<i64>,
    /// The city's window names in `Window::ALL`'s order, for the cards drawn in the browser
    /// (names only: the whole `City`'s decoder cost the client more).
    window_names: Vec<String>,
) -> impl IntoView {
    provide_context(crate::city::City::default().with_window_names(window_names));
    let claim = ServerAction::<ClaimNeed>::new();
    let Board {
        needs,
        total,
        as_of,
        ..
    } = board;
    let needs = RwSignal::new(needs);
    // Open needs matching the filter, listed or not.
    let total = RwSignal::new(total);
    let remove = move |id: NeedId| needs.update(|list| list.retain(|need| need.id != id));
    let filter_for_live = filter.clone();
    let apply = move |change: LiveChange| match change {
        LiveChange::NeedClaimed {
            need_id,
            window,
            town,
        }
        | LiveChange::NeedWithdrawn {
            need_id,
            window,
            town,
        } => {
            remove(need_id);
            if filter_for_live.admits_place(window, &town) {
                total.update(|t| *t = (*t - 1).max(0));
            }
        }
        // Still on the board, with less left to pledge: shown as it is now, wherever it is.
        LiveChange::NeedChanged { need } => {
            needs.update(|list| {
                if let Some(listed) = list.iter_mut().find(|listed| listed.id == need.id) {
                    *listed = need;
                }
            });
        }
        // Already off every board since it was claimed.
        LiveChange::NeedFulfilled { need_id, .. } => remove(need_id),
        LiveChange::NeedPublished { need } => {
            if filter_for_live.admits(&need) {
                total.update(|t| *t += 1);
                needs.update(|list| insert_in_board_order(list, need));
            }
        }
        // Service offers have their own page.
        LiveChange::OfferPublished { .. }
        | LiveChange::SlotChanged { .. }
        | LiveChange::OfferClosed { .. } => {}
    };

    // This donor's successful claim leaves the board at once; the live event confirms it
    // (and corrects the count).
    Effect::new(move |_| {
        if let Some(Ok(receipt)) = claim.value().get() {
            // A pledge of part of a money need leaves it on the board (the live event shows
            // what is left); anything else takes it off.
            let partly = needs.with_untracked(|list| {
                list.iter().any(|need| {
                    need.id == receipt.need_id
                        && matches!((need.remaining(), receipt.amount), (Some(left), Some(part)) if part.get() < left)
                })
            });
            if !partly {
                remove(receipt.need_id);
            }
        }
    });

    // Whether this board is receiving live changes (shown, and waited on by the tests).
    let live = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        // Too far behind to catch up event by event: load the page afresh.
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

    let count = move || needs.with(Vec::len);
    let more_href = board_href(filter.window, filter.town.as_deref(), filter.pages() + 1);
    let can_show_more = filter.pages() < BoardFilter::MAX_PAGES;
    let unlisted = move || total.get() - count() as i64;
    let show_more = move || can_show_more && unlisted() > 0;
    view! {
        <p class="board-count" data-live=move || if live.get() { "on" } else { "off" }>
            <span aria-live="polite">{move || format!("{} 条需求等待认领", total.get())}</span>
            <span class="live-dot" title="认领后即时从所有页面下架">
                {move || if live.get() { "实时更新中" } else { "" }}
            </span>
        </p>
        <ul class="needs" data-testid="needs">
            // Keyed by what is pledged too: a card whose need changed is drawn anew.
            <For each=move || needs.get() key=|need| (need.id, need.pledged_fen) let:need>
                <NeedCard open=open == Some(need.id.0) need claim donor/>
            </For>
        </ul>
        <Show when=move || count() == 0>
            <p class="empty">"这里的需求都已被认领，谢谢每一位爱心人士。"</p>
        </Show>
        <Show when=show_more>
            <p class="more">
                <a class="btn-secondary" href=more_href.clone()>
                    {move || {
                        format!(
                            "再显示 {} 条（还有 {} 条）",
                            BoardFilter::PAGE_SIZE.min(unlisted()),
                            unlisted(),
                        )
                    }}
                </a>
            </p>
        </Show>
        <ClaimToast claim claimed_without_script/>
    }
}

/// Inserts or replaces `need`, keeping the board's order.
fn insert_in_board_order(list: &mut Vec<PublicNeed>, need: PublicNeed) {
    list.retain(|existing| existing.id != need.id);
    let at = list
        .binary_search_by(|probe| PublicNeed::board_order(probe, &need))
        .unwrap_or_else(|at| at);
    list.insert(at, need);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Ask, NeedStatus, Urgency, UtcMillis, Window};

    fn need(id: i64, urgency: Urgency, created: i64) -> PublicNeed {
        PublicNeed {
            id: NeedId(id),
            window: Window::Home,
            title: format!("需求{id}"),
            story: String::new(),
            town: "界牌镇".into(),
            village: "界牌村".into(),
            ask: Ask::Goods,
            urgency,
            status: NeedStatus::Published,
            created_at: UtcMillis(created),
            updated_at: UtcMillis(created),
            pledged_fen: 0,
        }
    }

    #[test]
    fn a_live_need_lands_in_board_order_and_replaces_an_older_copy() {
        let mut board = vec![
            need(1, Urgency::Urgent, 10),
            need(2, Urgency::Soon, 30),
            need(3, Urgency::Normal, 40),
        ];
        insert_in_board_order(&mut board, need(4, Urgency::Soon, 50));
        insert_in_board_order(&mut board, need(5, Urgency::Urgent, 5));
        let ids: Vec<i64> = board.iter().map(|n| n.id.0).collect();
        assert_eq!(ids, [1, 5, 4, 2, 3]);
        // The same need again (a replayed event) is not listed twice.
        insert_in_board_order(&mut board, need(4, Urgency::Soon, 50));
        assert_eq!(board.len(), 5);
    }
}
