//! Aid a household received, here or from other agencies, and the duplicate-aid warning.

use crate::domain::{Fen, NeedId, NeedStatus, UtcMillis, Window};
use serde::{Deserialize, Serialize};

/// Where a record of aid comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum AidSource {
    /// A need of this household claimed or fulfilled through Wanshan.
    Here { need_id: NeedId, status: NeedStatus },
    /// A record imported from another agency.
    Agency { agency: String },
}

/// One record of aid a household received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidEntry {
    pub source: AidSource,
    pub window: Window,
    pub cause: String,
    pub at: UtcMillis,
    pub amount: Option<Fen>,
}

/// A household's aid history and the part of it that warns a reviewer: aid in the same window
/// as the need within the configured period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AidHistory {
    pub entries: Vec<AidEntry>,
    /// Indexes into `entries` of the records that make a duplicate-aid warning.
    pub warnings: Vec<usize>,
    pub period_months: u32,
}

impl AidHistory {
    /// Splits `entries` (newest first) into history and warnings for a need in `window`
    /// reviewed at `now`.
    pub fn for_need(
        mut entries: Vec<AidEntry>,
        window: Window,
        now: UtcMillis,
        period_months: u32,
        exclude: Option<NeedId>,
    ) -> AidHistory {
        entries.retain(|entry| {
            !matches!(entry.source, AidSource::Here { need_id, .. } if Some(need_id) == exclude)
        });
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.at));
        let since = now.months_before(period_months);
        let warnings = entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.window == window && entry.at >= since)
            .map(|(index, _)| index)
            .collect();
        AidHistory {
            entries,
            warnings,
            period_months,
        }
    }
}

/// What a successful import did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub imported: usize,
    /// How many imported rows match a household registered here.
    pub matched_households: usize,
}
