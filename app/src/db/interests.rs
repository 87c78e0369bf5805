//! Donors' interests (帮扶意向): what they want to help with, the "为你推荐" view, and the
//! notice of a newly published need that fits.

use super::{needs, notices, Db, Tx};
use crate::domain::{Fen, Fit, Interests, NewNotice, PublicNeed, UtcMillis, Window};
use crate::error::AppError;
use crate::people::UserId;
use sqlx::any::AnyRow;
use sqlx::Row;

/// "For you" notices one donor gets in 24 hours at most: the rest of the matches wait on the
/// "为你推荐" view.
pub const NOTICES_A_DAY: i64 = 3;
/// Donors told of one publication at most (the first by id among those who fit).
pub const TOLD_PER_NEED: i64 = 500;
/// Open needs the "为你推荐" view ranks (the most urgent and newest first).
const RANKED: i64 = 500;

/// Windows or towns framed by commas (`,medical,home,`) so a `LIKE '%,code,%'` finds one;
/// empty for any.
fn framed(items: &[&str]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(",{},", items.join(","))
    }
}

fn unframed(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|part| !part.is_empty())
        .map(str::to_owned)
        .collect()
}

fn interests(row: &AnyRow) -> Result<Interests, AppError> {
    let windows = unframed(row.try_get("windows")?)
        .iter()
        .map(|code| Window::parse(code).map_err(|e| AppError::corrupt("interests", e)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Interests {
        windows,
        towns: unframed(row.try_get("towns")?),
        min: row
            .try_get::<Option<i64>, _>("min_fen")?
            .map(Fen::from_stored),
        max: row
            .try_get::<Option<i64>, _>("max_fen")?
            .map(Fen::from_stored),
        notify: row.try_get::<i64, _>("notify")? != 0,
    })
}

/// A donor's interests (none said yet: the default, any and no notices).
pub async fn load(db: &Db, user: UserId) -> Result<Interests, AppError> {
    let row = sqlx::query(
        "SELECT windows, towns, min_fen, max_fen, notify FROM donor_interests WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map_or(Ok(Interests::default()), interests)
}

pub async fn save(
    db: &Db,
    user: UserId,
    chosen: &Interests,
    now: UtcMillis,
) -> Result<(), AppError> {
    let windows: Vec<&str> = chosen.windows.iter().map(|w| w.code()).collect();
    let towns: Vec<&str> = chosen.towns.iter().map(String::as_str).collect();
    sqlx::query(
        "INSERT INTO donor_interests (user_id, windows, towns, min_fen, max_fen, notify, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (user_id) DO UPDATE SET windows = excluded.windows, towns = excluded.towns, \
         min_fen = excluded.min_fen, max_fen = excluded.max_fen, notify = excluded.notify, \
         updated_at = excluded.updated_at",
    )
    .bind(user.0)
    .bind(framed(&windows))
    .bind(framed(&towns))
    .bind(chosen.min.map(|f| f.get()))
    .bind(chosen.max.map(|f| f.get()))
    .bind(i64::from(chosen.notify))
    .bind(now.0)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Tells donors whose interests fit a need just published, in the publishing transaction:
/// those who asked to be told, at most [`NOTICES_A_DAY`] such notices each a day and
/// [`TOLD_PER_NEED`] donors a need. The SQL narrows by window and town; the amount and the
/// rest are decided by [`Interests::wants_to_hear_of`].
pub async fn tell_interested(
    tx: &mut Tx,
    need: &PublicNeed,
    now: UtcMillis,
) -> Result<usize, AppError> {
    let rows = sqlx::query(
        "SELECT d.user_id, d.windows, d.towns, d.min_fen, d.max_fen, d.notify \
         FROM donor_interests d \
         WHERE d.notify = 1 AND (d.windows = '' OR d.windows LIKE $1) \
           AND (d.windows <> '' OR d.towns <> '' OR d.min_fen IS NOT NULL \
                OR d.max_fen IS NOT NULL) \
           AND (d.towns = '' OR d.towns LIKE $2) \
           AND (SELECT COUNT(*) FROM notices n WHERE n.user_id = d.user_id \
                AND n.kind = 'need_for_you' AND n.created_at > $3) < $4 \
           AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = d.user_id \
                       AND r.role = 'donor') \
         ORDER BY d.user_id LIMIT $5",
    )
    .bind(format!("%,{},%", need.window.code()))
    .bind(format!("%,{},%", need.town))
    .bind(now.0 - 86_400_000)
    .bind(NOTICES_A_DAY)
    .bind(TOLD_PER_NEED)
    .fetch_all(&mut **tx)
    .await?;
    let mut told = 0;
    for row in &rows {
        let wants = interests(row)?;
        if !wants.wants_to_hear_of(need) {
            continue;
        }
        let why = wants.fit(need, now).line;
        // The line's "match:" prefix (in whichever language it was written) is left out.
        let why = why
            .split_once('：')
            .or_else(|| why.split_once(": "))
            .map_or(why.as_str(), |(_, reasons)| reasons);
        let notice = NewNotice::need_for_you(need.id, &need.title, why);
        notices::send(tx, UserId(row.try_get("user_id")?), &notice, now).await?;
        told += 1;
    }
    Ok(told)
}

/// The open board ranked for a donor's interests: the most urgent and newest
/// [`RANKED`] open needs in the windows or towns they named (or all), best fit first.
pub async fn recommended(
    db: &Db,
    wants: &Interests,
    now: UtcMillis,
    limit: usize,
) -> Result<Vec<(PublicNeed, Fit)>, AppError> {
    let windows: Vec<&str> = wants.windows.iter().map(|w| w.code()).collect();
    let towns: Vec<&str> = wants.towns.iter().map(String::as_str).collect();
    let rows = sqlx::query(&format!(
        "SELECT {} FROM needs WHERE status = 'published' \
           AND (($1 = '' AND $2 = '') OR ($1 <> '' AND $1 LIKE '%,' || aid_window || ',%') \
                OR ($2 <> '' AND $2 LIKE '%,' || town || ',%')) \
         ORDER BY urgency DESC, created_at DESC, id DESC LIMIT $3",
        needs::PUBLIC_COLUMNS
    ))
    .bind(framed(&windows))
    .bind(framed(&towns))
    .bind(RANKED)
    .fetch_all(&db.pool)
    .await?;
    let open = rows
        .iter()
        .map(needs::public_need)
        .collect::<Result<Vec<_>, _>>()?;
    let mut ranked = wants.recommend(open, now);
    ranked.truncate(limit);
    Ok(ranked)
}
