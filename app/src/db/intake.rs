//! Intake: a volunteer enters a need for a household of their town, edits it, and sends it to
//! review. Editing a published need's public fields takes it off every board and back to review.

use super::{events, households, needs, Db};
use crate::domain::{
    LiveChange, NeedId, NeedStatus, NewNeed, PublicNeed, Urgency, UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::{Role, Viewer};
use crate::private::{parse_ask, AuthoredNeed, HouseholdId, NeedForm};
use sqlx::Row;

/// The private notes a volunteer keeps with a need (never shown publicly).
fn private_notes(text: &str) -> Result<String, AppError> {
    let notes = text.trim();
    if notes.chars().count() > 1000 {
        return Err(AppError::invalid(
            "private_notes",
            "内部备注最多 1000 个字。",
        ));
    }
    Ok(notes.to_owned())
}

fn parse_id(field: &str, text: &str, missing: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::invalid(field, missing))
}

/// The stored state of a need that intake and review decide on.
pub(crate) struct Stored {
    pub need: PublicNeed,
    pub household: Option<HouseholdId>,
    pub author: Option<i64>,
    pub council_reviewer: Option<i64>,
    pub private_notes: String,
}

pub(crate) async fn stored(db: &Db, id: NeedId) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {}, household_id, author_id, council_reviewer_id, private_notes \
         FROM needs WHERE id = $1",
        needs::PUBLIC_COLUMNS
    ))
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| {
        Ok(Stored {
            need: needs::public_need(&row)?,
            household: row
                .try_get::<Option<i64>, _>("household_id")?
                .map(HouseholdId),
            author: row.try_get("author_id")?,
            council_reviewer: row.try_get("council_reviewer_id")?,
            private_notes: row.try_get("private_notes")?,
        })
    })
    .transpose()
}

/// Saves a new need as a draft, or an edit of the caller's own need. Returns its id.
pub async fn save(
    db: &Db,
    author: &Viewer,
    form: &NeedForm,
    now: UtcMillis,
) -> Result<NeedId, AppError> {
    if !author.has(Role::Volunteer) {
        return Err(AppError::Forbidden);
    }
    let existing = match form.need_id.trim() {
        "" => None,
        id => {
            let id = NeedId(parse_id("need_id", id, "需求编号不正确。")?);
            let stored = stored(db, id).await?.ok_or(AppError::NeedNotFound)?;
            if stored.author != Some(author.id.0) {
                return Err(AppError::Forbidden);
            }
            Some(stored)
        }
    };
    let household_id = match &existing {
        Some(stored) => stored.household.ok_or(AppError::Forbidden)?,
        None => HouseholdId(parse_id(
            "household_id",
            &form.household_id,
            "请选择一个已登记的家庭。",
        )?),
    };
    let (household, _) = households::find(db, household_id)
        .await?
        .ok_or_else(|| AppError::invalid("household_id", "请选择一个已登记的家庭。"))?;
    if !author.acts_as(Role::Volunteer, &household.town) {
        return Err(AppError::Forbidden);
    }
    let window =
        Window::parse(&form.window).map_err(|_| AppError::invalid("window", "请选择一个窗口。"))?;
    let urgency = form
        .urgency
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|rank| Urgency::from_rank(rank).ok())
        .ok_or_else(|| AppError::invalid("urgency", "请选择紧急程度。"))?;
    let need = NewNeed::parse(
        window,
        &form.title,
        &form.story,
        &household.town,
        &household.village,
        parse_ask(&form.ask_kind, &form.amount)?,
        urgency,
    )?;
    let notes = private_notes(&form.private_notes)?;
    match existing {
        None => create(db, author, household_id, &need, &notes, now).await,
        Some(stored) => edit(db, stored, &need, &notes, now).await,
    }
}

async fn create(
    db: &Db,
    author: &Viewer,
    household: HouseholdId,
    need: &NewNeed,
    notes: &str,
    now: UtcMillis,
) -> Result<NeedId, AppError> {
    let mut conn = db.pool.acquire().await?;
    let intake = needs::Intake {
        household,
        author: author.id,
        private_notes: notes,
    };
    let need = needs::insert(&mut conn, need, NeedStatus::Draft, Some(&intake), now).await?;
    Ok(need.id)
}

fn same_public_fields(stored: &PublicNeed, need: &NewNeed) -> bool {
    stored.window == need.window
        && stored.title == need.title
        && stored.story == need.story
        && stored.ask == need.ask
        && stored.urgency == need.urgency
}

async fn edit(
    db: &Db,
    stored: Stored,
    need: &NewNeed,
    notes: &str,
    now: UtcMillis,
) -> Result<NeedId, AppError> {
    let id = stored.need.id;
    let status = stored.need.status;
    // Once anyone has claimed or pledged to it, a need is theirs as it stands.
    if matches!(status, NeedStatus::Claimed | NeedStatus::Fulfilled) || stored.need.pledged_fen > 0
    {
        return Err(AppError::NotOpen);
    }
    let mut tx = db.pool.begin().await?;
    if same_public_fields(&stored.need, need) {
        sqlx::query("UPDATE needs SET private_notes = $2, updated_at = $3 WHERE id = $1")
            .bind(id.0)
            .bind(notes)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Ok(id);
    }
    // Changed public fields must be reviewed again: a draft stays a draft, anything in review
    // or on the board goes back to the first stage.
    let next = if status == NeedStatus::Draft {
        NeedStatus::Draft
    } else {
        NeedStatus::CouncilReview
    };
    let updated = sqlx::query(
        "UPDATE needs SET aid_window = $3, title = $4, story = $5, ask_kind = $6, \
         amount_fen = $7, urgency = $8, private_notes = $9, status = $10, updated_at = $11, \
         council_reviewer_id = NULL, volunteer_reviewer_id = NULL \
         WHERE id = $1 AND status = $2 AND pledged_fen = 0",
    )
    .bind(id.0)
    .bind(status.code())
    .bind(need.window.code())
    .bind(&need.title)
    .bind(&need.story)
    .bind(need.ask.code())
    .bind(need.ask.amount().map(|a| a.get()))
    .bind(need.urgency.rank())
    .bind(notes)
    .bind(next.code())
    .bind(now.0)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Claimed (or reviewed) between the read and this write: nothing is changed.
        tx.rollback().await?;
        return Err(if status == NeedStatus::Published {
            AppError::NotOpen
        } else {
            AppError::WrongStage
        });
    }
    if status == NeedStatus::Published {
        events::append(
            db.backend,
            &mut tx,
            &LiveChange::NeedWithdrawn {
                need_id: id,
                window: stored.need.window,
                town: stored.need.town.clone(),
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Sends the author's draft to the council stage.
pub async fn submit(db: &Db, author: &Viewer, id: NeedId, now: UtcMillis) -> Result<(), AppError> {
    let stored = stored(db, id).await?.ok_or(AppError::NeedNotFound)?;
    if stored.author != Some(author.id.0) || !author.has(Role::Volunteer) {
        return Err(AppError::Forbidden);
    }
    let moved = sqlx::query(
        "UPDATE needs SET status = 'council_review', returned_reason = NULL, updated_at = $2 \
         WHERE id = $1 AND status = 'draft'",
    )
    .bind(id.0)
    .bind(now.0)
    .execute(&db.pool)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::WrongStage);
    }
    Ok(())
}

/// The needs a volunteer entered, newest first, with any reason a reviewer sent one back.
pub async fn authored(db: &Db, author: &Viewer) -> Result<Vec<AuthoredNeed>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {}, household_id, private_notes, returned_reason, \
         (SELECT head_name FROM households h WHERE h.id = needs.household_id) AS head_name \
         FROM needs WHERE author_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 200",
        needs::PUBLIC_COLUMNS
    ))
    .bind(author.id.0)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AuthoredNeed {
                need: needs::public_need(row)?,
                household_id: HouseholdId(
                    row.try_get::<Option<i64>, _>("household_id")?.unwrap_or(0),
                ),
                household_head: row
                    .try_get::<Option<String>, _>("head_name")?
                    .unwrap_or_default(),
                private_notes: row.try_get("private_notes")?,
                returned_reason: row.try_get("returned_reason")?,
            })
        })
        .collect()
}
