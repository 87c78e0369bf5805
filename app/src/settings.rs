//! Rules the server is configured with, handed to server functions through context.

use crate::private::IdKey;

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
}

impl Settings {
    /// Settings for tests and tools: a fixed key, the default period.
    pub fn for_tests() -> Settings {
        Settings {
            id_key: IdKey(b"wanshan-test-key".to_vec()),
            aid_period_months: 12,
            session_days: 30,
            secure_cookies: false,
        }
    }
}
