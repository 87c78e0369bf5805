//! Reports from the public (举报/纠错): why someone thinks a need on the board is wrong, and how
//! the town's council reviewer resolved it. Parsed here, at the edge; storage gets checked
//! values only.

use super::{refuse_contact_details, refuse_web_addresses, text_field, PublicNeed, UtcMillis};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};

/// The longest note a report (or a resolution) may carry, in characters.
pub const REPORT_NOTE_MAX: usize = 500;

/// Why someone reports a need: a short list, so a report is quick to file and to sort.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    /// 情况不实: the story is not true.
    NotTrue,
    /// 已获得帮助: the family was already helped.
    AlreadyHelped,
    /// 泄露隐私: the text gives away who the family is.
    Privacy,
    /// 信息有误: a detail is wrong (amount, place).
    WrongInfo,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] = [
        ReportReason::NotTrue,
        ReportReason::AlreadyHelped,
        ReportReason::Privacy,
        ReportReason::WrongInfo,
        ReportReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportReason::NotTrue => "not_true",
            ReportReason::AlreadyHelped => "already_helped",
            ReportReason::Privacy => "privacy",
            ReportReason::WrongInfo => "wrong_info",
            ReportReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportReason::NotTrue => {
                td_string!(crate::lang::locale(), domain.report_reason.not_true)
            }
            ReportReason::AlreadyHelped => {
                td_string!(crate::lang::locale(), domain.report_reason.already_helped)
            }
            ReportReason::Privacy => {
                td_string!(crate::lang::locale(), domain.report_reason.privacy)
            }
            ReportReason::WrongInfo => {
                td_string!(crate::lang::locale(), domain.report_reason.wrong_info)
            }
            ReportReason::Other => td_string!(crate::lang::locale(), domain.report_reason.other),
        }
    }

    pub fn parse(code: &str) -> Result<ReportReason, AppError> {
        ReportReason::ALL
            .into_iter()
            .find(|reason| reason.code() == code.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "reason",
                    td_string!(crate::lang::locale(), errors.report.choose_reason),
                )
            })
    }
}

/// How the town's reviewer resolved a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportResolution {
    /// 不成立: looked into; the need stands as it is.
    Dismissed,
    /// 已更正: the need was right in substance; what was wrong was put right.
    Corrected,
    /// 撤下: the need was withdrawn for good (set by withdrawing it, never alone).
    Withdrawn,
}

impl ReportResolution {
    pub fn code(self) -> &'static str {
        match self {
            ReportResolution::Dismissed => "dismissed",
            ReportResolution::Corrected => "corrected",
            ReportResolution::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReportResolution::Dismissed => {
                td_string!(crate::lang::locale(), domain.report_resolution.dismissed)
            }
            ReportResolution::Corrected => {
                td_string!(crate::lang::locale(), domain.report_resolution.corrected)
            }
            ReportResolution::Withdrawn => {
                td_string!(crate::lang::locale(), domain.report_resolution.withdrawn)
            }
        }
    }

    /// A stored resolution.
    pub fn parse(code: &str) -> Result<ReportResolution, AppError> {
        match code.trim() {
            "dismissed" => Ok(ReportResolution::Dismissed),
            "corrected" => Ok(ReportResolution::Corrected),
            "withdrawn" => Ok(ReportResolution::Withdrawn),
            _ => Err(AppError::invalid(
                "resolution",
                td_string!(crate::lang::locale(), errors.report.choose_resolution),
            )),
        }
    }

    /// What a reviewer may choose on a report by itself: withdrawing is its own action (it
    /// releases the need's claims and resolves all its reports at once).
    pub fn parse_chosen(code: &str) -> Result<ReportResolution, AppError> {
        match ReportResolution::parse(code)? {
            ReportResolution::Withdrawn => Err(AppError::invalid(
                "resolution",
                td_string!(crate::lang::locale(), errors.report.withdraw_with_button),
            )),
            chosen => Ok(chosen),
        }
    }
}

/// A free note of a report or a resolution: optional, trimmed, at most [`REPORT_NOTE_MAX`]
/// characters, and never a phone number, ID number or web address (officials read it in the
/// need's trail; a report is no place to publish anyone's contact).
pub fn report_note(field: &str, text: &str) -> Result<String, AppError> {
    if text.trim().is_empty() {
        return Ok(String::new());
    }
    let label = td_string!(crate::lang::locale(), domain.field.note);
    let note = text_field(field, label, text, 1, REPORT_NOTE_MAX)?;
    refuse_contact_details(field, label, &note)?;
    refuse_web_addresses(field, label, &note)?;
    Ok(note)
}

/// A report as filed: a reason from the list and a checked note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReport {
    pub reason: ReportReason,
    pub note: String,
}

impl NewReport {
    pub fn parse(reason: &str, note: &str) -> Result<NewReport, AppError> {
        Ok(NewReport {
            reason: ReportReason::parse(reason)?,
            note: report_note("note", note)?,
        })
    }
}

/// One report as the town's reviewer sees it (never who filed it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub reason: ReportReason,
    pub note: String,
    pub created_at: UtcMillis,
    pub resolution: Option<ReportResolution>,
    pub resolution_note: String,
    pub resolved_at: Option<UtcMillis>,
}

/// A reported need with its open and recently resolved reports, newest first, and whether the
/// caller may act on it (an admin sees every town's, but acts only as a town's reviewer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedNeed {
    pub need: PublicNeed,
    pub reports: Vec<ReportView>,
    pub can_act: bool,
}

impl ReportedNeed {
    pub fn open_reports(&self) -> usize {
        self.reports
            .iter()
            .filter(|report| report.resolution.is_none())
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_reads_back_from_its_code_and_nothing_else_does() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.code()), Ok(reason));
        }
        for bad in ["", "NOT_TRUE", "spam", "其他"] {
            assert_eq!(
                ReportReason::parse(bad).unwrap_err().code(),
                "Invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_report_keeps_a_trimmed_note_and_may_have_none() {
        let report = NewReport::parse("already_helped", "  镇民政办上月已经资助过。 \r\n").unwrap();
        assert_eq!(report.reason, ReportReason::AlreadyHelped);
        assert_eq!(report.note, "镇民政办上月已经资助过。");
        assert_eq!(NewReport::parse("other", "   ").unwrap().note, "");
    }

    #[test]
    fn a_report_note_is_bounded_and_carries_no_phone_or_web_address() {
        let long = "多".repeat(REPORT_NOTE_MAX + 1);
        let just = "多".repeat(REPORT_NOTE_MAX);
        assert_eq!(NewReport::parse("other", &just).unwrap().note, just);
        for bad in [
            long.as_str(),
            "请打 138 1234 5678 核实",
            "身份证 32118119800101001X",
            "详见 https://example.com/x",
            "见 www.example.cn",
            "坏字符\u{0}",
        ] {
            let error = NewReport::parse("not_true", bad).unwrap_err();
            assert_eq!(error.code(), "Invalid", "{bad}");
            assert!(matches!(&error, AppError::Invalid { field, .. } if field == "note"));
        }
    }

    #[test]
    fn a_reviewer_chooses_dismissed_or_corrected_and_withdraws_by_its_own_action() {
        assert_eq!(
            ReportResolution::parse_chosen("dismissed"),
            Ok(ReportResolution::Dismissed)
        );
        assert_eq!(
            ReportResolution::parse_chosen("corrected"),
            Ok(ReportResolution::Corrected)
        );
        assert!(ReportResolution::parse_chosen("withdrawn").is_err());
        assert!(ReportResolution::parse_chosen("").is_err());
        for resolution in [
            ReportResolution::Dismissed,
            ReportResolution::Corrected,
            ReportResolution::Withdrawn,
        ] {
            assert_eq!(ReportResolution::parse(resolution.code()), Ok(resolution));
        }
    }
}
