//! A need's trail: the lifecycle steps no other table records (reviews and claims keep their
//! own rows), appended in the transaction of the change. Append-only (a trigger refuses
//! updates and deletes). The desk composes the full trail from this, the reviews and the
//! claims ([`super::desk::trail`]).

use crate::domain::{NeedId, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use leptos_i18n::td_string;
use sqlx::AnyConnection;

/// What happened to a need, as the trail names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Entered,
    Edited,
    Submitted,
    Referred,
    ReferralOutcome,
    Reported,
    Paused,
    ReportResolved,
    Resumed,
    Withdrawn,
    /// Booked onto a service offer at review instead of the board.
    Matched,
    /// What came of that booking: attended (fulfilled), or not (back to its author).
    MatchEnded,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Entered => "entered",
            Step::Edited => "edited",
            Step::Submitted => "submitted",
            Step::Referred => "referred",
            Step::ReferralOutcome => "referral_outcome",
            Step::Reported => "reported",
            Step::Paused => "paused",
            Step::ReportResolved => "report_resolved",
            Step::Resumed => "resumed",
            Step::Withdrawn => "withdrawn",
            Step::Matched => "matched",
            Step::MatchEnded => "match_ended",
        }
    }

    /// How the desk's trail names it.
    pub fn label(code: &str) -> &'static str {
        let locale = crate::lang::locale();
        match code {
            "entered" => td_string!(locale, desk.step.entered),
            "edited" => td_string!(locale, desk.step.edited),
            "submitted" => td_string!(locale, desk.step.submitted),
            "referred" => td_string!(locale, desk.step.referred),
            "referral_outcome" => td_string!(locale, desk.step.referral_outcome),
            "reported" => td_string!(locale, desk.step.reported),
            "paused" => td_string!(locale, desk.step.paused),
            "report_resolved" => td_string!(locale, desk.step.report_resolved),
            "resumed" => td_string!(locale, desk.step.resumed),
            "withdrawn" => td_string!(locale, desk.step.withdrawn),
            "matched" => td_string!(locale, desk.step.matched),
            "match_ended" => td_string!(locale, desk.step.match_ended),
            _ => td_string!(locale, desk.step.other),
        }
    }
}

/// Appends one step, by `actor` (none for the public), with a short `detail`.
pub async fn append(
    conn: &mut AnyConnection,
    need: NeedId,
    step: Step,
    actor: Option<UserId>,
    detail: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO need_trail (need_id, action, actor_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(need.0)
    .bind(step.code())
    .bind(actor.map(|a| a.0))
    .bind(detail)
    .bind(now.0)
    .execute(conn)
    .await?;
    Ok(())
}
