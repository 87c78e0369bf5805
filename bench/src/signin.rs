//! Many sign-ins at once, as a stranger would send them: every one from its own address (the
//! server trusts an `X-Real-IP` header here, as behind nginx) and for an unknown phone, so none
//! is stopped by the guessing limits and each asks for a password hash. What it costs the
//! server in memory, and how the hashing gate answered.

use std::time::{Duration, Instant};

#[derive(Clone, Debug, Default)]
pub struct SignInFlood {
    pub attempts: usize,
    /// Answered after their password was checked (401 `WrongCredentials`).
    pub checked: usize,
    /// Refused at once because every hashing turn was taken (503 `Busy`).
    pub busy: usize,
    pub other: usize,
    pub idle_rss: u64,
    pub peak_rss: u64,
    pub wall: Duration,
}

/// Sends `attempts` sign-ins at once to `base`; `rss` and `peak_rss` read the server's resident
/// memory now and its high-water mark.
pub async fn flood(
    base: &str,
    attempts: usize,
    rss: impl Fn() -> u64,
    peak_rss: impl Fn() -> u64,
) -> SignInFlood {
    let idle_rss = rss();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(attempts)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let started = Instant::now();
    let answers = futures::future::join_all((0..attempts).map(|n| {
        let request = http
            .post(format!("{base}/api/sign_in"))
            .header("x-real-ip", format!("10.{}.{}.1", n / 256, n % 256))
            .form(&[
                ("phone", format!("1370{n:07}")),
                ("password", "a guess of a stranger".to_owned()),
            ])
            .send();
        async move { request.await.map(|r| r.status().as_u16()).unwrap_or(0) }
    }))
    .await;
    let wall = started.elapsed();
    let count = |status: u16| answers.iter().filter(|s| **s == status).count();
    let (checked, busy) = (count(401), count(503));
    SignInFlood {
        attempts,
        checked,
        busy,
        other: attempts - checked - busy,
        idle_rss,
        peak_rss: peak_rss(),
        wall,
    }
}
