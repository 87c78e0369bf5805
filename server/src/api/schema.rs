//! What the exchange API takes and answers, described once: serde reads and writes these types
//! and utoipa turns the same types (and the handlers' `#[utoipa::path]`) into the OpenAPI 3.1
//! document served at `/api/v1/openapi.json`.

use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// A help window (帮扶窗口): 助医 medical, 助学 education, 助残 disability, 家居微改善 home,
/// 助保险 insurance, 服务与文化 services.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WindowCode {
    Medical,
    Education,
    Disability,
    Home,
    Insurance,
    Services,
}

/// 救前查询: ask, before helping, how often a person's household was helped lately.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AidQuery {
    /// The person's resident identity card number (18 characters, the last may be X). It is
    /// turned into the keyed hash households are matched by and never stored or logged.
    #[schema(example = "32118119900307002X")]
    pub id_number: String,
    /// One window to count; every window when absent.
    #[schema(value_type = Option<WindowCode>)]
    pub window: Option<String>,
    /// The period, in calendar months back from today (1–120); the city's duplicate-aid period
    /// (12 months by default) when absent.
    #[schema(minimum = 1, maximum = 120, example = 12)]
    pub months: Option<u32>,
}

/// Counts of aid by window over the period asked: never which agency, never any detail, never
/// whether the household is registered here (a window without aid is 0 either way).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AidCounts {
    /// The first day counted, Asia/Shanghai (`YYYY-MM-DD`).
    #[schema(example = "2025-11-29")]
    pub since: String,
    /// The period in months.
    pub months: u32,
    /// One entry per window asked.
    pub windows: Vec<WindowCount>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WindowCount {
    #[schema(value_type = WindowCode)]
    pub window: String,
    /// The window's name on this platform, e.g. 助医.
    pub label: String,
    /// Needs of the household helped through this platform (claimed or fulfilled).
    pub platform: i64,
    /// Aid recorded by other agencies, imports, government programmes and services.
    pub other_agencies: i64,
    /// Aid your own agency recorded.
    pub yours: i64,
}

/// 救后录入: one record of aid your agency gave.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AidRecordInput {
    /// Your own identifier for this record (1–64 of `A–Z a–z 0–9 - _ . :`): sending the same
    /// key again with the same record is answered as the first time and stores nothing; the
    /// same key with a different record is refused (`KeyReused`).
    #[schema(example = "mz-2026-000123")]
    pub key: String,
    /// The aided person's resident identity card number; hashed at once, never stored.
    #[schema(example = "32118119900307002X")]
    pub id_number: String,
    #[schema(value_type = WindowCode)]
    pub window: String,
    /// What the aid was for (at most 100 characters), e.g. 住院自付费用.
    #[schema(example = "住院自付费用")] // i18n-allow: an example of the data an agency sends
    pub cause: String,
    /// The day the aid was given, Asia/Shanghai (`YYYY-MM-DD`, not in the future).
    #[schema(example = "2026-11-20")]
    pub date: String,
    /// The amount in fen (1 yuan = 100 fen), 0 to 50,000,000; absent for aid in kind.
    #[schema(minimum = 0, maximum = 50_000_000, example = 200_000)]
    pub amount_fen: Option<i64>,
}

/// A stored record (201), or the one a repeated call had stored (200).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AidRecordReceipt {
    pub key: String,
    /// `false` when this key had already recorded exactly this.
    pub created: bool,
}

/// A bulk upload's outcome: every row stored, or none.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkReceipt {
    /// Rows stored now.
    pub created: usize,
    /// Rows whose key had already recorded exactly that row.
    pub unchanged: usize,
}

/// Who the key belongs to and what it may do.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AgencyInfo {
    pub agency: String,
    /// The key's public start, `wsk_<prefix>_…`.
    pub key_prefix: String,
    /// `query` (救前查询) and/or `record` (救后录入).
    pub scopes: Vec<String>,
}

/// Every error: a stable `code` to match on, a message for people (Chinese), and for
/// `Invalid` the field at fault (`csv` for a bulk upload, listing its lines).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ApiError {
    #[schema(example = "Invalid")]
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "agency_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("wsk_<prefix>_<secret>")
                    .description(Some(
                        "An agency's API key, issued by an admin on /admin/agencies and shown once.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "万善 Wanshan · 机构数据交换接口 (agency exchange API)", // i18n-allow: OpenAPI title, the brand and the API's name in both languages
        version = "1",
        description = "Partner agencies (civil affairs, the disabled persons' federation, charities) ask before they help a family how often its household was helped lately (救前查询), and record the aid they gave (救后录入), so that no family is helped three times for one cause while another gets nothing.\n\nEvery call carries `Authorization: Bearer <key>`. A key is scoped to `query` and/or `record` and limited to its calls per minute (429 `RateLimited` with `Retry-After` beyond); an agency, over all its keys, to 2,000 answered queries and 20,000 stored records in 24 hours (429 with `Retry-After: 3600`). Every call made with a key is in an audit log the city's admins and officials read. Answers are JSON; errors are `{code, message, field?}`.\n\nPrivacy: an ID number is hashed with the city's secret the moment it arrives and never stored, logged or returned. A query's answer is counts by window only: never which agency, never any detail, never whether the household is registered here." // i18n-allow: OpenAPI for agencies' developers: English, with the Chinese names of the operations
    ),
    paths(
        super::query_aid,
        super::record_aid,
        super::record_aid_csv,
        super::who_am_i,
    ),
    components(schemas(
        WindowCode,
        AidQuery,
        AidCounts,
        WindowCount,
        AidRecordInput,
        AidRecordReceipt,
        BulkReceipt,
        AgencyInfo,
        ApiError
    )),
    modifiers(&BearerKey),
    security(("agency_key" = [])),
    tags((name = "aid", description = "Ask before helping (救前查询) and record after helping (救后录入)")) // i18n-allow: OpenAPI: English, with the Chinese names of the operations
)]
pub struct ApiDoc;
