//! Intake: a volunteer enters a need for a household of their town, edits it, and sends it to
//! review. Editing a published need's public fields takes it off every board and back to review.
//!
//! Callers have checked who may do what ([`crate::access`]) and parsed the form
//! ([`crate::private::NeedEntry`]).

use super::trail::{self, Step};
use super::{events, needs, notices, Db};
use crate::access::NeedParties;
use crate::domain::{LiveChange, NeedId, NeedStatus, NewNeed, NewNotice, PublicNeed, UtcMillis};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{AuthoredNeed, HouseholdId, ReviewStage};
use sqlx::Row;

/// The stored state of a need that intake and review decide on.
pub struct Stored {
    pub need: PublicNeed,
    pub household: Option<HouseholdId>,
    pub author: Option<UserId>,
    pub council_reviewer: Option<UserId>,
    pub private_notes: String,
    /// Bumped by every edit of the public fields: an approval names the version it saw.
    pub version: i64,
}

impl Stored {
    /// Who is involved in the need and where it stands, for [`crate::access`].
    pub fn parties(&self) -> NeedParties<'_> {
        NeedParties {
            town: &self.need.town,
            status: self.need.status,
            author: self.author,
            council_reviewer: self.council_reviewer,
        }
    }
}

/// A need with what intake and review decide on, or `None`.
pub async fn stored(db: &Db, id: NeedId) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {}, household_id, author_id, council_reviewer_id, private_notes, version \
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
            author: row.try_get::<Option<i64>, _>("author_id")?.map(UserId),
            council_reviewer: row
                .try_get::<Option<i64>, _>("council_reviewer_id")?
                .map(UserId),
            private_notes: row.try_get("private_notes")?,
            version: row.try_get("version")?,
        })
    })
    .transpose()
}

/// Saves a new need for `household` as a draft, entered by `author`. Returns its id.
pub async fn create(
    db: &Db,
    author: UserId,
    household: HouseholdId,
    need: &NewNeed,
    notes: &str,
    now: UtcMillis,
) -> Result<NeedId, AppError> {
    let mut tx = db.begin().await?;
    let intake = needs::Intake {
        household,
        author,
        private_notes: notes,
    };
    let need = needs::insert(&mut tx, need, NeedStatus::Draft, Some(&intake), now).await?;
    trail::append(&mut tx, need.id, Step::Entered, Some(author), "", now).await?;
    tx.commit().await?;
    Ok(need.id)
}

fn same_public_fields(stored: &PublicNeed, need: &NewNeed) -> bool {
    stored.window == need.window
        && stored.title == need.title
        && stored.story == need.story
        && stored.ask == need.ask
        && stored.urgency == need.urgency
}

/// Saves an edit of a stored need. Changed public fields send it back to review (off every
/// board, live, if it was published); notes alone change nothing else. `NotOpen` once anyone
/// has claimed or pledged to it.
pub async fn edit(
    db: &Db,
    stored: Stored,
    need: &NewNeed,
    notes: &str,
    now: UtcMillis,
) -> Result<NeedId, AppError> {
    let id = stored.need.id;
    let status = stored.need.status;
    // Once anyone has claimed or pledged to it, a need is theirs as it stands; a referred or
    // withdrawn one is closed.
    if matches!(
        status,
        NeedStatus::Claimed
            | NeedStatus::Fulfilled
            | NeedStatus::Referred
            | NeedStatus::Withdrawn
            | NeedStatus::Matched
    ) || stored.need.pledged_fen > 0
    {
        return Err(AppError::NotOpen);
    }
    let mut tx = db.begin().await?;
    if same_public_fields(&stored.need, need) {
        // Reviewers read the notes too: a change while the need is in review is a new version.
        sqlx::query(
            "UPDATE needs SET private_notes = $2, updated_at = $3, version = version + \
             CASE WHEN status IN ('council_review', 'volunteer_review') THEN 1 ELSE 0 END \
             WHERE id = $1",
        )
        .bind(id.0)
        .bind(notes)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        let detail = "私密备注"; // i18n-allow: stored in the need's trail
        trail::append(&mut tx, id, Step::Edited, stored.author, detail, now).await?;
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
         council_reviewer_id = NULL, volunteer_reviewer_id = NULL, version = version + 1, \
         submitted_at = CASE WHEN $10 = 'council_review' THEN $11 ELSE submitted_at END \
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
    let detail = if next == status {
        "公开内容".to_owned() // i18n-allow: stored in the need's trail
    } else {
        format!("公开内容，{}", next.label()) // i18n-allow: stored in the need's trail
    };
    trail::append(&mut tx, id, Step::Edited, stored.author, &detail, now).await?;
    if stored.need.title != need.title {
        notices::retitle(&mut tx, id, &stored.need.title, &need.title).await?;
    }
    if status == NeedStatus::Published {
        let withdrawn = LiveChange::NeedWithdrawn {
            need_id: id,
            window: stored.need.window,
            town: stored.need.town.clone(),
        };
        // The old text leaves the replayable log with it.
        events::redact_public_text(&mut tx, &withdrawn).await?;
        events::append(&mut tx, &withdrawn, now).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Sends a draft to the council stage, telling the town's council reviewers; `WrongStage` if
/// it is not a draft.
pub async fn submit(db: &Db, id: NeedId, now: UtcMillis) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    let moved: Option<(String, String, Option<i64>)> = sqlx::query_as(
        "UPDATE needs SET status = 'council_review', returned_reason = NULL, updated_at = $2, \
         submitted_at = $2 WHERE id = $1 AND status = 'draft' RETURNING title, town, author_id",
    )
    .bind(id.0)
    .bind(now.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((title, town, author)) = moved else {
        tx.rollback().await?;
        return Err(AppError::WrongStage);
    };
    trail::append(&mut tx, id, Step::Submitted, author.map(UserId), "", now).await?;
    let stage = "村民议事小组审核"; // i18n-allow: stored in the notice
    let notice = NewNotice::review_waiting(id, &title, &town, stage);
    let not = [author.map(UserId)];
    notices::send_to_reviewers(&mut tx, &town, ReviewStage::Council, &not, &notice, now).await?;
    tx.commit().await
}

/// The needs a volunteer entered, newest first, with any reason a reviewer sent one back.
pub async fn authored(db: &Db, author: UserId) -> Result<Vec<AuthoredNeed>, AppError> {
    let rows = sqlx::query(&format!(
        "SELECT {}, household_id, private_notes, returned_reason, \
         (SELECT head_name FROM households h WHERE h.id = needs.household_id) AS head_name \
         FROM needs WHERE author_id = $1 ORDER BY updated_at DESC, id DESC LIMIT 200",
        needs::PUBLIC_COLUMNS
    ))
    .bind(author.0)
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
