//! The live stream's wire format (Server-Sent Events on `GET /api/events`), in one place for
//! the server that writes it, the browser that reads it and the tests and benchmarks that
//! read it as a browser would.
//!
//! - The stream opens with `retry: 1000` and the [`HELLO`] event (`event: live`).
//! - Each change is a [`CHANGE`] event whose `id:` is its event-log id and whose `data:` is the
//!   JSON of a [`LiveChange`](crate::domain::LiveChange) on one line.
//! - [`RESYNC`]: the client is too far behind (or ahead of a reset log): reload the board.
//! - A comment line every heartbeat keeps proxies from closing an idle stream.
//! - A client resumes with `Last-Event-ID` (browsers send it on reconnect) or `?after=ID`.

use crate::domain::EventId;

/// The stream's address.
pub const PATH: &str = "/api/events";
/// The opening event's name: the stream is open and live.
pub const HELLO: &str = "live";
/// A change's event name.
pub const CHANGE: &str = "change";
/// "Your view is stale, reload it."
pub const RESYNC: &str = "resync";
/// How soon a browser retries a dropped stream (its default is about three seconds).
pub const RETRY_MS: u32 = 1000;

/// The first bytes of every stream.
pub const HELLO_FRAME: &str = "retry: 1000\nevent: live\ndata: {}\n\n";
/// The resync event, whole.
pub const RESYNC_FRAME: &str = "event: resync\ndata: {}\n\n";
/// The keep-alive comment.
pub const KEEP_ALIVE_FRAME: &str = ": keep-alive\n\n";

/// One change as the stream sends it. `payload` is compact JSON, so it has no line breaks and
/// one `data:` line carries it whole.
pub fn change_frame(id: EventId, payload: &str) -> String {
    debug_assert!(!payload.contains('\n'));
    format!("event: {CHANGE}\nid: {}\ndata: {payload}\n\n", id.0)
}

/// The stream's address for a client that has applied everything up to `after`.
pub fn url_after(after: EventId) -> String {
    format!("{PATH}?after={}", after.0)
}

/// A cursor as a client sends it (`Last-Event-ID` or `?after=`): a non-negative event id.
pub fn parse_cursor(text: &str) -> Option<EventId> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .map(EventId)
}

/// One event read off the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub name: String,
    pub id: Option<i64>,
    pub data: String,
}

/// Reads events out of the stream's text as it arrives, in pieces of any size (for clients
/// that are not browsers: the tests and the benchmark harness). Comments are skipped.
#[derive(Default)]
pub struct Reader {
    buffer: String,
}

impl Reader {
    /// Adds what arrived.
    pub fn push(&mut self, text: &str) {
        self.buffer.push_str(text);
    }

    /// The next complete event, if one has arrived.
    pub fn next_event(&mut self) -> Option<Event> {
        while let Some(end) = self.buffer.find("\n\n") {
            let block: String = self.buffer.drain(..end + 2).collect();
            let mut event = Event {
                name: "message".into(),
                id: None,
                data: String::new(),
            };
            let mut has_data = false;
            for line in block.lines() {
                if let Some(value) = line.strip_prefix("event:") {
                    event.name = value.trim().to_owned();
                } else if let Some(value) = line.strip_prefix("id:") {
                    event.id = value.trim().parse().ok();
                } else if let Some(value) = line.strip_prefix("data:") {
                    event.data.push_str(value.trim_start());
                    has_data = true;
                }
            }
            if has_data {
                return Some(event);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reader_reads_what_the_server_writes_in_any_pieces() {
        let stream = format!(
            "{HELLO_FRAME}{KEEP_ALIVE_FRAME}{}{RESYNC_FRAME}",
            change_frame(EventId(7), r#"{"kind":"need_claimed"}"#)
        );
        // Byte by byte, as a slow network might deliver it.
        let mut reader = Reader::default();
        let mut events = Vec::new();
        for ch in stream.chars() {
            reader.push(&ch.to_string());
            events.extend(reader.next_event());
        }
        let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, [HELLO, CHANGE, RESYNC]);
        assert_eq!(events[1].id, Some(7));
        assert_eq!(events[1].data, r#"{"kind":"need_claimed"}"#);
        assert!(HELLO_FRAME.starts_with(&format!("retry: {RETRY_MS}\n")));
    }

    #[test]
    fn a_cursor_is_a_non_negative_event_id() {
        assert_eq!(parse_cursor(" 42 "), Some(EventId(42)));
        assert_eq!(parse_cursor("0"), Some(EventId(0)));
        assert_eq!(parse_cursor("-1"), None);
        assert_eq!(parse_cursor("12abc"), None);
        assert_eq!(url_after(EventId(5)), "/api/events?after=5");
    }
}
