//! Volunteer hours (志愿服务时长): a volunteer records what they did; a coordinator of the town
//! (a council reviewer or another volunteer, never the volunteer) confirms or refuses it; the
//! volunteer reads their totals and prints a volunteer-service record whose code anyone can
//! verify; admins export the confirmed hours as CSV.

// `record_hours` takes its form's eight fields as they are posted (a plain form, no struct
// keys); the macro's client half carries them too, so the allowance is for the module.
#![allow(clippy::too_many_arguments)]

use crate::domain::{ActivityView, HoursCertificate, HoursVerification, MyHours};
use crate::error::AppError;
use leptos::prelude::*;

/// The towns a volunteer records hours for: their volunteer grants, or every configured town
/// for a city-wide volunteer.
#[cfg(feature = "ssr")]
fn volunteer_towns(viewer: &crate::people::Viewer) -> Result<Vec<String>, AppError> {
    use crate::access::towns_for;
    use crate::people::Role;
    Ok(match towns_for(viewer, Role::Volunteer) {
        None => super::from_context::<crate::settings::Settings>()?.towns,
        Some(towns) => towns.into_iter().map(str::to_owned).collect(),
    })
}

/// A volunteer records an activity of a town they serve: its kind, date, and time in and out
/// or a duration. Pending until a coordinator decides. At most 20 a day.
#[server(prefix = "/api", endpoint = "record_hours")]
pub async fn record_hours(
    #[server(default)] kind: String,
    #[server(default)] town: String,
    #[server(default)] date: String,
    #[server(default)] time_in: String,
    #[server(default)] time_out: String,
    #[server(default)] hours: String,
    #[server(default)] need_id: String,
    #[server(default)] note: String,
) -> Result<i64, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{hours, Db};
    use crate::domain::{ActivityForm, NewActivity, UtcMillis};
    let viewer = signed_in().await?;
    let towns = volunteer_towns(&viewer)?;
    if towns.is_empty() {
        return Err(AppError::Forbidden);
    }
    let now = UtcMillis::now();
    let form = ActivityForm {
        kind,
        town,
        date,
        time_in,
        time_out,
        hours,
        need_id,
        note,
    };
    let activity = NewActivity::parse(&form, &towns, now)?;
    check(
        &viewer,
        Action::RecordHours {
            town: &activity.town,
        },
    )?;
    let db: Db = from_context()?;
    let id = hours::record(&db, viewer.id, &activity, now).await?;
    after_form_post(&format!("/my/hours?recorded={id}"));
    Ok(id)
}

/// The caller's own activities (a page at a time, older than `before`), their confirmed
/// totals by month, and the towns they may record for. Anyone signed in: their own only.
#[server(prefix = "/api", endpoint = "get_my_hours")]
pub async fn get_my_hours(#[server(default)] before: Option<i64>) -> Result<MyHours, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{hours, Db};
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    let (activities, older) = hours::mine(&db, viewer.id, before).await?;
    let (months, confirmed_minutes, pending) = hours::totals(&db, viewer.id).await?;
    Ok(MyHours {
        activities,
        older,
        months,
        confirmed_minutes,
        pending,
        towns: volunteer_towns(&viewer)?,
        today: crate::domain::UtcMillis::now().shanghai_date_text(),
    })
}

/// The pending activities the caller may decide: of the towns where they are a council
/// reviewer or a volunteer, never their own. Others: `Forbidden`.
#[server(prefix = "/api", endpoint = "list_pending_hours")]
pub async fn list_pending_hours() -> Result<Vec<ActivityView>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{permits, towns_for, Action};
    use crate::db::{hours, Db};
    use crate::people::{Role, UserId};
    let viewer = signed_in().await?;
    if !viewer.has(Role::Reviewer) && !viewer.has(Role::Volunteer) {
        return Err(AppError::Forbidden);
    }
    let towns = match (
        towns_for(&viewer, Role::Reviewer),
        towns_for(&viewer, Role::Volunteer),
    ) {
        (Some(mut reviewing), Some(volunteering)) => {
            reviewing.extend(volunteering);
            Some(reviewing)
        }
        _ => None,
    };
    let db: Db = from_context()?;
    let listed = hours::pending(&db, towns.as_deref()).await?;
    // The volunteer's own are not theirs to decide.
    Ok(listed
        .into_iter()
        .filter(|activity| {
            let action = Action::ConfirmHours {
                town: &activity.town,
                volunteer: UserId(activity.volunteer_id),
            };
            permits(&viewer, action)
        })
        .collect())
}

/// The caller, if they may decide the activity (`Invalid` naming `activity_id` for none).
#[cfg(feature = "ssr")]
async fn coordinator_of(
    db: &crate::db::Db,
    activity_id: i64,
) -> Result<crate::people::Viewer, AppError> {
    use crate::access::{check, Action};
    let viewer = super::signed_in().await?;
    let (volunteer, town) = crate::db::hours::parties(db, activity_id).await?;
    check(
        &viewer,
        Action::ConfirmHours {
            town: &town,
            volunteer,
        },
    )?;
    Ok(viewer)
}

/// A coordinator of the town confirms a pending activity: it counts in the volunteer's hours.
/// A second decision is `WrongStage`.
#[server(prefix = "/api", endpoint = "confirm_hours")]
pub async fn confirm_hours(activity_id: i64) -> Result<(), AppError> {
    use super::{after_form_post, from_context};
    use crate::db::{hours, Db};
    use crate::domain::UtcMillis;
    let db: Db = from_context()?;
    let coordinator = coordinator_of(&db, activity_id).await?;
    hours::decide(&db, activity_id, coordinator.id, None, UtcMillis::now()).await?;
    after_form_post(&format!("/review/hours?confirmed={activity_id}"));
    Ok(())
}

/// A coordinator of the town refuses a pending activity, saying why (the volunteer reads it).
#[server(prefix = "/api", endpoint = "refuse_hours")]
pub async fn refuse_hours(
    activity_id: i64,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use super::{after_form_post, from_context};
    use crate::db::{hours, Db};
    use crate::domain::{refusal_reason, UtcMillis};
    let db: Db = from_context()?;
    let coordinator = coordinator_of(&db, activity_id).await?;
    let reason = refusal_reason(&reason)?;
    hours::decide(
        &db,
        activity_id,
        coordinator.id,
        Some(&reason),
        UtcMillis::now(),
    )
    .await?;
    after_form_post(&format!("/review/hours?refused={activity_id}"));
    Ok(())
}

/// The caller's volunteer-service record for a period (`YYYY-MM-DD`, at most a year, not in
/// the future): their confirmed activities with who confirmed each, the total, and a
/// verification code (the same code for the same period and total; none when there is
/// nothing confirmed to certify).
#[server(prefix = "/api", endpoint = "get_hours_certificate")]
pub async fn get_hours_certificate(
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<HoursCertificate, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{hours, Db};
    use crate::domain::{programme, HoursPeriod, UtcMillis};
    let viewer = signed_in().await?;
    let now = UtcMillis::now();
    let period = HoursPeriod::parse(&from, &to, now)?;
    let db: Db = from_context()?;
    let lines = hours::confirmed_in(&db, viewer.id, period).await?;
    // The totals over every confirmed activity (the lines listed are at most a thousand).
    let (total_minutes, count) = hours::confirmed_total(&db, viewer.id, period).await?;
    let (code, issued_at) = if count == 0 {
        (String::new(), now)
    } else {
        hours::certificate_code(&db, viewer.id, period, total_minutes, count, now).await?
    };
    Ok(HoursCertificate {
        code,
        volunteer_name: viewer.name.clone(),
        programme: programme(&from_context::<crate::settings::Settings>()?.city.brand),
        from: period.from_text(),
        to: period.to_text(),
        total_minutes,
        lines,
        issued_at,
    })
}

/// Anyone: whether a volunteer-service record with this code was issued, with the name masked
/// (张*) and the totals only. `None` for a code that is not one.
#[server(prefix = "/api", endpoint = "verify_hours")]
pub async fn verify_hours(
    #[server(default)] code: String,
) -> Result<Option<HoursVerification>, AppError> {
    use super::from_context;
    use crate::db::{hours, Db};
    use crate::domain::CertificateCode;
    let Some(code) = CertificateCode::normalise(&code) else {
        return Ok(None);
    };
    let db: Db = from_context()?;
    let brand = from_context::<crate::settings::Settings>()?.city.brand;
    Ok(hours::verify(&db, &code)
        .await?
        .map(|found| HoursVerification {
            programme: crate::domain::programme(&brand),
            ..found
        }))
}

/// `GET /admin/export/hours.csv?from=&to=`: every confirmed activity of the period (default:
/// the year up to today) as CSV. Admins only. Returns the file's name and its text.
#[cfg(feature = "ssr")]
pub async fn hours_csv(
    db: &crate::db::Db,
    reader: &crate::people::Viewer,
    from: &str,
    to: &str,
) -> Result<(String, String), AppError> {
    use crate::access::{check, Action};
    use crate::db::hours;
    use crate::domain::{shanghai_midnight, HoursPeriod, UtcMillis};
    check(reader, Action::Administer)?;
    let now = UtcMillis::now();
    let today = shanghai_midnight(now);
    let to = match to.trim() {
        "" => today.shanghai_date_text(),
        to => to.to_owned(),
    };
    let from = match from.trim() {
        "" => UtcMillis(today.0 - 364 * 86_400_000).shanghai_date_text(),
        from => from.to_owned(),
    };
    let period = HoursPeriod::parse(&from, &to, now)?;
    let csv = hours::export_csv(db, period).await?;
    let name = format!(
        "wanshan-hours-{}-{}.csv",
        period.from_text(),
        period.to_text()
    );
    Ok((name, csv))
}
