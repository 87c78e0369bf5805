//! Live fan-out: N open streams, one claim, and the time until every stream has the removal.
//! The floor is a bare tokio broadcaster (below) sending the same bytes to the same number of
//! sockets, driven by the same clients.

use crate::Spread;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, mpsc, Semaphore};
use wanshan_app::domain::EventId;
use wanshan_app::live::protocol;

/// What one fan-out run measured.
#[derive(Clone, Copy, Debug)]
pub struct Fanout {
    pub subscribers: usize,
    pub latency: Spread,
    /// Server resident memory added per open stream, in bytes.
    pub bytes_per_subscriber: f64,
    pub connect_seconds: f64,
}

/// The change every client waits for (the JSON of a `NeedClaimed`).
pub const NEEDLE: &[u8] = b"need_claimed";

/// Opens an SSE stream with a plain HTTP/1.1 request and returns it once the server has said
/// `event: live`, with whatever followed in the same read.
async fn open_stream(addr: SocketAddr, path: &str) -> std::io::Result<(TcpStream, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    // Close with RST, not TIME_WAIT, so tens of thousands of streams do not exhaust local
    // ports. A zero linger never blocks on drop (only a non-zero one does).
    #[allow(deprecated)]
    stream.set_linger(Some(Duration::ZERO))?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut seen = Vec::with_capacity(512);
    let mut chunk = [0u8; 512];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let n = tokio::time::timeout_at(deadline, stream.read(&mut chunk))
            .await
            .map_err(|_| std::io::Error::other("the stream was not live within 30 s"))??;
        if n == 0 {
            return Err(std::io::Error::other("closed before it was live"));
        }
        seen.extend_from_slice(&chunk[..n]);
        // Anything but 200 (a full instance answers 503 `Busy`) is not a stream.
        if seen.len() >= 12 && !seen.starts_with(b"HTTP/1.1 200") {
            let line = String::from_utf8_lossy(&seen)
                .lines()
                .next()
                .unwrap_or("")
                .to_owned();
            return Err(std::io::Error::other(format!("the server answered {line}")));
        }
        let hello = format!("event: {}", protocol::HELLO);
        if let Some(at) = find(&seen, hello.as_bytes()) {
            let rest = seen.split_off(at + hello.len());
            return Ok((stream, rest));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Opens `subscribers` streams on `addr` (`path`), reads the server's memory, fires `trigger`,
/// and times each stream until it has seen [`NEEDLE`].
pub async fn measure<F, Fut>(
    addr: SocketAddr,
    path: &str,
    server_rss: impl Fn() -> u64,
    subscribers: usize,
    trigger: F,
) -> Fanout
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = server_rss();
    let started = Instant::now();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<()>();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Instant>();
    let opening = Arc::new(Semaphore::new(256));
    for _ in 0..subscribers {
        let ready_tx = ready_tx.clone();
        let seen_tx = seen_tx.clone();
        let opening = Arc::clone(&opening);
        let path = path.to_owned();
        tokio::spawn(async move {
            let permit = opening.acquire_owned().await.expect("semaphore");
            let (mut stream, mut seen) = open_stream(addr, &path).await.expect("stream opens");
            drop(permit);
            let _ = ready_tx.send(());
            let mut chunk = [0u8; 512];
            loop {
                if find(&seen, NEEDLE).is_some() {
                    let _ = seen_tx.send(Instant::now());
                    break;
                }
                let n = stream.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                // Keep only a tail long enough to match the needle across reads.
                let keep = seen.len().saturating_sub(NEEDLE.len());
                seen.drain(..keep);
                seen.extend_from_slice(&chunk[..n]);
            }
            // Hold the socket until every stream has its event, so none closes early.
            let _ = stream;
        });
    }
    drop(ready_tx);
    drop(seen_tx);
    for _ in 0..subscribers {
        ready_rx.recv().await.expect("every stream opens");
    }
    let connect_seconds = started.elapsed().as_secs_f64();
    let after = server_rss();
    let fired = Instant::now();
    trigger().await;
    let mut latencies = Vec::with_capacity(subscribers);
    let deadline = tokio::time::sleep(Duration::from_secs(60));
    tokio::pin!(deadline);
    while latencies.len() < subscribers {
        tokio::select! {
            seen = seen_rx.recv() => match seen {
                Some(at) => latencies.push(at.duration_since(fired)),
                None => break,
            },
            _ = &mut deadline => break,
        }
    }
    assert_eq!(
        latencies.len(),
        subscribers,
        "every subscriber got the event"
    );
    Fanout {
        subscribers,
        latency: Spread::of(latencies),
        bytes_per_subscriber: after.saturating_sub(before) as f64 / subscribers as f64,
        connect_seconds,
    }
}

/// The floor: accept streams, answer like an SSE endpoint, and on `POST /trigger` write the
/// same change event to every stream through one `tokio::sync::broadcast`. No database, no
/// framework, no replay.
pub async fn floor_server(listener: TcpListener) {
    let (events, _) = broadcast::channel::<Arc<[u8]>>(16);
    let event: Arc<[u8]> = Arc::from(
        protocol::change_frame(EventId(1), r#"{"type":"need_claimed","need_id":1}"#).as_bytes(),
    );
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let events = events.clone();
        let event = Arc::clone(&event);
        tokio::spawn(async move {
            let mut request = Vec::new();
            let mut chunk = [0u8; 512];
            while find(&request, b"\r\n\r\n").is_none() {
                match socket.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => request.extend_from_slice(&chunk[..n]),
                }
            }
            if request.starts_with(b"POST /trigger") {
                let _ = events.send(event);
                let _ = socket
                    .write_all(b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            }
            if request.starts_with(b"GET / ") {
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    .await;
                return;
            }
            let mut receiver = events.subscribe();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n{}",
                protocol::HELLO_FRAME
            );
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            while let Ok(bytes) = receiver.recv().await {
                if socket.write_all(&bytes).await.is_err() {
                    return;
                }
            }
        });
    }
}
