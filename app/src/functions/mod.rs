//! Server functions, grouped by domain. Each checks who is calling and what they sent on the
//! server, and returns [`AppError`](crate::error::AppError) with a code a client can match.

pub mod accounts;
pub mod agencies;
pub mod aid;
pub mod claims;
pub mod desk;
pub mod hours;
pub mod households;
pub mod impact;
pub mod intake;
pub mod interests;
pub mod needs;
pub mod notices;
pub mod offers;
pub mod reports;
pub mod reviews;
pub mod thanks;

#[cfg(feature = "ssr")]
pub(crate) use server_only::*;
#[cfg(feature = "ssr")]
pub use server_only::{session_token_in, wants_html, Caller, ClientAddr, UnreadNotices};

#[cfg(feature = "ssr")]
mod server_only {
    use crate::db::{accounts, Db};
    use crate::domain::UtcMillis;
    use crate::error::AppError;
    use crate::people::Viewer;
    use crate::settings::Settings;
    use http::header;

    /// The cookie that carries a session token.
    pub const SESSION_COOKIE: &str = "wanshan_session";

    /// A value the server put in context for server functions (the pool, the live hub).
    pub fn from_context<T: Clone + Send + Sync + 'static>() -> Result<T, AppError> {
        leptos::prelude::use_context::<T>()
            .ok_or_else(|| AppError::internal("missing server context", std::any::type_name::<T>()))
    }

    fn request() -> Option<http::request::Parts> {
        leptos::prelude::use_context::<http::request::Parts>()
    }

    /// The session token the browser sent, if any.
    pub fn session_token() -> Option<String> {
        session_token_in(&request()?.headers)
    }

    /// The session token in a request's cookies, if any (also for plain axum handlers).
    pub fn session_token_in(headers: &http::HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SESSION_COOKIE)
            .map(|(_, token)| token.to_owned())
            .filter(|token| token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// Who is calling, as the server's session layer resolved it once for this request (one
    /// lookup per request, shared by the page, its header and every server function it runs)
    /// and put in the request's extensions.
    #[derive(Clone, Debug)]
    pub struct Caller(pub Option<Viewer>);

    /// The address of the client that sent the request: the connection's peer, or the address
    /// a configured trusted proxy put in its header. Put in the request's extensions by the
    /// server's address layer; what limits per client count by.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct ClientAddr(pub std::net::IpAddr);

    /// The client's address, if the server's address layer resolved it.
    pub fn client_addr() -> Option<std::net::IpAddr> {
        Some(request()?.extensions.get::<ClientAddr>()?.0)
    }

    /// How many unread notices the signed-in person has, counted by the server's session layer
    /// for page requests only (never for a server function call: the claim path stays lean).
    #[derive(Clone, Copy, Debug)]
    pub struct UnreadNotices(pub i64);

    /// The unread count the session layer put in this page request, if any.
    pub fn unread_notices() -> Option<i64> {
        Some(request()?.extensions.get::<UnreadNotices>()?.0)
    }

    /// The caller the session layer resolved, without waiting: what pages render from.
    pub fn resolved_caller() -> Option<Viewer> {
        request()?.extensions.get::<Caller>()?.0.clone()
    }

    /// Who is calling, if they are signed in.
    pub async fn viewer() -> Result<Option<Viewer>, AppError> {
        if let Some(Caller(viewer)) = request().and_then(|parts| parts.extensions.get().cloned()) {
            return Ok(viewer);
        }
        // Not through the router's session layer (a direct call): look the session up.
        let Some(token) = session_token() else {
            return Ok(None);
        };
        let db: Db = from_context()?;
        accounts::session_viewer(&db, &token, UtcMillis::now()).await
    }

    /// Who is calling; `Unauthorized` if nobody is signed in.
    pub async fn signed_in() -> Result<Viewer, AppError> {
        viewer().await?.ok_or(AppError::Unauthorized)
    }

    /// Sets (or, with `None`, clears) the session cookie: HttpOnly, SameSite=Lax, and Secure
    /// when the site is served over TLS (directly or behind a proxy that says so).
    pub fn set_session_cookie(token: Option<&str>) -> Result<(), AppError> {
        let settings: Settings = from_context()?;
        let over_tls = settings.secure_cookies
            || request().is_some_and(|parts| {
                parts.uri.scheme_str() == Some("https")
                    || parts
                        .headers
                        .get("x-forwarded-proto")
                        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
            });
        let secure = if over_tls { "; Secure" } else { "" };
        let cookie = match token {
            Some(token) => format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
                u64::from(settings.session_days) * 86_400
            ),
            None => format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
        };
        let response: leptos_axum::ResponseOptions = from_context()?;
        response.append_header(
            header::SET_COOKIE,
            header::HeaderValue::from_str(&cookie)
                .map_err(|e| AppError::internal("building the session cookie", e))?,
        );
        Ok(())
    }

    /// Where a plain form post lands after it succeeded: `path` says what was done, so the
    /// page it lands on can say so. (A failure goes back to the form's page with the error in
    /// the address, which the page shows beside the form.) Calls from an island get the
    /// function's answer instead.
    pub fn after_form_post(path: &str) {
        if is_plain_form_post() {
            leptos_axum::redirect(path);
        }
    }

    /// Whether a request asks for HTML back: a form posted by a browser (with or without
    /// JavaScript, outside an island) does; the hydrated client's calls do not.
    pub fn wants_html(headers: &http::HeaderMap) -> bool {
        headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    }

    /// Whether the server function being run was posted as a plain form.
    pub(crate) fn is_plain_form_post() -> bool {
        request().is_some_and(|parts| wants_html(&parts.headers))
    }
}
