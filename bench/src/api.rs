//! The agency exchange API under load: 救前查询 and 救后录入 as partner agencies call them,
//! against a city whose aid history already holds many records, through the release server.

use crate::Spread;
use std::time::{Duration, Instant};
use wanshan_app::db::{agencies, seed, Db};
use wanshan_app::domain::UtcMillis;
use wanshan_app::people::UserId;
use wanshan_app::private::{IdKey, IdNumber, Scopes};

/// People with aid records in the seeded history, and records in all.
pub const PEOPLE: usize = 50_000;
pub const RECORDS: usize = 200_000;

#[derive(Clone, Debug, Default)]
pub struct ApiLoad {
    pub backend: &'static str,
    pub records: i64,
    pub query: Spread,
    pub query_per_s: f64,
    pub record: Spread,
    pub record_per_s: f64,
    /// One upload of this many rows, and how long it took.
    pub bulk_rows: usize,
    pub bulk: Duration,
}

/// Writes `RECORDS` aid records over `PEOPLE` people (four windows, the last three years), an
/// admin, an agency and three keys (query, record, bulk); returns the keys.
pub async fn seed(db: &Db, id_key: &str) -> [String; 3] {
    let secret = IdKey(id_key.as_bytes().to_vec());
    let now = UtcMillis::now().0;
    let admin: i64 = sqlx::query_scalar(
        "INSERT INTO users (phone, display_name, donor_kind, password_hash, created_at) \
         VALUES ('13900009998', '基准管理员', 'person', 'x', $1) RETURNING id",
    )
    .bind(now)
    .fetch_one(&db.pool)
    .await
    .expect("admin");
    let windows = ["medical", "education", "disability", "home"];
    let mut tx = db.pool.begin().await.expect("begin");
    for chunk in (0..RECORDS).collect::<Vec<_>>().chunks(500) {
        let mut sql = String::from(
            "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, amount_fen, \
             imported_by, imported_at) VALUES ",
        );
        for (i, n) in chunk.iter().enumerate() {
            let person = IdNumber::parse(&seed::demo_id_number(n % PEOPLE))
                .expect("a valid ID number")
                .key(&secret);
            let at = now - (*n as i64 % 1_095) * 86_400_000;
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "('{person}', '基准机构{}', '{}', '住院救助', {at}, 100000, {admin}, {now})",
                n % 7,
                windows[n % 4]
            ));
        }
        sqlx::query(&sql).execute(&mut *tx).await.expect("records");
    }
    tx.commit().await.expect("commit");
    let agency = agencies::create_agency(db, "基准民政局", UserId(admin), UtcMillis::now())
        .await
        .expect("agency");
    let mut keys = Vec::new();
    for (query, record) in [(true, false), (false, true), (false, true)] {
        keys.push(
            agencies::create_key(
                db,
                agency,
                "基准",
                Scopes { query, record },
                600,
                UserId(admin),
                UtcMillis::now(),
            )
            .await
            .expect("key"),
        );
    }
    [keys[0].clone(), keys[1].clone(), keys[2].clone()]
}

/// `count` calls, `clients` at a time; every answer must have `status`.
async fn calls(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    count: usize,
    clients: usize,
    status: u16,
    body: impl Fn(usize) -> serde_json::Value,
) -> (Spread, f64) {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(count);
    for batch in (0..count).collect::<Vec<_>>().chunks(clients) {
        let answers = futures::future::join_all(batch.iter().map(|n| {
            let request = http.post(url).bearer_auth(key).json(&body(*n)).send();
            async move {
                let at = Instant::now();
                let response = request.await.expect("the API answers");
                assert_eq!(response.status().as_u16(), status, "{url}");
                at.elapsed()
            }
        }))
        .await;
        samples.extend(answers);
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    (Spread::of(samples), rate)
}

/// 500 queries of people in the history, 500 new records, then one bulk file of 5,000 rows.
pub async fn load(base: &str, keys: &[String; 3], backend: &'static str, records: i64) -> ApiLoad {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let id = |n: usize| seed::demo_id_number(n);
    let (query, query_per_s) = calls(
        &http,
        &format!("{base}/api/v1/aid/query"),
        &keys[0],
        500,
        16,
        200,
        |n| serde_json::json!({"id_number": id(n * 97 % PEOPLE), "months": 36}),
    )
    .await;
    let date = UtcMillis(UtcMillis::now().0 - 86_400_000).shanghai_date_text();
    let (record, record_per_s) = calls(
        &http,
        &format!("{base}/api/v1/aid/records"),
        &keys[1],
        500,
        16,
        201,
        |n| {
            serde_json::json!({"key": format!("bench-{n}"), "id_number": id(n), "window": "medical",
                "cause": "住院自付费用", "date": date, "amount_fen": 200_000})
        },
    )
    .await;
    let bulk_rows = 5_000;
    let mut csv = String::from("key,id_number,window,cause,date,amount_fen\n");
    for n in 0..bulk_rows {
        csv.push_str(&format!(
            "bulk-{n},{},home,改厕,{date},50000\n",
            id(n + 1000)
        ));
    }
    let started = Instant::now();
    let response = http
        .post(format!("{base}/api/v1/aid/records.csv"))
        .bearer_auth(&keys[2])
        .body(csv)
        .send()
        .await
        .expect("the bulk upload answers");
    assert_eq!(response.status(), 200, "the bulk upload");
    let bulk = started.elapsed();
    ApiLoad {
        backend,
        records,
        query,
        query_per_s,
        record,
        record_per_s,
        bulk_rows,
        bulk,
    }
}
