//! Intake and two-stage review: who may approve, in what order, and what the boards see.

use crate::support::{spawn_app, status_and_code, TestApp};

/// A volunteer who enters needs, a second volunteer, a council reviewer of 延陵镇.
async fn cast(
    app: &TestApp,
) -> (
    crate::support::Person,
    crate::support::Person,
    crate::support::Person,
) {
    let author = app
        .person("志愿者甲", "13700000011", &[("volunteer", "")])
        .await;
    let second = app
        .person("志愿者乙", "13700000012", &[("volunteer", "延陵镇")])
        .await;
    let council = app
        .person("延陵镇议事小组", "13700000013", &[("reviewer", "延陵镇")])
        .await;
    (author, second, council)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_need_is_published_only_after_the_council_and_a_second_volunteer_approve() {
    let app = spawn_app().await;
    let (author, second, council) = cast(&app).await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(1))
        .await;
    let mut stream = app.stream("", None).await;
    let need = app
        .enter_need(&author, household, "medical", "透析自付费用缺口")
        .await;
    assert_eq!(app.status_of(need).await, "council_review");
    assert!(
        !app.page("/").await.contains("透析自付费用缺口"),
        "on the board before review"
    );

    assert_eq!(
        app.approve(&council, need, "council", "").await.status(),
        200
    );
    assert_eq!(app.status_of(need).await, "volunteer_review");
    assert!(!app.page("/").await.contains("透析自付费用缺口"));

    assert_eq!(
        app.approve(&second, need, "volunteer", "").await.status(),
        200
    );
    assert_eq!(app.status_of(need).await, "published");
    // It reaches open boards live, and the page.
    let event = stream.next().await;
    assert_eq!(event.name, "change");
    assert!(
        event.data.contains("need_published") && event.data.contains("透析自付费用缺口"),
        "{}",
        event.data
    );
    assert!(app.page("/").await.contains("透析自付费用缺口"));
    // Both decisions are recorded with who made them.
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM reviews WHERE need_id = {need} AND decision = 'approve'"
        ))
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_twice_out_of_order_or_after_publication_is_a_clear_error_that_changes_nothing() {
    let app = spawn_app().await;
    let (author, second, council) = cast(&app).await;
    // One person who is both a council reviewer and a volunteer of the town.
    let both = app
        .person(
            "身兼两职",
            "13700000014",
            &[("reviewer", "延陵镇"), ("volunteer", "延陵镇")],
        )
        .await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(2))
        .await;
    let need = app
        .enter_need(&author, household, "education", "高三学生住校生活费")
        .await;
    let events_before = app.scalar("SELECT COUNT(*) FROM events").await;

    // Out of order: the volunteer stage before the council stage.
    assert_eq!(
        status_and_code(app.approve(&second, need, "volunteer", "").await).await,
        (409, "WrongStage".into())
    );
    assert_eq!(app.status_of(need).await, "council_review");
    // The author cannot approve their own need (the author is not a reviewer either).
    let author_reviewer = app
        .person(
            "录入又审核",
            "13700000015",
            &[("volunteer", ""), ("reviewer", "延陵镇")],
        )
        .await;
    let own = app
        .enter_need(&author_reviewer, household, "home", "厨房电线改造")
        .await;
    assert_eq!(
        status_and_code(app.approve(&author_reviewer, own, "council", "").await).await,
        (409, "SameReviewer".into())
    );
    assert_eq!(app.status_of(own).await, "council_review");

    // The same person approving both stages.
    assert_eq!(app.approve(&both, need, "council", "").await.status(), 200);
    assert_eq!(
        status_and_code(app.approve(&both, need, "volunteer", "").await).await,
        (409, "SameReviewer".into())
    );
    assert_eq!(app.status_of(need).await, "volunteer_review");
    // The council stage again, now that it is past.
    assert_eq!(
        status_and_code(app.approve(&council, need, "council", "").await).await,
        (409, "WrongStage".into())
    );

    assert_eq!(
        app.approve(&second, need, "volunteer", "").await.status(),
        200
    );
    // Approving a need that is already published.
    assert_eq!(
        status_and_code(app.approve(&second, need, "volunteer", "").await).await,
        (409, "WrongStage".into())
    );
    assert_eq!(
        status_and_code(app.approve(&council, need, "council", "").await).await,
        (409, "WrongStage".into())
    );
    assert_eq!(app.status_of(need).await, "published");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM reviews WHERE need_id = {need}"
        ))
        .await,
        2,
        "a refused approval was recorded"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM events").await,
        events_before + 1,
        "only the one publication reached the live stream"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_need_goes_back_to_its_author_with_the_reason() {
    let app = spawn_app().await;
    let (author, _, council) = cast(&app).await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(3))
        .await;
    let need = app
        .enter_need(&author, household, "home", "漏雨屋顶修补")
        .await;
    let response = app
        .post_as(
            Some(&council),
            "return_need",
            &[
                ("need_id", &need.to_string()),
                ("stage", "council"),
                ("version", "1"),
                ("reason", "请补充房屋照片和报价"),
            ],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.status_of(need).await, "draft");
    let mine: serde_json::Value = app
        .post_as(Some(&author), "my_needs", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["returned_reason"], "请补充房屋照片和报价");
    // Returning without a reason is refused.
    let resubmitted = app
        .post_as(
            Some(&author),
            "submit_need",
            &[("need_id", &need.to_string())],
        )
        .await;
    assert_eq!(resubmitted.status(), 200);
    let (status, code) = status_and_code(
        app.post_as(
            Some(&council),
            "return_need",
            &[
                ("need_id", &need.to_string()),
                ("stage", "council"),
                ("version", "1"),
                ("reason", " "),
            ],
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "Invalid"));
    assert_eq!(app.status_of(need).await, "council_review");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_published_need_takes_it_off_every_board_live_and_back_to_review() {
    let app = spawn_app().await;
    let (author, second, council) = cast(&app).await;
    let household = app
        .register_household(&author, "延陵镇", &crate::support::id_number(4))
        .await;
    let need = app
        .enter_need(&author, household, "disability", "轮椅坡道")
        .await;
    app.approve(&council, need, "council", "").await;
    app.approve(&second, need, "volunteer", "").await;
    assert!(app.page("/").await.contains("轮椅坡道"));
    let mut stream = app
        .stream("", Some(app.scalar("SELECT MAX(id) FROM events").await))
        .await;

    // Only the private notes change: it stays on the board.
    let mut form = crate::support::need_form(household, "disability", "轮椅坡道");
    form[0].1 = need.to_string();
    form[8].1 = "新的内部备注".into();
    assert_eq!(
        app.post_fields(Some(&author), "save_need", &form)
            .await
            .status(),
        200
    );
    assert_eq!(app.status_of(need).await, "published");

    // A public field changes: off the board, live, and back to the council stage.
    form[3].1 = "轮椅坡道与扶手".into();
    assert_eq!(
        app.post_fields(Some(&author), "save_need", &form)
            .await
            .status(),
        200
    );
    let event = stream.next().await;
    assert!(
        event.data.contains("need_withdrawn")
            && event.data.contains(&format!("\"need_id\":{need}")),
        "{}",
        event.data
    );
    assert_eq!(app.status_of(need).await, "council_review");
    let board = app.page("/").await;
    assert!(!board.contains("轮椅坡道"), "still on the board");
    // Someone else cannot edit it.
    let (status, _) =
        status_and_code(app.post_fields(Some(&second), "save_need", &form).await).await;
    assert_eq!(status, 403);
}
