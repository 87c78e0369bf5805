//! Every mutating server function, called by every kind of caller: allowed, or a clear 401 or
//! 403. Each cell gets its own fresh need or household, so one cell's success cannot decide
//! another's answer.

use crate::support::{id_number, need_form, spawn_app_with, Person, TestApp};
use std::sync::atomic::{AtomicU32, Ordering};
use wanshan_app::domain::Window;

const CALLERS: [&str; 6] = [
    "anonymous",
    "donor",
    "volunteer",
    "reviewer of another town",
    "reviewer",
    "admin",
];

struct Cast {
    callers: Vec<Option<Person>>,
    /// Enters the needs the callers act on (for rows where the author must be someone else).
    author: Person,
    /// Approves the council stage of needs that must be at the volunteer stage.
    council: Person,
}

static SERIAL: AtomicU32 = AtomicU32::new(100);

async fn household(app: &TestApp, by: &Person) -> i64 {
    app.register_household(
        by,
        "延陵镇",
        &id_number(SERIAL.fetch_add(1, Ordering::Relaxed)),
    )
    .await
}

/// A claim another donor has marked delivered, of a need `cast.author` coordinates in 延陵镇.
async fn delivered_claim(app: &TestApp, cast: &Cast) -> i64 {
    let need = app
        .publish_money("授权测试送达", "延陵镇", 500, &cast.author)
        .await;
    let owner = app.donor("送达人").await;
    let receipt: serde_json::Value = app.claim_as(&owner, need).await.json().await.unwrap();
    let claim = receipt["claim_id"].as_i64().unwrap();
    assert_eq!(app.deliver(&owner, claim, None).await.status(), 204);
    claim
}

/// A need in the given status, entered by `author` (or by `by` when given).
async fn need(app: &TestApp, cast: &Cast, status: &str, by: Option<&Person>) -> i64 {
    let author = by.unwrap_or(&cast.author);
    let household = household(app, &cast.author).await;
    let response = app
        .post_fields(
            Some(author),
            "save_need",
            &need_form(household, "medical", "授权测试需求"),
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let id: i64 = response.json().await.unwrap();
    if status == "draft" {
        return id;
    }
    app.post_as(Some(author), "submit_need", &[("need_id", &id.to_string())])
        .await;
    if status == "council_review" {
        return id;
    }
    assert_eq!(
        app.approve(&cast.council, id, "council", "").await.status(),
        200
    );
    if status == "volunteer_review" {
        return id;
    }
    panic!("no fixture for {status}");
}

/// Runs one row: a fresh fixture per caller, then the call. Returns the statuses.
async fn row<F, Fut>(app: &TestApp, cast: &Cast, call: F) -> Vec<u16>
where
    F: Fn(Option<Person>) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let _ = app;
    let mut statuses = Vec::new();
    for caller in &cast.callers {
        statuses.push(call(caller.clone()).await.status().as_u16());
    }
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_server_function_checks_who_is_calling() {
    // Reports are counted per client address: each cell reports from its own.
    let app = spawn_app_with(|config| config.trusted_proxy_header = Some("x-real-ip".into())).await;
    let cast = Cast {
        callers: vec![
            None,
            Some(
                app.person("爱心人士", "13600000001", &[("donor", "")])
                    .await,
            ),
            Some(
                app.person("志愿者", "13600000002", &[("volunteer", "延陵镇")])
                    .await,
            ),
            Some(
                app.person("吕城镇审核员", "13600000003", &[("reviewer", "吕城镇")])
                    .await,
            ),
            Some(
                app.person("延陵镇审核员", "13600000004", &[("reviewer", "延陵镇")])
                    .await,
            ),
            Some(app.person("管理员", "13600000005", &[("admin", "")]).await),
        ],
        author: app
            .person("录入志愿者", "13600000006", &[("volunteer", "")])
            .await,
        council: app
            .person("另一位审核员", "13600000007", &[("reviewer", "延陵镇")])
            .await,
    };
    let volunteer = cast.callers[2].clone().unwrap();
    // Whom the admin row gives a role to (not one of the callers, whose roles must not change).
    app.person("待授权的人", "13600000009", &[("donor", "")])
        .await;
    let app = &app;
    let cast = &cast;
    let mut table: Vec<(&str, Vec<u16>, [u16; 6])> = Vec::new();

    table.push((
        "claim_need",
        row(app, cast, |who| async move {
            let need = app
                .publish("可认领的需求", wanshan_app::domain::Window::Home, "延陵镇")
                .await;
            app.post_as(
                who.as_ref(),
                "claim_need",
                &[("need_id", &need.id.0.to_string())],
            )
            .await
        })
        .await,
        [401, 200, 403, 403, 403, 403],
    ));
    table.push((
        "register_household",
        row(app, cast, |who| async move {
            let form = crate::support::household_form(
                "延陵镇",
                &id_number(SERIAL.fetch_add(1, Ordering::Relaxed)),
                "新户主",
            );
            app.post_fields(who.as_ref(), "register_household", &form)
                .await
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    table.push((
        "save_need (new)",
        row(app, cast, |who| async move {
            let household = household(app, &cast.author).await;
            app.post_fields(
                who.as_ref(),
                "save_need",
                &need_form(household, "education", "新录入的需求"),
            )
            .await
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    // The volunteer column is the need's author in the next two rows.
    let edit = |who: Option<Person>| {
        let volunteer = volunteer.clone();
        async move {
            let id = need(app, cast, "draft", Some(&volunteer)).await;
            let mut form = need_form(0, "medical", "修改后的标题");
            form[0].1 = id.to_string();
            app.post_fields(who.as_ref(), "save_need", &form).await
        }
    };
    table.push((
        "save_need (edit, volunteer = author)",
        row(app, cast, edit).await,
        [401, 403, 200, 403, 403, 403],
    ));
    let submit = |who: Option<Person>| {
        let volunteer = volunteer.clone();
        async move {
            let id = need(app, cast, "draft", Some(&volunteer)).await;
            app.post_as(who.as_ref(), "submit_need", &[("need_id", &id.to_string())])
                .await
        }
    };
    table.push((
        "submit_need (volunteer = author)",
        row(app, cast, submit).await,
        [401, 403, 200, 403, 403, 403],
    ));
    for (stage, status, expected) in [
        ("council", "council_review", [401, 403, 403, 403, 200, 403]),
        (
            "volunteer",
            "volunteer_review",
            [401, 403, 200, 403, 403, 403],
        ),
    ] {
        let approve = row(app, cast, |who| async move {
            let id = need(app, cast, status, None).await;
            app.post_as(
                who.as_ref(),
                "approve_need",
                &[
                    ("need_id", &id.to_string()),
                    ("stage", stage),
                    ("version", "1"),
                ],
            )
            .await
        })
        .await;
        table.push((
            if stage == "council" {
                "approve_need (council)"
            } else {
                "approve_need (volunteer)"
            },
            approve,
            expected,
        ));
        let send_back = row(app, cast, |who| async move {
            let id = need(app, cast, status, None).await;
            app.post_as(
                who.as_ref(),
                "return_need",
                &[
                    ("need_id", &id.to_string()),
                    ("stage", stage),
                    ("version", "1"),
                    ("reason", "请补充材料"),
                ],
            )
            .await
        })
        .await;
        table.push((
            if stage == "council" {
                "return_need (council)"
            } else {
                "return_need (volunteer)"
            },
            send_back,
            expected,
        ));
    }
    table.push((
        "assign_role",
        row(app, cast, |who| async move {
            app.post_as(
                who.as_ref(),
                "assign_role",
                &[
                    ("phone", "13600000009"),
                    ("role", "volunteer"),
                    ("town", ""),
                ],
            )
            .await
        })
        .await,
        [401, 403, 403, 403, 403, 200],
    ));
    table.push((
        "import_aid",
        row(app, cast, |who| async move {
            let csv = format!(
                "身份证号,机构,窗口,事由,日期,金额\n{},市慈善总会,助医,住院,2026-01-05,100\n",
                id_number(999)
            );
            app.post_as(who.as_ref(), "import_aid", &[("csv", &csv)])
                .await
        })
        .await,
        [401, 403, 403, 403, 403, 200],
    ));
    // Claims: the donor column owns the claim in these rows (a fresh owner per cell, so the
    // open-claim limit never decides a cell).
    let donor_id = cast.callers[1].as_ref().unwrap().id;
    let owned = |who: Option<Person>| async move {
        let need = app
            .publish_money("授权测试认捐", "延陵镇", 500, &cast.author)
            .await;
        let owner = app.donor("认领人").await;
        let receipt: serde_json::Value = app.claim_as(&owner, need).await.json().await.unwrap();
        let caller = match who {
            Some(person) if person.id == donor_id => Some(owner),
            other => other,
        };
        (receipt["claim_id"].as_i64().unwrap(), caller)
    };
    table.push((
        "release_claim (donor = claimer)",
        row(app, cast, |who| async move {
            let (claim, caller) = owned(who).await;
            app.post_as(
                caller.as_ref(),
                "release_claim",
                &[("claim_id", &claim.to_string())],
            )
            .await
        })
        .await,
        [401, 200, 403, 403, 403, 403],
    ));
    table.push((
        "POST /api/deliver (donor = claimer)",
        row(app, cast, |who| async move {
            let (claim, caller) = owned(who).await;
            match &caller {
                Some(person) => app.deliver(person, claim, None).await,
                None => app
                    .http
                    .post(app.url(&format!("/api/deliver/{claim}")))
                    .multipart(reqwest::multipart::Form::new().text("note", "已送达"))
                    .send()
                    .await
                    .unwrap(),
            }
        })
        .await,
        [401, 204, 403, 403, 403, 403],
    ));
    table.push((
        "confirm_delivery",
        row(app, cast, |who| async move {
            let claim = delivered_claim(app, cast).await;
            app.post_as(
                who.as_ref(),
                "confirm_delivery",
                &[
                    ("claim_id", &claim.to_string()),
                    ("reason", "老人不会用手机，当面确认"),
                ],
            )
            .await
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    table.push((
        "reject_delivery",
        row(app, cast, |who| async move {
            let claim = delivered_claim(app, cast).await;
            app.post_as(
                who.as_ref(),
                "reject_delivery",
                &[
                    ("claim_id", &claim.to_string()),
                    ("reason", "家属说没有收到"),
                ],
            )
            .await
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    table.push((
        "issue_family_code",
        row(app, cast, |who| async move {
            let claim = delivered_claim(app, cast).await;
            app.post_as(
                who.as_ref(),
                "issue_family_code",
                &[("claim_id", &claim.to_string())],
            )
            .await
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    let issued = |volunteer: Person| async move {
        let claim = delivered_claim(app, cast).await;
        let issue = app
            .post_as(
                Some(&volunteer),
                "issue_family_code",
                &[("claim_id", &claim.to_string())],
            )
            .await;
        assert_eq!(issue.status(), 200);
        claim
    };
    table.push((
        "show_family_slip",
        row(app, cast, |who| {
            let volunteer = volunteer.clone();
            async move {
                let claim = issued(volunteer).await;
                app.post_as(
                    who.as_ref(),
                    "show_family_slip",
                    &[("claim_id", &claim.to_string())],
                )
                .await
            }
        })
        .await,
        [401, 403, 200, 403, 403, 403],
    ));
    // The code is the proof: anyone holding it may confirm, signed in or not.
    table.push((
        "confirm_received",
        row(app, cast, |who| {
            let volunteer = volunteer.clone();
            async move {
                let claim = issued(volunteer.clone()).await;
                let slip: serde_json::Value = app
                    .post_as(
                        Some(&volunteer),
                        "show_family_slip",
                        &[("claim_id", &claim.to_string())],
                    )
                    .await
                    .json()
                    .await
                    .unwrap();
                let code = slip["code"].as_str().unwrap().to_owned();
                app.post_as(
                    who.as_ref(),
                    "confirm_received",
                    &[("code", &code), ("received", "on")],
                )
                .await
            }
        })
        .await,
        [200, 200, 200, 200, 200, 200],
    ));
    // Only the donor who made a claim gets its certificate: no other donor, volunteer or admin.
    table.push((
        "get_claim_certificate",
        row(app, cast, |who| {
            let volunteer = volunteer.clone();
            async move {
                let claim = delivered_claim(app, cast).await;
                let confirmed = app
                    .post_as(
                        Some(&volunteer),
                        "confirm_delivery",
                        &[
                            ("claim_id", &claim.to_string()),
                            ("reason", "老人不会用手机，当面确认"),
                        ],
                    )
                    .await;
                assert_eq!(confirmed.status(), 200);
                app.post_as(
                    who.as_ref(),
                    "get_claim_certificate",
                    &[("claim_id", &claim.to_string())],
                )
                .await
            }
        })
        .await,
        [401, 403, 403, 403, 403, 403],
    ));
    table.push((
        "set_anonymous",
        row(app, cast, |who| async move {
            app.post_as(who.as_ref(), "set_anonymous", &[("anonymous", "true")])
                .await
        })
        .await,
        [401, 200, 200, 200, 200, 200],
    ));

    // Notices: each person's own; nobody signed in has none.
    for (function, fields) in [
        ("get_inbox", vec![]),
        ("mark_notices_read", vec![]),
        ("get_notice_prefs", vec![]),
        (
            "save_notice_prefs",
            vec![
                ("choices[quiet_from]", "22:00"),
                ("choices[quiet_to]", "07:00"),
            ],
        ),
    ] {
        table.push((
            function,
            row(app, cast, |who| {
                let fields = fields.clone();
                async move { app.post_as(who.as_ref(), function, &fields).await }
            })
            .await,
            [401, 200, 200, 200, 200, 200],
        ));
    }
    table.push((
        "GET /api/my/notices/events",
        row(app, cast, |who| async move {
            app.get_as(
                who.as_ref(),
                wanshan_app::pages::notices::NOTICE_STREAM_PATH,
            )
            .await
        })
        .await,
        [401, 200, 200, 200, 200, 200],
    ));
    // Asking to hear when a claimed need comes back: donors.
    table.push((
        "watch_need",
        row(app, cast, |who| async move {
            let need = app
                .publish("关注测试", wanshan_app::domain::Window::Home, "延陵镇")
                .await;
            let claimer = app.donor("先认领的人").await;
            assert_eq!(app.claim_as(&claimer, need.id.0).await.status(), 200);
            app.post_as(
                who.as_ref(),
                "watch_need",
                &[("need_id", &need.id.0.to_string()), ("watch", "1")],
            )
            .await
        })
        .await,
        [401, 200, 403, 403, 403, 403],
    ));
    // Reports: anyone files one; the need's town's council reviewer acts on it.
    table.push((
        "report_need",
        row(app, cast, |who| async move {
            let need = app.publish("举报授权", Window::Home, "延陵镇").await;
            let address = format!("192.0.2.{}", SERIAL.fetch_add(1, Ordering::Relaxed) % 250);
            app.post_from(
                who.as_ref(),
                "report_need",
                &[("need_id", &need.id.0.to_string()), ("reason", "other")],
                &address,
            )
            .await
        })
        .await,
        [200, 200, 200, 200, 200, 200],
    ));
    table.push((
        "list_reports",
        row(app, cast, |who| async move {
            app.post_as(who.as_ref(), "list_reports", &[]).await
        })
        .await,
        [401, 403, 403, 200, 200, 200],
    ));
    let council = &cast.council;
    for (function, from) in [
        ("pause_need", "published"),
        ("resume_need", "paused"),
        ("withdraw_need", "paused"),
    ] {
        table.push((
            function,
            row(app, cast, |who| async move {
                let need = app
                    .publish("举报处理授权", Window::Home, "延陵镇")
                    .await
                    .id
                    .0;
                let id = need.to_string();
                if from == "paused" {
                    let paused = app
                        .post_as(Some(council), "pause_need", &[("need_id", &id)])
                        .await;
                    assert_eq!(paused.status(), 200);
                }
                app.post_as(who.as_ref(), function, &[("need_id", &id)])
                    .await
            })
            .await,
            [401, 403, 403, 403, 200, 403],
        ));
    }
    table.push((
        "resolve_report",
        row(app, cast, |who| async move {
            let need = app
                .publish("举报处理授权", Window::Home, "延陵镇")
                .await
                .id
                .0;
            let address = format!(
                "198.51.100.{}",
                SERIAL.fetch_add(1, Ordering::Relaxed) % 250
            );
            let id = need.to_string();
            let fields = [("need_id", id.as_str()), ("reason", "other")];
            let filed = app.post_from(None, "report_need", &fields, &address).await;
            assert_eq!(filed.status(), 200);
            let report: i64 = app
                .scalar(&format!(
                    "SELECT MAX(id) FROM reports WHERE need_id = {need}"
                ))
                .await;
            app.post_as(
                who.as_ref(),
                "resolve_report",
                &[
                    ("report_id", &report.to_string()),
                    ("resolution", "dismissed"),
                ],
            )
            .await
        })
        .await,
        [401, 403, 403, 403, 200, 403],
    ));
    for function in ["list_dead_letters", "retry_dead_letters"] {
        table.push((
            function,
            row(app, cast, |who| async move {
                app.post_as(who.as_ref(), function, &[]).await
            })
            .await,
            [401, 403, 403, 403, 403, 200],
        ));
    }

    // Last: it ends every caller's session.
    table.push((
        "sign_out",
        row(app, cast, |who| async move {
            app.post_as(who.as_ref(), "sign_out", &[]).await
        })
        .await,
        [200, 200, 200, 200, 200, 200],
    ));

    let mut report = format!("{:<40}{}\n", "", CALLERS.join(" | "));
    let mut wrong = 0;
    for (function, got, expected) in &table {
        let cells: Vec<String> = got
            .iter()
            .zip(expected)
            .map(|(g, e)| {
                if g == e {
                    g.to_string()
                } else {
                    wrong += 1;
                    format!("{g} (want {e})")
                }
            })
            .collect();
        report.push_str(&format!("{function:<40}{}\n", cells.join(" | ")));
    }
    assert_eq!(wrong, 0, "\n{report}");
    assert_eq!(table.len(), 35);
}

/// Volunteer hours' functions and routes, by the same six callers. The activities decided are
/// recorded by a city-wide volunteer who is none of the callers, one fresh activity per cell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_volunteer_hours_function_and_route_checks_who_is_calling() {
    let app = spawn_app_with(|_| {}).await;
    let callers = vec![
        None,
        Some(
            app.person("爱心人士", "13600000101", &[("donor", "")])
                .await,
        ),
        Some(
            app.person("志愿者", "13600000102", &[("volunteer", "延陵镇")])
                .await,
        ),
        Some(
            app.person("吕城镇审核员", "13600000103", &[("reviewer", "吕城镇")])
                .await,
        ),
        Some(
            app.person("延陵镇审核员", "13600000104", &[("reviewer", "延陵镇")])
                .await,
        ),
        Some(app.person("管理员", "13600000105", &[("admin", "")]).await),
    ];
    let recorder = app
        .person("登记时长的志愿者", "13600000106", &[("volunteer", "")])
        .await;
    let yesterday =
        wanshan_app::domain::UtcMillis(wanshan_app::domain::UtcMillis::now().0 - 86_400_000)
            .shanghai_date_text();
    let app = &app;
    let (recorder, yesterday) = (&recorder, yesterday.as_str());
    let activity = || async move {
        let response = app
            .post_as(
                Some(recorder),
                "record_hours",
                &[
                    ("kind", "delivery"),
                    ("town", "延陵镇"),
                    ("date", yesterday),
                    ("hours", "1"),
                ],
            )
            .await;
        assert_eq!(response.status(), 200);
        response.json::<i64>().await.unwrap().to_string()
    };
    let row = |call: &'static str| {
        let callers = callers.clone();
        async move {
            let mut statuses = Vec::new();
            for who in &callers {
                let who = who.as_ref();
                let response = match call {
                    "record_hours" => {
                        app.post_as(
                            who,
                            call,
                            &[
                                ("kind", "training"),
                                ("town", "延陵镇"),
                                ("date", yesterday),
                                ("hours", "1"),
                            ],
                        )
                        .await
                    }
                    "confirm_hours" => {
                        let id = activity().await;
                        app.post_as(who, call, &[("activity_id", &id)]).await
                    }
                    "refuse_hours" => {
                        let id = activity().await;
                        app.post_as(who, call, &[("activity_id", &id), ("reason", "不属实")])
                            .await
                    }
                    "get_hours_certificate" => {
                        app.post_as(who, call, &[("from", yesterday), ("to", yesterday)])
                            .await
                    }
                    "verify_hours" => app.post_as(who, call, &[("code", "ABCD-EFGH-JKMN")]).await,
                    route if route.starts_with('/') => app.get_as(who, route).await,
                    function => app.post_as(who, function, &[]).await,
                };
                statuses.push(response.status().as_u16());
            }
            statuses
        }
    };
    let table: Vec<(&str, Vec<u16>, [u16; 6])> = vec![
        (
            "record_hours",
            row("record_hours").await,
            [401, 403, 200, 403, 403, 403],
        ),
        (
            "confirm_hours",
            row("confirm_hours").await,
            [401, 403, 200, 403, 200, 403],
        ),
        (
            "refuse_hours",
            row("refuse_hours").await,
            [401, 403, 200, 403, 200, 403],
        ),
        (
            "get_my_hours",
            row("get_my_hours").await,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            "list_pending_hours",
            row("list_pending_hours").await,
            [401, 403, 200, 200, 200, 403],
        ),
        (
            "get_hours_certificate",
            row("get_hours_certificate").await,
            [401, 200, 200, 200, 200, 200],
        ),
        (
            "verify_hours",
            row("verify_hours").await,
            [200, 200, 200, 200, 200, 200],
        ),
        (
            "GET /admin/export/hours.csv",
            row("/admin/export/hours.csv").await,
            [401, 403, 403, 403, 403, 200],
        ),
    ];
    let mut report = format!("{:<40}{}\n", "", CALLERS.join(" | "));
    let mut wrong = 0;
    for (function, got, expected) in &table {
        let cells: Vec<String> = got
            .iter()
            .zip(expected)
            .map(|(g, e)| {
                if g == e {
                    g.to_string()
                } else {
                    wrong += 1;
                    format!("{g} (want {e})")
                }
            })
            .collect();
        report.push_str(&format!("{function:<40}{}\n", cells.join(" | ")));
    }
    assert_eq!(wrong, 0, "\n{report}");
    // The two-person rule: the volunteer who recorded it cannot confirm it, whatever else.
    let id = activity().await;
    let own = app
        .post_as(Some(recorder), "confirm_hours", &[("activity_id", &id)])
        .await;
    assert_eq!(own.status(), 409);
}
