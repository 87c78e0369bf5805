//! Slows down password guessing: at most [`SignInThrottle::LIMIT`] wrong passwords for one
//! phone in a window; then that phone's sign-in is refused until the window is over. Each try
//! takes its place in the count *before* the password is checked, under one lock, so parallel
//! guesses cannot all slip through while the first ones are still being hashed; a right
//! password gives the place back and clears the count. Keys are valid phone numbers only (an
//! invalid one is refused before any work), and the table is bounded: past
//! [`SignInThrottle::MAX_PHONES`] phones the ones whose window is over are dropped, then the
//! oldest. Kept in memory per instance (several instances each allow the limit; the README
//! says so).

use crate::domain::Phone;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct SignInThrottle {
    tries: Arc<Mutex<HashMap<String, Tries>>>,
    limit: u32,
    window: Duration,
}

/// One phone's wrong (or still unchecked) tries since `since`.
#[derive(Clone, Copy, Debug)]
struct Tries {
    count: u32,
    since: Instant,
}

/// A try that has its place in the count: tell the throttle how it went.
#[must_use]
pub struct Try<'a> {
    throttle: &'a SignInThrottle,
    phone: String,
}

impl Try<'_> {
    /// The password was right: the phone's count is cleared.
    pub fn succeeded(self) {
        self.throttle.lock().remove(&self.phone);
    }

    /// The password was wrong: the try stays counted.
    pub fn failed(self) {}

    /// The password could not be checked (the server was busy): the place is given back.
    pub fn unchecked(self) {
        if let Some(tries) = self.throttle.lock().get_mut(&self.phone) {
            tries.count = tries.count.saturating_sub(1);
        }
    }
}

impl SignInThrottle {
    pub const LIMIT: u32 = 5;
    pub const WINDOW: Duration = Duration::from_secs(600);
    pub const MAX_PHONES: usize = 100_000;

    /// Five wrong passwords in ten minutes lock that phone's sign-in for the rest of them.
    pub fn new() -> SignInThrottle {
        SignInThrottle::with(Self::LIMIT, Self::WINDOW)
    }

    pub fn with(limit: u32, window: Duration) -> SignInThrottle {
        SignInThrottle {
            tries: Arc::default(),
            limit,
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Tries>> {
        self.tries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes a place for a try with `phone` at `now`, or `None` if its places are used up.
    pub fn begin(&self, phone: &Phone, now: Instant) -> Option<Try<'_>> {
        let mut tries = self.lock();
        if tries.len() >= Self::MAX_PHONES && !tries.contains_key(phone.as_str()) {
            let window = self.window;
            tries.retain(|_, t| now.duration_since(t.since) < window);
            if tries.len() >= Self::MAX_PHONES {
                // Still full of live counts: make room by the oldest.
                if let Some(oldest) = tries
                    .iter()
                    .min_by_key(|(_, t)| t.since)
                    .map(|(k, _)| k.clone())
                {
                    tries.remove(&oldest);
                }
            }
        }
        let entry = tries.entry(phone.as_str().to_owned()).or_insert(Tries {
            count: 0,
            since: now,
        });
        if now.duration_since(entry.since) >= self.window {
            *entry = Tries {
                count: 0,
                since: now,
            };
        }
        if entry.count >= self.limit {
            return None;
        }
        entry.count += 1;
        Some(Try {
            throttle: self,
            phone: phone.as_str().to_owned(),
        })
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

    fn phone(text: &str) -> Phone {
        Phone::parse(text).unwrap()
    }

    #[test]
    fn five_wrong_passwords_lock_that_phone_until_the_window_is_over() {
        let throttle = SignInThrottle::with(5, Duration::from_secs(600));
        let (owner, other) = (phone("13800000000"), phone("13900000000"));
        let start = Instant::now();
        for _ in 0..5 {
            throttle.begin(&owner, start).expect("a place").failed();
        }
        assert!(throttle
            .begin(&owner, start + Duration::from_secs(599))
            .is_none());
        assert!(
            throttle.begin(&other, start).is_some(),
            "another phone is not locked"
        );
        // After the window, a new count.
        let late = start + Duration::from_secs(600);
        throttle
            .begin(&owner, late)
            .expect("a place again")
            .failed();
        throttle.begin(&owner, late).expect("a place").succeeded();
        for _ in 0..5 {
            throttle
                .begin(&owner, late)
                .expect("cleared by success")
                .failed();
        }
    }

    #[test]
    fn parallel_guesses_get_at_most_the_limit_of_places() {
        let throttle = SignInThrottle::with(5, Duration::from_secs(600));
        let owner = phone("13800000000");
        let now = Instant::now();
        // Forty guesses arrive before any has been checked: five get a place.
        let places: Vec<_> = (0..40)
            .filter_map(|_| throttle.begin(&owner, now))
            .collect();
        assert_eq!(places.len(), 5);
    }

    #[test]
    fn the_table_is_bounded() {
        let throttle = SignInThrottle::with(5, Duration::from_secs(600));
        let now = Instant::now();
        for n in 0..(SignInThrottle::MAX_PHONES + 10) {
            let phone = phone(&format!("138{:08}", n));
            throttle.begin(&phone, now).expect("a place").failed();
        }
        assert!(throttle.lock().len() <= SignInThrottle::MAX_PHONES);
    }
}
