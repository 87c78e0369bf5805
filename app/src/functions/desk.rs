//! The supervision desk: its figures, one need's trail, and referrals' outcomes. Officials
//! (city-wide or of one town) and admins read the desk; no answer here carries a household's
//! identity (households are [`HouseholdLabel`](crate::private::HouseholdLabel)s).

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::private::DeskScope;
use crate::private::{Desk, NeedTrail};
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_i18n::td_string;

/// The scope a reader asked for, checked and filled in: a town they may see (or the whole
/// city, if they may), and a period `[from, to)` of whole Shanghai days.
#[cfg(feature = "ssr")]
pub struct Scope {
    pub town: Option<String>,
    pub from: crate::domain::UtcMillis,
    pub to: crate::domain::UtcMillis,
    pub asked: DeskScope,
}

#[cfg(feature = "ssr")]
pub fn resolve_scope(
    reader: &crate::people::Viewer,
    asked: &DeskScope,
    settings: &crate::settings::Settings,
    now: crate::domain::UtcMillis,
) -> Result<Scope, AppError> {
    use crate::access::{check, permits, towns_for, Action};
    use crate::domain::UtcMillis;
    use crate::people::Role;
    const DAY: i64 = 86_400_000;
    let town = match asked.town.as_deref().map(str::trim) {
        Some(town) if !town.is_empty() => {
            settings.check_town("town", town)?;
            check(reader, Action::SeeDesk { town: Some(town) })?;
            Some(town.to_owned())
        }
        _ if permits(reader, Action::SeeDesk { town: None }) => None,
        // A town's official sees their (first) town unless they chose another of theirs.
        _ => match towns_for(reader, Role::Official) {
            Some(towns) if !towns.is_empty() => Some(towns[0].to_owned()),
            _ => return Err(AppError::Forbidden),
        },
    };
    let locale = crate::lang::locale();
    let today = UtcMillis::parse_shanghai_date(&now.shanghai_date_text()).unwrap_or(now);
    let date = |field: &str, text: &str, default: UtcMillis| match text.trim() {
        "" => Ok(default),
        typed => UtcMillis::parse_shanghai_date(typed)
            .ok_or_else(|| AppError::invalid(field, td_string!(locale, desk.errors.date_format))),
    };
    let last_day = date("to", &asked.to, today)?;
    let from = date(
        "from",
        &asked.from,
        UtcMillis(today.0 + DAY).months_before(12),
    )?;
    let to = UtcMillis(last_day.0 + DAY);
    if from >= to {
        return Err(AppError::invalid(
            "from",
            td_string!(locale, desk.errors.from_before_to),
        ));
    }
    if to.0 - from.0 > 10 * 366 * DAY {
        return Err(AppError::invalid(
            "from",
            td_string!(locale, desk.errors.ten_years),
        ));
    }
    Ok(Scope {
        asked: DeskScope {
            town: town.clone(),
            from: from.shanghai_date_text(),
            to: last_day.shanghai_date_text(),
        },
        town,
        from,
        to,
    })
}

/// Everything `/desk` shows for the scope asked (`town` empty: the reader's whole area).
#[server(prefix = "/api", endpoint = "get_desk")]
pub async fn get_desk(
    #[server(default)] town: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<Desk, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, Action};
    use crate::db::{desk, Db};
    use crate::domain::UtcMillis;
    use crate::private::DeskStage;
    use crate::settings::Settings;
    let reader = signed_in().await?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let now = UtcMillis::now();
    let asked = DeskScope {
        town: Some(town),
        from,
        to,
    };
    let scope = resolve_scope(&reader, &asked, &settings, now)?;
    let town = scope.town.as_deref();
    let limits = settings.overdue_limits;
    let mut overdue = Vec::new();
    for stage in DeskStage::ALL {
        overdue.push(
            desk::overdue(
                &db,
                stage,
                limits,
                town,
                Some(crate::private::OverdueList::SHOWN),
                now,
            )
            .await?,
        );
    }
    let mut referrals = desk::referrals(&db, town, false).await?;
    for referral in &mut referrals {
        referral.can_record = permits(
            &reader,
            Action::RecordReferral {
                town: &referral.town,
            },
        );
    }
    let towns = settings
        .towns
        .iter()
        .filter(|t| permits(&reader, Action::SeeDesk { town: Some(t) }))
        .cloned()
        .collect();
    Ok(Desk {
        city_wide: permits(&reader, Action::SeeDesk { town: None }),
        towns,
        by_town: desk::overdue_by_town(&db, limits, town, now).await?,
        flow: desk::flow(&db, town, scope.from, scope.to).await?,
        supply: desk::supply(&db, town, UtcMillis(now.0 - 30 * 86_400_000)).await?,
        referrals,
        open_reports: desk::open_reports(&db, town).await?,
        overdue,
        scope: scope.asked,
        now,
    })
}

/// One need's full trail and its household's access log: for admins and the officials of
/// the need's town. `NeedNotFound` for an unknown id (also when the reader may not see it,
/// so ids cannot be probed).
#[server(prefix = "/api", endpoint = "get_need_trail")]
pub async fn get_need_trail(need_id: i64) -> Result<NeedTrail, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, Action};
    use crate::db::{desk, Db};
    use crate::domain::NeedId;
    use crate::people::Role;
    let reader = signed_in().await?;
    let db: Db = from_context()?;
    let id = NeedId(need_id);
    // Someone without the desk hears they may not; a reader of the desk hears "not found" for
    // a need they may not see as for one that never was.
    if !(reader.has(Role::Official) || reader.has(Role::Admin)) {
        return Err(AppError::Forbidden);
    }
    match crate::db::needs::town_of(&db, id).await? {
        Some(town) if permits(&reader, Action::SeeDesk { town: Some(&town) }) => {}
        _ => return Err(AppError::NeedNotFound),
    }
    desk::trail(&db, id).await?.ok_or(AppError::NeedNotFound)
}

/// Records what the programme decided about a referred need: the town's council reviewers
/// or its officials. Granted (with the amount, 0 for help in kind) is written into the
/// family's aid history; refused or withdrawn sends the need back to its author as a draft.
#[server(prefix = "/api", endpoint = "record_referral_outcome")]
pub async fn record_referral_outcome(
    referral_id: i64,
    outcome: String,
    #[server(default)] amount: String,
    #[server(default)] note: String,
    #[server(default)] back_to: String,
) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{referrals, Db};
    use crate::domain::UtcMillis;
    let recorder = signed_in().await?;
    let db: Db = from_context()?;
    let pending = referrals::pending(&db, referral_id).await?;
    let Some(pending) = pending else {
        // Decided already (or never was): staff hear so; others learn nothing about ids.
        let staff = recorder.has(crate::people::Role::Reviewer)
            || recorder.has(crate::people::Role::Official);
        return Err(if staff {
            AppError::WrongStage
        } else {
            AppError::Forbidden
        });
    };
    check(
        &recorder,
        Action::RecordReferral {
            town: &pending.town,
        },
    )?;
    let (outcome, granted, note) = crate::private::referral_outcome(&outcome, &amount, &note)?;
    referrals::record_outcome(
        &db,
        referral_id,
        outcome,
        granted,
        &note,
        recorder.id,
        UtcMillis::now(),
    )
    .await?;
    let page = if back_to == "review" {
        "/review"
    } else {
        "/desk"
    };
    super::after_form_post(&format!("{page}?recorded={}", pending.need.0));
    Ok(())
}

/// The CSV of one of the desk's lists, for the scope asked: `council`, `volunteer`,
/// `unclaimed`, `undelivered`, `unconfirmed` (overdue needs), `flow`, `supply` or
/// `referrals`. Returns the file's name and its text (UTF-8 with a byte-order mark).
#[cfg(feature = "ssr")]
pub async fn desk_csv(
    db: &crate::db::Db,
    reader: &crate::people::Viewer,
    settings: &crate::settings::Settings,
    list: &str,
    asked: &DeskScope,
) -> Result<(String, String), AppError> {
    use crate::db::desk;
    use crate::domain::UtcMillis;
    use crate::private::{duration_text, DeskStage};
    let locale = crate::lang::locale();
    let now = UtcMillis::now();
    let scope = resolve_scope(reader, asked, settings, now)?;
    let town = scope.town.as_deref();
    // The flow file holds two tables (figures, then stage times): records of any length.
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(b"\xEF\xBB\xBF".to_vec());
    let failed = |e: csv::Error| AppError::internal("writing a desk CSV", e);
    let area = if town.is_some() { "town" } else { "city" };
    let name = match list {
        "flow" => {
            let flow = desk::flow(db, town, scope.from, scope.to).await?;
            out.write_record([
                td_string!(locale, desk.col.month),
                td_string!(locale, desk.col.window),
                td_string!(locale, desk.col.entered),
                td_string!(locale, desk.col.returned),
                td_string!(locale, desk.col.published),
                td_string!(locale, desk.col.claimed),
                td_string!(locale, desk.col.fulfilled),
                td_string!(locale, desk.col.referred),
                td_string!(locale, desk.csv.reviews),
                td_string!(locale, desk.csv.warned),
                td_string!(locale, desk.csv.approved_over_warning),
                td_string!(locale, desk.col.warning_rate),
                td_string!(locale, desk.col.approved_rate),
            ])
            .map_err(failed)?;
            let mut total = flow.total.clone();
            total.month = td_string!(locale, desk.total).into();
            for row in flow.rows.iter().chain(std::iter::once(&total)) {
                let window = row.window.map_or_else(
                    || td_string!(locale, desk.all_windows).to_owned(),
                    |w| settings.city.label(w),
                );
                out.write_record([
                    row.month.as_str(),
                    &window,
                    &row.entered.to_string(),
                    &row.returned.to_string(),
                    &row.published.to_string(),
                    &row.claimed.to_string(),
                    &row.fulfilled.to_string(),
                    &row.referred.to_string(),
                    &row.reviews.to_string(),
                    &row.warned.to_string(),
                    &row.approved_over_warning.to_string(),
                    &row.warning_rate(),
                    &row.approval_over_warning_rate(),
                ])
                .map_err(failed)?;
            }
            out.write_record(["", ""]).map_err(failed)?;
            out.write_record([
                td_string!(locale, desk.csv.stage),
                td_string!(locale, desk.csv.median),
                td_string!(locale, desk.csv.passed),
            ])
            .map_err(failed)?;
            for time in &flow.stage_times {
                let median = time.median_ms.map(duration_text).unwrap_or_default();
                out.write_record([time.stage.label(), &median, &time.passed.to_string()])
                    .map_err(failed)?;
            }
            format!(
                "desk-flow-{area}-{}-{}.csv",
                scope.asked.from, scope.asked.to
            )
        }
        "supply" => {
            let supply = desk::supply(db, town, UtcMillis(now.0 - 30 * 86_400_000)).await?;
            out.write_record([
                td_string!(locale, desk.col.window),
                td_string!(locale, desk.col.town),
                td_string!(locale, desk.csv.open_needs),
                td_string!(locale, desk.csv.open_money),
                td_string!(locale, desk.col.claims_30d),
                td_string!(locale, desk.csv.claimed_money_30d),
            ])
            .map_err(failed)?;
            for row in &supply {
                out.write_record([
                    &settings.city.label(row.window),
                    row.town.as_str(),
                    &row.open_needs.to_string(),
                    &row.open_money.yuan_input(),
                    &row.claims_30d.to_string(),
                    &row.claimed_money_30d.yuan_input(),
                ])
                .map_err(failed)?;
            }
            format!("desk-supply-{area}.csv")
        }
        "referrals" => {
            let referrals = desk::referrals(db, town, true).await?;
            out.write_record([
                td_string!(locale, desk.csv.need_id),
                td_string!(locale, desk.col.need),
                td_string!(locale, desk.col.window),
                td_string!(locale, desk.col.town),
                td_string!(locale, desk.col.household),
                td_string!(locale, desk.csv.programme),
                td_string!(locale, desk.csv.referred_at),
                td_string!(locale, desk.csv.due),
                td_string!(locale, desk.csv.outcome),
                td_string!(locale, desk.csv.granted),
                td_string!(locale, desk.col.detail),
            ])
            .map_err(failed)?;
            for r in &referrals {
                out.write_record([
                    r.need_id.0.to_string().as_str(),
                    &r.title,
                    &settings.city.label(r.window),
                    &r.town,
                    &r.household.0,
                    &r.programme,
                    &r.referred_at.shanghai_text(),
                    &r.due_at.shanghai_date_text(),
                    r.outcome
                        .map_or(td_string!(locale, desk.referral_waiting), |o| o.label()),
                    &r.granted.map(|f| f.yuan_input()).unwrap_or_default(),
                    r.outcome_note.as_deref().unwrap_or(&r.note),
                ])
                .map_err(failed)?;
            }
            format!("desk-referrals-{area}.csv")
        }
        stage => {
            let stage = DeskStage::parse(stage).map_err(|_| AppError::NeedNotFound)?;
            let list = desk::overdue(db, stage, settings.overdue_limits, town, None, now).await?;
            out.write_record([
                td_string!(locale, desk.csv.need_id),
                td_string!(locale, desk.col.need),
                td_string!(locale, desk.col.window),
                td_string!(locale, desk.col.town),
                td_string!(locale, desk.col.household),
                td_string!(locale, desk.csv.since),
                td_string!(locale, desk.csv.days_waited),
            ])
            .map_err(failed)?;
            for need in &list.needs {
                out.write_record([
                    need.need_id.0.to_string().as_str(),
                    &need.title,
                    &settings.city.label(need.window),
                    &need.town,
                    &need.household.0,
                    &need.since.shanghai_text(),
                    &need.days.to_string(),
                ])
                .map_err(failed)?;
            }
            format!("desk-overdue-{}-{area}.csv", stage.code())
        }
    };
    let bytes = out
        .into_inner()
        .map_err(|e| AppError::internal("finishing a desk CSV", e.to_string()))?;
    let text = String::from_utf8(bytes)
        .map_err(|e| AppError::internal("a desk CSV is not UTF-8", e.to_string()))?;
    Ok((name, text))
}
