//! Overload and guessing, tried as a stranger would: many wrong passwords at once, from one
//! address and from many, across instances; more live streams than an address or an instance
//! may hold; and every impact page asking for the figures at once.
//!
//! Client addresses are simulated with a trusted proxy header (`X-Test-Client`), as nginx's
//! `X-Real-IP` would carry them.

use crate::support::{fresh_database, spawn_app_with, spawn_instance, status_and_code, TestApp};
use std::time::{Duration, Instant};
use wanshan_server::config::Config;

const CLIENT: &str = "x-test-client";

fn behind_proxy(config: &mut Config) {
    config.trusted_proxy_header = Some(CLIENT.into());
}

async fn sign_in_from(app: &TestApp, address: &str, phone: &str, password: &str) -> (u16, String) {
    let response = app
        .http
        .post(app.url("/api/sign_in"))
        .header(CLIENT, address)
        .form(&[("phone", phone), ("password", password)])
        .send()
        .await
        .expect("sign-in answered");
    status_and_code(response).await
}

async fn sign_up(app: &TestApp, phone: &str) {
    let fields = [
        ("phone", phone),
        ("name", "账户主人"),
        ("password", "the right password"),
    ];
    assert_eq!(app.post_as(None, "sign_up", &fields).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_from_one_address_get_five_checks_and_do_not_lock_the_owner_elsewhere() {
    let app = spawn_app_with(behind_proxy).await;
    let owner = "13900002222";
    sign_up(&app, owner).await;
    let guesses = (0..40).map(|n| {
        let app = &app;
        async move { sign_in_from(app, "203.0.113.1", owner, &format!("guess {n}")).await }
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|(status, code)| (*status, code.as_str()) == (401, "WrongCredentials"))
        .count();
    let refused = answers
        .iter()
        .filter(|(status, code)| (*status, code.as_str()) == (429, "TooManyAttempts"))
        .count();
    assert_eq!((checked, refused), (5, 35), "{answers:?}");
    // The guesser is refused even with the right password; the owner, elsewhere, is not.
    assert_eq!(
        sign_in_from(&app, "203.0.113.1", owner, "the right password")
            .await
            .0,
        429
    );
    assert_eq!(
        sign_in_from(&app, "198.51.100.20", owner, "the right password")
            .await
            .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_spread_over_many_addresses_or_phones_is_bounded_too() {
    let app = spawn_app_with(behind_proxy).await;
    let owner = "13900003333";
    sign_up(&app, owner).await;
    // Six addresses, five wrong each: thirty on one phone, its limit over all addresses.
    for host in 1..=6 {
        for n in 0..5 {
            let (status, _) = sign_in_from(
                &app,
                &format!("203.0.113.{host}"),
                owner,
                &format!("no {n}"),
            )
            .await;
            assert_eq!(status, 401, "address {host}, guess {n}");
        }
    }
    // Now the phone is refused from anywhere until the window ends (ten minutes).
    assert_eq!(
        sign_in_from(&app, "198.51.100.30", owner, "the right password").await,
        (429, "TooManyAttempts".into())
    );
    // One address trying many phones: twenty wrong in all, then refused for any phone.
    for n in 0..20 {
        let phone = format!("1370000{n:04}");
        let (status, _) = sign_in_from(&app, "192.0.2.50", &phone, "spray").await;
        assert_eq!(status, 401, "phone {phone}");
    }
    assert_eq!(
        sign_in_from(&app, "192.0.2.50", "13700009999", "spray").await,
        (429, "TooManyAttempts".into())
    );
    // The counts are rows in the database, one per key tried: bounded by what was tried.
    assert!(app.scalar("SELECT COUNT(*) FROM sign_in_tries").await <= 6 + 6 + 1 + 21 + 21 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_on_one_database_share_the_counts() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let mut config = Config::for_tests(database.clone());
    behind_proxy(&mut config);
    let a = spawn_instance(tempfile::tempdir().unwrap(), config.clone()).await;
    let b = spawn_instance(dir, config).await;
    let owner = "13900004444";
    sign_up(&a, owner).await;
    for (n, instance) in [&a, &b, &a, &b, &a].into_iter().enumerate() {
        let (status, _) = sign_in_from(instance, "203.0.113.9", owner, &format!("x{n}")).await;
        assert_eq!(status, 401);
    }
    for instance in [&a, &b] {
        assert_eq!(
            sign_in_from(instance, "203.0.113.9", owner, "the right password").await,
            (429, "TooManyAttempts".into())
        );
    }
}

/// Opens a live stream as `address`; returns the response (kept open while held).
async fn open_stream(app: &TestApp, address: &str) -> reqwest::Response {
    tokio::time::timeout(
        Duration::from_secs(10),
        app.streams
            .get(app.url("/api/events"))
            .header(CLIENT, address)
            .send(),
    )
    .await
    .expect("the stream answered within 10 s")
    .expect("stream request sent")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_streams_are_capped_per_address_and_per_instance() {
    let app = spawn_app_with(|config| {
        behind_proxy(config);
        config.max_streams_per_address = 2;
        config.max_streams = 3;
        // Frequent keep-alives, so a stream whose client left is noticed soon.
        config.heartbeat_ms = 50;
    })
    .await;
    let first = open_stream(&app, "203.0.113.1").await;
    let second = open_stream(&app, "203.0.113.1").await;
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open_stream(&app, "203.0.113.1").await;
    assert_eq!(third.status(), 503);
    assert_eq!(third.headers()["retry-after"], "2");
    assert_eq!(status_and_code(third).await.1, "Busy");
    let other = open_stream(&app, "203.0.113.2").await;
    assert_eq!(other.status(), 200);
    // Three open: the instance's cap, whatever the address.
    assert_eq!(open_stream(&app, "203.0.113.3").await.status(), 503);
    // A client that leaves gives its slot back.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.state.streams.open() > 2 {
        assert!(
            Instant::now() < deadline,
            "waited 10 s for the server to notice a closed stream"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(open_stream(&app, "203.0.113.3").await.status(), 200);
    drop((second, other));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_impact_figures_are_computed_once_per_interval_however_many_pages_ask() {
    let every = Duration::from_millis(1_000);
    let app = spawn_app_with(|config| config.impact_every_ms = every.as_millis() as u64).await;
    let load = |app: &TestApp| {
        let request = app.http.post(app.url("/api/load_impact")).send();
        async move {
            let response = request.await.expect("figures answered");
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    load(&app).await;
    let before = app.state.impact.computed();
    let started = Instant::now();
    futures::future::join_all((0..50).map(|_| load(&app))).await;
    let intervals = started.elapsed().as_millis() / every.as_millis();
    let computed = app.state.impact.computed() - before;
    assert!(
        u128::from(computed) <= intervals + 1,
        "50 pages computed the figures {computed} times in {} intervals",
        intervals + 1
    );
    // After a change, the next answers are as of that change (never older than it).
    let need = app
        .publish(
            "助学生活费",
            wanshan_app::domain::Window::Education,
            "延陵镇",
        )
        .await;
    let logged = app.scalar("SELECT MAX(id) FROM events").await;
    for figures in futures::future::join_all((0..10).map(|_| load(&app))).await {
        assert!(figures["as_of"].as_i64().unwrap() >= logged, "{figures}");
    }
    let _ = need;
}
