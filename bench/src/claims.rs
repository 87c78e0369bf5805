//! Claim throughput through the real HTTP endpoint, beside the raw conditional UPDATE rate of
//! the same database, and a check afterwards that no need was claimed twice.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wanshan_app::db::Db;

/// Inserts `count` published money needs in one transaction (a benchmark seed, not the app's
/// path) and returns their ids.
pub async fn seed_needs(db: &Db, count: usize) -> Vec<i64> {
    let mut tx = db.pool.begin().await.expect("begin");
    let mut ids = Vec::with_capacity(count);
    let now = wanshan_app::domain::UtcMillis::now().0;
    for i in 0..count {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO needs (aid_window, title, story, town, village, ask_kind, amount_fen, \
             urgency, status, created_at, updated_at, entered_at, published_at) VALUES ('medical', $1, \
             '基准测试用的需求，内容与真实需求长度相近，用于衡量认领吞吐。', '延陵镇', '柳茹村', \
             'money', 300000, 2, 'published', $2, $2, $2, $2) RETURNING id",
        )
        .bind(format!("基准需求{i}"))
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .expect("seed need");
        ids.push(id);
    }
    tx.commit().await.expect("commit");
    ids
}

/// What a load run did.
#[derive(Clone, Copy, Debug, Default)]
pub struct Load {
    pub requests: usize,
    pub wins: usize,
    pub already_claimed: usize,
    pub errors: usize,
    pub seconds: f64,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// How one claim attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Won,
    AlreadyClaimed,
    Failed,
}

/// `clients` concurrent tasks make attempts for `duration` (or until the needs run out). Each
/// need receives `per_need` consecutive attempts: 1 means every attempt is for a need of its
/// own, 64 means every need is fought over by 64 attempts, of which one can win.
async fn drive<F, Fut>(
    ids: Arc<Vec<i64>>,
    clients: usize,
    per_need: usize,
    duration: Duration,
    attempt: F,
) -> Load
where
    F: Fn(usize, i64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Outcome> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks = (0..clients).map(|client| {
        let ids = Arc::clone(&ids);
        let next = Arc::clone(&next);
        let attempt = attempt.clone();
        tokio::spawn(async move {
            let mut load = Load::default();
            while started.elapsed() < duration {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(need) = ids.get(i / per_need) else {
                    break;
                };
                load.requests += 1;
                match attempt(client, *need).await {
                    Outcome::Won => load.wins += 1,
                    Outcome::AlreadyClaimed => load.already_claimed += 1,
                    Outcome::Failed => load.errors += 1,
                }
            }
            load
        })
    });
    let mut total = Load::default();
    for task in futures::future::join_all(tasks).await {
        let load = task.expect("load task");
        total.requests += load.requests;
        total.wins += load.wins;
        total.already_claimed += load.already_claimed;
        total.errors += load.errors;
    }
    total.seconds = started.elapsed().as_secs_f64();
    total
}

/// Signs up `count` donors through `POST /api/sign_up`, as browsers would, and returns the
/// session cookie of each.
pub async fn sign_up_donors(base: &str, count: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut cookies = Vec::with_capacity(count);
    for i in 0..count {
        let response = http
            .post(format!("{base}/api/sign_up"))
            .form(&[
                ("phone", format!("1570000{i:04}")),
                ("name", format!("基准{i}")),
                ("password", "benchmark-password".to_owned()),
            ])
            .send()
            .await
            .expect("sign-up sent");
        assert_eq!(response.status(), 200, "sign-up refused");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find(|value| value.starts_with("wanshan_session="))
            .and_then(|value| value.split(';').next())
            .expect("a session cookie")
            .to_owned();
        cookies.push(cookie);
    }
    cookies
}

/// One claim by the donor with this session cookie, as the browser posts it; the status.
pub async fn claim_once(base: &str, cookie: &str, need_id: i64) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/api/claim_need"))
        .header("cookie", cookie)
        .form(&[("need_id", need_id.to_string())])
        .send()
        .await
        .expect("claim sent")
        .status()
        .as_u16()
}

/// Signed-in donors claiming through `POST /api/claim_need`, as the browser does, each client
/// with its own account.
pub async fn http_load(
    base: &str,
    ids: Arc<Vec<i64>>,
    clients: usize,
    per_need: usize,
    duration: Duration,
) -> Load {
    let http = reqwest::Client::new();
    let url = Arc::new(format!("{base}/api/claim_need"));
    let cookies = Arc::new(sign_up_donors(base, clients).await);
    drive(ids, clients, per_need, duration, move |client, need| {
        let request = http
            .post(url.as_str())
            .header("cookie", cookies[client].as_str())
            .form(&[("need_id", need.to_string())]);
        async move {
            match request.send().await.map(|r| r.status().as_u16()) {
                Ok(200) => Outcome::Won,
                Ok(409) => Outcome::AlreadyClaimed,
                _ => Outcome::Failed,
            }
        }
    })
    .await
}

/// The floor: the same conditional UPDATE the claim runs, straight on a pool of the same size
/// with the same settings, no HTTP, no claim row, no event.
pub async fn raw_update_load(
    db: &Db,
    ids: Arc<Vec<i64>>,
    clients: usize,
    per_need: usize,
    duration: Duration,
) -> Load {
    let db = db.clone();
    drive(ids, clients, per_need, duration, move |_, need| {
        let db = db.clone();
        async move {
            let updated = sqlx::query(
                "UPDATE needs SET status = 'claimed', updated_at = $2 \
                 WHERE id = $1 AND status = 'published'",
            )
            .bind(need)
            .bind(1_i64)
            .execute(&db.pool)
            .await;
            match updated.map(|r| r.rows_affected()) {
                Ok(1) => Outcome::Won,
                Ok(_) => Outcome::AlreadyClaimed,
                Err(_) => Outcome::Failed,
            }
        }
    })
    .await
}

/// After a run: (needs with more than one active claim, active claims, needs marked claimed).
pub async fn audit(db: &Db) -> (i64, i64, i64) {
    let doubles: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT need_id FROM claims WHERE released_at IS NULL \
         GROUP BY need_id HAVING COUNT(*) > 1) AS d",
    )
    .fetch_one(&db.pool)
    .await
    .expect("audit");
    let claims: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM claims WHERE released_at IS NULL")
        .fetch_one(&db.pool)
        .await
        .expect("audit");
    let claimed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM needs WHERE status = 'claimed'")
        .fetch_one(&db.pool)
        .await
        .expect("audit");
    (doubles, claims, claimed)
}
