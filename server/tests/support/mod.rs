//! A real server on port 0 with a fresh database, and a client that speaks to it as a browser would.
#![allow(dead_code)]

use futures::StreamExt;
use std::time::Duration;
use wanshan_app::db::needs;
use wanshan_app::domain::{Ask, Fen, NewNeed, PublicNeed, Urgency, UtcMillis, Window};
use wanshan_server::config::Config;
use wanshan_server::AppState;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The PostgreSQL server the suite runs against, if any: `./run.sh test` starts a throwaway
/// cluster and runs the whole integration suite a second time with this set.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("WANSHAN_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A fresh, empty database for one test: a SQLite file in a temporary folder, or a new
/// database on the test PostgreSQL server.
pub async fn fresh_database(dir: &tempfile::TempDir) -> String {
    use sqlx::{Connection, Executor};
    match postgres_admin_url() {
        None => dir
            .path()
            .join("wanshan-test.db")
            .to_str()
            .expect("utf-8 path")
            .to_owned(),
        Some(admin) => {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "wanshan_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL server answers");
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .expect("database created");
            let (base, _) = admin.rsplit_once('/').expect("admin URL names a database");
            format!("{base}/{name}")
        }
    }
}

/// A fresh database and a server on a free port.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = fresh_database(&dir).await;
    spawn_instance(dir, Config::for_tests(database)).await
}

/// A server with the given settings (several may share one database).
pub async fn spawn_instance(dir: tempfile::TempDir, config: Config) -> TestApp {
    let (addr, state, _server) = wanshan_server::spawn(config).await.expect("server starts");
    TestApp {
        base: format!("http://{addr}"),
        state,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .expect("client"),
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Publishes a need directly (intake and review arrive in a later issue) and wakes the hub.
    pub async fn publish(&self, title: &str, window: Window, town: &str) -> PublicNeed {
        let need = NewNeed::parse(
            window,
            title,
            "一户支出型困难家庭的真实需求，身份信息不公开。",
            town,
            "示范村",
            Ask::Money {
                amount: Fen::parse(300_000).unwrap(),
            },
            Urgency::Soon,
        )
        .expect("valid need");
        let published = needs::publish(&self.state.db, &need, UtcMillis::now())
            .await
            .expect("published");
        self.state.hub.wake();
        published
    }

    /// Posts the claim form as the browser does (URL-encoded).
    pub async fn claim(&self, fields: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(self.url("/api/claim_need"))
            .form(fields)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn claim_need(&self, need_id: i64, name: &str, contact: &str) -> reqwest::Response {
        self.claim(&[
            ("need_id", &need_id.to_string()),
            ("donor_name", name),
            ("donor_contact", contact),
        ])
        .await
    }

    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("page");
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("page text")
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("query")
    }

    /// Opens the live stream with optional headers, e.g. `Last-Event-ID`.
    pub async fn stream(&self, query: &str, last_event_id: Option<i64>) -> EventStream {
        let mut request = self.http.get(self.url(&format!("/api/events{query}")));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.expect("stream opens");
        assert_eq!(response.status(), 200);
        EventStream {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        }
    }
}

/// Fires `count` claims of one need at once, spread round-robin over `instances`, each from a
/// different donor. Returns (winners, `AlreadyClaimed` losers); any other answer fails the test.
pub async fn race_claims(instances: &[&TestApp], need_id: i64, count: usize) -> (usize, usize) {
    let claims = (0..count).map(|i| {
        let instance = instances[i % instances.len()];
        let request = instance.http.post(instance.url("/api/claim_need")).form(&[
            ("need_id".to_owned(), need_id.to_string()),
            ("donor_name".to_owned(), format!("爱心人士{i}")),
            ("donor_contact".to_owned(), format!("1380000{i:04}")),
        ]);
        tokio::spawn(async move { request.send().await.expect("claim sent") })
    });
    let (mut winners, mut losers) = (0, 0);
    for response in futures::future::join_all(claims).await {
        let response = response.expect("claim task");
        match response.status().as_u16() {
            200 => winners += 1,
            409 => {
                let body: serde_json::Value = response.json().await.expect("JSON error");
                assert_eq!(body["code"], "AlreadyClaimed", "{body}");
                losers += 1;
            }
            other => panic!("unexpected status {other}: {:?}", response.text().await),
        }
    }
    (winners, losers)
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sse {
    pub event: String,
    pub id: Option<i64>,
    pub data: String,
}

pub struct EventStream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buffer: String,
}

impl EventStream {
    /// The next event (the opening `live` event, comments and keep-alives skipped). Fails the test after 10 s: a guard
    /// against a hang, not a timing assertion.
    pub async fn next(&mut self) -> Sse {
        tokio::time::timeout(Duration::from_secs(10), self.next_inner())
            .await
            .expect("an event within 10 s")
    }

    async fn next_inner(&mut self) -> Sse {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Sse {
                    event: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut has_data = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event.event = v.trim().to_owned();
                    } else if let Some(v) = line.strip_prefix("id:") {
                        event.id = v.trim().parse().ok();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        event.data.push_str(v.trim_start());
                        has_data = true;
                    }
                }
                if has_data && event.event != "live" {
                    return event;
                }
            }
            let chunk = self
                .body
                .next()
                .await
                .expect("stream still open")
                .expect("chunk");
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}
