//! The desk's CSV exports: plain axum handlers, because an export is a file a browser
//! downloads with a link. Who may read it is checked exactly as for the page.

use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use wanshan_app::error::AppError;
use wanshan_app::functions::Caller;
use wanshan_app::private::DeskScope;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScopeQuery {
    town: String,
    from: String,
    to: String,
}

/// `GET /desk/export/{list}.csv?town=&from=&to=`: one of the desk's lists as CSV.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    caller: Option<Extension<Caller>>,
    Path(file): Path<String>,
    Query(query): Query<ScopeQuery>,
) -> Response {
    // The file's headings and labels in the reader's language (officials may download in
    // English): the app's code reads it from the reactive owner, as during rendering.
    let owner = leptos::prelude::Owner::new();
    owner.with(|| wanshan_app::lang::provide_locale(wanshan_app::lang::from_headers(&headers)));
    let result = owner.with(|| {
        leptos::reactive::computed::ScopedFuture::new_untracked(async move {
            let reader = caller
                .and_then(|Extension(Caller(viewer))| viewer)
                .ok_or(AppError::Unauthorized)?;
            let list = file.strip_suffix(".csv").ok_or(AppError::NeedNotFound)?;
            let asked = DeskScope {
                town: Some(query.town),
                from: query.from,
                to: query.to,
            };
            wanshan_app::functions::desk::desk_csv(
                &state.db,
                &reader,
                &state.settings,
                list,
                &asked,
            )
            .await
        })
    });
    let result = result.await;
    owner.with(|| csv_download(result))
}

/// An export as the browser downloads it: the file named `name`, never cached; or the error.
pub fn csv_download(result: Result<(String, String), AppError>) -> Response {
    match result {
        Ok((name, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            csv,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}
