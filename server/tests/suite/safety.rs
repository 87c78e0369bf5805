//! Safe to deploy: each attack the review of the running server tried, tried again here, and
//! shown to fail with nothing lost: fen-sized pledges, piled-up deliveries nobody confirms,
//! photos with the family's GPS position, approvals of text the reviewer never saw, personal
//! details in public text, names on the leaderboard, edited text replayed from the log,
//! volunteers' phones harvested by claiming and releasing, and duplicate households revealed
//! across towns.

use crate::support::{
    household_form, id_number, need_form, spawn_app, spawn_app_with, status_and_code, Person,
    TestApp,
};
use serde_json::Value;

use crate::fulfilment::{claim_id, volunteer};

/// A need entered by a volunteer of 延陵镇 for a new household and published through both
/// reviews; returns (need, household, its author).
async fn published_through_review(app: &TestApp, serial: u32, title: &str) -> (i64, i64, Person) {
    let author = app
        .person("录入志愿者", "13700000011", &[("volunteer", "延陵镇")])
        .await;
    let approver = app
        .person("复核志愿者", "13700000012", &[("volunteer", "延陵镇")])
        .await;
    let council = app
        .person("议事小组", "13700000013", &[("reviewer", "延陵镇")])
        .await;
    let household = app
        .register_household(&author, "延陵镇", &id_number(serial))
        .await;
    let need = app.enter_need(&author, household, "medical", title).await;
    for (who, stage) in [(&council, "council"), (&approver, "volunteer")] {
        let approved = app.approve(who, need, stage, "").await;
        assert_eq!(approved.status(), 200, "{stage}");
    }
    (need, household, author)
}

async fn pledge(app: &TestApp, donor: &Person, need: i64, yuan: &str) -> reqwest::Response {
    app.post_as(
        Some(donor),
        "claim_need",
        &[("need_id", &need.to_string()), ("amount", yuan)],
    )
    .await
}

fn claim_in(claims: &Value, claim: i64) -> Value {
    claims
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["claim_id"] == claim)
        .unwrap_or_else(|| panic!("claim {claim} not listed: {claims}"))
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pledge_below_the_minimum_is_refused_unless_it_takes_all_that_is_left() {
    let app = spawn_app().await;
    let author = volunteer(&app).await;
    let need = app
        .publish_money("透析费用缺口", "延陵镇", 9000, &author)
        .await;
    let donor = app.donor("小额认捐人").await;
    for tiny in ["0.01", "1", "49.99"] {
        let response = pledge(&app, &donor, need, tiny).await;
        assert_eq!(response.status(), 422, "¥{tiny} was accepted");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], "amount");
        assert!(body["message"].as_str().unwrap().contains("¥50"), "{body}");
    }
    assert_eq!(
        app.scalar(&format!("SELECT pledged_fen FROM needs WHERE id = {need}"))
            .await,
        0,
        "a refused pledge held part of the need"
    );
    assert_eq!(app.my_claims(&donor).await.as_array().unwrap().len(), 0);
    claim_id(pledge(&app, &donor, need, "8990").await).await;
    // ¥10 is left: less than the minimum, and it may be pledged because it is all of it.
    let last = app.donor("收尾认捐人").await;
    let response = pledge(&app, &last, need, "9.99").await;
    assert_eq!(status_and_code(response).await, (422, "Invalid".into()));
    claim_id(pledge(&app, &last, need, "10").await).await;
    assert_eq!(app.status_of(need).await, "claimed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_cannot_pile_up_deliveries_that_nobody_confirms() {
    let app = spawn_app_with(|config| config.max_unconfirmed = 2).await;
    let coordinator = volunteer(&app).await;
    let donor = app.donor("送达很多的人").await;
    let mut delivered = Vec::new();
    for title in ["助听器一", "助听器二"] {
        let need = app.publish_money(title, "延陵镇", 800, &coordinator).await;
        let claim = claim_id(app.claim_as(&donor, need).await).await;
        assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
        delivered.push(claim);
    }
    let third = app
        .publish_money("助听器三", "延陵镇", 800, &coordinator)
        .await;
    let refused = app.claim_as(&donor, third).await;
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "TooManyUnconfirmed", "{body}");
    assert!(body["message"].as_str().unwrap().contains('2'), "{body}");
    assert_eq!(app.status_of(third).await, "published");
    // Once a volunteer acts on one, the donor may claim again.
    let confirmed = app
        .post_as(
            Some(&coordinator),
            "confirm_delivery",
            &[
                ("claim_id", &delivered[0].to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    claim_id(app.claim_as(&donor, third).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_rejects_a_delivery_with_a_reason_and_the_part_returns_to_the_board_live() {
    let app = spawn_app().await;
    let coordinator = volunteer(&app).await;
    let need = app
        .publish_money("白血病化疗费用", "延陵镇", 1000, &coordinator)
        .await;
    let donor = app.donor("未送达的人").await;
    let claim = claim_id(pledge(&app, &donor, need, "1000").await).await;
    assert_eq!(app.status_of(need).await, "claimed");
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
    let mut stream = app
        .stream(
            "",
            Some(app.scalar("SELECT COALESCE(MAX(id), 0) FROM events").await),
        )
        .await;
    let reject = |who: Option<&Person>, reason: &str| {
        let (claim, reason) = (claim.to_string(), reason.to_owned());
        let who = who.cloned();
        let app = &app;
        async move {
            app.post_as(
                who.as_ref(),
                "reject_delivery",
                &[("claim_id", &claim), ("reason", &reason)],
            )
            .await
        }
    };
    let elsewhere = app
        .person("别镇志愿者", "13600002222", &[("volunteer", "吕城镇")])
        .await;
    for (who, expected) in [(None, 401), (Some(&donor), 403), (Some(&elsewhere), 403)] {
        let status = reject(who, "家属说没有收到").await.status().as_u16();
        assert_eq!(status, expected, "{:?}", who.map(|p| &p.phone));
    }
    assert_eq!(
        status_and_code(reject(Some(&coordinator), " ").await).await,
        (422, "Invalid".into())
    );
    assert_eq!(
        app.status_of(need).await,
        "claimed",
        "a refused rejection moved it"
    );

    let rejected = reject(Some(&coordinator), "家属说没有收到，电话也联系不上认领人").await;
    assert_eq!(rejected.status(), 200, "{:?}", rejected.text().await);
    let event = stream.next().await;
    let change: Value = serde_json::from_str(&event.data).unwrap();
    assert_eq!(change["type"], "need_published", "{change}");
    assert_eq!(change["need"]["id"], need);
    assert_eq!(app.status_of(need).await, "published");
    assert!(app.page("/").await.contains("白血病化疗费用"));

    let mine = claim_in(&app.my_claims(&donor).await, claim);
    assert_eq!(mine["status"], "rejected");
    assert_eq!(
        mine["rejected_reason"],
        "家属说没有收到，电话也联系不上认领人"
    );
    assert!(
        mine["coordinator"].is_null(),
        "the volunteer's phone still reaches a donor whose claim was sent back: {mine}"
    );
    // Neither a second rejection nor a confirmation applies to it now.
    assert_eq!(
        status_and_code(reject(Some(&coordinator), "再退一次试试").await).await,
        (409, "WrongStage".into())
    );
    let confirm = app
        .post_as(
            Some(&coordinator),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(status_and_code(confirm).await, (409, "WrongStage".into()));
    // The part can be pledged again by someone else.
    let next = app.donor("第二位认捐人").await;
    claim_id(pledge(&app, &next, need, "1000").await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_nobody_confirms_in_time_is_listed_first_as_overdue() {
    let app = spawn_app_with(|config| config.confirm_within_days = 7).await;
    let coordinator = volunteer(&app).await;
    let donor = app.donor("等待确认的人").await;
    let mut claims = Vec::new();
    for title in ["旧的送达", "新的送达"] {
        let need = app.publish_money(title, "延陵镇", 800, &coordinator).await;
        let claim = claim_id(app.claim_as(&donor, need).await).await;
        assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
        claims.push(claim);
    }
    // The first was delivered eight days ago (the clock the list reads is the server's).
    sqlx::query("UPDATE claims SET delivered_at = delivered_at - $2 WHERE id = $1")
        .bind(claims[0])
        .bind(8 * 86_400_000_i64)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let listed: Value = app
        .post_as(Some(&coordinator), "list_deliveries", &[])
        .await
        .json()
        .await
        .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["claim"]["claim_id"], claims[0]);
    assert_eq!(listed[0]["overdue"], true);
    assert_eq!(listed[1]["overdue"], false);
    let page = app
        .get_as(Some(&coordinator), "/review")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-testid=\"overdue\"").count(), 1, "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_stored_without_their_gps_and_each_donor_has_a_photo_quota() {
    let app = spawn_app_with(|config| config.photo_quota = 1).await;
    let coordinator = volunteer(&app).await;
    let donor = app.donor("拍照的人").await;
    let first = app
        .publish_money("轮椅坡道", "延陵镇", 800, &coordinator)
        .await;
    let claim = claim_id(app.claim_as(&donor, first).await).await;
    let jpeg = crate::support::jpeg_with_gps();
    assert_eq!(
        app.deliver(&donor, claim, Some(("home.jpg", jpeg.clone())))
            .await
            .status(),
        204
    );
    let seen = app
        .get_as(Some(&coordinator), &format!("/api/claims/{claim}/photo"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let text = String::from_utf8_lossy(&seen);
    assert!(!text.contains("GPS") && !text.contains("Exif"), "EXIF kept");
    assert!(!text.contains("family's home"), "the comment was kept");
    assert!(
        text.contains("JFIF"),
        "the picture's own header was dropped"
    );
    assert!(
        seen.ends_with(&[0x12, 0x34, 0x56, 0xFF, 0xD9]),
        "the picture itself changed"
    );

    // The quota (1 in 30 days here) is used up: a second photo is refused before it is
    // stored, and the claim stays open; a delivery without a photo still goes through.
    let second = app
        .publish_money("防滑地砖", "延陵镇", 800, &coordinator)
        .await;
    let claim = claim_id(app.claim_as(&donor, second).await).await;
    let refused = app
        .deliver(
            &donor,
            claim,
            Some(("again.png", crate::support::png(true))),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["field"], "photo");
    let photos = std::fs::read_dir(app.state.settings.data_dir.join("photos"))
        .unwrap()
        .count();
    assert_eq!(photos, 1, "a photo over the quota was stored");
    assert_eq!(
        claim_in(&app.my_claims(&donor).await, claim)["status"],
        "open"
    );
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_png_keeps_its_picture_and_loses_its_text_and_exif() {
    let app = spawn_app().await;
    let coordinator = volunteer(&app).await;
    let donor = app.donor("传 PNG 的人").await;
    let need = app
        .publish_money("助学生活费", "延陵镇", 800, &coordinator)
        .await;
    let claim = claim_id(app.claim_as(&donor, need).await).await;
    let response = app
        .deliver(&donor, claim, Some(("a.png", crate::support::png(true))))
        .await;
    assert_eq!(response.status(), 204);
    let seen = app
        .get_as(Some(&coordinator), &format!("/api/claims/{claim}/photo"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(seen, crate::support::png(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_of_text_edited_since_the_reviewer_saw_it_is_refused() {
    let app = spawn_app().await;
    let author = app
        .person("录入志愿者", "13700000011", &[("volunteer", "延陵镇")])
        .await;
    let council = app
        .person("议事小组", "13700000013", &[("reviewer", "延陵镇")])
        .await;
    let household = app
        .register_household(&author, "延陵镇", &id_number(1))
        .await;
    let need = app
        .enter_need(&author, household, "medical", "透析自付费用缺口")
        .await;
    let queue = app.review_queue(&council).await;
    let seen = queue["council"][0]["version"].as_i64().unwrap();
    assert_eq!(queue["council"][0]["need"]["id"], need);

    // The author changes the story after the reviewer opened it.
    let mut edit = need_form(household, "medical", "透析自付费用缺口");
    for (field, value) in &mut edit {
        match field.as_str() {
            "form[need_id]" => *value = need.to_string(),
            "form[story]" => *value = "改过的说明：其实需要的是另一笔费用，金额也变了。".into(),
            _ => {}
        }
    }
    let saved = app.post_fields(Some(&author), "save_need", &edit).await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    assert_eq!(app.status_of(need).await, "council_review");

    let stale = app
        .approve_version(&council, need, "council", "", seen)
        .await;
    assert_eq!(status_and_code(stale).await, (409, "NeedChanged".into()));
    let stale_return = app
        .post_as(
            Some(&council),
            "return_need",
            &[
                ("need_id", &need.to_string()),
                ("stage", "council"),
                ("version", &seen.to_string()),
                ("reason", "请补充材料"),
            ],
        )
        .await;
    assert_eq!(status_and_code(stale_return).await.1, "NeedChanged");
    assert_eq!(app.status_of(need).await, "council_review");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM reviews WHERE need_id = {need}"
        ))
        .await,
        0,
        "a stale decision was recorded"
    );
    // Looked at again, it can be approved.
    let fresh = app.review_queue(&council).await["council"][0]["version"]
        .as_i64()
        .unwrap();
    assert_eq!(fresh, seen + 1);
    let approved = app
        .approve_version(&council, need, "council", "", fresh)
        .await;
    assert_eq!(approved.status(), 200);
    assert_eq!(app.status_of(need).await, "volunteer_review");
    // Reviewers read the private notes too: a notes-only edit in review is a new version.
    let mut notes = edit.clone();
    for (field, value) in &mut notes {
        if field == "form[private_notes]" {
            *value = "改过的内部备注".into();
        }
    }
    let saved = app.post_fields(Some(&author), "save_need", &notes).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(app.version_of(need).await, fresh + 1);
    assert_eq!(
        app.status_of(need).await,
        "volunteer_review",
        "notes alone keep the stage"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_text_with_contact_details_or_naming_the_household_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let author = app
        .person("录入志愿者", "13700000011", &[("volunteer", "延陵镇")])
        .await;
    let registered = app
        .post_fields(
            Some(&author),
            "register_household",
            &household_form("延陵镇", &id_number(2), "王建国"),
        )
        .await;
    assert_eq!(registered.status(), 200);
    let household: i64 = registered.json().await.unwrap();
    for (field, text, expected) in [
        ("story", "家中困难，请直接联系 138 1234 5678。", "电话号码"),
        (
            "story",
            "户主身份证 32118119800101123X，情况属实。",
            "身份证号",
        ),
        ("title", "王建国透析费用", "户主姓名"),
        ("story", "老人住在示范村三组 12 号，腿脚不便。", "住址"),
        ("story", "家里电话13700001234，有事请打。", "电话"),
    ] {
        let mut form = need_form(household, "medical", "透析自付费用缺口");
        for (name, value) in &mut form {
            if *name == format!("form[{field}]") {
                *value = text.to_owned();
            }
        }
        let response = app.post_fields(Some(&author), "save_need", &form).await;
        assert_eq!(response.status(), 422, "{text} was accepted");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["field"], field, "{text}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(expected),
            "{text}: {body}"
        );
    }
    let mine: Value = app
        .post_as(Some(&author), "my_needs", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        mine.as_array().unwrap().len(),
        0,
        "a refused need was saved"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_card_shows_the_town_and_the_village_only_where_the_city_allows() {
    for show_village in [false, true] {
        let app = spawn_app_with(|config| {
            config.city.public.locality = if show_village {
                wanshan_server::city::Locality::Village
            } else {
                wanshan_server::city::Locality::Town
            }
        })
        .await;
        published_through_review(&app, 3, "透析自付费用缺口").await;
        let board = app.page("/").await;
        assert!(board.contains("透析自付费用缺口") && board.contains("延陵镇"));
        assert_eq!(
            board.contains("示范村"),
            show_village,
            "village shown = {}",
            board.contains("示范村")
        );
        let loaded = app
            .post_as(None, "list_needs", &[("filter[pages]", "1")])
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(loaded.contains("示范村"), show_village, "{loaded}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leaderboard_masks_a_name_unless_its_owner_shows_it() {
    let app = spawn_app().await;
    let coordinator = volunteer(&app).await;
    let donor = app.donor("周晓明").await;
    let need = app
        .publish_money("助听器更换", "延陵镇", 800, &coordinator)
        .await;
    let claim = claim_id(app.claim_as(&donor, need).await).await;
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
    let confirmed = app
        .post_as(
            Some(&coordinator),
            "confirm_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "老人不会用手机，当面确认"),
            ],
        )
        .await;
    assert_eq!(confirmed.status(), 200);
    let board = app
        .post_as(None, "load_leaderboard", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("周*"), "{board}");
    assert!(
        !board.contains("周晓明") && !board.contains("协调志愿者"),
        "{board}"
    );
    let page = app.page("/credit").await;
    assert!(!page.contains("周晓明"), "the page shows the full name");
    // The donor chooses to show their name.
    let shown = app
        .post_as(Some(&donor), "set_anonymous", &[("anonymous", "false")])
        .await;
    assert_eq!(shown.status(), 200);
    let board = app
        .post_as(None, "load_leaderboard", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(board.contains("周晓明"), "{board}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_removes_the_old_public_text_from_the_replayable_log() {
    let app = spawn_app().await;
    let (need, household, author) = published_through_review(&app, 4, "最早写错的标题").await;
    let mut edit = need_form(household, "medical", "改正以后的标题");
    for (field, value) in &mut edit {
        if field == "form[need_id]" {
            *value = need.to_string();
        }
    }
    let saved = app.post_fields(Some(&author), "save_need", &edit).await;
    assert_eq!(saved.status(), 200);
    // A client replaying the whole log sees the withdrawal, never the old title.
    let mut stream = app.stream("", Some(0)).await;
    let mut replayed = Vec::new();
    loop {
        let event = stream.next().await;
        let change: Value = serde_json::from_str(&event.data).unwrap();
        replayed.push(event.data.clone());
        if change["type"] == "need_withdrawn" && change["need_id"] == need {
            let last = app.scalar("SELECT MAX(id) FROM events").await;
            if event.id == Some(last) {
                break;
            }
        }
    }
    let all = replayed.join("\n");
    assert!(!all.contains("最早写错的标题"), "{all}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM events WHERE payload LIKE '%最早写错的标题%'")
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claiming_and_releasing_does_not_harvest_volunteers_phones() {
    let app = spawn_app().await;
    let coordinator = volunteer(&app).await;
    let need = app
        .publish_money("康复器具", "延陵镇", 800, &coordinator)
        .await;
    let donor = app.donor("收集号码的人").await;
    let claim = claim_id(app.claim_as(&donor, need).await).await;
    // While the claim is in hand the donor can call the volunteer.
    let held = claim_in(&app.my_claims(&donor).await, claim);
    assert_eq!(held["coordinator"]["phone"], "13600001111");
    let released = app
        .post_as(
            Some(&donor),
            "release_claim",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(released.status(), 200);
    let after = app.my_claims(&donor).await;
    assert!(
        !after.to_string().contains("13600001111"),
        "a released claim still shows the volunteer's phone: {after}"
    );
    let page = app
        .get_as(Some(&donor), "/my/claims")
        .await
        .text()
        .await
        .unwrap();
    assert!(!page.contains("13600001111"), "the page shows it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volunteer_learns_of_a_duplicate_household_only_in_their_own_town() {
    let app = spawn_app().await;
    let here = app
        .person("延陵镇志愿者", "13700000011", &[("volunteer", "延陵镇")])
        .await;
    let there = app
        .person("吕城镇志愿者", "13700000021", &[("volunteer", "吕城镇")])
        .await;
    let second = app
        .person(
            "吕城镇复核志愿者",
            "13700000022",
            &[("volunteer", "吕城镇")],
        )
        .await;
    let council = app
        .person("吕城镇议事小组", "13700000023", &[("reviewer", "吕城镇")])
        .await;
    let id = id_number(5);
    app.register_household(&here, "延陵镇", &id).await;
    // Again in the same town: the volunteer is told it exists.
    let again = app
        .post_fields(
            Some(&here),
            "register_household",
            &household_form("延陵镇", &id, "又登记一次"),
        )
        .await;
    assert_eq!(
        status_and_code(again).await,
        (409, "HouseholdExists".into())
    );
    // In another town: registered like any other, nothing revealed to that volunteer...
    let elsewhere = app
        .post_fields(
            Some(&there),
            "register_household",
            &household_form("吕城镇", &id, "另一镇登记"),
        )
        .await;
    assert_eq!(
        elsewhere.status(),
        200,
        "another town's registration was revealed"
    );
    let household: i64 = elsewhere.json().await.unwrap();
    let listed = app
        .post_as(Some(&there), "list_households", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(!listed.contains("延陵镇"), "{listed}");
    // ...and flagged to that town's reviewers with the need.
    let need = app
        .enter_need(&there, household, "medical", "重复登记的家庭")
        .await;
    let queue = app.review_queue(&council).await;
    let item = &queue["council"][0];
    assert_eq!(item["need"]["id"], need);
    assert_eq!(item["registered_elsewhere"], serde_json::json!(["延陵镇"]));
    let page = app
        .get_as(Some(&council), "/review")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("registered-elsewhere"),
        "not shown on the page"
    );
    let _ = second;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_carries_a_content_security_policy_whose_nonce_its_inline_scripts_carry() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13600009999", &[("admin", "")]).await;
    let mut nonces = Vec::new();
    for (who, path) in [
        (None, "/"),
        (None, "/impact"),
        (None, "/credit"),
        (None, "/signin"),
        (Some(&admin), "/review"),
        (Some(&admin), "/admin"),
        (None, "/no-such-page"),
    ] {
        let response = app.get_as(who, path).await;
        let policy = response
            .headers()
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no Content-Security-Policy"))
            .to_str()
            .unwrap()
            .to_owned();
        for directive in [
            "default-src 'self'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(policy.contains(directive), "{path}: {policy}");
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {policy}"))
            .to_owned();
        let page = response.text().await.unwrap();
        let inline: Vec<&str> = page
            .split("<script")
            .skip(1)
            .map(|script| &script[..script.find('>').unwrap_or(script.len())])
            .filter(|tag| !tag.contains("src="))
            .collect();
        assert!(!inline.is_empty(), "{path}: no hydration script");
        for tag in inline {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}>"
            );
        }
        nonces.push(nonce);
    }
    let count = nonces.len();
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), count, "a nonce was used twice");
}

/// Sends the head of a POST declaring a `declared`-byte body and only the first KiB of it;
/// returns the status line the server answers with, without the rest being sent.
async fn answer_before_the_body(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    declared: usize,
) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\n{cookie}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {declared}\r\n\r\ncsv="
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&[b'a'; 1024]).await.unwrap();
    let mut answer = vec![0u8; 512];
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), socket.read(&mut answer))
        .await
        .unwrap_or_else(|_| panic!("{path}: no answer within 10 s while the body was unsent"))
        .unwrap();
    String::from_utf8_lossy(&answer[..read])
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_large_import_body_is_refused_before_it_is_read_unless_an_admin_sends_it() {
    let app = spawn_app().await;
    let donor = app.donor("想导入的人").await;
    let three_mib = 3 * 1024 * 1024;
    assert!(
        answer_before_the_body(&app, "/api/import_aid", None, three_mib)
            .await
            .contains("401"),
        "anonymous"
    );
    assert!(
        answer_before_the_body(&app, "/api/import_aid", Some(&donor.cookie), three_mib)
            .await
            .contains("403"),
        "a donor"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claiming_and_releasing_again_and_again_is_bounded_per_day() {
    let app = spawn_app_with(|config| config.max_claims_per_day = 3).await;
    let coordinator = volunteer(&app).await;
    let need = app
        .publish_money("康复器具", "延陵镇", 800, &coordinator)
        .await;
    let donor = app.donor("反复认领的人").await;
    for _ in 0..3 {
        let claim = claim_id(app.claim_as(&donor, need).await).await;
        let released = app
            .post_as(
                Some(&donor),
                "release_claim",
                &[("claim_id", &claim.to_string())],
            )
            .await;
        assert_eq!(released.status(), 200);
    }
    let fourth = app.claim_as(&donor, need).await;
    assert_eq!(
        status_and_code(fourth).await,
        (429, "TooManyClaimsToday".into())
    );
    assert_eq!(app.status_of(need).await, "published");
    // Someone else may still claim it.
    let other = app.donor("另一位").await;
    claim_id(app.claim_as(&other, need).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reason_for_sending_a_delivery_back_may_not_carry_a_phone_number() {
    let app = spawn_app().await;
    let coordinator = volunteer(&app).await;
    let need = app
        .publish_money("助听器更换", "延陵镇", 800, &coordinator)
        .await;
    let donor = app.donor("送达的人").await;
    let claim = claim_id(app.claim_as(&donor, need).await).await;
    assert_eq!(app.deliver(&donor, claim, None).await.status(), 204);
    let response = app
        .post_as(
            Some(&coordinator),
            "reject_delivery",
            &[
                ("claim_id", &claim.to_string()),
                ("reason", "家属电话 138.1234.5678 说没有收到"),
            ],
        )
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["field"], "reason");
    assert_eq!(
        claim_in(&app.my_claims(&donor).await, claim)["status"],
        "delivered"
    );
}
