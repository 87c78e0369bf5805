//! Queries on needs.

use super::{events, Db};
use crate::domain::{
    Ask, Board, BoardFilter, LiveChange, NeedId, NeedStatus, NewNeed, PublicNeed, Urgency,
    UtcMillis, Window,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::HouseholdId;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

pub(crate) const PUBLIC_COLUMNS: &str =
    "id, aid_window, title, story, town, village, ask_kind, amount_fen, \
                              urgency, status, created_at, updated_at, pledged_fen";

pub(crate) fn public_need(row: &AnyRow) -> Result<PublicNeed, AppError> {
    let corrupt = |e: AppError| AppError::corrupt("need", e);
    Ok(PublicNeed {
        id: NeedId(row.try_get("id")?),
        window: Window::parse(row.try_get("aid_window")?).map_err(corrupt)?,
        title: row.try_get("title")?,
        story: row.try_get("story")?,
        town: row.try_get("town")?,
        village: row.try_get("village")?,
        ask: Ask::from_parts(row.try_get("ask_kind")?, row.try_get("amount_fen")?)
            .map_err(corrupt)?,
        urgency: Urgency::from_rank(row.try_get("urgency")?).map_err(corrupt)?,
        status: NeedStatus::parse(row.try_get("status")?).map_err(corrupt)?,
        created_at: UtcMillis(row.try_get("created_at")?),
        updated_at: UtcMillis(row.try_get("updated_at")?),
        pledged_fen: row.try_get("pledged_fen")?,
    })
}

/// Makes every need's public place what the city's configuration says: with `show`, its
/// household's village (kept in the household record); without, the town only. Run on start.
pub async fn show_villages(db: &Db, show: bool) -> Result<(), AppError> {
    let sql = if show {
        "UPDATE needs SET village = COALESCE((SELECT h.village FROM households h \
         WHERE h.id = needs.household_id), village) WHERE household_id IS NOT NULL"
    } else {
        "UPDATE needs SET village = '' WHERE village <> ''"
    };
    sqlx::query(sql).execute(&db.pool).await?;
    Ok(())
}

/// The open board for `filter`, with the event id it is current as of. The id is read first,
/// so any change that slips in between is replayed to the client, never missed.
pub async fn open_board(db: &Db, filter: &BoardFilter) -> Result<Board, AppError> {
    let as_of = events::latest(db).await?;
    const MATCHING: &str = "FROM needs WHERE status = 'published' \
                            AND ($1 IS NULL OR aid_window = $1) AND ($2 IS NULL OR town = $2)";
    let sql = format!(
        "SELECT {PUBLIC_COLUMNS} {MATCHING} \
         ORDER BY urgency DESC, created_at DESC, id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(filter.window.map(Window::code))
        .bind(filter.town.as_deref())
        .bind(filter.limit())
        .fetch_all(&db.pool)
        .await?;
    let needs = rows
        .iter()
        .map(public_need)
        .collect::<Result<Vec<_>, _>>()?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) {MATCHING}"))
        .bind(filter.window.map(Window::code))
        .bind(filter.town.as_deref())
        .fetch_one(&db.pool)
        .await?;
    let towns: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT town FROM needs WHERE status = 'published' ORDER BY town",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(Board {
        needs,
        total,
        towns,
        as_of,
    })
}

/// Publishes a validated need straight onto the board and announces it live.
pub async fn publish(db: &Db, need: &NewNeed, now: UtcMillis) -> Result<PublicNeed, AppError> {
    let mut tx = db.begin().await?;
    let published = insert(&mut tx, need, NeedStatus::Published, None, now).await?;
    events::append(
        &mut tx,
        &LiveChange::NeedPublished {
            need: published.clone(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(published)
}

/// Who entered a need, for which household, with what private notes.
pub struct Intake<'a> {
    pub household: HouseholdId,
    pub author: UserId,
    pub private_notes: &'a str,
}

/// Stores a validated need in `status`. Needs without intake (the demo seed, tests) have none.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    need: &NewNeed,
    status: NeedStatus,
    intake: Option<&Intake<'_>>,
    now: UtcMillis,
) -> Result<PublicNeed, AppError> {
    let sql = format!(
        "INSERT INTO needs (aid_window, title, story, town, village, ask_kind, amount_fen, \
         urgency, status, created_at, updated_at, household_id, author_id, private_notes, \
         entered_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13, $10, \
         CASE WHEN $9 = 'published' THEN $10 END) \
         RETURNING {PUBLIC_COLUMNS}"
    );
    let row = sqlx::query(&sql)
        .bind(need.window.code())
        .bind(&need.title)
        .bind(&need.story)
        .bind(&need.town)
        .bind(&need.village)
        .bind(need.ask.code())
        .bind(need.ask.amount().map(|a| a.get()))
        .bind(need.urgency.rank())
        .bind(status.code())
        .bind(now.0)
        .bind(intake.map(|i| i.household.0))
        .bind(intake.map(|i| i.author.0))
        .bind(intake.map_or("", |i| i.private_notes))
        .fetch_one(conn)
        .await?;
    public_need(&row)
}

pub async fn count(db: &Db) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM needs")
        .fetch_one(&db.pool)
        .await?)
}

/// Takes the need's row for the rest of the transaction. Everything that moves a claim of a
/// need (confirmations, give-backs, the family's code) takes it first, so two of them wait for
/// each other in one order and never deadlock (and on PostgreSQL each sees the other's claim).
pub(crate) async fn lock_row(conn: &mut AnyConnection, id: NeedId) -> Result<(), AppError> {
    sqlx::query("UPDATE needs SET updated_at = updated_at WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// The town of a need, whatever its status (`None` if there is no such need): what a
/// reviewer's or an official's rights are checked against.
pub async fn town_of(db: &Db, id: NeedId) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT town FROM needs WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&db.pool)
        .await?)
}

/// A need anyone may look at: published, claimed or fulfilled. A need in review or withdrawn
/// for editing is `NeedNotFound`, as is an id that never was (and one withdrawn for good).
pub async fn find_public(db: &Db, id: NeedId) -> Result<PublicNeed, AppError> {
    find_in(db, id, "'published', 'claimed', 'fulfilled'").await
}

/// The need in one of `statuses` (an SQL list of literals) that once reached the board, else
/// `NeedNotFound`: a need fulfilled by a service it was matched to at review was never public.
async fn find_in(db: &Db, id: NeedId, statuses: &str) -> Result<PublicNeed, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {PUBLIC_COLUMNS} FROM needs WHERE id = $1 AND status IN ({statuses}) \
         AND published_at IS NOT NULL"
    ))
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?
    .ok_or(AppError::NeedNotFound)?;
    public_need(&row)
}

/// A need's public page: the need (as [`find_public`] finds it, or paused on a report: its
/// page says it is being looked into) and its timeline, as of the event id read first (so a
/// change that slips in is replayed to the page, never missed).
pub async fn page(db: &Db, id: NeedId) -> Result<crate::domain::NeedPage, AppError> {
    use crate::domain::{donor_on_page, Fen, Happened, Moment, NeedPage};
    let as_of = events::latest(db).await?;
    let mut need = find_in(db, id, "'published', 'claimed', 'fulfilled', 'paused'").await?;
    if need.status == NeedStatus::Paused {
        // A report may be about this very text: not shown while it is looked into.
        need.story.clear();
    }
    let mut timeline = Vec::new();
    // The last approval of each stage (earlier ones were for a version edited since).
    let reviews = sqlx::query(
        "SELECT stage, MAX(created_at) AS at FROM reviews \
         WHERE need_id = $1 AND decision = 'approve' GROUP BY stage",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    for row in &reviews {
        let what = match row.try_get::<String, _>("stage")?.as_str() {
            "council" => Happened::CouncilApproved,
            _ => Happened::VolunteerApproved,
        };
        timeline.push(Moment {
            at: UtcMillis(row.try_get("at")?),
            what,
        });
    }
    timeline.push(Moment {
        at: need.created_at,
        what: Happened::Published,
    });
    // Claims in hand or done; one given back is not the public's business (the need simply
    // came back).
    let claims = sqlx::query(
        "SELECT c.amount_fen, c.claimed_at, c.delivered_at, c.confirmed_at, c.confirmed_how, \
         c.donor_name, COALESCE(u.show_name, 0) AS show_name FROM claims c \
         LEFT JOIN users u ON u.id = c.donor_id \
         WHERE c.need_id = $1 AND c.status IN ('open', 'delivered', 'confirmed') \
         ORDER BY c.claimed_at, c.id LIMIT 500",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    for row in &claims {
        let donor = donor_on_page(
            &row.try_get::<String, _>("donor_name")?,
            row.try_get::<i64, _>("show_name")? != 0,
        );
        timeline.push(Moment {
            at: UtcMillis(row.try_get("claimed_at")?),
            what: Happened::Claimed {
                donor: donor.clone(),
                amount: need
                    .ask
                    .amount()
                    .and(row.try_get::<Option<i64>, _>("amount_fen")?)
                    .map(Fen::from_stored),
            },
        });
        if let Some(at) = row.try_get::<Option<i64>, _>("delivered_at")? {
            timeline.push(Moment {
                at: UtcMillis(at),
                what: Happened::Delivered {
                    donor: donor.clone(),
                },
            });
        }
        if let Some(at) = row.try_get::<Option<i64>, _>("confirmed_at")? {
            let how: Option<String> = row.try_get("confirmed_how")?;
            timeline.push(Moment {
                at: UtcMillis(at),
                what: Happened::Confirmed {
                    donor,
                    by_family: how.as_deref() == Some("family"),
                },
            });
        }
    }
    let thanks = sqlx::query(
        "SELECT message, used_at FROM family_thanks WHERE need_id = $1 \
         AND used_at IS NOT NULL AND message_public = 1 AND message <> '' ORDER BY used_at LIMIT 50",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    for row in &thanks {
        timeline.push(Moment {
            // Just after the confirmation it came with.
            at: UtcMillis(row.try_get::<i64, _>("used_at")? + 1),
            what: Happened::Thanked {
                message: row.try_get("message")?,
            },
        });
    }
    if let Some(at) = sqlx::query_scalar::<_, Option<i64>>(
        "SELECT fulfilled_at FROM needs WHERE id = $1 AND status = 'fulfilled'",
    )
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?
    .flatten()
    {
        timeline.push(Moment {
            at: UtcMillis(at + 2),
            what: Happened::Fulfilled,
        });
    }
    timeline.sort_by_key(|moment| moment.at);
    Ok(NeedPage {
        need,
        timeline,
        as_of,
    })
}
