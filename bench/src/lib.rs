//! The benchmark harness: live fan-out, claim throughput, client size and board page speed,
//! each beside a floor (the same work done by the simplest thing that could do it).
//! `./run.sh bench` runs it and writes BENCHMARKS.md. Nothing here is a timed test.

pub mod api;
pub mod board;
pub mod claims;
pub mod desk;
pub mod fanout;
pub mod lighthouse;
pub mod report;
pub mod server;
pub mod signin;
pub mod size;

use std::time::Duration;

/// Percentiles of a set of durations, in microseconds.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread {
    pub count: usize,
    pub p50_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
}

impl Spread {
    pub fn of(mut samples: Vec<Duration>) -> Spread {
        if samples.is_empty() {
            return Spread::default();
        }
        samples.sort();
        let at = |q: f64| {
            let index = ((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[index].as_micros() as u64
        };
        Spread {
            count: samples.len(),
            p50_us: at(0.50),
            p99_us: at(0.99),
            max_us: samples[samples.len() - 1].as_micros() as u64,
        }
    }
}

/// Raises this process's open-file limit to its hard limit (children inherit it).
pub fn raise_open_file_limit() -> u64 {
    let (_, hard) = rlimit::Resource::NOFILE.get().unwrap_or((1024, 1024));
    let _ = rlimit::Resource::NOFILE.set(hard, hard);
    rlimit::Resource::NOFILE
        .get()
        .map(|(soft, _)| soft)
        .unwrap_or(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_nearest_rank() {
        let samples = (1..=100).map(Duration::from_micros).collect();
        let spread = Spread::of(samples);
        assert_eq!((spread.p50_us, spread.p99_us, spread.max_us), (50, 99, 100));
        assert_eq!(Spread::of(vec![Duration::from_micros(7)]).p99_us, 7);
    }
}
