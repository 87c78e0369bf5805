//! The admins' CSV export of volunteer hours: a plain axum handler, because an export is a
//! file a browser downloads with a link. Who may read it is checked as for the other exports.

use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;
use wanshan_app::error::AppError;
use wanshan_app::functions::Caller;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PeriodQuery {
    from: String,
    to: String,
}

/// `GET /admin/export/hours.csv?from=&to=`: one row per confirmed activity of the period, its
/// column headers in the reader's language.
pub async fn export(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    headers: http::HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> Response {
    // A plain handler has no reactive owner: one is made to carry the request's language.
    let owner = leptos::prelude::Owner::new();
    owner.with(|| leptos::prelude::provide_context(wanshan_app::lang::from_headers(&headers)));
    let result = owner
        .with(|| {
            leptos::prelude::ScopedFuture::new(async {
                let reader = caller
                    .and_then(|Extension(Caller(viewer))| viewer)
                    .ok_or(AppError::Unauthorized)?;
                wanshan_app::functions::hours::hours_csv(&state.db, &reader, &query.from, &query.to)
                    .await
            })
        })
        .await;
    crate::desk::csv_download(result)
}
