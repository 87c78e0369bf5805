//! Text fields typed by people: trimmed, bounded, no control characters.

use crate::error::AppError;
use leptos_i18n::td_string;

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
        return Err(AppError::invalid(
            field,
            td_string!(crate::lang::locale(), errors.text.required, label = label).to_string(),
        ));
    }
    if count < min {
        return Err(AppError::invalid(
            field,
            td_string!(
                crate::lang::locale(),
                errors.text.too_short,
                label = label,
                min = min
            )
            .to_string(),
        ));
    }
    if count > max {
        return Err(AppError::invalid(
            field,
            td_string!(
                crate::lang::locale(),
                errors.text.too_long,
                label = label,
                max = max
            )
            .to_string(),
        ));
    }
    if has_control_characters(trimmed) {
        return Err(AppError::invalid(
            field,
            td_string!(
                crate::lang::locale(),
                errors.text.control_characters,
                label = label
            )
            .to_string(),
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
            td_string!(
                crate::lang::locale(),
                errors.text.contact_details,
                label = label,
                digits = joined.max(plain)
            )
            .to_string(),
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
        return Err(AppError::invalid(
            field,
            td_string!(
                crate::lang::locale(),
                errors.text.web_address,
                label = label
            )
            .to_string(),
        ));
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
                td_string!(crate::lang::locale(), errors.text.unknown_town, town = town)
                    .to_string(),
            ));
        }
        if !chosen.iter().any(|c| c == town) {
            chosen.push(town.to_owned());
        }
    }
    Ok(chosen)
}
