//! Partner agencies, their API keys, the API's audit log, and the aid the API reads and writes.

use super::Db;
use crate::domain::{Fen, UtcMillis, Window};
use crate::error::AppError;
use crate::lang::locale;
use crate::people::UserId;
use crate::private::{
    secret_hash, split_token, AgencyAid, AgencyId, AgencyView, ApiCallView, ApiKeyId, ApiKeyView,
    ApiLog, NewApiKey, Scopes,
};
use leptos_i18n::td_string;
use sqlx::Row;

/// Live (unrevoked) keys one agency may hold.
pub const MAX_LIVE_KEYS: i64 = 10;
/// Agencies in all (an admin's typo loop cannot fill the table).
pub const MAX_AGENCIES: i64 = 500;
/// Audit-log lines one page shows.
pub const LOG_PAGE: i64 = 200;

/// Creates an agency; its name must be new.
pub async fn create_agency(
    db: &Db,
    name: &str,
    by: UserId,
    now: UtcMillis,
) -> Result<AgencyId, AppError> {
    let mut tx = db.begin().await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agencies")
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_AGENCIES {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "name",
            td_string!(
                locale(),
                agencies.errors.too_many_agencies,
                max = MAX_AGENCIES
            )
            .to_string(),
        ));
    }
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO agencies (name, created_by, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(by.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "name",
            td_string!(locale(), agencies.errors.name_taken),
        ));
    };
    tx.commit().await?;
    Ok(AgencyId(id))
}

fn scopes_of(row: &sqlx::any::AnyRow) -> Result<Scopes, sqlx::Error> {
    Ok(Scopes {
        query: row.try_get::<i32, _>("can_query")? == 1,
        record: row.try_get::<i32, _>("can_record")? == 1,
    })
}

/// Every agency with its keys and how much it called in the last 30 days.
pub async fn list(db: &Db, now: UtcMillis) -> Result<Vec<AgencyView>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT a.id, a.name, a.created_at, \
         (SELECT COUNT(*) FROM api_calls c WHERE c.agency_id = a.id AND c.at > $1) AS calls \
         FROM agencies a ORDER BY a.name",
    )
    .bind(now.0 - 30 * 86_400_000)
    .fetch_all(&mut *conn)
    .await?;
    let mut agencies = Vec::with_capacity(rows.len());
    for row in &rows {
        agencies.push(AgencyView {
            id: AgencyId(row.try_get("id")?),
            name: row.try_get("name")?,
            created_at: UtcMillis(row.try_get("created_at")?),
            keys: Vec::new(),
            calls_30_days: row.try_get("calls")?,
        });
    }
    let keys = sqlx::query(
        "SELECT id, agency_id, prefix, label, can_query, can_record, per_minute, created_at, \
         revoked_at, last_used_at FROM api_keys ORDER BY id DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    for row in &keys {
        let agency = AgencyId(row.try_get("agency_id")?);
        let key = ApiKeyView {
            id: ApiKeyId(row.try_get("id")?),
            prefix: row.try_get("prefix")?,
            label: row.try_get("label")?,
            scopes: scopes_of(row)?,
            per_minute: u32::try_from(row.try_get::<i32, _>("per_minute")?).unwrap_or(0),
            created_at: UtcMillis(row.try_get("created_at")?),
            revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(UtcMillis),
            last_used_at: row
                .try_get::<Option<i64>, _>("last_used_at")?
                .map(UtcMillis),
        };
        if let Some(owner) = agencies.iter_mut().find(|a| a.id == agency) {
            owner.keys.push(key);
        }
    }
    Ok(agencies)
}

/// Issues a key for an agency; returns the whole token, which is never stored or shown again.
pub async fn create_key(
    db: &Db,
    agency: AgencyId,
    label: &str,
    scopes: Scopes,
    per_minute: u32,
    by: UserId,
    now: UtcMillis,
) -> Result<String, AppError> {
    let new = NewApiKey::generate()?;
    let mut tx = db.begin().await?;
    // Counted under a lock on the agency's row (SQLite's single writer does it by itself).
    let found = sqlx::query("UPDATE agencies SET name = name WHERE id = $1")
        .bind(agency.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if found == 0 {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "agency",
            td_string!(locale(), agencies.errors.no_such_agency),
        ));
    }
    let live: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_keys WHERE agency_id = $1 AND revoked_at IS NULL",
    )
    .bind(agency.0)
    .fetch_one(&mut *tx)
    .await?;
    if live >= MAX_LIVE_KEYS {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "agency",
            td_string!(locale(), agencies.errors.too_many_keys, max = MAX_LIVE_KEYS).to_string(),
        ));
    }
    sqlx::query(
        "INSERT INTO api_keys (agency_id, prefix, secret_hash, label, can_query, can_record, \
         per_minute, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(agency.0)
    .bind(&new.prefix)
    .bind(&new.secret_hash)
    .bind(label)
    .bind(i32::from(scopes.query))
    .bind(i32::from(scopes.record))
    .bind(i32::try_from(per_minute).unwrap_or(600))
    .bind(by.0)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(new.token)
}

/// Revokes a key at once (on every instance: each call reads the key's row). `false` if there
/// was no such live key.
pub async fn revoke_key(
    db: &Db,
    key: ApiKeyId,
    by: UserId,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL",
    )
    .bind(now.0)
    .bind(by.0)
    .bind(key.0)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// The agency calling, as its key says.
#[derive(Clone, Debug)]
pub struct ApiClient {
    pub agency: AgencyId,
    pub agency_name: String,
    pub key: ApiKeyId,
    pub scopes: Scopes,
}

/// What a call's key allows now.
#[derive(Debug)]
pub enum Admission {
    /// Unknown, malformed or revoked: 401.
    Refused,
    /// Within the key's calls per minute.
    Admitted(ApiClient),
    /// Over it: 429 for `retry_after_s`; `first` for the first refusal of the minute (the one
    /// the audit log keeps).
    Limited {
        client: ApiClient,
        retry_after_s: u32,
        first: bool,
    },
}

/// Checks a presented token and counts the call against its key's minute: one read and one
/// conditional UPDATE of the key's row, exact across instances whatever the race.
pub async fn admit(db: &Db, token: &str, now: UtcMillis) -> Result<Admission, AppError> {
    let Some((prefix, secret)) = split_token(token) else {
        return Ok(Admission::Refused);
    };
    let mut conn = db.pool.acquire().await?;
    let row = sqlx::query(
        "SELECT k.id, k.secret_hash, k.can_query, k.can_record, a.id AS agency_id, \
         a.name FROM api_keys k JOIN agencies a ON a.id = k.agency_id \
         WHERE k.prefix = $1 AND k.revoked_at IS NULL",
    )
    .bind(prefix)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Admission::Refused);
    };
    let stored: String = row.try_get("secret_hash")?;
    let presented = secret_hash(secret);
    // Both are digests: comparing them leaks nothing about the secret.
    if stored != presented {
        return Ok(Admission::Refused);
    }
    let client = ApiClient {
        agency: AgencyId(row.try_get("agency_id")?),
        agency_name: row.try_get("name")?,
        key: ApiKeyId(row.try_get("id")?),
        scopes: scopes_of(&row)?,
    };
    let window_ms = 60_000;
    let counted = sqlx::query(
        "UPDATE api_keys SET \
         window_calls = CASE WHEN window_start <= $1 THEN 1 ELSE window_calls + 1 END, \
         window_refused = CASE WHEN window_start <= $1 THEN 0 ELSE window_refused END, \
         window_start = CASE WHEN window_start <= $1 THEN $2 ELSE window_start END, \
         last_used_at = $2 \
         WHERE id = $3 AND revoked_at IS NULL AND (window_start <= $1 OR window_calls < per_minute)",
    )
    .bind(now.0 - window_ms)
    .bind(now.0)
    .bind(client.key.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if counted == 1 {
        return Ok(Admission::Admitted(client));
    }
    // Over the limit (or revoked this instant): one more UPDATE counts the refusal, so the
    // first of the window is logged and the wait is known.
    let refused = sqlx::query(
        "UPDATE api_keys SET window_refused = window_refused + 1 WHERE id = $1 \
         RETURNING window_refused, window_start",
    )
    .bind(client.key.0)
    .fetch_one(&mut *conn)
    .await?;
    let first = refused.try_get::<i32, _>("window_refused")? == 1;
    let window_start: i64 = refused.try_get("window_start")?;
    let left_ms = (window_start + window_ms - now.0).clamp(1_000, window_ms);
    Ok(Admission::Limited {
        client,
        retry_after_s: u32::try_from((left_ms + 999) / 1000).unwrap_or(60),
        first,
    })
}

/// One line of the audit log.
pub struct CallLine<'a> {
    pub operation: &'a str,
    pub status: u16,
    pub window: Option<Window>,
    pub rows: i64,
    /// The client's address, as the server resolved it.
    pub address: Option<std::net::IpAddr>,
}

/// Writes one line of the audit log.
pub async fn log_call(
    db: &Db,
    client: &ApiClient,
    line: &CallLine<'_>,
    now: UtcMillis,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO api_calls (at, agency_id, key_id, operation, status, aid_window, row_count, \
         address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now.0)
    .bind(client.agency.0)
    .bind(client.key.0)
    .bind(line.operation)
    .bind(i32::from(line.status))
    .bind(line.window.map(Window::code))
    .bind(line.rows)
    .bind(line.address.map(|a| a.to_string()))
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Queries one agency may make in 24 hours, over all its keys: a caseload's worth, far below
/// what sweeping ID numbers would take.
pub const QUERIES_A_DAY: i64 = 2_000;
/// Records one agency may store in 24 hours, over all its keys and uploads.
pub const RECORDS_A_DAY: i64 = 20_000;

/// What an agency used of `operations` in the last 24 hours: answered queries, or records
/// stored (from its audit lines).
pub async fn used_today(
    db: &Db,
    agency: AgencyId,
    operations: &[&str],
    now: UtcMillis,
) -> Result<i64, AppError> {
    let placeholders: Vec<String> = (0..operations.len())
        .map(|i| format!("${}", i + 3))
        .collect();
    let sql = format!(
        "SELECT COALESCE(SUM(row_count), 0) FROM api_calls WHERE agency_id = $1 AND at > $2 \
         AND status < 300 AND operation IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_scalar::<_, i64>(&sql)
        .bind(agency.0)
        .bind(now.0 - 86_400_000);
    for operation in operations {
        query = query.bind(*operation);
    }
    Ok(query.fetch_one(&db.pool).await?)
}

/// The latest calls, of one agency or of all.
pub async fn calls(db: &Db, agency: Option<AgencyId>) -> Result<ApiLog, AppError> {
    let mut conn = db.pool.acquire().await?;
    let select = "SELECT c.at, a.name, k.prefix, c.operation, c.status, c.aid_window, c.row_count \
                  FROM api_calls c JOIN agencies a ON a.id = c.agency_id \
                  JOIN api_keys k ON k.id = c.key_id";
    let (rows, total) = match agency {
        Some(agency) => (
            sqlx::query(&format!(
                "{select} WHERE c.agency_id = $1 ORDER BY c.id DESC LIMIT {LOG_PAGE}"
            ))
            .bind(agency.0)
            .fetch_all(&mut *conn)
            .await?,
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM api_calls WHERE agency_id = $1")
                .bind(agency.0)
                .fetch_one(&mut *conn)
                .await?,
        ),
        None => (
            sqlx::query(&format!("{select} ORDER BY c.id DESC LIMIT {LOG_PAGE}"))
                .fetch_all(&mut *conn)
                .await?,
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM api_calls")
                .fetch_one(&mut *conn)
                .await?,
        ),
    };
    let corrupt = |e: AppError| AppError::corrupt("api call", e);
    let mut calls = Vec::with_capacity(rows.len());
    for row in &rows {
        calls.push(ApiCallView {
            at: UtcMillis(row.try_get("at")?),
            agency: row.try_get("name")?,
            key_prefix: row.try_get("prefix")?,
            operation: row.try_get("operation")?,
            status: u16::try_from(row.try_get::<i32, _>("status")?).unwrap_or(0),
            window: row
                .try_get::<Option<String>, _>("aid_window")?
                .map(|w| Window::parse(&w))
                .transpose()
                .map_err(corrupt)?,
            rows: row.try_get("row_count")?,
        });
    }
    let agencies = sqlx::query("SELECT id, name FROM agencies ORDER BY name")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| Ok((AgencyId(row.try_get("id")?), row.try_get("name")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(ApiLog {
        calls,
        total,
        agencies,
    })
}

/// Aid counted for one window over a period: through this platform's needs, recorded by
/// others (other agencies, imports, programmes, services), and by the asking agency itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AidCount {
    pub window: Option<Window>,
    pub platform: i64,
    pub others: i64,
    pub yours: i64,
}

/// 救前查询: counts by window of the aid a person's household had since `since`; every window
/// asked is listed, with zeros where there was none (so an answer says nothing about whether
/// the household is registered here).
pub async fn count_aid(
    db: &Db,
    id_key: &str,
    windows: &[Window],
    since: UtcMillis,
    asker: AgencyId,
) -> Result<Vec<AidCount>, AppError> {
    let mut conn = db.pool.acquire().await?;
    let mut counts: Vec<AidCount> = windows
        .iter()
        .map(|&window| AidCount {
            window: Some(window),
            ..AidCount::default()
        })
        .collect();
    let find = |counts: &mut Vec<AidCount>, code: &str| -> Option<usize> {
        let window = Window::parse(code).ok()?;
        counts.iter().position(|c| c.window == Some(window))
    };
    let here = sqlx::query(
        "SELECT n.aid_window, COUNT(*) AS n FROM needs n JOIN households h ON h.id = n.household_id \
         WHERE h.id_key = $1 AND n.status IN ('claimed', 'fulfilled') AND n.updated_at >= $2 \
         GROUP BY n.aid_window",
    )
    .bind(id_key)
    .bind(since.0)
    .fetch_all(&mut *conn)
    .await?;
    for row in &here {
        if let Some(i) = find(&mut counts, row.try_get("aid_window")?) {
            counts[i].platform = row.try_get("n")?;
        }
    }
    let recorded = sqlx::query(
        "SELECT aid_window, \
         SUM(CASE WHEN agency_id = $3 THEN 1 ELSE 0 END) AS yours, \
         SUM(CASE WHEN agency_id = $3 THEN 0 ELSE 1 END) AS others \
         FROM aid_records WHERE id_key = $1 AND aided_at >= $2 GROUP BY aid_window",
    )
    .bind(id_key)
    .bind(since.0)
    .bind(asker.0)
    .fetch_all(&mut *conn)
    .await?;
    for row in &recorded {
        if let Some(i) = find(&mut counts, row.try_get("aid_window")?) {
            counts[i].yours = row.try_get("yours")?;
            counts[i].others = row.try_get("others")?;
        }
    }
    Ok(counts)
}

/// What storing an agency's record did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub id: i64,
    /// `false`: the same key had already recorded exactly this (a repeated call).
    pub created: bool,
}

async fn record_in(
    conn: &mut sqlx::AnyConnection,
    client: &ApiClient,
    aid: &AgencyAid,
    now: UtcMillis,
) -> Result<Result<Recorded, ()>, AppError> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO aid_records (id_key, agency, aid_window, cause, aided_at, amount_fen, \
         imported_by, imported_at, agency_id, agency_key, fingerprint) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&aid.row.id_key)
    .bind(&client.agency_name)
    .bind(aid.row.window.code())
    .bind(&aid.row.cause)
    .bind(aid.row.at.0)
    .bind(aid.row.amount.map(Fen::get))
    .bind(now.0)
    .bind(client.agency.0)
    .bind(&aid.key)
    .bind(&aid.fingerprint)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = id {
        return Ok(Ok(Recorded { id, created: true }));
    }
    let row = sqlx::query(
        "SELECT id, fingerprint FROM aid_records WHERE agency_id = $1 AND agency_key = $2",
    )
    .bind(client.agency.0)
    .bind(&aid.key)
    .fetch_one(&mut *conn)
    .await?;
    let fingerprint: Option<String> = row.try_get("fingerprint")?;
    if fingerprint.as_deref() == Some(aid.fingerprint.as_str()) {
        Ok(Ok(Recorded {
            id: row.try_get("id")?,
            created: false,
        }))
    } else {
        Ok(Err(()))
    }
}

/// 救后录入: stores one record, once per agency and key. The same key again with the same
/// record is answered as the first call was; with another record, `KeyReused`.
pub async fn record(
    db: &Db,
    client: &ApiClient,
    aid: &AgencyAid,
    now: UtcMillis,
) -> Result<Recorded, AppError> {
    let mut tx = db.begin().await?;
    match record_in(&mut tx, client, aid, now).await? {
        Ok(recorded) => {
            tx.commit().await?;
            Ok(recorded)
        }
        Err(()) => {
            tx.rollback().await?;
            Err(AppError::KeyReused)
        }
    }
}

/// A bulk upload, all or nothing: how many rows were new and how many repeated earlier calls;
/// a row whose key recorded something else refuses the whole file, naming its key.
pub async fn record_all(
    db: &Db,
    client: &ApiClient,
    aids: &[AgencyAid],
    now: UtcMillis,
) -> Result<(usize, usize), AppError> {
    // In the order of their keys: two uploads sharing keys wait for each other, never deadlock.
    let mut sorted: Vec<&AgencyAid> = aids.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let mut tx = db.begin().await?;
    let (mut created, mut unchanged) = (0, 0);
    let mut reused = Vec::new();
    for aid in sorted {
        match record_in(&mut tx, client, aid, now).await? {
            Ok(Recorded { created: true, .. }) => created += 1,
            Ok(Recorded { created: false, .. }) => unchanged += 1,
            Err(()) => reused.push(aid.key.as_str()),
        }
    }
    if !reused.is_empty() {
        tx.rollback().await?;
        let count = reused.len();
        reused.truncate(50);
        return Err(AppError::invalid(
            "csv",
            format!(
                "{count} keys were already used for a different record; nothing was stored: {}",
                reused.join(", ")
            ),
        ));
    }
    tx.commit().await?;
    Ok((created, unchanged))
}
