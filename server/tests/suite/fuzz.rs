//! Fuzz: every server function, every route added by hand and every page, given malformed,
//! oversized and random input from a fixed seed, as anonymous, a volunteer, a reviewer and an
//! admin. Every answer must be a 4xx (from a server function: the app's JSON error, with the
//! status its code has) or a well-formed 2xx/3xx: never a 5xx, never a panic, never internal
//! text, never the internal error shown in a page.
//!
//! Nothing to cover is listed by hand ([`learn`]): the server functions come from server_fn's
//! registry and the pages from the app's router, and each function's fields are learned from
//! its own answers ("missing field `need_id`"), so a new function or page is fuzzed with its
//! real fields the day it is added. Only value hints are named ([`input::Hints`]: a real need
//! id, a town, a valid phone), to take requests past the parsers into the code behind them.
//!
//! First every target gets only invalid input as anonymous, and nothing in the database may
//! change; then every target gets every kind of input as each of the four callers. Requests
//! go one at a time, so a panic (seen by a panic hook: the server runs in this process) is
//! blamed on the request that caused it. `WANSHAN_FUZZ_SEED` (decimal or 0x-hex) runs another
//! seed, `WANSHAN_FUZZ_VERBOSE=1` prints every request; a failure prints the seed, the case
//! number, the caller and the exact request.

mod input;
mod learn;
mod wire;

use crate::support::{id_number, spawn_app, Person, TestApp};
use input::{Generator, Hints, Input, Rng, Target, PASSWORD};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use wanshan_app::db::accounts;
use wanshan_app::domain::UtcMillis;

/// Whose requests: index into the cast.
const CALLERS: [&str; 4] = ["anonymous", "volunteer", "reviewer", "admin"];
/// The caller who, besides anonymous, gets what is refused before anyone is looked at.
const ADMIN: usize = 3;

/// What a valid-looking request can name.
pub struct Fixtures {
    household: i64,
    /// At the council stage, at the volunteer stage, published (money), published (goods).
    needs: Vec<i64>,
    /// Claims of the last two: the first delivered with a photo.
    claims: Vec<i64>,
    /// The phone of an account whose password is [`PASSWORD`].
    phone: String,
    /// A report from the public of the money need.
    reports: Vec<i64>,
    /// A published service offer of 延陵镇, its slot, and a booking of the household on it.
    offers: Vec<i64>,
    slots: Vec<i64>,
    bookings: Vec<i64>,
    /// A volunteer's pending activity (volunteer hours).
    activities: Vec<i64>,
    /// A partner agency and a key of it that may query and record (the agency API).
    agency: i64,
    api_token: String,
}

async fn fixtures(app: &TestApp) -> Fixtures {
    let author = app
        .person("录入志愿者", "13600000011", &[("volunteer", "延陵镇")])
        .await;
    let council = app
        .person("另一位审核员", "13600000012", &[("reviewer", "延陵镇")])
        .await;
    let donor = app
        .person("可登录的捐助者", "13600000013", &[("donor", "")])
        .await;
    // A real hash: signing in as this donor is fuzzed too.
    let hash = app
        .state
        .passwords
        .hash(&wanshan_app::people::Password::parse(PASSWORD).unwrap())
        .await
        .expect("password hashed");
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(donor.id.0)
        .execute(&app.state.db.pool)
        .await
        .expect("password set");
    let household = app
        .register_household(&author, "延陵镇", &id_number(1))
        .await;
    let council_stage = app
        .enter_need(&author, household, "medical", "等待议事小组审核")
        .await;
    let volunteer_stage = app
        .enter_need(&author, household, "education", "等待志愿者审核")
        .await;
    let approved = app.approve(&council, volunteer_stage, "council", "").await;
    assert_eq!(approved.status(), 200);
    let money = app
        .publish_money("模糊测试认捐", "延陵镇", 3000, &author)
        .await;
    let goods = app
        .publish("模糊测试物资", wanshan_app::domain::Window::Home, "延陵镇")
        .await
        .id
        .0;
    let mut claims = Vec::new();
    for need in [money, goods] {
        let receipt: serde_json::Value = app.claim_as(&donor, need).await.json().await.unwrap();
        claims.push(receipt["claim_id"].as_i64().expect("claimed"));
    }
    let png = crate::support::png(false);
    let delivered = app
        .deliver(&donor, claims[0], Some(("photo.png", png)))
        .await;
    assert_eq!(delivered.status(), 204);
    let reported = app
        .post_as(
            None,
            "report_need",
            &[("need_id", &money.to_string()), ("reason", "wrong_info")],
        )
        .await;
    assert_eq!(reported.status(), 200);
    let report = app.scalar("SELECT MAX(id) FROM reports").await;
    // A service offer, approved by the author, with the household booked on it.
    let provider = app
        .person("模糊服务方", "13600000014", &[("provider", "延陵镇")])
        .await;
    let date =
        wanshan_app::domain::UtcMillis(wanshan_app::domain::UtcMillis::now().0 + 3 * 86_400_000)
            .shanghai_date_text();
    let fields = [
        ("offer[kind]", "legal".to_owned()),
        ("offer[window]", "services".to_owned()),
        ("offer[title]", "模糊测试法律咨询".to_owned()),
        (
            "offer[description]",
            "律师上门解答家庭纠纷问题，免费。".to_owned(),
        ),
        ("offer[towns][0]", "延陵镇".to_owned()),
        ("offer[slots]", format!("{date} 14:00-16:00")),
        ("offer[places]", "5".to_owned()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let offer: i64 = app
        .post_as(Some(&provider), "create_offer", &fields)
        .await
        .json()
        .await
        .expect("offer created");
    let approved = app
        .post_as(
            Some(&author),
            "decide_offer",
            &[("offer_id", &offer.to_string()), ("decision", "approve")],
        )
        .await;
    assert_eq!(approved.status(), 200);
    let slot = app
        .scalar(&format!(
            "SELECT MIN(id) FROM offer_slots WHERE offer_id = {offer}"
        ))
        .await;
    let booking: i64 = app
        .post_as(
            Some(&author),
            "book_service",
            &[
                ("offer_id", &offer.to_string()),
                ("slot_id", &slot.to_string()),
                ("household_id", &household.to_string()),
            ],
        )
        .await
        .json()
        .await
        .expect("booked");
    let yesterday = UtcMillis(UtcMillis::now().0 - 86_400_000).shanghai_date_text();
    let recorded = app
        .post_as(
            Some(&author),
            "record_hours",
            &[
                ("kind", "delivery"),
                ("town", "延陵镇"),
                ("date", &yesterday),
                ("hours", "1.5"),
            ],
        )
        .await;
    assert_eq!(recorded.status(), 200);
    let activity: i64 = recorded.json().await.expect("an activity id");
    let issuer = app
        .person("发密钥的管理员", "13600000015", &[("admin", "")])
        .await;
    let agency = wanshan_app::db::agencies::create_agency(
        &app.state.db,
        "模糊测试民政局",
        issuer.id,
        UtcMillis::now(),
    )
    .await
    .expect("agency created");
    let api_token = wanshan_app::db::agencies::create_key(
        &app.state.db,
        agency,
        "模糊测试",
        wanshan_app::private::Scopes {
            query: true,
            record: true,
        },
        600,
        issuer.id,
        UtcMillis::now(),
    )
    .await
    .expect("key issued");
    Fixtures {
        household,
        needs: vec![council_stage, volunteer_stage, money, goods],
        claims,
        phone: donor.phone,
        reports: vec![report],
        offers: vec![offer],
        slots: vec![slot],
        bookings: vec![booking],
        activities: vec![activity],
        agency: agency.0,
        api_token,
    }
}

/// The four callers: anonymous, then a volunteer, a council reviewer and an admin of 延陵镇,
/// each also a donor (as everyone who signs up is).
async fn cast(app: &TestApp) -> Vec<Option<Person>> {
    let volunteer = [("volunteer", "延陵镇"), ("donor", "")];
    let reviewer = [("reviewer", "延陵镇"), ("donor", "")];
    let admin = [("admin", ""), ("donor", "")];
    vec![
        None,
        Some(app.person("模糊志愿者", "13600000021", &volunteer).await),
        Some(app.person("模糊审核员", "13600000022", &reviewer).await),
        Some(app.person("模糊管理员", "13600000023", &admin).await),
    ]
}

/// Everything in the database a request could change, counted, and the open board's size.
async fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in [
        "users",
        "user_roles",
        "sessions",
        "households",
        "needs",
        "claims",
        "reviews",
        "events",
        "credit_ledger",
        "aid_records",
        "reports",
        "need_trail",
        "offers",
        "offer_slots",
        "bookings",
        "donor_interests",
        "volunteer_activities",
        "hours_certificates",
    ] {
        let count = app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await;
        counts.push((table.to_owned(), count));
    }
    let board = wanshan_app::db::needs::open_board(&app.state.db, &Default::default())
        .await
        .expect("board");
    counts.push(("the open board's total".into(), board.total));
    let pledged = "SELECT CAST(COALESCE(SUM(pledged_fen), 0) AS BIGINT) FROM needs";
    counts.push(("pledged fen".into(), app.scalar(pledged).await));
    counts
}

type Hook = dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync;

/// Panics anywhere in this process (the server's tasks included) while fuzzing, each with the
/// number of the request being answered.
struct PanicWatch {
    previous: Arc<Hook>,
    seen: Arc<Mutex<Vec<String>>>,
    case: Arc<AtomicUsize>,
}

impl PanicWatch {
    fn start() -> PanicWatch {
        let previous: Arc<Hook> = Arc::from(std::panic::take_hook());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let case = Arc::new(AtomicUsize::new(0));
        let (hook_seen, hook_case, hook_previous) = (seen.clone(), case.clone(), previous.clone());
        std::panic::set_hook(Box::new(move |info| {
            let case = hook_case.load(Ordering::SeqCst);
            hook_seen
                .lock()
                .unwrap()
                .push(format!("case {case}: {info}"));
            hook_previous(info);
        }));
        PanicWatch {
            previous,
            seen,
            case,
        }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl Drop for PanicWatch {
    fn drop(&mut self) {
        // While unwinding the hook cannot be changed; it only passes panics on.
        if !std::thread::panicking() {
            let previous = self.previous.clone();
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// The run: how many requests, their statuses, what went wrong.
struct Run<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    seed: u64,
    watch: PanicWatch,
    cases: usize,
    statuses: BTreeMap<u16, usize>,
    failures: Vec<String>,
    /// `WANSHAN_FUZZ_VERBOSE`: a line for every request.
    verbose: bool,
}

impl Run<'_> {
    async fn case(&mut self, target: &Target, input: &Input, caller: usize, cookie: Option<&str>) {
        self.cases += 1;
        self.watch.case.store(self.cases, Ordering::SeqCst);
        let outcome = wire::send(self.app, &self.client, input, cookie).await;
        let panics = self.watch.take();
        let answer = match &outcome {
            Ok(answer) => {
                let body = &answer.body[..answer.body.len().min(300)];
                format!("{} {}", answer.status, String::from_utf8_lossy(body))
            }
            Err(_) => "none".into(),
        };
        if self.verbose {
            let (case, name, recipe) = (self.cases, target.name(), &input.recipe);
            let answer = wire::short(&answer).replace('\n', " ");
            println!(
                "fuzz {case} {name} as {} ({recipe}): {answer}",
                CALLERS[caller]
            );
        }
        let problem = match &outcome {
            _ if !panics.is_empty() => Some(format!("a panic: {}", panics.join("; "))),
            Err(e) => Some(e.clone()),
            Ok(answer) => {
                *self.statuses.entry(answer.status).or_default() += 1;
                wire::judge(target, input, answer)
            }
        };
        if let Some(problem) = problem {
            self.failures.push(format!(
                "case {} (WANSHAN_FUZZ_SEED={:#x}) {}: {problem}\n  {}\n  answer: {answer}",
                self.cases,
                self.seed,
                target.name(),
                wire::describe(input, CALLERS[caller]),
            ));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_function_route_and_page_answers_malformed_input_with_a_4xx_never_a_5xx() {
    let started = std::time::Instant::now();
    let app = spawn_app().await;
    let fixtures = fixtures(&app).await;
    let mut people = cast(&app).await;
    let hints = Hints::new(&fixtures);
    let targets = learn::targets(&app, &hints.names()).await;
    let verbose = std::env::var_os("WANSHAN_FUZZ_VERBOSE").is_some();
    if verbose {
        for target in &targets {
            if let Target::ServerFn { path, fields, .. } = target {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{}{}", f.key, if f.optional { "?" } else { "" }))
                    .collect();
                println!("fuzz fields of {path}: {}", fields.join(" "));
            }
        }
    }
    let seed = input::seed();
    let mut generator = Generator {
        rng: Rng::new(seed),
        hints: &hints,
        fixtures: &fixtures,
    };
    let mut run = Run {
        app: &app,
        client: wire::client(),
        seed,
        watch: PanicWatch::start(),
        cases: 0,
        statuses: BTreeMap::new(),
        failures: Vec::new(),
        verbose,
    };

    // Invalid input only, anonymously: nothing may change.
    let before = snapshot(&app).await;
    for target in &targets {
        for kind in target.kinds() {
            let input = generator.generate(target, kind, false);
            run.case(target, &input, 0, None).await;
        }
    }
    let after = snapshot(&app).await;
    let invalid_only = run.cases;
    if before != after {
        run.failures.push(format!(
            "invalid input from anonymous callers changed the database:\n  \
             before {before:?}\n  after  {after:?}"
        ));
    }

    // Every kind of input, valid-looking values among them, as each caller (what is refused
    // before anyone is looked at: as anonymous and the admin only).
    for (caller, person) in people.iter_mut().enumerate() {
        for target in &targets {
            for kind in target.kinds() {
                if kind.refused_before_the_caller() && caller != 0 && caller != ADMIN {
                    continue;
                }
                let input = generator.generate(target, kind, true);
                let cookie = person.as_ref().map(|p| p.cookie.clone());
                run.case(target, &input, caller, cookie.as_deref()).await;
                if let (Some(person), true) = (person.as_mut(), input.path.contains("sign_out")) {
                    // Signed out by the fuzz: signed back in (directly) to go on as them.
                    let token =
                        accounts::start_session(&app.state.db, person.id, UtcMillis::now(), 1)
                            .await
                            .expect("session");
                    person.cookie = format!("wanshan_session={token}");
                }
            }
        }
    }

    // Still serving, normally.
    let board = app.page("/").await;
    assert!(
        board.contains("</html>"),
        "the board renders after the fuzz"
    );
    let head = app
        .http
        .head(app.url("/"))
        .send()
        .await
        .expect("HEAD / answered");
    assert_eq!(head.status(), 200, "HEAD / is answered as GET /");
    let listed = app
        .post_as(None, "list_needs", &[("filter[pages]", "1")])
        .await;
    assert_eq!(listed.status(), 200, "list_needs answers after the fuzz");
    let admin = people[ADMIN].as_ref().unwrap();
    let accounts = app.post_as(Some(admin), "list_accounts", &[]).await;
    assert_eq!(
        accounts.status(),
        200,
        "a signed-in call answers after the fuzz"
    );

    let Run {
        cases,
        statuses,
        failures,
        ..
    } = run;
    println!(
        "fuzz: seed {seed:#x}, {} targets, {cases} requests ({invalid_only} invalid-only as \
         anonymous), statuses {statuses:?}, {:.1?}",
        targets.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} fuzzed requests failed (seed {seed:#x}); the first ones:\n\n{}",
        failures.len(),
        failures[..failures.len().min(15)].join("\n\n")
    );
}
