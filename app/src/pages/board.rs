//! `/`: the public board of open needs, filterable by window and town. Rendered whole on the
//! server (it reads with JavaScript off), then kept live in the browser.

use crate::components::filter_bar::{board_href, FilterBar};
use crate::components::need_card::NeedCard;
use crate::components::toast::ClaimToast;
use crate::domain::{Board, BoardFilter, LiveChange, NeedId, PublicNeed};
use crate::functions::claims::ClaimNeed;
use leptos::prelude::*;
use leptos_i18n::td_string;
use leptos_router::hooks::use_query_map;

#[component]
pub fn BoardPage() -> impl IntoView {
    let locale = crate::lang::locale();
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
            super::keep_offline();
            let towns = board.towns.clone();
            let for_you = (donor == Some(true)).then(|| view! {
                <p class="for-you-link"><a href="/for-you">{td_string!(locale, board.for_you)}</a>" · "<a href="/my/interests">{td_string!(locale, board.my_interests)}</a></p>
            });
            view! {
                <h1 class="visually-hidden">{td_string!(locale, board.heading)}</h1>
                {for_you}
                <FilterBar filter=filter.clone() towns/>
                <LiveBoard locale board filter donor open claimed_without_script window_names=crate::city::City::current().window_names()/>
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
    /// The page's language (the browser has no request to read it from).
    locale: crate::lang::Locale,
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
    crate::lang::provide_locale(locale);
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
    // What the last live change did to this board, in words, for screen readers (a
    // visually hidden live region: sighted readers see the cards come and go).
    let announcement = RwSignal::new(String::new());
    let announce = move |text: &str| announcement.set(text.to_owned());
    let filter_for_leaving = filter.clone();
    // A need leaving the board (claimed or withdrawn): whether it was on this board.
    let leave = move |need_id: NeedId, window, town: &str| {
        let listed = needs.with_untracked(|list| list.iter().any(|need| need.id == need_id));
        remove(need_id);
        let counted = filter_for_leaving.admits_place(window, town);
        if counted {
            total.update(|t| *t = (*t - 1).max(0));
        }
        listed || counted
    };
    let apply = move |change: LiveChange| match change {
        LiveChange::NeedClaimed {
            need_id,
            window,
            town,
        } => {
            if leave(need_id, window, &town) {
                announce(td_string!(locale, board.announce.claimed));
            }
        }
        LiveChange::NeedWithdrawn {
            need_id,
            window,
            town,
        } => {
            if leave(need_id, window, &town) {
                announce(td_string!(locale, board.announce.withdrawn));
            }
        }
        // Still on the board, with less left to pledge: shown as it is now, wherever it is.
        LiveChange::NeedChanged { need } => {
            let mut listed_here = false;
            needs.update(|list| {
                if let Some(listed) = list.iter_mut().find(|listed| listed.id == need.id) {
                    *listed = need;
                    listed_here = true;
                }
            });
            if listed_here {
                announce(td_string!(locale, board.announce.changed));
            }
        }
        // Already off every board since it was claimed.
        LiveChange::NeedFulfilled { need_id, .. } => remove(need_id),
        LiveChange::NeedPublished { need } => {
            if filter_for_live.admits(&need) {
                total.update(|t| *t += 1);
                needs.update(|list| insert_in_board_order(list, need));
                announce(td_string!(locale, board.announce.published));
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
    // The connection, said plainly: lost (the board shows the last update while the browser
    // reconnects by itself; on reconnecting the stream replays what was missed, or the page
    // reloads when too far behind), then back for a few seconds. Nothing is said until the feed
    // first reports (the server's rendering knows nothing of the connection).
    let connection = RwSignal::new(Connection::Unknown);
    Effect::new(move |seen: Option<bool>| {
        let now = live.get();
        match (seen, now) {
            // The first run: the server's rendering, before any connection.
            (None, _) => {}
            (Some(_), true) => connection.update(|c| {
                if *c == Connection::Lost {
                    *c = Connection::Back;
                }
            }),
            (Some(_), false) => connection.set(Connection::Lost),
        }
        now
    });
    Effect::new(move |_| {
        if connection.get() == Connection::Back {
            set_timeout(
                move || {
                    if connection.get_untracked() == Connection::Back {
                        connection.set(Connection::Unknown);
                    }
                },
                std::time::Duration::from_secs(5),
            );
        }
    });
    let connection_text = move || match connection.get() {
        Connection::Lost => Some(td_string!(locale, board.offline)),
        Connection::Back => Some(td_string!(locale, board.back_online)),
        Connection::Unknown => None,
    };

    let count = move || needs.with(Vec::len);
    let more_href = board_href(filter.window, filter.town.as_deref(), filter.pages() + 1);
    let can_show_more = filter.pages() < BoardFilter::MAX_PAGES;
    let unlisted = move || total.get() - count() as i64;
    let show_more = move || can_show_more && unlisted() > 0;
    view! {
        <p class="offline-notice" role="status" data-testid="connection"
            data-connection=move || connection.get().code()>
            {connection_text}
        </p>
        <p class="board-count" data-live=move || if live.get() { "on" } else { "off" }>
            <span aria-live="polite">{move || td_string!(locale, board.waiting, n = total.get()).to_string()}</span>
            <span class="live-dot" title=td_string!(locale, board.live_title)>
                {move || if live.get() { td_string!(locale, board.live_on) } else { "" }}
            </span>
        </p>
        <p class="visually-hidden" aria-live="polite" role="status" data-testid="board-changes">
            {move || announcement.get()}
        </p>
        <ul class="needs" data-testid="needs">
            // Keyed by what is pledged too: a card whose need changed is drawn anew.
            <For each=move || needs.get() key=|need| (need.id, need.pledged_fen) let:need>
                <NeedCard open=open == Some(need.id.0) need claim donor/>
            </For>
        </ul>
        <Show when=move || count() == 0>
            <p class="empty">{td_string!(locale, board.empty)}</p>
        </Show>
        <Show when=show_more>
            <p class="more">
                <a class="btn-secondary" href=more_href.clone()>
                    {move || {
                        td_string!(
                            locale,
                            board.show_more,
                            more = BoardFilter::PAGE_SIZE.min(unlisted()),
                            left = unlisted(),
                        )
                        .to_string()
                    }}
                </a>
            </p>
        </Show>
        <ClaimToast claim claimed_without_script/>
    }
}

/// The live connection as the board tells it: nothing to say yet, lost, or just back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Connection {
    Unknown,
    Lost,
    Back,
}

impl Connection {
    fn code(self) -> &'static str {
        match self {
            Connection::Unknown => "",
            Connection::Lost => "lost",
            Connection::Back => "back",
        }
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
