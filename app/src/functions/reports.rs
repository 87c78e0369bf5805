//! Reports from the public (举报/纠错), and what the town's council reviewer does about them.

use crate::domain::ReportedNeed;
use crate::error::AppError;
use leptos::prelude::*;

/// Anyone, signed in or not, reports a need the public can see: a reason from the list and an
/// optional note (no phone or web address). At most three per client address in ten minutes.
#[server(prefix = "/api", endpoint = "report_need")]
pub async fn report_need(
    need_id: i64,
    #[server(default)] reason: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::{after_form_post, client_addr, from_context, viewer};
    use crate::db::{reports, Db};
    use crate::domain::{NeedId, NewReport, UtcMillis};
    // Checked before anything is counted or stored.
    let report = NewReport::parse(&reason, &note)?;
    if need_id <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let reporter = viewer().await?.map(|viewer| viewer.id);
    let db: Db = from_context()?;
    let need = NeedId(need_id);
    reports::file(
        &db,
        need,
        &report,
        reporter,
        client_addr(),
        UtcMillis::now(),
    )
    .await?;
    after_form_post(&format!("/needs/{need_id}/report?sent=1"));
    Ok(())
}

/// The reported needs the caller looks after, with their open and recent reports: a council
/// reviewer's towns; every town for an admin (who acts only as a town's reviewer).
#[server(prefix = "/api", endpoint = "list_reports")]
pub async fn list_reports() -> Result<Vec<ReportedNeed>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, towns_for, Action};
    use crate::db::{reports, Db};
    use crate::domain::UtcMillis;
    use crate::people::Role;
    let viewer = signed_in().await?;
    let towns = if viewer.has(Role::Admin) {
        None
    } else if viewer.has(Role::Reviewer) {
        towns_for(&viewer, Role::Reviewer)
    } else {
        return Err(AppError::Forbidden);
    };
    let db: Db = from_context()?;
    let mut listed = reports::list(&db, towns.as_deref(), UtcMillis::now()).await?;
    for reported in &mut listed {
        let town = reported.need.town.as_str();
        reported.can_act = permits(&viewer, Action::HandleReport { town });
    }
    Ok(listed)
}

/// The caller, if they may handle reports of the need's town (`NeedNotFound` for no need).
#[cfg(feature = "ssr")]
async fn handler_of(
    db: &crate::db::Db,
    need: crate::domain::NeedId,
) -> Result<crate::people::Viewer, AppError> {
    use crate::access::{check, Action};
    let viewer = super::signed_in().await?;
    if need.0 <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let town = crate::db::needs::town_of(db, need)
        .await?
        .ok_or(AppError::NeedNotFound)?;
    check(&viewer, Action::HandleReport { town: &town })?;
    Ok(viewer)
}

/// The town's council reviewer pauses a published need while its reports are looked into: it
/// leaves every open board at once; pledges already made stay.
#[server(prefix = "/api", endpoint = "pause_need")]
pub async fn pause_need(need_id: i64) -> Result<(), AppError> {
    use super::{after_form_post, from_context};
    use crate::db::{reports, Db};
    use crate::domain::{NeedId, UtcMillis};
    let db: Db = from_context()?;
    let need = NeedId(need_id);
    let reviewer = handler_of(&db, need).await?;
    reports::pause(&db, need, reviewer.id, UtcMillis::now()).await?;
    after_form_post(&format!("/review/reports?paused={need_id}"));
    Ok(())
}

/// Puts a paused need back on every open board.
#[server(prefix = "/api", endpoint = "resume_need")]
pub async fn resume_need(need_id: i64) -> Result<(), AppError> {
    use super::{after_form_post, from_context};
    use crate::db::{reports, Db};
    use crate::domain::{NeedId, UtcMillis};
    let db: Db = from_context()?;
    let need = NeedId(need_id);
    let reviewer = handler_of(&db, need).await?;
    reports::resume(&db, need, reviewer.id, UtcMillis::now()).await?;
    after_form_post(&format!("/review/reports?resumed={need_id}"));
    Ok(())
}

/// Resolves one report: `dismissed` (不成立) or `corrected` (已更正), with an optional note.
#[server(prefix = "/api", endpoint = "resolve_report")]
pub async fn resolve_report(
    report_id: i64,
    #[server(default)] resolution: String,
    #[server(default)] note: String,
) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{reports, Db};
    use crate::domain::{report_note, ReportResolution, UtcMillis};
    let reviewer = signed_in().await?;
    let db: Db = from_context()?;
    let (_, town) = reports::need_of(&db, report_id).await?;
    check(&reviewer, Action::HandleReport { town: &town })?;
    let resolution = ReportResolution::parse_chosen(&resolution)?;
    let note = report_note("note", &note)?;
    reports::resolve(
        &db,
        report_id,
        resolution,
        &note,
        reviewer.id,
        UtcMillis::now(),
    )
    .await?;
    after_form_post(&format!("/review/reports?resolved={report_id}"));
    Ok(())
}

/// Withdraws a need for good: its undelivered claims are released and their donors told;
/// refused (`NotOpen`) once anything of it was delivered.
#[server(prefix = "/api", endpoint = "withdraw_need")]
pub async fn withdraw_need(need_id: i64, #[server(default)] note: String) -> Result<(), AppError> {
    use super::{after_form_post, from_context};
    use crate::db::{reports, Db};
    use crate::domain::{report_note, NeedId, UtcMillis};
    let db: Db = from_context()?;
    let need = NeedId(need_id);
    let reviewer = handler_of(&db, need).await?;
    let note = report_note("note", &note)?;
    reports::withdraw(&db, need, &note, reviewer.id, UtcMillis::now()).await?;
    after_form_post(&format!("/review/reports?withdrawn={need_id}"));
    Ok(())
}
