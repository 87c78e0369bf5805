//! Non-material help: service offers (reviewed, public, live), bookings that never exceed a
//! slot's places whatever the race, attendance that counts as aid, a service need matched to an
//! offer at review, donors' interests ("为你推荐" and the notice of a new match), and who may do
//! any of it.

use crate::support::{id_number, spawn_app, status_and_code, Person, TestApp};
use std::sync::atomic::{AtomicU32, Ordering};
use wanshan_app::domain::UtcMillis;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

static SERIAL: AtomicU32 = AtomicU32::new(400);

/// Moves a slot to start and end these many milliseconds from now (into the past, to record
/// attendance).
async fn set_slot_time(app: &TestApp, slot: i64, starts: i64, ends: i64) {
    sqlx::query("UPDATE offer_slots SET starts_at = $2, ends_at = $3 WHERE id = $1")
        .bind(slot)
        .bind(UtcMillis::now().0 + starts)
        .bind(UtcMillis::now().0 + ends)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
}

/// `2026-12-05 14:00-16:00`-style lines for days ahead of now (Shanghai dates).
fn slot_line(days_ahead: i64, from: &str, to: &str) -> String {
    let date = UtcMillis(UtcMillis::now().0 + days_ahead * DAY).shanghai_date_text();
    format!("{date} {from}-{to}")
}

struct Cast {
    provider: Person,
    volunteer: Person,
    second: Person,
    council: Person,
    other_volunteer: Person,
}

async fn cast(app: &TestApp) -> Cast {
    Cast {
        provider: app
            .person("阳光家教社", "13700000201", &[("provider", "延陵镇")])
            .await,
        volunteer: app
            .person("延陵镇志愿者", "13700000202", &[("volunteer", "延陵镇")])
            .await,
        second: app
            .person("第二位志愿者", "13700000203", &[("volunteer", "延陵镇")])
            .await,
        council: app
            .person("延陵镇议事员", "13700000204", &[("reviewer", "延陵镇")])
            .await,
        other_volunteer: app
            .person("吕城镇志愿者", "13700000205", &[("volunteer", "吕城镇")])
            .await,
    }
}

fn offer_form(slots: &str, places: &str, towns: &[&str]) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = [
        ("kind", "tutoring"),
        ("window", "education"),
        ("title", "周末数学辅导"),
        (
            "description",
            "师范大学志愿者每周末为初中生辅导数学，自带教材。",
        ),
        ("slots", slots),
        ("repeat_weeks", "0"),
        ("places", places),
    ]
    .into_iter()
    .map(|(k, v)| (format!("offer[{k}]"), v.to_owned()))
    .collect();
    for (i, town) in towns.iter().enumerate() {
        form.push((format!("offer[towns][{i}]"), (*town).to_owned()));
    }
    form
}

/// Creates an offer as `cast.provider` and has `cast.volunteer` approve it; its id and its
/// slots' ids.
async fn published_offer(app: &TestApp, cast: &Cast, slots: &str, places: &str) -> (i64, Vec<i64>) {
    let response = app
        .post_fields(
            Some(&cast.provider),
            "create_offer",
            &offer_form(slots, places, &["延陵镇"]),
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let id: i64 = response.json().await.unwrap();
    let decided = app
        .post_as(
            Some(&cast.volunteer),
            "decide_offer",
            &[("offer_id", &id.to_string()), ("decision", "approve")],
        )
        .await;
    assert_eq!(decided.status(), 200, "{:?}", decided.text().await);
    let slots: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM offer_slots WHERE offer_id = $1 ORDER BY starts_at")
            .bind(id)
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    (id, slots)
}

async fn household(app: &TestApp, by: &Person, town: &str) -> i64 {
    app.register_household(by, town, &id_number(SERIAL.fetch_add(1, Ordering::Relaxed)))
        .await
}

async fn book(
    app: &TestApp,
    who: &Person,
    offer: i64,
    slot: i64,
    household: i64,
) -> reqwest::Response {
    app.post_as(
        Some(who),
        "book_service",
        &[
            ("offer_id", &offer.to_string()),
            ("slot_id", &slot.to_string()),
            ("household_id", &household.to_string()),
        ],
    )
    .await
}

async fn offers_json(app: &TestApp) -> serde_json::Value {
    let response = app.post_as(None, "list_offers", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offer_is_public_only_after_review_and_bad_offers_change_nothing() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let ahead = slot_line(3, "14:00", "16:00");
    // Bad input: the field is named and nothing is stored.
    let past = slot_line(-1, "14:00", "16:00");
    let overlapping = format!("{ahead}\n{}", slot_line(3, "15:00", "17:00"));
    for (slots, places, towns, field) in [
        (ahead.as_str(), "0", vec!["延陵镇"], "places"),
        (ahead.as_str(), "-2", vec!["延陵镇"], "places"),
        (past.as_str(), "5", vec!["延陵镇"], "slots"),
        (overlapping.as_str(), "5", vec!["延陵镇"], "slots"),
        ("下周六下午", "5", vec!["延陵镇"], "slots"),
        (ahead.as_str(), "5", vec![], "towns"),
        (ahead.as_str(), "5", vec!["火星镇"], "towns"),
    ] {
        let response = app
            .post_fields(
                Some(&cast.provider),
                "create_offer",
                &offer_form(slots, places, &towns),
            )
            .await;
        assert_eq!(response.status(), 422, "{field}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["field"], field, "{body}");
    }
    // A town the provider does not serve; a volunteer is no provider.
    let elsewhere = offer_form(&ahead, "5", &["吕城镇"]);
    let (status, code) = status_and_code(
        app.post_fields(Some(&cast.provider), "create_offer", &elsewhere)
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "Forbidden"));
    let by_volunteer = offer_form(&ahead, "5", &["延陵镇"]);
    let response = app
        .post_fields(Some(&cast.volunteer), "create_offer", &by_volunteer)
        .await;
    assert_eq!(response.status(), 403);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 0);

    // A good one waits for review: not listed, not found by the public.
    let response = app
        .post_fields(
            Some(&cast.provider),
            "create_offer",
            &offer_form(&ahead, "4", &["延陵镇"]),
        )
        .await;
    assert_eq!(response.status(), 200);
    let id: i64 = response.json().await.unwrap();
    assert_eq!(
        offers_json(&app).await["offers"].as_array().unwrap().len(),
        0
    );
    let anonymous = app
        .post_as(None, "get_offer", &[("offer_id", &id.to_string())])
        .await;
    assert_eq!(
        status_and_code(anonymous).await,
        (404, "OfferNotFound".to_owned())
    );
    assert_eq!(
        app.get_as(None, &format!("/offers/{id}")).await.status(),
        404
    );

    // Another town's volunteer may not decide it; the town's volunteer approves, and every
    // open page hears of it.
    let mut stream = app.stream("", None).await;
    let decide = |who: &Person| {
        let who = who.clone();
        let app = &app;
        async move {
            app.post_as(
                Some(&who),
                "decide_offer",
                &[("offer_id", &id.to_string()), ("decision", "approve")],
            )
            .await
        }
    };
    assert_eq!(decide(&cast.other_volunteer).await.status(), 403);
    assert_eq!(decide(&cast.volunteer).await.status(), 200);
    let event = stream.next().await;
    let published: serde_json::Value = serde_json::from_str(&event.data).unwrap();
    assert_eq!(published["type"], "offer_published", "{published}");
    assert_eq!(published["offer_id"], id);
    assert_eq!(published["towns"], serde_json::json!(["延陵镇"]));
    // Decided once: a second decision hears it moved on.
    assert_eq!(
        status_and_code(decide(&cast.second).await).await,
        (409, "WrongStage".to_owned())
    );
    let listed = offers_json(&app).await;
    let offers = listed["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 1);
    assert_eq!(offers[0]["provider"], "阳光家教社");
    assert_eq!(offers[0]["slots"][0]["places"], 4);
    let page = app.page("/offers").await;
    assert!(
        page.contains("周末数学辅导") && page.contains("余 4 / 4 个名额"),
        "{page}"
    );
    assert!(app
        .notice_kinds(&cast.provider)
        .await
        .contains(&"OfferDecided".to_owned()));

    // A returned offer says why to its provider.
    let response = app
        .post_fields(
            Some(&cast.provider),
            "create_offer",
            &offer_form(&ahead, "4", &["延陵镇"]),
        )
        .await;
    let second: i64 = response.json().await.unwrap();
    let no_reason = app
        .post_as(
            Some(&cast.volunteer),
            "decide_offer",
            &[("offer_id", &second.to_string()), ("decision", "return")],
        )
        .await;
    assert_eq!(no_reason.status(), 422);
    let returned = app
        .post_as(
            Some(&cast.volunteer),
            "decide_offer",
            &[
                ("offer_id", &second.to_string()),
                ("decision", "return"),
                ("note", "请写明是否收费"),
            ],
        )
        .await;
    assert_eq!(returned.status(), 200);
    let mine: serde_json::Value = app
        .post_as(Some(&cast.provider), "list_my_offers", &[])
        .await
        .json()
        .await
        .unwrap();
    let returned = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["offer"]["id"] == second)
        .unwrap();
    assert_eq!(returned["offer"]["status"], "returned");
    assert_eq!(returned["review_note"], "请写明是否收费");
    // Offering and withdrawing again and again: at most 20 new offers in 24 hours.
    let made = app.scalar("SELECT COUNT(*) FROM offers").await;
    for n in made..20 {
        let form = offer_form(&ahead, "4", &["延陵镇"]);
        let response = app
            .post_fields(Some(&cast.provider), "create_offer", &form)
            .await;
        assert_eq!(response.status(), 200, "offer {n}");
        let id: i64 = response.json().await.unwrap();
        let closed = app
            .post_as(
                Some(&cast.provider),
                "close_offer",
                &[("offer_id", &id.to_string())],
            )
            .await;
        assert_eq!(closed.status(), 200);
    }
    let form = offer_form(&ahead, "4", &["延陵镇"]);
    let refused: serde_json::Value = app
        .post_fields(Some(&cast.provider), "create_offer", &form)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(refused["field"], "offer", "{refused}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM offers").await, 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slot_is_never_booked_beyond_its_places_whatever_the_race() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (offer, slots) = published_offer(&app, &cast, &slot_line(2, "09:00", "11:00"), "3").await;
    let slot = slots[0];
    let mut households = Vec::new();
    for _ in 0..12 {
        households.push(household(&app, &cast.volunteer, "延陵镇").await);
    }
    let mut stream = app.stream("", None).await;
    // Twelve volunteers' bookings at once for three places.
    let racing = households.iter().map(|household| {
        let request = app
            .http
            .post(app.url("/api/book_service"))
            .header("cookie", &cast.volunteer.cookie)
            .form(&[
                ("offer_id", offer.to_string()),
                ("slot_id", slot.to_string()),
                ("household_id", household.to_string()),
            ]);
        tokio::spawn(async move { request.send().await.expect("booking sent") })
    });
    let (mut booked, mut full) = (0, 0);
    for response in futures::future::join_all(racing).await {
        let response = response.unwrap();
        match response.status().as_u16() {
            200 => booked += 1,
            409 => {
                let body: serde_json::Value = response.json().await.unwrap();
                assert_eq!(body["code"], "SlotFull", "{body}");
                full += 1;
            }
            other => panic!("unexpected {other}: {:?}", response.text().await),
        }
    }
    assert_eq!((booked, full), (3, 9));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM bookings WHERE status = 'booked'")
            .await,
        3
    );
    assert_eq!(
        app.scalar(&format!("SELECT booked FROM offer_slots WHERE id = {slot}"))
            .await,
        3
    );
    // Every open page heard each place go, the last with none left.
    let mut last = serde_json::Value::Null;
    for _ in 0..3 {
        let event = stream.next().await;
        last = serde_json::from_str(&event.data).unwrap();
        assert_eq!(last["type"], "slot_changed");
    }
    assert_eq!(last["slot"]["booked"], 3);
    let page = app.page("/offers").await;
    assert!(page.contains("已约满"), "a full slot says so");

    // A cancellation gives the place back; the same household twice is refused.
    let booked_ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM bookings WHERE status = 'booked' ORDER BY id")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    let holder: i64 = app
        .scalar(&format!(
            "SELECT household_id FROM bookings WHERE id = {}",
            booked_ids[0]
        ))
        .await;
    let cancel = app
        .post_as(
            Some(&cast.provider),
            "record_booking",
            &[
                ("booking_id", &booked_ids[0].to_string()),
                ("outcome", "cancelled"),
            ],
        )
        .await;
    assert_eq!(cancel.status(), 200, "the provider may cancel");
    assert_eq!(
        app.scalar(&format!("SELECT booked FROM offer_slots WHERE id = {slot}"))
            .await,
        2
    );
    let twice = booked_ids[1];
    let again: i64 = app
        .scalar(&format!(
            "SELECT household_id FROM bookings WHERE id = {twice}"
        ))
        .await;
    let (status, code) =
        status_and_code(book(&app, &cast.volunteer, offer, slot, again).await).await;
    assert_eq!((status, code.as_str()), (409, "AlreadyBooked"));
    assert_eq!(
        book(&app, &cast.volunteer, offer, slot, holder)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.scalar(&format!("SELECT booked FROM offer_slots WHERE id = {slot}"))
            .await,
        3
    );

    // Not closed while families wait for their outcome, even once their time has passed (the
    // offer's page is where they are recorded).
    set_slot_time(&app, slot, -3 * HOUR, -HOUR).await;
    let close = app
        .post_as(
            Some(&cast.provider),
            "close_offer",
            &[("offer_id", &offer.to_string())],
        )
        .await;
    let body: serde_json::Value = close.json().await.unwrap();
    assert_eq!(body["field"], "offer", "{body}");
    assert_eq!(
        app.scalar(&format!(
            "SELECT COUNT(*) FROM offers WHERE id = {offer} AND status = 'published'"
        ))
        .await,
        1
    );
    set_slot_time(&app, slot, 2 * DAY, 2 * DAY + HOUR).await;
    // A provider whose role is taken away handles nothing more, and cannot read its list.
    let held: i64 = app
        .scalar("SELECT MAX(id) FROM bookings WHERE status = 'booked'")
        .await;
    sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
        .bind(cast.provider.id.0)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let revoked = app
        .post_as(
            Some(&cast.provider),
            "record_booking",
            &[("booking_id", &held.to_string()), ("outcome", "cancelled")],
        )
        .await;
    assert_eq!(revoked.status(), 403);
    assert_eq!(
        app.post_as(Some(&cast.provider), "list_my_offers", &[])
            .await
            .status(),
        403
    );
    // A household of another town: refused naming the field, or the volunteer's town.
    let city = app
        .person("全市志愿者", "13700000206", &[("volunteer", "")])
        .await;
    let lucheng = household(&app, &cast.other_volunteer, "吕城镇").await;
    let body: serde_json::Value = book(&app, &city, offer, slot, lucheng)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["field"], "household", "{body}");
    let other = book(&app, &cast.other_volunteer, offer, slot, households[11]).await;
    assert_eq!(other.status(), 403);
    // A donor, a provider: not a volunteer.
    assert_eq!(
        book(&app, &cast.provider, offer, slot, households[11])
            .await
            .status(),
        403
    );
    // A note with control characters (PostgreSQL refuses NUL in text) or a phone: 422 on
    // `note`, nothing booked.
    for note in ["需要\u{0}上门", "请打 13912345678"] {
        let fields = [
            ("offer_id", offer.to_string()),
            ("slot_id", slot.to_string()),
            ("household_id", households[10].to_string()),
            ("note", note.to_owned()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body: serde_json::Value = app
            .post_as(Some(&cast.volunteer), "book_service", &fields)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["field"], "note", "{body}");
    }
    // An unknown household is refused as another town's is (ids are not probed); none at all
    // names the field.
    let unknown = book(&app, &cast.volunteer, offer, slot, 999_999).await;
    assert_eq!(unknown.status(), 403);
    let body: serde_json::Value = book(&app, &cast.volunteer, offer, slot, 0)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["field"], "household", "{body}");
}

/// A service need's form: education tutoring, no amount.
fn service_need_form(household: i64) -> Vec<(String, String)> {
    let mut form = crate::support::need_form(household, "education", "孩子需要数学辅导");
    for (field, value) in &mut form {
        match field.as_str() {
            "form[ask_kind]" => *value = "service".into(),
            "form[amount]" => value.clear(),
            _ => {}
        }
    }
    form
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_counts_as_aid_and_a_matched_need_is_fulfilled_by_the_service() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (offer, slots) = published_offer(
        &app,
        &cast,
        &format!(
            "{}\n{}",
            slot_line(1, "09:00", "11:00"),
            slot_line(8, "09:00", "11:00")
        ),
        "5",
    )
    .await;
    let family = household(&app, &cast.volunteer, "延陵镇").await;
    let response = book(&app, &cast.volunteer, offer, slots[0], family).await;
    assert_eq!(response.status(), 200);
    let booking: i64 = response.json().await.unwrap();
    let record = |who: &Person, outcome: &str| {
        let (who, outcome) = (who.clone(), outcome.to_owned());
        let app = &app;
        async move {
            app.post_as(
                Some(&who),
                "record_booking",
                &[("booking_id", &booking.to_string()), ("outcome", &outcome)],
            )
            .await
        }
    };
    // Not before it has begun; not by another town's volunteer; nothing changes.
    let early: serde_json::Value = record(&cast.volunteer, "attended")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(early["field"], "outcome", "{early}");
    assert_eq!(
        record(&cast.other_volunteer, "attended").await.status(),
        403
    );
    assert_eq!(record(&cast.volunteer, "booked").await.status(), 422);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 0);
    // The session took place this morning.
    set_slot_time(&app, slots[0], -3 * HOUR, -HOUR).await;
    assert_eq!(record(&cast.provider, "attended").await.status(), 200);
    assert_eq!(
        status_and_code(record(&cast.volunteer, "absent").await).await,
        (409, "WrongStage".to_owned())
    );
    // An aid record the duplicate-aid check sees: the family's next education need warns.
    let agency: String = sqlx::query_scalar("SELECT agency FROM aid_records")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(agency, "服务：阳光家教社");
    let need = app
        .enter_need(&cast.volunteer, family, "education", "孩子的学费缺口")
        .await;
    let queue = app.review_queue(&cast.council).await;
    let item = queue["council"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["need"]["id"] == need)
        .unwrap();
    assert_eq!(
        item["aid"]["warnings"].as_array().unwrap().len(),
        1,
        "{item}"
    );
    let impact: serde_json::Value = app
        .post_as(None, "load_impact", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(impact["service_sessions"], 1, "{impact}");

    // A service need, matched at the volunteer stage instead of the board.
    let other_family = household(&app, &cast.volunteer, "延陵镇").await;
    let response = app
        .post_fields(
            Some(&cast.second),
            "save_need",
            &service_need_form(other_family),
        )
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let service_need: i64 = response.json().await.unwrap();
    app.post_as(
        Some(&cast.second),
        "submit_need",
        &[("need_id", &service_need.to_string())],
    )
    .await;
    assert_eq!(
        app.approve(&cast.council, service_need, "council", "")
            .await
            .status(),
        200
    );
    let queue = app.review_queue(&cast.volunteer).await;
    let item = queue["volunteer"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["need"]["id"] == service_need)
        .unwrap();
    let offered = item["offers"].as_array().unwrap();
    assert_eq!(offered.len(), 1, "{item}");
    assert_eq!(offered[0]["id"], offer);
    // Only the slot still to come is offered.
    assert_eq!(offered[0]["slots"].as_array().unwrap().len(), 1);
    let version = app.version_of(service_need).await;
    let match_need = |slot: i64, version: i64| {
        let app = &app;
        let volunteer = cast.volunteer.clone();
        async move {
            app.post_as(
                Some(&volunteer),
                "match_need",
                &[
                    ("need_id", &service_need.to_string()),
                    ("stage", "volunteer"),
                    ("version", &version.to_string()),
                    ("slot_id", &slot.to_string()),
                ],
            )
            .await
        }
    };
    assert_eq!(match_need(slots[1], version).await.status(), 200);
    assert_eq!(app.status_of(service_need).await, "matched");
    assert_eq!(
        app.get_as(None, &format!("/needs/{service_need}"))
            .await
            .status(),
        404
    );
    assert_eq!(
        status_and_code(match_need(slots[1], version).await).await,
        (409, "WrongStage".to_owned())
    );
    // Cancelled: back to its author as a draft, saying why.
    let matched: i64 = app
        .scalar(&format!(
            "SELECT id FROM bookings WHERE need_id = {service_need}"
        ))
        .await;
    let cancel = app
        .post_as(
            Some(&cast.volunteer),
            "record_booking",
            &[
                ("booking_id", &matched.to_string()),
                ("outcome", "cancelled"),
            ],
        )
        .await;
    assert_eq!(cancel.status(), 200);
    assert_eq!(app.status_of(service_need).await, "draft");
    let reason: String = sqlx::query_scalar("SELECT returned_reason FROM needs WHERE id = $1")
        .bind(service_need)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(reason.contains("已取消"), "{reason}");
    // Resubmitted and matched again, then attended: fulfilled, with the trail telling it.
    app.post_as(
        Some(&cast.second),
        "submit_need",
        &[("need_id", &service_need.to_string())],
    )
    .await;
    assert_eq!(
        app.approve(&cast.council, service_need, "council", "")
            .await
            .status(),
        200
    );
    let version = app.version_of(service_need).await;
    assert_eq!(match_need(slots[1], version).await.status(), 200);
    let matched: i64 = app
        .scalar(&format!(
            "SELECT id FROM bookings WHERE need_id = {service_need} AND status = 'booked'"
        ))
        .await;
    set_slot_time(&app, slots[1], -3 * HOUR, -HOUR).await;
    let attended = app
        .post_as(
            Some(&cast.provider),
            "record_booking",
            &[
                ("booking_id", &matched.to_string()),
                ("outcome", "attended"),
            ],
        )
        .await;
    assert_eq!(attended.status(), 200);
    assert_eq!(app.status_of(service_need).await, "fulfilled");
    // Fulfilled by the service, it was never on the board: no public page, card or poster.
    assert_eq!(
        app.get_as(None, &format!("/needs/{service_need}"))
            .await
            .status(),
        404
    );
    let public = app
        .post_as(None, "get_need_page", &[("id", &service_need.to_string())])
        .await;
    assert_eq!(public.status(), 404);
    let official = app
        .person("市督导", "13700000207", &[("official", "")])
        .await;
    let trail = app
        .post_as(
            Some(&official),
            "get_need_trail",
            &[("need_id", &service_need.to_string())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(
        trail.contains("对接服务") && trail.contains("服务结果"),
        "{trail}"
    );
    // A money need cannot be matched.
    let money = app
        .enter_need(&cast.volunteer, other_family, "education", "孩子的书本费用")
        .await;
    let refused = app
        .post_as(
            Some(&cast.council),
            "match_need",
            &[
                ("need_id", &money.to_string()),
                ("stage", "council"),
                ("version", &app.version_of(money).await.to_string()),
                ("slot_id", &slots[1].to_string()),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
}

async fn save_interests(
    app: &TestApp,
    donor: &Person,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_as(Some(donor), "save_interests", fields).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn donors_interests_rank_the_board_and_a_new_match_is_a_notice_a_few_a_day() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let teacher = app.donor("爱心教师").await;
    let doctor = app.donor("爱心医生").await;
    let bad = save_interests(
        &app,
        &teacher,
        &[("interests[min]", "5000"), ("interests[max]", "100")],
    )
    .await;
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["field"], "max", "{body}");
    let bad = save_interests(&app, &teacher, &[("interests[towns][0]", "火星镇")]).await;
    assert_eq!(bad.status(), 422);
    let saved = save_interests(
        &app,
        &teacher,
        &[
            ("interests[windows][education]", "education"),
            ("interests[towns][0]", "延陵镇"),
            ("interests[max]", "5000"),
            ("interests[notify]", "1"),
        ],
    )
    .await;
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);
    assert_eq!(
        save_interests(
            &app,
            &doctor,
            &[
                ("interests[windows][medical]", "medical"),
                ("interests[notify]", "1")
            ]
        )
        .await
        .status(),
        200
    );
    // Not a donor: no interests.
    assert_eq!(
        save_interests(&app, &cast.provider, &[]).await.status(),
        403
    );
    // Before any need: an unrelated one published straight to the board.
    app.publish(
        "司徒镇家居改造",
        wanshan_app::domain::Window::Home,
        "司徒镇",
    )
    .await;
    // Four education needs of 延陵镇 (¥3,000 each) pass both reviews.
    let mut published = Vec::new();
    for n in 0..4 {
        let family = household(&app, &cast.volunteer, "延陵镇").await;
        let need = app
            .enter_need(
                &cast.volunteer,
                family,
                "education",
                &format!("助学需求{n}号"),
            )
            .await;
        assert_eq!(
            app.approve(&cast.council, need, "council", "")
                .await
                .status(),
            200
        );
        assert_eq!(
            app.approve(&cast.second, need, "volunteer", "")
                .await
                .status(),
            200
        );
        published.push(need);
    }
    // Told of the first three only; the doctor of none.
    let inbox = app.inbox(&teacher).await;
    let for_you: Vec<&serde_json::Value> = inbox["notices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "NeedForYou")
        .collect();
    assert_eq!(for_you.len(), 3, "{inbox}");
    assert!(
        for_you[0]["body"]
            .as_str()
            .unwrap()
            .contains("助学 · 延陵镇 · 金额合适"),
        "{inbox}"
    );
    assert!(!app
        .notice_kinds(&doctor)
        .await
        .contains(&"NeedForYou".to_owned()));
    // 为你推荐: the four matches first, each saying why.
    let ranked: serde_json::Value = app
        .post_as(Some(&teacher), "list_for_you", &[])
        .await
        .json()
        .await
        .unwrap();
    let needs = ranked["needs"].as_array().unwrap();
    assert!(ranked["named"].as_bool().unwrap());
    assert_eq!(
        needs.len(),
        4,
        "the home need in 司徒镇 matches nothing named: {ranked}"
    );
    for entry in needs {
        assert_eq!(entry[1]["line"], "匹配：助学 · 延陵镇 · 金额合适");
    }
    let page = String::from_utf8(
        app.get_as(Some(&teacher), "/for-you")
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(page.contains("匹配：助学 · 延陵镇 · 金额合适"), "{page}");
    // Someone who named nothing sees the board's order, told they have not said.
    let newcomer = app.donor("新人").await;
    let plain: serde_json::Value = app
        .post_as(Some(&newcomer), "list_for_you", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!plain["named"].as_bool().unwrap());
    assert_eq!(plain["needs"].as_array().unwrap().len(), 5);
    assert_eq!(app.post_as(None, "list_for_you", &[]).await.status(), 401);
}

/// Who may call each new server function: a table over eight callers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_service_function_checks_who_is_calling() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let donor = app.donor("爱心人士").await;
    let admin = app.person("管理员", "13700000208", &[("admin", "")]).await;
    let other_provider = app
        .person("另一家机构", "13700000209", &[("provider", "延陵镇")])
        .await;
    let callers: Vec<(&str, Option<&Person>)> = vec![
        ("anonymous", None),
        ("donor", Some(&donor)),
        ("provider", Some(&cast.provider)),
        ("other provider", Some(&other_provider)),
        ("volunteer", Some(&cast.volunteer)),
        ("other town's volunteer", Some(&cast.other_volunteer)),
        ("council reviewer", Some(&cast.council)),
        ("admin", Some(&admin)),
    ];
    let ahead = slot_line(4, "10:00", "12:00");
    let mut table: Vec<(&str, Vec<u16>, [u16; 8])> = Vec::new();
    // One row: for each caller, the block (a fresh fixture if it needs one, then the call as
    // `who`), and the statuses against the expected ones.
    macro_rules! row {
        ($name:expr, $expected:expr, |$who:ident| $call:block) => {{
            let mut cells = Vec::new();
            for (_, $who) in &callers {
                let $who: Option<&Person> = *$who;
                let response: reqwest::Response = $call;
                cells.push(response.status().as_u16());
            }
            table.push(($name, cells, $expected));
        }};
    }
    let draft = || async {
        let form = offer_form(&ahead, "3", &["延陵镇"]);
        let response = app
            .post_fields(Some(&other_provider), "create_offer", &form)
            .await;
        let id: i64 = response.json().await.unwrap();
        id.to_string()
    };
    let form = offer_form(&ahead, "3", &["延陵镇"]);
    row!(
        "create_offer",
        [401, 403, 200, 200, 403, 403, 403, 403],
        |who| { app.post_fields(who, "create_offer", &form).await }
    );
    // Closed, keeping both providers under their limit of live offers.
    sqlx::query("UPDATE offers SET status = 'closed'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    row!(
        "decide_offer",
        [401, 403, 403, 403, 200, 403, 403, 403],
        |who| {
            let offer = draft().await;
            let fields = [("offer_id", offer.as_str()), ("decision", "approve")];
            app.post_as(who, "decide_offer", &fields).await
        }
    );
    let (offer, slots) = published_offer(&app, &cast, &slot_line(5, "10:00", "12:00"), "50").await;
    let (offer, slot) = (offer.to_string(), slots[0].to_string());
    row!(
        "book_service",
        [401, 403, 403, 403, 200, 403, 403, 403],
        |who| {
            let family = household(&app, &cast.volunteer, "延陵镇").await.to_string();
            let fields = [
                ("offer_id", offer.as_str()),
                ("slot_id", &slot),
                ("household_id", &family),
            ];
            app.post_as(who, "book_service", &fields).await
        }
    );
    row!(
        "record_booking",
        [401, 403, 200, 403, 200, 403, 403, 403],
        |who| {
            let family = household(&app, &cast.volunteer, "延陵镇").await;
            let booked = book(
                &app,
                &cast.volunteer,
                offer.parse().unwrap(),
                slots[0],
                family,
            )
            .await;
            let booking = booked.json::<i64>().await.unwrap().to_string();
            let fields = [("booking_id", booking.as_str()), ("outcome", "cancelled")];
            app.post_as(who, "record_booking", &fields).await
        }
    );
    row!(
        "list_my_offers",
        [401, 403, 200, 200, 403, 403, 403, 403],
        |who| { app.post_as(who, "list_my_offers", &[]).await }
    );
    row!(
        "list_offers_for_review",
        [401, 403, 403, 403, 200, 200, 403, 403],
        |who| { app.post_as(who, "list_offers_for_review", &[]).await }
    );
    // Another's offer is not found (ids are not probed).
    row!(
        "close_offer",
        [401, 404, 200, 404, 404, 404, 404, 404],
        |who| {
            let created = app
                .post_fields(Some(&cast.provider), "create_offer", &form)
                .await;
            let id = created.json::<i64>().await.unwrap().to_string();
            app.post_as(who, "close_offer", &[("offer_id", id.as_str())])
                .await
        }
    );
    row!(
        "save_interests",
        [401, 200, 403, 403, 403, 403, 403, 403],
        |who| { app.post_as(who, "save_interests", &[]).await }
    );
    row!(
        "list_for_you",
        [401, 200, 403, 403, 403, 403, 403, 403],
        |who| { app.post_as(who, "list_for_you", &[]).await }
    );
    row!("get_offer (published)", [200; 8], |who| {
        app.post_as(who, "get_offer", &[("offer_id", offer.as_str())])
            .await
    });
    // In review: its provider and the volunteers of its town (who review it) only.
    row!(
        "get_offer (in review)",
        [404, 404, 404, 200, 200, 404, 404, 404],
        |who| {
            let id = draft().await;
            app.post_as(who, "get_offer", &[("offer_id", id.as_str())])
                .await
        }
    );
    let mut failures = Vec::new();
    for (name, got, expected) in &table {
        if got.as_slice() != expected.as_slice() {
            failures.push(format!("{name}: got {got:?}, expected {expected:?}"));
        }
    }
    let who: Vec<&str> = callers.iter().map(|(w, _)| *w).collect();
    assert!(failures.is_empty(), "for {who:?}:\n{}", failures.join("\n"));
}

/// The public sees no family anywhere in offers; a provider sees its families' contact but
/// never their ID number; staff of another town see none of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_family_reaches_the_public_and_a_provider_never_sees_an_id_number() {
    let app = spawn_app().await;
    let cast = cast(&app).await;
    let (offer, slots) = published_offer(&app, &cast, &slot_line(3, "14:00", "16:00"), "5").await;
    let id = id_number(SERIAL.fetch_add(1, Ordering::Relaxed));
    let family = app.register_household(&cast.volunteer, "延陵镇", &id).await;
    assert_eq!(
        book(&app, &cast.volunteer, offer, slots[0], family)
            .await
            .status(),
        200
    );
    let private = ["测试户主", "13700001234", "示范村三组"];
    let last4 = format!("\"{}\"", &id[id.len() - 4..]);
    for (what, text) in [
        ("list_offers", offers_json(&app).await.to_string()),
        ("/offers", app.page("/offers").await),
        (
            &format!("/offers/{offer}") as &str,
            app.page(&format!("/offers/{offer}")).await,
        ),
        (
            "get_offer as another town's volunteer",
            app.post_as(
                Some(&cast.other_volunteer),
                "get_offer",
                &[("offer_id", &offer.to_string())],
            )
            .await
            .text()
            .await
            .unwrap(),
        ),
    ] {
        for word in private {
            assert!(!text.contains(word), "{what} carries {word}");
        }
        assert!(!text.contains(&id), "{what} carries the ID number");
    }
    let mine = app
        .post_as(Some(&cast.provider), "list_my_offers", &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        mine.contains("测试户主") && mine.contains("13700001234"),
        "the provider needs the contact"
    );
    assert!(
        !mine.contains(&id) && !mine.contains(&last4) && !mine.contains("id_last4"),
        "{mine}"
    );
    let page = String::from_utf8(
        app.get_as(Some(&cast.provider), "/my/offers")
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(page.contains("测试户主") && !page.contains(&id));
    // The town's volunteer sees the booking on the offer's page; opening it is logged.
    let staff = app
        .post_as(
            Some(&cast.volunteer),
            "get_offer",
            &[("offer_id", &offer.to_string())],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(staff.contains("测试户主"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM file_access WHERE page = '服务预约页'")
            .await,
        1
    );
    // Stream events carry no family either.
    let events: Vec<String> = sqlx::query_scalar("SELECT payload FROM events")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    for payload in events {
        for word in private {
            assert!(!payload.contains(word), "an event carries {word}");
        }
    }
}
