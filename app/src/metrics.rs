//! What `/metrics` counts, on the server: requests by route and status, and claim outcomes.
//! Counters only; the server adds the gauges (open streams, the pump's lag, the hashing queue)
//! when it renders them. Every label comes from a fixed set (the router's route templates,
//! status codes, four claim outcomes), so the number of series stays bounded whatever is asked.
//!
//! Written by hand rather than with a metrics crate: neither `prometheus-client` nor
//! `metrics` is in Debian or in our `Cargo.lock`, and these few series need a map, four atomics
//! and the text format below (README, *Dependencies*).

use crate::error::AppError;
use std::collections::BTreeMap;
use std::fmt::{Display, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Route templates kept apart at most; any further ones (there are about 40) are counted as
/// `other`. A guard only: templates come from the router's code, never from a request.
const MAX_ROUTES: usize = 256;
/// The route label of a request no route matched (any path a client makes up).
pub const UNMATCHED: &str = "unmatched";

/// This instance's counters, shared by every request (in the server's state and in context).
#[derive(Clone, Debug, Default)]
pub struct Metrics(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    /// Route template → status code → answers.
    requests: Mutex<BTreeMap<String, BTreeMap<u16, u64>>>,
    claims: [AtomicU64; ClaimOutcome::ALL.len()],
}

/// How a claim that reached its decision ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The claim or pledge was stored.
    Claimed,
    /// Another donor was first (`AlreadyClaimed`).
    AlreadyClaimed,
    /// Any other rule said no: not open, not found, too many claims, a pledge over what is left.
    Refused,
    /// The server could not decide (`Internal`, `Busy`).
    Failed,
}

impl ClaimOutcome {
    const ALL: [ClaimOutcome; 4] = [
        ClaimOutcome::Claimed,
        ClaimOutcome::AlreadyClaimed,
        ClaimOutcome::Refused,
        ClaimOutcome::Failed,
    ];

    pub fn of<T>(result: &Result<T, AppError>) -> ClaimOutcome {
        match result {
            Ok(_) => ClaimOutcome::Claimed,
            Err(AppError::AlreadyClaimed) => ClaimOutcome::AlreadyClaimed,
            Err(AppError::Internal | AppError::Busy) => ClaimOutcome::Failed,
            Err(_) => ClaimOutcome::Refused,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ClaimOutcome::Claimed => "claimed",
            ClaimOutcome::AlreadyClaimed => "already_claimed",
            ClaimOutcome::Refused => "refused",
            ClaimOutcome::Failed => "failed",
        }
    }
}

/// Counts a claim's outcome in this instance's metrics, if the server put them in context.
pub fn count_claim<T>(result: &Result<T, AppError>) {
    if let Some(metrics) = leptos::prelude::use_context::<Metrics>() {
        metrics.count_claim(ClaimOutcome::of(result));
    }
}

impl Metrics {
    /// One answer of `route` (the matched route template, `None` when no route matched).
    pub fn count_request(&self, route: Option<&str>, status: u16) {
        let route = route.unwrap_or(UNMATCHED);
        let mut requests = self.0.requests.lock().unwrap_or_else(|e| e.into_inner());
        let route = if requests.len() < MAX_ROUTES || requests.contains_key(route) {
            route
        } else {
            "other"
        };
        if !requests.contains_key(route) {
            requests.insert(route.to_owned(), BTreeMap::new());
        }
        if let Some(by_status) = requests.get_mut(route) {
            *by_status.entry(status).or_default() += 1;
        }
    }

    pub fn count_claim(&self, outcome: ClaimOutcome) {
        self.0.claims[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Writes the counters in the text format.
    pub fn render(&self, out: &mut Text) {
        out.family(
            "wanshan_http_requests_total",
            "counter",
            "HTTP answers by matched route template, status class and status code.",
        );
        let requests = self.0.requests.lock().unwrap_or_else(|e| e.into_inner());
        for (route, by_status) in requests.iter() {
            for (code, count) in by_status {
                let class = format!("{}xx", code / 100);
                let code = code.to_string();
                out.sample(
                    "wanshan_http_requests_total",
                    &[("route", route), ("class", &class), ("code", &code)],
                    count,
                );
            }
        }
        drop(requests);
        out.family(
            "wanshan_claims_total",
            "counter",
            "Claims and pledges that reached their decision, by outcome.",
        );
        for outcome in ClaimOutcome::ALL {
            let count = self.0.claims[outcome as usize].load(Ordering::Relaxed);
            out.sample(
                "wanshan_claims_total",
                &[("outcome", outcome.label())],
                count,
            );
        }
    }
}

/// The Prometheus text exposition format (version 0.0.4), as its content type says.
#[derive(Debug, Default)]
pub struct Text(String);

impl Text {
    pub const CONTENT_TYPE: &'static str = "text/plain; version=0.0.4; charset=utf-8";

    /// Starts a metric: its help line and its type (`counter` or `gauge`).
    pub fn family(&mut self, name: &str, kind: &str, help: &str) {
        let _ = writeln!(self.0, "# HELP {name} {help}");
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    /// One sample, its label values escaped.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl Display) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (label, text)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{label}=\"");
                for c in text.chars() {
                    match c {
                        '\\' => self.0.push_str("\\\\"),
                        '"' => self.0.push_str("\\\""),
                        '\n' => self.0.push_str("\\n"),
                        c => self.0.push(c),
                    }
                }
                self.0.push('"');
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {value}");
    }

    pub fn finish(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(metrics: &Metrics) -> String {
        let mut text = Text::default();
        metrics.render(&mut text);
        text.finish()
    }

    #[test]
    fn requests_are_counted_by_route_template_and_status() {
        let metrics = Metrics::default();
        metrics.count_request(Some("/api/claim_need"), 200);
        metrics.count_request(Some("/api/claim_need"), 200);
        metrics.count_request(Some("/api/claim_need"), 409);
        metrics.count_request(None, 404);
        let text = rendered(&metrics);
        for line in [
            "# TYPE wanshan_http_requests_total counter",
            "wanshan_http_requests_total{route=\"/api/claim_need\",class=\"2xx\",code=\"200\"} 2",
            "wanshan_http_requests_total{route=\"/api/claim_need\",class=\"4xx\",code=\"409\"} 1",
            "wanshan_http_requests_total{route=\"unmatched\",class=\"4xx\",code=\"404\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn routes_beyond_the_bound_share_one_series() {
        let metrics = Metrics::default();
        for i in 0..MAX_ROUTES + 50 {
            metrics.count_request(Some(&format!("/made/up/{i}")), 200);
        }
        let text = rendered(&metrics);
        let series = text
            .lines()
            .filter(|l| l.starts_with("wanshan_http_requests_total{"))
            .count();
        assert_eq!(series, MAX_ROUTES + 1);
        assert!(text.contains("route=\"other\",class=\"2xx\",code=\"200\"} 50"));
    }

    #[test]
    fn claim_outcomes_are_told_apart() {
        let metrics = Metrics::default();
        for result in [
            Ok(()),
            Err(AppError::AlreadyClaimed),
            Err(AppError::AlreadyClaimed),
            Err(AppError::TooManyClaims(5)),
            Err(AppError::Internal),
        ] {
            metrics.count_claim(ClaimOutcome::of(&result));
        }
        let text = rendered(&metrics);
        for line in [
            "wanshan_claims_total{outcome=\"claimed\"} 1",
            "wanshan_claims_total{outcome=\"already_claimed\"} 2",
            "wanshan_claims_total{outcome=\"refused\"} 1",
            "wanshan_claims_total{outcome=\"failed\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        let mut text = Text::default();
        text.sample("m", &[("a", "x\"y\\z\nw")], 1);
        assert_eq!(text.finish(), "m{a=\"x\\\"y\\\\z\\nw\"} 1\n");
    }
}
