//! Volunteer hours (志愿服务时长): recorded by a volunteer, confirmed or refused by someone
//! else of the town, counted in the volunteer's totals, certificate, the leaderboard and the
//! admins' CSV only once confirmed; bad input refused naming the field with nothing stored.

use crate::support::{spawn_app, status_and_code, Person, TestApp};
use wanshan_app::domain::UtcMillis;

const DAY_MS: i64 = 86_400_000;

/// Form fields, as posted.
type Form<'a> = Vec<(&'a str, &'a str)>;

/// The Shanghai date `days` days from now (negative: ago).
fn date(days: i64) -> String {
    UtcMillis(UtcMillis::now().0 + days * DAY_MS).shanghai_date_text()
}

/// Records an activity in 延陵镇 of the given kind: times (in, out) or a duration.
async fn record(
    app: &TestApp,
    who: &Person,
    day: &str,
    times: (&str, &str),
    hours: &str,
    kind: &str,
) -> reqwest::Response {
    app.post_as(
        Some(who),
        "record_hours",
        &[
            ("kind", kind),
            ("town", "延陵镇"),
            ("date", day),
            ("time_in", times.0),
            ("time_out", times.1),
            ("hours", hours),
        ],
    )
    .await
}

async fn recorded(app: &TestApp, who: &Person, day: &str, times: (&str, &str), hours: &str) -> i64 {
    let response = record(app, who, day, times, hours, "delivery").await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    response.json().await.unwrap()
}

async fn decide(
    app: &TestApp,
    who: Option<&Person>,
    id: i64,
    refuse: Option<&str>,
) -> (u16, String) {
    let id = id.to_string();
    let response = match refuse {
        None => {
            app.post_as(who, "confirm_hours", &[("activity_id", &id)])
                .await
        }
        Some(reason) => {
            app.post_as(
                who,
                "refuse_hours",
                &[("activity_id", &id), ("reason", reason)],
            )
            .await
        }
    };
    status_and_code(response).await
}

async fn my_hours(app: &TestApp, who: &Person) -> serde_json::Value {
    let response = app.post_as(Some(who), "get_my_hours", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn text(app: &TestApp, who: Option<&Person>, path: &str) -> (u16, String) {
    let response = app.get_as(who, path).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

struct Cast {
    volunteer: Person,
    other_volunteer: Person,
    reviewer: Person,
    other_reviewer: Person,
    donor: Person,
    admin: Person,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        volunteer: app
            .person("王晓明", "13700000101", &[("volunteer", "延陵镇")])
            .await,
        other_volunteer: app
            .person("李志愿", "13700000102", &[("volunteer", "延陵镇")])
            .await,
        reviewer: app
            .person("延陵议事", "13700000103", &[("reviewer", "延陵镇")])
            .await,
        other_reviewer: app
            .person("司徒议事", "13700000104", &[("reviewer", "司徒镇")])
            .await,
        donor: app.donor("爱心人士").await,
        admin: app.person("管理员", "13700000105", &[("admin", "")]).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmed_hours_count_in_the_totals_the_certificate_and_the_leaderboard_refused_do_not() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let yesterday = date(-1);
    let timed = recorded(&app, &c.volunteer, &yesterday, ("09:00", "11:30"), "").await;
    let training = recorded(&app, &c.volunteer, &yesterday, ("", ""), "2").await;
    let refused = recorded(&app, &c.volunteer, &date(-2), ("", ""), "1").await;
    let mine = my_hours(&app, &c.volunteer).await;
    assert_eq!(mine["confirmed_minutes"], 0);
    assert_eq!(mine["pending"], 3);
    assert_eq!(mine["activities"][0]["status"], "pending");

    // The coordinators' page: the town's reviewer sees it, another town's does not, and the
    // volunteer does not see their own.
    let (status, page) = text(&app, Some(&c.reviewer), "/review/hours").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("王晓明") && page.contains("2.5 小时"),
        "{page}"
    );
    let listed = format!("data-activity-id=\"{timed}\"");
    assert!(page.contains(&listed), "{page}");
    let (_, page) = text(&app, Some(&c.other_reviewer), "/review/hours").await;
    assert!(
        !page.contains(&listed),
        "another town's reviewer sees no 延陵镇 hours"
    );
    let (_, page) = text(&app, Some(&c.volunteer), "/review/hours").await;
    assert!(
        !page.contains(&listed),
        "nobody is offered their own to confirm"
    );

    // Nobody confirms their own; another town's reviewer, a donor and nobody cannot.
    assert_eq!(
        decide(&app, Some(&c.volunteer), timed, None).await,
        (409, "SameReviewer".into())
    );
    assert_eq!(
        decide(&app, Some(&c.other_reviewer), timed, None).await.0,
        403
    );
    assert_eq!(decide(&app, Some(&c.donor), timed, None).await.0, 403);
    assert_eq!(decide(&app, Some(&c.admin), timed, None).await.0, 403);
    assert_eq!(decide(&app, None, timed, None).await.0, 401);
    assert_eq!(my_hours(&app, &c.volunteer).await["pending"], 3);

    // The town's reviewer confirms once; a second decision either way is refused.
    assert_eq!(decide(&app, Some(&c.reviewer), timed, None).await.0, 200);
    assert_eq!(
        decide(&app, Some(&c.reviewer), timed, None).await,
        (409, "WrongStage".into())
    );
    assert_eq!(
        decide(&app, Some(&c.other_volunteer), timed, Some("重复")).await,
        (409, "WrongStage".into())
    );
    // Another volunteer of the town confirms too; a refusal needs a reason.
    assert_eq!(
        decide(&app, Some(&c.other_volunteer), training, None)
            .await
            .0,
        200
    );
    let empty = app
        .post_as(
            Some(&c.reviewer),
            "refuse_hours",
            &[("activity_id", &refused.to_string()), ("reason", " ")],
        )
        .await;
    assert_eq!(empty.status(), 422);
    let body: serde_json::Value = empty.json().await.unwrap();
    assert_eq!(body["field"], "reason");
    assert_eq!(
        decide(&app, Some(&c.reviewer), refused, Some("当天未参加服务"))
            .await
            .0,
        200
    );

    // The volunteer's totals: 2.5 h + 2 h confirmed, the refused hour not.
    let mine = my_hours(&app, &c.volunteer).await;
    assert_eq!(mine["confirmed_minutes"], 270);
    assert_eq!(mine["pending"], 0);
    let month = &yesterday[..7];
    let months = mine["months"].as_array().unwrap();
    let in_month: i64 = months
        .iter()
        .filter(|m| m["month"] == month)
        .map(|m| m["minutes"].as_i64().unwrap())
        .sum();
    assert!(in_month >= 270, "{months:?}");
    let (status, page) = text(&app, Some(&c.volunteer), "/my/hours").await;
    assert_eq!(status, 200);
    assert!(page.contains("4.5 小时"), "the total on the page");
    assert!(
        page.contains("未通过") && page.contains("当天未参加服务"),
        "the refusal and its reason"
    );
    assert!(page.contains("延陵议事"), "who confirmed");
    // Each decision reached the volunteer's inbox.
    let kinds = app.notice_kinds(&c.volunteer).await;
    assert_eq!(kinds, ["HoursDecided", "HoursDecided", "HoursDecided"]);
    let inbox = app.inbox(&c.volunteer).await.to_string();
    assert!(
        inbox.contains("已确认") && inbox.contains("当天未参加服务"),
        "{inbox}"
    );

    // The certificate: the confirmed activities alone, who confirmed each, a code.
    let (from, to) = (date(-30), date(0));
    let path = format!("/my/hours/certificate?from={from}&to={to}");
    let (status, page) = text(&app, Some(&c.volunteer), &path).await;
    assert_eq!(status, 200);
    for expected in [
        "志愿服务记录证明",
        "王晓明",
        "4.5 小时",
        "延陵议事",
        "李志愿",
        "送达帮扶",
    ] {
        assert!(page.contains(expected), "{expected} on the certificate");
    }
    assert!(
        !page.contains("当天未参加服务"),
        "a refused activity is not certified"
    );
    let certificate = |who: &Person| {
        let who = who.clone();
        let (from, to) = (from.clone(), to.clone());
        let app = &app;
        async move {
            let response = app
                .post_as(
                    Some(&who),
                    "get_hours_certificate",
                    &[("from", from.as_str()), ("to", to.as_str())],
                )
                .await;
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().await.unwrap()
        }
    };
    let json = certificate(&c.volunteer).await;
    let code = json["code"].as_str().unwrap().to_owned();
    assert_eq!(json["total_minutes"], 270);
    assert_eq!(json["lines"].as_array().unwrap().len(), 2);
    assert!(page.contains(&code), "the page shows the code");
    assert_eq!(
        certificate(&c.volunteer).await["code"],
        code.as_str(),
        "one code per record"
    );
    // Someone with nothing confirmed gets no code.
    assert_eq!(certificate(&c.other_volunteer).await["code"], "");

    // The public verification: the record exists, the name masked, the totals only.
    let (status, page) = text(&app, None, &format!("/hours/verify/{code}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("王*") && page.contains("4.5 小时"), "{page}");
    for hidden in ["王晓明", "13700000101", "延陵议事", "当天未参加服务"] {
        assert!(
            !page.contains(hidden),
            "{hidden} on the public verification page"
        );
    }
    let typed = code.to_lowercase().replace('-', "");
    let (status, _) = text(&app, None, &format!("/hours/verify/{typed}")).await;
    assert_eq!(status, 200, "however the code is typed");
    for bad in ["ABCD-EFGH-JKMN", "nope", "%00"] {
        let (status, page) = text(&app, None, &format!("/hours/verify/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
        assert!(page.contains("没有找到"), "{bad}");
    }

    // The leaderboard shows the confirmed hours beside the (masked) name.
    let (_, board) = text(&app, None, "/credit").await;
    assert!(
        board.contains("王*") && board.contains("4.5 小时"),
        "{board}"
    );
    assert!(!board.contains("王晓明"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let yesterday = date(-1);
    recorded(&app, &c.volunteer, &yesterday, ("09:00", "11:00"), "").await;
    let count = || app.scalar("SELECT COUNT(*) FROM volunteer_activities");
    assert_eq!(count().await, 1);
    let y = yesterday.as_str();
    let tomorrow = date(1);
    let long_ago = date(-100);
    let long_note = "长".repeat(201);
    let cases: Vec<(&str, Form, &str)> = vec![
        (
            "overlapping",
            vec![("date", y), ("time_in", "10:00"), ("time_out", "12:00")],
            "time_in",
        ),
        (
            "inside another",
            vec![("date", y), ("time_in", "09:30"), ("time_out", "10:00")],
            "time_in",
        ),
        (
            "in the future",
            vec![("date", &tomorrow), ("hours", "1")],
            "date",
        ),
        (
            "over 90 days ago",
            vec![("date", &long_ago), ("hours", "1")],
            "date",
        ),
        (
            "over 12 hours",
            vec![("date", y), ("time_in", "05:00"), ("time_out", "17:30")],
            "time_out",
        ),
        (
            "end before start",
            vec![("date", y), ("time_in", "15:00"), ("time_out", "14:00")],
            "time_out",
        ),
        (
            "end at start",
            vec![("date", y), ("time_in", "15:00"), ("time_out", "15:00")],
            "time_out",
        ),
        ("zero hours", vec![("date", y), ("hours", "0")], "hours"),
        ("13 hours", vec![("date", y), ("hours", "13")], "hours"),
        ("neither", vec![("date", y)], "hours"),
        ("a bad date", vec![("date", "昨天"), ("hours", "1")], "date"),
        (
            "another town",
            vec![("date", y), ("hours", "1"), ("town", "司徒镇")],
            "town",
        ),
        (
            "a bad kind",
            vec![("date", y), ("hours", "1"), ("kind", "party")],
            "kind",
        ),
        (
            "a phone in the note",
            vec![("date", y), ("hours", "1"), ("note", "电话 13812345678")],
            "note",
        ),
        (
            "a long note",
            vec![("date", y), ("hours", "1"), ("note", &long_note)],
            "note",
        ),
        (
            "a bad need",
            vec![("date", y), ("hours", "1"), ("need_id", "abc")],
            "need_id",
        ),
    ];
    for (case, fields, field) in cases {
        let mut form: Vec<(&str, &str)> = vec![("kind", "delivery"), ("town", "延陵镇")];
        for (name, value) in fields {
            form.retain(|(n, _)| *n != name);
            form.push((name, value));
        }
        let response = app.post_as(Some(&c.volunteer), "record_hours", &form).await;
        assert_eq!(response.status(), 422, "{case}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "Invalid", "{case}");
        assert_eq!(body["field"], field, "{case}: {body}");
        assert_eq!(count().await, 1, "{case}: nothing stored");
    }
    // Touching is not overlapping; a refused activity's time is free again.
    let after = recorded(&app, &c.volunteer, y, ("11:00", "12:00"), "").await;
    assert_eq!(
        decide(&app, Some(&c.reviewer), after, Some("不属实"))
            .await
            .0,
        200
    );
    recorded(&app, &c.volunteer, y, ("11:00", "12:00"), "").await;
    // Someone else's time does not collide with the volunteer's.
    recorded(&app, &c.other_volunteer, y, ("09:00", "11:00"), "").await;
    // Not a volunteer: refused before anything is read.
    let response = record(&app, &c.donor, y, ("", ""), "1", "delivery").await;
    assert_eq!(response.status(), 403);
    let response = record(&app, &c.reviewer, y, ("", ""), "1", "delivery").await;
    assert_eq!(response.status(), 403);
    assert_eq!(count().await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_records_at_most_twenty_activities_a_day() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    for _ in 0..20 {
        recorded(&app, &c.volunteer, &date(-3), ("", ""), "0.5").await;
    }
    let response = record(&app, &c.volunteer, &date(-3), ("", ""), "0.5", "other").await;
    assert_eq!(status_and_code(response).await, (429, "HoursLimit".into()));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM volunteer_activities")
            .await,
        20
    );
    // Another volunteer is not held back by it.
    recorded(&app, &c.other_volunteer, &date(-3), ("", ""), "0.5").await;
    // The volunteer's list is paged: 30 at most on a page (20 here, all on one).
    let mine = my_hours(&app, &c.volunteer).await;
    assert_eq!(mine["activities"].as_array().unwrap().len(), 20);
    assert!(mine["older"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_post_records_and_confirms_without_javascript() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let yesterday = date(-1);
    let post = |who: &Person, endpoint: &str, fields: Vec<(&str, String)>, from: &str| {
        app.http
            .post(app.url(&format!("/api/{endpoint}")))
            .header("cookie", &who.cookie)
            .header("accept", "text/html")
            .header("referer", app.url(from))
            .form(&fields)
            .send()
    };
    let fields = vec![
        ("kind", "training".to_owned()),
        ("town", "延陵镇".to_owned()),
        ("date", yesterday.clone()),
        ("hours", "1.5".to_owned()),
    ];
    let landed = post(&c.volunteer, "record_hours", fields, "/my/hours")
        .await
        .unwrap();
    assert_eq!(landed.status(), 200);
    assert!(landed.url().path() == "/my/hours", "{}", landed.url());
    let page = landed.text().await.unwrap();
    assert!(page.contains("已登记，等待本镇协调人确认。"), "{page}");
    let id = app.scalar("SELECT MAX(id) FROM volunteer_activities").await;
    let fields = vec![("activity_id", id.to_string())];
    let landed = post(&c.reviewer, "confirm_hours", fields, "/review/hours")
        .await
        .unwrap();
    assert_eq!(landed.url().path(), "/review/hours");
    assert!(landed
        .text()
        .await
        .unwrap()
        .contains("已确认，计入这位志愿者的时长。"));
    // A refused form comes back to its page with the reason beside it.
    let fields = vec![
        ("kind", "training".to_owned()),
        ("town", "延陵镇".to_owned()),
        ("date", date(2)),
        ("hours", "1".to_owned()),
    ];
    let landed = post(&c.volunteer, "record_hours", fields, "/my/hours")
        .await
        .unwrap();
    assert_eq!(landed.url().path(), "/my/hours");
    assert!(landed
        .text()
        .await
        .unwrap()
        .contains("服务日期不能在将来。"));
    assert_eq!(my_hours(&app, &c.volunteer).await["confirmed_minutes"], 90);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hours_csv_is_for_admins_only_and_lists_confirmed_activities() {
    let app = spawn_app().await;
    let c = cast(&app).await;
    let confirmed = recorded(&app, &c.volunteer, &date(-1), ("08:00", "09:30"), "").await;
    recorded(&app, &c.volunteer, &date(-1), ("", ""), "3").await;
    assert_eq!(
        decide(&app, Some(&c.reviewer), confirmed, None).await.0,
        200
    );
    let path = format!("/admin/export/hours.csv?from={}&to={}", date(-10), date(0));
    let response = app.get_as(Some(&c.admin), &path).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "a header and the one confirmed activity: {csv}"
    );
    assert!(lines[0].contains("志愿者") && lines[0].contains("确认人"));
    let row = lines[1];
    for cell in [
        "王晓明",
        "延陵镇",
        "送达帮扶",
        &date(-1),
        ",90,",
        "延陵议事",
    ] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    // Without a period: the last year.
    let response = app.get_as(Some(&c.admin), "/admin/export/hours.csv").await;
    assert_eq!(response.text().await.unwrap().lines().count(), 2);
    for (who, status) in [
        (None, 401),
        (Some(&c.donor), 403),
        (Some(&c.volunteer), 403),
        (Some(&c.reviewer), 403),
    ] {
        let response = app.get_as(who, &path).await;
        assert_eq!(response.status(), status);
        assert!(!response.text().await.unwrap().contains("王晓明"));
    }
    let response = app
        .get_as(Some(&c.admin), "/admin/export/hours.csv?from=yesterday")
        .await;
    let (status, _) = status_and_code(response).await;
    assert_eq!(status, 422);
}
