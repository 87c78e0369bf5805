//! The aid an agency records through the exchange API, checked exactly as an admin's CSV
//! import is; agencies' names and keys as admins make them (server only: ID numbers are
//! hashed here, keys generated and hashed here).

use super::aid_import::{check_aid_date, check_cause, csv_reader};
use super::{AgencyId, IdKey, IdNumber, ImportRow, Scopes};
use crate::domain::{has_control_characters, Fen, UtcMillis, Window};
use crate::error::AppError;
use crate::lang::locale;
use leptos_i18n::td_string;
use sha2::{Digest, Sha256};

/// An agency's name as an admin types it: 1–60 printable characters.
pub fn agency_name(text: &str) -> Result<String, AppError> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(AppError::invalid(
            "name",
            td_string!(locale(), agencies.errors.name_wrong),
        ));
    }
    if has_control_characters(name) {
        return Err(AppError::invalid(
            "name",
            td_string!(locale(), agencies.errors.name_unprintable),
        ));
    }
    Ok(name.to_owned())
}

/// A key's requests per minute: at least 1, at most 600.
pub fn per_minute(text: &str) -> Result<u32, AppError> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=600).contains(&n) => Ok(n),
        _ => Err(AppError::invalid(
            "per_minute",
            td_string!(locale(), agencies.errors.per_minute),
        )),
    }
}

/// The agency a new key is for, as the form sends its id.
pub fn key_agency(text: &str) -> Result<AgencyId, AppError> {
    text.trim().parse::<i64>().map(AgencyId).map_err(|_| {
        AppError::invalid(
            "agency",
            td_string!(locale(), agencies.errors.no_such_agency),
        )
    })
}

/// What a new key is for, as an admin describes it: at most 60 printable characters (may be
/// empty).
pub fn key_label(text: &str) -> Result<&str, AppError> {
    let label = text.trim();
    if label.chars().count() > 60 || has_control_characters(label) {
        return Err(AppError::invalid(
            "label",
            td_string!(locale(), agencies.errors.label_wrong),
        ));
    }
    Ok(label)
}

/// What a new key may do: at least one of asking (救前查询) and recording (救后录入).
pub fn key_scopes(query: bool, record: bool) -> Result<Scopes, AppError> {
    if !query && !record {
        return Err(AppError::invalid(
            "scopes",
            td_string!(locale(), agencies.errors.no_scope),
        ));
    }
    Ok(Scopes { query, record })
}

/// A new API key: the whole token is shown once; only the prefix (to find it) and the SHA-256
/// of the secret (to check it) are stored. The secret is 32 random bytes, so a fast hash is
/// as safe as a slow one here and costs nothing per call.
pub struct NewApiKey {
    pub token: String,
    pub prefix: String,
    pub secret_hash: String,
}

const TOKEN_START: &str = "wsk_";

impl NewApiKey {
    pub fn generate() -> Result<NewApiKey, AppError> {
        let mut bytes = [0u8; 38];
        getrandom::getrandom(&mut bytes).map_err(|e| AppError::internal("random key", e))?;
        let prefix = hex::encode(&bytes[..6]);
        let secret = hex::encode(&bytes[6..]);
        Ok(NewApiKey {
            token: format!("{TOKEN_START}{prefix}_{secret}"),
            secret_hash: secret_hash(&secret),
            prefix,
        })
    }
}

/// The stored form of a key's secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A token as a caller presents it (`Authorization: Bearer wsk_<prefix>_<secret>`), split;
/// `None` for anything not shaped like one (no database is asked about it).
pub fn split_token(token: &str) -> Option<(&str, &str)> {
    let rest = token.strip_prefix(TOKEN_START)?;
    let (prefix, secret) = rest.split_once('_')?;
    let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(prefix, 12) && hex(secret, 64)).then_some((prefix, secret))
}

/// One aid record an agency sends (救后录入), as the API receives it.
#[derive(Clone, Debug, Default)]
pub struct AgencyAidInput<'a> {
    pub key: &'a str,
    pub id_number: &'a str,
    pub window: &'a str,
    pub cause: &'a str,
    pub date: &'a str,
    pub amount_fen: Option<i64>,
}

/// A checked record: the row to store and what identifies a repeat of the same call.
#[derive(Debug)]
pub struct AgencyAid {
    pub key: String,
    pub row: ImportRow,
    /// A hash of everything the record says: the same key with another fingerprint is a
    /// different record under a reused key.
    pub fingerprint: String,
}

impl AgencyAid {
    pub fn parse(
        secret: &IdKey,
        agency: &str,
        input: &AgencyAidInput<'_>,
        now: UtcMillis,
    ) -> Result<AgencyAid, AppError> {
        let key = input.key.trim();
        let key_ok = !key.is_empty()
            && key.len() <= 64
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
        if !key_ok {
            return Err(AppError::invalid(
                "key",
                td_string!(locale(), agencies.errors.api_key_wrong),
            ));
        }
        let id = IdNumber::parse(input.id_number)?;
        let window = Window::parse(input.window.trim()).map_err(|_| {
            AppError::invalid(
                "window",
                format!(
                    "window must be one of {}",
                    Window::ALL.map(Window::code).join(", ")
                ),
            )
        })?;
        let cause = check_cause(input.cause).map_err(|e| AppError::invalid("cause", e))?;
        let at = check_aid_date(input.date, now).map_err(|e| AppError::invalid("date", e))?;
        let amount = match input.amount_fen {
            None => None,
            Some(fen) if (0..=Fen::MAX_NEED.get()).contains(&fen) => Some(Fen::from_stored(fen)),
            Some(_) => {
                return Err(AppError::invalid(
                    "amount_fen",
                    format!(
                        "amount_fen must be between 0 and {} (fen)",
                        Fen::MAX_NEED.get()
                    ),
                ))
            }
        };
        let id_key = id.key(secret);
        let mut hasher = Sha256::new();
        for part in [
            id_key.as_str(),
            window.code(),
            &cause,
            &at.0.to_string(),
            &amount.map_or(String::new(), |a| a.get().to_string()),
        ] {
            hasher.update(part.as_bytes());
            hasher.update(b"\0");
        }
        Ok(AgencyAid {
            key: key.to_owned(),
            fingerprint: hex::encode(hasher.finalize()),
            row: ImportRow {
                id_key,
                agency: agency.to_owned(),
                window,
                cause,
                at,
                amount,
            },
        })
    }
}

/// The columns of an agency's bulk upload (`POST /api/v1/aid/records.csv`), with a header
/// line: the JSON record's fields, amounts in fen.
pub const AGENCY_CSV_HEADER: [&str; 6] =
    ["key", "id_number", "window", "cause", "date", "amount_fen"];

/// The most rows one bulk upload may carry.
pub const AGENCY_CSV_MAX_ROWS: usize = 5_000;

/// Parses a bulk upload: every row checked as a single record is; one bad row and nothing is
/// stored, the error listing every bad row by its line (the first 50).
pub fn parse_agency_csv(
    secret: &IdKey,
    agency: &str,
    text: &str,
    now: UtcMillis,
) -> Result<Vec<AgencyAid>, AppError> {
    const MAX_LISTED: usize = 50;
    let mut reader = csv_reader(text);
    let header_ok = reader
        .headers()
        .map(|h| h.iter().eq(AGENCY_CSV_HEADER.iter().copied()))
        .unwrap_or(false);
    if !header_ok {
        return Err(AppError::invalid(
            "csv",
            format!(
                "the first line must be the header {}",
                AGENCY_CSV_HEADER.join(",")
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(format!("line {line}: unreadable ({error})"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() + problems.len() >= AGENCY_CSV_MAX_ROWS {
            return Err(AppError::invalid(
                "csv",
                format!("at most {AGENCY_CSV_MAX_ROWS} rows per upload"),
            ));
        }
        if record.len() != AGENCY_CSV_HEADER.len() {
            problems.push(format!(
                "line {line}: {} columns, expected {}",
                record.len(),
                AGENCY_CSV_HEADER.len()
            ));
            continue;
        }
        let amount_fen = match record[5].trim() {
            "" => Ok(None),
            fen => fen.parse::<i64>().map(Some).map_err(|_| {
                AppError::invalid("amount_fen", "amount_fen must be a whole number of fen")
            }),
        };
        let parsed = amount_fen.and_then(|amount_fen| {
            let input = AgencyAidInput {
                key: &record[0],
                id_number: &record[1],
                window: &record[2],
                cause: &record[3],
                date: &record[4],
                amount_fen,
            };
            AgencyAid::parse(secret, agency, &input, now)
        });
        match parsed {
            Ok(aid) if !keys.insert(aid.key.clone()) => {
                problems.push(format!("line {line}: key {} appears twice", aid.key));
            }
            Ok(aid) => rows.push(aid),
            Err(AppError::Invalid { field, message }) => {
                problems.push(format!("line {line}: {field}: {message}"));
            }
            Err(other) => return Err(other),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(AppError::invalid("csv", "the file has no rows"));
    }
    if !problems.is_empty() {
        let count = problems.len();
        problems.truncate(MAX_LISTED);
        return Err(AppError::invalid(
            "csv",
            format!(
                "{count} rows are wrong; nothing was stored:\n{}",
                problems.join("\n")
            ),
        ));
    }
    Ok(rows)
}
