//! Claim to confirmed delivery, partial pledges, expiry, release, the open-claim limit, photos
//! and the credit ledger.

use crate::support::{spawn_app, status_and_code, Person, TestApp};
use serde_json::Value;
use wanshan_app::db::claims;
use wanshan_app::domain::UtcMillis;

pub(crate) async fn volunteer(app: &TestApp) -> Person {
    app.person("协调志愿者", "13600001111", &[("volunteer", "延陵镇")])
        .await
}

pub(crate) async fn claim_id(response: reqwest::Response) -> i64 {
    assert_eq!(response.status(), 200);
    let receipt: Value = response.json().await.unwrap();
    receipt["claim_id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_pledges_never_exceed_the_amount_and_exactly_fill_it() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app
        .publish_money("医疗费用缺口", "延陵镇", 3000, &author)
        .await;
    let mut donors = Vec::new();
    for i in 0..100 {
        donors.push(
            app.person(
                &format!("认捐人{i}"),
                &format!("1330000{i:04}"),
                &[("donor", "")],
            )
            .await,
        );
    }
    let mut stream = app
        .stream(
            "",
            Some(app.scalar("SELECT COALESCE(MAX(id), 0) FROM events").await),
        )
        .await;
    // ¥50 each (the smallest pledge): 60 fit exactly into ¥3,000.
    let pledges = donors.iter().map(|donor| {
        let request = app
            .http
            .post(app.url("/api/claim_need"))
            .header("cookie", donor.cookie.clone())
            .form(&[("need_id", need.to_string()), ("amount", "50".to_owned())]);
        tokio::spawn(async move { request.send().await.unwrap() })
    });
    let (mut accepted, mut refused) = (0, 0);
    for response in futures::future::join_all(pledges).await {
        let response = response.unwrap();
        match response.status().as_u16() {
            200 => accepted += 1,
            409 | 422 => {
                let body: Value = response.json().await.unwrap();
                assert!(
                    ["AlreadyClaimed", "Invalid"].contains(&body["code"].as_str().unwrap()),
                    "{body}"
                );
                refused += 1;
            }
            other => panic!("unexpected {other}: {:?}", response.text().await),
        }
    }
    assert_eq!((accepted, refused), (60, 40));
    assert_eq!(
        app.scalar(&format!(
            "SELECT CAST(SUM(amount_fen) AS BIGINT) FROM claims WHERE need_id = {need}"
        ))
        .await,
        300_000
    );
    assert_eq!(
        app.scalar(&format!("SELECT pledged_fen FROM needs WHERE id = {need}"))
            .await,
        300_000
    );
    assert_eq!(app.status_of(need).await, "claimed");
    // Live: 59 changes of what is left, then the claim that takes it off the board.
    let mut kinds = Vec::new();
    for _ in 0..60 {
        let data = stream.next().await.data;
        let change: Value = serde_json::from_str(&data).unwrap();
        kinds.push(change["type"].as_str().unwrap().to_owned());
    }
    assert_eq!(kinds.iter().filter(|k| *k == "need_changed").count(), 59);
    assert_eq!(kinds.last().unwrap(), "need_claimed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_larger_than_what_is_left_is_refused_saying_what_is_left() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app.publish_money("助学费用", "延陵镇", 1000, &author).await;
    let first = app.donor("甲").await;
    assert_eq!(
        app.post_as(
            Some(&first),
            "claim_need",
            &[("need_id", &need.to_string()), ("amount", "600")]
        )
        .await
        .status(),
        200
    );
    let board = app.page("/").await;
    assert!(
        board.contains("¥400"),
        "the board shows what is still needed"
    );
    let second = app.donor("乙").await;
    let response = app
        .post_as(
            Some(&second),
            "claim_need",
            &[("need_id", &need.to_string()), ("amount", "500")],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("¥400"), "{body}");
    // An empty amount pledges all that is left.
    let receipt: Value = app
        .post_as(
            Some(&second),
            "claim_need",
            &[("need_id", &need.to_string()), ("amount", "")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(receipt["amount"], 40_000);
    assert_eq!(app.status_of(need).await, "claimed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_deliver_confirm_fulfils_the_need_and_credits_donor_and_volunteer() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app.publish_money("透析费用", "延陵镇", 2000, &author).await;
    let donor = app.donor("王先生").await;
    let mut stream = app
        .stream(
            "",
            Some(app.scalar("SELECT COALESCE(MAX(id), 0) FROM events").await),
        )
        .await;
    let response = app.claim_as(&donor, need).await;
    let receipt: Value = response.json().await.unwrap();
    // The donor is told whom to contact: the coordinating volunteer, never the family.
    assert_eq!(receipt["coordinator"]["name"], "协调志愿者");
    assert_eq!(receipt["coordinator"]["phone"], "13600001111");
    let claim = receipt["claim_id"].as_i64().unwrap();
    let mine = app.my_claims(&donor).await;
    assert_eq!(mine[0]["status"], "open");
    assert_eq!(mine[0]["coordinator"]["phone"], "13600001111");

    // Confirming before delivery is out of order; the donor cannot confirm their own.
    let early = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(status_and_code(early).await, (409, "WrongStage".into()));
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
    assert_eq!(app.my_claims(&donor).await[0]["status"], "delivered");
    let own = app
        .post_as(
            Some(&donor),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(status_and_code(own).await.0, 403);
    let elsewhere = app
        .person("别镇志愿者", "13600002222", &[("volunteer", "吕城镇")])
        .await;
    let wrong_town = app
        .post_as(
            Some(&elsewhere),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(status_and_code(wrong_town).await.0, 403);
    let deliveries: Value = app
        .post_as(Some(&author), "list_deliveries", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deliveries[0]["claim"]["claim_id"], claim);

    let confirmed = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(app.status_of(need).await, "fulfilled");
    stream.next().await; // need_claimed
    let fulfilled = stream.next().await;
    assert!(
        fulfilled.data.contains("need_fulfilled"),
        "{}",
        fulfilled.data
    );
    // Confirming twice pays nothing twice.
    let again = app
        .post_as(
            Some(&author),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(status_and_code(again).await, (409, "WrongStage".into()));

    // The ledger: the donor's fulfilment, the volunteer's confirmation; balances are its sums.
    let entries: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT user_id, reason, points FROM credit_ledger ORDER BY id")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        entries,
        vec![
            (donor.id.0, "fulfilment".into(), 10),
            (author.id.0, "confirmation".into(), 2)
        ]
    );
    for person in [&donor, &author] {
        let (balance, _): (i64, bool) = app
            .post_as(Some(person), "my_credit", &[])
            .await
            .json()
            .await
            .unwrap();
        let sum: i64 = entries
            .iter()
            .filter(|(user, _, _)| *user == person.id.0)
            .map(|(_, _, p)| p)
            .sum();
        assert_eq!(balance, sum);
    }
    // The ledger cannot be changed behind the app's back.
    assert!(sqlx::query("UPDATE credit_ledger SET points = 1000")
        .execute(&app.state.db.pool)
        .await
        .is_err());
    assert!(sqlx::query("DELETE FROM credit_ledger")
        .execute(&app.state.db.pool)
        .await
        .is_err());

    // The leaderboard, masked until the donor shows their name; never a phone.
    let board = app
        .post_as(None, "load_leaderboard", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        board.contains("王*") && !board.contains("王先生") && !board.contains(&donor.phone),
        "{board}"
    );
    assert_eq!(
        app.post_as(Some(&donor), "set_anonymous", &[("anonymous", "false")])
            .await
            .status(),
        200
    );
    let board: Value = app
        .post_as(None, "load_leaderboard", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board[0]["name"], "王先生");
    assert_eq!(board[0]["points"], 10);

    // The CSV export, for admins only.
    let admin = app.person("管理员", "13600003333", &[("admin", "")]).await;
    assert_eq!(
        app.get_as(Some(&donor), "/api/credit/ledger.csv")
            .await
            .status(),
        403
    );
    let csv = app
        .get_as(Some(&admin), "/api/credit/ledger.csv")
        .await
        .text()
        .await
        .unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[1].contains(&donor.phone) && lines[1].contains(",10,"),
        "{csv}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undelivered_claim_expires_back_onto_the_board_live_and_the_donor_is_told() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app.publish_money("康复器具", "延陵镇", 800, &author).await;
    let donor = app.donor("赵女士").await;
    let claimed_at = UtcMillis::now();
    let claim = claim_id(app.claim_as(&donor, need).await).await;
    let expires_at = app
        .scalar(&format!("SELECT expires_at FROM claims WHERE id = {claim}"))
        .await;
    assert!(
        expires_at >= claimed_at.0 + 14 * 86_400_000
            && expires_at < claimed_at.0 + 14 * 86_400_000 + 60_000
    );
    let mut stream = app
        .stream("", Some(app.scalar("SELECT MAX(id) FROM events").await))
        .await;

    // A moment before its time: nothing happens.
    assert_eq!(
        claims::expire_overdue(&app.state.db, UtcMillis(expires_at - 1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.status_of(need).await, "claimed");
    // At its time: released, live, back on the board.
    assert_eq!(
        claims::expire_overdue(&app.state.db, UtcMillis(expires_at))
            .await
            .unwrap(),
        1
    );
    // The release's commit wakes the boards by itself.
    let event = stream.next().await;
    assert!(
        event.data.contains("need_published") && event.data.contains(&format!("\"id\":{need}")),
        "{}",
        event.data
    );
    assert_eq!(app.status_of(need).await, "published");
    assert!(app.page("/").await.contains("康复器具"));
    assert_eq!(app.my_claims(&donor).await[0]["status"], "expired");
    // Once only, and a late delivery is refused.
    assert_eq!(
        claims::expire_overdue(&app.state.db, UtcMillis(expires_at + 1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        status_and_code(app.deliver(&donor, claim, None).await).await,
        (409, "WrongStage".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_releases_a_claim_and_holds_at_most_five_open_ones() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let donor = app.donor("钱先生").await;
    let mut needs = Vec::new();
    for i in 0..6 {
        needs.push(
            app.publish_money(&format!("需求{i}号"), "延陵镇", 500, &author)
                .await,
        );
    }
    let mut claims = Vec::new();
    for need in &needs[..5] {
        claims.push(claim_id(app.claim_as(&donor, *need).await).await);
    }
    let sixth = app.claim_as(&donor, needs[5]).await;
    assert_eq!(status_and_code(sixth).await, (409, "TooManyClaims".into()));
    assert_eq!(app.status_of(needs[5]).await, "published");

    // Someone else cannot release it; the donor can, once; then there is room again.
    let other = app.donor("孙女士").await;
    let response = app
        .post_as(
            Some(&other),
            "release_claim",
            &[("claim_id", &claims[0].to_string())],
        )
        .await;
    assert_eq!(status_and_code(response).await.0, 403);
    assert_eq!(
        app.post_as(
            Some(&donor),
            "release_claim",
            &[("claim_id", &claims[0].to_string())]
        )
        .await
        .status(),
        200
    );
    assert_eq!(app.status_of(needs[0]).await, "published");
    let twice = app
        .post_as(
            Some(&donor),
            "release_claim",
            &[("claim_id", &claims[0].to_string())],
        )
        .await;
    assert_eq!(status_and_code(twice).await, (409, "WrongStage".into()));
    assert_eq!(app.claim_as(&donor, needs[5]).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_or_fake_photo_is_refused_and_a_real_one_is_shown_only_to_the_town() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app
        .publish_money("助听器更换", "延陵镇", 800, &author)
        .await;
    let donor = app.donor("周先生").await;
    let claim = claim_id(app.claim_as(&donor, need).await).await;

    let mut huge = vec![0xFF, 0xD8, 0xFF, 0xE0];
    huge.resize(5 * 1024 * 1024 + 1, 0);
    let (status, _) = status_and_code(
        app.deliver(&donor, claim, Some(("receipt.jpg", huge)))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    let fake = app
        .deliver(
            &donor,
            claim,
            Some(("receipt.png", b"<html>not an image</html>".to_vec())),
        )
        .await;
    assert_eq!(fake.status(), 422);
    let body: Value = fake.json().await.unwrap();
    assert_eq!(body["field"], "photo");
    assert!(body["message"].as_str().unwrap().contains("JPEG 或 PNG"));
    assert_eq!(
        app.my_claims(&donor).await[0]["status"],
        "open",
        "a refused delivery changed the claim"
    );

    let png = crate::support::png(false);
    assert_eq!(
        app.deliver(&donor, claim, Some(("photo.bin", png.clone())))
            .await
            .status(),
        204
    );
    let photos = std::fs::read_dir(app.state.settings.data_dir.join("photos"))
        .unwrap()
        .count();
    assert_eq!(photos, 1);
    let seen = app
        .get_as(Some(&author), &format!("/api/claims/{claim}/photo"))
        .await;
    assert_eq!(seen.status(), 200);
    assert_eq!(seen.headers()["content-type"], "image/png");
    assert_eq!(seen.bytes().await.unwrap().to_vec(), png);
    let reviewer = app
        .person("议事小组", "13600004444", &[("reviewer", "延陵镇")])
        .await;
    assert_eq!(
        app.get_as(Some(&reviewer), &format!("/api/claims/{claim}/photo"))
            .await
            .status(),
        200
    );
    for who in [Some(&donor), None] {
        let status = app
            .get_as(who, &format!("/api/claims/{claim}/photo"))
            .await
            .status();
        assert!(status == 401 || status == 403, "{status}");
    }
    let elsewhere = app
        .person("别镇议事小组", "13600005555", &[("reviewer", "吕城镇")])
        .await;
    assert_eq!(
        app.get_as(Some(&elsewhere), &format!("/api/claims/{claim}/photo"))
            .await
            .status(),
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_impact_board_counts_what_was_published_claimed_and_delivered() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let first = app
        .publish_money("助医需求之一", "延陵镇", 1000, &author)
        .await;
    app.publish_money("助医需求之二", "延陵镇", 600, &author)
        .await;
    let before: Value = app
        .post_as(None, "load_impact", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (before["published"].as_i64(), before["fulfilled"].as_i64()),
        (Some(2), Some(0))
    );
    assert_eq!(before["median_minutes_to_fulfil"], Value::Null);

    // Two donors pledge ¥600 and ¥400; both deliver; the volunteer confirms both.
    let mut claims = Vec::new();
    for (name, yuan) in [("甲", "600"), ("乙", "400")] {
        let donor = app.donor(name).await;
        let response = app
            .post_as(
                Some(&donor),
                "claim_need",
                &[("need_id", &first.to_string()), ("amount", yuan)],
            )
            .await;
        let claim = claim_id(response).await;
        assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
        claims.push(claim);
    }
    let mut fulfilled = Vec::new();
    for claim in &claims {
        let response = app
            .post_as(
                Some(&author),
                "confirm_delivery",
                &[
                    ("claim_id", &claim.to_string()),
                    ("reason", "老人不会用手机，当面确认"),
                ],
            )
            .await;
        fulfilled.push(response.json::<bool>().await.unwrap());
    }
    // One pledge of two confirmed does not fulfil the need; the second does.
    assert_eq!(fulfilled, [false, true]);

    let after: Value = app
        .post_as(None, "load_impact", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(after["published"], 2);
    assert_eq!(after["claimed"], 1);
    assert_eq!(after["fulfilled"], 1);
    assert_eq!(after["money_delivered_fen"], 100_000);
    assert!(
        after["median_minutes_to_claim"].is_i64() && after["median_minutes_to_fulfil"].is_i64()
    );
    let medical = after["by_window"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["label"] == "助医")
        .unwrap();
    assert_eq!(
        (medical["published"].as_i64(), medical["fulfilled"].as_i64()),
        (Some(2), Some(1))
    );
    let months = after["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    assert_eq!(months[11]["fulfilled"], 1, "this month");
    // Each donor earned their own fulfilment points.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM credit_ledger WHERE reason = 'fulfilment'")
            .await,
        2
    );
    assert!(app.page("/impact").await.contains("¥1,000"));
}
