//! Password hashing with argon2id, bounded: each hash takes about 19 MiB and tens of
//! milliseconds of a core, so at most a fixed number run at once (about the cores); the rest
//! wait a short while in turn, then are told to come back (`Busy`, 503 with Retry-After) rather
//! than pile up. 500 sign-ins at once cost a queue, not gigabytes.

use crate::error::AppError;
use crate::people::Password;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The hashing gate of one server instance, in context.
#[derive(Clone, Debug)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    at_once: usize,
    wait: Duration,
    /// Callers waiting for a turn now, and callers told `Busy` so far (for `/metrics`).
    waiting: Arc<AtomicUsize>,
    busy: Arc<AtomicU64>,
    /// A hash of a random password, made once, to check against when a phone is unknown, so
    /// an unknown phone costs the same as a wrong password.
    decoy: Arc<tokio::sync::OnceCell<String>>,
}

impl Passwords {
    /// `at_once` hashes at a time (at least one); a caller waits at most `wait` for its turn.
    pub fn new(at_once: usize, wait: Duration) -> Passwords {
        let at_once = at_once.max(1);
        Passwords {
            permits: Arc::new(Semaphore::new(at_once)),
            at_once,
            wait,
            waiting: Arc::default(),
            busy: Arc::default(),
            decoy: Arc::default(),
        }
    }

    /// As many at once as the machine has cores, each caller waiting at most two seconds.
    pub fn for_this_machine() -> Passwords {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Passwords::new(cores, Duration::from_secs(2))
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, AppError> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        // Counted out however the wait ends, a dropped request included.
        let _waited = Waited(&self.waiting);
        match tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::internal("the hashing gate closed", closed)),
            Err(_) => {
                self.busy.fetch_add(1, Ordering::Relaxed);
                Err(AppError::Busy)
            }
        }
    }

    /// How loaded the gate is right now.
    pub fn load(&self) -> HashingLoad {
        HashingLoad {
            turns: self.at_once,
            running: self.at_once - self.permits.available_permits(),
            waiting: self.waiting.load(Ordering::Relaxed),
            refused_busy: self.busy.load(Ordering::Relaxed),
        }
    }

    /// Takes every turn, so that any hash asked for meanwhile is refused (`Busy`): for tests
    /// of what an overloaded server answers.
    pub async fn hold_all(&self) -> OwnedSemaphorePermit {
        Arc::clone(&self.permits)
            .acquire_many_owned(self.at_once as u32)
            .await
            .expect("the hashing gate is open")
    }

    /// The argon2id hash of a new password (its parameters and salt stored with it).
    pub async fn hash(&self, password: &Password) -> Result<String, AppError> {
        let permit = self.turn().await?;
        let password = password.expose().to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
        })
        .await
        .map_err(|e| AppError::internal("password hashing task", e))?
        .map_err(|e| AppError::internal("hashing a password", e))
    }

    /// Whether `password` is the one `stored` was made from; with no stored hash (an unknown
    /// account) it checks against the decoy all the same and answers false.
    pub async fn matches(&self, password: &str, stored: Option<String>) -> Result<bool, AppError> {
        let (stored, known) = match stored {
            Some(stored) => (stored, true),
            None => {
                let decoy = self
                    .decoy
                    .get_or_try_init(|| async {
                        self.hash(&Password::parse("decoy-password-never-used")?)
                            .await
                    })
                    .await?;
                (decoy.clone(), false)
            }
        };
        let permit = self.turn().await?;
        let password = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let parsed = PasswordHash::new(&stored)
                .map_err(|e| AppError::corrupt("password hash", e.to_string()))?;
            Ok::<_, AppError>(
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok(),
            )
        })
        .await
        .map_err(|e| AppError::internal("password check task", e))??;
        Ok(known && matched)
    }
}

/// The hashing gate's load, for `/metrics`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashingLoad {
    /// Hashes that may run at once.
    pub turns: usize,
    /// Turns taken now (hashes running).
    pub running: usize,
    /// Callers waiting for a turn.
    pub waiting: usize,
    /// Callers told `Busy` since the start.
    pub refused_busy: u64,
}

struct Waited<'a>(&'a AtomicUsize);

impl Drop for Waited<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_own_hash_only() {
        let passwords = Passwords::new(1, Duration::from_secs(5));
        let hash = passwords
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(passwords
            .matches("correct horse", Some(hash.clone()))
            .await
            .unwrap());
        assert!(!passwords.matches("wrong horse!", Some(hash)).await.unwrap());
        // No account: false, after the same work.
        assert!(!passwords.matches("correct horse", None).await.unwrap());
    }

    #[tokio::test]
    async fn when_every_turn_is_taken_a_caller_is_told_to_come_back() {
        let passwords = Passwords::new(2, Duration::from_millis(10));
        let held = passwords.hold_all().await;
        let refused = passwords
            .hash(&Password::parse("correct horse").unwrap())
            .await;
        assert_eq!(refused, Err(AppError::Busy));
        drop(held);
        assert!(passwords
            .hash(&Password::parse("correct horse").unwrap())
            .await
            .is_ok());
        assert_eq!(passwords.load().refused_busy, 1);
    }

    #[tokio::test]
    async fn the_load_says_how_many_hash_and_how_many_wait() {
        let passwords = Passwords::new(1, Duration::from_secs(30));
        let idle = passwords.load();
        assert_eq!((idle.turns, idle.running, idle.waiting), (1, 0, 0));
        let held = passwords.hold_all().await;
        let waiter = {
            let passwords = passwords.clone();
            tokio::spawn(async move {
                passwords
                    .hash(&Password::parse("correct horse").unwrap())
                    .await
            })
        };
        // Bounded: the waiter takes its place in the queue as soon as it runs.
        tokio::time::timeout(Duration::from_secs(10), async {
            while passwords.load().waiting == 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the second caller was waiting for a turn within 10 s");
        assert_eq!(passwords.load().running, 1);
        drop(held);
        assert!(waiter.await.unwrap().is_ok());
        let done = passwords.load();
        assert_eq!((done.running, done.waiting, done.refused_busy), (0, 0, 0));
    }
}
