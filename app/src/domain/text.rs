//! Text fields typed by people: trimmed, bounded, no control characters.

use crate::error::AppError;

/// Trims `text` and checks it is `min..=max` characters with no control characters.
pub fn text_field(
    field: &str,
    label: &str,
    text: &str,
    min: usize,
    max: usize,
) -> Result<String, AppError> {
    let trimmed = text.trim();
    let count = trimmed.chars().count();
    if count == 0 {
        return Err(AppError::invalid(field, format!("请填写{label}。")));
    }
    if count < min {
        return Err(AppError::invalid(
            field,
            format!("{label}至少 {min} 个字。"),
        ));
    }
    if count > max {
        return Err(AppError::invalid(
            field,
            format!("{label}最多 {max} 个字。"),
        ));
    }
    if has_control_characters(trimmed) {
        return Err(AppError::invalid(
            field,
            format!("{label}含有无法显示的字符。"),
        ));
    }
    // A browser posts a textarea's line breaks as `\r\n`: kept as plain line breaks.
    Ok(trimmed.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Refuses public text that carries a phone number or an ID number: eleven or more digits in a
/// run (a mobile number, a landline with its area code, an ID number; full-width digits, spaces
/// and dashes between them, and the ID number's final `X` included), or seven or more digits
/// with nothing between them (a local landline). A date like `2026-11-29` passes. A family's
/// contact details live in its household record, never on the board.
pub fn refuse_contact_details(field: &str, label: &str, text: &str) -> Result<(), AppError> {
    let (joined, plain) = (digit_run(text, true), digit_run(text, false));
    if joined >= 11 || plain >= 7 {
        return Err(AppError::invalid(
            field,
            format!(
                "{label}里不能有电话号码或身份证号（发现一串 {} 位的数字），请删去：\
                 家庭的联系方式只记在家庭档案里，不公开。",
                joined.max(plain)
            ),
        ));
    }
    Ok(())
}

/// Refuses text that carries a web address: a link has no place in a name or a note that
/// others read (it would send them somewhere else to be asked for money or details).
pub fn refuse_web_addresses(field: &str, label: &str, text: &str) -> Result<(), AppError> {
    let lower = text.to_lowercase();
    if ["http", "://", "www.", ".com", ".cn", ".net"]
        .iter()
        .any(|mark| lower.contains(mark))
    {
        return Err(AppError::invalid(field, format!("{label}里不能有网址。")));
    }
    Ok(())
}

/// What people write between the groups of a phone number: spaces, dashes, dots, slashes,
/// brackets, in their ASCII and full-width forms.
fn is_digit_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '/' | '(' | ')' | '　' | '－' | '．' | '／' | '（' | '）' | '·' | '—'
    )
}

/// The longest run of digits in `text`: full-width digits count, and so does an `X` after a
/// digit (ID numbers end in one). With `joined`, up to two separators between digits do not
/// break a run (`138 1234-5678`, `138.1234.5678`, `(0511) 8651 2345`).
fn digit_run(text: &str, joined: bool) -> usize {
    let (mut longest, mut run, mut gap) = (0, 0, 0);
    for c in text.chars() {
        let digit =
            c.is_ascii_digit() || ('０'..='９').contains(&c) || (run > 0 && matches!(c, 'x' | 'X'));
        if digit {
            run += 1;
            gap = 0;
        } else if joined && run > 0 && gap < 2 && is_digit_separator(c) {
            gap += 1;
        } else {
            run = 0;
            gap = 0;
        }
        longest = longest.max(run);
    }
    longest
}

/// Whether free text (a note, a cell of an imported file) holds a control character other than
/// a line break (a browser posts a textarea's as `\r\n`): no one types them, no page shows
/// them, and PostgreSQL refuses NUL in text.
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
}

/// The towns ticked on a form (`towns`, blanks skipped, each once, in the order ticked), each
/// one of the city's `known` towns: `Invalid` on `towns` naming one that is not.
pub fn pick_towns(towns: &[String], known: &[String]) -> Result<Vec<String>, AppError> {
    let mut chosen: Vec<String> = Vec::new();
    for town in towns.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if !known.iter().any(|k| k == town) {
            return Err(AppError::invalid(
                "towns",
                format!("没有“{town}”这个镇（街道）。"),
            ));
        }
        if !chosen.iter().any(|c| c == town) {
            chosen.push(town.to_owned());
        }
    }
    Ok(chosen)
}
