//! The impact board's figures, computed from the needs and claims as they stand.

use super::{events, Db};
use crate::domain::{UtcMillis, Window};
use crate::error::AppError;
use crate::impact::{last_twelve_months, median, month_of, Impact, Tally};
use sqlx::Row;
use std::collections::{BTreeMap, HashSet};

pub async fn figures(db: &Db, now: UtcMillis) -> Result<Impact, AppError> {
    let as_of = events::latest(db).await?;
    let needs = sqlx::query(
        "SELECT n.id, n.aid_window, n.town, n.status, n.created_at, n.fulfilled_at, \
         (SELECT MIN(c.claimed_at) FROM claims c WHERE c.need_id = n.id) AS first_claim \
         FROM needs n WHERE n.status IN ('published', 'claimed', 'fulfilled') \
         AND n.published_at IS NOT NULL",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut impact = Impact {
        as_of,
        ..Impact::default()
    };
    let mut windows: BTreeMap<usize, Tally> = BTreeMap::new();
    let mut towns: BTreeMap<String, Tally> = BTreeMap::new();
    let months = last_twelve_months(now);
    let mut by_month: Vec<Tally> = months
        .iter()
        .map(|label| Tally {
            label: label.clone(),
            published: 0,
            fulfilled: 0,
        })
        .collect();
    let (mut to_claim, mut to_fulfil) = (Vec::new(), Vec::new());
    for row in &needs {
        let status: String = row.try_get("status")?;
        let window: String = row.try_get("aid_window")?;
        let town: String = row.try_get("town")?;
        let published_at = UtcMillis(row.try_get("created_at")?);
        let fulfilled_at = row
            .try_get::<Option<i64>, _>("fulfilled_at")?
            .map(UtcMillis);
        let fulfilled = status == "fulfilled";
        impact.published += 1;
        impact.claimed += i64::from(status != "published");
        impact.fulfilled += i64::from(fulfilled);
        let index = Window::ALL
            .iter()
            .position(|w| w.code() == window)
            .unwrap_or(0);
        for tally in [
            windows.entry(index).or_insert_with(|| Tally {
                label: crate::city::window_label(Window::ALL[index]),
                published: 0,
                fulfilled: 0,
            }),
            towns.entry(town.clone()).or_insert_with(|| Tally {
                label: town.clone(),
                published: 0,
                fulfilled: 0,
            }),
        ] {
            tally.published += 1;
            tally.fulfilled += i64::from(fulfilled);
        }
        if let Some(month) = by_month
            .iter_mut()
            .find(|m| m.label == month_of(published_at))
        {
            month.published += 1;
        }
        if let Some(at) = fulfilled_at.filter(|_| fulfilled) {
            if let Some(month) = by_month.iter_mut().find(|m| m.label == month_of(at)) {
                month.fulfilled += 1;
            }
            to_fulfil.push((at.0 - published_at.0).max(0) / 60_000);
        }
        if let Some(first) = row.try_get::<Option<i64>, _>("first_claim")? {
            to_claim.push((first - published_at.0).max(0) / 60_000);
        }
    }
    impact.by_window = windows.into_values().collect();
    impact.by_town = towns.into_values().collect();
    impact
        .by_town
        .sort_by(|a, b| b.published.cmp(&a.published).then(a.label.cmp(&b.label)));
    impact.by_month = by_month;
    impact.median_minutes_to_claim = median(to_claim);
    impact.median_minutes_to_fulfil = median(to_fulfil);

    let delivered = sqlx::query(
        "SELECT n.ask_kind, c.amount_fen, n.household_id FROM claims c \
         JOIN needs n ON n.id = c.need_id WHERE c.status = 'confirmed'",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut households = HashSet::new();
    for row in &delivered {
        match row.try_get::<String, _>("ask_kind")?.as_str() {
            "money" => {
                impact.money_delivered_fen +=
                    row.try_get::<Option<i64>, _>("amount_fen")?.unwrap_or(0)
            }
            "goods" => impact.goods_delivered += 1,
            _ => impact.services_delivered += 1,
        }
        if let Some(household) = row.try_get::<Option<i64>, _>("household_id")? {
            households.insert(household);
        }
    }
    // Service sessions attended (a need matched to a service counts here, not as a claim).
    let attended = super::offers::attended(db).await?;
    impact.service_sessions = attended.len() as i64;
    households.extend(attended);
    impact.households_helped = households.len() as i64;
    Ok(impact)
}

/// The impact figures, computed at most once per `every` however many pages ask: every open
/// impact page asks again on each live event, so without this a burst of claims would have
/// each page recompute every figure per event. Figures younger than `every` are served as
/// they are, unless the log has moved past them; then the next computation waits for the rest
/// of the interval (holding the others, who then share it), so a page is never left with
/// figures older than the last event it saw.
#[derive(Clone, Debug)]
pub struct FiguresCache {
    last: std::sync::Arc<tokio::sync::Mutex<Option<(tokio::time::Instant, Impact)>>>,
    every: std::time::Duration,
    computed: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl FiguresCache {
    pub fn new(every: std::time::Duration) -> FiguresCache {
        FiguresCache {
            last: Default::default(),
            every,
            computed: Default::default(),
        }
    }

    pub async fn figures(&self, db: &Db) -> Result<Impact, AppError> {
        let latest = events::latest(db).await?;
        let mut last = self.last.lock().await;
        if let Some((at, figures)) = &*last {
            let age = at.elapsed();
            if age < self.every {
                if figures.as_of >= latest {
                    return Ok(figures.clone());
                }
                tokio::time::sleep(self.every - age).await;
            }
        }
        let fresh = figures(db, UtcMillis::now()).await?;
        self.computed
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *last = Some((tokio::time::Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// How many times the figures were computed (for the tests and the metrics).
    pub fn computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }
}
