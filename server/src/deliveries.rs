//! Delivery photos and the credit ledger's export: plain axum handlers, because a photo is a
//! multipart upload (a browser posts it without JavaScript too) and the export is a file.

use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use wanshan_app::access::{check, Action};
use wanshan_app::db::{claims, credit, fulfilment};
use wanshan_app::domain::{text_field, UtcMillis};
use wanshan_app::error::AppError;
use wanshan_app::functions::{wants_html, Caller};
use wanshan_app::lang::Locale;
use wanshan_app::people::Viewer;
use wanshan_app::private::DeliveryText;

/// The largest photo accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;

/// Who is calling, as the session layer resolved it; `Unauthorized` for nobody.
fn signed_in(caller: Option<Extension<Caller>>) -> Result<Viewer, AppError> {
    caller
        .and_then(|Extension(Caller(viewer))| viewer)
        .ok_or(AppError::Unauthorized)
}

/// What kind of image the bytes are, by their first bytes (never by the file's name).
pub fn image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else {
        None
    }
}

/// The photo as it is stored: the image itself, without what cameras and phones write beside
/// it: EXIF (with the GPS position of the family's home), XMP, comments and other
/// application segments of a JPEG; `eXIf` and text chunks of a PNG. The colour profile stays.
/// `Invalid` (field `photo`) if the bytes are not a whole JPEG or PNG.
pub fn without_metadata(kind: &str, bytes: Vec<u8>) -> Result<Vec<u8>, AppError> {
    use img_parts::jpeg::{markers, Jpeg};
    use img_parts::png::Png;
    let broken = || {
        AppError::invalid(
            "photo",
            DeliveryText::PhotoBroken.text(wanshan_app::lang::locale()),
        )
    };
    let bytes = bytes::Bytes::from(bytes);
    let cleaned = match kind {
        "jpg" => {
            let mut jpeg = Jpeg::from_bytes(bytes).map_err(|_| broken())?;
            // APP0 (JFIF), APP2 holding the colour profile, and APP14 (Adobe colour transform)
            // describe the picture; every other APPn (EXIF, XMP, the MPF index of a second
            // picture) and comments are metadata.
            jpeg.segments_mut().retain(|segment| {
                let marker = segment.marker();
                let application = (markers::APP0..=markers::APP15).contains(&marker);
                let describes_picture = matches!(marker, markers::APP0 | markers::APP14)
                    || (marker == markers::APP2
                        && segment.contents().starts_with(b"ICC_PROFILE\0"));
                marker != markers::COM && (!application || describes_picture)
            });
            let mut cleaned = jpeg.encoder().bytes().to_vec();
            // The picture ends at its first end-of-image marker; what phones append after it
            // (a motion photo's video, a second picture with its own EXIF) goes. Inside the
            // compressed data an 0xFF byte is always followed by 0x00 or a restart marker, so
            // the first FF D9 after the scan header is the end.
            let scan = cleaned
                .windows(2)
                .position(|pair| pair == [0xFF, markers::SOS])
                .unwrap_or(0);
            if let Some(end) = cleaned[scan..]
                .windows(2)
                .position(|pair| pair == [0xFF, markers::EOI])
            {
                cleaned.truncate(scan + end + 2);
            }
            return Ok(cleaned);
        }
        _ => {
            let mut png = Png::from_bytes(bytes).map_err(|_| broken())?;
            png.chunks_mut().retain(|chunk| {
                !matches!(
                    &chunk.kind(),
                    b"eXIf" | b"tEXt" | b"iTXt" | b"zTXt" | b"tIME"
                )
            });
            png.encoder().bytes().to_vec()
        }
    };
    Ok(cleaned)
}

/// `POST /api/deliver/{claim}` (multipart: `note`, optional `photo`): the donor marks a claim
/// delivered. A browser's form post is sent back to its claims page, with the outcome.
pub async fn deliver(
    State(state): State<AppState>,
    Path(claim_id): Path<i64>,
    caller: Option<Extension<Caller>>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    // The messages in the reader's language. The app's checks read it from the reactive
    // owner, which a plain axum handler has none of: one is made for this request.
    let locale = wanshan_app::lang::from_headers(&headers);
    let owner = leptos::prelude::Owner::new();
    owner.with(|| wanshan_app::lang::provide_locale(locale));
    let outcome = owner
        .with(|| {
            leptos::reactive::computed::ScopedFuture::new_untracked(deliver_inner(
                &state, claim_id, caller, multipart, locale,
            ))
        })
        .await;
    if wants_html(&headers) {
        let query = match &outcome {
            Ok(()) => format!("delivered={claim_id}"),
            Err(error) => format!(
                "claim={claim_id}&error={}",
                form_urlencoded::byte_serialize(owner.with(|| error.to_string()).as_bytes())
                    .collect::<String>()
            ),
        };
        return Redirect::to(&format!("/my/claims?{query}")).into_response();
    }
    match outcome {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn deliver_inner(
    state: &AppState,
    claim_id: i64,
    caller: Option<Extension<Caller>>,
    mut multipart: Multipart,
    locale: Locale,
) -> Result<(), AppError> {
    // Who, whose claim, and whether they may still upload photos, before a byte of the body
    // is read.
    let donor = signed_in(caller)?;
    let claim = claims::find(&state.db, claim_id).await?;
    check(&donor, Action::HandleOwnClaim { donor: claim.donor })?;
    if claim.status != wanshan_app::domain::ClaimStatus::Open {
        return Err(AppError::WrongStage);
    }
    let terms = state.settings.claim_terms;
    let month_ago = UtcMillis(UtcMillis::now().0 - 30 * 86_400_000);
    let photos_left = i64::from(terms.photo_quota)
        - fulfilment::photos_since(&state.db, donor.id, month_ago).await?;
    let over_quota = || {
        AppError::invalid(
            "photo",
            DeliveryText::over_photo_quota(locale, terms.photo_quota),
        )
    };
    let (mut note, mut photo) = (String::new(), None::<Vec<u8>>);
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| AppError::BadRequest(e.body_text()))?
    {
        match field.name() {
            Some("note") => {
                note = field
                    .text()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?;
            }
            Some("photo") => {
                // A chosen file has a name; refuse it unread when the quota is used up.
                if photos_left <= 0 && field.file_name().is_some_and(|name| !name.is_empty()) {
                    return Err(over_quota());
                }
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| AppError::BadRequest(e.body_text()))?;
                if !bytes.is_empty() {
                    if photos_left <= 0 {
                        return Err(over_quota());
                    }
                    photo = Some(bytes.to_vec());
                }
            }
            _ => {}
        }
    }
    let note = text_field("note", DeliveryText::NoteLabel.text(locale), &note, 2, 500)?;
    let stored = match photo {
        None => None,
        Some(bytes) => {
            if bytes.len() > MAX_PHOTO_BYTES {
                return Err(AppError::invalid(
                    "photo",
                    DeliveryText::PhotoTooBig.text(locale),
                ));
            }
            let kind = image_kind(&bytes)
                .ok_or_else(|| AppError::invalid("photo", DeliveryText::PhotoKind.text(locale)))?;
            let bytes = without_metadata(kind, bytes)?;
            let mut random = [0u8; 8];
            getrandom::getrandom(&mut random)
                .map_err(|e| AppError::internal("no randomness", e))?;
            let name = format!("claim-{claim_id}-{}.{kind}", hex::encode(random));
            let folder = state.settings.data_dir.join("photos");
            tokio::fs::create_dir_all(&folder)
                .await
                .map_err(|e| AppError::internal("creating the photo folder", e))?;
            tokio::fs::write(folder.join(&name), &bytes)
                .await
                .map_err(|e| AppError::internal("writing a delivery photo", e))?;
            Some(name)
        }
    };
    let delivered = fulfilment::deliver(
        &state.db,
        &claim,
        &note,
        stored.as_deref(),
        UtcMillis::now(),
    )
    .await;
    if delivered.is_err() {
        if let Some(name) = &stored {
            let _ = tokio::fs::remove_file(state.settings.data_dir.join("photos").join(name)).await;
        }
    }
    delivered
}

/// `GET /api/claims/{claim}/photo`: the delivery photo, for the town's volunteers and
/// reviewers and for admins only.
pub async fn photo(
    State(state): State<AppState>,
    Path(claim_id): Path<i64>,
    caller: Option<Extension<Caller>>,
) -> Response {
    let result = async {
        let viewer = signed_in(caller)?;
        let claim = claims::find(&state.db, claim_id).await?;
        check(&viewer, Action::SeeDeliveryPhoto { town: &claim.town })?;
        let name = fulfilment::photo_file(&state.db, &claim)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "photo",
                    DeliveryText::NoPhoto.text(wanshan_app::lang::locale()),
                )
            })?;
        let bytes = tokio::fs::read(state.settings.data_dir.join("photos").join(&name))
            .await
            .map_err(|e| AppError::internal("reading a delivery photo", e))?;
        let kind = if name.ends_with(".png") {
            "image/png"
        } else {
            "image/jpeg"
        };
        Ok::<_, AppError>((kind, bytes))
    }
    .await;
    match result {
        Ok((kind, bytes)) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "private, no-store"),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /api/credit/ledger.csv`: the whole ledger for the city's points system. Admins only.
pub async fn ledger_csv(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
) -> Response {
    let result = async {
        check(&signed_in(caller)?, Action::Administer)?;
        credit::ledger_csv(&state.db).await
    }
    .await;
    match result {
        Ok(csv) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"wanshan-credit-ledger.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            csv,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_content_not_their_name() {
        assert_eq!(image_kind(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some("jpg"));
        assert_eq!(image_kind(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("png"));
        assert_eq!(image_kind(b"GIF89a"), None);
        assert_eq!(image_kind(b"<svg xmlns=...>"), None);
        assert_eq!(image_kind(b""), None);
    }
}
