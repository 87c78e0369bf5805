//! Several server instances on one database: the live board stays live across all of them and
//! claim-once holds across all of them. Runs on whichever backend the suite runs on; on
//! PostgreSQL each instance's pump hears other instances' changes through LISTEN/NOTIFY.

use crate::support::{fresh_database, postgres_admin_url, race_claims, spawn_instance, TestApp};
use wanshan_app::domain::{LiveChange, Window};
use wanshan_server::config::Config;

/// Two instances on one fresh database. On PostgreSQL the second never polls (an hour), so only
/// a NOTIFY can wake it; on SQLite, which has no notifications, it polls every 50 ms.
async fn two_instances() -> (TestApp, TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let a = spawn_instance(
        tempfile::tempdir().unwrap(),
        Config::for_tests(database.clone()),
    )
    .await;
    let mut config = Config::for_tests(database);
    config.live_poll_ms = if postgres_admin_url().is_some() {
        3_600_000
    } else {
        50
    };
    let b = spawn_instance(dir, config).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_claimed_through_one_instance_vanishes_from_a_board_on_another() {
    let (a, b) = two_instances().await;
    let need = a
        .publish("双胞胎初中生课外辅导", Window::Education, "云阳街道")
        .await;
    let as_of = wanshan_app::db::events::latest(&b.state.db)
        .await
        .unwrap()
        .0;
    let mut board_on_b = b.stream(&format!("?after={as_of}"), None).await;
    assert_eq!(
        a.claim_need(need.id.0, "吴先生", "13600000001")
            .await
            .status(),
        200
    );
    let event = board_on_b.next().await;
    let change: LiveChange = serde_json::from_str(&event.data).unwrap();
    let expected = LiveChange::NeedClaimed {
        need_id: need.id,
        window: need.window,
        town: need.town.clone(),
    };
    assert_eq!(change, expected);
    assert!(!b.page("/").await.contains("双胞胎初中生课外辅导"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_claims_split_across_two_instances_have_exactly_one_winner() {
    let (a, b) = two_instances().await;
    let need = a
        .publish("肺癌术后靶向药费用", Window::Medical, "导墅镇")
        .await;
    let (winners, already_claimed) = race_claims(&[&a, &b], need.id.0, 200).await;
    assert_eq!((winners, already_claimed), (1, 199));
    let active = a
        .scalar(&format!(
            "SELECT COUNT(*) FROM claims WHERE need_id = {} AND released_at IS NULL",
            need.id
        ))
        .await;
    assert_eq!(active, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_written_through_two_instances_reach_a_stream_in_order_without_gaps() {
    let (a, b) = two_instances().await;
    let as_of = wanshan_app::db::events::latest(&a.state.db)
        .await
        .unwrap()
        .0;
    let mut stream = b.stream(&format!("?after={as_of}"), None).await;
    let publishes = (0..40).map(|i| {
        let instance = if i % 2 == 0 { &a } else { &b };
        async move {
            instance
                .publish(&format!("并发发布的需求{i:02}"), Window::Home, "界牌镇")
                .await
        }
    });
    futures::future::join_all(publishes).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(stream.next().await.id.expect("every change has an id"));
    }
    let expected: Vec<i64> = (as_of + 1..=as_of + 40).collect();
    assert_eq!(ids, expected, "every event exactly once, in log order");
}

/// An agency key's calls per minute hold across instances: 24 calls at once, split over two
/// instances, for a key allowed 5 a minute: exactly 5 answered, 19 refused with 429, and the
/// audit log holds the 5 and one refusal.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_api_keys_limit_holds_across_instances() {
    let (a, b) = two_instances().await;
    let admin = a.person("管理员", "13700000371", &[("admin", "")]).await;
    let agency = wanshan_app::db::agencies::create_agency(
        &a.state.db,
        "丹阳市民政局",
        admin.id,
        wanshan_app::domain::UtcMillis::now(),
    )
    .await
    .unwrap();
    let token = wanshan_app::db::agencies::create_key(
        &a.state.db,
        agency,
        "",
        wanshan_app::private::Scopes {
            query: true,
            record: false,
        },
        5,
        admin.id,
        wanshan_app::domain::UtcMillis::now(),
    )
    .await
    .unwrap();
    let person = crate::support::id_number(371);
    let calls = (0..24).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.http
            .post(app.url("/api/v1/aid/query"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "id_number": person }))
            .send()
    });
    let mut statuses: Vec<u16> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("answered").status().as_u16())
        .collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        19,
        "{statuses:?}"
    );
    assert_eq!(
        a.scalar("SELECT COUNT(*) FROM api_calls WHERE status = 200")
            .await,
        5
    );
    assert_eq!(
        a.scalar("SELECT COUNT(*) FROM api_calls WHERE status = 429")
            .await,
        1
    );
}
