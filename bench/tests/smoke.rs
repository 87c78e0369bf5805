//! The harness works: 100 subscribers on the real server (in this process) and on the floor
//! each receive the claim's event exactly once. How fast is for `./run.sh bench`, not a test.

use std::sync::Arc;
use wanshan_app::db::needs;
use wanshan_app::domain::{Ask, NewNeed, Urgency, UtcMillis, Window};
use wanshan_bench::{claims, fanout};
use wanshan_server::config::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_subscribers_each_get_the_claim_on_ours_and_on_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("smoke.db").to_str().unwrap().to_owned();
    let (addr, state, _server) = wanshan_server::spawn(Config {
        // All hundred subscribers come from this one address.
        max_streams_per_address: 1_000,
        ..Config::for_tests(database)
    })
    .await
    .unwrap();
    let need = NewNeed::parse(
        Window::Services,
        "基准冒烟测试需求",
        "只用于检查基准测试工具本身能正常工作。",
        "访仙镇",
        "萧家村",
        Ask::Service,
        Urgency::Normal,
    )
    .unwrap();
    let need = needs::publish(&state.db, &need, UtcMillis::now())
        .await
        .unwrap();
    let base = format!("http://{addr}");
    let donor = claims::sign_up_donors(&base, 1).await.remove(0);
    let ours = fanout::measure(
        addr,
        "/api/events",
        || 0,
        100,
        || async {
            assert_eq!(claims::claim_once(&base, &donor, need.id.0).await, 200);
        },
    )
    .await;
    assert_eq!(ours.latency.count, 100);
    assert!(
        ours.latency.p50_us <= ours.latency.p99_us && ours.latency.p99_us <= ours.latency.max_us
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let floor_addr = listener.local_addr().unwrap();
    tokio::spawn(fanout::floor_server(listener));
    let floor = fanout::measure(
        floor_addr,
        "/events",
        || 0,
        100,
        || async {
            let response = reqwest::Client::new()
                .post(format!("http://{floor_addr}/trigger"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 204);
        },
    )
    .await;
    assert_eq!(floor.latency.count, 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_claim_load_counts_every_answer_and_the_audit_finds_no_double_claim() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("load.db").to_str().unwrap().to_owned();
    let (addr, state, _server) = wanshan_server::spawn(Config {
        max_open_claims: 100_000_000,
        max_claims_per_day: 100_000_000,
        ..Config::for_tests(database)
    })
    .await
    .unwrap();
    let ids = Arc::new(claims::seed_needs(&state.db, 20).await);
    let load = claims::http_load(
        &format!("http://{addr}"),
        ids,
        8,
        4,
        std::time::Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        (load.requests, load.wins, load.already_claimed, load.errors),
        (80, 20, 60, 0)
    );
    assert_eq!(claims::audit(&state.db).await, (0, 20, 20));
}
