//! Rules the server is configured with, handed to server functions through context.

use crate::credit::PointRules;
use crate::domain::ClaimTerms;
use crate::private::IdKey;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Settings {
    /// The secret that turns ID numbers into matchable keys.
    pub id_key: IdKey,
    /// Aid in the same window within this many months warns reviewers (default 12).
    pub aid_period_months: u32,
    /// How long a sign-in lasts.
    pub session_days: u32,
    /// Mark the session cookie Secure even without a proxy saying the site is on TLS.
    pub secure_cookies: bool,
    /// How long a claim may stay undelivered and how many a donor may hold.
    pub claim_terms: ClaimTerms,
    /// Points per reason in the credit ledger.
    pub points: PointRules,
    /// Where delivery photos are kept (`<data dir>/photos`).
    pub data_dir: PathBuf,
}

impl Settings {
    /// Settings for tests and tools: a fixed key, the default period.
    pub fn for_tests() -> Settings {
        Settings {
            id_key: IdKey(b"wanshan-test-key".to_vec()),
            aid_period_months: 12,
            session_days: 30,
            secure_cookies: false,
            claim_terms: ClaimTerms::DEFAULT,
            points: PointRules::DEFAULT,
            data_dir: std::env::temp_dir().join("wanshan-test-data"),
        }
    }
}
