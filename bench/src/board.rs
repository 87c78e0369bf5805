//! The server-rendered board under load: requests per second and latency of `GET /`.

use crate::Spread;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct BoardLoad {
    pub requests: usize,
    pub per_second: f64,
    pub latency: Spread,
    pub page_bytes: usize,
}

pub async fn load(base: &str, clients: usize, duration: Duration) -> BoardLoad {
    let started = Instant::now();
    let tasks = (0..clients).map(|_| {
        let url = format!("{base}/");
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut bytes = 0;
            while started.elapsed() < duration {
                let sent = Instant::now();
                let response = http.get(&url).send().await.expect("board answers");
                assert!(response.status().is_success());
                bytes = response.bytes().await.expect("board body").len();
                latencies.push(sent.elapsed());
            }
            (latencies, bytes)
        })
    });
    let mut latencies = Vec::new();
    let mut page_bytes = 0;
    for task in futures::future::join_all(tasks).await {
        let (mine, bytes) = task.expect("client task");
        latencies.extend(mine);
        page_bytes = bytes;
    }
    let seconds = started.elapsed().as_secs_f64();
    BoardLoad {
        requests: latencies.len(),
        per_second: latencies.len() as f64 / seconds,
        latency: Spread::of(latencies),
        page_bytes,
    }
}
