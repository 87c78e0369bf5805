//! Sending a fuzzed request (through an HTTP client, or byte for byte over a bare socket),
//! judging its answer, and showing it when it fails.

use super::input::{Input, Target};
use crate::support::{TestApp, REQUEST_TIMEOUT};
use reqwest::Method;
use std::fmt::Write as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wanshan_app::error::AppError;

/// Text that must never reach a client: a Rust panic, a database error, a source path.
const LEAKS: [&str; 8] = [
    "panicked",
    "sqlx",
    "SQLITE",
    "sqlite_",
    "syntax error",
    "stack backtrace",
    "/root/",
    ".rs:",
];

/// An answer, as far as the checks need it.
pub struct Answer {
    pub status: u16,
    headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

/// A client like a browser's, but it shows redirects instead of following them, and opens a
/// new connection for each request: the server closes one after refusing a body unread (413),
/// and a pooled one could be reused just as it closes.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("client")
}

/// Sends one request; `Err` says why no answer came.
pub async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    input: &Input,
    cookie: Option<&str>,
) -> Result<Answer, String> {
    if input.raw {
        return send_raw(app, input, cookie).await;
    }
    let mut request = client.request(input.method.clone(), app.url(&input.path));
    for (name, value) in &input.headers {
        request = request.header(name.as_str(), value.as_slice());
    }
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    if input.chunked {
        let chunk = bytes::Bytes::from(input.body.clone());
        let stream = futures::stream::iter([Ok::<_, std::io::Error>(chunk)]);
        request = request.body(reqwest::Body::wrap_stream(stream));
    } else if !input.body.is_empty() {
        request = request.body(input.body.clone());
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("no answer: {}", short(&format!("{e:?}"))))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    // A live stream never ends: its headers are the answer.
    let body = if is_stream(&headers) {
        Vec::new()
    } else {
        let body = response.bytes().await;
        body.map_err(|e| format!("the body did not arrive: {}", short(&format!("{e:?}"))))?
            .to_vec()
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

fn is_stream(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"))
}

/// Sends the request byte for byte over a bare socket (`Connection: close`) and reads the
/// status line, the headers and, unless it is a live stream, everything up to the close.
async fn send_raw(app: &TestApp, input: &Input, cookie: Option<&str>) -> Result<Answer, String> {
    let addr = app.base.trim_start_matches("http://").to_owned();
    let line = format!(
        "{} {} HTTP/1.1\r\nhost: {addr}\r\n",
        input.method, input.path
    );
    let mut request = line.into_bytes();
    for (name, value) in &input.headers {
        request.extend_from_slice(format!("{name}: ").as_bytes());
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    if let Some(cookie) = cookie {
        request.extend_from_slice(format!("cookie: {cookie}\r\n").as_bytes());
    }
    let length = input.body.len();
    request.extend_from_slice(
        format!("content-length: {length}\r\nconnection: close\r\n\r\n").as_bytes(),
    );
    request.extend_from_slice(&input.body);
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(&addr).await?;
        stream.write_all(&request).await?;
        let mut received = Vec::new();
        let mut buffer = [0u8; 8192];
        loop {
            let n = stream.read(&mut buffer).await?;
            received.extend_from_slice(&buffer[..n]);
            let head = received
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map(|at| String::from_utf8_lossy(&received[..at]).to_ascii_lowercase());
            let streaming =
                head.is_some_and(|head| head.contains("content-type: text/event-stream"));
            if n == 0 || streaming {
                return Ok::<_, std::io::Error>(received);
            }
        }
    };
    let received = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no whole answer within {REQUEST_TIMEOUT:?} (raw socket)"))?
        .map_err(|e| format!("no answer (raw socket): {e}"))?;
    let text = String::from_utf8_lossy(&received);
    let status = text
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {:?}", text.get(..80)))?;
    let (head, body) = match received.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => (&received[..at], received[at + 4..].to_vec()),
        None => (&received[..], Vec::new()),
    };
    let mut headers = reqwest::header::HeaderMap::new();
    for line in String::from_utf8_lossy(head).lines().skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            if let (Ok(name), Ok(value)) = (
                reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()),
                reqwest::header::HeaderValue::from_str(value.trim()),
            ) {
                headers.append(name, value);
            }
        }
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// At most 400 characters of `text`.
pub fn short(text: &str) -> String {
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// What is wrong with an answer, if anything: a 5xx; internal text, or the internal error a
/// page shows in its body, whatever the status; a 2xx that is not what the target serves
/// (JSON, 204 for a delivery, a whole HTML page, a photo, the CSV, a stream; to a GET only);
/// a redirect without a `Location`; a server function's 4xx that is not the app's error with
/// the status its code has.
pub fn judge(target: &Target, input: &Input, answer: &Answer) -> Option<String> {
    let (status, body) = (answer.status, &answer.body);
    let content_type = answer
        .headers
        .get("content-type")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    if status >= 500 {
        return Some(format!("a server error, {status}"));
    }
    let is_photo = content_type.starts_with("image/");
    if !is_photo {
        let text = String::from_utf8_lossy(body);
        if let Some(leak) = LEAKS.iter().find(|leak| text.contains(*leak)) {
            return Some(format!("internal text ({leak:?}) in the answer"));
        }
        // A page shows a failed resource's error in its body: an internal failure there is a
        // hidden 500. (Not an error the request itself put in the address.)
        let internal = AppError::Internal.to_string();
        if text.contains(&internal) && !input.recipe.starts_with("ErrorInAddress") {
            return Some(format!("the internal error, shown with a {status}"));
        }
    }
    match status {
        200..=299 if input.method == Method::HEAD || input.raw => None,
        200..=299 => {
            let served = match target {
                Target::ServerFn { .. } => {
                    serde_json::from_slice::<serde_json::Value>(body).is_ok()
                }
                Target::Deliver => status == 204,
                Target::Api(_) => serde_json::from_slice::<serde_json::Value>(body).is_ok(),
                Target::AgencyKeys => content_type.starts_with("text/html"),
                _ if input.method != Method::GET => false,
                Target::ApiDocument(path) if path.ends_with(".js") => {
                    content_type.starts_with("text/javascript")
                }
                Target::ApiDocument(path)
                    if path.ends_with(".json") || path.ends_with(".webmanifest") =>
                {
                    serde_json::from_slice::<serde_json::Value>(body).is_ok()
                }
                Target::ApiDocument(_) => content_type.starts_with("text/html"),
                Target::Page(_) => {
                    content_type.starts_with("text/html")
                        && String::from_utf8_lossy(body).contains("</html>")
                }
                Target::Photo => is_photo,
                Target::Ledger | Target::DeskExport | Target::HoursExport => {
                    content_type.starts_with("text/csv")
                }
                Target::Events | Target::NoticeStream => {
                    content_type.starts_with("text/event-stream")
                }
            };
            (!served).then(|| {
                let method = &input.method;
                format!("a {status} to a {method} that is not what it serves ({content_type})")
            })
        }
        300..=399 => answer
            .headers
            .get("location")
            .is_none()
            .then(|| format!("a {status} redirect without a Location")),
        400..=499 => {
            // A server function's own refusal is the app's error, with a code to match; the
            // edge's (405 wrong method, 413 too large) and axum's extractors answer plainly.
            let from_app = matches!(target, Target::ServerFn { .. } | Target::Api(_))
                && !matches!(status, 405 | 413)
                && !input.raw;
            if !from_app {
                return None;
            }
            match serde_json::from_slice::<AppError>(body) {
                Ok(error) if error.status() == status => None,
                Ok(error) => Some(format!("{status} for {}", error.code())),
                Err(e) => Some(format!("a {status} that is not the app's error ({e})")),
            }
        }
        _ => Some(format!("status {status}")),
    }
}

/// How a request is shown in a failure: its line, headers and body, escaped (a long body by
/// its ends; `made by` says how it was built).
pub fn describe(input: &Input, caller: &str) -> String {
    let mut out = format!(
        "{} {}{}{}  as {caller}\n",
        input.method,
        input.path.escape_debug(),
        if input.raw { "  (raw socket)" } else { "" },
        if input.chunked { "  (chunked)" } else { "" },
    );
    for (name, value) in &input.headers {
        let _ = writeln!(out, "    {name}: {}", value.escape_ascii());
    }
    let body = match String::from_utf8(input.body.clone()) {
        Ok(text) => format!("{text:?}"),
        Err(_) => format!("b\"{}\"", input.body.escape_ascii()),
    };
    let chars: Vec<char> = body.chars().collect();
    let shown = if chars.len() > 1200 {
        format!(
            "{}…[{} more characters]…{}",
            chars[..600].iter().collect::<String>(),
            chars.len() - 800,
            chars[chars.len() - 200..].iter().collect::<String>()
        )
    } else {
        body
    };
    let _ = write!(
        out,
        "    body ({} bytes): {shown}\n    made by: {}",
        input.body.len(),
        input.recipe
    );
    out
}
