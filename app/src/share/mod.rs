//! Sharing a need: its public address, as share cards, QR codes and posters carry it.

#[cfg(feature = "ssr")]
pub mod card;
#[cfg(feature = "ssr")]
pub mod qr;

use serde::{Deserialize, Serialize};
use std::fmt;

/// The site's public origin, `https://host[:port]`, without a path or a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// An origin as configured (`WANSHAN_PUBLIC_URL`): `http://` or `https://`, then a host
    /// (and port) of letters, digits, dots, dashes, colons and brackets; a trailing slash is
    /// dropped; anything else is refused.
    pub fn parse(url: &str) -> Result<PublicUrl, String> {
        let url = url.trim().trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or("must start with https:// or http://")?;
        if !is_host(host) {
            return Err("must be an origin only: a host and port, no path, query or user".into());
        }
        Ok(PublicUrl(url.to_owned()))
    }

    /// The origin a request was sent to: its Host header, over https when the request says so
    /// (directly or through a proxy's `X-Forwarded-Proto`). `None` without a usable Host.
    pub fn of_request(headers: &http::HeaderMap, over_tls: bool) -> Option<PublicUrl> {
        let host = headers.get(http::header::HOST)?.to_str().ok()?.trim();
        if !is_host(host) {
            return None;
        }
        let tls = over_tls
            || headers
                .get("x-forwarded-proto")
                .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
        let scheme = if tls { "https" } else { "http" };
        Some(PublicUrl(format!("{scheme}://{host}")))
    }

    /// The absolute address of `path` (which starts with `/`) on this site.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

/// A need's public page, relative to the site.
pub fn need_path(id: crate::domain::NeedId) -> String {
    format!("/needs/{id}")
}

/// The absolute address of `path` for this request: the configured public address, else the
/// request's own; the bare path if neither is known.
#[cfg(feature = "ssr")]
pub fn absolute(
    settings: &crate::settings::Settings,
    headers: &http::HeaderMap,
    path: &str,
) -> String {
    settings
        .public_url
        .clone()
        .or_else(|| PublicUrl::of_request(headers, settings.secure_cookies))
        .map_or_else(|| path.to_owned(), |origin| origin.join(path))
}

/// The absolute address of `path` for the page being rendered (see [`absolute`]); the bare
/// path in the browser, where pages are not rendered.
pub fn page_url(path: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        if let (Some(settings), Some(parts)) = (
            use_context::<crate::settings::Settings>(),
            use_context::<http::request::Parts>(),
        ) {
            return absolute(&settings, &parts.headers, path);
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configured_address_is_an_origin_and_nothing_more() {
        assert_eq!(
            PublicUrl::parse("https://wanshan.danyang.cn/")
                .unwrap()
                .join("/needs/7"),
            "https://wanshan.danyang.cn/needs/7"
        );
        assert!(PublicUrl::parse("http://127.0.0.1:3000").is_ok());
        for bad in [
            "wanshan.cn",
            "ftp://x.cn",
            "https://x.cn/app",
            "https://u@x.cn",
            "https://",
            "https://x.cn?a=1",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn a_request_host_is_used_only_when_it_is_a_host() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::HOST, "wanshan.cn:8443".parse().unwrap());
        assert_eq!(
            PublicUrl::of_request(&headers, false).unwrap().join("/x"),
            "http://wanshan.cn:8443/x"
        );
        headers.insert("x-forwarded-proto", "https".parse().unwrap());
        assert_eq!(
            PublicUrl::of_request(&headers, false).unwrap().to_string(),
            "https://wanshan.cn:8443"
        );
        headers.insert(http::header::HOST, "evil.cn/\"><script>".parse().unwrap());
        assert_eq!(PublicUrl::of_request(&headers, false), None);
    }
}
