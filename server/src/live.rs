//! `GET /api/events`: the live event stream (Server-Sent Events).
//!
//! The stream opens with `event: live`. Each change is sent as `event: change` with `id:` set to its event-log id, so a browser that
//! reconnects sends `Last-Event-ID` and gets exactly what it missed. A client too far behind
//! gets `event: resync` and reloads its board. Comments every 15 s keep proxies from closing
//! the stream; the response is never compressed or buffered.

use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use wanshan_app::domain::EventId;
use wanshan_app::error::AppError;
use wanshan_app::live::LiveMessage;

const HEARTBEAT: Duration = Duration::from_secs(15);
/// Tells browsers to retry one second after a dropped connection (their default is ~3 s).
const RETRY: Duration = Duration::from_secs(1);

#[derive(Deserialize)]
pub struct StreamQuery {
    after: Option<String>,
}

fn parse_cursor(text: &str) -> Result<EventId, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .map(EventId)
        .ok_or_else(|| AppError::BadRequest(format!("事件编号“{text}”不是非负整数")))
}

pub async fn stream_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StreamQuery>,
) -> Response {
    // A reconnecting browser's Last-Event-ID wins over the cursor in the URL it first opened.
    let cursor = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(query.after);
    let after = match cursor.as_deref().map(parse_cursor).transpose() {
        Ok(after) => after,
        Err(error) => return crate::error_response(error),
    };
    let messages = match state.hub.subscribe(after).await {
        Ok(messages) => messages,
        Err(error) => return crate::error_response(error),
    };
    let events = messages.map(|message| {
        Ok::<_, Infallible>(match message {
            LiveMessage::Change(frame) => Event::default()
                .event("change")
                .id(frame.id.0.to_string())
                .data(&*frame.payload),
            LiveMessage::Resync => Event::default().event("resync").data("{}"),
        })
    });
    // Sent at once: the browser learns the retry delay and that the stream is open.
    let hello =
        futures::stream::once(async { Ok(Event::default().event("live").data("{}").retry(RETRY)) });
    let mut response = Sse::new(hello.chain(events))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response();
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
