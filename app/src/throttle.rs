//! Slows down password guessing, without letting a stranger lock an owner out. Three counts of
//! wrong (or still unchecked) tries, each in a ten-minute window:
//! - one phone from one client address: 5, then that pair is refused for the rest of the
//!   window (a guesser at one address never locks the owner at another);
//! - one client address over all phones: 20 (one machine spraying many phones);
//! - one phone over all addresses: 30 (guessing spread over many addresses; only then is the
//!   owner refused too, until the window ends).
//!
//! Each try takes its place in all three counts *before* the password is checked, by one
//! atomic statement per count, so parallel guesses cannot all slip through while the first
//! ones are still being hashed; a refused try takes its places back, so a locked guesser cannot
//! push the other counts up. A right password clears its pair and gives back the others.
//! The counts live in the database, so every instance shares them; the sweep drops windows
//! that are over, so the table holds only the keys tried in the last window.

use crate::db::{sign_in_tries, Db};
use crate::domain::{Phone, UtcMillis};
use crate::error::AppError;
use std::net::IpAddr;

/// How many wrong tries each count admits in its window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryLimits {
    pub per_phone_and_address: i64,
    pub per_address: i64,
    pub per_phone: i64,
    pub window_ms: i64,
}

impl TryLimits {
    pub const DEFAULT: TryLimits = TryLimits {
        per_phone_and_address: 5,
        per_address: 20,
        per_phone: 30,
        window_ms: 600_000,
    };
}

#[derive(Clone, Debug)]
pub struct SignInThrottle {
    db: Db,
    limits: TryLimits,
}

/// A try that has its places in the counts: tell the throttle how it went.
#[must_use]
pub struct Try<'a> {
    throttle: &'a SignInThrottle,
    /// The pair, the address and the phone keys, in that order.
    keys: [String; 3],
}

impl Try<'_> {
    /// The password was right: the pair's count is cleared and the other places given back.
    pub async fn succeeded(self) -> Result<(), AppError> {
        let db = &self.throttle.db;
        let [pair, address, phone] = &self.keys;
        sign_in_tries::clear(db, pair).await?;
        sign_in_tries::uncount_try(db, address).await?;
        sign_in_tries::uncount_try(db, phone).await
    }

    /// The password was wrong: the try stays counted.
    pub fn failed(self) {}

    /// The password could not be checked (the server was busy): every place is given back.
    pub async fn unchecked(self) -> Result<(), AppError> {
        for key in &self.keys {
            sign_in_tries::uncount_try(&self.throttle.db, key).await?;
        }
        Ok(())
    }
}

impl SignInThrottle {
    pub fn new(db: Db, limits: TryLimits) -> SignInThrottle {
        SignInThrottle { db, limits }
    }

    /// The keys a try is counted under: the pair, the address, the phone. A call that did not
    /// come through the server's address layer counts under one shared "unknown" address.
    pub fn keys(phone: &Phone, address: Option<IpAddr>) -> [String; 3] {
        let address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        [
            format!("pa:{}/{address}", phone.as_str()),
            format!("a:{address}"),
            format!("p:{}", phone.as_str()),
        ]
    }

    /// Takes places for a try with `phone` from `address` at `now`, or `None` if any count is
    /// used up (then nothing stays counted).
    pub async fn begin(
        &self,
        phone: &Phone,
        address: Option<IpAddr>,
        now: UtcMillis,
    ) -> Result<Option<Try<'_>>, AppError> {
        let keys = Self::keys(phone, address);
        let TryLimits {
            per_phone_and_address,
            per_address,
            per_phone,
            window_ms,
        } = self.limits;
        for (taken, limit) in [per_phone_and_address, per_address, per_phone]
            .into_iter()
            .enumerate()
        {
            let count = sign_in_tries::count_try(&self.db, &keys[taken], now, window_ms).await?;
            if count > limit {
                for key in &keys[..=taken] {
                    sign_in_tries::uncount_try(&self.db, key).await?;
                }
                return Ok(None);
            }
        }
        Ok(Some(Try {
            throttle: self,
            keys,
        }))
    }

    /// Takes a place for one try of a family code from `address`, or `None` when that address
    /// has had [`CODE_TRIES_PER_ADDRESS`] wrong codes in the window (then nothing stays
    /// counted). Each code also locks itself after five wrong secrets
    /// ([`crate::db::thanks::WRONG_TRIES`]); this count stops one address walking through
    /// many codes.
    pub async fn begin_code_try(
        &self,
        address: Option<IpAddr>,
        now: UtcMillis,
    ) -> Result<Option<CodeTry<'_>>, AppError> {
        let address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        let key = format!("fc:{address}");
        let count = sign_in_tries::count_try(&self.db, &key, now, self.limits.window_ms).await?;
        if count > CODE_TRIES_PER_ADDRESS {
            sign_in_tries::uncount_try(&self.db, &key).await?;
            return Ok(None);
        }
        Ok(Some(CodeTry {
            throttle: self,
            key,
        }))
    }

    /// Drops the counts whose window is over at `now`.
    pub async fn prune(&self, now: UtcMillis) -> Result<u64, AppError> {
        sign_in_tries::prune(&self.db, UtcMillis(now.0 - self.limits.window_ms)).await
    }
}

/// Wrong family codes one client address may try in a window.
pub const CODE_TRIES_PER_ADDRESS: i64 = 20;

/// A family-code try that has its place in the address's count.
#[must_use]
pub struct CodeTry<'a> {
    throttle: &'a SignInThrottle,
    key: String,
}

impl CodeTry<'_> {
    /// The code was right (or the try was refused for another reason than the code): its
    /// place is given back.
    pub async fn not_wrong(self) -> Result<(), AppError> {
        sign_in_tries::uncount_try(&self.throttle.db, &self.key).await
    }

    /// The code was wrong: the try stays counted.
    pub fn wrong(self) {}
}
