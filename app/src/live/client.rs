//! The browser side of the live board: an EventSource on `/api/events`, started after the
//! event the board was rendered at. The browser reconnects by itself (sending Last-Event-ID);
//! if the source closes for good (a proxy error, say) a new one is opened from the last event
//! applied. Dropping the feed closes it.

use super::protocol;
use crate::domain::{EventId, LiveChange};
use futures::StreamExt;
use gloo_net::eventsource::futures::EventSource;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

const REOPEN_AFTER: Duration = Duration::from_secs(2);

struct Feed {
    last: Cell<i64>,
    generation: Cell<u64>,
    stopped: Cell<bool>,
    source: RefCell<Option<EventSource>>,
    on_change: Box<dyn Fn(LiveChange)>,
    on_resync: Box<dyn Fn()>,
    on_connected: Box<dyn Fn(bool)>,
}

pub struct LiveFeed(Rc<Feed>);

impl LiveFeed {
    pub fn open(
        after: EventId,
        on_change: impl Fn(LiveChange) + 'static,
        on_resync: impl Fn() + 'static,
        on_connected: impl Fn(bool) + 'static,
    ) -> LiveFeed {
        let feed = Rc::new(Feed {
            last: Cell::new(after.0),
            generation: Cell::new(0),
            stopped: Cell::new(false),
            source: RefCell::new(None),
            on_change: Box::new(on_change),
            on_resync: Box::new(on_resync),
            on_connected: Box::new(on_connected),
        });
        connect(&feed);
        LiveFeed(feed)
    }
}

/// Follows the live stream for as long as the calling island lives: `on_change` for each change
/// after `after`, `on_resync` when too far behind to catch up, `live` true while connected.
/// The board, a need's page and the impact figures all follow it this way.
pub fn follow(
    after: EventId,
    on_change: impl Fn(LiveChange) + Clone + 'static,
    on_resync: impl Fn() + Clone + 'static,
    live: leptos::prelude::RwSignal<bool>,
) {
    use leptos::prelude::*;
    let feed = StoredValue::new_local(None::<LiveFeed>);
    Effect::new(move |_| {
        feed.set_value(Some(LiveFeed::open(
            after,
            on_change.clone(),
            on_resync.clone(),
            move |connected| live.set(connected),
        )));
    });
    // The phone knows before the socket does: in a lift the connection can hang half-open for
    // minutes. Offline, the board says so at once; back online, it reconnects at once (from the
    // last change it applied) instead of waiting for the browser's retry.
    let offline = window_event_listener(leptos::ev::offline, move |_| {
        feed.with_value(|feed| {
            if let Some(LiveFeed(feed)) = feed {
                pause(feed);
            }
        });
    });
    let online = window_event_listener(leptos::ev::online, move |_| {
        feed.with_value(|feed| {
            if let Some(LiveFeed(feed)) = feed {
                pause(feed);
                connect(feed);
            }
        });
    });
    on_cleanup(move || {
        offline.remove();
        online.remove();
        feed.set_value(None);
    });
}

/// Closes the source (its task stops: the generation moves on) and says the feed is down.
fn pause(feed: &Rc<Feed>) {
    feed.generation.set(feed.generation.get() + 1);
    if let Some(source) = feed.source.borrow_mut().take() {
        source.close();
    }
    (feed.on_connected)(false);
}

impl Drop for LiveFeed {
    fn drop(&mut self) {
        self.0.stopped.set(true);
        if let Some(source) = self.0.source.borrow_mut().take() {
            source.close();
        }
    }
}

fn connect(feed: &Rc<Feed>) {
    if feed.stopped.get() {
        return;
    }
    let generation = feed.generation.get() + 1;
    feed.generation.set(generation);
    let url = protocol::url_after(EventId(feed.last.get()));
    let subscribed = EventSource::new(&url).and_then(|mut source| {
        let opened = source.subscribe(protocol::HELLO)?;
        let changes = source.subscribe(protocol::CHANGE)?;
        let resyncs = source.subscribe(protocol::RESYNC)?;
        // Every `error` event, including those while the browser retries on its own (which
        // gloo's streams do not report): the board is not live until `live` comes again.
        let errors = source.subscribe("error")?;
        Ok((source, [opened, changes, resyncs, errors]))
    });
    let Ok((source, subscriptions)) = subscribed else {
        reopen_later(feed, generation);
        return;
    };
    *feed.source.borrow_mut() = Some(source);
    let feed = Rc::clone(feed);
    leptos::task::spawn_local(async move {
        let mut messages = futures::stream::select_all(subscriptions);
        while let Some(message) = messages.next().await {
            if feed.stopped.get() || feed.generation.get() != generation {
                return;
            }
            match message {
                Ok((kind, event)) if kind == protocol::CHANGE => {
                    let id: i64 = event.last_event_id().parse().unwrap_or(0);
                    if id <= feed.last.get() {
                        continue;
                    }
                    feed.last.set(id);
                    let Some(data) = event.data().as_string() else {
                        continue;
                    };
                    if let Ok(change) = serde_json::from_str::<LiveChange>(&data) {
                        (feed.on_change)(change);
                    }
                }
                Ok((kind, _)) if kind == protocol::HELLO => (feed.on_connected)(true),
                Ok((kind, _)) if kind == "error" => (feed.on_connected)(false),
                Ok(_) => (feed.on_resync)(),
                // gloo reports an error only once the source has closed for good.
                Err(_) => {
                    (feed.on_connected)(false);
                    reopen_later(&feed, generation);
                    return;
                }
            }
        }
    });
}

fn reopen_later(feed: &Rc<Feed>, generation: u64) {
    if let Some(source) = feed.source.borrow_mut().take() {
        source.close();
    }
    let feed = Rc::clone(feed);
    leptos::prelude::set_timeout(
        move || {
            if feed.generation.get() == generation {
                connect(&feed);
            }
        },
        REOPEN_AFTER,
    );
}
