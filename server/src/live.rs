//! `GET /api/events`: the live event stream (Server-Sent Events, spelled as
//! [`wanshan_app::live::protocol`] says).
//!
//! A browser that reconnects sends `Last-Event-ID` and gets exactly what it missed; a client
//! too far behind gets a resync and reloads its board. Keep-alives come from one timer in the
//! hub for all streams; the response is never compressed or buffered.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;
use wanshan_app::db::notices;
use wanshan_app::domain::EventId;
use wanshan_app::error::AppError;
use wanshan_app::functions::ClientAddr;
use wanshan_app::lang::Locale;
use wanshan_app::live::{protocol, LiveMessage};
use wanshan_app::pages::admin::server_texts;

#[derive(Deserialize)]
pub struct StreamQuery {
    after: Option<String>,
}

fn parse_cursor(text: &str, locale: Locale) -> Result<EventId, AppError> {
    protocol::parse_cursor(text)
        .ok_or_else(|| AppError::BadRequest(server_texts::bad_event_id(locale, text)))
}

pub async fn stream_events(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    // A slot first: past the caps for this address or this instance, nothing else is done.
    let Some(slot) = state
        .streams
        .take(client.map(|Extension(ClientAddr(ip))| ip))
    else {
        return AppError::Busy.into_response();
    };
    // A reconnecting browser's Last-Event-ID wins over the cursor in the URL it first opened.
    let cursor = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.after);
    let after = match cursor
        .as_deref()
        .map(|text| parse_cursor(text, wanshan_app::lang::from_headers(&headers)))
        .transpose()
    {
        Ok(after) => after,
        Err(error) => return error.into_response(),
    };
    let messages = match state.hub.subscribe(after).await {
        Ok(messages) => messages,
        Err(error) => return error.into_response(),
    };
    // Frames were encoded once by the hub; each stream only hands the shared bytes on.
    let changes = messages.map(|message| match message {
        LiveMessage::Change(frame) => frame.sse,
        LiveMessage::Resync => Bytes::from_static(protocol::RESYNC_FRAME.as_bytes()),
        LiveMessage::KeepAlive => Bytes::from_static(protocol::KEEP_ALIVE_FRAME.as_bytes()),
    });
    let hello =
        futures::stream::once(async { Bytes::from_static(protocol::HELLO_FRAME.as_bytes()) });
    event_stream(hello.chain(changes), slot, "no-cache")
}

/// An unbuffered, uncompressed Server-Sent Events response of `frames`, holding its stream
/// `slot` for as long as it is open (given back when it is dropped).
fn event_stream<S>(frames: S, slot: crate::clients::StreamSlot, cache: &'static str) -> Response
where
    S: futures::Stream<Item = Bytes> + Send + 'static,
{
    let body = frames.map(move |frame| {
        let _held = &slot;
        Ok::<_, Infallible>(frame)
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

/// How long one person's notice stream stays open before the browser reconnects (and its
/// session is checked again): a signed-out or revoked session stops hearing within this.
const NOTICE_STREAM_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);
/// A keep-alive comment this often, so proxies keep the stream open.
const NOTICE_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(15);

/// `GET /api/my/notices/events`: the signed-in person's own stream. It says only "your
/// notices changed" with the unread count (`event: notices`, `data: {"unread":n}`), once on
/// opening and again whenever a notice of theirs is written or read, on any instance; the
/// page then asks for its inbox. Nobody else's notices wake it, and it carries no notice's
/// words. 401 for nobody; it counts against the same stream caps as the public stream.
pub async fn stream_my_notices(
    State(state): State<AppState>,
    client: Option<Extension<ClientAddr>>,
    caller: Option<Extension<wanshan_app::functions::Caller>>,
) -> Response {
    let Some(Extension(wanshan_app::functions::Caller(Some(viewer)))) = caller else {
        return AppError::Unauthorized.into_response();
    };
    let Some(slot) = state
        .streams
        .take(client.map(|Extension(ClientAddr(ip))| ip))
    else {
        return AppError::Busy.into_response();
    };
    let db = state.db.clone();
    let user = viewer.id;
    // Listening before counting: a notice written in between rings after the first count.
    let bell = db.notice_wiring().listen();
    let first = match notice_frame(&db, user).await {
        Ok(frame) => frame,
        Err(error) => return error.into_response(),
    };
    let mut keep_alive = tokio::time::interval(NOTICE_KEEP_ALIVE);
    keep_alive.reset();
    let deadline = tokio::time::Instant::now() + NOTICE_STREAM_LIFETIME;
    let later = futures::stream::unfold((bell, keep_alive), move |(mut bell, mut keep_alive)| {
        let db = db.clone();
        async move {
            loop {
                let rang = tokio::select! {
                    rang = bell.recv() => rang,
                    _ = keep_alive.tick() => {
                        let frame = Bytes::from_static(protocol::KEEP_ALIVE_FRAME.as_bytes());
                        return Some((frame, (bell, keep_alive)));
                    }
                    _ = tokio::time::sleep_until(deadline) => return None,
                };
                match rang {
                    Ok(rung) if rung != user.0 && rung != notices::EVERYONE => continue,
                    // Its own ring, or too many rings to tell whose: count again.
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        let frame = notice_frame(&db, user).await.ok()?;
                        return Some((frame, (bell, keep_alive)));
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        }
    });
    // A person's own: never kept by a cache.
    event_stream(
        futures::stream::once(async move { first }).chain(later),
        slot,
        "no-store",
    )
}

/// `event: notices` with the person's unread count.
async fn notice_frame(
    db: &wanshan_app::db::Db,
    user: wanshan_app::people::UserId,
) -> Result<Bytes, AppError> {
    let unread = wanshan_app::db::notices::unread(db, user).await?;
    Ok(Bytes::from(format!(
        "event: {}\ndata: {{\"unread\":{unread}}}\n\n",
        wanshan_app::pages::notices::NOTICE_EVENT
    )))
}
