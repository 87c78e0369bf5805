//! Live fan-out, on the server. One pump per server instance reads new rows of the event log,
//! in id order, and broadcasts each to every open stream. A transaction that logged an event
//! wakes the pump when it commits ([`crate::db::Tx::commit`]); the table is the truth, so a
//! missed wake-up delays an event, never loses it.

use super::protocol;
use crate::db::{events, notices, Backend, Db};
use crate::domain::EventId;
use crate::error::AppError;
use axum::body::Bytes;
use futures::Stream;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, Notify};

/// How many events a reconnecting client may be behind before it is told to reload instead.
/// A replay is held in memory until the client reads it (about 3.5 KB an event at most), so
/// this bounds each stream's replay at about 1 MB.
pub const MAX_REPLAY: i64 = 256;
/// Events the broadcast holds for slow streams before they are told to resync.
const BROADCAST_CAPACITY: usize = 4096;
const PUMP_BATCH: i64 = 512;

/// One event as every stream sends it: its log id and its Server-Sent Events encoding,
/// `event: change` / `id:` / `data:` (the JSON of its change), made once and shared by all
/// streams (cloning `Bytes` copies nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveFrame {
    pub id: EventId,
    pub sse: Bytes,
}

impl LiveFrame {
    fn encode(id: EventId, payload: &str) -> LiveFrame {
        LiveFrame {
            id,
            sse: Bytes::from(protocol::change_frame(id, payload)),
        }
    }
}

/// What a stream sends: a change, "your view is stale, reload the board", or a keep-alive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiveMessage {
    Change(LiveFrame),
    Resync,
    KeepAlive,
}

/// What the hub broadcasts to every stream of this instance. Keep-alives come from one timer
/// for all streams, not one timer per stream.
#[derive(Clone, Debug)]
enum Broadcast {
    Frame(LiveFrame),
    KeepAlive,
}

/// How the hub runs.
#[derive(Clone, Debug)]
pub struct LiveSettings {
    /// How often the pump reads the log without being woken (the safety net).
    pub poll: Duration,
    /// How often every stream gets a keep-alive comment, so proxies keep it open.
    pub heartbeat: Duration,
    /// On PostgreSQL, the URL for this instance's one LISTEN connection.
    pub listen_url: Option<String>,
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Broadcast>,
    db: Db,
    /// The last log id the pump broadcast (for `/metrics`; the open streams are counted by
    /// the server's stream slots).
    pumped: Arc<AtomicI64>,
}

impl LiveHub {
    /// Starts the pump from the current end of the log. It reads the log when woken and every
    /// `poll` regardless (the safety net for writes it was not told of). On PostgreSQL,
    /// `listen_url` opens the one LISTEN connection of this instance, so changes made through
    /// other instances wake it at once. One timer sends every stream its keep-alive.
    pub async fn start(db: Db, settings: LiveSettings) -> Result<LiveHub, AppError> {
        let LiveSettings {
            poll,
            heartbeat,
            listen_url,
        } = settings;
        let (sender, _) = broadcast::channel(BROADCAST_CAPACITY);
        let hub = LiveHub {
            sender,
            db,
            pumped: Arc::default(),
        };
        let from = events::latest(&hub.db).await?;
        hub.pumped.store(from.0, Ordering::Relaxed);
        tokio::spawn(hub.clone().pump(from, poll));
        if let (Backend::Postgres, Some(url)) = (hub.db.backend, listen_url) {
            let notices = Arc::clone(&hub.db.notices);
            tokio::spawn(listen(url, Arc::clone(&hub.db.committed), notices));
        }
        let sender = hub.sender.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(heartbeat);
            ticks.tick().await; // the first tick is immediate
            loop {
                ticks.tick().await;
                let _ = sender.send(Broadcast::KeepAlive);
            }
        });
        Ok(hub)
    }

    async fn pump(self, mut last: EventId, poll: Duration) {
        loop {
            tokio::select! {
                _ = self.db.committed.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
            // A failed read is logged by the error conversion; the next tick tries again.
            while let Ok(batch) = events::after(&self.db, last, PUMP_BATCH).await {
                let full = batch.len() as i64 == PUMP_BATCH;
                for event in batch {
                    last = event.id;
                    // No receivers is fine: nobody is watching right now.
                    let frame = LiveFrame::encode(event.id, &event.payload);
                    // Before the send: a stream that has an event sees no lag behind it.
                    self.pumped.store(last.0, Ordering::Relaxed);
                    let _ = self.sender.send(Broadcast::Frame(frame));
                }
                if !full {
                    break;
                }
            }
        }
    }

    /// A stream of everything after `after` (replayed from the log), then live changes.
    /// Without a cursor the stream starts now. A cursor that is too far behind, or ahead of the
    /// log (a reset database), gets a resync first.
    pub async fn subscribe(
        &self,
        after: Option<EventId>,
    ) -> Result<impl Stream<Item = LiveMessage> + Send + 'static, AppError> {
        // Subscribe before reading the backlog: anything committed meanwhile arrives on the
        // receiver and is skipped there if the backlog already had it.
        let receiver = self.sender.subscribe();
        let latest = events::latest(&self.db).await?;
        let mut first = Vec::new();
        let mut last = latest;
        if let Some(after) = after {
            // Ids only grow, so more than MAX_REPLAY ids behind is more than MAX_REPLAY events
            // behind: told to reload without reading the log at all. A replay reads at most
            // MAX_REPLAY + 1 rows.
            if after > latest || latest.0 - after.0 > MAX_REPLAY {
                first.push(LiveMessage::Resync);
            } else {
                let backlog = events::after(&self.db, after, MAX_REPLAY + 1).await?;
                if backlog.len() as i64 > MAX_REPLAY {
                    first.push(LiveMessage::Resync);
                } else {
                    last = after;
                    for event in backlog {
                        last = event.id;
                        first.push(LiveMessage::Change(LiveFrame::encode(
                            event.id,
                            &event.payload,
                        )));
                    }
                }
            }
        }
        let live =
            futures::stream::unfold((receiver, last), |(mut receiver, mut last)| async move {
                loop {
                    match receiver.recv().await {
                        Ok(Broadcast::KeepAlive) => {
                            return Some((LiveMessage::KeepAlive, (receiver, last)));
                        }
                        Ok(Broadcast::Frame(frame)) if frame.id <= last => continue,
                        Ok(Broadcast::Frame(frame)) => {
                            last = frame.id;
                            return Some((LiveMessage::Change(frame), (receiver, last)));
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            return Some((LiveMessage::Resync, (receiver, last)));
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    }
                }
            });
        Ok(futures::StreamExt::chain(
            futures::stream::iter(first),
            live,
        ))
    }
}

impl LiveHub {
    /// How many events of the log the pump has not broadcast yet: about 0 when it keeps up.
    pub async fn lag(&self) -> Result<i64, AppError> {
        let latest = events::latest(&self.db).await?;
        Ok((latest.0 - self.pumped.load(Ordering::Relaxed)).max(0))
    }
}

/// Holds this instance's one LISTEN connection and turns each notification into a wake-up.
/// Whenever the connection is (re)established the pump is woken too, to catch up on anything
/// committed while nobody was listening.
/// The same connection carries "user N has a new notice" ([`notices::NOTIFY_CHANNEL`]) to this
/// instance's open inbox streams.
async fn listen(url: String, wake: Arc<Notify>, notices: Arc<notices::Wiring>) {
    use sqlx::postgres::PgListener;
    let channels = [events::NOTIFY_CHANNEL, notices::NOTIFY_CHANNEL];
    loop {
        let listener = match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen_all(channels).await {
                Ok(()) => Some(listener),
                Err(error) => {
                    tracing::warn!(%error, "LISTEN failed");
                    None
                }
            },
            Err(error) => {
                tracing::warn!(%error, "could not open the LISTEN connection");
                None
            }
        };
        let Some(mut listener) = listener else {
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        };
        wake.notify_one();
        // Rings sent while nobody listened are lost: every open inbox counts again.
        notices.ring_everyone();
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) if notification.channel() == notices::NOTIFY_CHANNEL => {
                    if let Ok(user) = notification.payload().parse::<i64>() {
                        notices.ring(user);
                    }
                }
                Ok(Some(_)) => wake.notify_one(),
                // The connection dropped; the next call reconnects and listens again.
                Ok(None) => {
                    tracing::warn!("LISTEN connection lost; reconnecting");
                    wake.notify_one();
                }
                Err(error) => {
                    tracing::warn!(%error, "LISTEN connection failed");
                    break;
                }
            }
        }
    }
}
