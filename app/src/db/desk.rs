//! The supervision desk's figures, all computed in SQL over the whole history (indexes on the
//! times each figure filters by), and one need's full trail. Callers have checked the reader
//! may see the desk for `town` ([`crate::access::Action::SeeDesk`]). Nothing here reads a
//! household's identity: households are reached only for their matchable key, turned into a
//! [`HouseholdLabel`] before anything leaves this module.

use super::Db;
use crate::domain::{donor_on_page, Fen, NeedId, NeedStatus, UtcMillis, Window};
use crate::error::AppError;
use crate::private::{
    DeskStage, FileOpening, Flow, FlowRow, HouseholdLabel, NeedTrail, OverdueLimits, OverdueList,
    OverdueNeed, Referral, ReferralOutcome, ReturnReason, StageTime, SupplyRow, TownOverdue,
    TrailStep,
};
use leptos_i18n::td_string;
use sqlx::any::AnyRow;
use sqlx::Row;

const DAY_MS: i64 = 86_400_000;

/// The Shanghai day of a stored time, as days since 1970-01-01: an integer both backends
/// compute cheaply (a calendar function per row cost a second over 100,000 needs); the months
/// are made from the days in Rust.
fn day_of(column: &str) -> String {
    format!("(({column} + 28800000) / 86400000)")
}

/// The needs of one stage with when they entered it, as a derived table `(id, title,
/// aid_window, town, household_id, since)`; `$1` is the town or NULL.
fn stage_table(stage: DeskStage) -> &'static str {
    match stage {
        DeskStage::CouncilReview => {
            "SELECT n.id, n.title, n.aid_window, n.town, n.household_id, \
             COALESCE(n.submitted_at, n.updated_at) AS since FROM needs n \
             WHERE n.status = 'council_review' AND ($1 IS NULL OR n.town = $1)"
        }
        DeskStage::VolunteerReview => {
            "SELECT n.id, n.title, n.aid_window, n.town, n.household_id, \
             COALESCE((SELECT MAX(r.created_at) FROM reviews r WHERE r.need_id = n.id \
               AND r.stage = 'council' AND r.decision = 'approve'), n.updated_at) AS since \
             FROM needs n WHERE n.status = 'volunteer_review' AND ($1 IS NULL OR n.town = $1)"
        }
        DeskStage::Unclaimed => {
            "SELECT n.id, n.title, n.aid_window, n.town, n.household_id, \
             COALESCE(n.published_at, n.created_at) AS since FROM needs n \
             WHERE n.status = 'published' AND ($1 IS NULL OR n.town = $1)"
        }
        DeskStage::Undelivered => {
            "SELECT n.id, n.title, n.aid_window, n.town, n.household_id, \
             MIN(c.claimed_at) AS since FROM claims c JOIN needs n ON n.id = c.need_id \
             WHERE c.status = 'open' AND ($1 IS NULL OR n.town = $1) \
             GROUP BY n.id, n.title, n.aid_window, n.town, n.household_id"
        }
        DeskStage::Unconfirmed => {
            "SELECT n.id, n.title, n.aid_window, n.town, n.household_id, \
             MIN(c.delivered_at) AS since FROM claims c JOIN needs n ON n.id = c.need_id \
             WHERE c.status = 'delivered' AND ($1 IS NULL OR n.town = $1) \
             GROUP BY n.id, n.title, n.aid_window, n.town, n.household_id"
        }
    }
}

fn label(row: &AnyRow) -> Result<HouseholdLabel, AppError> {
    Ok(row
        .try_get::<Option<String>, _>("id_key")?
        .map_or_else(HouseholdLabel::none, |key| HouseholdLabel::from_key(&key)))
}

/// One stage's needs waiting longer than `limit_days`, oldest first: at most `shown` rows
/// (`None`: all, for the CSV), with the count of all.
pub async fn overdue(
    db: &Db,
    stage: DeskStage,
    limits: OverdueLimits,
    town: Option<&str>,
    shown: Option<i64>,
    now: UtcMillis,
) -> Result<OverdueList, AppError> {
    let limit_days = limits.days(stage);
    let cutoff = now.0 - i64::from(limit_days) * DAY_MS;
    let rows = sqlx::query(&format!(
        "SELECT s.id, s.title, s.aid_window, s.town, s.since, h.id_key FROM ({}) s \
         LEFT JOIN households h ON h.id = s.household_id \
         WHERE s.since < $2 ORDER BY s.since, s.id LIMIT $3",
        stage_table(stage)
    ))
    .bind(town)
    .bind(cutoff)
    .bind(shown.unwrap_or(i64::MAX))
    .fetch_all(&db.pool)
    .await?;
    let needs = rows
        .iter()
        .map(|row| {
            let since: i64 = row.try_get("since")?;
            Ok(OverdueNeed {
                need_id: NeedId(row.try_get("id")?),
                title: row.try_get("title")?,
                window: Window::parse(&row.try_get::<String, _>("aid_window")?)?,
                town: row.try_get("town")?,
                household: label(row)?,
                since: UtcMillis(since),
                days: (now.0 - since) / DAY_MS,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let total: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM ({}) s WHERE s.since < $2",
        stage_table(stage)
    ))
    .bind(town)
    .bind(cutoff)
    .fetch_one(&db.pool)
    .await?;
    Ok(OverdueList {
        stage,
        limit_days,
        needs,
        total,
    })
}

/// Overdue counts by town and stage (towns with none left out), towns in name order.
pub async fn overdue_by_town(
    db: &Db,
    limits: OverdueLimits,
    town: Option<&str>,
    now: UtcMillis,
) -> Result<Vec<TownOverdue>, AppError> {
    let mut by_town: Vec<TownOverdue> = Vec::new();
    for (index, stage) in DeskStage::ALL.into_iter().enumerate() {
        let cutoff = now.0 - i64::from(limits.days(stage)) * DAY_MS;
        let rows = sqlx::query(&format!(
            "SELECT s.town, COUNT(*) AS overdue FROM ({}) s WHERE s.since < $2 GROUP BY s.town",
            stage_table(stage)
        ))
        .bind(town)
        .bind(cutoff)
        .fetch_all(&db.pool)
        .await?;
        for row in &rows {
            let name: String = row.try_get("town")?;
            let count: i64 = row.try_get("overdue")?;
            match by_town.iter_mut().find(|t| t.town == name) {
                Some(existing) => existing.counts[index] = count,
                None => {
                    let mut counts = [0; 5];
                    counts[index] = count;
                    by_town.push(TownOverdue { town: name, counts });
                }
            }
        }
    }
    by_town.sort_by(|a, b| a.town.cmp(&b.town));
    Ok(by_town)
}

/// The flow figures of `[from, to)`: counts by month and window, medians per stage and the
/// reasons needs were sent back.
pub async fn flow(
    db: &Db,
    town: Option<&str>,
    from: UtcMillis,
    to: UtcMillis,
) -> Result<Flow, AppError> {
    let month = |column: &str| day_of(column);
    let in_period = |column: &str| format!("{column} >= $1 AND {column} < $2");
    let town_is = "($3 IS NULL OR n.town = $3)";
    let sql = format!(
        "SELECT day, aid_window, SUM(entered) AS entered, SUM(returned) AS returned, \
         SUM(published) AS published, SUM(claimed) AS claimed, SUM(fulfilled) AS fulfilled, \
         SUM(referred) AS referred, SUM(reviewed) AS reviewed, SUM(warned) AS warned, \
         SUM(approved_over_warning) AS approved_over_warning FROM ( \
           SELECT {m_entered} AS day, n.aid_window, 1 AS entered, 0 AS returned, \
             0 AS published, 0 AS claimed, 0 AS fulfilled, 0 AS referred, 0 AS reviewed, \
             0 AS warned, 0 AS approved_over_warning \
           FROM needs n WHERE {p_entered} AND {town_is} \
         UNION ALL \
           SELECT {m_review}, n.aid_window, 0, \
             CASE WHEN r.decision = 'return' THEN 1 ELSE 0 END, 0, 0, 0, 0, 1, \
             CASE WHEN r.aid_warnings > 0 THEN 1 ELSE 0 END, \
             CASE WHEN r.aid_warnings > 0 AND r.decision = 'approve' THEN 1 ELSE 0 END \
           FROM reviews r JOIN needs n ON n.id = r.need_id WHERE {p_review} AND {town_is} \
         UNION ALL \
           SELECT {m_published}, n.aid_window, 0, 0, 1, 0, 0, 0, 0, 0, 0 \
           FROM needs n WHERE {p_published} AND {town_is} \
         UNION ALL \
           SELECT {m_claimed}, n.aid_window, 0, 0, 0, 1, 0, 0, 0, 0, 0 \
           FROM claims c JOIN needs n ON n.id = c.need_id WHERE {p_claimed} AND {town_is} \
         UNION ALL \
           SELECT {m_fulfilled}, n.aid_window, 0, 0, 0, 0, 1, 0, 0, 0, 0 \
           FROM needs n WHERE n.status = 'fulfilled' AND {p_fulfilled} AND {town_is} \
         UNION ALL \
           SELECT {m_referred}, n.aid_window, 0, 0, 0, 0, 0, 1, 0, 0, 0 \
           FROM referrals f JOIN needs n ON n.id = f.need_id WHERE {p_referred} AND {town_is} \
         ) moves GROUP BY day, aid_window",
        m_entered = month("n.entered_at"),
        p_entered = in_period("n.entered_at"),
        m_review = month("r.created_at"),
        p_review = in_period("r.created_at"),
        m_published = month("n.published_at"),
        p_published = in_period("n.published_at"),
        m_claimed = month("c.claimed_at"),
        p_claimed = in_period("c.claimed_at"),
        m_fulfilled = month("n.fulfilled_at"),
        p_fulfilled = in_period("n.fulfilled_at"),
        m_referred = month("f.referred_at"),
        p_referred = in_period("f.referred_at"),
    );
    let rows = sqlx::query(&sql)
        .bind(from.0)
        .bind(to.0)
        .bind(town)
        .fetch_all(&db.pool)
        .await?;
    let mut total = FlowRow::default();
    let mut flow_rows: Vec<FlowRow> = Vec::new();
    for row in &rows {
        let count = |name: &str| -> Result<i64, AppError> {
            Ok(row.try_get::<Option<i64>, _>(name)?.unwrap_or(0))
        };
        let day: i64 = row.try_get("day")?;
        let month = UtcMillis(day * DAY_MS).shanghai_date_text()[..7].to_owned();
        let flow_row = FlowRow {
            month,
            window: Some(Window::parse(&row.try_get::<String, _>("aid_window")?)?),
            entered: count("entered")?,
            returned: count("returned")?,
            published: count("published")?,
            claimed: count("claimed")?,
            fulfilled: count("fulfilled")?,
            referred: count("referred")?,
            reviews: count("reviewed")?,
            warned: count("warned")?,
            approved_over_warning: count("approved_over_warning")?,
        };
        total.add(&flow_row);
        match flow_rows
            .iter_mut()
            .find(|r| r.month == flow_row.month && r.window == flow_row.window)
        {
            Some(same) => same.add(&flow_row),
            None => flow_rows.push(flow_row),
        }
    }
    flow_rows.sort_by(|a, b| {
        (&a.month, a.window.map(|w| w.code())).cmp(&(&b.month, b.window.map(|w| w.code())))
    });
    Ok(Flow {
        rows: flow_rows,
        total,
        stage_times: stage_times(db, town, from, to).await?,
        return_reasons: return_reasons(db, town, from, to).await?,
    })
}

/// The median time each stage took, over the needs that left it in `[from, to)` (an even
/// count takes the mean of the middle two), by window functions both backends share.
async fn stage_times(
    db: &Db,
    town: Option<&str>,
    from: UtcMillis,
    to: UtcMillis,
) -> Result<Vec<StageTime>, AppError> {
    let town_is = "($3 IS NULL OR n.town = $3)";
    let sql = format!(
        "WITH durations AS ( \
           SELECT 'council' AS stage, r.created_at - COALESCE(n.submitted_at, n.entered_at) AS ms \
           FROM reviews r JOIN needs n ON n.id = r.need_id \
           WHERE r.stage = 'council' AND r.decision = 'approve' \
             AND r.created_at >= $1 AND r.created_at < $2 AND {town_is} \
         UNION ALL \
           SELECT 'volunteer', r.created_at - (SELECT MAX(e.created_at) FROM reviews e \
             WHERE e.need_id = r.need_id AND e.stage = 'council' AND e.decision = 'approve' \
               AND e.created_at <= r.created_at) \
           FROM reviews r JOIN needs n ON n.id = r.need_id \
           WHERE r.stage = 'volunteer' AND r.decision = 'approve' \
             AND r.created_at >= $1 AND r.created_at < $2 AND {town_is} \
         UNION ALL \
           SELECT 'unclaimed', f.first_claim - n.published_at FROM needs n \
           JOIN (SELECT need_id, MIN(claimed_at) AS first_claim FROM claims GROUP BY need_id) f \
             ON f.need_id = n.id \
           WHERE f.first_claim >= $1 AND f.first_claim < $2 AND {town_is} \
         UNION ALL \
           SELECT 'undelivered', c.delivered_at - c.claimed_at \
           FROM claims c JOIN needs n ON n.id = c.need_id \
           WHERE c.delivered_at >= $1 AND c.delivered_at < $2 AND {town_is} \
         UNION ALL \
           SELECT 'unconfirmed', c.confirmed_at - c.delivered_at \
           FROM claims c JOIN needs n ON n.id = c.need_id \
           WHERE c.confirmed_at >= $1 AND c.confirmed_at < $2 AND {town_is} \
         ), ranked AS ( \
           SELECT stage, ms, ROW_NUMBER() OVER (PARTITION BY stage ORDER BY ms) AS place, \
             COUNT(*) OVER (PARTITION BY stage) AS passed \
           FROM durations WHERE ms IS NOT NULL AND ms >= 0 \
         ) \
         SELECT stage, MAX(passed) AS passed, CAST(AVG(ms) AS BIGINT) AS median_ms FROM ranked \
         WHERE place IN ((passed + 1) / 2, (passed + 2) / 2) GROUP BY stage"
    );
    let rows = sqlx::query(&sql)
        .bind(from.0)
        .bind(to.0)
        .bind(town)
        .fetch_all(&db.pool)
        .await?;
    let mut times: Vec<StageTime> = DeskStage::ALL
        .into_iter()
        .map(|stage| StageTime {
            stage,
            median_ms: None,
            passed: 0,
        })
        .collect();
    for row in &rows {
        let stage = DeskStage::parse(&row.try_get::<String, _>("stage")?)?;
        if let Some(time) = times.iter_mut().find(|t| t.stage == stage) {
            time.passed = row.try_get("passed")?;
            time.median_ms = row.try_get("median_ms")?;
        }
    }
    Ok(times)
}

async fn return_reasons(
    db: &Db,
    town: Option<&str>,
    from: UtcMillis,
    to: UtcMillis,
) -> Result<Vec<ReturnReason>, AppError> {
    let rows = sqlx::query(
        "SELECT r.reason, COUNT(*) AS times FROM reviews r JOIN needs n ON n.id = r.need_id \
         WHERE r.decision = 'return' AND r.created_at >= $1 AND r.created_at < $2 \
           AND ($3 IS NULL OR n.town = $3) \
         GROUP BY r.reason ORDER BY times DESC, r.reason LIMIT 20",
    )
    .bind(from.0)
    .bind(to.0)
    .bind(town)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ReturnReason {
                reason: row.try_get("reason")?,
                count: row.try_get("times")?,
            })
        })
        .collect()
}

/// Open needs and what they lack, by window and town, against the claims made there since
/// `since` (30 days ago): where donors are not reaching.
pub async fn supply(
    db: &Db,
    town: Option<&str>,
    since: UtcMillis,
) -> Result<Vec<SupplyRow>, AppError> {
    let open = sqlx::query(
        "SELECT n.aid_window, n.town, COUNT(*) AS needs, \
         CAST(SUM(CASE WHEN n.amount_fen IS NULL THEN 0 ELSE n.amount_fen - n.pledged_fen END) \
           AS BIGINT) AS lacking \
         FROM needs n WHERE n.status = 'published' AND ($1 IS NULL OR n.town = $1) \
         GROUP BY n.aid_window, n.town",
    )
    .bind(town)
    .fetch_all(&db.pool)
    .await?;
    let claimed = sqlx::query(
        "SELECT n.aid_window, n.town, COUNT(*) AS claims, \
         CAST(SUM(COALESCE(c.amount_fen, n.amount_fen, 0)) AS BIGINT) AS money \
         FROM claims c JOIN needs n ON n.id = c.need_id \
         WHERE c.claimed_at >= $2 AND ($1 IS NULL OR n.town = $1) \
         GROUP BY n.aid_window, n.town",
    )
    .bind(town)
    .bind(since.0)
    .fetch_all(&db.pool)
    .await?;
    let mut supply: Vec<SupplyRow> = Vec::new();
    let mut entry = |row: &AnyRow| -> Result<usize, AppError> {
        let window = Window::parse(&row.try_get::<String, _>("aid_window")?)?;
        let town: String = row.try_get("town")?;
        Ok(
            match supply
                .iter()
                .position(|s| s.window == window && s.town == town)
            {
                Some(index) => index,
                None => {
                    supply.push(SupplyRow {
                        window,
                        town,
                        open_needs: 0,
                        open_money: Fen::from_stored(0),
                        claims_30d: 0,
                        claimed_money_30d: Fen::from_stored(0),
                    });
                    supply.len() - 1
                }
            },
        )
    };
    let mut figures = Vec::new();
    for row in &open {
        figures.push((
            entry(row)?,
            true,
            row.try_get::<i64, _>("needs")?,
            row.try_get::<Option<i64>, _>("lacking")?.unwrap_or(0),
        ));
    }
    for row in &claimed {
        figures.push((
            entry(row)?,
            false,
            row.try_get::<i64, _>("claims")?,
            row.try_get::<Option<i64>, _>("money")?.unwrap_or(0),
        ));
    }
    for (index, open, count, fen) in figures {
        let row = &mut supply[index];
        if open {
            row.open_needs = count;
            row.open_money = Fen::from_stored(fen);
        } else {
            row.claims_30d = count;
            row.claimed_money_30d = Fen::from_stored(fen);
        }
    }
    // Where donors reach least first: open needs without claims lead.
    supply.sort_by(|a, b| {
        (
            a.claims_30d,
            std::cmp::Reverse(a.open_needs),
            &a.town,
            a.window.code(),
        )
            .cmp(&(
                b.claims_30d,
                std::cmp::Reverse(b.open_needs),
                &b.town,
                b.window.code(),
            ))
    });
    Ok(supply)
}

/// Reports not yet resolved, of `town` or all.
pub async fn open_reports(db: &Db, town: Option<&str>) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports r JOIN needs n ON n.id = r.need_id \
         WHERE r.resolved_at IS NULL AND ($1 IS NULL OR n.town = $1)",
    )
    .bind(town)
    .fetch_one(&db.pool)
    .await?)
}

/// Referrals of `town` (or all): those awaiting an outcome by due date (at most 1,000), then
/// (if `with_recorded`) the 1,000 most recently decided.
pub async fn referrals(
    db: &Db,
    town: Option<&str>,
    with_recorded: bool,
) -> Result<Vec<Referral>, AppError> {
    let columns = "f.id, f.need_id, n.title, n.aid_window, n.town, h.id_key, f.programme, \
         f.referred_at, f.due_at, f.note, f.outcome, f.outcome_fen, f.outcome_note, f.outcome_at";
    let from = "FROM referrals f JOIN needs n ON n.id = f.need_id \
         LEFT JOIN households h ON h.id = n.household_id WHERE ($1 IS NULL OR n.town = $1)";
    let mut rows = sqlx::query(&format!(
        "SELECT {columns} {from} AND f.outcome IS NULL ORDER BY f.due_at, f.id LIMIT 1000"
    ))
    .bind(town)
    .fetch_all(&db.pool)
    .await?;
    if with_recorded {
        rows.extend(
            sqlx::query(&format!(
                "SELECT {columns} {from} AND f.outcome IS NOT NULL \
                 ORDER BY f.outcome_at DESC, f.id DESC LIMIT 1000"
            ))
            .bind(town)
            .fetch_all(&db.pool)
            .await?,
        );
    }
    let mut referrals = Vec::new();
    for row in &rows {
        let town: String = row.try_get("town")?;
        referrals.push(Referral {
            id: row.try_get("id")?,
            need_id: NeedId(row.try_get("need_id")?),
            title: row.try_get("title")?,
            window: Window::parse(&row.try_get::<String, _>("aid_window")?)?,
            town,
            household: label(row)?,
            programme: row.try_get("programme")?,
            referred_at: UtcMillis(row.try_get("referred_at")?),
            due_at: UtcMillis(row.try_get("due_at")?),
            note: row.try_get("note")?,
            outcome: row
                .try_get::<Option<String>, _>("outcome")?
                .map(|code| ReferralOutcome::parse(&code))
                .transpose()?,
            granted: row
                .try_get::<Option<i64>, _>("outcome_fen")?
                .map(Fen::from_stored),
            outcome_note: row.try_get("outcome_note")?,
            outcome_at: row.try_get::<Option<i64>, _>("outcome_at")?.map(UtcMillis),
            can_record: false,
        });
    }
    Ok(referrals)
}

/// A staff member as the trail names them: `王芳（志愿者）`.
fn staff(name: Option<String>, role: &str) -> String {
    match name {
        Some(name) => td_string!(
            crate::lang::locale(),
            desk.trail.staff,
            name = name,
            role = role
        )
        .to_string(),
        None => role.to_owned(),
    }
}

/// Everything that happened to one need, oldest first, and every opening of its household's
/// private file. `None` for a need that does not exist.
pub async fn trail(db: &Db, id: NeedId) -> Result<Option<NeedTrail>, AppError> {
    let Some(need) = sqlx::query(
        "SELECT n.title, n.aid_window, n.town, n.status, n.household_id, n.entered_at, \
         n.published_at, n.fulfilled_at, h.id_key FROM needs n \
         LEFT JOIN households h ON h.id = n.household_id WHERE n.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(None);
    };
    let locale = crate::lang::locale();
    let mut steps = Vec::new();
    let mut step = |at: i64, what: &str, who: String, detail: String| {
        steps.push(TrailStep {
            at: UtcMillis(at),
            what: what.to_owned(),
            who,
            detail,
        })
    };
    let logged = sqlx::query(
        "SELECT t.action, t.detail, t.created_at, u.display_name FROM need_trail t \
         LEFT JOIN users u ON u.id = t.actor_id WHERE t.need_id = $1 ORDER BY t.id LIMIT 1000",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    let mut entered_logged = false;
    for row in &logged {
        let action: String = row.try_get("action")?;
        entered_logged |= action == "entered";
        let who = match action.as_str() {
            "entered" | "edited" | "submitted" => staff(
                row.try_get("display_name")?,
                td_string!(locale, desk.trail.role_entry_volunteer),
            ),
            // The public is named by role only, even when signed in.
            "reported" => td_string!(locale, desk.trail.role_public).to_owned(),
            _ => staff(
                row.try_get("display_name")?,
                td_string!(locale, desk.trail.role_staff),
            ),
        };
        step(
            row.try_get("created_at")?,
            super::trail::Step::label(&action),
            who,
            row.try_get("detail")?,
        );
    }
    if !entered_logged {
        // Entered before the trail was kept.
        step(
            need.try_get("entered_at")?,
            td_string!(locale, desk.step.entered),
            td_string!(locale, desk.trail.role_entry_volunteer).into(),
            String::new(),
        );
    }
    let reviews = sqlx::query(
        "SELECT r.stage, r.decision, r.reason, r.aid_warnings, r.created_at, u.display_name \
         FROM reviews r LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.need_id = $1 \
         ORDER BY r.id LIMIT 1000",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    for row in &reviews {
        let council = row.try_get::<String, _>("stage")? == "council";
        let approve = row.try_get::<String, _>("decision")? == "approve";
        let what = match (council, approve) {
            (true, true) => td_string!(locale, desk.trail.council_approved),
            (true, false) => td_string!(locale, desk.trail.council_returned),
            (false, true) => td_string!(locale, desk.trail.volunteer_approved),
            (false, false) => td_string!(locale, desk.trail.volunteer_returned),
        };
        let warnings: i64 = row.try_get("aid_warnings")?;
        let reason: String = row.try_get("reason")?;
        let detail = match (warnings, reason.is_empty()) {
            (0, _) => reason,
            (n, true) => td_string!(locale, desk.trail.warnings, n = n).to_string(),
            (n, false) => {
                td_string!(locale, desk.trail.warnings_reason, n = n, reason = reason).to_string()
            }
        };
        let role = if council {
            td_string!(locale, desk.trail.role_council_reviewer)
        } else {
            td_string!(locale, desk.trail.role_review_volunteer)
        };
        step(
            row.try_get("created_at")?,
            what,
            staff(row.try_get("display_name")?, role),
            detail,
        );
    }
    if let Some(at) = need.try_get::<Option<i64>, _>("published_at")? {
        step(
            at,
            td_string!(locale, desk.trail.published),
            td_string!(locale, desk.trail.role_system).into(),
            String::new(),
        );
    }
    let claims = sqlx::query(
        "SELECT c.id, c.donor_name, c.amount_fen, c.status, c.claimed_at, c.released_at, \
         c.delivered_at, c.delivery_note, c.confirmed_at, c.confirmed_how, c.confirm_reason, \
         c.rejected_reason, cu.display_name AS confirmer, ru.display_name AS rejecter \
         FROM claims c LEFT JOIN users cu ON cu.id = c.confirmed_by \
         LEFT JOIN users ru ON ru.id = c.rejected_by WHERE c.need_id = $1 \
         ORDER BY c.id LIMIT 1000",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?;
    for row in &claims {
        let donor = td_string!(
            locale,
            desk.trail.donor,
            name = donor_on_page(&row.try_get::<String, _>("donor_name")?, true)
        )
        .to_string();
        let amount = row
            .try_get::<Option<i64>, _>("amount_fen")?
            .map(|fen| {
                td_string!(locale, desk.trail.pledged, amount = Fen::from_stored(fen)).to_string()
            })
            .unwrap_or_default();
        step(
            row.try_get("claimed_at")?,
            td_string!(locale, desk.trail.claimed),
            donor.clone(),
            amount,
        );
        if let Some(at) = row.try_get::<Option<i64>, _>("delivered_at")? {
            let note: Option<String> = row.try_get("delivery_note")?;
            step(
                at,
                td_string!(locale, desk.trail.delivered),
                donor.clone(),
                note.unwrap_or_default(),
            );
        }
        if let Some(at) = row.try_get::<Option<i64>, _>("confirmed_at")? {
            let by_family = row
                .try_get::<Option<String>, _>("confirmed_how")?
                .as_deref()
                == Some("family");
            let (what, who) = if by_family {
                (
                    td_string!(locale, desk.trail.family_confirmed),
                    td_string!(locale, desk.trail.role_family).to_owned(),
                )
            } else {
                (
                    td_string!(locale, desk.trail.volunteer_confirmed),
                    staff(
                        row.try_get("confirmer")?,
                        td_string!(locale, desk.trail.role_volunteer),
                    ),
                )
            };
            let reason: Option<String> = row.try_get("confirm_reason")?;
            step(at, what, who, reason.unwrap_or_default());
        }
        if let Some(at) = row.try_get::<Option<i64>, _>("released_at")? {
            let status: String = row.try_get("status")?;
            let (what, who, detail) = match status.as_str() {
                "expired" => (
                    td_string!(locale, desk.trail.claim_expired),
                    td_string!(locale, desk.trail.role_system).to_owned(),
                    String::new(),
                ),
                "rejected" => (
                    td_string!(locale, desk.trail.delivery_rejected),
                    staff(
                        row.try_get("rejecter")?,
                        td_string!(locale, desk.trail.role_volunteer),
                    ),
                    row.try_get::<Option<String>, _>("rejected_reason")?
                        .unwrap_or_default(),
                ),
                _ => (
                    td_string!(locale, desk.trail.claim_released),
                    donor.clone(),
                    String::new(),
                ),
            };
            step(at, what, who, detail);
        }
    }
    if let Some(at) = need.try_get::<Option<i64>, _>("fulfilled_at")? {
        step(
            at,
            td_string!(locale, desk.trail.fulfilled),
            td_string!(locale, desk.trail.role_system).into(),
            String::new(),
        );
    }
    steps.sort_by_key(|step| step.at);
    let openings = match need.try_get::<Option<i64>, _>("household_id")? {
        None => Vec::new(),
        Some(household) => {
            let rows = sqlx::query(
                "SELECT a.opened_at, a.page, u.display_name FROM file_access a \
                 JOIN users u ON u.id = a.user_id WHERE a.household_id = $1 \
                 ORDER BY a.opened_at DESC, a.id DESC LIMIT 500",
            )
            .bind(household)
            .fetch_all(&db.pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(FileOpening {
                        at: UtcMillis(row.try_get("opened_at")?),
                        who: row.try_get("display_name")?,
                        page: row.try_get("page")?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?
        }
    };
    Ok(Some(NeedTrail {
        need_id: id,
        title: need.try_get("title")?,
        window: Window::parse(&need.try_get::<String, _>("aid_window")?)?,
        town: need.try_get("town")?,
        status: NeedStatus::parse(&need.try_get::<String, _>("status")?)?,
        household: label(&need)?,
        steps,
        openings,
    }))
}
