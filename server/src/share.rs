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
use wanshan_app::lang::{self, Locale};
use wanshan_app::share::{self, card, qr};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Drawn images, kept while what they show is unchanged (the key has the need's status, what is
/// pledged and the address drawn), and a bound on drawings at once: a stranger asking for cards
/// over and over gets copies or `503`, and cannot keep the cores drawing.
#[derive(Clone)]
pub struct ImageCache {
    drawn: Arc<Mutex<HashMap<ImageKey, bytes::Bytes>>>,
    drawing: Arc<Semaphore>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct ImageKey {
    content_type: &'static str,
    need: i64,
    status: &'static str,
    pledged: i64,
    address: String,
}

impl ImageCache {
    /// Images kept at most; past that the cache starts again empty.
    const KEEP: usize = 4096;
    /// Drawings at once (the machine has two cores).
    const AT_ONCE: usize = 2;

    pub fn new() -> ImageCache {
        ImageCache {
            drawn: Arc::new(Mutex::new(HashMap::new())),
            drawing: Arc::new(Semaphore::new(Self::AT_ONCE)),
        }
    }

    fn get(&self, key: &ImageKey) -> Option<bytes::Bytes> {
        self.drawn.lock().ok()?.get(key).cloned()
    }

    fn keep(&self, key: ImageKey, image: bytes::Bytes) {
        if let Ok(mut drawn) = self.drawn.lock() {
            if drawn.len() >= Self::KEEP {
                drawn.clear();
            }
            drawn.insert(key, image);
        }
    }
}

impl Default for ImageCache {
    fn default() -> Self {
        Self::new()
    }
}

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
    // The plain-text refusals are in the reader's language (the images carry no words).
    let locale = lang::from_headers(headers);
    let Some(id) = need_id(id) else {
        return not_found(locale);
    };
    let need = match needs::find_public(&state.db, id).await {
        Ok(need) => need,
        Err(AppError::NeedNotFound) => return not_found(locale),
        Err(error) => {
            tracing::error!(
                need = id.0,
                code = error.code(),
                "a share image's need lookup failed"
            );
            return failed(locale);
        }
    };
    let address = share::absolute(&state.settings, headers, &share::need_path(id));
    let key = ImageKey {
        content_type,
        need: id.0,
        status: need.status.code(),
        pledged: need.pledged_fen,
        address: address.clone(),
    };
    if let Some(image) = state.share_images.get(&key) {
        return image_response(content_type, image, state.settings.public_url.is_none());
    }
    let Ok(_turn) = state.share_images.drawing.clone().try_acquire_owned() else {
        return busy(locale);
    };
    // A card takes a few milliseconds of drawing and compressing: off the async workers.
    match tokio::task::spawn_blocking(move || draw(&need, &address)).await {
        Ok(Ok(bytes)) => {
            let image = bytes::Bytes::from(bytes);
            state.share_images.keep(key, image.clone());
            image_response(content_type, image, state.settings.public_url.is_none())
        }
        // Already logged with its cause where it failed.
        Ok(Err(_)) => failed(locale),
        Err(error) => {
            tracing::error!(%error, "drawing a share image panicked");
            failed(locale)
        }
    }
}

/// An image; drawn from the request's own Host when no public address is configured, so a
/// shared cache must keep one copy per Host and scheme.
fn image_response(content_type: &'static str, image: bytes::Bytes, per_host: bool) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        image,
    )
        .into_response();
    if per_host {
        response.headers_mut().insert(
            header::VARY,
            header::HeaderValue::from_static("Host, X-Forwarded-Proto"),
        );
    }
    response
}

fn busy(locale: Locale) -> Response {
    let mut response = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        locale.get_keys_const().need().image().busy().inner(),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("2"));
    response
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

fn not_found(locale: Locale) -> Response {
    plain(
        StatusCode::NOT_FOUND,
        locale.get_keys_const().need().image().not_found().inner(),
    )
}

fn failed(locale: Locale) -> Response {
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        locale.get_keys_const().need().image().failed().inner(),
    )
}
