//! The public impact board and the credit leaderboard.

use crate::credit::Standing;
use crate::error::AppError;
use crate::impact::Impact;
use leptos::prelude::*;

/// What was done, for everyone. Public.
#[server(prefix = "/api", endpoint = "load_impact")]
pub async fn load_impact() -> Result<Impact, AppError> {
    use super::from_context;
    use crate::db::{impact::FiguresCache, Db};
    let db: Db = from_context()?;
    let cache: FiguresCache = from_context()?;
    cache.figures(&db).await
}

/// The highest credit balances. Public; names are masked (张*) unless their owner shows them.
#[server(prefix = "/api", endpoint = "load_leaderboard")]
pub async fn load_leaderboard() -> Result<Vec<Standing>, AppError> {
    use super::from_context;
    use crate::db::{credit, Db};
    let db: Db = from_context()?;
    credit::leaderboard(&db, 50).await
}

/// The caller's balance and whether they appear by name.
#[server(prefix = "/api", endpoint = "my_credit")]
pub async fn my_credit() -> Result<(i64, bool), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{credit, Db};
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    Ok((
        credit::balance(&db, viewer.id).await?,
        credit::shows_name(&db, viewer.id).await?,
    ))
}

/// Whether the caller appears on the leaderboard by their full name or masked (张*).
#[server(prefix = "/api", endpoint = "set_anonymous")]
pub async fn set_anonymous(#[server(default)] anonymous: bool) -> Result<(), AppError> {
    use super::{from_context, signed_in};
    use crate::db::{credit, Db};
    let viewer = signed_in().await?;
    let db: Db = from_context()?;
    credit::set_show_name(&db, viewer.id, !anonymous).await
}
