//! Notices and their outbox. A notice is written in the same transaction as the change it
//! tells of ([`send`]), so it exists exactly when the change does; if the city configured a
//! sender and the person wants this kind as a message, the same transaction queues one row in
//! the outbox, which a worker on any instance leases, sends and marks ([`lease_due`],
//! [`mark_sent`], [`mark_failed`]).
//!
//! A person's open inbox is woken through [`Wiring::ring`] after the commit (on PostgreSQL,
//! every instance's through NOTIFY), never through the public event stream.

use super::{Backend, Db, Tx};
use crate::domain::{
    DeadLetter, DeadLetters, Inbox, NeedId, NewNotice, Notice, NoticeKind, NoticePrefs, QuietHours,
    SenderKind, UtcMillis,
};
use crate::error::AppError;
use crate::people::UserId;
use crate::private::ReviewStage;
use leptos_i18n::td_string;
use sqlx::Row;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::{broadcast, Notify};

/// The PostgreSQL channel that carries "user N has a new notice" between instances.
pub const NOTIFY_CHANNEL: &str = "wanshan_notices";
/// An inbox page shows at most this many notices.
pub const INBOX_PAGE: i64 = 100;
/// Read notices are kept this long (180 days), then pruned with their sent messages.
pub const KEEP_READ_MS: i64 = 180 * 86_400_000;
/// At most this many messages (beyond the inbox) to one person in 24 hours.
pub const MAX_MESSAGES_A_DAY: i64 = 30;
/// Donors are reminded this long before their claim runs out (two days).
pub const REMIND_BEFORE_EXPIRY_MS: i64 = 48 * 3_600_000;
/// A person may watch at most this many needs at once.
pub const MAX_WATCHES: i64 = 100;

/// The bell's word for "every person" (no account has id 0).
pub const EVERYONE: i64 = 0;

/// This instance's wiring: whether notices become messages, the outbox worker's wake-up and
/// the bell every open inbox stream listens to (it carries a user id, nothing else).
#[derive(Debug)]
pub struct Wiring {
    by_message: AtomicBool,
    pub outbox: Notify,
    bell: broadcast::Sender<i64>,
}

impl Wiring {
    pub(crate) fn new() -> Wiring {
        Wiring {
            by_message: AtomicBool::new(false),
            outbox: Notify::new(),
            bell: broadcast::channel(1024).0,
        }
    }

    /// Tells this instance's open inbox of `user` that something changed.
    pub fn ring(&self, user: i64) {
        let _ = self.bell.send(user);
    }

    /// Tells every open inbox of this instance to count again (after rings may have been
    /// missed: PostgreSQL's LISTEN connection was down).
    pub fn ring_everyone(&self) {
        let _ = self.bell.send(EVERYONE);
    }

    pub fn listen(&self) -> broadcast::Receiver<i64> {
        self.bell.subscribe()
    }
}

impl Db {
    /// Notices written from now on also go out as messages (to those who want them): the
    /// server turns this on when the city configured a sender.
    pub fn send_messages(&self, on: bool) {
        self.notices.by_message.store(on, Ordering::Relaxed);
    }

    pub fn notice_wiring(&self) -> &Wiring {
        &self.notices
    }
}

/// Writes `notice` to `user` in the transaction, and queues it as a message if a sender is
/// configured and they want this kind by message.
pub async fn send(
    tx: &mut Tx,
    user: UserId,
    notice: &NewNotice,
    now: UtcMillis,
) -> Result<(), AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notices (user_id, kind, need_id, claim_id, body, body_en, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(user.0)
    .bind(notice.kind.code())
    .bind(notice.need_id.map(|id| id.0))
    .bind(notice.claim_id)
    .bind(&notice.body)
    .bind(&notice.body_en)
    .bind(&notice.link)
    .bind(now.0)
    .fetch_one(&mut **tx)
    .await?;
    if tx.notices.by_message.load(Ordering::Relaxed) {
        // At most MAX_MESSAGES_A_DAY messages to one person in 24 hours (beyond, the inbox
        // alone): nobody can make the city's gateway flood a volunteer's phone by claiming
        // and releasing from many accounts.
        let queued = sqlx::query(
            "INSERT INTO notice_outbox (notice_id, user_id, not_before, queued_at) \
             SELECT $1, $2, $3, $3 \
             WHERE COALESCE((SELECT by_message FROM notice_prefs \
                             WHERE user_id = $2 AND kind = $4), $5) \
               AND (SELECT COUNT(*) FROM notice_outbox \
                    WHERE user_id = $2 AND queued_at > $3 - 86400000) < $6",
        )
        .bind(id)
        .bind(user.0)
        .bind(now.0)
        .bind(notice.kind.code())
        .bind(notice.kind.by_message_unless_chosen())
        .bind(MAX_MESSAGES_A_DAY)
        .execute(&mut **tx)
        .await?;
        tx.queued |= queued.rows_affected() > 0;
    }
    if tx.backend == Backend::Postgres && !tx.noticed.contains(&user.0) {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(NOTIFY_CHANNEL)
            .bind(user.0.to_string())
            .execute(&mut **tx)
            .await?;
    }
    if !tx.noticed.contains(&user.0) {
        tx.noticed.push(user.0);
    }
    Ok(())
}

/// Tells the reviewers of `town` at `stage` that a need awaits them: the town's council
/// reviewers, or its volunteers (city-wide ones too). Never the need's author, nor (at the
/// volunteer stage) the council reviewer who approved it: they may not decide it.
pub async fn send_to_reviewers(
    tx: &mut Tx,
    town: &str,
    stage: ReviewStage,
    not: &[Option<UserId>],
    notice: &NewNotice,
    now: UtcMillis,
) -> Result<(), AppError> {
    let role = stage.role().code();
    let reviewers: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM user_roles WHERE role = $1 AND (town = $2 OR town = '') \
         ORDER BY user_id",
    )
    .bind(role)
    .bind(town)
    .fetch_all(&mut **tx)
    .await?;
    for reviewer in reviewers {
        if not.contains(&Some(UserId(reviewer))) {
            continue;
        }
        send(tx, UserId(reviewer), notice, now).await?;
    }
    Ok(())
}

/// Tells everyone who asked that `need` is back on the board, once: their watch is done.
pub async fn send_to_watchers(
    tx: &mut Tx,
    need: NeedId,
    title: &str,
    now: UtcMillis,
) -> Result<(), AppError> {
    let watchers: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM need_watches WHERE need_id = $1 ORDER BY user_id")
            .bind(need.0)
            .fetch_all(&mut **tx)
            .await?;
    if watchers.is_empty() {
        return Ok(());
    }
    let notice = NewNotice::need_back(need, title);
    for watcher in watchers {
        send(tx, UserId(watcher), &notice, now).await?;
    }
    sqlx::query("DELETE FROM need_watches WHERE need_id = $1")
        .bind(need.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A need's title was edited: the notices about it say the new one (its old words leave them,
/// as they leave the event log), messages not yet sent included.
pub async fn retitle(tx: &mut Tx, need: NeedId, old: &str, new: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notices SET body = REPLACE(body, $2, $3), body_en = REPLACE(body_en, $4, $5) \
         WHERE need_id = $1",
    )
    .bind(need.0)
    .bind(format!("「{old}」")) // i18n-allow: matches the stored Chinese words' quotes
    .bind(format!("「{new}」")) // i18n-allow: matches the stored Chinese words' quotes
    .bind(format!("“{old}”"))
    .bind(format!("“{new}”"))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A need is fulfilled for good: nobody waits for it any more.
pub async fn forget_watches(tx: &mut Tx, need: NeedId) -> Result<(), AppError> {
    sqlx::query("DELETE FROM need_watches WHERE need_id = $1")
        .bind(need.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A person's newest notices and their unread count.
pub async fn inbox(db: &Db, user: UserId) -> Result<Inbox, AppError> {
    let rows = sqlx::query(
        "SELECT id, kind, body, body_en, link, created_at, read_at FROM notices WHERE user_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(user.0)
    .bind(INBOX_PAGE)
    .fetch_all(&db.pool)
    .await?;
    let mut notices = Vec::with_capacity(rows.len());
    for row in rows {
        notices.push(Notice {
            id: row.try_get("id")?,
            kind: NoticeKind::parse(row.try_get("kind")?)
                .map_err(|e| AppError::corrupt("notice", e))?,
            body: row.try_get("body")?,
            body_en: row.try_get("body_en")?,
            link: row.try_get("link")?,
            created_at: UtcMillis(row.try_get("created_at")?),
            read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
        });
    }
    Ok(Inbox {
        notices,
        unread: unread(db, user).await?,
    })
}

/// How many of a person's notices are unread (from the partial index alone).
pub async fn unread(db: &Db, user: UserId) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM notices WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(&db.pool)
            .await?,
    )
}

/// Marks one of the person's notices read (`Some`), or all of them. Another person's notice
/// id changes nothing. Rings the person's open inboxes.
pub async fn mark_read(
    db: &Db,
    user: UserId,
    notice: Option<i64>,
    now: UtcMillis,
) -> Result<(), AppError> {
    // Without an id, `$3` matches every notice of theirs.
    let marked = sqlx::query(
        "UPDATE notices SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL \
         AND ($3 IS NULL OR id = $3)",
    )
    .bind(user.0)
    .bind(now.0)
    .bind(notice)
    .execute(&db.pool)
    .await?;
    // Nothing changed, nobody is woken (so calling it in a loop wakes no stream).
    if marked.rows_affected() == 0 {
        return Ok(());
    }
    ring_everywhere(db, user).await
}

/// Tells `user`'s open inboxes on every instance that something changed: through NOTIFY on
/// PostgreSQL (which reaches this instance too), directly on SQLite (one instance).
async fn ring_everywhere(db: &Db, user: UserId) -> Result<(), AppError> {
    match db.backend {
        Backend::Postgres => {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(NOTIFY_CHANNEL)
                .bind(user.0.to_string())
                .execute(&db.pool)
                .await?;
        }
        Backend::Sqlite => db.notices.ring(user.0),
    }
    Ok(())
}

/// What a person chose about their notices.
pub async fn prefs(db: &Db, user: UserId, sender: SenderKind) -> Result<NoticePrefs, AppError> {
    // As a number: SQLite keeps booleans as integers, which the `Any` driver does not decode
    // as `bool`.
    let chosen: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, CASE WHEN by_message THEN 1 ELSE 0 END FROM notice_prefs WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_all(&db.pool)
    .await?;
    let (from, to, email): (i64, i64, Option<String>) =
        sqlx::query_as("SELECT quiet_from, quiet_to, email FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_one(&db.pool)
            .await?;
    let by_message = NoticeKind::ALL
        .into_iter()
        .map(|kind| {
            let choice = chosen
                .iter()
                .find(|(code, _)| code == kind.code())
                .map_or(kind.by_message_unless_chosen(), |(_, on)| *on != 0);
            (kind, choice)
        })
        .collect();
    Ok(NoticePrefs {
        by_message,
        quiet: QuietHours::from_stored(from, to),
        email,
        sender,
    })
}

/// Saves a person's choices: the kinds they want as messages (every other kind: inbox only),
/// quiet hours and email address, in one transaction.
pub async fn save_prefs(
    db: &Db,
    user: UserId,
    by_message: &[NoticeKind],
    quiet: QuietHours,
    email: Option<&str>,
) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    // Under the person's row: two saves at once (a double tap) take turns instead of both
    // inserting the same rows.
    lock_person(&mut tx, user).await?;
    sqlx::query("DELETE FROM notice_prefs WHERE user_id = $1")
        .bind(user.0)
        .execute(&mut *tx)
        .await?;
    for kind in NoticeKind::ALL {
        sqlx::query("INSERT INTO notice_prefs (user_id, kind, by_message) VALUES ($1, $2, $3)")
            .bind(user.0)
            .bind(kind.code())
            .bind(by_message.contains(&kind))
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE users SET quiet_from = $2, quiet_to = $3, email = $4 WHERE id = $1")
        .bind(user.0)
        .bind(i64::from(quiet.from))
        .bind(i64::from(quiet.to))
        .bind(email)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Takes the person's row for the rest of the transaction: their own requests at once (a
/// double tap) take turns instead of racing past a count or a unique key.
async fn lock_person(tx: &mut Tx, user: UserId) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET quiet_from = quiet_from WHERE id = $1")
        .bind(user.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whether `user` asked to hear when `need` comes back.
pub async fn watching(db: &Db, user: UserId, need: NeedId) -> Result<bool, AppError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM need_watches WHERE need_id = $1 AND user_id = $2")
            .bind(need.0)
            .bind(user.0)
            .fetch_optional(&db.pool)
            .await?;
    Ok(found.is_some())
}

/// Asks to hear when a claimed need comes back (`on`), or stops asking. Only a need that is
/// claimed now can be watched (`NotOpen`... it is open: claim it instead; `NeedNotFound`
/// unless public); at most [`MAX_WATCHES`] at once.
pub async fn watch(
    db: &Db,
    user: UserId,
    need: NeedId,
    on: bool,
    now: UtcMillis,
) -> Result<(), AppError> {
    if !on {
        sqlx::query("DELETE FROM need_watches WHERE need_id = $1 AND user_id = $2")
            .bind(need.0)
            .bind(user.0)
            .execute(&db.pool)
            .await?;
        return Ok(());
    }
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM needs WHERE id = $1")
        .bind(need.0)
        .fetch_optional(&db.pool)
        .await?;
    match status.as_deref() {
        Some("claimed") => {}
        Some("published") => {
            return Err(AppError::invalid(
                "need_id",
                td_string!(crate::lang::locale(), notices.errors.still_open),
            ))
        }
        Some("fulfilled") => return Err(AppError::NotOpen),
        _ => return Err(AppError::NeedNotFound),
    }
    let mut tx = db.begin().await?;
    // Under the person's row, so two requests at once cannot both slip under the limit.
    lock_person(&mut tx, user).await?;
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM need_watches WHERE user_id = $1")
        .bind(user.0)
        .fetch_one(&mut *tx)
        .await?;
    if held >= MAX_WATCHES {
        tx.rollback().await?;
        return Err(AppError::invalid(
            "need_id",
            td_string!(
                crate::lang::locale(),
                notices.errors.max_watches,
                n = MAX_WATCHES
            )
            .to_string(),
        ));
    }
    let inserted = sqlx::query(
        "INSERT INTO need_watches (user_id, need_id, created_at) SELECT $1, $2, $3 \
         WHERE NOT EXISTS (SELECT 1 FROM need_watches WHERE need_id = $2 AND user_id = $1)",
    )
    .bind(user.0)
    .bind(need.0)
    .bind(now.0)
    .execute(&mut *tx)
    .await;
    match inserted {
        // Two at once for the same need: the other one saved it.
        Err(error) if super::is_unique_violation(&error) => tx.rollback().await,
        Err(error) => Err(error.into()),
        Ok(_) => tx.commit().await,
    }
}

/// Prunes notices read more than [`KEEP_READ_MS`] before `now` (their time is taken from
/// when they were written), with their messages once sent. Unread notices, and any whose
/// message is still to go or dead, stay. Returns how many notices went.
pub async fn prune_read(db: &Db, now: UtcMillis) -> Result<u64, AppError> {
    let cutoff = now.0 - KEEP_READ_MS;
    let mut tx = db.begin().await?;
    sqlx::query(
        "DELETE FROM notice_outbox WHERE sent_at IS NOT NULL AND notice_id IN \
         (SELECT id FROM notices WHERE read_at IS NOT NULL AND created_at < $1)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    let pruned = sqlx::query(
        "DELETE FROM notices WHERE read_at IS NOT NULL AND created_at < $1 \
         AND NOT EXISTS (SELECT 1 FROM notice_outbox o WHERE o.notice_id = notices.id)",
    )
    .bind(cutoff)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(pruned.rows_affected())
}

/// Reminds each donor whose open claim runs out within `within` ms of `now`, once per claim.
/// Returns how many were reminded.
pub async fn remind_expiring(db: &Db, now: UtcMillis, within: i64) -> Result<usize, AppError> {
    let due: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, need_id, donor_id, expires_at FROM claims \
         WHERE status = 'open' AND expires_at > $1 AND expires_at <= $2 \
           AND reminded_at IS NULL AND donor_id IS NOT NULL ORDER BY expires_at LIMIT 500",
    )
    .bind(now.0)
    .bind(now.0 + within)
    .fetch_all(&db.pool)
    .await?;
    let mut reminded = 0;
    for (claim, need, donor, expires_at) in due {
        let mut tx = db.begin().await?;
        let took = sqlx::query(
            "UPDATE claims SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL \
             AND status = 'open'",
        )
        .bind(claim)
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        if took.rows_affected() == 0 {
            // Another instance reminded them, or the claim moved on.
            tx.rollback().await?;
            continue;
        }
        let title: String = sqlx::query_scalar("SELECT title FROM needs WHERE id = $1")
            .bind(need)
            .fetch_one(&mut *tx)
            .await?;
        let notice = NewNotice::claim_expiring(NeedId(need), claim, &title, UtcMillis(expires_at));
        send(&mut tx, UserId(donor), &notice, now).await?;
        tx.commit().await?;
        reminded += 1;
    }
    Ok(reminded)
}

/// One message to send: the notice, and where it goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The outbox row.
    pub id: i64,
    pub notice_id: i64,
    pub user_id: i64,
    pub kind: NoticeKind,
    pub body: String,
    pub link: String,
    pub created_at: UtcMillis,
    pub phone: String,
    pub email: Option<String>,
    pub quiet: QuietHours,
    /// Failed tries so far.
    pub attempts: i64,
    /// The claim it tells of went back to the board before it was sent: a coordinator need
    /// not call a donor who gave up (nor learn their phone by message).
    pub claim_given_back: bool,
    /// Until when this worker holds it: marking it is conditional on still holding it, so a
    /// worker whose lease ran out never clears another's.
    pub lease_until: i64,
}

/// Leases up to `limit` due messages to this worker until `now + lease_ms`: a row leased by one
/// worker is not leased by another until its lease runs out (a worker that died mid-send).
/// On PostgreSQL concurrent workers skip each other's rows; SQLite has one writer.
pub async fn lease_due(
    db: &Db,
    now: UtcMillis,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Outgoing>, AppError> {
    let skip_locked = match db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let leased: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE notice_outbox SET lease_until = $2 WHERE id IN \
           (SELECT id FROM notice_outbox WHERE sent_at IS NULL AND dead_at IS NULL \
              AND not_before <= $1 AND (lease_until IS NULL OR lease_until <= $1) \
              ORDER BY id LIMIT $3{skip_locked}) \
         AND (lease_until IS NULL OR lease_until <= $1) RETURNING id"
    ))
    .bind(now.0)
    .bind(now.0 + lease_ms)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    if leased.is_empty() {
        return Ok(Vec::new());
    }
    // What each leased message needs, in one read for the whole batch.
    let placeholders: Vec<String> = (1..=leased.len()).map(|n| format!("${n}")).collect();
    let sql = format!(
        "SELECT o.id, o.notice_id, o.user_id, o.attempts, n.kind, n.body, n.link, \
                n.created_at, u.phone, u.email, u.quiet_from, u.quiet_to, \
                CASE WHEN c.status IN ('released', 'expired', 'rejected') \
                     THEN 1 ELSE 0 END AS given_back \
         FROM notice_outbox o JOIN notices n ON n.id = o.notice_id \
         JOIN users u ON u.id = o.user_id LEFT JOIN claims c ON c.id = n.claim_id \
         WHERE o.id IN ({}) ORDER BY o.id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for id in &leased {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&db.pool).await?;
    let mut outgoing = Vec::with_capacity(rows.len());
    for row in rows {
        outgoing.push(Outgoing {
            id: row.try_get("id")?,
            notice_id: row.try_get("notice_id")?,
            user_id: row.try_get("user_id")?,
            kind: NoticeKind::parse(row.try_get("kind")?)
                .map_err(|e| AppError::corrupt("notice", e))?,
            body: row.try_get("body")?,
            link: row.try_get("link")?,
            created_at: UtcMillis(row.try_get("created_at")?),
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            quiet: QuietHours::from_stored(row.try_get("quiet_from")?, row.try_get("quiet_to")?),
            attempts: row.try_get("attempts")?,
            lease_until: now.0 + lease_ms,
            claim_given_back: row.try_get::<i64, _>("given_back")? != 0,
        });
    }
    Ok(outgoing)
}

/// The message went (or, with `skipped`, cannot go and never will: no address); done. An
/// earlier failure's error is kept when it went in the end.
pub async fn mark_sent(
    db: &Db,
    message: &Outgoing,
    skipped: Option<&str>,
    now: UtcMillis,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notice_outbox SET sent_at = $2, lease_until = NULL, \
           last_error = COALESCE($3, last_error) \
         WHERE id = $1 AND sent_at IS NULL AND lease_until = $4",
    )
    .bind(message.id)
    .bind(now.0)
    .bind(skipped)
    .bind(message.lease_until)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Not now (quiet hours): the message waits until `until`, without counting as a failure.
pub async fn postpone(db: &Db, message: &Outgoing, until: UtcMillis) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE notice_outbox SET not_before = $2, lease_until = NULL \
         WHERE id = $1 AND sent_at IS NULL AND lease_until = $3",
    )
    .bind(message.id)
    .bind(until.0)
    .bind(message.lease_until)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Sending failed: tried again at `retry_at`, or, on the `max_attempts`-th failure, a dead
/// letter (shown to admins). `error` is what the adapter said (no secrets in it).
pub async fn mark_failed(
    db: &Db,
    message: &Outgoing,
    error: &str,
    retry_at: UtcMillis,
    max_attempts: i64,
    now: UtcMillis,
) -> Result<bool, AppError> {
    let error: String = error.chars().take(300).collect();
    let dead: Option<Option<i64>> = sqlx::query_scalar(
        "UPDATE notice_outbox SET attempts = attempts + 1, last_error = $2, lease_until = NULL, \
           not_before = $3, dead_at = CASE WHEN attempts + 1 >= $4 THEN $5 ELSE NULL END \
         WHERE id = $1 AND sent_at IS NULL AND lease_until = $6 RETURNING dead_at",
    )
    .bind(message.id)
    .bind(error)
    .bind(retry_at.0)
    .bind(max_attempts)
    .bind(now.0)
    .bind(message.lease_until)
    .fetch_optional(&db.pool)
    .await?;
    Ok(matches!(dead, Some(Some(_))))
}

/// The newest dead letters (at most 100) and how many there are in all.
pub async fn dead_letters(db: &Db) -> Result<DeadLetters, AppError> {
    let rows = sqlx::query(
        "SELECT o.id, n.kind, u.display_name, o.attempts, o.last_error, o.dead_at \
         FROM notice_outbox o JOIN notices n ON n.id = o.notice_id \
         JOIN users u ON u.id = o.user_id WHERE o.dead_at IS NOT NULL \
         ORDER BY o.dead_at DESC, o.id DESC LIMIT 100",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut letters = Vec::with_capacity(rows.len());
    for row in rows {
        letters.push(DeadLetter {
            id: row.try_get("id")?,
            kind: NoticeKind::parse(row.try_get("kind")?)
                .map_err(|e| AppError::corrupt("notice", e))?,
            user_name: row.try_get("display_name")?,
            attempts: row.try_get("attempts")?,
            last_error: row
                .try_get::<Option<String>, _>("last_error")?
                .unwrap_or_default(),
            dead_at: UtcMillis(row.try_get("dead_at")?),
        });
    }
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notice_outbox WHERE dead_at IS NOT NULL")
            .fetch_one(&db.pool)
            .await?;
    Ok(DeadLetters { letters, total })
}

/// Sends every dead letter again from now (an admin fixed the gateway): they get a fresh
/// count of tries. Returns how many.
pub async fn retry_dead(db: &Db, now: UtcMillis) -> Result<u64, AppError> {
    let moved = sqlx::query(
        "UPDATE notice_outbox SET dead_at = NULL, attempts = 0, not_before = $1, \
         lease_until = NULL WHERE dead_at IS NOT NULL AND sent_at IS NULL",
    )
    .bind(now.0)
    .execute(&db.pool)
    .await?;
    db.notices.outbox.notify_one();
    Ok(moved.rows_affected())
}
