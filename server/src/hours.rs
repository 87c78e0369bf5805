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

/// `GET /admin/export/hours.csv?from=&to=`: one row per confirmed activity of the period.
pub async fn export(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Query(query): Query<PeriodQuery>,
) -> Response {
    let result = async {
        let reader = caller
            .and_then(|Extension(Caller(viewer))| viewer)
            .ok_or(AppError::Unauthorized)?;
        wanshan_app::functions::hours::hours_csv(&state.db, &reader, &query.from, &query.to).await
    }
    .await;
    crate::desk::csv_download(result)
}
