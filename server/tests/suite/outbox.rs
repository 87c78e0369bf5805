//! Messages beyond the app: the outbox worker and its senders against real receivers on
//! 127.0.0.1 (a webhook receiver that checks the signature as a city's gateway would, and a
//! minimal SMTP server). Most tests drive the worker pass by pass with an explicit clock
//! ([`outbox::deliver_due`]), so backoff and quiet hours are crossed by moving the clock, never
//! by sleeping; the server of those tests runs with sender `none` (no worker of its own) and
//! has messages turned on by hand. Two tests run the real workers started by the server.

use crate::support::{fresh_database, spawn_app, spawn_app_with, spawn_instance, Person, TestApp};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine as _;
use hmac::Mac;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use wanshan_app::db::notices;
use wanshan_app::domain::{NewNotice, NoticeKind, QuietHours, UtcMillis};
use wanshan_app::share::PublicUrl;
use wanshan_server::config::Config;
use wanshan_server::outbox::{self, deliver_due, Pass, Sender};

const SECRET: &str = "test-webhook-secret-0123456789";
/// The longest any test waits for a receiver or the workers: a guard against a hang.
const WAIT: Duration = Duration::from_secs(30);
const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

// ---------------------------------------------------------------------------------------------
// A webhook receiver, as a city's SMS gateway would run it.

/// What the receiver saw, by idempotency key.
#[derive(Default)]
struct Seen {
    /// Answer 500 to the first this many tries of each key (`usize::MAX`: always).
    fail_first: usize,
    /// Every signed try per key, failed ones included.
    tries: BTreeMap<String, usize>,
    /// Accepted deliveries per key: a duplicate would count 2.
    accepted: BTreeMap<String, usize>,
    /// The body accepted last, per key.
    bodies: BTreeMap<String, serde_json::Value>,
    /// Requests refused before being looked at: why.
    refused: Vec<String>,
}

struct Receiver {
    secret: String,
    seen: Mutex<Seen>,
    /// How many deliveries were accepted in all, for waiting on.
    total: tokio::sync::watch::Sender<usize>,
}

impl Receiver {
    fn seen<T>(&self, read: impl FnOnce(&mut Seen) -> T) -> T {
        read(&mut self.seen.lock().unwrap())
    }

    /// Waits until `count` deliveries were accepted in all.
    async fn wait_for_accepted(&self, count: usize) {
        let mut total = self.total.subscribe();
        tokio::time::timeout(WAIT, total.wait_for(|n| *n >= count))
            .await
            .unwrap_or_else(|_| {
                panic!("the webhook receiver did not accept {count} deliveries within {WAIT:?}")
            })
            .expect("receiver alive");
    }

    /// Each key accepted exactly once, and which keys.
    fn accepted_once(&self) -> Vec<String> {
        self.seen(|seen| {
            for (key, count) in &seen.accepted {
                assert_eq!(*count, 1, "{key} accepted {count} times");
            }
            assert!(seen.refused.is_empty(), "refused: {:?}", seen.refused);
            seen.accepted.keys().cloned().collect()
        })
    }
}

/// Starts a receiver on 127.0.0.1 checking signatures with `secret`; returns its URL.
async fn start_receiver(secret: &str, fail_first: usize) -> (String, Arc<Receiver>) {
    let receiver = Arc::new(Receiver {
        secret: secret.to_owned(),
        seen: Mutex::new(Seen {
            fail_first,
            ..Seen::default()
        }),
        total: tokio::sync::watch::channel(0).0,
    });
    let app = axum::Router::new()
        .route("/notify", axum::routing::post(receive))
        .with_state(Arc::clone(&receiver));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

/// Checks what a receiver must check (headers, a timestamp within five minutes of its own
/// clock, the signature, that the key names the body's notice), then dedupes by the key.
async fn receive(
    State(receiver): State<Arc<Receiver>>,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    match verify(&receiver.secret, &headers, &body) {
        Err(why) => {
            receiver.seen(|seen| seen.refused.push(why));
            StatusCode::UNAUTHORIZED
        }
        Ok((key, json)) => {
            let status = receiver.seen(|seen| {
                let tries = seen.tries.entry(key.clone()).or_default();
                *tries += 1;
                if *tries <= seen.fail_first {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                *seen.accepted.entry(key.clone()).or_default() += 1;
                seen.bodies.insert(key, json);
                StatusCode::OK
            });
            if status == StatusCode::OK {
                receiver.total.send_modify(|n| *n += 1);
            }
            status
        }
    }
}

fn verify(
    secret: &str,
    headers: &HeaderMap,
    body: &str,
) -> Result<(String, serde_json::Value), String> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .ok_or(format!("no {name}"))
    };
    if header("content-type")? != "application/json" {
        return Err("not JSON".into());
    }
    let timestamp: i64 = header("x-wanshan-timestamp")?
        .parse()
        .map_err(|_| "bad timestamp")?;
    if (UtcMillis::now().0 / 1000 - timestamp).abs() > 300 {
        return Err("stale timestamp".into());
    }
    let signature = header("x-wanshan-signature")?
        .strip_prefix("sha256=")
        .and_then(|hex| hex::decode(hex).ok())
        .ok_or("bad signature header")?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| "wrong signature".to_owned())?;
    let key = header("idempotency-key")?.to_owned();
    let json: serde_json::Value = serde_json::from_str(body).map_err(|_| "bad JSON")?;
    if key != format!("wanshan-notice-{}", json["id"]) {
        return Err(format!("key {key} does not name notice {}", json["id"]));
    }
    Ok((key, json))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn sender(adjust: impl FnOnce(&mut Config)) -> Sender {
    let mut config = Config::for_tests("unused.db");
    adjust(&mut config);
    Sender::from_config(&config, None)
        .expect("valid sender settings")
        .expect("a sender")
}

fn webhook(url: &str) -> impl FnOnce(&mut Config) + '_ {
    move |config| {
        config.notice_sender = "webhook".into();
        config.webhook_url = Some(url.to_owned());
        config.webhook_secret = Some(SECRET.into());
    }
}

/// A server with no worker of its own whose notices are queued as messages.
async fn app_with_messages() -> TestApp {
    let app = spawn_app().await;
    app.state.db.send_messages(true);
    app
}

/// The first 10:00 Shanghai time at least an hour from now: a clock in the daytime (outside
/// the default quiet hours) after anything the test wrote with the real clock.
fn daytime() -> UtcMillis {
    shanghai_at(10, 0)
}

/// The first `h:m` Shanghai time at least an hour from now.
fn shanghai_at(h: i64, m: i64) -> UtcMillis {
    const SHANGHAI: i64 = 8 * HOUR_MS;
    let soon = UtcMillis::now().0 + HOUR_MS;
    let midnight = (soon + SHANGHAI) - (soon + SHANGHAI).rem_euclid(DAY_MS) - SHANGHAI;
    let at = midnight + h * HOUR_MS + m * 60_000;
    UtcMillis(if at < soon { at + DAY_MS } else { at })
}

/// Writes a notice (a kind that goes by message unless chosen otherwise) to `to`, as a change
/// would, at `now`. Returns its id.
async fn notify(app: &TestApp, to: &Person, text: &str, now: UtcMillis) -> i64 {
    notify_kind(app, to, NoticeKind::ReviewWaiting, text, now).await
}

async fn notify_kind(
    app: &TestApp,
    to: &Person,
    kind: NoticeKind,
    text: &str,
    now: UtcMillis,
) -> i64 {
    let notice = NewNotice {
        kind,
        need_id: None,
        claim_id: None,
        body: text.to_owned(),
        body_en: String::new(),
        link: "/review".to_owned(),
    };
    let mut tx = app.state.db.begin().await.unwrap();
    notices::send(&mut tx, to.id, &notice, now).await.unwrap();
    tx.commit().await.unwrap();
    app.scalar(&format!(
        "SELECT MAX(id) FROM notices WHERE user_id = {}",
        to.id.0
    ))
    .await
}

async fn pass(app: &TestApp, sender: &Sender, now: UtcMillis) -> Pass {
    tokio::time::timeout(WAIT, deliver_due(&app.state.db, sender, now))
        .await
        .unwrap_or_else(|_| panic!("an outbox pass did not end within {WAIT:?}"))
        .expect("outbox pass")
}

/// Messages not yet sent (nor skipped).
async fn unsent(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM notice_outbox WHERE sent_at IS NULL")
        .await
}

fn key(notice: i64) -> String {
    format!("wanshan-notice-{notice}")
}

/// A volunteer of 延陵镇 whose quiet hours are off (the real workers run by the real clock, at
/// any hour).
async fn never_quiet(app: &TestApp, name: &str, phone: &str) -> Person {
    let person = app.person(name, phone, &[("volunteer", "延陵镇")]).await;
    let by_message: Vec<NoticeKind> = NoticeKind::ALL
        .into_iter()
        .filter(|kind| kind.by_message_unless_chosen())
        .collect();
    let none = QuietHours::parse("00:00", "00:00").unwrap();
    notices::save_prefs(&app.state.db, person.id, &by_message, none, None)
        .await
        .unwrap();
    person
}

// ---------------------------------------------------------------------------------------------
// Webhook.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_twice_gets_every_notice_exactly_once_after_the_backoff() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver(SECRET, 2).await;
    let sender = sender(webhook(&url));
    let li = app.person("李志愿", "13900000001", &[]).await;
    let wang = app.person("王志愿", "13900000002", &[]).await;
    let t0 = daytime();
    let mut sent = Vec::new();
    for i in 0..5 {
        let to = if i % 2 == 0 { &li } else { &wang };
        sent.push(notify(&app, to, &format!("第{i}条通知"), t0).await);
    }

    let first = pass(&app, &sender, t0).await;
    assert_eq!((first.leased, first.failed, first.sent), (5, 5, 0));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notice_outbox WHERE last_error = 'webhook: HTTP 500'")
            .await,
        5
    );
    // The base wait (30 s) has not passed: nothing is due.
    assert_eq!(
        pass(&app, &sender, UtcMillis(t0.0 + 29_999)).await.leased,
        0
    );
    let second = pass(&app, &sender, UtcMillis(t0.0 + 30_000)).await;
    assert_eq!((second.failed, second.dead), (5, 0));
    // Then twice that (60 s) after the second try.
    assert_eq!(
        pass(&app, &sender, UtcMillis(t0.0 + 89_999)).await.leased,
        0
    );
    let third = pass(&app, &sender, UtcMillis(t0.0 + 90_000)).await;
    assert_eq!((third.leased, third.sent, third.failed), (5, 5, 0));
    assert_eq!(
        pass(&app, &sender, UtcMillis(t0.0 + DAY_MS)).await.leased,
        0
    );

    let mut accepted = receiver.accepted_once();
    accepted.sort();
    let mut expected: Vec<String> = sent.iter().map(|id| key(*id)).collect();
    expected.sort();
    assert_eq!(accepted, expected, "every notice accepted, none lost");
    receiver.seen(|seen| {
        assert!(
            seen.tries.values().all(|tries| *tries == 3),
            "{:?}",
            seen.tries
        );
        let body = &seen.bodies[&key(sent[1])];
        assert_eq!(body["id"], sent[1]);
        assert_eq!(body["kind"], "review_waiting");
        assert_eq!(body["to"]["user_id"], wang.id.0);
        assert_eq!(body["to"]["phone"], "13900000002");
        assert_eq!(body["text"], "第1条通知");
        assert_eq!(
            body["link"], "/review",
            "no public URL configured: the path"
        );
        assert_eq!(body["created_at"], t0.0);
    });
    let recorded: Vec<(i64, Option<String>, Option<i64>)> =
        sqlx::query_as("SELECT attempts, last_error, sent_at FROM notice_outbox ORDER BY id")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(recorded.len(), 5);
    for (attempts, last_error, sent_at) in recorded {
        assert_eq!(attempts, 2, "two failed tries recorded");
        assert_eq!(
            last_error.as_deref(),
            Some("webhook: HTTP 500"),
            "sent in the end: the last failure is kept for the record"
        );
        assert_eq!(sent_at, Some(t0.0 + 90_000));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_checking_with_another_secret_refuses_and_the_message_stays_unsent() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver("another-secret-entirely-0000", 0).await;
    let sender = sender(webhook(&url));
    let li = app.person("李志愿", "13900000001", &[]).await;
    let t0 = daytime();
    notify(&app, &li, "一条通知", t0).await;

    let pass = pass(&app, &sender, t0).await;
    assert_eq!((pass.failed, pass.sent), (1, 0));
    receiver.seen(|seen| {
        assert_eq!(seen.refused, ["wrong signature"]);
        assert!(seen.accepted.is_empty());
    });
    let error: String = sqlx::query_scalar("SELECT last_error FROM notice_outbox")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(error, "webhook: HTTP 401");
    assert!(!error.contains(SECRET));
    assert_eq!(unsent(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_try_a_message_is_a_dead_letter_until_an_admin_sends_it_again() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver(SECRET, usize::MAX).await;
    let sender = sender(|config| {
        webhook(&url)(config);
        config.outbox_max_attempts = 3;
    });
    let li = app.person("李志愿", "13900000001", &[]).await;
    let t0 = daytime();
    let notice = notify(&app, &li, "会失败的通知", t0).await;

    assert_eq!(pass(&app, &sender, t0).await.dead, 0);
    assert_eq!(pass(&app, &sender, UtcMillis(t0.0 + 30_000)).await.dead, 0);
    let last = pass(&app, &sender, UtcMillis(t0.0 + 90_000)).await;
    assert_eq!((last.failed, last.dead), (1, 1));
    // Dead: never tried again by itself.
    let later = UtcMillis(t0.0 + 10 * HOUR_MS);
    assert_eq!(pass(&app, &sender, later).await.leased, 0);

    let wanshan_app::domain::DeadLetters { letters, total } =
        notices::dead_letters(&app.state.db).await.unwrap();
    assert_eq!(total, 1);
    assert_eq!(letters[0].attempts, 3);
    assert_eq!(letters[0].last_error, "webhook: HTTP 500");
    assert_eq!(letters[0].user_name, "李志愿");
    assert_eq!(letters[0].kind, NoticeKind::ReviewWaiting);
    assert_eq!(letters[0].dead_at, UtcMillis(t0.0 + 90_000));

    // The admins' page lists it, and its button sends every dead letter again (a plain form
    // post, as without JavaScript) once the gateway is fixed.
    let admin = app.person("管理员", "13900000002", &[("admin", "")]).await;
    let page = app
        .get_as(Some(&admin), "/admin")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("共 1 条多次发送失败"), "{page}");
    assert!(page.contains("webhook: HTTP 500") && page.contains("李志愿"));
    receiver.seen(|seen| seen.fail_first = 0);
    let retry = app
        .http
        .post(app.url("/api/retry_dead_letters"))
        .header("cookie", &admin.cookie)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(retry.url().path(), "/admin");
    assert_eq!(retry.url().query(), Some("retried=1"));
    assert!(retry.text().await.unwrap().contains("没有发送失败的通知"));
    // Retried from the real clock: the pass runs from then on, whatever the hour (so the
    // person has no quiet hours from here).
    let later = UtcMillis(UtcMillis::now().0.max(later.0));
    sqlx::query("UPDATE users SET quiet_from = 0, quiet_to = 0 WHERE id = $1")
        .bind(li.id.0)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let retried = pass(&app, &sender, later).await;
    assert_eq!((retried.leased, retried.sent), (1, 1));
    assert_eq!(
        pass(&app, &sender, UtcMillis(later.0 + DAY_MS))
            .await
            .leased,
        0
    );
    assert_eq!(receiver.accepted_once(), [key(notice)]);
    assert_eq!(notices::dead_letters(&app.state.db).await.unwrap().total, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_at_once_over_fifty_notices_send_each_exactly_once() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver(SECRET, 0).await;
    let sender = sender(webhook(&url));
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(
            app.person(&format!("志愿者{i}"), &format!("1390000000{i}"), &[])
                .await,
        );
    }
    let t0 = daytime();
    for i in 0..50 {
        notify(&app, &people[i % 5], &format!("通知{i}"), t0).await;
    }

    let mut sent = 0;
    for _ in 0..20 {
        let (a, b) = (app.state.db.clone(), app.state.db.clone());
        let (sender_a, sender_b) = (sender.clone(), sender.clone());
        let one = tokio::spawn(async move { deliver_due(&a, &sender_a, t0).await });
        let other = tokio::spawn(async move { deliver_due(&b, &sender_b, t0).await });
        let (one, other) = tokio::time::timeout(WAIT, async { (one.await, other.await) })
            .await
            .unwrap_or_else(|_| panic!("two concurrent passes did not end within {WAIT:?}"));
        let (one, other) = (one.unwrap().unwrap(), other.unwrap().unwrap());
        assert_eq!(one.failed + other.failed, 0);
        sent += one.sent + other.sent;
        if one.leased + other.leased == 0 {
            break;
        }
    }
    assert_eq!(sent, 50);
    assert_eq!(receiver.accepted_once().len(), 50);
    assert_eq!(unsent(&app).await, 0);
}

/// Two servers on one database, each with the worker it starts itself (the first woken by
/// the commits it makes, the second by its poll alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_with_their_own_workers_send_each_of_fifty_notices_once() {
    let (url, receiver) = start_receiver(SECRET, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(&dir).await;
    let config = |poll_ms| {
        let mut config = Config::for_tests(database.clone());
        webhook(&url)(&mut config);
        config.outbox_poll_ms = poll_ms;
        config
    };
    let a = spawn_instance(tempfile::tempdir().unwrap(), config(3_600_000)).await;
    let b = spawn_instance(dir, config(20)).await;
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(never_quiet(&a, &format!("志愿者{i}"), &format!("1390000000{i}")).await);
    }
    for i in 0..50 {
        notify(&a, &people[i % 5], &format!("通知{i}"), UtcMillis::now()).await;
    }

    receiver.wait_for_accepted(50).await;
    // Each is marked sent only after the receiver answered: wait for the marks too, so that no
    // message is still in flight when the counts are read.
    tokio::time::timeout(WAIT, async {
        loop {
            if unsent(&b).await == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the outbox was not all marked sent within {WAIT:?}"));
    assert_eq!(receiver.accepted_once().len(), 50);
    assert_eq!(a.scalar("SELECT COUNT(*) FROM notice_outbox").await, 50);
}

/// The whole way through the server: a donor's claim commits a notice to the coordinating
/// volunteer, the commit wakes the worker (it never polls here), and the gateway gets the
/// message with an absolute link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_reaches_the_coordinators_gateway_at_once() {
    let (url, receiver) = start_receiver(SECRET, 0).await;
    let app = spawn_app_with(|config| {
        webhook(&url)(config);
        config.outbox_poll_ms = 3_600_000;
        config.public_url = Some("https://wanshan.example.cn".into());
    })
    .await;
    let author = never_quiet(&app, "周志愿", "13900000009").await;
    let need = app
        .publish_money("助学费用缺口", "延陵镇", 1000, &author)
        .await;
    let donor = app.person("吴先生", "13600000001", &[("donor", "")]).await;
    assert_eq!(app.claim_as(&donor, need).await.status(), 200);

    receiver.wait_for_accepted(1).await;
    let body = receiver.seen(|seen| seen.bodies.values().next().unwrap().clone());
    assert_eq!(body["kind"], "claim_made");
    assert_eq!(body["to"]["user_id"], author.id.0);
    assert_eq!(body["to"]["phone"], "13900000009");
    assert_eq!(body["link"], "https://wanshan.example.cn/review");
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains("助学费用缺口") && text.contains("吴先生"),
        "{text}"
    );
    receiver.accepted_once();
}

// ---------------------------------------------------------------------------------------------
// Quiet hours and choices.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_written_at_eleven_at_night_goes_at_eight_in_the_morning() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver(SECRET, 0).await;
    let sender = sender(webhook(&url));
    let li = app.person("李志愿", "13900000001", &[]).await;
    let night = shanghai_at(23, 0);
    let notice = notify(&app, &li, "夜里写下的通知", night).await;
    let morning = UtcMillis(night.0 + 9 * HOUR_MS);

    let at_night = pass(&app, &sender, night).await;
    assert_eq!(
        (at_night.postponed, at_night.sent, at_night.failed),
        (1, 0, 0)
    );
    assert_eq!(
        app.scalar("SELECT not_before FROM notice_outbox").await,
        morning.0,
        "postponed to 08:00"
    );
    assert_eq!(
        app.scalar("SELECT attempts FROM notice_outbox").await,
        0,
        "a postponement is no failure"
    );
    assert_eq!(
        pass(&app, &sender, UtcMillis(night.0 + 4 * HOUR_MS))
            .await
            .leased,
        0
    );
    assert_eq!(
        pass(&app, &sender, UtcMillis(morning.0 - 1)).await.leased,
        0
    );
    assert!(
        receiver.seen(|seen| seen.tries.is_empty()),
        "nothing sent at night"
    );
    assert_eq!(pass(&app, &sender, morning).await.sent, 1);
    assert_eq!(receiver.accepted_once(), [key(notice)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_kinds_a_person_wants_as_messages_are_queued_and_none_without_a_sender() {
    // Sender none: a real claim writes the coordinator's notice, and queues nothing.
    let app = spawn_app().await;
    let author = app
        .person("周志愿", "13900000009", &[("volunteer", "延陵镇")])
        .await;
    let need = app
        .publish_money("助学费用缺口", "延陵镇", 1000, &author)
        .await;
    assert_eq!(
        app.claim_need(need, "吴先生", "13600000001").await.status(),
        200
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notices").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice_outbox").await, 0);

    app.state.db.send_messages(true);
    let now = UtcMillis::now();
    // Li wants review requests in the inbox only, and "published" (off by default) as a message.
    let li = app.person("李志愿", "13900000001", &[]).await;
    notices::save_prefs(
        &app.state.db,
        li.id,
        &[NoticeKind::NeedPublished],
        QuietHours::NIGHT,
        None,
    )
    .await
    .unwrap();
    let wang = app.person("王志愿", "13900000002", &[]).await;
    let li_review = notify_kind(&app, &li, NoticeKind::ReviewWaiting, "审核", now).await;
    let li_published = notify_kind(&app, &li, NoticeKind::NeedPublished, "发布", now).await;
    let wang_review = notify_kind(&app, &wang, NoticeKind::ReviewWaiting, "审核", now).await;
    let wang_published = notify_kind(&app, &wang, NoticeKind::NeedPublished, "发布", now).await;

    let queued: Vec<i64> =
        sqlx::query_scalar("SELECT notice_id FROM notice_outbox ORDER BY notice_id")
            .fetch_all(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(queued, [li_published, wang_review]);
    assert!(!queued.contains(&li_review) && !queued.contains(&wang_published));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM notices").await,
        5,
        "all in the inboxes"
    );

    app.state.db.send_messages(false);
    notify(&app, &wang, "不再发消息", now).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice_outbox").await, 2);
}

// ---------------------------------------------------------------------------------------------
// SMTP.

/// One message as the SMTP receiver got it.
#[derive(Debug, Default)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server on 127.0.0.1: just enough of the protocol for one client without
/// TLS or authentication. Returns its port and the mails it receives.
async fn start_smtp() -> (u16, tokio::sync::mpsc::UnboundedReceiver<Mail>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (mails, received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let mails = mails.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test ESMTP ready\r\n").await.unwrap();
                let mut mail = Mail::default();
                while let Some(line) = lines.next_line().await.unwrap() {
                    let line = line.trim_end_matches('\r');
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO")
                    {
                        b"250 test\r\n"
                    } else if command.starts_with("MAIL FROM:") {
                        mail.from = line[10..].trim().to_owned();
                        b"250 OK\r\n"
                    } else if command.starts_with("RCPT TO:") {
                        mail.to.push(line[8..].trim().to_owned());
                        b"250 OK\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        while let Some(line) = lines.next_line().await.unwrap() {
                            let line = line.trim_end_matches('\r');
                            if line == "." {
                                break;
                            }
                            mail.data.push_str(line.strip_prefix('.').unwrap_or(line));
                            mail.data.push('\n');
                        }
                        let _ = mails.send(std::mem::take(&mut mail));
                        b"250 OK queued\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else if command == "RSET" || command == "NOOP" {
                        b"250 OK\r\n"
                    } else {
                        b"502 not implemented\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, received)
}

/// A header of the mail, unfolded, with RFC 2047 `=?utf-8?b?…?=` words decoded.
fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\n\n").next().unwrap().replace("\n ", " ");
    let value = head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })?;
    Some(
        value
            .split(' ')
            .map(|word| {
                let encoded = word
                    .strip_prefix("=?")
                    .and_then(|w| w.strip_suffix("?="))
                    .and_then(|w| {
                        let mut parts = w.splitn(3, '?');
                        let (charset, encoding, text) =
                            (parts.next()?, parts.next()?, parts.next()?);
                        (charset.eq_ignore_ascii_case("utf-8")
                            && encoding.eq_ignore_ascii_case("b"))
                        .then(|| base64::engine::general_purpose::STANDARD.decode(text).ok())
                        .flatten()
                    });
                match encoded {
                    Some(bytes) => String::from_utf8(bytes).unwrap(),
                    None => word.to_owned(),
                }
            })
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_reaches_the_persons_address_and_someone_without_one_is_skipped() {
    let app = app_with_messages().await;
    let (port, mut mails) = start_smtp().await;
    let mut config = Config::for_tests("unused.db");
    config.notice_sender = "smtp".into();
    config.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
    config.smtp_from = Some("万善丹阳 <noreply@wanshan.example.cn>".into());
    let public = PublicUrl::parse("https://wanshan.example.cn").unwrap();
    let sender = Sender::from_config(&config, Some(public)).unwrap().unwrap();
    let li = app.person("李志愿", "13900000001", &[]).await;
    notices::save_prefs(
        &app.state.db,
        li.id,
        &[NoticeKind::ReviewWaiting],
        QuietHours::NIGHT,
        Some("li.zhiyuan@example.cn"),
    )
    .await
    .unwrap();
    let wang = app.person("王志愿", "13900000002", &[]).await;
    let t0 = daytime();
    notify(&app, &li, "延陵镇的需求「助学费用」等待志愿者审核。", t0).await;
    let wangs = notify(&app, &wang, "给没有邮箱的人", t0).await;

    let pass = pass(&app, &sender, t0).await;
    assert_eq!((pass.sent, pass.skipped, pass.failed), (1, 1, 0));
    let mail = tokio::time::timeout(WAIT, mails.recv())
        .await
        .unwrap_or_else(|_| panic!("the SMTP receiver got no mail within {WAIT:?}"))
        .unwrap();
    assert_eq!(mail.from, "<noreply@wanshan.example.cn>");
    assert_eq!(mail.to, ["<li.zhiyuan@example.cn>"]);
    assert_eq!(
        header(&mail.data, "Subject").as_deref(),
        Some(outbox::subject("万善丹阳").as_str())
    );
    assert!(header(&mail.data, "Content-Transfer-Encoding")
        .unwrap()
        .eq_ignore_ascii_case("base64"));
    let encoded: String = mail
        .data
        .split_once("\n\n")
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap(),
    )
    .unwrap();
    assert!(
        body.contains("延陵镇的需求「助学费用」等待志愿者审核。"),
        "{body}"
    );
    assert!(body.contains("https://wanshan.example.cn/review"), "{body}");
    assert!(mails.try_recv().is_err(), "one mail only");

    let (sent_at, error, attempts): (Option<i64>, Option<String>, i64) = sqlx::query_as(
        "SELECT sent_at, last_error, attempts FROM notice_outbox WHERE notice_id = $1",
    )
    .bind(wangs)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(sent_at, Some(t0.0), "done, not to be tried again");
    assert_eq!(error.as_deref(), Some(outbox::NO_EMAIL));
    assert_eq!(attempts, 0, "no failure counted");
    assert_eq!(notices::dead_letters(&app.state.db).await.unwrap().total, 0);
}

// ---------------------------------------------------------------------------------------------
// Configuration.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_sender_setting_stops_the_start_naming_the_variable() {
    type Case = (&'static str, fn(&mut Config), &'static str);
    let cases: [Case; 7] = [
        (
            "webhook without a secret",
            |c| {
                c.notice_sender = "webhook".into();
                c.webhook_url = Some("https://gateway.example.cn/notify".into());
            },
            "WANSHAN_WEBHOOK_SECRET: required",
        ),
        (
            "a short secret",
            |c| {
                c.notice_sender = "webhook".into();
                c.webhook_url = Some("https://gateway.example.cn/notify".into());
                c.webhook_secret = Some("tooshort".into());
            },
            "WANSHAN_WEBHOOK_SECRET: must be at least 16",
        ),
        (
            "plain http to another machine",
            |c| {
                c.notice_sender = "webhook".into();
                c.webhook_url = Some("http://gateway.example.cn/notify".into());
                c.webhook_secret = Some(SECRET.into());
            },
            "WANSHAN_WEBHOOK_URL: must start with https://",
        ),
        (
            "an unknown sender",
            |c| c.notice_sender = "sms".into(),
            "WANSHAN_NOTICE_SENDER:",
        ),
        (
            "smtp without a From address",
            |c| {
                c.notice_sender = "smtp".into();
                c.smtp_url = Some("smtp://127.0.0.1:25".into());
            },
            "WANSHAN_SMTP_FROM: required",
        ),
        (
            "plain smtp to another machine",
            |c| {
                c.notice_sender = "smtp".into();
                c.smtp_url = Some("smtp://user:pw@mail.example.cn:25".into());
                c.smtp_from = Some("noreply@example.cn".into());
            },
            "WANSHAN_SMTP_URL: plain smtp://",
        ),
        (
            "smtp with an unknown scheme",
            |c| {
                c.notice_sender = "smtp".into();
                c.smtp_url = Some("imap://user:pw@mail.example.cn".into());
                c.smtp_from = Some("noreply@example.cn".into());
            },
            "WANSHAN_SMTP_URL:",
        ),
    ];
    for (what, adjust, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(fresh_database(&dir).await);
        config.data_dir = dir.path().join("data").to_string_lossy().into_owned();
        adjust(&mut config);
        let error = match wanshan_server::state(&config).await {
            Ok(_) => panic!("{what}: the server started"),
            Err(error) => error.to_string(),
        };
        assert!(error.starts_with(expected), "{what}: {error}");
        assert!(
            !error.contains("tooshort") && !error.contains(":pw@"),
            "{what}: {error}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_person_gets_at_most_thirty_messages_a_day_and_none_about_a_claim_given_back() {
    let app = app_with_messages().await;
    let (url, receiver) = start_receiver(SECRET, 0).await;
    let sender = sender(webhook(&url));
    let li = app.person("李志愿", "13900000001", &[]).await;
    let t0 = daytime();
    for i in 0..35 {
        notify(&app, &li, &format!("通知{i}"), t0).await;
    }
    // The inbox has every one; the gateway gets 30 of them that day.
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notices").await, 35);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice_outbox").await, 30);
    notify(&app, &li, "第二天的通知", UtcMillis(t0.0 + DAY_MS + 1)).await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM notice_outbox").await, 31);

    // A claim made and given back before its message went: the coordinator's message about
    // it (with the donor's phone) is skipped, not sent.
    let author = app
        .person("周志愿", "13900000009", &[("volunteer", "延陵镇")])
        .await;
    let need = app.publish_money("放弃测试", "延陵镇", 100, &author).await;
    let donor = app.donor("放弃的人").await;
    let receipt: serde_json::Value = app.claim_as(&donor, need).await.json().await.unwrap();
    let claim = receipt["claim_id"].as_i64().unwrap();
    let released = app
        .post_as(
            Some(&donor),
            "release_claim",
            &[("claim_id", &claim.to_string())],
        )
        .await;
    assert_eq!(released.status(), 200);
    let about_claim = app
        .scalar("SELECT id FROM notices WHERE kind = 'claim_made'")
        .await;
    let later = UtcMillis(t0.0 + DAY_MS + HOUR_MS);
    while pass(&app, &sender, later).await.leased > 0 {}
    assert!(!receiver.accepted_once().contains(&key(about_claim)));
    let (sent, why): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT sent_at, last_error FROM notice_outbox WHERE notice_id = $1")
            .bind(about_claim)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(sent.is_some());
    assert_eq!(why.as_deref(), Some("claim given back"));
    assert_eq!(receiver.accepted_once().len(), 31, "li's 31, nothing else");
}
