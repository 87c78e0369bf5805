//! Other agencies' aid records: the CSV import, and the duplicate-aid warning they raise at
//! review and at claim time.

use crate::support::{id_number, spawn_app, status_and_code};

const HEADER: &str = "身份证号,机构,窗口,事由,日期,金额\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_bad_rows_imports_nothing_and_names_every_bad_line() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000021", &[("admin", "")]).await;
    let good = id_number(10);
    let csv = format!(
        "{HEADER}{good},丹阳市慈善总会,助医,住院救助,2026-03-15,3000\n\
         110105194912310021,市红十字会,助医,大病救助,2026-04-01,500\n\
         {good},市民政局,助飞,临时救助,2026-05-01,\n\
         {good},市总工会,助学,助学金,2026-02-30,800\n\
         {good},市残联,助残,辅具\n"
    );
    let response = app
        .post_as(Some(&admin), "import_aid", &[("csv", &csv)])
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "csv");
    let message = body["message"].as_str().unwrap();
    for expected in [
        "第 3 行",
        "校验位",
        "第 4 行",
        "助飞",
        "第 5 行",
        "2026-02-30",
        "第 6 行",
        "6 列",
    ] {
        assert!(
            message.contains(expected),
            "{expected} missing from: {message}"
        );
    }
    assert!(
        !message.contains("第 2 行"),
        "the good line was reported: {message}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM aid_records").await,
        0,
        "a partial import happened"
    );

    // The corrected file goes in whole; the ID number itself is not stored.
    let csv = format!(
        "{HEADER}{good},丹阳市慈善总会,助医,住院救助,2026-03-15,3000\n{good},市残联,disability,辅具,2026/05/01,\n"
    );
    let response = app
        .post_as(Some(&admin), "import_aid", &[("csv", &csv)])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 2);
    let stored: Vec<String> = sqlx::query_scalar("SELECT id_key FROM aid_records")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert!(stored
        .iter()
        .all(|key| key.len() == 64 && !key.contains(&good[..10])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_are_warned_of_recent_same_window_aid_and_must_say_why_they_approve() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000031", &[("admin", "")]).await;
    let author = app
        .person("志愿者甲", "13700000032", &[("volunteer", "")])
        .await;
    let second = app
        .person("志愿者乙", "13700000033", &[("volunteer", "")])
        .await;
    let council = app
        .person("议事小组", "13700000034", &[("reviewer", "司徒镇")])
        .await;
    let helped = id_number(20);
    let household = app.register_household(&author, "司徒镇", &helped).await;
    // Medical aid two months ago from another agency; education aid is another window.
    let recent = wanshan_app::domain::UtcMillis::now()
        .months_before(2)
        .shanghai_date_text();
    let long_ago = wanshan_app::domain::UtcMillis::now()
        .months_before(14)
        .shanghai_date_text();
    let csv = format!(
        "{HEADER}{helped},丹阳市慈善总会,助医,住院医疗救助,{recent},3000\n\
         {helped},市红十字会,助医,门诊救助,{long_ago},200\n\
         {helped},市总工会,助学,助学金,{recent},800\n"
    );
    assert_eq!(
        app.post_as(Some(&admin), "import_aid", &[("csv", &csv)])
            .await
            .status(),
        200
    );

    let need = app
        .enter_need(&author, household, "medical", "肺癌术后靶向药费用")
        .await;
    let queue = app.review_queue(&council).await;
    let item = &queue["council"][0];
    assert_eq!(item["need"]["id"], need);
    assert_eq!(
        item["aid"]["entries"].as_array().unwrap().len(),
        3,
        "the whole history is shown"
    );
    let warnings = item["aid"]["warnings"].as_array().unwrap();
    assert_eq!(
        warnings.len(),
        1,
        "only same-window aid within 12 months warns: {item}"
    );
    let warned = &item["aid"]["entries"][warnings[0].as_u64().unwrap() as usize];
    assert_eq!(warned["source"]["agency"], "丹阳市慈善总会");

    // Approving over the warning needs a reason, which is recorded.
    assert_eq!(
        status_and_code(app.approve(&council, need, "council", "").await).await,
        (409, "DuplicateAid".into())
    );
    assert_eq!(app.status_of(need).await, "council_review");
    assert_eq!(
        app.approve(
            &council,
            need,
            "council",
            "上次为住院费，此次为术后用药，已入户核实"
        )
        .await
        .status(),
        200
    );
    let (reason, count): (String, i64) =
        sqlx::query_as("SELECT reason, aid_warnings FROM reviews WHERE need_id = $1")
            .bind(need)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (reason.as_str(), count),
        ("上次为住院费，此次为术后用药，已入户核实", 1)
    );
    // The second reviewer is warned too.
    assert_eq!(
        status_and_code(app.approve(&second, need, "volunteer", "").await).await,
        (409, "DuplicateAid".into())
    );
    assert_eq!(
        app.approve(&second, need, "volunteer", "议事小组已核实")
            .await
            .status(),
        200
    );

    // At claim time the reviewers are warned again; the donor's receipt says nothing of it.
    let response = app.claim_need(need, "爱心人士", "13911110000").await;
    assert_eq!(response.status(), 200);
    let receipt = response.text().await.unwrap();
    assert!(
        !receipt.contains("慈善总会") && !receipt.contains("aid"),
        "{receipt}"
    );
    let queue = app.review_queue(&council).await;
    assert_eq!(queue["claim_alerts"][0]["need"]["id"], need);
    assert_eq!(queue["claim_alerts"][0]["aid_warnings"], 1);
    // A reviewer of another town is not.
    let other = app
        .person("别镇议事小组", "13700000035", &[("reviewer", "吕城镇")])
        .await;
    let queue = app.review_queue(&other).await;
    assert!(queue["claim_alerts"].as_array().unwrap().is_empty());
}
