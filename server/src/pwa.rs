//! What makes the site installable and kind to bad connections: the web app manifest (named
//! after the city's brand) and the service worker, versioned by the client build it serves so
//! that a new build replaces the old worker and its caches by itself.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use std::hash::{Hash, Hasher};
use std::path::Path;
use wanshan_app::city::City;

/// The worker's source; `__VERSION__` is replaced at start.
const SERVICE_WORKER: &str = include_str!("../assets/sw.js");

/// The service worker and the manifest, as this instance serves them.
#[derive(Clone)]
pub struct Pwa {
    worker: std::sync::Arc<str>,
    manifest: std::sync::Arc<str>,
}

impl Pwa {
    /// Reads the built client under `pkg` to name the version: the same build gives the same
    /// version on every instance (a hash of the files' bytes, not of their times).
    pub fn new(pkg: &Path, city: &City) -> Pwa {
        let mut hasher = std::hash::DefaultHasher::new();
        env!("CARGO_PKG_VERSION").hash(&mut hasher);
        // The worker's own source too: a change to the worker alone is a new version.
        SERVICE_WORKER.hash(&mut hasher);
        for file in ["wanshan_bg.wasm", "wanshan.js", "wanshan.css"] {
            match std::fs::read(pkg.join(file)) {
                Ok(bytes) => bytes.hash(&mut hasher),
                // Instances with different files would each name another version and their
                // workers would replace each other: say so loudly.
                Err(error) => tracing::warn!(
                    file = %pkg.join(file).display(),
                    %error,
                    "the client file is missing; the service worker's version will differ from a complete instance's"
                ),
            }
        }
        let version = format!("{:016x}", hasher.finish());
        let manifest = serde_json::json!({
            "name": city.full_brand(),
            "short_name": city.brand,
            "description": city.brand_line,
            "lang": "zh-CN",
            "dir": "ltr",
            "start_url": "/",
            "scope": "/",
            "id": "/",
            "display": "standalone",
            "background_color": "#faf7f4",
            "theme_color": "#b3261e",
            "icons": [
                {"src": "/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "any"},
                {"src": "/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "any"},
                {"src": "/icons/icon-192.png", "sizes": "192x192", "type": "image/png", "purpose": "maskable"},
                {"src": "/icons/icon-512.png", "sizes": "512x512", "type": "image/png", "purpose": "maskable"}
            ]
        });
        Pwa {
            worker: SERVICE_WORKER.replace("__VERSION__", &version).into(),
            manifest: manifest.to_string().into(),
        }
    }

    /// `GET /sw.js`: always checked again by the browser (`no-cache`), so updates are seen.
    pub fn worker(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/javascript; charset=utf-8"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            self.worker.to_string(),
        )
            .into_response()
    }

    /// `GET /manifest.webmanifest`.
    pub fn manifest(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/manifest+json"),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            self.manifest.to_string(),
        )
            .into_response()
    }
}
