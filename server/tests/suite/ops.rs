//! Operations: the load balancer's probes, `/metrics` for allowed peers only and what it
//! counts, and the request id on every response and on every log line of a request.

use crate::support::{fresh_database, spawn_app, spawn_instance, TestApp, REQUEST_TIMEOUT};
use std::sync::{Arc, Mutex};
use wanshan_app::db::events;
use wanshan_app::domain::Window;
use wanshan_server::config::{Config, LogFormat};

async fn get_text(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.get_as(None, path).await;
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .unwrap_or_else(|| panic!("{} has no x-request-id", response.url()))
        .to_str()
        .expect("ASCII request id")
        .to_owned()
}

/// The line of `text` that is exactly `line`, or a failure showing the text.
fn assert_line(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line `{line}` in:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_readyz_answer_when_the_database_is_migrated() {
    let app = spawn_app().await;
    assert_eq!(get_text(&app, "/healthz").await, (200, "ok".into()));
    assert_eq!(get_text(&app, "/readyz").await, (200, "ready".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_naming_a_migration_that_is_not_applied() {
    let app = spawn_app().await;
    let newest = app
        .scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .await;
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
        .bind(newest)
        .execute(&app.state.db.pool)
        .await
        .expect("migration record removed");
    let (status, reason) = get_text(&app, "/readyz").await;
    assert_eq!(status, 503, "{reason}");
    assert!(
        reason.contains("not migrated") && reason.contains(&format!("migration {newest} ")),
        "{reason}"
    );
    // The process itself still answers: a load balancer tells "not ready" from "dead".
    assert_eq!(get_text(&app, "/healthz").await, (200, "ok".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_database_does_not_answer() {
    let app = spawn_app().await;
    app.state.db.pool.close().await;
    let (status, reason) = get_text(&app, "/readyz").await;
    assert_eq!(
        (status, reason.as_str()),
        (503, "the database does not answer")
    );
    assert_eq!(get_text(&app, "/healthz").await, (200, "ok".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_not_found_by_a_peer_outside_the_allow_list_whatever_it_claims() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(fresh_database(&dir).await);
    config.data_dir = dir.path().join("data").to_string_lossy().into_owned();
    // Only a documentation address (never reached): the test's own 127.0.0.1 is not allowed.
    config.metrics_allow = vec!["192.0.2.10".parse().unwrap()];
    let app = spawn_instance(dir, config).await;
    let plain = app.get_as(None, "/metrics").await;
    assert_eq!(plain.status(), 404);
    // A forwarded header names the allowed address: only the TCP peer counts.
    let forged = app
        .http
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "192.0.2.10")
        .header("x-real-ip", "192.0.2.10")
        .send()
        .await
        .expect("answered");
    assert_eq!(forged.status(), 404);
    let body = forged.text().await.unwrap();
    assert!(!body.contains("wanshan_"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_claims_streams_the_pump_and_the_hashing_queue() {
    let app = spawn_app().await;
    let mut stream = app.stream("", None).await;
    let need = app
        .publish("助学：高一学费", Window::Education, "延陵镇")
        .await;
    let won = app.claim_need(need.id.0, "先到的人", "13911110001").await;
    assert_eq!(won.status(), 200);
    let lost = app.claim_need(need.id.0, "晚到的人", "13911110002").await;
    assert_eq!(lost.status(), 409);
    let missing = app.get_as(None, "/no/such/page-zq81").await;
    assert_eq!(missing.status(), 404);
    // Once the stream has the claim, the pump has broadcast the whole log.
    let latest = events::latest(&app.state.db).await.unwrap().0;
    while stream.next().await.id != Some(latest) {}
    let held = app.state.passwords.hold_all().await;

    let response = app.get_as(None, "/metrics").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    let text = response.text().await.unwrap();
    drop(held);
    for line in [
        "# TYPE wanshan_claims_total counter",
        "wanshan_claims_total{outcome=\"claimed\"} 1",
        "wanshan_claims_total{outcome=\"already_claimed\"} 1",
        "wanshan_claims_total{outcome=\"refused\"} 0",
        "wanshan_http_requests_total{route=\"/api/claim_need\",class=\"2xx\",code=\"200\"} 1",
        "wanshan_http_requests_total{route=\"/api/claim_need\",class=\"4xx\",code=\"409\"} 1",
        "wanshan_http_requests_total{route=\"unmatched\",class=\"4xx\",code=\"404\"} 1",
        "wanshan_live_streams_open 1",
        "wanshan_live_pump_lag_events 0",
        "wanshan_password_hashing_waiting 0",
    ] {
        assert_line(&text, line);
    }
    // Every turn is held: as many running as there are turns.
    let turns = app.state.passwords.load().turns;
    assert_line(&text, &format!("wanshan_password_hashing_turns {turns}"));
    assert_line(&text, &format!("wanshan_password_hashing_running {turns}"));
    // The raw path of a request is never a label.
    assert!(!text.contains("zq81"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_stream_is_counted_open_until_it_is_dropped() {
    let app = crate::support::spawn_app_with(|config| config.heartbeat_ms = 50).await;
    assert_eq!(app.state.streams.open(), 0);
    let stream = app.stream("", None).await;
    assert_eq!(app.state.streams.open(), 1);
    drop(stream);
    // The server notices the closed connection at its next write (a keep-alive, here 50 ms).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.state.streams.open() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "waited 10 s for the server to count a dropped stream closed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id_and_keeps_a_proxys_plain_one() {
    let app = spawn_app().await;
    let mut seen = Vec::new();
    for path in ["/", "/no/such/page", "/healthz", "/metrics", "/api/events"] {
        // The stream's answer is read up to its headers only.
        seen.push(request_id(&app.get_as(None, path).await));
    }
    seen.push(request_id(&app.post_as(None, "list_needs", &[]).await));
    for id in &seen {
        assert_eq!(id.len(), 36, "a UUID: {id}");
    }
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "{seen:?}");

    // nginx's $request_id (32 hex digits) is kept, so its log and ours match up.
    let send = |id: String| app.http.get(app.url("/")).header("x-request-id", id).send();
    let kept = "0f3c9b7e2d1a4c5b8e9f0a1b2c3d4e5f".to_owned();
    assert_eq!(request_id(&send(kept.clone()).await.unwrap()), kept);
    // Anything long or odd is replaced by a fresh one.
    for odd in ["x".repeat(65), "two words".into(), "<b>".into()] {
        let given = request_id(&send(odd.clone()).await.unwrap());
        assert_ne!(given, odd);
        assert_eq!(given.len(), 36);
    }
}

/// Log lines written by the JSON subscriber, one string a line.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'w> tracing_subscriber::fmt::MakeWriter<'w> for Captured {
    type Writer = Captured;

    fn make_writer(&'w self) -> Captured {
        self.clone()
    }
}

/// On one thread (a current-thread runtime), so the server's tasks log to the subscriber this
/// test sets for its thread alone; every other test keeps logging nowhere.
#[tokio::test]
async fn every_json_log_line_of_a_request_carries_its_id() {
    let captured = Captured::default();
    let filter = tracing_subscriber::EnvFilter::new("warn,tower_http=debug");
    let _logging = tracing::subscriber::set_default(wanshan_server::ops::subscriber(
        LogFormat::Json,
        filter,
        false,
        captured.clone(),
    ));
    let app = spawn_app().await;
    // The board's query fails, so the app logs the cause while it handles the request.
    sqlx::query("ALTER TABLE needs RENAME TO needs_elsewhere")
        .execute(&app.state.db.pool)
        .await
        .expect("table renamed");
    let response = tokio::time::timeout(REQUEST_TIMEOUT, app.http.get(app.url("/")).send())
        .await
        .expect("GET / answered within 30 s")
        .expect("answered");
    let id = request_id(&response);
    response.text().await.expect("the whole page");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("JSON: {line}")))
        .collect();
    let of_request: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| {
            line["spans"]
                .as_array()
                .is_some_and(|spans| spans.iter().any(|span| span["request_id"] == id))
        })
        .collect();
    let targets: Vec<&str> = of_request
        .iter()
        .filter_map(|line| line["target"].as_str())
        .collect();
    // The request's own lines, and the app's error logged while it was handled.
    for target in [
        "tower_http::trace::on_request",
        "wanshan_app::error",
        "tower_http::trace::on_response",
    ] {
        assert!(
            targets.contains(&target),
            "no {target} line with request_id {id}: {targets:?}\n{text}"
        );
    }
    // No line logged during the request is without it.
    let during = |line: &serde_json::Value| {
        line["target"] == "wanshan_app::error" || line["target"] == "tower_http::trace::on_request"
    };
    assert_eq!(
        lines.iter().filter(|line| during(line)).count(),
        of_request.iter().filter(|line| during(line)).count(),
        "{text}"
    );
    let span = &of_request[0]["spans"][0];
    assert_eq!(
        (
            span["name"].as_str(),
            span["method"].as_str(),
            span["path"].as_str()
        ),
        (Some("request"), Some("GET"), Some("/"))
    );
}
