//! Other agencies' aid records as they arrive: a CSV file, checked row by row before anything
//! is stored (server only: it hashes ID numbers with the server's key).

use super::{IdKey, IdNumber};
use crate::domain::{has_control_characters, Fen, UtcMillis, Window};
use crate::error::AppError;

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

/// The columns an import file has, in this order, with a header line.
pub const IMPORT_HEADER: [&str; 6] = ["身份证号", "机构", "窗口", "事由", "日期", "金额"];

/// An aid record's cause (事由): at most 100 characters, all of them printable.
pub(crate) fn check_cause(text: &str) -> Result<String, String> {
    let cause = text.trim();
    if cause.chars().count() > 100 {
        return Err("事由最多 100 个字".into());
    }
    if has_control_characters(cause) {
        return Err("事由含有无法显示的字符".into());
    }
    Ok(cause.to_owned())
}

/// The day aid was given (Shanghai), `2026-03-15`: a real date, not after today.
pub(crate) fn check_aid_date(text: &str, now: UtcMillis) -> Result<UtcMillis, String> {
    let at = UtcMillis::parse_shanghai_date(text)
        .ok_or_else(|| format!("日期“{}”无效，应为 2026-03-15 这样的格式", text.trim()))?;
    if at.0 > now.0 {
        return Err(format!("日期“{}”还没有到", text.trim()));
    }
    Ok(at)
}

/// A window named in an import: its code, the city's name for it, its usual label, or that
/// label without 助.
pub(crate) fn window_named(text: &str) -> Option<Window> {
    let text = text.trim();
    Window::ALL.into_iter().find(|window| {
        text == window.code()
            || text == crate::city::window_label(*window)
            || text == window.label()
            || window.label().strip_prefix('助') == Some(text)
            || (text.chars().count() >= 2 && window.label().starts_with(text))
    })
}

fn parse_row(key: &IdKey, record: &csv::StringRecord) -> Result<ImportRow, String> {
    if record.len() != IMPORT_HEADER.len() {
        return Err(format!(
            "应有 {} 列（{}），这一行有 {} 列",
            IMPORT_HEADER.len(),
            IMPORT_HEADER.join("，"),
            record.len()
        ));
    }
    let id = IdNumber::parse(&record[0]).map_err(|e| e.to_string())?;
    let agency = record[1].trim();
    if agency.is_empty() || agency.chars().count() > 60 {
        return Err("机构名称不能为空，最多 60 个字".into());
    }
    if has_control_characters(agency) {
        return Err("机构名称含有无法显示的字符".into());
    }
    let window = window_named(&record[2]).ok_or_else(|| {
        format!(
            "无法识别的窗口“{}”，应为 助医、助学、助残、家居微改善、助保险 或 服务与文化",
            record[2].trim()
        )
    })?;
    let cause = check_cause(&record[3])?;
    let at = check_aid_date(&record[4], UtcMillis::now())?;
    let amount = match record[5].trim() {
        "" => None,
        yuan => Some(Fen::parse_yuan(yuan).map_err(|e| format!("金额：{e}"))?),
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
                    Err(problem) => problems.push(format!("第 {line} 行：{problem}")),
                }
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(format!("第 {line} 行：无法读取（{error}）"));
            }
        }
    }
    if rows.is_empty() && problems.is_empty() {
        return Err(AppError::invalid(
            "csv",
            format!(
                "文件里没有数据行。第一行应为表头：{}",
                IMPORT_HEADER.join(",")
            ),
        ));
    }
    if !problems.is_empty() {
        let count = problems.len();
        problems.truncate(MAX_LISTED);
        let more = if count > MAX_LISTED {
            format!("\n……共 {count} 行有问题")
        } else {
            String::new()
        };
        return Err(AppError::invalid(
            "csv",
            format!(
                "有 {count} 行有问题，整个文件未导入，请改正后重新导入：\n{}{more}",
                problems.join("\n")
            ),
        ));
    }
    Ok(rows)
}
