//! The live stream: replay of a gap via Last-Event-ID, live delivery, resync, no buffering.

use crate::support::spawn_app;
use serde_json::Value;
use wanshan_app::db::events;
use wanshan_app::domain::{LiveChange, NeedId, UtcMillis, Window};
use wanshan_app::live::MAX_REPLAY;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnecting_client_gets_every_event_it_missed_in_order() {
    let app = spawn_app().await;
    let before = events::latest(&app.state.db).await.unwrap().0;
    let a = app
        .publish("失独老人每周陪伴", Window::Services, "司徒镇")
        .await;
    let b = app
        .publish("留守儿童阅读角图书", Window::Services, "珥陵镇")
        .await;
    assert_eq!(
        app.claim_need(a.id.0, "李女士", "13912345678")
            .await
            .status(),
        200
    );

    // The browser reconnects with the id of the last event it saw.
    let mut stream = app.stream("", Some(before)).await;
    let first = stream.next().await;
    let second = stream.next().await;
    let third = stream.next().await;
    assert_eq!(
        [first.id, second.id, third.id],
        [Some(before + 1), Some(before + 2), Some(before + 3)]
    );
    assert!(first.name == "change" && second.name == "change" && third.name == "change");
    let change: LiveChange = serde_json::from_str(&first.data).unwrap();
    assert!(matches!(change, LiveChange::NeedPublished { need } if need.id == a.id));
    let change: LiveChange = serde_json::from_str(&second.data).unwrap();
    assert!(matches!(change, LiveChange::NeedPublished { need } if need.id == b.id));
    let change: LiveChange = serde_json::from_str(&third.data).unwrap();
    let expected = LiveChange::NeedClaimed {
        need_id: a.id,
        window: a.window,
        town: a.town.clone(),
    };
    assert_eq!(change, expected);

    // Then it stays live: the next claim arrives on the same stream.
    assert_eq!(
        app.claim_need(b.id.0, "丹阳市爱心企业联合会", "13912345679")
            .await
            .status(),
        200
    );
    let live = stream.next().await;
    assert_eq!(live.id, Some(before + 4));
    let change: LiveChange = serde_json::from_str(&live.data).unwrap();
    let expected = LiveChange::NeedClaimed {
        need_id: b.id,
        window: b.window,
        town: b.town.clone(),
    };
    assert_eq!(change, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cursor_in_the_url_is_used_when_there_is_no_last_event_id() {
    let app = spawn_app().await;
    let a = app
        .publish("老人髋关节康复器具", Window::Medical, "吕城镇")
        .await;
    let as_of = events::latest(&app.state.db).await.unwrap().0;
    let b = app
        .publish("轮椅出行坡道修建", Window::Disability, "陵口镇")
        .await;
    let mut stream = app.stream(&format!("?after={as_of}"), None).await;
    let event = stream.next().await;
    let change: LiveChange = serde_json::from_str(&event.data).unwrap();
    assert!(matches!(change, LiveChange::NeedPublished { need } if need.id == b.id));
    // Last-Event-ID (sent by a reconnecting browser) wins over the URL it first opened.
    let mut stream = app.stream("?after=0", Some(as_of)).await;
    let event = stream.next().await;
    assert_eq!(
        event.id,
        Some(as_of + 1),
        "replayed from Last-Event-ID, not from 0"
    );
    let _ = a;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_far_behind_or_ahead_is_told_to_resync() {
    let app = spawn_app().await;
    let mut tx = app.state.db.begin().await.unwrap();
    for i in 0..=MAX_REPLAY {
        events::append(
            &mut tx,
            &LiveChange::NeedClaimed {
                need_id: NeedId(i + 1),
                window: Window::Home,
                town: "界牌镇".into(),
            },
            UtcMillis::now(),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut stream = app.stream("", Some(0)).await;
    assert_eq!(stream.next().await.name, "resync");

    let latest = events::latest(&app.state.db).await.unwrap().0;
    let mut stream = app.stream("", Some(latest + 50)).await;
    assert_eq!(
        stream.next().await.name,
        "resync",
        "a cursor from a reset database"
    );

    // One event behind is simply replayed.
    let mut stream = app.stream("", Some(latest - 1)).await;
    let event = stream.next().await;
    assert_eq!((event.name.as_str(), event.id), ("change", Some(latest)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_cursor_is_a_clear_400() {
    let app = spawn_app().await;
    for query in ["?after=abc", "?after=-1"] {
        let response = app
            .http
            .get(app.url(&format!("/api/events{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "BadRequest");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_is_never_compressed_or_buffered_but_pages_are_compressed() {
    let app = spawn_app().await;
    let response = app
        .http
        .get(app.url("/api/events"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert!(response.headers().get("content-encoding").is_none());
    assert_eq!(response.headers()["x-accel-buffering"], "no");

    app.publish("危旧厨房电线改造", Window::Home, "界牌镇")
        .await;
    let page = app
        .http
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["content-encoding"], "gzip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_a_donor_gives_privately_reaches_the_board_or_the_stream() {
    let app = spawn_app().await;
    let before = events::latest(&app.state.db).await.unwrap().0;
    let need = app
        .publish("一家三口意外险", Window::Insurance, "吕城镇")
        .await;
    let private_phone = "13998765432";
    let private_org = "绝密测试单位甲乙丙";
    assert_eq!(
        app.claim_need(need.id.0, "钱女士", private_phone)
            .await
            .status(),
        200
    );
    let other = app
        .publish("慢性病补充医疗保险", Window::Insurance, "云阳街道")
        .await;
    assert_eq!(
        app.claim_need(other.id.0, private_org, "13911112222")
            .await
            .status(),
        200
    );

    let mut stream = app.stream("", Some(before)).await;
    let mut seen = String::new();
    for _ in 0..4 {
        seen.push_str(&stream.next().await.data);
    }
    seen.push_str(&app.page("/").await);
    seen.push_str(&app.page("/?window=insurance").await);
    for secret in [private_phone, private_org, "钱女士", "13911112222"] {
        assert!(!seen.contains(secret), "{secret} leaked");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_is_sent_precompressed_when_the_build_left_compressed_copies() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("wanshan.js"), "export function hydrate() {}").unwrap();
    std::fs::write(pkg.join("wanshan.js.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("wanshan.js.gz"), b"gzip bytes").unwrap();
    let database = crate::support::fresh_database(&dir).await;
    let mut config = wanshan_server::config::Config::for_tests(database);
    config.site_root = dir.path().to_str().unwrap().to_owned();
    let app = crate::support::spawn_instance(dir, config).await;
    for (accept, encoding, body) in [
        ("br, gzip", "br", "brotli bytes"),
        ("gzip", "gzip", "gzip bytes"),
    ] {
        let response = app
            .http
            .get(app.url("/pkg/wanshan.js"))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
        assert_eq!(response.text().await.unwrap(), body);
    }
    let plain = app
        .http
        .get(app.url("/pkg/wanshan.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.text().await.unwrap(), "export function hydrate() {}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_open_stream_gets_keep_alives_so_proxies_keep_it_open() {
    use futures::StreamExt;
    let dir = tempfile::tempdir().unwrap();
    let database = crate::support::fresh_database(&dir).await;
    let mut config = wanshan_server::config::Config::for_tests(database);
    config.heartbeat_ms = 50;
    let app = crate::support::spawn_instance(dir, config).await;
    let mut streams = Vec::new();
    for _ in 0..2 {
        let response = app.http.get(app.url("/api/events")).send().await.unwrap();
        streams.push(response.bytes_stream());
    }
    for stream in &mut streams {
        let mut seen = String::new();
        let found = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while !seen.contains(": keep-alive") {
                let chunk = stream.next().await.expect("open").expect("chunk");
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(found.is_ok(), "no keep-alive within 10 s: {seen:?}");
        assert!(seen.starts_with("retry: 1000\nevent: live\n"), "{seen:?}");
    }
}
