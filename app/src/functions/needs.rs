use crate::domain::{Board, BoardFilter};
use crate::error::AppError;
use leptos::prelude::*;

/// The open board for a filter, with the event id the client streams from. Public.
#[server(prefix = "/api", endpoint = "list_needs")]
pub async fn list_needs(filter: BoardFilter) -> Result<Board, AppError> {
    use super::from_context;
    use crate::db::{needs, Db};
    let db: Db = from_context()?;
    needs::open_board(&db, &filter).await
}
