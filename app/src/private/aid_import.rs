//! Other agencies' aid records as they arrive: a CSV file, checked row by row before anything
//! is stored (server only: it hashes ID numbers with the server's key).

use super::{IdKey, IdNumber};
use crate::domain::{has_control_characters, Fen, UtcMillis, Window};
use crate::error::AppError;
use crate::lang::locale;
use leptos_i18n::td_string;

/// One row of an import, checked, its ID number already reduced to the keyed hash.
#[derive(Debug)]
pub struct ImportRow {
    pub id_key: String,
    pub agency: String,
    pub window: Window,
    pub cause: String,
    pub at: UtcMillis,
    pub amount: Option<Fen>,
}

/// The columns an import file has, in this order, with a header line. (The header line itself
/// is not read: messages name the columns in the reader's language, `admin.import.header`.)
pub const IMPORT_HEADER: [&str; 6] = ["身份证号", "机构", "窗口", "事由", "日期", "金额"]; // i18n-allow: the file format's own column names

/// An aid record's cause (事由): at most 100 characters, all of them printable.
pub(crate) fn check_cause(text: &str) -> Result<String, String> {
    let cause = text.trim();
    if cause.chars().count() > 100 {
        return Err(td_string!(locale(), admin.import_errors.cause_too_long).into());
    }
    if has_control_characters(cause) {
        return Err(td_string!(locale(), admin.import_errors.cause_unprintable).into());
    }
    Ok(cause.to_owned())
}

/// The day aid was given (Shanghai), `2026-03-15`: a real date, not after today.
pub(crate) fn check_aid_date(text: &str, now: UtcMillis) -> Result<UtcMillis, String> {
    let at = UtcMillis::parse_shanghai_date(text).ok_or_else(|| {
        td_string!(locale(), admin.import_errors.bad_date, date = text.trim()).to_string()
    })?;
    if at.0 > now.0 {
        return Err(td_string!(
            locale(),
            admin.import_errors.future_date,
            date = text.trim()
        )
        .to_string());
    }
    Ok(at)
}

/// A window named in an import: its code, the city's name for it, its usual label, or that
/// label without 助.
pub(crate) fn window_named(text: &str) -> Option<Window> {
    // A file's window names are in Chinese (the city's configured names or the built-in ones)
    // or its code, whatever the language of the admin who uploads it; English names pass too.
    let text = text.trim();
    let (chinese, english) = (crate::lang::Locale::zh_CN, crate::lang::Locale::en);
    let city = crate::city::City::current();
    Window::ALL.into_iter().find(|window| {
        let label = window.label_in(chinese);
        text == window.code()
            || text == city.label_in(*window, chinese)
            || text == label
            || text.eq_ignore_ascii_case(window.label_in(english))
            || label.strip_prefix('助') == Some(text) // i18n-allow: the file's short form (医 for 助医)
            || (text.chars().count() >= 2 && label.starts_with(text))
    })
}

fn parse_row(key: &IdKey, record: &csv::StringRecord) -> Result<ImportRow, String> {
    if record.len() != IMPORT_HEADER.len() {
        let locale = locale();
        return Err(td_string!(
            locale,
            admin.import_errors.column_count,
            expected = IMPORT_HEADER.len(),
            columns = td_string!(locale, admin.import.columns),
            found = record.len()
        )
        .to_string());
    }
    let id = IdNumber::parse(&record[0]).map_err(|e| e.to_string())?;
    let agency = record[1].trim();
    if agency.is_empty() || agency.chars().count() > 60 {
        return Err(td_string!(locale(), admin.import_errors.agency_wrong).into());
    }
    if has_control_characters(agency) {
        return Err(td_string!(locale(), admin.import_errors.agency_unprintable).into());
    }
    let window = window_named(&record[2]).ok_or_else(|| {
        td_string!(
            locale(),
            admin.import_errors.unknown_window,
            window = record[2].trim()
        )
        .to_string()
    })?;
    let cause = check_cause(&record[3])?;
    let at = check_aid_date(&record[4], UtcMillis::now())?;
    let amount = match record[5].trim() {
        "" => None,
        yuan => Some(Fen::parse_yuan(yuan).map_err(|e| {
            td_string!(locale(), admin.import_errors.amount, error = e).to_string()
        })?),
    };
    Ok(ImportRow {
        id_key: id.key(key),
        agency: agency.to_owned(),
        window,
        cause,
        at,
        amount,
    })
}

/// A file of rows as agencies send them: UTF-8 (a byte-order mark skipped), a header line,
/// cells trimmed, rows of any length (each row's length is checked with its line number).
pub(crate) fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
}

/// Parses another agency's aid records from CSV (UTF-8, header line first). Every row is
/// checked: one bad row and the whole file is refused, the error listing every bad row by its
/// line number.
pub fn parse_aid_import(key: &IdKey, text: &str) -> Result<Vec<ImportRow>, AppError> {
    const MAX_LISTED: usize = 50;
    let locale = locale();
    let mut reader = csv_reader(text);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(str::is_empty) {
                    continue;
                }
                match parse_row(key, &record) {
                    Ok(row) => rows.push(row),
                    Err(problem) => problems.push(
                        td_string!(
                            locale,
                            admin.import_errors.line,
                            line = line,
                            problem = problem
                        )
                        .to_string(),
                    ),
                }
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(
                    td_string!(
                        locale,
                        admin.import_errors.unreadable,
                        line = line,
                        error = error
                    )
                    .to_string(),
                );
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(AppError::invalid(
            "csv",
            td_string!(
                locale,
                admin.import_errors.no_rows,
                header = td_string!(locale, admin.import.header)
            )
            .to_string(),
        ));
    }
    if !problems.is_empty() {
        let count = problems.len();
        problems.truncate(MAX_LISTED);
        let more = if count > MAX_LISTED {
            td_string!(locale, admin.import_errors.more, count = count).to_string()
        } else {
            String::new()
        };
        return Err(AppError::invalid(
            "csv",
            td_string!(
                locale,
                admin.import_errors.problems,
                count = count,
                list = problems.join("\n"),
                more = more
            )
            .to_string(),
        ));
    }
    Ok(rows)
}
