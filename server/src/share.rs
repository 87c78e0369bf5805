//! A need's share images, drawn on the server for its public page `/needs/{id}`:
//! `GET /needs/{id}/qr.svg` (the QR code of the page's address) and `GET /needs/{id}/card.png`
//! (the square picture WeChat and Open Graph show beside a shared link). Both carry nothing but
//! the page's address (and the card the window's colour and how much is pledged, as the page
//! shows them). A need that is not public (in review, taken down, unknown) has none: 404.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use wanshan_app::db::needs;
use wanshan_app::domain::{NeedId, PublicNeed};
use wanshan_app::error::AppError;
use wanshan_app::share::{self, card, qr};

/// `GET /needs/{id}/qr.svg`.
pub async fn qr_svg(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &id, &headers, "image/svg+xml", |_, address| {
        Ok(qr::svg(&qr::Modules::encode(address)?).into_bytes())
    })
    .await
}

/// `GET /needs/{id}/card.png`.
pub async fn card_png(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &id, &headers, "image/png", card::png).await
}

/// A need's id as the address carries it: a positive integer, nothing else.
fn need_id(segment: &str) -> Option<NeedId> {
    segment
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0 && segment.bytes().all(|b| b.is_ascii_digit()))
        .map(NeedId)
}

/// Looks the need up, draws its image for its page's address, and answers with it.
async fn answer(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    content_type: &'static str,
    draw: fn(&PublicNeed, &str) -> Result<Vec<u8>, AppError>,
) -> Response {
    let Some(id) = need_id(id) else {
        return not_found();
    };
    let need = match needs::find_public(&state.db, id).await {
        Ok(need) => need,
        Err(AppError::NeedNotFound) => return not_found(),
        Err(error) => {
            tracing::error!(
                need = id.0,
                code = error.code(),
                "a share image's need lookup failed"
            );
            return failed();
        }
    };
    let address = share::absolute(&state.settings, headers, &share::need_path(id));
    // A card takes a few milliseconds of drawing and compressing: off the async workers.
    match tokio::task::spawn_blocking(move || draw(&need, &address)).await {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=300"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        // Already logged with its cause where it failed.
        Ok(Err(_)) => failed(),
        Err(error) => {
            tracing::error!(%error, "drawing a share image panicked");
            failed()
        }
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

fn not_found() -> Response {
    plain(StatusCode::NOT_FOUND, "找不到这条需求。\n")
}

fn failed() -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "服务器出错了，请稍后再试。\n",
    )
}
