//! What operations asks of an instance: `/healthz` (the process answers), `/readyz` (the
//! database answers and holds this binary's schema), `/metrics` (Prometheus text, only to the
//! configured peer addresses), and around every request an id (`x-request-id`) and a span that
//! carries it into every log line, written as text or JSON.

use crate::config::{Config, LogFormat};
use crate::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{BoxError, Router};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower::{Service, ServiceBuilder};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use wanshan_app::db::Db;
use wanshan_app::metrics::{Metrics, Text};

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: &str = "x-request-id";
/// How long a probe or a scrape waits for the database: a load balancer's own timeout is
/// usually a few seconds, and the pool would wait 30.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// This instance's counters and who may read them.
#[derive(Clone, Debug)]
pub struct Ops {
    pub metrics: Metrics,
    metrics_allow: Arc<[IpAddr]>,
}

impl Ops {
    pub fn new(config: &Config) -> Ops {
        Ops {
            metrics: Metrics::default(),
            metrics_allow: config.metrics_allow.iter().map(canonical).collect(),
        }
    }

    /// Whether `peer` may read `/metrics`. An IPv4 peer reaching an IPv6 socket
    /// (`::ffff:127.0.0.1`) counts as its IPv4 address.
    pub fn may_read_metrics(&self, peer: IpAddr) -> bool {
        self.metrics_allow.contains(&canonical(&peer))
    }
}

fn canonical(ip: &IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// Logs to standard output as `format` says, filtered by `RUST_LOG` (default `info,sqlx=warn`);
/// text is coloured only on a terminal (not in the journal or a file).
pub fn init_tracing(format: LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let colours = std::io::stdout().is_terminal();
    subscriber(format, filter, colours, std::io::stdout).init();
}

/// The log subscriber, writing to `writer` (tests pass their own).
pub fn subscriber<W>(
    format: LogFormat,
    filter: tracing_subscriber::EnvFilter,
    colours: bool,
    writer: W,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours)
        .with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        // Each line names its spans from the outermost, so the request's id is on every line
        // logged while a request is handled, however deep.
        LogFormat::Json => Box::new(builder.json().finish()),
    }
}

/// The routes of this module. Routed after the app's layers, like the live stream: a probe
/// does not go through the session lookup, compression or the request counts.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

fn plain(status: StatusCode, text: impl Into<String>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text.into(),
    )
        .into_response()
}

/// The process answers.
async fn healthz() -> Response {
    plain(StatusCode::OK, "ok")
}

/// The database answers a query and holds every migration of this binary: 200 `ready`, else
/// 503 and why, in a few words (the cause goes to the log, not to whoever asked).
async fn readyz(State(db): State<Db>) -> Response {
    match tokio::time::timeout(PROBE_TIMEOUT, ready(&db)).await {
        Ok(Ok(())) => plain(StatusCode::OK, "ready"),
        Ok(Err(reason)) => plain(StatusCode::SERVICE_UNAVAILABLE, reason),
        Err(_) => plain(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("the database did not answer within {PROBE_TIMEOUT:?}"),
        ),
    }
}

async fn ready(db: &Db) -> Result<(), String> {
    if let Err(error) = sqlx::query("SELECT 1").execute(&db.pool).await {
        tracing::warn!(%error, "readiness: the database does not answer");
        return Err("the database does not answer".into());
    }
    match db.schema_behind().await {
        Ok(None) => Ok(()),
        Ok(Some(reason)) => Err(format!("the database is not migrated: {reason}")),
        Err(error) => {
            tracing::warn!(%error, "readiness: the migration record is unreadable");
            Err("the database is not migrated: no readable migration record".into())
        }
    }
}

/// Prometheus text, to an allowed peer only (the TCP peer's address, which no header can
/// change); anyone else is told there is nothing here.
async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    if !peer.is_some_and(|peer| state.ops.may_read_metrics(peer)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    (
        [
            (header::CONTENT_TYPE, Text::CONTENT_TYPE),
            (header::CACHE_CONTROL, "no-store"),
        ],
        render(&state).await,
    )
        .into_response()
}

async fn render(state: &AppState) -> String {
    let mut out = Text::default();
    out.family(
        "wanshan_build_info",
        "gauge",
        "The running build: always 1, its version in a label.",
    );
    out.sample(
        "wanshan_build_info",
        &[("version", env!("CARGO_PKG_VERSION"))],
        1,
    );
    state.ops.metrics.render(&mut out);
    let gauge = |out: &mut Text, name: &str, help: &str, value: u64| {
        out.family(name, "gauge", help);
        out.sample(name, &[], value);
    };
    gauge(
        &mut out,
        "wanshan_live_streams_open",
        "Live event streams open on this instance.",
        state.streams.open() as u64,
    );
    // Left out when the database does not answer in time (/readyz says so).
    if let Ok(Ok(lag)) = tokio::time::timeout(PROBE_TIMEOUT, state.hub.lag()).await {
        gauge(
            &mut out,
            "wanshan_live_pump_lag_events",
            "Event log ids this instance's pump has not broadcast yet (0 when it keeps up).",
            lag.max(0) as u64,
        );
    }
    let hashing = state.passwords.load();
    gauge(
        &mut out,
        "wanshan_password_hashing_turns",
        "Password hashes that may run at once.",
        hashing.turns as u64,
    );
    gauge(
        &mut out,
        "wanshan_password_hashing_running",
        "Password hashes running now.",
        hashing.running as u64,
    );
    gauge(
        &mut out,
        "wanshan_password_hashing_waiting",
        "Sign-ins and sign-ups waiting for a hashing turn.",
        hashing.waiting as u64,
    );
    out.family(
        "wanshan_password_hashing_busy_total",
        "counter",
        "Sign-ins and sign-ups answered Busy (503) because no hashing turn came in time.",
    );
    out.sample(
        "wanshan_password_hashing_busy_total",
        &[],
        hashing.refused_busy,
    );
    out.finish()
}

/// Counts every answer by the template of the route it matched (never the raw path, so a
/// client cannot make up new series) and its status. A layer of the router, where the route is
/// known.
pub async fn count_requests(
    State(metrics): State<Metrics>,
    request: Request,
    next: Next,
) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    metrics.count_request(
        route.as_ref().map(MatchedPath::as_str),
        response.status().as_u16(),
    );
    response
}

/// Wraps the whole app (the live stream too): every request gets an id, the one a proxy sent
/// (`x-request-id`, e.g. nginx's `$request_id`) when it is short and plain, else a new UUID;
/// a span named `request` carrying it (with method and path) is entered for the handler and
/// for every read of the response body, so whatever is logged meanwhile carries the id; the
/// response carries it back. At debug level (`RUST_LOG=info,tower_http=debug`) each request
/// and response is logged too; a 5xx answer is a warning.
pub fn around(
    router: Router,
) -> impl Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
       + Clone
       + Send
       + 'static {
    ServiceBuilder::new()
        .map_response(into_axum_response)
        .map_request(drop_unusable_request_id)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .service(router)
}

fn into_axum_response<B>(response: http::Response<B>) -> Response
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    response.map(Body::new)
}

/// Whether an id sent with a request may be kept: at most 64 letters, digits, `-`, `_`, `.`.
/// Anything else (too long for a log line, or odd characters) is replaced by a fresh one.
pub fn usable_request_id(id: &HeaderValue) -> bool {
    let id = id.as_bytes();
    !id.is_empty()
        && id.len() <= 64
        && id
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn drop_unusable_request_id(mut request: Request) -> Request {
    if request
        .headers()
        .get(REQUEST_ID)
        .is_some_and(|id| !usable_request_id(id))
    {
        request.headers_mut().remove(REQUEST_ID);
    }
    request
}

fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .unwrap_or("");
    // At error level: a span is kept only where the filter lets its level through, and the id
    // must be on the warnings of a `RUST_LOG=warn` too.
    tracing::error_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_peer_on_an_ipv6_socket_is_its_ipv4_address() {
        let mut config = Config::for_tests("unused.db");
        config.metrics_allow = vec!["127.0.0.1".parse().unwrap()];
        let ops = Ops::new(&config);
        assert!(ops.may_read_metrics("127.0.0.1".parse().unwrap()));
        assert!(ops.may_read_metrics("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!ops.may_read_metrics("::1".parse().unwrap()));
        assert!(!ops.may_read_metrics("10.0.0.7".parse().unwrap()));
    }

    #[test]
    fn only_short_plain_request_ids_are_kept() {
        for kept in ["a", "0f3c9b7e2d1a4c5b8e9f0a1b2c3d4e5f", "req-1_2.3"] {
            assert!(usable_request_id(&HeaderValue::from_static(kept)), "{kept}");
        }
        let long = "x".repeat(65);
        for dropped in ["", "two words", "a\"b", "<script>", long.as_str()] {
            assert!(
                !usable_request_id(&HeaderValue::from_str(dropped).unwrap()),
                "{dropped}"
            );
        }
    }

    #[test]
    fn the_settings_parse_from_the_environment_s_spelling() {
        use clap::Parser;
        let config = Config::parse_from([
            "wanshan-server",
            "--metrics-allow",
            "10.0.0.5,::1",
            "--log-format",
            "json",
        ]);
        assert_eq!(
            config.metrics_allow,
            vec![
                "10.0.0.5".parse::<IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        assert_eq!(config.log_format, LogFormat::Json);
        let defaults = Config::parse_from(["wanshan-server"]);
        assert_eq!(
            defaults.metrics_allow,
            Config::for_tests("x").metrics_allow,
            "the binary's default is the tests' default"
        );
        assert_eq!(defaults.log_format, LogFormat::Text);
    }
}
