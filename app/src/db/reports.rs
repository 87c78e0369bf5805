//! Reports from the public (举报/纠错) and what the town's council reviewer does about them:
//! pause the need (off every open board, live, its pledges kept), resume it, resolve a report,
//! or withdraw the need for good (its undelivered claims released, their donors told). Every
//! change writes its step in the need's trail in the same transaction, and is decided by a
//! conditional UPDATE, whatever the race.
//!
//! Callers have checked who may do what ([`crate::access`]) and parsed what was typed
//! ([`crate::domain::NewReport`]).

use super::trail::{self, Step};
use super::{events, needs, notices, sign_in_tries, Db, Tx};
use crate::domain::{
    LiveChange, NeedId, NewNotice, NewReport, PublicNeed, ReportReason, ReportResolution,
    ReportView, ReportedNeed, UtcMillis,
};
use crate::error::AppError;
use crate::people::UserId;
use std::net::IpAddr;

/// Reports one client address may file in a window ([`REPORT_WINDOW_MS`]).
pub const REPORTS_PER_ADDRESS: i64 = 3;
/// The window reports per address are counted in: ten minutes, the sign-in window (the sweep
/// drops counts older than that).
pub const REPORT_WINDOW_MS: i64 = 600_000;
/// Unresolved reports one need keeps; beyond, a report is refused (the reviewer already has
/// plenty to go on, and nobody can fill the table through one need).
pub const OPEN_REPORTS_PER_NEED: i64 = 20;
/// A reviewer hears of reports of one need at most once in this long.
const TOLD_EVERY_MS: i64 = 3_600_000;
/// How long a resolved report stays on the reviewers' list.
const RESOLVED_SHOWN_MS: i64 = 30 * 86_400_000;

/// The key a client address's reports are counted under (beside the sign-in counts).
fn address_key(address: Option<IpAddr>) -> String {
    let address = address.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    format!("report:{address}")
}

/// Files a report of a need the public can see (published, claimed or paused; any other is
/// `NeedNotFound`), by `reporter` if signed in. At most [`REPORTS_PER_ADDRESS`] per address in
/// the window (`TooManyReports`) and [`OPEN_REPORTS_PER_NEED`] unresolved per need
/// (`ReportsFull`); a refused report changes nothing and does not count. The town's council
/// reviewers are told, each at most once an hour per need. Returns the report's id.
pub async fn file(
    db: &Db,
    need: NeedId,
    report: &NewReport,
    reporter: Option<UserId>,
    address: Option<IpAddr>,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let key = address_key(address);
    // The place is taken first, by one statement, so parallel reports cannot all slip in.
    if sign_in_tries::count_try(db, &key, now, REPORT_WINDOW_MS).await? > REPORTS_PER_ADDRESS {
        sign_in_tries::uncount_try(db, &key).await?;
        return Err(AppError::TooManyReports);
    }
    let filed = file_in(db, need, report, reporter, now).await;
    if filed.is_err() {
        sign_in_tries::uncount_try(db, &key).await?;
    }
    filed
}

async fn file_in(
    db: &Db,
    need: NeedId,
    report: &NewReport,
    reporter: Option<UserId>,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    // Reports of one need are counted (and their reviewers told) one at a time.
    needs::lock_row(&mut tx, need).await?;
    let found: Option<(String, String, i64)> = sqlx::query_as(
        "SELECT title, town, (SELECT COUNT(*) FROM reports r \
           WHERE r.need_id = needs.id AND r.resolved_at IS NULL) \
         FROM needs WHERE id = $1 AND status IN ('published', 'claimed', 'paused')",
    )
    .bind(need.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, town, open)) = found else {
        tx.rollback().await?;
        return Err(AppError::NeedNotFound);
    };
    if open >= OPEN_REPORTS_PER_NEED {
        tx.rollback().await?;
        return Err(AppError::ReportsFull);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reports (need_id, reason, note, reporter_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(need.0)
    .bind(report.reason.code())
    .bind(&report.note)
    .bind(reporter.map(|r| r.0))
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await?;
    // The trail says why, never who: officials read it.
    let label = report.reason.label();
    trail::append(&mut tx, need, Step::Reported, None, label, now).await?;
    let notice = NewNotice::report_received(need, &title, &town, label);
    let kind = notice.kind.code();
    let reviewers: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT g.user_id FROM user_roles g \
         WHERE g.role = 'reviewer' AND (g.town = $1 OR g.town = '') \
           AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.user_id = g.user_id \
             AND n.need_id = $2 AND n.kind = $3 AND n.created_at > $4) \
         ORDER BY g.user_id",
    )
    .bind(&town)
    .bind(need.0)
    .bind(kind)
    .bind(now.0 - TOLD_EVERY_MS)
    .fetch_all(&mut *tx)
    .await?;
    for reviewer in reviewers {
        notices::send(&mut tx, UserId(reviewer), &notice, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The need and town of a report; `Invalid` (field `report_id`) if there is none.
pub async fn need_of(db: &Db, report: i64) -> Result<(NeedId, String), AppError> {
    let found: Option<(i64, String)> = sqlx::query_as(
        "SELECT n.id, n.town FROM reports r JOIN needs n ON n.id = r.need_id WHERE r.id = $1",
    )
    .bind(report)
    .fetch_optional(&db.pool)
    .await?;
    found
        .map(|(need, town)| (NeedId(need), town))
        .ok_or_else(|| {
            AppError::invalid(
                "report_id",
                leptos_i18n::td_string!(crate::lang::locale(), reports.errors.not_found),
            )
        })
}

/// Moves a need from `from` to `to` by one conditional UPDATE under its row lock, returning it
/// as the public sees it; `WrongStage` (nothing changed) when it is not in `from`.
async fn move_need(
    tx: &mut Tx,
    need: NeedId,
    from: &str,
    to: &str,
    now: UtcMillis,
) -> Result<PublicNeed, AppError> {
    needs::lock_row(tx, need).await?;
    let row = sqlx::query(&format!(
        "UPDATE needs SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 \
         RETURNING {}",
        needs::PUBLIC_COLUMNS
    ))
    .bind(need.0)
    .bind(from)
    .bind(to)
    .bind(now.0)
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        Some(row) => needs::public_need(&row),
        None => Err(AppError::WrongStage),
    }
}

/// Runs `change` in a transaction: committed if it succeeded, rolled back otherwise.
async fn in_tx<T>(
    db: &Db,
    change: impl for<'t> AsyncFnOnce(&'t mut Tx) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut tx = db.begin().await?;
    match change(&mut tx).await {
        Ok(done) => {
            tx.commit().await?;
            Ok(done)
        }
        Err(error) => {
            tx.rollback().await?;
            Err(error)
        }
    }
}

/// The live event that takes `need` off every open board, and its public text out of the
/// replayable log (a report may be about that very text).
async fn off_the_boards(tx: &mut Tx, need: &PublicNeed, now: UtcMillis) -> Result<(), AppError> {
    let withdrawn = LiveChange::NeedWithdrawn {
        need_id: need.id,
        window: need.window,
        town: need.town.clone(),
    };
    events::redact_public_text(tx, &withdrawn).await?;
    events::append(tx, &withdrawn, now).await?;
    Ok(())
}

/// Pauses a published need while its reports are looked into: off every open board, live, as
/// a claim takes it; pledges already made stay. `WrongStage` unless it is published.
pub async fn pause(db: &Db, need: NeedId, by: UserId, now: UtcMillis) -> Result<(), AppError> {
    in_tx(db, async |tx: &mut Tx| {
        let paused = move_need(tx, need, "published", "paused", now).await?;
        trail::append(tx, need, Step::Paused, Some(by), "", now).await?;
        off_the_boards(tx, &paused, now).await
    })
    .await
}

/// Puts a paused need back on every open board, live. `WrongStage` unless it is paused.
pub async fn resume(db: &Db, need: NeedId, by: UserId, now: UtcMillis) -> Result<(), AppError> {
    in_tx(db, async |tx: &mut Tx| {
        let resumed = move_need(tx, need, "paused", "published", now).await?;
        trail::append(tx, need, Step::Resumed, Some(by), "", now).await?;
        let published = LiveChange::NeedPublished { need: resumed };
        events::append(tx, &published, now).await?;
        Ok(())
    })
    .await
}

/// Resolves one unresolved report (dismissed or corrected) with the reviewer's note; the
/// trail says how. `WrongStage` if it was already resolved.
pub async fn resolve(
    db: &Db,
    report: i64,
    resolution: ReportResolution,
    note: &str,
    by: UserId,
    now: UtcMillis,
) -> Result<(), AppError> {
    in_tx(db, async |tx: &mut Tx| {
        let resolved: Option<(i64, String)> = sqlx::query_as(
            "UPDATE reports SET resolution = $2, resolution_note = $3, resolved_by = $4, \
             resolved_at = $5 WHERE id = $1 AND resolved_at IS NULL RETURNING need_id, reason",
        )
        .bind(report)
        .bind(resolution.code())
        .bind(note)
        .bind(by.0)
        .bind(now.0)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((need, reason)) = resolved else {
            return Err(AppError::WrongStage);
        };
        let reason = ReportReason::parse(&reason).map_err(|e| AppError::corrupt("report", e))?;
        let (reason, resolution) = (reason.label(), resolution.label());
        let detail = format!("{reason}：{resolution}"); // i18n-allow: stored in the need's trail
        let detail = with_note(detail, note);
        let need = NeedId(need);
        trail::append(tx, need, Step::ReportResolved, Some(by), &detail, now).await
    })
    .await
}

fn with_note(detail: String, note: &str) -> String {
    if note.is_empty() {
        detail
    } else {
        format!("{detail}。{note}") // i18n-allow: stored in the need's trail
    }
}

/// Withdraws a need for good (published, claimed or paused): off every board and page, its
/// undelivered claims and pledges released and their donors told, what was pledged reset, its
/// unresolved reports resolved as withdrawn. `NotOpen` (nothing changed) once any claim was
/// delivered or confirmed: someone already gave. `WrongStage` from any other status. Returns
/// how many claims were released.
pub async fn withdraw(
    db: &Db,
    need: NeedId,
    note: &str,
    by: UserId,
    now: UtcMillis,
) -> Result<usize, AppError> {
    in_tx(db, async |tx: &mut Tx| {
        needs::lock_row(tx, need).await?;
        let row = sqlx::query(&format!(
            "UPDATE needs SET status = 'withdrawn', pledged_fen = 0, updated_at = $2 \
             WHERE id = $1 AND status IN ('published', 'claimed', 'paused') RETURNING {}",
            needs::PUBLIC_COLUMNS
        ))
        .bind(need.0)
        .bind(now.0)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(row) = row else {
            return Err(AppError::WrongStage);
        };
        let withdrawn = needs::public_need(&row)?;
        // Released first, then counted: a delivery marked in between either comes before the
        // release (and is counted below) or finds its claim no longer open.
        let released: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "UPDATE claims SET status = 'released', released_at = $2 \
             WHERE need_id = $1 AND status = 'open' RETURNING id, donor_id",
        )
        .bind(need.0)
        .bind(now.0)
        .fetch_all(&mut **tx)
        .await?;
        let given: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM claims WHERE need_id = $1 \
             AND status IN ('delivered', 'confirmed')",
        )
        .bind(need.0)
        .fetch_one(&mut **tx)
        .await?;
        if given > 0 {
            return Err(AppError::NotOpen);
        }
        for (claim, donor) in &released {
            if let Some(donor) = donor {
                let notice = NewNotice::need_withdrawn(need, *claim, &withdrawn.title);
                notices::send(tx, UserId(*donor), &notice, now).await?;
            }
        }
        let resolved = sqlx::query(
            "UPDATE reports SET resolution = 'withdrawn', resolution_note = $2, \
             resolved_by = $3, resolved_at = $4 WHERE need_id = $1 AND resolved_at IS NULL",
        )
        .bind(need.0)
        .bind(note)
        .bind(by.0)
        .bind(now.0)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        trail::append(tx, need, Step::Withdrawn, Some(by), note, now).await?;
        if resolved > 0 {
            let withdrawn = ReportResolution::Withdrawn.label();
            let detail = format!("{resolved} 条举报：{withdrawn}"); // i18n-allow: stored in the need's trail
            trail::append(tx, need, Step::ReportResolved, Some(by), &detail, now).await?;
        }
        notices::forget_watches(tx, need).await?;
        // Off every board it is on, and any page open on it.
        off_the_boards(tx, &withdrawn, now).await?;
        Ok(released.len())
    })
    .await
}

/// The reported needs of `towns` (`None`: every town): those with an unresolved report or one
/// resolved within 30 days, the most recently reported first, each with those reports.
/// `can_act` is false here; the caller decides it.
pub async fn list(
    db: &Db,
    towns: Option<&[&str]>,
    now: UtcMillis,
) -> Result<Vec<ReportedNeed>, AppError> {
    if towns == Some(&[]) {
        return Ok(Vec::new());
    }
    let in_towns = super::and_town_in("n.town", towns);
    let since = towns.map_or(0, <[&str]>::len) + 1;
    let sql = format!(
        "SELECT r.id, r.need_id, r.reason, r.note, r.created_at, r.resolution, \
         r.resolution_note, r.resolved_at FROM reports r JOIN needs n ON n.id = r.need_id \
         WHERE (r.resolved_at IS NULL OR r.resolved_at > ${since}){in_towns} \
         ORDER BY r.created_at DESC, r.id DESC LIMIT 500"
    );
    let mut query = sqlx::query_as::<_, ReportRow>(&sql);
    for town in towns.unwrap_or_default() {
        query = query.bind(*town);
    }
    let rows = query
        .bind(now.0 - RESOLVED_SHOWN_MS)
        .fetch_all(&db.pool)
        .await?;
    let mut listed: Vec<ReportedNeed> = Vec::new();
    for row in rows {
        let need = NeedId(row.need_id);
        let report = ReportView::try_from(row)?;
        match listed.iter_mut().find(|reported| reported.need.id == need) {
            Some(reported) => reported.reports.push(report),
            None => listed.push(ReportedNeed {
                need: stored_need(db, need).await?,
                reports: vec![report],
                can_act: false,
            }),
        }
    }
    Ok(listed)
}

/// A need's public fields whatever its status (the reviewer sees paused and withdrawn ones).
async fn stored_need(db: &Db, need: NeedId) -> Result<PublicNeed, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM needs WHERE id = $1",
        needs::PUBLIC_COLUMNS
    ))
    .bind(need.0)
    .fetch_one(&db.pool)
    .await?;
    needs::public_need(&row)
}

/// A report as stored.
#[derive(sqlx::FromRow)]
struct ReportRow {
    id: i64,
    need_id: i64,
    reason: String,
    note: String,
    created_at: i64,
    resolution: Option<String>,
    resolution_note: Option<String>,
    resolved_at: Option<i64>,
}

impl TryFrom<ReportRow> for ReportView {
    type Error = AppError;

    fn try_from(row: ReportRow) -> Result<ReportView, AppError> {
        let corrupt = |e: AppError| AppError::corrupt("report", e);
        Ok(ReportView {
            id: row.id,
            reason: ReportReason::parse(&row.reason).map_err(corrupt)?,
            note: row.note,
            created_at: UtcMillis(row.created_at),
            resolution: row
                .resolution
                .as_deref()
                .map(ReportResolution::parse)
                .transpose()
                .map_err(corrupt)?,
            resolution_note: row.resolution_note.unwrap_or_default(),
            resolved_at: row.resolved_at.map(UtcMillis),
        })
    }
}
