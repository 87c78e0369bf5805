//! Private household records. Every read here is for a caller already checked to be a
//! volunteer or reviewer of the household's town, or an admin.

use super::{on_unique, Db};
use crate::domain::UtcMillis;
use crate::error::AppError;
use crate::people::UserId;
use crate::private::{HouseholdId, HouseholdView, IdKey, LowIncome, NewHousehold};
use sqlx::any::AnyRow;
use sqlx::Row;

const COLUMNS: &str =
    "id, town, village, head_name, id_last4, address, phone, members, member_count, low_income";

fn household(row: &AnyRow) -> Result<HouseholdView, AppError> {
    Ok(HouseholdView {
        id: HouseholdId(row.try_get("id")?),
        town: row.try_get("town")?,
        village: row.try_get("village")?,
        head_name: row.try_get("head_name")?,
        id_last4: row.try_get("id_last4")?,
        address: row.try_get("address")?,
        phone: row.try_get("phone")?,
        members: row.try_get("members")?,
        member_count: row.try_get("member_count")?,
        low_income: LowIncome::parse(row.try_get("low_income")?)
            .map_err(|e| AppError::corrupt("household", e))?,
    })
}

/// Registers a household; `HouseholdExists` if its ID number is already registered in the same
/// town (another town's registration is not revealed: both are kept, and reviewers see it).
pub async fn register(
    db: &Db,
    key: &IdKey,
    household: &NewHousehold,
    by: UserId,
    now: UtcMillis,
) -> Result<HouseholdId, AppError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO households (town, village, head_name, id_key, id_last4, address, phone, \
         members, member_count, low_income, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&household.town)
    .bind(&household.village)
    .bind(&household.head_name)
    .bind(household.id_number.key(key))
    .bind(household.id_number.last4())
    .bind(&household.address)
    .bind(household.phone.as_str())
    .bind(&household.members)
    .bind(household.member_count)
    .bind(household.low_income.code())
    .bind(by.0)
    .bind(now.0)
    .fetch_one(&db.pool)
    .await
    .map_err(on_unique(AppError::HouseholdExists))?;
    Ok(HouseholdId(id))
}

/// The other towns where a household with the same ID number is registered (a volunteer is
/// never told; the household's reviewers are).
pub async fn registered_elsewhere(db: &Db, id: HouseholdId) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT other.town FROM households h \
         JOIN households other ON other.id_key = h.id_key AND other.id <> h.id \
         WHERE h.id = $1 ORDER BY other.town",
    )
    .bind(id.0)
    .fetch_all(&db.pool)
    .await?)
}

/// One household with its matching key.
pub async fn find(db: &Db, id: HouseholdId) -> Result<Option<(HouseholdView, String)>, AppError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS}, id_key FROM households WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|row| Ok((household(&row)?, row.try_get("id_key")?)))
        .transpose()
}

/// The households of `towns` (`None`: every town), by town and village, newest first.
pub async fn in_towns(db: &Db, towns: Option<&[&str]>) -> Result<Vec<HouseholdView>, AppError> {
    if towns == Some(&[]) {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM households WHERE 1 = 1{} ORDER BY town, village, id DESC",
        super::and_town_in("town", towns)
    );
    let mut query = sqlx::query(&sql);
    for town in towns.unwrap_or_default() {
        query = query.bind(*town);
    }
    query
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(household)
        .collect()
}
