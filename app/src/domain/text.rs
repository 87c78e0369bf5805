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
    if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        return Err(AppError::invalid(
            field,
            format!("{label}含有无法显示的字符。"),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether free text (a note, a cell of an imported file) holds a control character other than
/// a line break (a browser posts a textarea's as `\r\n`): no one types them, no page shows
/// them, and PostgreSQL refuses NUL in text.
pub fn has_control_characters(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r')
}
