//! Rules the server is configured with, handed to server functions through context.

use crate::credit::PointRules;
use crate::domain::ClaimTerms;
use crate::private::IdKey;
use leptos_i18n::td_string;
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
    /// The towns (镇、街道) households, volunteers and reviewers belong to: chosen from this
    /// list, never typed, so a household cannot be stranded by a typo.
    pub towns: Vec<String>,
    /// The villages (村、社区) of the towns that list them: a household of such a town is in
    /// one of these. A town not here takes its village as typed.
    pub villages: std::collections::HashMap<String, Vec<String>>,
    /// Whether public cards show the village below the town (the city's public locality is
    /// `village`; otherwise the town only).
    pub show_village: bool,
    /// The city's name, brand and windows, as pages show them.
    pub city: crate::city::City,
    /// The site's public address for share cards, QR codes and posters; `None`: each
    /// request's own (its Host header).
    pub public_url: Option<crate::share::PublicUrl>,
    /// How notices leave the app beyond the inbox (none: inbox only).
    pub notice_sender: crate::domain::SenderKind,
    /// How long each stage may take before the desk lists a need as overdue.
    pub overdue_limits: crate::private::OverdueLimits,
    /// The government programmes a reviewer may refer a need to.
    pub referral_programmes: Vec<String>,
}

/// The programmes needs are referred to by default.
pub const DEFAULT_PROGRAMMES: [&str; 4] = ["医疗救助", "临时救助", "教育资助", "残疾人帮扶"]; // i18n-allow: configured programme names

/// Danyang's towns and streets (the default list).
pub const DANYANG_TOWNS: [&str; 13] = [
    "云阳街道", // i18n-allow: a town's name (data)
    "曲阿街道", // i18n-allow: a town's name (data)
    "开发区",   // i18n-allow: a town's name (data)
    "司徒镇",   // i18n-allow: a town's name (data)
    "延陵镇",   // i18n-allow: a town's name (data)
    "珥陵镇",   // i18n-allow: a town's name (data)
    "导墅镇",   // i18n-allow: a town's name (data)
    "皇塘镇",   // i18n-allow: a town's name (data)
    "吕城镇",   // i18n-allow: a town's name (data)
    "陵口镇",   // i18n-allow: a town's name (data)
    "访仙镇",   // i18n-allow: a town's name (data)
    "界牌镇",   // i18n-allow: a town's name (data)
    "丹北镇",   // i18n-allow: a town's name (data)
];

impl Settings {
    /// `Invalid` on `village` when `town` lists its villages and `village` is not one of them.
    pub fn check_village(&self, town: &str, village: &str) -> Result<(), crate::error::AppError> {
        match self.villages.get(town) {
            Some(listed) if !listed.iter().any(|known| known == village) => {
                Err(crate::error::AppError::invalid(
                    "village",
                    td_string!(
                        crate::lang::locale(),
                        errors.settings.unknown_village,
                        village = village,
                        town = town
                    )
                    .to_string(),
                ))
            }
            _ => Ok(()),
        }
    }

    /// `Invalid` (on `field`) unless `town` is one of the configured towns.
    pub fn check_town(&self, field: &str, town: &str) -> Result<(), crate::error::AppError> {
        if self.towns.iter().any(|known| known == town) {
            Ok(())
        } else {
            Err(crate::error::AppError::invalid(
                field,
                td_string!(
                    crate::lang::locale(),
                    errors.settings.unknown_town,
                    town = town
                )
                .to_string(),
            ))
        }
    }
}
