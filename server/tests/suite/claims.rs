//! Claiming: exactly one winner under any race, and bad input changes nothing.

use crate::support::{race_claims, spawn_app};
use serde_json::Value;
use wanshan_app::domain::Window;

async fn error_code(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("a JSON error body");
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_claims_have_exactly_one_winner() {
    let app = spawn_app().await;
    let need = app
        .publish("尿毒症透析自付费用", Window::Medical, "延陵镇")
        .await;
    let (winners, already_claimed) = race_claims(&[&app], need.id.0, 200).await;
    assert_eq!((winners, already_claimed), (1, 199));
    let active = app
        .scalar(&format!(
            "SELECT COUNT(*) FROM claims WHERE need_id = {} AND released_at IS NULL",
            need.id
        ))
        .await;
    assert_eq!(active, 1);
    let claimed_events = app
        .scalar("SELECT COUNT(*) FROM events WHERE kind = 'need_claimed'")
        .await;
    assert_eq!(claimed_events, 1, "one claim, one event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_returns_a_receipt_and_the_need_leaves_the_board() {
    let app = spawn_app().await;
    let need = app
        .publish("高三学生住校生活费", Window::Education, "珥陵镇")
        .await;
    let other = app
        .publish("漏雨屋顶修补工程", Window::Home, "延陵镇")
        .await;
    assert!(app.page("/").await.contains("高三学生住校生活费"));

    let response = app.claim_need(need.id.0, "王先生", "138 1234 5678").await;
    assert_eq!(response.status(), 200);
    let receipt: Value = response.json().await.unwrap();
    assert_eq!(receipt["need_id"], need.id.0);
    assert_eq!(receipt["title"], "高三学生住校生活费");

    let board = app.page("/").await;
    assert!(
        !board.contains("高三学生住校生活费"),
        "claimed need still on the board"
    );
    assert!(board.contains(&other.title));
    let stored: String = sqlx::query_scalar("SELECT donor_contact FROM claims")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, "13812345678", "phone stored normalised");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_claims_get_a_clear_error_and_change_nothing() {
    let app = spawn_app().await;
    let open = app
        .publish("听障儿童助听器更换", Window::Disability, "皇塘镇")
        .await;
    let fulfilled = app.publish("卫生间加装扶手", Window::Home, "丹北镇").await;
    sqlx::query("UPDATE needs SET status = 'fulfilled' WHERE id = $1")
        .bind(fulfilled.id.0)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let in_review = app.publish("尚在审核的需求", Window::Home, "丹北镇").await;
    sqlx::query("UPDATE needs SET status = 'council_review' WHERE id = $1")
        .bind(in_review.id.0)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let id = open.id.0.to_string();
    let fulfilled_id = fulfilled.id.0.to_string();
    let in_review_id = in_review.id.0.to_string();
    let donor = app.donor("王先生").await;
    let volunteer = app
        .person("只做志愿者", "13700000001", &[("volunteer", "")])
        .await;
    // (what, who, form fields, expected status, expected code)
    type Case<'a> = (
        &'a str,
        Option<&'a crate::support::Person>,
        Vec<(&'a str, &'a str)>,
        u16,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (
            "not signed in",
            None,
            vec![("need_id", &id)],
            401,
            "Unauthorized",
        ),
        (
            "not a donor",
            Some(&volunteer),
            vec![("need_id", &id)],
            403,
            "Forbidden",
        ),
        (
            "unknown need",
            Some(&donor),
            vec![("need_id", "999999")],
            404,
            "NeedNotFound",
        ),
        (
            "need still in review",
            Some(&donor),
            vec![("need_id", &in_review_id)],
            404,
            "NeedNotFound",
        ),
        (
            "fulfilled need",
            Some(&donor),
            vec![("need_id", &fulfilled_id)],
            409,
            "NotOpen",
        ),
        (
            "need id not a number",
            Some(&donor),
            vec![("need_id", "abc")],
            400,
            "BadRequest",
        ),
        ("missing field", Some(&donor), vec![], 400, "BadRequest"),
        (
            "negative need id",
            Some(&donor),
            vec![("need_id", "-3")],
            404,
            "NeedNotFound",
        ),
    ];
    for (what, who, fields, status, code) in cases {
        let (got, body) = error_code(app.post_as(who, "claim_need", &fields).await).await;
        assert_eq!(
            (got, body["code"].as_str().unwrap()),
            (status, code),
            "{what}: {body}"
        );
        assert!(
            !body["message"].as_str().unwrap().is_empty(),
            "{what}: no message"
        );
    }

    // Not JSON at all, and far too large.
    let garbage = app
        .http
        .post(app.url("/api/claim_need"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("%%%&&&===")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let huge = app
        .http
        .post(app.url("/api/claim_need"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("need_id={id}&padding={}", "x".repeat(200_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM claims").await,
        0,
        "a claim was written"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM needs WHERE status = 'published'")
            .await,
        1,
        "a need changed status"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM events WHERE kind = 'need_claimed'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_claim_of_a_claimed_need_is_refused_in_plain_words() {
    let app = spawn_app().await;
    let need = app
        .publish("白血病患儿化疗费用", Window::Medical, "司徒镇")
        .await;
    assert_eq!(
        app.claim_need(need.id.0, "甲", "13800000001")
            .await
            .status(),
        200
    );
    let (status, body) = error_code(app.claim_need(need.id.0, "乙", "13800000002").await).await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "AlreadyClaimed");
    assert!(body["message"]
        .as_str()
        .unwrap()
        .contains("已被其他爱心人士认领"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_renders_on_the_server_and_filters_by_window_and_town() {
    let app = spawn_app().await;
    app.publish("大学新生学费与路费", Window::Education, "导墅镇")
        .await;
    app.publish("肺癌术后靶向药费用", Window::Medical, "导墅镇")
        .await;
    app.publish("听障儿童助听器更换", Window::Disability, "皇塘镇")
        .await;

    let all = app.page("/").await;
    assert!(all.contains("lang=\"zh-CN\""));
    for title in [
        "大学新生学费与路费",
        "肺癌术后靶向药费用",
        "听障儿童助听器更换",
    ] {
        assert!(
            all.contains(title),
            "{title} missing from the server-rendered board"
        );
    }
    assert!(all.contains("3 条需求等待认领"));

    let education = app.page("/?window=education").await;
    assert!(education.contains("大学新生学费与路费"));
    assert!(!education.contains("肺癌术后靶向药费用"));

    let town = "/?town=%E7%9A%87%E5%A1%98%E9%95%87"; // 皇塘镇
    let huangtang = app.page(town).await;
    assert!(huangtang.contains("听障儿童助听器更换"));
    assert!(!huangtang.contains("大学新生学费与路费"));

    let unknown = app.http.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    let response = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        response.headers()["x-frame-options"],
        "DENY",
        "claim form must not be framed"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["referrer-policy"], "same-origin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_lists_thirty_needs_at_a_time_and_counts_them_all() {
    let app = spawn_app().await;
    for i in 0..35 {
        app.publish(
            &format!("第{i:02}户的助学需求"),
            Window::Education,
            "吕城镇",
        )
        .await;
    }
    let cards = |page: &str| page.matches("data-need-id=").count();
    let first = app.page("/").await;
    assert_eq!(cards(&first), 30);
    assert!(first.contains("35 条需求等待认领"));
    assert!(first.contains("再显示 5 条（还有 5 条）"));
    assert!(first.contains("href=\"/?pages=2\""));
    let both = app.page("/?pages=2").await;
    assert_eq!(cards(&both), 35);
    assert!(!both.contains("再显示"));
    let absurd = app.page("/?pages=99999").await;
    assert_eq!(cards(&absurd), 35, "pages are capped, not refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_posted_without_javascript_lands_on_a_board_that_confirms_it() {
    let app = spawn_app().await;
    let need = app
        .publish("行动不便老人代办就医", Window::Services, "皇塘镇")
        .await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects
        .post(app.url("/api/claim_need"))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url("/"))
        .header("cookie", app.donor("郑女士").await.cookie)
        .form(&[("need_id", need.id.0.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/?claimed={}", need.id));
    let board = app.page(&location).await;
    assert!(board.contains(&format!("认领成功（需求编号 {}）", need.id)));
    assert!(!board.contains("行动不便老人代办就医"));

    // The hydrated client's call gets the receipt itself, not a redirect.
    let other = app
        .publish("留守儿童暑期阅读角", Window::Services, "珥陵镇")
        .await;
    let response = app.claim_need(other.id.0, "郑女士", "13912340001").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_text_is_a_client_error_not_a_server_error() {
    let app = crate::support::spawn_app().await;
    let donor = app.donor("乱码").await;
    for endpoint in [
        "claim_need",
        "sign_in",
        "sign_up",
        "approve_need",
        "save_need",
    ] {
        let response = app
            .http
            .post(app.url(&format!("/api/{endpoint}")))
            .header("cookie", &donor.cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, b'=', 0xc3, 0x28])
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{endpoint}: {status}");
    }
}
