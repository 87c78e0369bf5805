//! The Wanshan server: configuration, the database pool, the live event stream, and the
//! Leptos app with its server functions, served by axum.

// The router's view types nest deeper than the default limit allows to lay out (the need page,
// with its island inside, passed it); erasing them in the island instead cost the client 48 KB.
#![recursion_limit = "256"]

pub mod api;
pub mod city;
pub mod clients;
pub mod config;
pub mod deliveries;
pub mod desk;
pub mod hours;
pub mod lang;
pub mod live;
pub mod ops;
pub mod outbox;
pub mod pwa;
pub mod share;

use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Router, ServiceExt as _};
use config::Config;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use wanshan_app::db::impact::FiguresCache;
use wanshan_app::db::{accounts, needs, seed, Backend, Db};
use wanshan_app::domain::{BoardFilter, ClaimTerms, Fen, UtcMillis};
use wanshan_app::error::AppError;
use wanshan_app::functions::needs::LoadedBoard;
use wanshan_app::functions::{session_token_in, Caller};
use wanshan_app::live::{LiveHub, LiveSettings};
use wanshan_app::passwords::Passwords;
use wanshan_app::private::IdKey;
use wanshan_app::settings::Settings;
use wanshan_app::throttle::{SignInThrottle, TryLimits};
use wanshan_app::{shell, App};

/// Requests larger than this are refused with 413 before anything reads them.
const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// An aid import carries a whole CSV file: about 40,000 rows fit.
const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;
const IMPORT_PATH: &str = "/api/import_aid";
/// A delivery carries a photo of up to 5 MB and a note.
const MAX_DELIVERY_BYTES: usize = deliveries::MAX_PHOTO_BYTES + 256 * 1024;

/// What every handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    /// The password-hashing gate: at most as many hashes at once as the machine has cores.
    pub passwords: Passwords,
    pub hub: LiveHub,
    pub settings: Settings,
    /// Where each request's client address comes from.
    pub addresses: clients::AddressSource,
    /// The live streams held, per address and in all.
    pub streams: clients::StreamSlots,
    /// Sign-in tries, counted in the database (shared by every instance).
    pub throttle: SignInThrottle,
    /// The impact figures, computed at most once per interval.
    pub impact: FiguresCache,
    /// The request counts and who may read `/metrics`.
    pub ops: ops::Ops,
    /// Share images drawn, and the bound on drawing them.
    pub share_images: share::ImageCache,
}

pub use ops::init_tracing;

/// Connects to the database (migrating it), seeds demo needs if asked, starts the live hub.
pub async fn state(config: &Config) -> Result<AppState, Box<dyn std::error::Error>> {
    let db = Db::connect(&config.database_url, config.db_pool).await?;
    let city = &config.city;
    let mut settings = Settings {
        id_key: IdKey(config::id_key(config)?),
        aid_period_months: city.review.aid_period_months,
        session_days: config.session_days.max(1),
        secure_cookies: config.secure_cookies,
        claim_terms: ClaimTerms {
            expiry_days: city.claims.expiry_days,
            max_open: config.max_open_claims.max(1),
            max_unconfirmed: config.max_unconfirmed.max(1),
            max_per_day: config.max_claims_per_day.max(1),
            min_pledge: Fen::from_stored(i64::from(city.claims.min_pledge_yuan) * 100),
            confirm_within_days: config.confirm_within_days.max(1),
            photo_quota: config.photo_quota,
        },
        points: city.point_rules(),
        data_dir: config.data_dir.clone().into(),
        towns: city.town_names(),
        villages: city.villages(),
        show_village: city.public.locality == city::Locality::Village,
        city: city.public_city(),
        public_url: match config.public_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => Some(
                wanshan_app::share::PublicUrl::parse(url)
                    .map_err(|e| format!("WANSHAN_PUBLIC_URL {url:?}: {e}"))?,
            ),
        },
        notice_sender: wanshan_app::domain::SenderKind::None,
        overdue_limits: {
            let mut limits = wanshan_app::private::OverdueLimits::DEFAULT;
            limits.0[4] = config.confirm_within_days.clamp(1, 365);
            wanshan_app::private::OverdueLimits::parse(&config.desk_overdue_days, limits)
                .map_err(|e| format!("WANSHAN_DESK_OVERDUE_DAYS: {e}"))?
        },
        referral_programmes: city.review.referral_programmes.clone(),
    };
    let sender = outbox::Sender::from_config(config, settings.public_url.clone())?;
    // The settings page says whether messages go anywhere, and where.
    if let Some(sender) = &sender {
        settings.notice_sender = sender.kind();
    }
    let passwords = Passwords::for_this_machine();
    if !config.demo && seed::holds_demo_accounts(&db, &passwords).await? {
        return Err(format!(
            "{}: this database holds the demo accounts, whose password ({}) is published; \
             serve it only with WANSHAN_DEMO=true, or use a database without them",
            config.database_url,
            seed::DEMO_PASSWORD
        )
        .into());
    }
    if let (Some(phone), Some(password)) = (&config.admin_phone, &config.admin_password) {
        if accounts::bootstrap_admin(&db, &passwords, phone, password, UtcMillis::now()).await? {
            tracing::info!(phone, "made the first admin");
        }
    }
    if config.demo {
        let seeded = seed::seed_demo_if_empty(&db, &settings.id_key, &passwords).await?;
        if seeded > 0 {
            tracing::info!(
                seeded,
                "filled the empty database with demo needs and accounts"
            );
        }
    }
    // Cards show the town, and the village only where the city says so; a change of that
    // setting applies to every need at the next start.
    needs::show_villages(&db, settings.show_village).await?;
    let live = LiveSettings {
        poll: Duration::from_millis(config.live_poll_ms.max(10)),
        heartbeat: Duration::from_millis(config.heartbeat_ms.max(10)),
        listen_url: (db.backend == Backend::Postgres).then(|| config.database_url.clone()),
    };
    let hub = LiveHub::start(db.clone(), live).await?;
    let throttle = SignInThrottle::new(db.clone(), TryLimits::DEFAULT);
    spawn_expiry_sweep(
        db.clone(),
        throttle.clone(),
        Duration::from_millis(config.expiry_sweep_ms.max(10)),
    );
    let trusted_header = match config.trusted_proxy_header.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => Some(
            axum::http::HeaderName::try_from(name)
                .map_err(|e| format!("WANSHAN_TRUSTED_PROXY_HEADER {name:?}: {e}"))?,
        ),
    };
    outbox::spawn(&db, sender);
    let leptos_options = LeptosOptions::builder()
        .output_name(config.output_name.clone())
        .site_root(config.site_root.clone())
        .site_pkg_dir(config.site_pkg_dir.clone())
        .site_addr(config.addr)
        .build();
    Ok(AppState {
        leptos_options,
        db,
        passwords,
        hub,
        settings,
        addresses: clients::AddressSource { trusted_header },
        streams: clients::StreamSlots::new(
            config.max_streams.max(1),
            config.max_streams_per_address.max(1),
        ),
        throttle,
        impact: FiguresCache::new(Duration::from_millis(config.impact_every_ms.max(1))),
        ops: ops::Ops::new(config),
        share_images: share::ImageCache::new(),
    })
}

/// Releases overdue claims back to the board, live, every `every` (each instance; a claim is
/// released once whichever instance gets to it first, by a conditional UPDATE), reminds donors
/// whose claims run out within two days (once per claim, the same way), prunes notices read
/// more than 180 days ago, and drops sign-in counts whose window is over.
fn spawn_expiry_sweep(db: Db, throttle: SignInThrottle, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = UtcMillis::now();
            match wanshan_app::db::claims::expire_overdue(&db, now).await {
                Ok(0) => {}
                Ok(released) => tracing::info!(released, "released overdue claims"),
                Err(error) => tracing::warn!(?error, "the expiry sweep failed; retrying later"),
            }
            let within = wanshan_app::db::notices::REMIND_BEFORE_EXPIRY_MS;
            match wanshan_app::db::notices::remind_expiring(&db, now, within).await {
                Ok(0) => {}
                Ok(reminded) => tracing::info!(reminded, "reminded donors of claims running out"),
                Err(error) => tracing::warn!(?error, "the reminder sweep failed; retrying later"),
            }
            if let Err(error) = wanshan_app::db::notices::prune_read(&db, now).await {
                tracing::warn!(?error, "pruning old notices failed; retrying later");
            }
            if let Err(error) = throttle.prune(now).await {
                tracing::warn!(?error, "pruning sign-in counts failed; retrying later");
            }
        }
    });
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let db = state.db.clone();
        let hub = state.hub.clone();
        let settings = state.settings.clone();
        let passwords = state.passwords.clone();
        let throttle = state.throttle.clone();
        let impact = state.impact.clone();
        let metrics = state.ops.metrics.clone();
        move || {
            provide_context(impact.clone());
            provide_context(db.clone());
            provide_context(hub.clone());
            provide_context(settings.city.clone());
            provide_context(settings.clone());
            provide_context(passwords.clone());
            provide_context(throttle.clone());
            provide_context(metrics.clone());
        }
    };
    let options = state.leptos_options.clone();
    // The client, compressed once at build time at the highest levels (run.sh writes .br and
    // .gz beside each file); anything without them is compressed on the fly below.
    let pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let pwa = pwa::Pwa::new(&pkg, &state.settings.city);
    let client = ServeDir::new(pkg).precompressed_br().precompressed_gzip();
    Router::new()
        .nest_service(&format!("/{}", options.site_pkg_dir), client)
        .leptos_routes_with_context(&state, routes, context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .route(
            "/api/deliver/{claim}",
            axum::routing::post(deliveries::deliver)
                .layer(axum::extract::DefaultBodyLimit::max(MAX_DELIVERY_BYTES)),
        )
        .route("/api/claims/{claim}/photo", get(deliveries::photo))
        .route("/api/credit/ledger.csv", get(deliveries::ledger_csv))
        .route("/desk/export/{file}", get(desk::export))
        .route("/admin/export/hours.csv", get(hours::export))
        .route(
            "/admin/agencies/keys",
            axum::routing::post(api::keys::create_key),
        )
        .merge(api::routes())
        .route("/lang", get(lang::switch_language))
        .route(
            "/sw.js",
            get({
                let pwa = pwa.clone();
                move || async move { pwa.worker() }
            }),
        )
        .route(
            "/manifest.webmanifest",
            get(move || async move { pwa.manifest() }),
        )
        .route("/needs/{id}/qr.svg", get(share::qr_svg))
        .route("/needs/{id}/card.png", get(share::card_png))
        // The signed-in person's own stream: "your notices changed" (never the public stream).
        .route(
            wanshan_app::pages::notices::NOTICE_STREAM_PATH,
            get(live::stream_my_notices),
        )
        // The board page's data, loaded before the page renders.
        .layer(middleware::from_fn_with_state(state.db.clone(), load_board))
        // Who is calling, resolved once per request for the page and every server function.
        .layer(middleware::from_fn_with_state(
            state.db.clone(),
            resolve_caller,
        ))
        // No sniffing of content types, no framing of the claim form by other sites
        // (clickjacking), and no page address sent to other sites.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        // Compresses pages, the client and JSON; skips text/event-stream by default.
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(limit_request_body))
        .layer(middleware::from_fn_with_state(
            state.settings.clone(),
            guard_requests,
        ))
        // Counts every answer by route template and status for /metrics, refusals above too.
        .layer(middleware::from_fn_with_state(
            state.ops.metrics.clone(),
            ops::count_requests,
        ))
        // Added after the layers, so none of them wraps it: a stream is never compressed and
        // does not pay for their per-request service clones (see BENCHMARKS.md).
        .route("/api/events", get(live::stream_events))
        // Outermost: every request (streams included) knows its client's address first.
        .layer(middleware::from_fn_with_state(
            state.addresses.clone(),
            clients::resolve_client,
        ))
        .merge(ops::routes())
        .with_state(state)
}

/// Binds and serves in the background; returns the bound address (tests use port 0).
pub async fn spawn(
    config: Config,
) -> Result<(SocketAddr, AppState, tokio::task::JoinHandle<()>), Box<dyn std::error::Error>> {
    let state = state(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    let addr = listener.local_addr()?;
    let app =
        ops::around(router(state.clone())).into_make_service_with_connect_info::<SocketAddr>();
    let handle = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "server stopped");
        }
    });
    Ok((addr, state, handle))
}

/// Serves until Ctrl-C or SIGTERM. Open event streams get a moment to close, then the pool is
/// closed so SQLite checkpoints its log.
pub async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let state = state(&config).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    let db = state.db.clone();
    // A bare Router given to axum::serve rebuilds its route tables for every connection
    // (`with_state(())`); the make-service built once only clones it.
    let service = ops::around(router(state)).into_make_service_with_connect_info::<SocketAddr>();
    let server = axum::serve(listener, service).with_graceful_shutdown(shutdown_signal());
    tokio::select! {
        result = server => result?,
        // Live streams never end by themselves: do not wait for them for long.
        _ = async { shutdown_signal().await; tokio::time::sleep(Duration::from_secs(3)).await } => {}
    }
    db.pool.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

/// Looks the session cookie up once and puts who is calling in the request's extensions
/// ([`Caller`]), where pages and server functions read it. The client's files need no caller.
async fn resolve_caller(State(db): State<Db>, mut request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/pkg/") {
        return next.run(request).await;
    }
    let viewer = match session_token_in(request.headers()) {
        None => None,
        Some(token) => match accounts::session_viewer(&db, &token, UtcMillis::now()).await {
            Ok(viewer) => viewer,
            Err(error) => return error.into_response(),
        },
    };
    // The one route that accepts a large body (a whole CSV file) is for admins: anyone else is
    // refused here, before a byte of it is read.
    if request.method() == http::Method::POST && request.uri().path() == IMPORT_PATH {
        let refusal = match &viewer {
            None => Some(AppError::Unauthorized),
            Some(viewer) => {
                wanshan_app::access::check(viewer, wanshan_app::access::Action::Administer).err()
            }
        };
        if let Some(refusal) = refusal {
            return refusal.into_response();
        }
    }
    let signed_in = viewer.is_some();
    // A page shows the signed-in person's unread notices in its header: counted here for page
    // requests only (a GET asking for HTML), never for server function calls.
    if let Some(viewer) = &viewer {
        let page = request.method() == http::Method::GET
            && !request.uri().path().starts_with("/api/")
            && wanshan_app::functions::wants_html(request.headers());
        if page {
            match wanshan_app::db::notices::unread(&db, viewer.id).await {
                Ok(unread) => {
                    request
                        .extensions_mut()
                        .insert(wanshan_app::functions::UnreadNotices(unread));
                }
                Err(error) => return error.into_response(),
            }
        }
    }
    request.extensions_mut().insert(Caller(viewer));
    let mut response = next.run(request).await;
    // What a signed-in person is shown is theirs: never kept by a browser's, a proxy's or the
    // service worker's cache, whatever the handler said.
    if signed_in {
        let headers = response.headers_mut();
        headers.remove(wanshan_app::pages::OFFLINE_KEEP_HEADER);
        let stored = headers
            .get(header::CACHE_CONTROL)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.contains("no-store"));
        if !stored {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    response
}

/// Whether a request came from a page of another site: the browser says so
/// (`Sec-Fetch-Site: cross-site`), or its `Origin` names another host than the one asked.
/// Requests without either (not from a browser page) are not cross-site.
fn cross_site(headers: &http::HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok());
    if fetch_site == Some("cross-site") {
        return true;
    }
    let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) else {
        return false;
    };
    let authority = origin
        .split_once("://")
        .map_or(origin, |(_, rest)| rest)
        .trim_end_matches('/');
    !authority.eq_ignore_ascii_case(host)
}

/// Refuses a state-changing request from another site's page (403 `Forbidden`) before anything
/// reads it: no other site can post a form that signs a browser in or claims in its name.
/// Over TLS, tells browsers to come back only over TLS (HSTS).
async fn guard_requests(
    State(settings): State<Settings>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != http::Method::GET
        && request.method() != http::Method::HEAD
        && cross_site(request.headers())
    {
        return AppError::Forbidden.into_response();
    }
    let over_tls = settings.secure_cookies
        || request
            .headers()
            .get("x-forwarded-proto")
            .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"));
    let mut response = next.run(request).await;
    if over_tls {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// Loads the open board for `GET /` and `HEAD /` (with its filter from the address) before the
/// page renders, so the board page reads it without a resource or a `<Suspense>`.
async fn load_board(State(db): State<Db>, mut request: Request, next: Next) -> Response {
    let page = matches!(*request.method(), http::Method::GET | http::Method::HEAD);
    if page && request.uri().path() == "/" {
        let query: Vec<(String, String)> =
            form_urlencoded::parse(request.uri().query().unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let value = |key: &str| {
            query
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value.as_str())
        };
        let filter = BoardFilter::from_query(value("window"), value("town"), value("pages"));
        let board = needs::open_board(&db, &filter).await;
        request.extensions_mut().insert(LoadedBoard(filter, board));
    }
    next.run(request).await
}

/// Refuses a request body over its route's limit with 413: at once when its length is
/// declared, or when reading passes the limit (a chunked body).
async fn limit_request_body(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let limit = if path == IMPORT_PATH {
        MAX_IMPORT_BYTES
    } else if path == api::CSV_PATH {
        api::MAX_CSV_BYTES
    } else if path.starts_with("/api/deliver/") {
        MAX_DELIVERY_BYTES
    } else {
        MAX_REQUEST_BYTES
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|length| length > limit) {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let (parts, body) = request.into_parts();
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}
