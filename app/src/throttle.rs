//! Slows down password guessing: after a few wrong passwords for one phone, sign-in for that
//! phone is refused for a while. Kept in memory per instance (several instances each allow the
//! limit; the README says so).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct SignInThrottle {
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
    limit: u32,
    window: Duration,
}

impl SignInThrottle {
    /// Five wrong passwords in ten minutes lock that phone's sign-in for the rest of them.
    pub fn new() -> SignInThrottle {
        SignInThrottle::with(5, Duration::from_secs(600))
    }

    pub fn with(limit: u32, window: Duration) -> SignInThrottle {
        SignInThrottle {
            failures: Arc::default(),
            limit,
            window,
        }
    }

    /// Whether `phone` may try a password at `now`.
    pub fn allows(&self, phone: &str, now: Instant) -> bool {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match failures.get(phone) {
            Some((count, since)) => {
                *count < self.limit || now.duration_since(*since) >= self.window
            }
            None => true,
        }
    }

    /// Counts a wrong password (a new window starts once the last one is over).
    pub fn failed(&self, phone: &str, now: Instant) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (_, since)| now.duration_since(*since) < window);
        }
        let entry = failures.entry(phone.to_owned()).or_insert((0, now));
        if now.duration_since(entry.1) >= self.window {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    /// A right password clears the count.
    pub fn succeeded(&self, phone: &str) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(phone);
    }
}

impl Default for SignInThrottle {
    fn default() -> Self {
        SignInThrottle::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_wrong_passwords_lock_that_phone_until_the_window_is_over() {
        let throttle = SignInThrottle::with(5, Duration::from_secs(600));
        let start = Instant::now();
        for _ in 0..5 {
            assert!(throttle.allows("13800000000", start));
            throttle.failed("13800000000", start);
        }
        assert!(!throttle.allows("13800000000", start + Duration::from_secs(599)));
        assert!(
            throttle.allows("13900000000", start),
            "another phone is not locked"
        );
        assert!(throttle.allows("13800000000", start + Duration::from_secs(600)));
        // A failure after the window starts a new count.
        throttle.failed("13800000000", start + Duration::from_secs(601));
        assert!(throttle.allows("13800000000", start + Duration::from_secs(602)));
        throttle.succeeded("13800000000");
        assert!(throttle.allows("13800000000", start + Duration::from_secs(602)));
    }
}
