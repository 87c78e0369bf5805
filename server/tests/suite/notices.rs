//! Notices: who hears what, in their inbox, live on their own stream, never anyone else's.
//! Times that matter (a claim's reminder and expiry) are driven by an explicit clock.

use crate::support::{id_number, spawn_app, status_and_code, Person, TestApp};
use serde_json::Value;
use wanshan_app::db::{claims, notices};
use wanshan_app::domain::UtcMillis;

const DAY: i64 = 86_400_000;

/// A volunteer of 延陵镇 who coordinates, a council reviewer and a second volunteer of the
/// town, and a donor.
struct Cast {
    author: Person,
    council: Person,
    second: Person,
    donor: Person,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        author: app
            .person("协调志愿者", "13700001001", &[("volunteer", "延陵镇")])
            .await,
        council: app
            .person("议事小组", "13700001002", &[("reviewer", "延陵镇")])
            .await,
        second: app
            .person("复核志愿者", "13700001003", &[("volunteer", "延陵镇")])
            .await,
        donor: app.person("爱心张", "13700001004", &[("donor", "")]).await,
    }
}

async fn claim(app: &TestApp, donor: &Person, need: i64) -> i64 {
    let response = app.claim_as(donor, need).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let receipt: Value = response.json().await.unwrap();
    receipt["claim_id"].as_i64().unwrap()
}

fn bodies(inbox: &Value) -> String {
    inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["body"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_coordinator_hears_of_each_claim_and_pledge_with_the_donors_contact_alone() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let need = app
        .publish_money("通知测试医药费", "延陵镇", 1000, &cast.author)
        .await;
    let pledger = app.donor("认捐李").await;
    let pledge = app
        .post_as(
            Some(&pledger),
            "claim_need",
            &[("need_id", &need.to_string()), ("amount", "300")],
        )
        .await;
    assert_eq!(pledge.status(), 200, "{:?}", pledge.text().await);
    claim(&app, &cast.donor, need).await;

    let inbox = app.inbox(&cast.author).await;
    assert_eq!(inbox["unread"], 2);
    assert_eq!(
        app.notice_kinds(&cast.author).await,
        ["ClaimMade", "ClaimMade"]
    );
    let text = bodies(&inbox);
    assert!(text.contains("爱心张（13700001004）认捐了 ¥700"), "{text}");
    assert!(
        text.contains(&format!("认捐李（{}）认捐了 ¥300", pledger.phone)),
        "{text}"
    );
    // Nobody else hears of it: not the donors, not the town's other staff.
    for other in [&cast.donor, &pledger, &cast.council, &cast.second] {
        assert_eq!(app.inbox(other).await["unread"], 0, "{}", other.name);
    }
    // The donor's phone is in the coordinator's notices alone.
    let holders: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM notices WHERE body LIKE $1")
        .bind(format!("%{}%", cast.donor.phone))
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(holders, [cast.author.id.0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_of_the_town_hear_when_a_need_reaches_their_stage_and_the_author_hears_the_outcome(
) {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let elsewhere = app
        .person(
            "别镇议事小组",
            "13700001005",
            &[("reviewer", "吕城镇"), ("volunteer", "吕城镇")],
        )
        .await;
    let city = app
        .person("全市志愿者", "13700001006", &[("volunteer", "")])
        .await;
    let household = app
        .register_household(&cast.author, "延陵镇", &id_number(301))
        .await;
    let need = app
        .enter_need(&cast.author, household, "medical", "通知测试助医")
        .await;
    // Submitted: the town's council reviewers, no one else.
    assert_eq!(app.notice_kinds(&cast.council).await, ["ReviewWaiting"]);
    for other in [&cast.second, &city, &elsewhere, &cast.author] {
        assert!(app.notice_kinds(other).await.is_empty(), "{}", other.name);
    }
    // Sent back: the author hears why.
    let returned = app
        .post_as(
            Some(&cast.council),
            "return_need",
            &[
                ("need_id", &need.to_string()),
                ("stage", "council"),
                ("version", &app.version_of(need).await.to_string()),
                ("reason", "请补充医院的费用清单"),
            ],
        )
        .await;
    assert_eq!(returned.status(), 200, "{:?}", returned.text().await);
    let inbox = app.inbox(&cast.author).await;
    assert_eq!(inbox["notices"][0]["kind"], "NeedReturned");
    assert!(bodies(&inbox).contains("请补充医院的费用清单"));
    // Resubmitted and approved by the council: the town's volunteers (city-wide ones too),
    // never the author.
    let resubmitted = app
        .post_as(
            Some(&cast.author),
            "submit_need",
            &[("need_id", &need.to_string())],
        )
        .await;
    assert_eq!(resubmitted.status(), 200);
    assert_eq!(
        app.approve(&cast.council, need, "council", "")
            .await
            .status(),
        200
    );
    assert_eq!(app.notice_kinds(&cast.second).await, ["ReviewWaiting"]);
    assert_eq!(app.notice_kinds(&city).await, ["ReviewWaiting"]);
    assert!(app.notice_kinds(&elsewhere).await.is_empty());
    assert_eq!(
        app.notice_kinds(&cast.author).await,
        ["NeedReturned"],
        "the author cannot review their own need"
    );
    // Published: the author hears it.
    assert_eq!(
        app.approve(&cast.second, need, "volunteer", "")
            .await
            .status(),
        200
    );
    let inbox = app.inbox(&cast.author).await;
    assert_eq!(inbox["notices"][0]["kind"], "NeedPublished");
    assert_eq!(inbox["notices"][0]["link"], format!("/needs/{need}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_is_reminded_two_days_before_a_claim_runs_out_once_and_told_when_it_does() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let need = app
        .publish_money("通知测试到期", "延陵镇", 500, &cast.author)
        .await;
    let claim = claim(&app, &cast.donor, need).await;
    let expires_at: i64 = sqlx::query_scalar("SELECT expires_at FROM claims WHERE id = $1")
        .bind(claim)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let db = &app.state.db;
    let within = notices::REMIND_BEFORE_EXPIRY_MS;
    // A minute before the two days start: nothing.
    let early = UtcMillis(expires_at - 2 * DAY - 60_000);
    assert_eq!(
        notices::remind_expiring(db, early, within).await.unwrap(),
        0
    );
    assert!(app.notice_kinds(&cast.donor).await.is_empty());
    // Two days before: one reminder, naming the moment in Shanghai time; never twice.
    let due = UtcMillis(expires_at - 2 * DAY);
    assert_eq!(notices::remind_expiring(db, due, within).await.unwrap(), 1);
    assert_eq!(
        notices::remind_expiring(db, UtcMillis(due.0 + DAY), within)
            .await
            .unwrap(),
        0
    );
    let inbox = app.inbox(&cast.donor).await;
    assert_eq!(inbox["notices"][0]["kind"], "ClaimExpiring");
    assert!(bodies(&inbox).contains(&UtcMillis(expires_at).shanghai_text()));
    // It runs out: the donor hears it went back to the board.
    assert_eq!(
        claims::expire_overdue(db, UtcMillis(expires_at))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        app.notice_kinds(&cast.donor).await,
        ["ClaimExpired", "ClaimExpiring"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_hears_when_a_delivery_is_confirmed_or_rejected_with_the_reason() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let checker = app
        .person("核实志愿者", "13700001007", &[("volunteer", "延陵镇")])
        .await;
    for (title, endpoint, reason, kind) in [
        (
            "通知测试确认",
            "confirm_delivery",
            "老人不会用手机，当面确认",
            "DeliveryConfirmed",
        ),
        (
            "通知测试退回",
            "reject_delivery",
            "家属说还没有收到",
            "DeliveryRejected",
        ),
    ] {
        let need = app.publish_money(title, "延陵镇", 200, &cast.author).await;
        let claim = claim(&app, &cast.donor, need).await;
        assert_eq!(app.deliver(&cast.donor, claim, None).await.status(), 204);
        let decided = app
            .post_as(
                Some(&checker),
                endpoint,
                &[("claim_id", &claim.to_string()), ("reason", reason)],
            )
            .await;
        assert_eq!(decided.status(), 200, "{:?}", decided.text().await);
        let inbox = app.inbox(&cast.donor).await;
        assert_eq!(inbox["notices"][0]["kind"], kind);
        assert!(bodies(&inbox).contains(title));
    }
    let text = bodies(&app.inbox(&cast.donor).await);
    assert!(text.contains("原因：家属说还没有收到"), "{text}");
    assert!(
        !text.contains("老人不会用手机"),
        "the volunteer's reason for confirming is not the donor's to read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_who_asked_hears_once_when_a_claimed_need_comes_back() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let waiting = app.donor("等候王").await;
    let need = app
        .publish_money("通知测试关注", "延陵镇", 400, &cast.author)
        .await;
    let watch = |who: &Person, on: bool| {
        let mut fields = vec![("need_id", need.to_string())];
        if on {
            fields.push(("watch", "1".to_owned()));
        }
        let who = who.clone();
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_as(Some(&who), "watch_need", &fields).await
        }
    };
    // An open need needs no watching: claim it.
    assert_eq!(
        status_and_code(watch(&waiting, true).await).await,
        (422, "Invalid".into())
    );
    let first = claim(&app, &cast.donor, need).await;
    assert_eq!(watch(&waiting, true).await.status(), 200);
    assert_eq!(
        watch(&waiting, true).await.status(),
        200,
        "asking twice is fine"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM need_watches").await, 1);
    // The page shows the choice to a signed-in donor.
    let page = app
        .get_as(Some(&waiting), &format!("/needs/{need}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("不用提醒了"),
        "the page says they are watching"
    );
    // Released: the watcher hears it, once.
    let released = app
        .post_as(
            Some(&cast.donor),
            "release_claim",
            &[("claim_id", &first.to_string())],
        )
        .await;
    assert_eq!(released.status(), 200);
    let inbox = app.inbox(&waiting).await;
    assert_eq!(inbox["notices"][0]["kind"], "NeedBack");
    assert_eq!(inbox["notices"][0]["link"], format!("/needs/{need}"));
    let again = claim(&app, &cast.donor, need).await;
    let released = app
        .post_as(
            Some(&cast.donor),
            "release_claim",
            &[("claim_id", &again.to_string())],
        )
        .await;
    assert_eq!(released.status(), 200);
    assert_eq!(app.notice_kinds(&waiting).await, ["NeedBack"], "told once");
    // Only donors watch; a need that does not exist is not found.
    assert_eq!(
        status_and_code(watch(&cast.author, true).await).await.0,
        403
    );
    let missing = app
        .post_as(
            Some(&waiting),
            "watch_need",
            &[("need_id", "999999"), ("watch", "1")],
        )
        .await;
    assert_eq!(status_and_code(missing).await, (404, "NeedNotFound".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_marks_read_one_or_all_and_the_header_counts_what_is_unread() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    for title in ["通知测试一", "通知测试二", "通知测试三"] {
        let need = app.publish_money(title, "延陵镇", 100, &cast.author).await;
        claim(&app, &app.donor("计数捐助者").await, need).await;
    }
    let header = |page: String| {
        let at = page
            .find("id=\"unread-count\"")
            .expect("the header shows a count");
        let rest = &page[at..];
        let start = rest.find('>').unwrap() + 1;
        let end = rest.find('<').unwrap();
        rest[start..end].to_owned()
    };
    let page_as = |path: &'static str| {
        let request = app
            .http
            .get(app.url(path))
            .header("cookie", &cast.author.cookie)
            .header("accept", "text/html");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let page = page_as("/").await;
    assert_eq!(header(page), "3");
    let inbox = app.inbox(&cast.author).await;
    let newest = inbox["notices"][0]["id"].as_i64().unwrap();
    // Someone else cannot mark it read.
    let meddler = app.donor("旁人").await;
    let meddled = app
        .post_as(
            Some(&meddler),
            "mark_notices_read",
            &[("notice_id", &newest.to_string())],
        )
        .await;
    assert_eq!(meddled.status(), 200);
    assert_eq!(app.inbox(&cast.author).await["unread"], 3);
    let one = app
        .post_as(
            Some(&cast.author),
            "mark_notices_read",
            &[("notice_id", &newest.to_string())],
        )
        .await;
    assert_eq!(one.status(), 200);
    let inbox = app.inbox(&cast.author).await;
    assert_eq!(inbox["unread"], 2);
    assert_eq!(inbox["notices"][0]["read"], true);
    assert_eq!(inbox["notices"][1]["read"], false);
    let page = page_as("/my/notices").await;
    assert_eq!(header(page.clone()), "2");
    assert!(
        page.contains("通知测试三"),
        "the inbox page lists the notices"
    );
    // A plain form post (no JavaScript) marks all read and comes back to the inbox.
    let all = app
        .http
        .post(app.url("/api/mark_notices_read"))
        .header("cookie", &cast.author.cookie)
        .header("accept", "text/html")
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 200);
    assert_eq!(all.url().path(), "/my/notices");
    assert_eq!(all.url().query(), Some("read=1"));
    assert_eq!(app.inbox(&cast.author).await["unread"], 0);
    // Nobody signed in has no inbox.
    assert_eq!(
        status_and_code(app.post_as(None, "get_inbox", &[]).await).await,
        (401, "Unauthorized".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_stream_wakes_for_their_own_notices_only() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let other = app
        .person("别的协调员", "13700001008", &[("volunteer", "延陵镇")])
        .await;
    let mut mine = app.notice_stream(&cast.author).await;
    let mut theirs = app.notice_stream(&other).await;
    let opened = mine.next().await;
    assert_eq!(opened.name, "notices");
    assert_eq!(opened.data, r#"{"unread":0}"#);
    assert_eq!(theirs.next().await.data, r#"{"unread":0}"#);
    let need = app
        .publish_money("通知测试直播", "延陵镇", 100, &cast.author)
        .await;
    claim(&app, &cast.donor, need).await;
    assert_eq!(mine.next().await.data, r#"{"unread":1}"#);
    // The other person's stream heard nothing of it: the next thing it says is their own
    // notice, counted 1 (a stray wake-up would have said 0 first).
    let theirs_need = app
        .publish_money("通知测试别人", "延陵镇", 100, &other)
        .await;
    claim(&app, &app.donor("第二位").await, theirs_need).await;
    let next = theirs.next().await;
    assert_eq!(next.data, r#"{"unread":1}"#);
    assert!(
        !next.data.contains("通知测试"),
        "the stream carries no words"
    );
    // Reading wakes it too (the header count follows on another tab).
    app.post_as(Some(&cast.author), "mark_notices_read", &[])
        .await;
    assert_eq!(mine.next().await.data, r#"{"unread":0}"#);
    // Nobody signed in gets no stream.
    let anonymous = app
        .http
        .get(app.url(wanshan_app::pages::notices::NOTICE_STREAM_PATH))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choices_are_saved_and_bad_ones_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let donor = app.donor("设置测试").await;
    let prefs: Value = app
        .post_as(Some(&donor), "get_notice_prefs", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["quiet"]["from"], 22 * 60, "{prefs}");
    assert_eq!(prefs["quiet"]["to"], 8 * 60);
    assert_eq!(prefs["sender"], "None");
    for (fields, field) in [
        (
            vec![
                ("choices[quiet_from]", "25:00"),
                ("choices[quiet_to]", "08:00"),
            ],
            "quiet_from",
        ),
        (
            vec![("choices[quiet_from]", "22:00"), ("choices[quiet_to]", "8")],
            "quiet_to",
        ),
        (
            vec![
                ("choices[quiet_from]", "22:00"),
                ("choices[quiet_to]", "08:00"),
                ("choices[email]", "not-an-address"),
            ],
            "email",
        ),
    ] {
        let refused = app
            .post_as(Some(&donor), "save_notice_prefs", &fields)
            .await;
        assert_eq!(refused.status(), 422);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    let saved = app
        .post_as(
            Some(&donor),
            "save_notice_prefs",
            &[
                ("choices[quiet_from]", "23:30"),
                ("choices[quiet_to]", "07:00"),
                ("choices[email]", "donor@example.cn"),
                ("choices[m_need_back]", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    let prefs: Value = app
        .post_as(Some(&donor), "get_notice_prefs", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prefs["quiet"]["from"], 23 * 60 + 30, "{prefs}");
    assert_eq!(prefs["email"], "donor@example.cn");
    let chosen: Vec<(String, bool)> = serde_json::from_value(prefs["by_message"].clone()).unwrap();
    for (kind, on) in chosen {
        assert_eq!(on, kind == "NeedBack", "{kind}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_who_no_longer_coordinates_gets_no_donors_phone() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let need = app
        .publish_money("通知测试卸任", "延陵镇", 300, &cast.author)
        .await;
    let grant = wanshan_app::people::RoleGrant::parse("volunteer", "延陵镇").unwrap();
    let phone = wanshan_app::domain::Phone::parse(&cast.author.phone).unwrap();
    assert!(
        wanshan_app::db::accounts::revoke(&app.state.db, &phone, &grant)
            .await
            .unwrap()
    );
    claim(&app, &cast.donor, need).await;
    assert!(app.notice_kinds(&cast.author).await.is_empty());
    // The town's volunteers hear of it instead, without the phone.
    let inbox = app.inbox(&cast.second).await;
    assert_eq!(inbox["notices"][0]["kind"], "ClaimMade");
    let text = bodies(&inbox);
    assert!(
        text.contains("通知测试卸任") && text.contains("爱心张"),
        "{text}"
    );
    assert!(!text.contains(&cast.donor.phone), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_tap_on_save_saves_once_on_either_backend() {
    let app = spawn_app().await;
    let donor = app.donor("连点的人").await;
    let saves = (0..12).map(|_| {
        app.post_as(
            Some(&donor),
            "save_notice_prefs",
            &[
                ("choices[quiet_from]", "22:30"),
                ("choices[quiet_to]", "07:30"),
                ("choices[m_need_back]", "1"),
            ],
        )
    });
    for response in futures::future::join_all(saves).await {
        assert_eq!(response.status(), 200);
    }
    // One row per kind of notice.
    let kinds = wanshan_app::domain::NoticeKind::ALL.len() as i64;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice_prefs").await, kinds);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_title_leaves_the_notices_and_a_fulfilled_need_leaves_the_watch_list() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let household = app
        .register_household(&cast.author, "延陵镇", &id_number(302))
        .await;
    let need = app
        .enter_need(&cast.author, household, "medical", "旧标题王家")
        .await;
    assert!(bodies(&app.inbox(&cast.council).await).contains("旧标题王家"));
    let mut form = crate::support::need_form(household, "medical", "改过的新标题");
    form[0].1 = need.to_string();
    let edited = app
        .post_fields(Some(&cast.author), "save_need", &form)
        .await;
    assert_eq!(edited.status(), 200, "{:?}", edited.text().await);
    let text = bodies(&app.inbox(&cast.council).await);
    assert!(
        !text.contains("旧标题王家") && text.contains("新标题"),
        "{text}"
    );

    // A watch on a need that is then fulfilled goes with it.
    let money = app
        .publish_money("通知测试完成", "延陵镇", 200, &cast.author)
        .await;
    let claim = claim(&app, &cast.donor, money).await;
    let watcher = app.donor("关注者").await;
    let watched = app
        .post_as(
            Some(&watcher),
            "watch_need",
            &[("need_id", &money.to_string()), ("watch", "1")],
        )
        .await;
    assert_eq!(watched.status(), 200);
    assert_eq!(app.deliver(&cast.donor, claim, None).await.status(), 204);
    let confirmed = app
        .post_as(
            Some(&cast.second),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM need_watches").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_notices_are_pruned_after_180_days_and_unread_ones_stay() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    for title in ["通知测试保留一", "通知测试保留二"] {
        let need = app.publish_money(title, "延陵镇", 100, &cast.author).await;
        claim(&app, &app.donor("保留测试").await, need).await;
    }
    let newest = app.inbox(&cast.author).await["notices"][0]["id"]
        .as_i64()
        .unwrap();
    let read = app
        .post_as(
            Some(&cast.author),
            "mark_notices_read",
            &[("notice_id", &newest.to_string())],
        )
        .await;
    assert_eq!(read.status(), 200);
    let db = &app.state.db;
    let now = UtcMillis::now();
    // A day short of 180: nothing goes.
    let early = UtcMillis(now.0 + notices::KEEP_READ_MS - DAY);
    assert_eq!(notices::prune_read(db, early).await.unwrap(), 0);
    let late = UtcMillis(now.0 + notices::KEEP_READ_MS + DAY);
    assert_eq!(notices::prune_read(db, late).await.unwrap(), 1);
    let inbox = app.inbox(&cast.author).await;
    assert_eq!(inbox["notices"].as_array().unwrap().len(), 1);
    assert_eq!(inbox["notices"][0]["read"], false, "the unread one stays");
}
