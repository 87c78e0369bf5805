//! Volunteer hours in storage: recording an activity (at most
//! [`ACTIVITIES_PER_DAY`](crate::domain::ACTIVITIES_PER_DAY) a day, never overlapping the
//! volunteer's other timed ones), a coordinator's decision (one conditional UPDATE: only a
//! pending activity changes, the volunteer told in the same transaction), the volunteer's page,
//! the coordinators' queue, certificates and their verification, and the admins' CSV.
//!
//! Callers have checked who may do what ([`crate::access`]) and parsed what was typed
//! ([`crate::domain::NewActivity`]).

use super::{notices, Db, Tx};
use crate::domain::{
    by_month, ActivityKind, ActivityStatus, ActivityView, CertificateCode, CertificateLine,
    HoursPeriod, HoursVerification, MonthHours, NewActivity, NewNotice, UtcMillis,
    ACTIVITIES_PER_DAY, CERTIFICATES_PER_DAY,
};
use crate::error::AppError;
use crate::people::UserId;
use leptos_i18n::td_string;
use sqlx::any::AnyRow;
use sqlx::Row;

/// Activities shown on one page of a volunteer's list.
pub const PAGE: i64 = 30;
/// Pending activities shown to a coordinator at once (oldest first).
pub const QUEUE: i64 = 100;
/// Confirmed activities one certificate lists at most (a year of daily service fits).
const CERTIFICATE_LINES: i64 = 1000;
const DAY_MS: i64 = 86_400_000;

/// Takes the volunteer's account row for the rest of the transaction, so their activities are
/// counted and checked for overlap one at a time, whatever the race.
async fn lock_volunteer(tx: &mut Tx, volunteer: UserId) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET show_name = show_name WHERE id = $1")
        .bind(volunteer.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records an activity as pending. `HoursLimit` beyond [`ACTIVITIES_PER_DAY`] in 24 hours;
/// `Invalid` (field `time_in`) when its time in and out overlap another pending or confirmed
/// activity of the same volunteer. A refusal stores nothing. Returns its id.
pub async fn record(
    db: &Db,
    volunteer: UserId,
    activity: &NewActivity,
    now: UtcMillis,
) -> Result<i64, AppError> {
    let mut tx = db.begin().await?;
    lock_volunteer(&mut tx, volunteer).await?;
    let today: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM volunteer_activities WHERE volunteer_id = $1 AND created_at > $2",
    )
    .bind(volunteer.0)
    .bind(now.0 - DAY_MS)
    .fetch_one(&mut *tx)
    .await?;
    if today >= i64::from(ACTIVITIES_PER_DAY) {
        tx.rollback().await?;
        return Err(AppError::HoursLimit(ACTIVITIES_PER_DAY));
    }
    // However it is entered, one day holds at most 24 hours of service.
    let that_day: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT) FROM volunteer_activities \
         WHERE volunteer_id = $1 AND day_at = $2 AND status IN ('pending', 'confirmed')",
    )
    .bind(volunteer.0)
    .bind(activity.day.0)
    .fetch_one(&mut *tx)
    .await?;
    if that_day + activity.minutes > 24 * 60 {
        tx.rollback().await?;
        let field = if activity.span.is_some() {
            "time_out"
        } else {
            "hours"
        };
        return Err(AppError::invalid(
            field,
            td_string!(crate::lang::locale(), hours.errors.day_over_24),
        ));
    }
    if let Some((start, end)) = activity.span {
        let overlapping: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM volunteer_activities WHERE volunteer_id = $1 \
               AND status IN ('pending', 'confirmed') AND started_at IS NOT NULL \
               AND started_at < $3 AND ended_at > $2 LIMIT 1",
        )
        .bind(volunteer.0)
        .bind(start.0)
        .bind(end.0)
        .fetch_optional(&mut *tx)
        .await?;
        if overlapping.is_some() {
            tx.rollback().await?;
            return Err(AppError::invalid(
                "time_in",
                td_string!(crate::lang::locale(), hours.errors.overlap),
            ));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO volunteer_activities (volunteer_id, kind, town, need_id, note, day_at, \
           started_at, ended_at, minutes, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10) RETURNING id",
    )
    .bind(volunteer.0)
    .bind(activity.kind.code())
    .bind(&activity.town)
    .bind(activity.need_id)
    .bind(&activity.note)
    .bind(activity.day.0)
    .bind(activity.span.map(|(start, _)| start.0))
    .bind(activity.span.map(|(_, end)| end.0))
    .bind(activity.minutes)
    .bind(now.0)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Who recorded an activity, and in which town: what a decision is checked against.
/// `Invalid` (field `activity_id`) if there is none.
pub async fn parties(db: &Db, id: i64) -> Result<(UserId, String), AppError> {
    let found: Option<(i64, String)> =
        sqlx::query_as("SELECT volunteer_id, town FROM volunteer_activities WHERE id = $1")
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    found
        .map(|(volunteer, town)| (UserId(volunteer), town))
        .ok_or_else(|| {
            AppError::invalid(
                "activity_id",
                td_string!(crate::lang::locale(), hours.errors.no_activity),
            )
        })
}

/// Confirms (`refusal` none) or refuses a pending activity, by one conditional UPDATE, and
/// tells its volunteer in the same transaction. `WrongStage` (nothing changed) when it was
/// already decided.
pub async fn decide(
    db: &Db,
    id: i64,
    coordinator: UserId,
    refusal: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    let status = match refusal {
        None => ActivityStatus::Confirmed,
        Some(_) => ActivityStatus::Refused,
    };
    let mut tx = db.begin().await?;
    let row: Option<(i64, String, i64, i64)> = sqlx::query_as(
        "UPDATE volunteer_activities SET status = $2, coordinator_id = $3, decided_at = $4, \
           refusal_reason = $5 \
         WHERE id = $1 AND status = 'pending' RETURNING volunteer_id, kind, minutes, day_at",
    )
    .bind(id)
    .bind(status.code())
    .bind(coordinator.0)
    .bind(now.0)
    .bind(refusal)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((volunteer, kind, minutes, day)) = row else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    let kind = ActivityKind::parse(&kind).map_err(|e| AppError::corrupt("activity kind", e))?;
    let notice = NewNotice::hours_decided(UtcMillis(day), kind.label(), minutes, refusal);
    notices::send(&mut tx, UserId(volunteer), &notice, now).await?;
    tx.commit().await?;
    Ok(())
}

const VIEW_COLUMNS: &str =
    "a.id, a.volunteer_id, v.display_name AS volunteer_name, a.kind, a.town, a.need_id, \
     a.note, a.day_at, a.started_at, a.ended_at, a.minutes, a.status, \
     c.display_name AS coordinator_name, a.decided_at, a.refusal_reason";

const VIEW_FROM: &str = "FROM volunteer_activities a JOIN users v ON v.id = a.volunteer_id \
     LEFT JOIN users c ON c.id = a.coordinator_id";

fn view(row: &AnyRow) -> Result<ActivityView, AppError> {
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let started: Option<i64> = row.try_get("started_at")?;
    let ended: Option<i64> = row.try_get("ended_at")?;
    Ok(ActivityView {
        id: row.try_get("id")?,
        volunteer_id: row.try_get("volunteer_id")?,
        volunteer_name: row.try_get("volunteer_name")?,
        kind: ActivityKind::parse(&kind).map_err(|e| AppError::corrupt("activity kind", e))?,
        town: row.try_get("town")?,
        need_id: row.try_get("need_id")?,
        note: row.try_get("note")?,
        day: UtcMillis(row.try_get("day_at")?),
        span: started
            .zip(ended)
            .map(|(start, end)| (UtcMillis(start), UtcMillis(end))),
        minutes: row.try_get("minutes")?,
        status: ActivityStatus::parse(&status)
            .ok_or_else(|| AppError::corrupt("activity status", &status))?,
        coordinator_name: row.try_get("coordinator_name")?,
        decided_at: row.try_get::<Option<i64>, _>("decided_at")?.map(UtcMillis),
        refusal_reason: row.try_get("refusal_reason")?,
    })
}

/// A volunteer's activities, newest first, [`PAGE`] at a time: those older than `before` (an
/// id) when given. Returns the page and the id to ask for the next one with, if any.
pub async fn mine(
    db: &Db,
    volunteer: UserId,
    before: Option<i64>,
) -> Result<(Vec<ActivityView>, Option<i64>), AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE a.volunteer_id = $1 AND a.id < $2 \
         ORDER BY a.id DESC LIMIT $3"
    ))
    .bind(volunteer.0)
    .bind(before.unwrap_or(i64::MAX))
    .bind(PAGE + 1)
    .fetch_all(&db.pool)
    .await?;
    let mut activities = rows.iter().map(view).collect::<Result<Vec<_>, _>>()?;
    let older = if activities.len() as i64 > PAGE {
        activities.truncate(PAGE as usize);
        activities.last().map(|a| a.id)
    } else {
        None
    };
    Ok((activities, older))
}

/// A volunteer's confirmed minutes by Shanghai month (newest first), their confirmed total and
/// how many await a coordinator.
pub async fn totals(db: &Db, volunteer: UserId) -> Result<(Vec<MonthHours>, i64, i64), AppError> {
    let days: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT day_at, CAST(SUM(minutes) AS BIGINT) FROM volunteer_activities \
         WHERE volunteer_id = $1 AND status = 'confirmed' GROUP BY day_at",
    )
    .bind(volunteer.0)
    .fetch_all(&db.pool)
    .await?;
    let days: Vec<(UtcMillis, i64)> = days
        .into_iter()
        .map(|(day, minutes)| (UtcMillis(day), minutes))
        .collect();
    let total = days.iter().map(|(_, minutes)| minutes).sum();
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM volunteer_activities WHERE volunteer_id = $1 AND status = 'pending'",
    )
    .bind(volunteer.0)
    .fetch_one(&db.pool)
    .await?;
    Ok((by_month(&days), total, pending))
}

/// Pending activities of `towns` (`None`: every town), oldest first, at most [`QUEUE`].
pub async fn pending(db: &Db, towns: Option<&[&str]>) -> Result<Vec<ActivityView>, AppError> {
    let towns = towns.map(|towns| towns.to_vec());
    let filter = match &towns {
        None => String::new(),
        Some(towns) if towns.is_empty() => return Ok(Vec::new()),
        Some(towns) => {
            let places: Vec<String> = (2..towns.len() + 2).map(|n| format!("${n}")).collect();
            format!("AND a.town IN ({})", places.join(", "))
        }
    };
    let sql = format!(
        "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE a.status = 'pending' {filter} \
         ORDER BY a.id LIMIT $1"
    );
    let mut query = sqlx::query(&sql).bind(QUEUE);
    for town in towns.iter().flatten() {
        query = query.bind(*town);
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter().map(view).collect()
}

/// The confirmed activities of a volunteer in a period, oldest first, each with who confirmed.
pub async fn confirmed_in(
    db: &Db,
    volunteer: UserId,
    period: HoursPeriod,
) -> Result<Vec<CertificateLine>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE a.volunteer_id = $1 AND a.status = 'confirmed' \
           AND a.day_at >= $2 AND a.day_at < $3 ORDER BY a.day_at, a.id LIMIT $4"
    ))
    .bind(volunteer.0)
    .bind(period.from.0)
    .bind(period.until.0)
    .bind(CERTIFICATE_LINES)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let activity = view(row)?;
            Ok(CertificateLine {
                day: activity.day,
                kind: activity.kind,
                town: activity.town,
                minutes: activity.minutes,
                coordinator_name: activity.coordinator_name.unwrap_or_default(),
            })
        })
        .collect()
}

/// The confirmed minutes and activities of a volunteer in a period, all of them.
pub async fn confirmed_total(
    db: &Db,
    volunteer: UserId,
    period: HoursPeriod,
) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(minutes), 0) AS BIGINT), COUNT(*) FROM volunteer_activities \
         WHERE volunteer_id = $1 AND status = 'confirmed' AND day_at >= $2 AND day_at < $3",
    )
    .bind(volunteer.0)
    .bind(period.from.0)
    .bind(period.until.0)
    .fetch_one(&db.pool)
    .await?)
}

/// The code of the certificate of this volunteer, period and total: the one already issued
/// for exactly these, or a new one (at most [`CERTIFICATES_PER_DAY`] new ones in 24 hours,
/// else `HoursLimit`). Returns the code and when it was issued.
pub async fn certificate_code(
    db: &Db,
    volunteer: UserId,
    period: HoursPeriod,
    minutes: i64,
    activities: i64,
    now: UtcMillis,
) -> Result<(String, UtcMillis), AppError> {
    let mut tx = db.begin().await?;
    lock_volunteer(&mut tx, volunteer).await?;
    let existing: Option<(String, i64)> = sqlx::query_as(
        "SELECT code, issued_at FROM hours_certificates WHERE volunteer_id = $1 \
           AND period_from = $2 AND period_to = $3 AND minutes = $4",
    )
    .bind(volunteer.0)
    .bind(period.from.0)
    .bind(period.until.0)
    .bind(minutes)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((code, issued)) = existing {
        tx.rollback().await?;
        return Ok((code, UtcMillis(issued)));
    }
    let today: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM hours_certificates WHERE volunteer_id = $1 AND issued_at > $2",
    )
    .bind(volunteer.0)
    .bind(now.0 - DAY_MS)
    .fetch_one(&mut *tx)
    .await?;
    if today >= i64::from(CERTIFICATES_PER_DAY) {
        tx.rollback().await?;
        return Err(AppError::HoursLimit(CERTIFICATES_PER_DAY));
    }
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).map_err(|e| AppError::internal("no randomness", e))?;
    let code = CertificateCode::from_random(bytes);
    sqlx::query(
        "INSERT INTO hours_certificates (code, volunteer_id, period_from, period_to, minutes, \
           activities, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&code)
    .bind(volunteer.0)
    .bind(period.from.0)
    .bind(period.until.0)
    .bind(minutes)
    .bind(activities)
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((code, now))
}

/// What the public may know of a certificate: the name masked, the period and the totals.
pub async fn verify(db: &Db, code: &str) -> Result<Option<HoursVerification>, AppError> {
    let found: Option<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT u.display_name, h.period_from, h.period_to, h.minutes, h.activities, h.issued_at \
         FROM hours_certificates h JOIN users u ON u.id = h.volunteer_id WHERE h.code = $1",
    )
    .bind(code)
    .fetch_optional(&db.pool)
    .await?;
    Ok(
        found.map(|(name, from, until, minutes, activities, issued)| {
            let period = HoursPeriod {
                from: UtcMillis(from),
                until: UtcMillis(until),
            };
            HoursVerification {
                masked_name: crate::credit::masked_name(&name),
                programme: String::new(),
                from: period.from_text(),
                to: period.to_text(),
                total_minutes: minutes,
                activities,
                issued_at: UtcMillis(issued),
            }
        }),
    )
}

/// Every confirmed activity of a period as CSV for the admins (UTF-8 with a byte-order mark):
/// one row per activity with the volunteer's name, town, kind, date, minutes and coordinator.
/// Names are written so a spreadsheet never runs them as formulas.
pub async fn export_csv(db: &Db, period: HoursPeriod) -> Result<String, AppError> {
    use super::credit::neutralise_formula;
    let rows = sqlx::query(&format!(
        "SELECT {VIEW_COLUMNS} {VIEW_FROM} WHERE a.status = 'confirmed' \
           AND a.day_at >= $1 AND a.day_at < $2 ORDER BY a.day_at, a.id"
    ))
    .bind(period.from.0)
    .bind(period.until.0)
    .fetch_all(&db.pool)
    .await?;
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let failed = |e: csv::Error| AppError::internal("writing the hours CSV", e);
    let locale = crate::lang::locale();
    out.write_record([
        td_string!(locale, hours.csv.id),
        td_string!(locale, hours.csv.volunteer),
        td_string!(locale, hours.csv.town),
        td_string!(locale, hours.csv.kind),
        td_string!(locale, hours.csv.date),
        td_string!(locale, hours.csv.minutes),
        td_string!(locale, hours.csv.confirmer),
    ])
    .map_err(failed)?;
    for row in &rows {
        let a = view(row)?;
        out.write_record([
            a.id.to_string(),
            neutralise_formula(&a.volunteer_name).into_owned(),
            neutralise_formula(&a.town).into_owned(),
            a.kind.label().to_owned(),
            a.day.shanghai_date_text(),
            a.minutes.to_string(),
            neutralise_formula(&a.coordinator_name.unwrap_or_default()).into_owned(),
        ])
        .map_err(failed)?;
    }
    out.into_inner()
        .map_err(|e| AppError::internal("writing the hours CSV", e))
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| AppError::internal("the hours CSV", e))
        })
}
