//! The agency exchange API, `/api/v1`: partner agencies ask before helping (救前查询) and
//! record after helping (救后录入) with an API key an admin issued. Plain axum handlers
//! described by an OpenAPI 3.1 document generated from these handlers and their types
//! ([`schema::ApiDoc`]), served with a readable page that loads nothing from outside.
//!
//! Every call: the key is checked and counted against its minute (one read, one conditional
//! UPDATE of the key's row: exact across instances), its scope checked, the work done, and one
//! line written to the audit log (a key over its limit is logged once a minute).

pub mod docs;
pub mod keys;
pub mod schema;

use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum::{Json, Router};
use leptos::prelude::{provide_context, Owner, ScopedFuture};
use schema::{
    AgencyInfo, AidCounts, AidQuery, AidRecordInput, AidRecordReceipt, ApiError, BulkReceipt,
    WindowCount,
};
use wanshan_app::db::agencies::{self, Admission, ApiClient, CallLine};
use wanshan_app::domain::{UtcMillis, Window};
use wanshan_app::error::AppError;
use wanshan_app::functions::ClientAddr;
use wanshan_app::private::{parse_agency_csv, AgencyAid, AgencyAidInput, IdNumber};

/// The bulk upload's path: the one API route with a larger body (1 MiB, 5,000 rows).
pub const CSV_PATH: &str = "/api/v1/aid/records.csv";
pub const MAX_CSV_BYTES: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/aid/query", post(query_aid))
        .route("/api/v1/aid/records", post(record_aid))
        .route(CSV_PATH, post(record_aid_csv))
        .route("/api/v1/agency", get(who_am_i))
        .route("/api/v1/openapi.json", get(docs::openapi_json))
        .route("/api/v1/docs", get(docs::docs_page))
        .route("/api/v1/docs.css", get(docs::docs_css))
}

/// The operations that store records (counted together against an agency's day).
const RECORDING: [&str; 2] = ["record", "record_csv"];

/// Bulk uploads run one at a time in an instance.
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// What a call needs its key to allow.
#[derive(Clone, Copy)]
enum Scope {
    Query,
    Record,
    Any,
}

/// What a handler's work returns besides its answer: the window it concerned and how many
/// records it counted or stored, for the audit log.
struct Done {
    response: Response,
    window: Option<Window>,
    rows: i64,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn unauthorized() -> Response {
    let mut response = AppError::Unauthorized.into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"wanshan\""),
    );
    response
}

/// Runs `work` with `locale` as the language of the messages it makes (what
/// `wanshan_app::lang::locale()` answers inside it).
pub(crate) fn in_language<F: std::future::Future>(
    locale: wanshan_app::lang::Locale,
    work: F,
) -> ScopedFuture<F> {
    Owner::new().with(|| {
        provide_context(locale);
        ScopedFuture::new(work)
    })
}

/// Runs one call: key, limit, scope, the work, the audit line; its messages in the caller's
/// language (`Accept-Language`; Chinese when it asks for neither of ours).
async fn call<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<Extension<ClientAddr>>,
    operation: &'static str,
    scope: Scope,
    work: F,
) -> Response
where
    F: FnOnce(ApiClient) -> Fut,
    Fut: std::future::Future<Output = Result<Done, (AppError, Option<Window>)>>,
{
    let locale = wanshan_app::lang::from_headers(headers);
    in_language(
        locale,
        call_in_language(state, headers, address, operation, scope, work),
    )
    .await
}

/// [`call`], in the language already chosen.
async fn call_in_language<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    address: Option<Extension<ClientAddr>>,
    operation: &'static str,
    scope: Scope,
    work: F,
) -> Response
where
    F: FnOnce(ApiClient) -> Fut,
    Fut: std::future::Future<Output = Result<Done, (AppError, Option<Window>)>>,
{
    let now = UtcMillis::now();
    let address = address.map(|Extension(ClientAddr(ip))| ip);
    let Some(token) = bearer(headers) else {
        return unauthorized();
    };
    let client = match agencies::admit(&state.db, token, now).await {
        Err(error) => return error.into_response(),
        Ok(Admission::Refused) => return unauthorized(),
        Ok(Admission::Limited {
            client,
            retry_after_s,
            first,
        }) => {
            if first {
                let line = CallLine {
                    operation,
                    status: 429,
                    window: None,
                    rows: 0,
                    address,
                };
                log(state, &client, &line, now).await;
            }
            return AppError::RateLimited(retry_after_s).into_response();
        }
        Ok(Admission::Admitted(client)) => client,
    };
    let allowed = match scope {
        Scope::Query => client.scopes.query,
        Scope::Record => client.scopes.record,
        Scope::Any => true,
    };
    let (mut response, window, rows) = if !allowed {
        (AppError::Forbidden.into_response(), None, 0)
    } else {
        match work(client.clone()).await {
            Ok(done) => (done.response, done.window, done.rows),
            Err((error, window)) => (error.into_response(), window, 0),
        }
    };
    let line = CallLine {
        operation,
        status: response.status().as_u16(),
        window,
        rows,
        address,
    };
    // An answer about a person leaves only once its audit line is written.
    if !log(state, &client, &line, now).await && operation == "query" {
        return AppError::Internal.into_response();
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Writes the audit line; `false` (and the failure logged) if it could not be written.
async fn log(state: &AppState, client: &ApiClient, line: &CallLine<'_>, now: UtcMillis) -> bool {
    match agencies::log_call(&state.db, client, line, now).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(
                ?error,
                operation = line.operation,
                "could not write the API audit log"
            );
            false
        }
    }
}

/// Refuses a call that would take the agency past its day (`RateLimited`, an hour).
async fn within_day(
    state: &AppState,
    client: &ApiClient,
    operations: &[&str],
    adding: i64,
    day: i64,
) -> Result<(), AppError> {
    let used = agencies::used_today(&state.db, client.agency, operations, UtcMillis::now()).await?;
    if used + adding > day {
        return Err(AppError::RateLimited(3600));
    }
    Ok(())
}

/// A JSON body, read after the key is checked (a stranger's body is never parsed).
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|error| AppError::BadRequest(format!("JSON: {error}")))
}

fn window_of(code: &str) -> Result<Window, AppError> {
    Window::parse(code.trim()).map_err(|_| {
        AppError::invalid(
            "window",
            format!(
                "window must be one of {}",
                Window::ALL.map(Window::code).join(", ")
            ),
        )
    })
}

/// 救前查询: how often a person's household was helped, by window, over a period.
#[utoipa::path(
    post,
    path = "/api/v1/aid/query",
    tag = "aid",
    operation_id = "query_aid",
    summary = "救前查询: counts of recent aid by window", // i18n-allow: OpenAPI for agencies' developers: English, with the Chinese name they know the operation by
    description = "Before helping a family, ask with the person's ID number (and optionally one window and a period in months) how often the household was helped. The answer has counts only, per window: through this platform, by other agencies, and by you. Needs the `query` scope.",
    request_body(content = AidQuery, content_type = "application/json"),
    responses(
        (status = 200, description = "Counts by window", body = AidCounts),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiError),
        (status = 401, description = "No key, or an unknown or revoked one", body = ApiError),
        (status = 403, description = "The key lacks the `query` scope", body = ApiError),
        (status = 422, description = "A field is wrong (`field` says which)", body = ApiError),
        (status = 429, description = "Over the key's calls per minute, or the agency's day; see Retry-After", body = ApiError),
    )
)]
pub async fn query_aid(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let settings = state.settings.clone();
    let db = state.db.clone();
    let quota = state.clone();
    call(
        &state,
        &headers,
        address,
        "query",
        Scope::Query,
        |client| async move {
            within_day(&quota, &client, &["query"], 1, agencies::QUERIES_A_DAY)
                .await
                .map_err(|e| (e, None))?;
            let query: AidQuery = json_body(&body).map_err(|e| (e, None))?;
            let window = query
                .window
                .as_deref()
                .map(window_of)
                .transpose()
                .map_err(|e| (e, None))?;
            let months = query.months.unwrap_or(settings.aid_period_months);
            if !(1..=120).contains(&months) {
                return Err((
                    AppError::invalid("months", "months must be between 1 and 120"),
                    window,
                ));
            }
            let id = IdNumber::parse(&query.id_number).map_err(|e| (e, window))?;
            let id_key = id.key(&settings.id_key);
            // From midnight (Shanghai) of the first day counted, as records are dated.
            let first_day = UtcMillis::now().months_before(months).shanghai_date_text();
            let since =
                UtcMillis::parse_shanghai_date(&first_day).ok_or((AppError::Internal, window))?;
            let windows = window.map_or_else(|| Window::ALL.to_vec(), |w| vec![w]);
            let counts = agencies::count_aid(&db, &id_key, &windows, since, client.agency)
                .await
                .map_err(|e| (e, window))?;
            let answer = AidCounts {
                since: since.shanghai_date_text(),
                months,
                windows: counts
                    .into_iter()
                    .filter_map(|count| {
                        let window = count.window?;
                        Some(WindowCount {
                            window: window.code().to_owned(),
                            label: settings.city.label(window),
                            platform: count.platform,
                            other_agencies: count.others,
                            yours: count.yours,
                        })
                    })
                    .collect(),
            };
            Ok(Done {
                response: Json(answer).into_response(),
                window,
                rows: 1,
            })
        },
    )
    .await
}

/// 救后录入: records one aid your agency gave; idempotent by your key.
#[utoipa::path(
    post,
    path = "/api/v1/aid/records",
    tag = "aid",
    operation_id = "record_aid",
    summary = "救后录入: record aid you gave", // i18n-allow: OpenAPI for agencies' developers: English, with the Chinese name they know the operation by
    description = "After helping, record the aid: window, cause, date, amount. Idempotent by the `key` you supply: the same key and record again answers 200 with `created: false` and stores nothing. Reviewers here see the record in the household's aid history and are warned of repeated aid. Needs the `record` scope.",
    request_body(content = AidRecordInput, content_type = "application/json"),
    responses(
        (status = 201, description = "Stored", body = AidRecordReceipt),
        (status = 200, description = "Already stored by an earlier call with this key", body = AidRecordReceipt),
        (status = 400, description = "Not JSON, or unknown fields", body = ApiError),
        (status = 401, description = "No key, or an unknown or revoked one", body = ApiError),
        (status = 403, description = "The key lacks the `record` scope", body = ApiError),
        (status = 409, description = "`KeyReused`: this key recorded a different record", body = ApiError),
        (status = 422, description = "A field is wrong (`field` says which)", body = ApiError),
        (status = 429, description = "Over the key's calls per minute, or the agency's day; see Retry-After", body = ApiError),
    )
)]
pub async fn record_aid(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let settings = state.settings.clone();
    let db = state.db.clone();
    let quota = state.clone();
    call(
        &state,
        &headers,
        address,
        "record",
        Scope::Record,
        |client| async move {
            within_day(&quota, &client, &RECORDING, 1, agencies::RECORDS_A_DAY)
                .await
                .map_err(|e| (e, None))?;
            let input: AidRecordInput = json_body(&body).map_err(|e| (e, None))?;
            let now = UtcMillis::now();
            let fields = AgencyAidInput {
                key: &input.key,
                id_number: &input.id_number,
                window: &input.window,
                cause: &input.cause,
                date: &input.date,
                amount_fen: input.amount_fen,
            };
            let window = Window::parse(input.window.trim()).ok();
            let aid = AgencyAid::parse(&settings.id_key, &client.agency_name, &fields, now)
                .map_err(|e| (e, window))?;
            let recorded = agencies::record(&db, &client, &aid, now)
                .await
                .map_err(|e| (e, window))?;
            let status = if recorded.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let receipt = AidRecordReceipt {
                key: aid.key,
                created: recorded.created,
            };
            Ok(Done {
                response: (status, Json(receipt)).into_response(),
                window,
                rows: i64::from(recorded.created),
            })
        },
    )
    .await
}

/// 救后录入 in bulk: a CSV file, all rows or none.
#[utoipa::path(
    post,
    path = "/api/v1/aid/records.csv",
    tag = "aid",
    operation_id = "record_aid_csv",
    summary = "救后录入 in bulk: a CSV file", // i18n-allow: OpenAPI for agencies' developers: English, with the Chinese name they know the operation by
    description = "A UTF-8 CSV file with the header `key,id_number,window,cause,date,amount_fen` and at most 5,000 rows (1 MiB). Every row is checked as a single record is; one bad row, or a key that recorded something else, and nothing is stored, the error listing the lines. Rows whose key already recorded exactly that row count as unchanged. Needs the `record` scope.",
    request_body(content = String, content_type = "text/csv"),
    responses(
        (status = 200, description = "Every row stored or already there", body = BulkReceipt),
        (status = 401, description = "No key, or an unknown or revoked one", body = ApiError),
        (status = 403, description = "The key lacks the `record` scope", body = ApiError),
        (status = 413, description = "Over 1 MiB"),
        (status = 422, description = "Rows are wrong (`field` is `csv`; the message lists them)", body = ApiError),
        (status = 429, description = "Over the key's calls per minute, or the agency's day; see Retry-After", body = ApiError),
    )
)]
pub async fn record_aid_csv(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let settings = state.settings.clone();
    let db = state.db.clone();
    let quota = state.clone();
    call(
        &state,
        &headers,
        address,
        "record_csv",
        Scope::Record,
        |client| async move {
            let text = std::str::from_utf8(&body)
                .map_err(|_| (AppError::invalid("csv", "the file must be UTF-8"), None))?;
            let now = UtcMillis::now();
            let aids = parse_agency_csv(&settings.id_key, &client.agency_name, text, now)
                .map_err(|e| (e, None))?;
            let rows = i64::try_from(aids.len()).unwrap_or(i64::MAX);
            within_day(&quota, &client, &RECORDING, rows, agencies::RECORDS_A_DAY)
                .await
                .map_err(|e| (e, None))?;
            // One upload at a time in this instance: a burst of 5,000-row files queues here
            // instead of holding the database's writers.
            let _turn = tokio::time::timeout(std::time::Duration::from_secs(10), UPLOADS.acquire())
                .await
                .map_err(|_| (AppError::Busy, None))?
                .map_err(|_| (AppError::Busy, None))?;
            let (created, unchanged) = agencies::record_all(&db, &client, &aids, now)
                .await
                .map_err(|e| (e, None))?;
            Ok(Done {
                response: Json(BulkReceipt { created, unchanged }).into_response(),
                window: None,
                rows: i64::try_from(created).unwrap_or(i64::MAX),
            })
        },
    )
    .await
}

/// Which agency a key belongs to and what it may do: for checking a key is set up right.
#[utoipa::path(
    get,
    path = "/api/v1/agency",
    tag = "aid",
    operation_id = "who_am_i",
    summary = "The agency and scopes of the key",
    responses(
        (status = 200, description = "The key's agency and scopes", body = AgencyInfo),
        (status = 401, description = "No key, or an unknown or revoked one", body = ApiError),
        (status = 429, description = "Over the key's calls per minute, or the agency's day; see Retry-After", body = ApiError),
    )
)]
pub async fn who_am_i(
    State(state): State<AppState>,
    address: Option<Extension<ClientAddr>>,
    headers: HeaderMap,
) -> Response {
    let prefix = bearer(&headers)
        .and_then(wanshan_app::private::split_token)
        .map(|(prefix, _)| prefix.to_owned())
        .unwrap_or_default();
    call(
        &state,
        &headers,
        address,
        "agency",
        Scope::Any,
        |client| async move {
            let scopes = [
                (client.scopes.query, "query"),
                (client.scopes.record, "record"),
            ]
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, name)| name.to_owned())
            .collect();
            Ok(Done {
                response: Json(AgencyInfo {
                    agency: client.agency_name,
                    key_prefix: format!("wsk_{prefix}_…"),
                    scopes,
                })
                .into_response(),
                window: None,
                rows: 0,
            })
        },
    )
    .await
}
