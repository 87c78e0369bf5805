use crate::domain::{Board, BoardFilter};
use crate::error::AppError;
use leptos::prelude::*;

/// The open board for a filter, with the event id the client streams from. Public.
#[server(prefix = "/api", endpoint = "list_needs")]
pub async fn list_needs(filter: BoardFilter) -> Result<Board, AppError> {
    use super::from_context;
    use crate::db::{needs, Db};
    let filter = filter.check()?;
    let db: Db = from_context()?;
    needs::open_board(&db, &filter).await
}

/// The board the server loaded for a page request before rendering it (see
/// `wanshan_server`'s board layer): the board page reads it without waiting, so it needs no
/// `<Suspense>`.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct LoadedBoard(pub BoardFilter, pub Result<Board, AppError>);

/// The board loaded for this request, if the server loaded one.
#[cfg(feature = "ssr")]
pub fn loaded_board() -> Option<LoadedBoard> {
    use_context::<http::request::Parts>()?
        .extensions
        .get::<LoadedBoard>()
        .cloned()
}

/// One need's public page: published, claimed or fulfilled (else `NeedNotFound`), with its
/// timeline. Public.
#[server(prefix = "/api", endpoint = "get_need_page")]
pub async fn get_need_page(id: i64) -> Result<crate::domain::NeedPage, AppError> {
    use super::from_context;
    use crate::db::{needs, Db};
    use crate::domain::NeedId;
    if id <= 0 {
        return Err(AppError::NeedNotFound);
    }
    let db: Db = from_context()?;
    needs::page(&db, NeedId(id)).await
}
