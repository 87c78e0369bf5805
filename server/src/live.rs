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
use wanshan_app::domain::EventId;
use wanshan_app::error::AppError;
use wanshan_app::functions::ClientAddr;
use wanshan_app::live::{protocol, LiveMessage};

#[derive(Deserialize)]
pub struct StreamQuery {
    after: Option<String>,
}

fn parse_cursor(text: &str) -> Result<EventId, AppError> {
    protocol::parse_cursor(text)
        .ok_or_else(|| AppError::BadRequest(format!("事件编号“{text}”不是非负整数")))
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
    let after = match cursor.as_deref().map(parse_cursor).transpose() {
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
    let body =
        futures::stream::once(async { Bytes::from_static(protocol::HELLO_FRAME.as_bytes()) })
            .chain(changes)
            .map(move |frame| {
                // The slot lives as long as the stream and is given back when it is dropped.
                let _held = &slot;
                Ok::<_, Infallible>(frame)
            });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}
