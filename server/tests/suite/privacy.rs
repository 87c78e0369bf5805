//! Households' private data never reaches anyone who may not see it: not the public pages, not
//! the live stream, not a public server function, not a donor.

use crate::support::{spawn_app, Person, TestApp};
use wanshan_app::domain::Window;

const HEAD: &str = "隐私户主名甲乙";
const ADDRESS: &str = "隐秘巷九十九号";
const PHONE: &str = "13788889999";
const MEMBERS: &str = "隐私成员丙丁";
const NOTES: &str = "内部备注戊己庚";

async fn private_household(app: &TestApp, volunteer: &Person, id_number: &str) -> i64 {
    let mut form = crate::support::household_form("延陵镇", id_number, HEAD);
    for (field, value) in form.iter_mut() {
        match field.as_str() {
            "form[address]" => *value = ADDRESS.into(),
            "form[phone]" => *value = PHONE.into(),
            "form[members]" => *value = MEMBERS.into(),
            _ => {}
        }
    }
    let response = app
        .post_fields(Some(volunteer), "register_household", &form)
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_public_page_stream_or_public_function_carries_private_household_data() {
    let app = spawn_app().await;
    let author = app
        .person("志愿者甲", "13700000041", &[("volunteer", "")])
        .await;
    let second = app
        .person("志愿者乙", "13700000042", &[("volunteer", "")])
        .await;
    let council = app
        .person("议事小组", "13700000043", &[("reviewer", "延陵镇")])
        .await;
    let id_number = crate::support::id_number(41);
    let household = private_household(&app, &author, &id_number).await;
    let id_key: String = sqlx::query_scalar("SELECT id_key FROM households")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    // Two needs through the whole flow: one stays on the board, one is claimed; a third is
    // published and then edited off the board.
    let mut needs = Vec::new();
    for (window, title) in [
        ("medical", "隐私测试需求一"),
        ("education", "隐私测试需求二"),
        ("home", "隐私测试需求三"),
    ] {
        let mut form = crate::support::need_form(household, window, title);
        form[8].1 = NOTES.into();
        let id: i64 = app
            .post_fields(Some(&author), "save_need", &form)
            .await
            .json()
            .await
            .unwrap();
        app.post_as(
            Some(&author),
            "submit_need",
            &[("need_id", &id.to_string())],
        )
        .await;
        assert_eq!(app.approve(&council, id, "council", "").await.status(), 200);
        assert_eq!(
            app.approve(&second, id, "volunteer", "").await.status(),
            200
        );
        needs.push((id, form));
    }
    let donor = app.donor("隐私测试捐助者").await;
    let receipt = app.claim_as(&donor, needs[1].0).await.text().await.unwrap();
    let mut edit = needs[2].1.clone();
    edit[0].1 = needs[2].0.to_string();
    edit[3].1 = "隐私测试需求三（修改）".into();
    assert_eq!(
        app.post_fields(Some(&author), "save_need", &edit)
            .await
            .status(),
        200
    );

    // The claimed need is delivered, checked, and confirmed by the family with a public
    // message: its page, timeline and certificate are public or the donor's.
    let claim = serde_json::from_str::<serde_json::Value>(&receipt).unwrap()["claim_id"]
        .as_i64()
        .unwrap();
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
    assert_eq!(
        app.post_as(
            Some(&author),
            "issue_family_code",
            &[("claim_id", &claim.to_string())]
        )
        .await
        .status(),
        200
    );
    let slip: serde_json::Value = app
        .post_as(
            Some(&author),
            "show_family_slip",
            &[("claim_id", &claim.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let thanked = app
        .post_as(
            None,
            "confirm_received",
            &[
                ("code", slip["code"].as_str().unwrap()),
                ("received", "on"),
                ("message", "谢谢您的帮助"),
                ("public", "on"),
            ],
        )
        .await;
    assert_eq!(thanked.status(), 200);
    let mut seen = vec![receipt, thanked.text().await.unwrap()];
    // The live stream from the beginning: every event there is.
    let events = app.scalar("SELECT COUNT(*) FROM events").await;
    assert_eq!(
        events, 6,
        "3 published, 1 claimed, 1 withdrawn, 1 fulfilled"
    );
    let mut stream = app.stream("?after=0", None).await;
    for _ in 0..events {
        seen.push(stream.next().await.data);
    }
    // Every public page and public server function, anonymous and as a donor.
    let mut paths = vec![
        "/".to_owned(),
        "/?town=延陵镇".to_owned(),
        "/signin".to_owned(),
        "/signup".to_owned(),
        "/intake".to_owned(),
        "/review".to_owned(),
        "/admin".to_owned(),
        "/impact".to_owned(),
        "/credit".to_owned(),
        "/my/claims".to_owned(),
        "/my/notices".to_owned(),
        "/no-such-page".to_owned(),
        "/review/reports".to_owned(),
    ];
    paths.extend(Window::ALL.iter().map(|w| format!("/?window={}", w.code())));
    // Each need's page and poster (the withdrawn one is not found), the thanks page, the slip
    // (the volunteer's alone) and the donor's certificate.
    for (id, _) in &needs {
        for page in ["", "/poster", "/qr.svg", "/card.png", "/report"] {
            paths.push(format!("/needs/{id}{page}"));
        }
    }
    paths.push("/thanks".to_owned());
    paths.push(format!("/thanks?done={}", needs[1].0));
    paths.push(format!("/review/slips/{claim}"));
    paths.push(format!("/my/claims/{claim}/certificate"));
    // What the public may see of donors: neither their name nor their phone.
    let mut public = Vec::new();
    for (id, _) in &needs {
        for page in ["", "/poster"] {
            public.push(
                app.get_as(None, &format!("/needs/{id}{page}"))
                    .await
                    .text()
                    .await
                    .unwrap(),
            );
        }
        public.push(
            app.post_as(None, "get_need_page", &[("id", &id.to_string())])
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    let public = public.join("\n");
    assert!(
        public.contains("家庭留言：谢谢您的帮助"),
        "the public message is shown"
    );
    for secret in [
        donor.name.as_str(),
        donor.phone.as_str(),
        author.name.as_str(),
        author.phone.as_str(),
    ] {
        assert!(
            !public.contains(secret),
            "{secret} reached a need's public page"
        );
    }
    seen.push(public);
    // The city's officials read the desk, every need's trail and every export: never a
    // household's identity (a desk page they could not read would pass vacuously: checked).
    let city_official = app
        .person("市督导", "13700000045", &[("official", "")])
        .await;
    let town_official = app
        .person("镇督导", "13700000046", &[("official", "延陵镇")])
        .await;
    paths.push("/desk".to_owned());
    for (id, _) in &needs {
        paths.push(format!("/desk/needs/{id}"));
    }
    for file in [
        "council",
        "volunteer",
        "unclaimed",
        "undelivered",
        "unconfirmed",
        "flow",
        "supply",
        "referrals",
    ] {
        paths.push(format!("/desk/export/{file}.csv"));
    }
    let trail = app
        .get_as(Some(&town_official), &format!("/desk/needs/{}", needs[0].0))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        trail.contains("隐私测试需求一") && trail.contains("家庭档案查阅记录"),
        "the official reads the trail"
    );
    for official in [&city_official, &town_official] {
        for (id, _) in &needs {
            seen.push(
                app.post_as(
                    Some(official),
                    "get_need_trail",
                    &[("need_id", &id.to_string())],
                )
                .await
                .text()
                .await
                .unwrap(),
            );
        }
        seen.push(
            app.post_as(Some(official), "get_desk", &[])
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    for who in [
        None,
        Some(&donor),
        Some(&city_official),
        Some(&town_official),
    ] {
        for path in &paths {
            let bytes = app.get_as(who, path).await.bytes().await.unwrap();
            seen.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        for (endpoint, fields) in [
            ("list_needs", vec![("filter[pages]", "1")]),
            (
                "list_needs",
                vec![("filter[window]", "medical"), ("filter[pages]", "1")],
            ),
            ("current_viewer", vec![]),
            ("load_impact", vec![]),
            ("load_leaderboard", vec![]),
            ("my_claims", vec![]),
            ("my_credit", vec![]),
            ("get_inbox", vec![]),
            ("get_notice_prefs", vec![]),
            // Private functions answer a donor or nobody with an error, or with nothing.
            ("list_households", vec![]),
            ("load_review_queue", vec![]),
            ("my_needs", vec![]),
            ("list_accounts", vec![]),
            ("list_deliveries", vec![]),
            ("list_reports", vec![]),
            ("get_need_page", vec![("id", "1")]),
            ("get_need_page", vec![("id", "2")]),
            ("get_need_page", vec![("id", "3")]),
        ] {
            seen.push(
                app.post_as(who, endpoint, &fields)
                    .await
                    .text()
                    .await
                    .unwrap(),
            );
        }
    }
    // Every notice written to anyone (the coordinator's, the reviewers', the donor's): no
    // household data in any of them.
    let all_notices: Vec<String> = sqlx::query_scalar("SELECT body FROM notices")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        all_notices.len() >= 8,
        "submissions, approvals, the claim and the confirmation were told: {all_notices:?}"
    );
    seen.extend(all_notices);
    let everything = seen.join("\n");
    assert!(
        everything.contains("隐私测试需求一"),
        "the public need itself must be visible"
    );
    for secret in [
        HEAD,
        ADDRESS,
        PHONE,
        MEMBERS,
        NOTES,
        id_number.as_str(),
        &id_number[..14],
        id_key.as_str(),
    ] {
        assert!(
            !everything.contains(secret),
            "{secret} reached a public page, stream or response"
        );
    }

    // The reviewer of the household's town does see it (the test would pass vacuously if the
    // values were never stored).
    let queue = app
        .post_as(Some(&council), "load_review_queue", &[])
        .await
        .text()
        .await
        .unwrap();
    let households = app
        .post_as(Some(&author), "list_households", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        households.contains(HEAD) && households.contains(ADDRESS) && households.contains(PHONE)
    );
    assert!(
        !households.contains(&id_number),
        "the full ID number is never sent, even to volunteers"
    );
    assert!(
        queue.contains(HEAD) && queue.contains(NOTES),
        "the edited need is back in review: {queue}"
    );
    // A report of the need on the board reaches the town's reviewer with the need's public
    // text only.
    let reported = app
        .post_as(
            None,
            "report_need",
            &[("need_id", &needs[0].0.to_string()), ("reason", "privacy")],
        )
        .await;
    assert_eq!(reported.status(), 200);
    let reports = app
        .post_as(Some(&council), "list_reports", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(reports.contains("隐私测试需求一"), "{reports}");
    for secret in [HEAD, ADDRESS, PHONE, MEMBERS, NOTES] {
        assert!(
            !reports.contains(secret),
            "{secret} reached the list of reports"
        );
    }
    // A reviewer of another town does not.
    let elsewhere = app
        .person(
            "别镇议事小组",
            "13700000044",
            &[("reviewer", "吕城镇"), ("volunteer", "吕城镇")],
        )
        .await;
    for endpoint in ["load_review_queue", "list_households", "my_needs"] {
        let answer = app
            .post_as(Some(&elsewhere), endpoint, &[])
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !answer.contains(HEAD) && !answer.contains(NOTES),
            "{endpoint}: {answer}"
        );
    }
}

/// Volunteer hours may name a need; nothing of its household reaches any page, answer, notice
/// or file of the hours feature, whoever reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volunteer_hours_carry_no_household_data() {
    let app = spawn_app().await;
    let volunteer = app
        .person("志愿者丙", "13700000141", &[("volunteer", "延陵镇")])
        .await;
    let reviewer = app
        .person("议事小组丁", "13700000142", &[("reviewer", "延陵镇")])
        .await;
    let admin = app.person("管理员", "13700000143", &[("admin", "")]).await;
    let household = private_household(&app, &volunteer, &crate::support::id_number(141)).await;
    let mut form = crate::support::need_form(household, "medical", "时长隐私测试需求");
    form[8].1 = NOTES.into();
    let need: i64 = app
        .post_fields(Some(&volunteer), "save_need", &form)
        .await
        .json()
        .await
        .unwrap();
    let yesterday =
        wanshan_app::domain::UtcMillis(wanshan_app::domain::UtcMillis::now().0 - 86_400_000)
            .shanghai_date_text();
    let today = wanshan_app::domain::UtcMillis::now().shanghai_date_text();
    let need_text = need.to_string();
    let recorded = app
        .post_as(
            Some(&volunteer),
            "record_hours",
            &[
                ("kind", "intake_visit"),
                ("town", "延陵镇"),
                ("date", &yesterday),
                ("hours", "2"),
                ("need_id", &need_text),
                ("note", "入户核实"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), 200);
    let id: i64 = recorded.json().await.unwrap();
    let mut seen = Vec::new();
    let pending = app
        .get_as(Some(&reviewer), "/review/hours")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        pending.contains("入户核实"),
        "the reviewer sees the activity"
    );
    seen.push(pending);
    seen.push(
        app.post_as(Some(&reviewer), "list_pending_hours", &[])
            .await
            .text()
            .await
            .unwrap(),
    );
    let confirmed = app
        .post_as(
            Some(&reviewer),
            "confirm_hours",
            &[("activity_id", &id.to_string())],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let certificate: serde_json::Value = app
        .post_as(
            Some(&volunteer),
            "get_hours_certificate",
            &[("from", yesterday.as_str()), ("to", today.as_str())],
        )
        .await
        .json()
        .await
        .unwrap();
    let code = certificate["code"].as_str().unwrap().to_owned();
    seen.push(certificate.to_string());
    for (who, path) in [
        (Some(&volunteer), "/my/hours".to_owned()),
        (
            Some(&volunteer),
            format!("/my/hours/certificate?from={yesterday}&to={today}"),
        ),
        (None, format!("/hours/verify/{code}")),
        (None, "/credit".to_owned()),
        (Some(&admin), "/admin/export/hours.csv".to_owned()),
    ] {
        let response = app.get_as(who, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        seen.push(response.text().await.unwrap());
    }
    for (who, endpoint) in [(&volunteer, "get_my_hours"), (&volunteer, "get_inbox")] {
        seen.push(
            app.post_as(Some(who), endpoint, &[])
                .await
                .text()
                .await
                .unwrap(),
        );
    }
    let seen = seen.join("\n");
    assert!(seen.contains("入户走访"), "the pages were read");
    for secret in [HEAD, ADDRESS, PHONE, MEMBERS, NOTES] {
        assert!(
            !seen.contains(secret),
            "{secret} reached a volunteer-hours page"
        );
    }
}
