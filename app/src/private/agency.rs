//! Partner agencies and their API keys, as the admins' and officials' pages show them (never
//! a key's secret). The checks of what an agency sends are in `agency_aid` (server only).

use crate::domain::{UtcMillis, Window};
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AgencyId(pub i64);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ApiKeyId(pub i64);

/// What a key may do: ask before helping (救前查询), record after helping (救后录入), or both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scopes {
    pub query: bool,
    pub record: bool,
}

impl Scopes {
    pub fn label(self) -> &'static str {
        let locale = crate::lang::locale();
        match (self.query, self.record) {
            (true, true) => td_string!(locale, agencies.scopes.both),
            (true, false) => td_string!(locale, agencies.scopes.query),
            (false, true) => td_string!(locale, agencies.scopes.record),
            (false, false) => td_string!(locale, agencies.scopes.none),
        }
    }
}

/// An agency as the admins' page lists it, with its keys (never their secrets).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyView {
    pub id: AgencyId,
    pub name: String,
    pub created_at: UtcMillis,
    pub keys: Vec<ApiKeyView>,
    /// Calls in the last 30 days.
    pub calls_30_days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    /// The public start of the token (`wsk_1a2b3c4d5e6f_…`), to tell keys apart.
    pub prefix: String,
    pub label: String,
    pub scopes: Scopes,
    pub per_minute: u32,
    pub created_at: UtcMillis,
    pub revoked_at: Option<UtcMillis>,
    pub last_used_at: Option<UtcMillis>,
}

/// One line of the API's audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallView {
    pub at: UtcMillis,
    pub agency: String,
    pub key_prefix: String,
    pub operation: String,
    pub status: u16,
    pub window: Option<Window>,
    pub rows: i64,
}

/// The audit log as the page shows it: the latest calls and the count in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiLog {
    pub calls: Vec<ApiCallView>,
    pub total: i64,
    pub agencies: Vec<(AgencyId, String)>,
}
