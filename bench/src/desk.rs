//! The supervision desk over a city's history: 100,000 needs entered over two years with
//! their reviews and claims, then the desk (every figure `/desk` shows, as `get_desk`
//! computes them) and its flow CSV requested one after another by a signed-in official,
//! for the whole city and for one town.

use crate::Spread;
use std::time::{Duration, Instant};
use wanshan_app::db::Db;
use wanshan_app::domain::UtcMillis;

const TOWNS: [&str; 13] = wanshan_app::settings::DANYANG_TOWNS;
const WINDOWS: [&str; 6] = [
    "medical",
    "education",
    "disability",
    "home",
    "insurance",
    "services",
];
const DAY: i64 = 86_400_000;

#[derive(Clone, Debug, Default)]
pub struct DeskLoad {
    pub backend: &'static str,
    pub needs: i64,
    pub reviews: i64,
    pub claims: i64,
    pub seed_seconds: f64,
    pub city: Spread,
    pub town: Spread,
    pub csv: Spread,
    pub desk_bytes: usize,
}

/// A small deterministic generator (the same history on every run).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Rows of one table, written in multi-row statements of `per` rows.
async fn insert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) {
    let per = 500;
    for chunk in rows.chunks(per) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (r, _) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..columns.len() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            sql.push(')');
        }
        let mut query = sqlx::query(&sql);
        for row in chunk {
            for value in row {
                query = match value {
                    Value::Int(v) => query.bind(*v),
                    Value::Opt(v) => query.bind(*v),
                    Value::Text(v) => query.bind(v.clone()),
                };
            }
        }
        query.execute(&mut **tx).await.expect("seed rows");
    }
}

#[derive(Clone)]
enum Value {
    Int(i64),
    Opt(Option<i64>),
    Text(String),
}

use Value::{Int, Opt, Text};

/// A claim to seed: need index, status, claimed, delivered, confirmed.
type SeedClaim = (usize, &'static str, i64, Option<i64>, Option<i64>);

/// Two years of a city: `count` needs in every stage, about two reviews each, a claim for
/// each claimed or fulfilled one, households shared by several needs. Returns the official's
/// session cookie.
pub async fn seed(db: &Db, count: usize) -> String {
    let now = UtcMillis::now().0;
    let mut rng = Rng(0x5EED_DE5C);
    let mut tx = db.pool.begin().await.expect("begin");
    let user: i64 = sqlx::query_scalar(
        "INSERT INTO users (phone, display_name, donor_kind, password_hash, created_at) \
         VALUES ('13900009999', '基准督导', 'person', 'x', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&mut *tx)
    .await
    .expect("official");
    sqlx::query(
        "INSERT INTO user_roles (user_id, role, town, granted_at) VALUES ($1, 'official', '', $2)",
    )
    .bind(user)
    .bind(now)
    .execute(&mut *tx)
    .await
    .expect("official role");
    let households = (count / 5).max(1);
    let rows: Vec<Vec<Value>> = (0..households)
        .map(|i| {
            vec![
                Text(TOWNS[i % TOWNS.len()].into()),
                Text("基准村".into()),
                Text("基准户".into()),
                Text(format!("bench-key-{i}")),
                Text("0000".into()),
                Text("".into()),
                Text("".into()),
                Text("".into()),
                Int(3),
                Text("expenditure".into()),
                Int(user),
                Int(now),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "households",
        &[
            "town",
            "village",
            "head_name",
            "id_key",
            "id_last4",
            "address",
            "phone",
            "members",
            "member_count",
            "low_income",
            "created_by",
            "created_at",
        ],
        &rows,
    )
    .await;
    let first_household: i64 = sqlx::query_scalar("SELECT MIN(id) FROM households")
        .fetch_one(&mut *tx)
        .await
        .expect("households");
    let mut needs = Vec::with_capacity(count);
    // (need index, stage, decision, reviewer, warnings, at)
    let mut reviews: Vec<(usize, &str, &str, i64, i64)> = Vec::new();
    let mut claims: Vec<SeedClaim> = Vec::new();
    for i in 0..count {
        let entered = now - (rng.below(730) as i64) * DAY - rng.below(DAY as u64) as i64;
        let submitted = entered + rng.below(2 * DAY as u64) as i64;
        let council = submitted + rng.below(5 * DAY as u64) as i64;
        let published = council + rng.below(5 * DAY as u64) as i64;
        let claimed = published + rng.below(20 * DAY as u64) as i64;
        let delivered = claimed + rng.below(7 * DAY as u64) as i64;
        let confirmed = delivered + rng.below(4 * DAY as u64) as i64;
        // Most of the past is done; the stages hold the recent.
        let status = match rng.below(100) {
            0..=4 => "draft",
            5..=9 => "council_review",
            10..=14 => "volunteer_review",
            15..=34 => "published",
            35..=44 => "claimed",
            45..=47 => "referred",
            _ => "fulfilled",
        };
        let warned = i64::from(rng.below(20) == 0);
        if rng.below(10) == 0 {
            reviews.push((i, "council", "return", warned, submitted));
        }
        let past_council = !matches!(status, "draft" | "council_review" | "referred");
        let on_board = matches!(status, "published" | "claimed" | "fulfilled");
        if past_council {
            reviews.push((i, "council", "approve", warned, council));
        }
        if on_board {
            reviews.push((i, "volunteer", "approve", warned, published));
        }
        match status {
            "claimed" => claims.push((i, "open", claimed, None, None)),
            "fulfilled" => claims.push((i, "confirmed", claimed, Some(delivered), Some(confirmed))),
            _ => {}
        }
        let money = rng.below(3) != 0;
        needs.push(vec![
            Text(WINDOWS[rng.below(6) as usize].into()),
            Text(format!("基准需求{i}")),
            Text("基准测试用的需求，内容与真实需求长度相近。".into()),
            Text(TOWNS[i % TOWNS.len()].into()),
            Text("基准村".into()),
            Text(if money { "money" } else { "goods" }.into()),
            Opt(money.then_some(300_000)),
            Int(1 + rng.below(3) as i64),
            Text(status.into()),
            Int(if on_board { published } else { entered }),
            Int(now),
            Int(first_household + (i % households) as i64),
            Int(user),
            Int(entered),
            Opt((status != "draft").then_some(submitted)),
            Opt(on_board.then_some(published)),
            Opt((status == "fulfilled").then_some(confirmed)),
        ]);
    }
    insert(
        &mut tx,
        "needs",
        &[
            "aid_window",
            "title",
            "story",
            "town",
            "village",
            "ask_kind",
            "amount_fen",
            "urgency",
            "status",
            "created_at",
            "updated_at",
            "household_id",
            "author_id",
            "entered_at",
            "submitted_at",
            "published_at",
            "fulfilled_at",
        ],
        &needs,
    )
    .await;
    let first_need: i64 = sqlx::query_scalar("SELECT MIN(id) FROM needs")
        .fetch_one(&mut *tx)
        .await
        .expect("needs");
    let rows: Vec<Vec<Value>> = reviews
        .iter()
        .map(|(i, stage, decision, warned, at)| {
            vec![
                Int(first_need + *i as i64),
                Text((*stage).into()),
                Int(user),
                Text((*decision).into()),
                Text(
                    if *decision == "return" {
                        "材料不全"
                    } else {
                        ""
                    }
                    .into(),
                ),
                Int(*warned),
                Int(*at),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "reviews",
        &[
            "need_id",
            "stage",
            "reviewer_id",
            "decision",
            "reason",
            "aid_warnings",
            "created_at",
        ],
        &rows,
    )
    .await;
    let rows: Vec<Vec<Value>> = claims
        .iter()
        .map(|(i, status, claimed, delivered, confirmed)| {
            vec![
                Int(first_need + *i as i64),
                Text("基准捐赠人".into()),
                Text("13500000000".into()),
                Int(*claimed),
                Int(user),
                Text((*status).into()),
                Opt(*delivered),
                Opt(*confirmed),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "claims",
        &[
            "need_id",
            "donor_name",
            "donor_contact",
            "claimed_at",
            "donor_id",
            "status",
            "delivered_at",
            "confirmed_at",
        ],
        &rows,
    )
    .await;
    tx.commit().await.expect("seed committed");
    if db.backend == wanshan_app::db::Backend::Postgres {
        sqlx::query("ANALYZE")
            .execute(&db.pool)
            .await
            .expect("analyze");
    }
    let token = wanshan_app::db::accounts::start_session(
        db,
        wanshan_app::people::UserId(user),
        UtcMillis(now),
        1,
    )
    .await
    .expect("session");
    format!("wanshan_session={token}")
}

async fn timed(requests: usize, mut send: impl AsyncFnMut() -> usize) -> (Spread, usize) {
    let mut latencies = Vec::with_capacity(requests);
    let mut bytes = 0;
    for _ in 0..requests {
        let sent = Instant::now();
        bytes = send().await;
        latencies.push(sent.elapsed());
    }
    (Spread::of(latencies), bytes)
}

/// The desk as an official's browser asks for it: `requests` times for the city, for one
/// town, and the flow CSV for the city, one request at a time.
pub async fn load(base: &str, cookie: &str, requests: usize) -> (Spread, Spread, Spread, usize) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let desk = |town: &'static str| {
        let http = http.clone();
        let url = format!("{base}/api/get_desk");
        let cookie = cookie.to_owned();
        async move || {
            let response = http
                .post(&url)
                .header("cookie", &cookie)
                .form(&[("town", town)])
                .send()
                .await
                .expect("desk answers");
            assert_eq!(response.status(), 200, "the desk");
            response.bytes().await.expect("desk body").len()
        }
    };
    let (city, bytes) = timed(requests, desk("")).await;
    let (town, _) = timed(requests, desk("延陵镇")).await;
    let url = format!("{base}/desk/export/flow.csv");
    let (csv, _) = timed(requests, async || {
        let response = http
            .get(&url)
            .header("cookie", cookie)
            .send()
            .await
            .expect("CSV answers");
        assert_eq!(response.status(), 200, "the flow CSV");
        response.bytes().await.expect("CSV body").len()
    })
    .await;
    (city, town, csv, bytes)
}

/// How many rows the seed wrote.
pub async fn counts(db: &Db) -> (i64, i64, i64) {
    let count = |table: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&db.pool)
            .await
            .expect("count")
    };
    (
        count("needs").await,
        count("reviews").await,
        count("claims").await,
    )
}
