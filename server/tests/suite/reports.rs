//! Reports from the public (举报/纠错): anyone files one, a few per address; the town's council
//! reviewer hears of it and pauses, resumes, resolves or withdraws, live on every board.

use crate::support::{spawn_app_with, status_and_code, Person, TestApp};
use serde_json::Value;
use wanshan_app::db::{events, needs};
use wanshan_app::domain::{LiveChange, NeedId, Window};

/// A server that takes the client's address from `X-Real-IP`, as behind the city's proxy: each
/// test chooses the address its reports come from.
async fn app() -> TestApp {
    spawn_app_with(|config| config.trusted_proxy_header = Some("x-real-ip".into())).await
}

/// Reports `need` as `who`, from `address`.
async fn report(
    app: &TestApp,
    who: Option<&Person>,
    need: i64,
    reason: &str,
    note: &str,
    address: &str,
) -> reqwest::Response {
    app.post_from(
        who,
        "report_need",
        &[
            ("need_id", &need.to_string()),
            ("reason", reason),
            ("note", note),
        ],
        address,
    )
    .await
}

async fn reviewer(app: &TestApp, name: &str, phone: &str, town: &str) -> Person {
    app.person(name, phone, &[("reviewer", town)]).await
}

/// What `who` gets from `list_reports`: (status, body).
async fn listed(app: &TestApp, who: Option<&Person>) -> (u16, Value) {
    let response = app.post_as(who, "list_reports", &[]).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

async fn act(app: &TestApp, who: &Person, function: &str, need: i64) -> (u16, String) {
    status_and_code(
        app.post_as(Some(who), function, &[("need_id", &need.to_string())])
            .await,
    )
    .await
}

/// `donor` pledges `yuan` of money need `need`.
async fn pledge(app: &TestApp, donor: &Person, need: i64, yuan: &str) -> reqwest::Response {
    app.post_as(
        Some(donor),
        "claim_need",
        &[("need_id", &need.to_string()), ("amount", yuan)],
    )
    .await
}

async fn pledged_fen(app: &TestApp, need: i64) -> i64 {
    app.scalar(&format!("SELECT pledged_fen FROM needs WHERE id = {need}"))
        .await
}

/// Posts the report form as a browser without JavaScript does, from `address`: the response
/// is the page the browser lands on.
async fn report_without_script(app: &TestApp, need: i64, address: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/report_need"))
        .header("x-real-ip", address)
        .header("accept", "text/html")
        .header("referer", app.url(&format!("/needs/{need}/report")))
        .form(&[("need_id", need.to_string().as_str()), ("reason", "other")])
        .send()
        .await
        .unwrap()
}

async fn board_ids(app: &TestApp) -> Vec<i64> {
    needs::open_board(&app.state.db, &Default::default())
        .await
        .unwrap()
        .needs
        .iter()
        .map(|need| need.id.0)
        .collect()
}

async fn trail(app: &TestApp, need: i64) -> Vec<(String, Option<i64>, String)> {
    sqlx::query_as("SELECT action, actor_id, detail FROM need_trail WHERE need_id = $1 ORDER BY id")
        .bind(need)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_reaches_the_towns_reviewer_only_and_the_trail_says_why_not_who() {
    let app = app().await;
    let need = app.publish("举报测试需求", Window::Medical, "延陵镇").await;
    let id = need.id.0;
    let town_reviewer = reviewer(&app, "延陵镇议事小组", "13600000101", "延陵镇").await;
    let other_reviewer = reviewer(&app, "吕城镇议事小组", "13600000102", "吕城镇").await;
    let admin = app.person("管理员", "13600000103", &[("admin", "")]).await;
    let donor = app.donor("举报的捐助者").await;

    let filed = report(
        &app,
        None,
        id,
        "not_true",
        "邻居说家里条件不差",
        "192.0.2.1",
    )
    .await;
    assert_eq!(filed.status(), 200, "{:?}", filed.text().await);
    // A signed-in reporter is kept with the report, and never shown.
    let filed = report(&app, Some(&donor), id, "privacy", "", "192.0.2.2").await;
    assert_eq!(filed.status(), 200);

    let (status, mine) = listed(&app, Some(&town_reviewer)).await;
    assert_eq!(status, 200);
    let reported = &mine.as_array().unwrap()[0];
    assert_eq!(reported["need"]["id"], id);
    assert_eq!(reported["can_act"], true);
    let reports = reported["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["reason"], "privacy", "newest first");
    assert_eq!(reports[1]["note"], "邻居说家里条件不差");
    let body = mine.to_string();
    assert!(!body.contains(&donor.name) && !body.contains(&donor.phone));
    let (_, theirs) = listed(&app, Some(&other_reviewer)).await;
    assert_eq!(theirs, serde_json::json!([]));
    // An admin sees every town's reports, but acts only as a town's reviewer.
    let (_, all) = listed(&app, Some(&admin)).await;
    assert_eq!(all[0]["can_act"], false);
    assert_eq!(listed(&app, Some(&donor)).await.0, 403);
    assert_eq!(listed(&app, None).await.0, 401);

    // The town's reviewer heard of it once: a second report within the hour tells nobody again.
    let kinds = app.notice_kinds(&town_reviewer).await;
    assert_eq!(kinds, ["ReportReceived"]);
    assert!(app.notice_kinds(&other_reviewer).await.is_empty());
    let inbox = app.inbox(&town_reviewer).await;
    assert_eq!(inbox["notices"][0]["link"], "/review/reports");

    // The trail: the reason, no reporter.
    let steps = trail(&app, id).await;
    assert_eq!(
        steps,
        [
            ("reported".to_owned(), None, "情况不实".to_owned()),
            ("reported".to_owned(), None, "泄露隐私".to_owned()),
        ]
    );
    let reporter: Option<i64> =
        sqlx::query_scalar("SELECT reporter_id FROM reports WHERE reason = 'privacy'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(reporter, Some(donor.id.0));

    // The reviewer dismisses one; it shows resolved, and the trail says how.
    let report_id = reports[1]["id"].as_i64().unwrap().to_string();
    let resolved = app
        .post_as(
            Some(&town_reviewer),
            "resolve_report",
            &[
                ("report_id", &report_id),
                ("resolution", "dismissed"),
                ("note", "已上门核实，情况属实"),
            ],
        )
        .await;
    assert_eq!(resolved.status(), 200);
    let again = app
        .post_as(
            Some(&town_reviewer),
            "resolve_report",
            &[("report_id", &report_id), ("resolution", "corrected")],
        )
        .await;
    assert_eq!(status_and_code(again).await, (409, "WrongStage".into()));
    let (_, mine) = listed(&app, Some(&town_reviewer)).await;
    assert_eq!(mine[0]["reports"][1]["resolution"], "dismissed");
    let last = trail(&app, id).await.pop().unwrap();
    assert_eq!(
        last,
        (
            "report_resolved".to_owned(),
            Some(town_reviewer.id.0),
            "情况不实：不成立。已上门核实，情况属实".to_owned()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fourth_report_from_one_address_within_ten_minutes_is_refused_and_not_stored() {
    let app = app().await;
    let need = app
        .publish("频率测试需求", Window::Home, "延陵镇")
        .await
        .id
        .0;
    // Refused input is not counted.
    let bad = report(&app, None, need, "spam", "", "192.0.2.7").await;
    assert_eq!(status_and_code(bad).await, (422, "Invalid".into()));
    let unknown = report(&app, None, 999_999, "other", "", "192.0.2.7").await;
    assert_eq!(status_and_code(unknown).await, (404, "NeedNotFound".into()));
    for _ in 0..3 {
        assert_eq!(
            report(&app, None, need, "other", "", "192.0.2.7")
                .await
                .status(),
            200
        );
    }
    let fourth = report(&app, None, need, "wrong_info", "第四次", "192.0.2.7").await;
    assert_eq!(
        status_and_code(fourth).await,
        (429, "TooManyReports".into())
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM reports").await, 3);
    // Another address is not held back.
    let elsewhere = report(&app, None, need, "other", "", "198.51.100.7").await;
    assert_eq!(elsewhere.status(), 200);

    // Without JavaScript: the form posts, and the browser lands on a page that says why.
    let refused = report_without_script(&app, need, "192.0.2.7").await;
    assert_eq!(refused.status(), 200);
    let page = refused.text().await.unwrap();
    assert!(page.contains("举报/纠错太频繁"), "{page}");
    let accepted = report_without_script(&app, need, "203.0.113.9").await;
    assert!(accepted.url().as_str().ends_with("/report?sent=1"));
    let page = accepted.text().await.unwrap();
    assert!(page.contains("已收到，谢谢您"), "{page}");
    assert!(
        !page.contains("data-testid=\"report-form\""),
        "the form is done"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM reports").await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_twenty_first_open_report_of_a_need_is_refused_until_one_is_resolved() {
    let app = app().await;
    let need = app
        .publish("上限测试需求", Window::Home, "延陵镇")
        .await
        .id
        .0;
    let council = reviewer(&app, "延陵镇议事小组", "13600000111", "延陵镇").await;
    for n in 0..20 {
        let address = format!("192.0.2.{}", n + 10);
        let filed = report(&app, None, need, "other", "", &address).await;
        assert_eq!(filed.status(), 200, "report {n}");
    }
    let full = report(&app, None, need, "other", "", "198.51.100.1").await;
    assert_eq!(status_and_code(full).await, (409, "ReportsFull".into()));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM reports").await, 20);
    assert_eq!(
        app.notice_kinds(&council).await,
        ["ReportReceived"],
        "twenty reports, one notice"
    );
    let first: i64 = app.scalar("SELECT MIN(id) FROM reports").await;
    let resolved = app
        .post_as(
            Some(&council),
            "resolve_report",
            &[
                ("report_id", &first.to_string()),
                ("resolution", "corrected"),
            ],
        )
        .await;
    assert_eq!(resolved.status(), 200);
    // The refused address's try was given back: it may report now.
    let next = report(&app, None, need, "other", "", "198.51.100.1").await;
    assert_eq!(next.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_need_leaves_every_board_live_and_resuming_brings_it_back() {
    let app = app().await;
    let council = reviewer(&app, "延陵镇议事小组", "13600000121", "延陵镇").await;
    let author = app
        .person("录入志愿者", "13600000122", &[("volunteer", "延陵镇")])
        .await;
    let need = app
        .publish_money("暂停测试助医", "延陵镇", 3000, &author)
        .await;
    let other = app.publish("不受影响的需求", Window::Home, "延陵镇").await;
    // A pledge made before the pause stays.
    let donor = app.donor("先认捐的人").await;
    let pledged = pledge(&app, &donor, need, "500").await;
    assert_eq!(pledged.status(), 200);
    assert_eq!(
        report(&app, None, need, "not_true", "", "192.0.2.30")
            .await
            .status(),
        200
    );
    let as_of = events::latest(&app.state.db).await.unwrap().0;
    let mut stream = app.stream(&format!("?after={as_of}"), None).await;
    assert!(app.page("/").await.contains("暂停测试助医"));

    assert_eq!(
        act(&app, &council, "pause_need", need).await,
        (200, String::new())
    );
    let change: LiveChange = serde_json::from_str(&stream.next().await.data).unwrap();
    assert!(
        matches!(change, LiveChange::NeedWithdrawn { need_id, .. } if need_id == NeedId(need)),
        "{change:?}"
    );
    assert_eq!(board_ids(&app).await, [other.id.0]);
    assert!(!app.page("/").await.contains("暂停测试助医"));
    assert_eq!(app.status_of(need).await, "paused");
    assert_eq!(pledged_fen(&app, need).await, 50_000);
    // Its page says it is being looked into, without its text or a claim form.
    let page = app.page(&format!("/needs/{need}")).await;
    assert!(page.contains("此需求正在核实中"), "{page}");
    assert!(!page.contains("一户支出型困难家庭的真实需求"));
    assert!(!page.contains("确认认领"));
    // Nobody can claim it, and pausing twice is refused.
    let late = app.donor("晚来的人").await;
    let claim = app.claim_as(&late, need).await;
    assert_eq!(status_and_code(claim).await, (409, "NotOpen".into()));
    assert_eq!(
        act(&app, &council, "pause_need", need).await,
        (409, "WrongStage".into())
    );

    assert_eq!(
        act(&app, &council, "resume_need", need).await,
        (200, String::new())
    );
    let change: LiveChange = serde_json::from_str(&stream.next().await.data).unwrap();
    match change {
        LiveChange::NeedPublished { need: back } => {
            assert_eq!(back.id, NeedId(need));
            assert_eq!(back.pledged_fen, 50_000, "what is left is shown again");
        }
        other => panic!("expected the need back, got {other:?}"),
    }
    assert!(board_ids(&app).await.contains(&need));
    assert!(app.page("/").await.contains("暂停测试助医"));
    let steps: Vec<String> = trail(&app, need).await.into_iter().map(|s| s.0).collect();
    assert_eq!(steps, ["reported", "paused", "resumed"]);
    let again = app.claim_as(&late, need).await;
    assert_eq!(again.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_given_back_while_paused_leaves_the_need_paused() {
    let app = app().await;
    let council = reviewer(&app, "延陵镇议事小组", "13600000131", "延陵镇").await;
    let author = app
        .person("录入志愿者", "13600000132", &[("volunteer", "延陵镇")])
        .await;
    let need = app
        .publish_money("暂停中放弃", "延陵镇", 2000, &author)
        .await;
    let donor = app.donor("认捐人").await;
    let receipt: Value = pledge(&app, &donor, need, "300")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(act(&app, &council, "pause_need", need).await.0, 200);
    let claim = receipt["claim_id"].as_i64().unwrap().to_string();
    let released = app
        .post_as(Some(&donor), "release_claim", &[("claim_id", &claim)])
        .await;
    assert_eq!(released.status(), 200);
    assert_eq!(app.status_of(need).await, "paused");
    assert_eq!(pledged_fen(&app, need).await, 0);
    assert!(!board_ids(&app).await.contains(&need));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawing_releases_open_pledges_tells_their_donors_and_takes_the_need_down() {
    let app = app().await;
    let council = reviewer(&app, "延陵镇议事小组", "13600000141", "延陵镇").await;
    let author = app
        .person("录入志愿者", "13600000142", &[("volunteer", "延陵镇")])
        .await;
    let need = app
        .publish_money("撤下测试助医", "延陵镇", 3000, &author)
        .await;
    let (first, second) = (app.donor("认捐人甲").await, app.donor("认捐人乙").await);
    for (donor, yuan) in [(&first, "500"), (&second, "1000")] {
        let pledged = pledge(&app, donor, need, yuan).await;
        assert_eq!(pledged.status(), 200);
    }
    for (n, reason) in ["already_helped", "not_true"].into_iter().enumerate() {
        let address = format!("192.0.2.{}", 40 + n);
        assert_eq!(
            report(&app, None, need, reason, "", &address)
                .await
                .status(),
            200
        );
    }
    let as_of = events::latest(&app.state.db).await.unwrap().0;
    let mut stream = app.stream(&format!("?after={as_of}"), None).await;
    let withdrawn = app
        .post_as(
            Some(&council),
            "withdraw_need",
            &[("need_id", &need.to_string()), ("note", "已由镇民政办救助")],
        )
        .await;
    assert_eq!(withdrawn.status(), 200, "{:?}", withdrawn.text().await);

    let change: LiveChange = serde_json::from_str(&stream.next().await.data).unwrap();
    assert!(matches!(change, LiveChange::NeedWithdrawn { need_id, .. } if need_id == NeedId(need)));
    assert_eq!(app.status_of(need).await, "withdrawn");
    assert_eq!(pledged_fen(&app, need).await, 0);
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM claims WHERE need_id = {need} AND status = 'released' \
             AND released_at IS NOT NULL"
        ))
        .await,
        2
    );
    for donor in [&first, &second] {
        assert_eq!(app.notice_kinds(donor).await, ["NeedWithdrawn"]);
        let claims = app.my_claims(donor).await;
        assert_eq!(claims[0]["status"], "released", "{claims}");
    }
    assert!(!board_ids(&app).await.contains(&need));
    let gone = app.get_as(None, &format!("/needs/{need}")).await;
    assert_eq!(gone.status(), 404);
    let report_page = app.get_as(None, &format!("/needs/{need}/report")).await;
    assert_eq!(report_page.status(), 404);
    // Both reports are resolved as withdrawn; the trail says so.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM reports WHERE need_id = {need} AND resolution = 'withdrawn'"
        ))
        .await,
        2
    );
    let steps = trail(&app, need).await;
    assert_eq!(
        steps[2..],
        [
            (
                "withdrawn".to_owned(),
                Some(council.id.0),
                "已由镇民政办救助".to_owned()
            ),
            (
                "report_resolved".to_owned(),
                Some(council.id.0),
                "2 条举报：撤下".to_owned()
            ),
        ]
    );
    // For good: no report, no resume, no second withdrawal.
    let late = report(&app, None, need, "other", "", "192.0.2.49").await;
    assert_eq!(status_and_code(late).await, (404, "NeedNotFound".into()));
    assert_eq!(
        act(&app, &council, "resume_need", need).await,
        (409, "WrongStage".into())
    );
    assert_eq!(
        act(&app, &council, "withdraw_need", need).await,
        (409, "WrongStage".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_someone_already_delivered_to_cannot_be_withdrawn() {
    let app = app().await;
    let council = reviewer(&app, "延陵镇议事小组", "13600000151", "延陵镇").await;
    let author = app
        .person("录入志愿者", "13600000152", &[("volunteer", "延陵镇")])
        .await;
    let need = app
        .publish_money("已送达的需求", "延陵镇", 3000, &author)
        .await;
    let (giver, pledger) = (app.donor("已送达的人").await, app.donor("未送达的人").await);
    let receipt: Value = pledge(&app, &giver, need, "500")
        .await
        .json()
        .await
        .unwrap();
    let claim = receipt["claim_id"].as_i64().unwrap();
    assert_eq!(app.deliver(&giver, claim, None).await.status(), 204);
    let open = pledge(&app, &pledger, need, "500").await;
    assert_eq!(open.status(), 200);

    assert_eq!(
        act(&app, &council, "withdraw_need", need).await,
        (409, "NotOpen".into())
    );
    // Nothing changed: the need, both claims, what is pledged, nobody told.
    assert_eq!(app.status_of(need).await, "published");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM claims WHERE need_id = {need} AND status IN ('open', 'delivered')"
        ))
        .await,
        2
    );
    assert_eq!(pledged_fen(&app, need).await, 100_000);
    assert!(app.notice_kinds(&pledger).await.is_empty());
    assert!(trail(&app, need).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_or_oversized_reports_are_client_errors_and_officials_cannot_act() {
    let app = app().await;
    let need = app
        .publish("输入测试需求", Window::Home, "延陵镇")
        .await
        .id
        .0;
    let id = need.to_string();
    let long = "长".repeat(501);
    // Far over the note's limit, within the body limit (a body over that is refused with 413
    // before it is read, tested with the claims).
    let huge = "x".repeat(20_000);
    for (n, fields) in [
        vec![("need_id", "abc"), ("reason", "other")],
        vec![("reason", "other")],
        vec![("need_id", id.as_str())],
        vec![
            ("need_id", id.as_str()),
            ("reason", "other"),
            ("note", &long),
        ],
        vec![
            ("need_id", id.as_str()),
            ("reason", "other"),
            ("note", &huge),
        ],
        vec![
            ("need_id", id.as_str()),
            ("reason", "other"),
            ("note", "打我电话 139 1234 5678"),
        ],
        vec![
            ("need_id", id.as_str()),
            ("reason", "other"),
            ("note", "详见 http://example.com"),
        ],
        vec![("need_id", "0"), ("reason", "other")],
        vec![("need_id", "-5"), ("reason", "other")],
        vec![("need_id", "99999999999999999999"), ("reason", "other")],
    ]
    .into_iter()
    .enumerate()
    {
        let address = format!("192.0.2.{}", 60 + n);
        let response = app.post_from(None, "report_need", &fields, &address).await;
        let status = response.status().as_u16();
        assert!((400..500).contains(&status), "{fields:?}: {status}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM reports").await, 0);

    let official = app
        .person("督导", "13600000161", &[("official", "延陵镇")])
        .await;
    assert_eq!(listed(&app, Some(&official)).await.0, 403);
    for function in ["pause_need", "resume_need", "withdraw_need"] {
        assert_eq!(
            act(&app, &official, function, need).await.0,
            403,
            "{function}"
        );
    }
    // The reviewer's page: its door for each, and the forms for the town's reviewer.
    let council = reviewer(&app, "延陵镇议事小组", "13600000162", "延陵镇").await;
    assert_eq!(
        report(&app, None, need, "wrong_info", "金额写错了", "192.0.2.99")
            .await
            .status(),
        200
    );
    let page = app
        .get_as(Some(&council), "/review/reports")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("输入测试需求") && page.contains("金额写错了"),
        "{page}"
    );
    assert!(page.contains("暂停展示") && page.contains("处理这条举报"));
    let refused = app
        .get_as(Some(&official), "/review/reports")
        .await
        .text()
        .await
        .unwrap();
    assert!(!refused.contains("金额写错了"));
}
