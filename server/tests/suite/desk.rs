//! The supervision desk: overdue lists by stage and town, flow figures, referral, the trail and
//! the access log of households' files, and who may see any of it. Officials never receive a
//! household's identity.

use crate::support::{id_number, spawn_app, status_and_code, Person, TestApp};
use wanshan_app::domain::UtcMillis;

const DAY: i64 = 86_400_000;

/// What a household's registration wrote that no official may ever receive.
fn private_words(id: &str) -> Vec<String> {
    vec![
        "测试户主".into(),
        "13700001234".into(),
        "示范村三组".into(),
        "户主腿脚不便".into(),
        id.to_owned(),
        id[id.len() - 4..].to_owned() + "\"",
    ]
}

fn assert_private_absent(what: &str, text: &str, id: &str) {
    for word in private_words(id) {
        assert!(!text.contains(&word), "{what} carries {word:?}");
    }
}

struct Cast {
    author: Person,
    council: Person,
    second: Person,
    official: Person,
    city_official: Person,
    other_official: Person,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        author: app
            .person("录入志愿者", "13700000101", &[("volunteer", "")])
            .await,
        council: app
            .person("延陵镇议事员", "13700000102", &[("reviewer", "延陵镇")])
            .await,
        second: app
            .person("复核志愿者", "13700000103", &[("volunteer", "延陵镇")])
            .await,
        official: app
            .person("延陵镇督导", "13700000104", &[("official", "延陵镇")])
            .await,
        city_official: app
            .person("市督导", "13700000105", &[("official", "")])
            .await,
        other_official: app
            .person("吕城镇督导", "13700000106", &[("official", "吕城镇")])
            .await,
    }
}

async fn desk(app: &TestApp, who: &Person, fields: &[(&str, &str)]) -> serde_json::Value {
    let response = app.post_as(Some(who), "get_desk", fields).await;
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "get_desk: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn sql(app: &TestApp, statement: &str, need: i64, at: i64) {
    sqlx::query(statement)
        .bind(need)
        .bind(at)
        .execute(&app.state.db.pool)
        .await
        .expect(statement);
}

fn overdue<'a>(desk: &'a serde_json::Value, stage: &str) -> &'a serde_json::Value {
    desk["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["stage"] == stage)
        .unwrap_or_else(|| panic!("no {stage} list"))
}

fn ids(list: &serde_json::Value) -> Vec<i64> {
    list["needs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["need_id"].as_i64().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_lists_overdue_needs_by_stage_and_town_and_never_names_a_family() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let id = id_number(31);
    let household = app.register_household(&cast.author, "延陵镇", &id).await;
    let now = UtcMillis::now().0;
    // Waiting five days for the council (the limit is three), and one submitted today.
    let late = app
        .enter_need(&cast.author, household, "medical", "逾期待审需求")
        .await;
    sql(
        &app,
        "UPDATE needs SET submitted_at = $2 WHERE id = $1",
        late,
        now - 5 * DAY - 60_000,
    )
    .await;
    let fresh = app
        .enter_need(&cast.author, household, "education", "今日提交需求")
        .await;
    // Approved by the council four days ago, still waiting for the volunteer.
    let waiting = app
        .enter_need(&cast.author, household, "home", "等待复核需求")
        .await;
    assert_eq!(
        app.approve(&cast.council, waiting, "council", "")
            .await
            .status(),
        200
    );
    sql(
        &app,
        "UPDATE reviews SET created_at = $2 WHERE need_id = $1",
        waiting,
        now - 4 * DAY,
    )
    .await;
    // On another town's board for forty days with no claim.
    let elsewhere = app
        .publish(
            "吕城镇久未认领",
            wanshan_app::domain::Window::Disability,
            "吕城镇",
        )
        .await
        .id
        .0;
    sql(
        &app,
        "UPDATE needs SET published_at = $2 WHERE id = $1",
        elsewhere,
        now - 40 * DAY,
    )
    .await;
    // Claimed eight days ago, not delivered.
    let claimed = app
        .publish_money("认领未送达需求", "延陵镇", 800, &cast.author)
        .await;
    let donor = app.donor("张三丰").await;
    assert_eq!(app.claim_as(&donor, claimed).await.status(), 200);
    sql(
        &app,
        "UPDATE claims SET claimed_at = $2 WHERE need_id = $1",
        claimed,
        now - 8 * DAY,
    )
    .await;

    let town_desk = desk(&app, &cast.official, &[]).await;
    assert_eq!(
        town_desk["scope"]["town"], "延陵镇",
        "a town's official sees their town"
    );
    assert_eq!(
        ids(overdue(&town_desk, "council_review")),
        vec![late],
        "fresh {fresh} is not overdue"
    );
    assert_eq!(overdue(&town_desk, "council_review")["needs"][0]["days"], 5);
    assert_eq!(overdue(&town_desk, "council_review")["limit_days"], 3);
    assert_eq!(ids(overdue(&town_desk, "volunteer_review")), vec![waiting]);
    assert_eq!(ids(overdue(&town_desk, "undelivered")), vec![claimed]);
    assert!(
        ids(overdue(&town_desk, "unclaimed")).is_empty(),
        "another town's need"
    );
    let label = overdue(&town_desk, "council_review")["needs"][0]["household"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(label.starts_with("户·"), "{label}");
    assert_eq!(
        overdue(&town_desk, "volunteer_review")["needs"][0]["household"],
        label,
        "one family, one label"
    );
    assert_private_absent("the desk", &town_desk.to_string(), &id);

    let city_desk = desk(&app, &cast.city_official, &[]).await;
    assert!(city_desk["scope"]["town"].is_null());
    assert_eq!(ids(overdue(&city_desk, "unclaimed")), vec![elsewhere]);
    let by_town = city_desk["by_town"].as_array().unwrap();
    let counts = |town: &str| {
        by_town
            .iter()
            .find(|t| t["town"] == town)
            .map(|t| t["counts"].clone())
            .unwrap_or_else(|| panic!("{town} missing from {by_town:?}"))
    };
    assert_eq!(counts("延陵镇"), serde_json::json!([1, 1, 0, 1, 0]));
    assert_eq!(counts("吕城镇"), serde_json::json!([0, 0, 1, 0, 0]));

    // The list as a file, with the same rows and no family's identity.
    let csv = app
        .get_as(Some(&cast.official), "/desk/export/council.csv")
        .await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(
        csv.contains("逾期待审需求") && csv.contains(&label),
        "{csv}"
    );
    assert!(!csv.contains("今日提交需求"));
    assert_private_absent("the CSV", &csv, &id);
    for list in [
        "volunteer",
        "unclaimed",
        "undelivered",
        "unconfirmed",
        "flow",
        "supply",
        "referrals",
    ] {
        let response = app
            .get_as(
                Some(&cast.city_official),
                &format!("/desk/export/{list}.csv"),
            )
            .await;
        assert_eq!(response.status(), 200, "{list}");
        assert_private_absent(list, &response.text().await.unwrap(), &id);
    }

    // Another town's official cannot choose this town, in the page or a file.
    let refused = app
        .post_as(
            Some(&cast.other_official),
            "get_desk",
            &[("town", "延陵镇")],
        )
        .await;
    assert_eq!(status_and_code(refused).await, (403, "Forbidden".into()));
    let refused = app
        .get_as(
            Some(&cast.other_official),
            "/desk/export/council.csv?town=%E5%BB%B6%E9%99%B5%E9%95%87",
        )
        .await;
    assert_eq!(refused.status(), 403);
    // The page, server-rendered, as the official's browser gets it.
    let page = app
        .get_as(Some(&cast.official), "/desk")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("逾期待审需求") && page.contains("超时未办"),
        "the desk page"
    );
    assert_private_absent("the desk page", &page, &id);
    assert!(!page.contains("吕城镇久未认领"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_figures_count_each_move_in_its_shanghai_month_with_median_stage_times() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let household = app
        .register_household(&cast.author, "延陵镇", &id_number(32))
        .await;
    let mut needs = Vec::new();
    for title in ["十月录入需求", "十一月录入甲", "十一月录入乙"] {
        needs.push(
            app.enter_need(&cast.author, household, "medical", title)
                .await,
        );
    }
    let returned = app
        .post_as(
            Some(&cast.council),
            "return_need",
            &[
                ("need_id", &needs[2].to_string()),
                ("stage", "council"),
                ("version", &app.version_of(needs[2]).await.to_string()),
                ("reason", "材料不全"),
            ],
        )
        .await;
    assert_eq!(returned.status(), 200);
    for need in &needs[..2] {
        assert_eq!(
            app.approve(&cast.council, *need, "council", "")
                .await
                .status(),
            200
        );
    }
    // 2026-10-31 20:00 UTC is already 1 November in Shanghai.
    let oct_15 = UtcMillis::from_shanghai_date(2026, 10, 15).unwrap().0;
    let nov_1_shanghai = UtcMillis::from_shanghai_date(2026, 11, 1).unwrap().0 + 4 * 3_600_000;
    sql(
        &app,
        "UPDATE needs SET entered_at = $2, submitted_at = $2 WHERE id = $1",
        needs[0],
        oct_15,
    )
    .await;
    sql(
        &app,
        "UPDATE needs SET entered_at = $2, submitted_at = $2 WHERE id = $1",
        needs[1],
        nov_1_shanghai,
    )
    .await;
    sql(
        &app,
        "UPDATE needs SET entered_at = $2, submitted_at = $2 WHERE id = $1",
        needs[2],
        nov_1_shanghai,
    )
    .await;
    // The council took 2 hours on the first and 6 on the second: the median is 4 hours.
    sql(
        &app,
        "UPDATE reviews SET created_at = $2 WHERE need_id = $1",
        needs[0],
        oct_15 + 2 * 3_600_000,
    )
    .await;
    sql(
        &app,
        "UPDATE reviews SET created_at = $2, aid_warnings = 2 WHERE need_id = $1",
        needs[1],
        nov_1_shanghai + 6 * 3_600_000,
    )
    .await;
    sql(
        &app,
        "UPDATE reviews SET created_at = $2 WHERE need_id = $1",
        needs[2],
        nov_1_shanghai + 3_600_000,
    )
    .await;

    let figures = desk(
        &app,
        &cast.official,
        &[("from", "2026-10-01"), ("to", "2026-11-30")],
    )
    .await;
    let flow = &figures["flow"];
    assert_eq!(flow["total"]["entered"], 3);
    assert_eq!(flow["total"]["returned"], 1);
    assert_eq!(flow["total"]["reviews"], 3);
    assert_eq!(flow["total"]["warned"], 1);
    assert_eq!(flow["total"]["approved_over_warning"], 1);
    let months: Vec<(String, i64)> = flow["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["month"].as_str().unwrap().to_owned(),
                r["entered"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(months, vec![("2026-10".into(), 1), ("2026-11".into(), 2)]);
    let council = flow["stage_times"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["stage"] == "council_review")
        .unwrap()
        .clone();
    assert_eq!(council["passed"], 2);
    assert_eq!(council["median_ms"], 4 * 3_600_000);
    assert_eq!(flow["return_reasons"][0]["reason"], "材料不全");
    // A period without them counts none of them.
    let later = desk(
        &app,
        &cast.official,
        &[("from", "2026-11-02"), ("to", "2026-11-03")],
    )
    .await;
    assert_eq!(later["flow"]["total"]["entered"], 0);
    // A period backwards or a date that is no date: refused, naming the field.
    let backwards = app
        .post_as(
            Some(&cast.official),
            "get_desk",
            &[("from", "2026-11-30"), ("to", "2026-10-01")],
        )
        .await;
    assert_eq!(status_and_code(backwards).await, (422, "Invalid".into()));
    let nonsense = app
        .post_as(Some(&cast.official), "get_desk", &[("from", "昨天")])
        .await;
    let body: serde_json::Value = nonsense.json().await.unwrap();
    assert_eq!(body["field"], "from", "{body}");
    // The CSV carries the same figures.
    let csv = app
        .get_as(
            Some(&cast.official),
            "/desk/export/flow.csv?from=2026-10-01&to=2026-11-30",
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("2026-10,助医,1,0,0,0,0,0,1,0,0"), "{csv}");
    assert!(csv.contains("4.0 小时"), "{csv}");
}

fn today_plus(days: i64) -> String {
    UtcMillis(UtcMillis::now().0 + days * DAY).shanghai_date_text()
}

async fn refer(
    app: &TestApp,
    who: &Person,
    need: i64,
    programme: &str,
    due: &str,
) -> reqwest::Response {
    app.post_as(
        Some(who),
        "refer_need",
        &[
            ("need_id", &need.to_string()),
            ("stage", "council"),
            ("version", &app.version_of(need).await.to_string()),
            ("programme", programme),
            ("due", due),
            ("note", "符合医疗救助条件"),
        ],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referred_need_never_reaches_the_board_and_a_granted_outcome_warns_the_next_review() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let household = app
        .register_household(&cast.author, "延陵镇", &id_number(33))
        .await;
    let need = app
        .enter_need(&cast.author, household, "medical", "转介医疗救助需求")
        .await;
    // Bad input is refused, naming the field, and changes nothing.
    for (programme, due, field) in [
        ("买房补贴", today_plus(10), "programme"),
        ("医疗救助", today_plus(-1), "due"),
        ("医疗救助", today_plus(400), "due"),
        ("医疗救助", "下个月".to_owned(), "due"),
    ] {
        let response = refer(&app, &cast.council, need, programme, &due).await;
        assert_eq!(response.status(), 422, "{programme} {due}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["field"], field);
        assert_eq!(app.status_of(need).await, "council_review");
    }
    // Only the reviewer of the stage refers.
    assert_eq!(
        refer(&app, &cast.second, need, "医疗救助", &today_plus(30))
            .await
            .status(),
        403
    );
    assert_eq!(
        refer(&app, &cast.official, need, "医疗救助", &today_plus(30))
            .await
            .status(),
        403
    );
    assert_eq!(
        refer(&app, &cast.council, need, "医疗救助", &today_plus(30))
            .await
            .status(),
        200
    );
    assert_eq!(app.status_of(need).await, "referred");
    assert_eq!(
        status_and_code(refer(&app, &cast.council, need, "医疗救助", &today_plus(30)).await).await,
        (409, "WrongStage".into())
    );
    // Never on the board nor its page, never back in review.
    assert!(!app.page("/").await.contains("转介医疗救助需求"));
    assert_eq!(
        app.get_as(None, &format!("/needs/{need}")).await.status(),
        404
    );
    assert!(!app.review_queue(&cast.council).await["council"]
        .to_string()
        .contains("转介医疗救助需求"));

    // Listed on the desk and on the reviewer's page, by due date.
    let on_desk = desk(&app, &cast.official, &[]).await;
    let referral = on_desk["referrals"][0].clone();
    assert_eq!(referral["need_id"], need);
    assert_eq!(referral["programme"], "医疗救助");
    assert_eq!(referral["can_record"], true);
    let referral_id = referral["id"].as_i64().unwrap().to_string();
    let queue = app.review_queue(&cast.council).await;
    assert_eq!(
        queue["referrals"][0]["id"].as_i64().unwrap().to_string(),
        referral_id
    );

    let record = |who: Person, outcome: &'static str, amount: &'static str| {
        let app = &app;
        let referral_id = referral_id.clone();
        async move {
            app.post_as(
                Some(&who),
                "record_referral_outcome",
                &[
                    ("referral_id", referral_id.as_str()),
                    ("outcome", outcome),
                    ("amount", amount),
                    ("note", "已发放"),
                ],
            )
            .await
        }
    };
    assert_eq!(
        record(cast.second.clone(), "granted", "1200")
            .await
            .status(),
        403
    );
    assert_eq!(
        record(cast.other_official.clone(), "granted", "1200")
            .await
            .status(),
        403
    );
    assert_eq!(
        record(cast.official.clone(), "granted", "").await.status(),
        422
    );
    assert_eq!(
        record(cast.official.clone(), "refused", "100")
            .await
            .status(),
        422
    );
    assert_eq!(
        record(cast.official.clone(), "granted", "1200")
            .await
            .status(),
        200
    );
    assert_eq!(
        status_and_code(record(cast.council.clone(), "refused", "").await).await,
        (409, "WrongStage".into()),
        "an outcome is recorded once"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM aid_records WHERE amount_fen = 120000 AND agency = '医疗救助（转介）'")
            .await,
        1
    );
    assert_eq!(app.status_of(need).await, "referred");

    // The family's next medical need warns its reviewer of the aid just granted.
    let next = app
        .enter_need(&cast.author, household, "medical", "再次申请医疗费用")
        .await;
    let queue = app.review_queue(&cast.council).await;
    let item = queue["council"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["need"]["id"] == next)
        .unwrap()
        .clone();
    assert_eq!(
        item["aid"]["warnings"].as_array().unwrap().len(),
        1,
        "{item}"
    );
    assert!(item.to_string().contains("医疗救助（转介）"));

    // The trail tells it all, with who.
    let trail: serde_json::Value = app
        .post_as(
            Some(&cast.official),
            "get_need_trail",
            &[("need_id", &need.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let text = trail.to_string();
    assert!(
        text.contains("转介政府救助") && text.contains("延陵镇议事员（工作人员）"),
        "{text}"
    );
    assert!(text.contains("获批 ¥1,200；"), "{text}");

    // A refused referral goes back to its author as a draft, with the reason.
    let second_need = app
        .enter_need(&cast.author, household, "education", "转介教育资助需求")
        .await;
    let response = app
        .post_as(
            Some(&cast.council),
            "refer_need",
            &[
                ("need_id", &second_need.to_string()),
                ("stage", "council"),
                ("version", &app.version_of(second_need).await.to_string()),
                ("programme", "教育资助"),
                ("due", &today_plus(0)),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    let second_id: i64 = app
        .scalar(&format!(
            "SELECT id FROM referrals WHERE need_id = {second_need}"
        ))
        .await;
    let refused = app
        .post_as(
            Some(&cast.council),
            "record_referral_outcome",
            &[
                ("referral_id", &second_id.to_string()),
                ("outcome", "refused"),
                ("note", "不符合条件"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 200);
    assert_eq!(app.status_of(second_need).await, "draft");
    let mine: serde_json::Value = app
        .post_as(Some(&cast.author), "my_needs", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.to_string().contains("不符合条件"), "{mine}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM aid_records").await,
        1,
        "refused is no aid"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trail_names_staff_masks_donors_and_logs_every_opening_of_the_family_file() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let id = id_number(34);
    let household = app.register_household(&cast.author, "延陵镇", &id).await;
    let need = app
        .enter_need(&cast.author, household, "medical", "全程记录需求")
        .await;
    // The council reviewer opens the file twice within ten minutes: one opening.
    app.review_queue(&cast.council).await;
    app.review_queue(&cast.council).await;
    assert_eq!(
        app.approve(&cast.council, need, "council", "")
            .await
            .status(),
        200
    );
    app.review_queue(&cast.second).await;
    assert_eq!(
        app.approve(&cast.second, need, "volunteer", "")
            .await
            .status(),
        200
    );
    // The volunteer's intake list shows the family too.
    assert_eq!(
        app.post_as(Some(&cast.author), "list_households", &[])
            .await
            .status(),
        200
    );
    let donor = app.donor("张三丰").await;
    assert_eq!(app.claim_as(&donor, need).await.status(), 200);

    let response = app
        .post_as(
            Some(&cast.official),
            "get_need_trail",
            &[("need_id", &need.to_string())],
        )
        .await;
    assert_eq!(response.status(), 200);
    let trail: serde_json::Value = response.json().await.unwrap();
    let steps: Vec<(String, String)> = trail["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["what"].as_str().unwrap().to_owned(),
                s["who"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = steps.iter().map(|(what, _)| what.as_str()).collect();
    assert_eq!(
        names,
        [
            "志愿者录入",
            "提交议事小组审核",
            "议事小组审核通过",
            "志愿者复核通过",
            "发布到爱心需求墙",
            "认领"
        ],
        "{steps:?}"
    );
    assert_eq!(steps[0].1, "录入志愿者（录入志愿者）");
    assert_eq!(steps[2].1, "延陵镇议事员（议事小组审核人）");
    assert_eq!(steps[5].1, "捐赠人（张*）", "donors by role, masked");
    let text = trail.to_string();
    assert!(!text.contains("张三丰") && !text.contains(&donor.phone));
    assert_private_absent("the trail", &text, &id);
    let openings: Vec<(String, String)> = trail["openings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["who"].as_str().unwrap().to_owned(),
                o["page"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut sorted = openings.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            ("复核志愿者".to_owned(), "审核页".to_owned()),
            ("延陵镇议事员".to_owned(), "审核页".to_owned()),
            ("录入志愿者".to_owned(), "录入页".to_owned()),
        ],
        "{openings:?}"
    );
    // The page, server-rendered.
    let page = app
        .get_as(Some(&cast.official), &format!("/desk/needs/{need}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("全程记录需求") && page.contains("家庭档案查阅记录"));
    assert_private_absent("the trail page", &page, &id);

    // Another town's official hears "not found" (ids cannot be probed); staff are refused.
    let probe = app
        .post_as(
            Some(&cast.other_official),
            "get_need_trail",
            &[("need_id", &need.to_string())],
        )
        .await;
    assert_eq!(status_and_code(probe).await, (404, "NeedNotFound".into()));
    let probe = app
        .post_as(
            Some(&cast.council),
            "get_need_trail",
            &[("need_id", &need.to_string())],
        )
        .await;
    assert_eq!(probe.status(), 403);
    let unknown = app
        .post_as(
            Some(&cast.city_official),
            "get_need_trail",
            &[("need_id", "999999")],
        )
        .await;
    assert_eq!(unknown.status(), 404);
}

/// Every desk page, function and file, called by every kind of person: allowed, or a clear
/// 401/403 (the pages: the desk's content or the refusal).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_desk_page_function_and_export_checks_who_is_calling() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let household = app
        .register_household(&cast.author, "延陵镇", &id_number(35))
        .await;
    let need = app
        .enter_need(&cast.author, household, "medical", "授权转介需求")
        .await;
    let callers: Vec<(&str, Option<Person>)> = vec![
        ("anonymous", None),
        ("donor", Some(app.donor("捐赠人").await)),
        ("volunteer", Some(cast.second.clone())),
        ("reviewer", Some(cast.council.clone())),
        ("town official", Some(cast.official.clone())),
        ("other town official", Some(cast.other_official.clone())),
        ("city official", Some(cast.city_official.clone())),
        (
            "admin",
            Some(app.person("管理员", "13700000109", &[("admin", "")]).await),
        ),
    ];
    let mut table: Vec<(&str, Vec<u16>, [u16; 8])> = Vec::new();
    let mut got = Vec::new();
    for (_, who) in &callers {
        let response = app
            .post_as(who.as_ref(), "get_desk", &[("town", "延陵镇")])
            .await;
        got.push(response.status().as_u16());
    }
    table.push((
        "get_desk 延陵镇",
        got,
        [401, 403, 403, 403, 200, 403, 200, 200],
    ));
    let mut got = Vec::new();
    for (_, who) in &callers {
        got.push(
            app.post_as(
                who.as_ref(),
                "get_need_trail",
                &[("need_id", &need.to_string())],
            )
            .await
            .status()
            .as_u16(),
        );
    }
    table.push((
        "get_need_trail",
        got,
        [401, 403, 403, 403, 200, 404, 200, 200],
    ));
    for file in ["council", "flow", "supply", "referrals"] {
        let mut got = Vec::new();
        for (_, who) in &callers {
            got.push(
                app.get_as(
                    who.as_ref(),
                    &format!("/desk/export/{file}.csv?town=%E5%BB%B6%E9%99%B5%E9%95%87"),
                )
                .await
                .status()
                .as_u16(),
            );
        }
        table.push((file, got, [401, 403, 403, 403, 200, 403, 200, 200]));
    }
    let mut got = Vec::new();
    for (_, who) in &callers {
        let page = app
            .get_as(who.as_ref(), "/desk")
            .await
            .text()
            .await
            .unwrap();
        got.push(if page.contains("超时未办") {
            200
        } else {
            403
        });
    }
    table.push(("/desk page", got, [403, 403, 403, 403, 200, 200, 200, 200]));
    // Referring: only the council reviewer of the need's stage (each tried on the same need;
    // the reviewer, who succeeds, is the last to try).
    let mut got = Vec::new();
    for (name, who) in &callers {
        if *name == "reviewer" {
            got.push(0);
            continue;
        }
        got.push(refer_status(&app, who.as_ref(), need).await);
    }
    got[3] = refer_status(&app, Some(&cast.council), need).await;
    table.push(("refer_need", got, [401, 403, 403, 200, 403, 403, 403, 403]));
    let referral = app
        .scalar(&format!("SELECT id FROM referrals WHERE need_id = {need}"))
        .await
        .to_string();
    let mut got = Vec::new();
    for (_, who) in &callers {
        // A malformed outcome: allowed callers hear 422 (and nothing is recorded).
        got.push(
            app.post_as(
                who.as_ref(),
                "record_referral_outcome",
                &[("referral_id", &referral), ("outcome", "maybe")],
            )
            .await
            .status()
            .as_u16(),
        );
    }
    table.push((
        "record_referral_outcome",
        got,
        [401, 403, 403, 422, 422, 403, 422, 403],
    ));
    let wrong: Vec<_> = table
        .iter()
        .filter(|(_, got, expected)| got.as_slice() != expected.as_slice())
        .map(|(name, got, expected)| format!("{name}: got {got:?}, expected {expected:?}"))
        .collect();
    let who: Vec<&str> = callers.iter().map(|(name, _)| *name).collect();
    assert!(wrong.is_empty(), "callers {who:?}\n{}", wrong.join("\n"));
}

async fn refer_status(app: &TestApp, who: Option<&Person>, need: i64) -> u16 {
    app.post_as(
        who,
        "refer_need",
        &[
            ("need_id", &need.to_string()),
            ("stage", "council"),
            ("version", &app.version_of(need).await.to_string()),
            ("programme", "医疗救助"),
            ("due", &today_plus(7)),
        ],
    )
    .await
    .status()
    .as_u16()
}
