//! Every deployment setting is a command-line flag and an environment variable; the city's
//! rules are in its configuration file (`city.rs`), named by one of them.

use clap::{Parser, ValueEnum};
use std::net::{IpAddr, SocketAddr};

#[derive(Clone, Debug, Parser)]
#[command(
    name = "wanshan-server",
    about = "Wanshan 万善: the live board of help needs" // i18n-allow: the brand's own name in the operator's --help
)]
pub struct Config {
    /// A SQLite file path (created on first start) or a postgres:// URL.
    #[arg(long, env = "DATABASE_URL", default_value = "data/wanshan.db")]
    pub database_url: String,

    /// Connections in the database pool.
    #[arg(long, env = "WANSHAN_DB_POOL", default_value_t = 8)]
    pub db_pool: u32,

    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "WANSHAN_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Fill an empty database with the demo needs and accounts on start. Off unless asked
    /// (`./run.sh serve` asks); a database holding the demo accounts refuses to start without it.
    #[arg(long, env = "WANSHAN_DEMO", default_value_t = false, action = clap::ArgAction::Set)]
    pub demo: bool,

    /// How often each instance reads the event log without being woken, in milliseconds: the
    /// safety net for a missed wake-up. (On PostgreSQL, LISTEN/NOTIFY wakes it at once.)
    #[arg(long, env = "WANSHAN_LIVE_POLL_MS", default_value_t = 1000)]
    pub live_poll_ms: u64,

    /// How often every open live stream gets a keep-alive comment, in milliseconds.
    #[arg(long, env = "WANSHAN_HEARTBEAT_MS", default_value_t = 15_000)]
    pub heartbeat_ms: u64,

    /// The first admin's phone: on start, if no admin exists, this account is created (with
    /// WANSHAN_ADMIN_PASSWORD) or, if it exists, made an admin. Ignored once any admin exists.
    #[arg(long, env = "WANSHAN_ADMIN_PHONE")]
    pub admin_phone: Option<String>,

    /// The first admin's password (at least 8 characters), used only when the account is created.
    #[arg(long, env = "WANSHAN_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// The secret that ID numbers are hashed with (any string; at least 32 characters is wise).
    /// Every instance must have the same one. If unset, it is read from WANSHAN_ID_KEY_FILE.
    #[arg(long, env = "WANSHAN_ID_KEY", hide_env_values = true)]
    pub id_key: Option<String>,

    /// The file holding that secret; created with a random key on first start if missing.
    #[arg(long, env = "WANSHAN_ID_KEY_FILE", default_value = "data/id-key")]
    pub id_key_file: String,

    /// How many days a sign-in lasts.
    #[arg(long, env = "WANSHAN_SESSION_DAYS", default_value_t = 30)]
    pub session_days: u32,

    /// Always mark the session cookie Secure (it is anyway when a proxy sends
    /// X-Forwarded-Proto: https).
    #[arg(long, env = "WANSHAN_SECURE_COOKIES", default_value_t = false, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,

    /// Where delivery photos are kept (in a `photos` folder below it).
    #[arg(long, env = "WANSHAN_DATA_DIR", default_value = "data")]
    pub data_dir: String,

    /// How many undelivered claims one donor may hold.
    #[arg(long, env = "WANSHAN_MAX_OPEN_CLAIMS", default_value_t = 5)]
    pub max_open_claims: u32,

    /// Claims one donor may make in 24 hours, released ones included.
    #[arg(long, env = "WANSHAN_MAX_CLAIMS_PER_DAY", default_value_t = 10)]
    pub max_claims_per_day: u32,

    /// How many delivered claims one donor may have waiting for a volunteer's confirmation
    /// before they may claim again.
    #[arg(long, env = "WANSHAN_MAX_UNCONFIRMED", default_value_t = 3)]
    pub max_unconfirmed: u32,

    /// Days a delivery may wait for a volunteer before it is listed as overdue.
    #[arg(long, env = "WANSHAN_CONFIRM_WITHIN_DAYS", default_value_t = 7)]
    pub confirm_within_days: u32,

    /// Delivery photos one donor may upload in 30 days.
    #[arg(long, env = "WANSHAN_PHOTO_QUOTA", default_value_t = 10)]
    pub photo_quota: u32,

    /// The site's public address (`https://wanshan.example.cn`), written into share cards,
    /// QR codes and posters. Unset: taken from each request's Host header (fine behind a proxy
    /// that sets it; set this when pages are cached or printed).
    #[arg(long, env = "WANSHAN_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// How often overdue claims are looked for, in milliseconds.
    #[arg(long, env = "WANSHAN_EXPIRY_SWEEP_MS", default_value_t = 60_000)]
    pub expiry_sweep_ms: u64,

    /// Days each stage may take before the desk lists a need as overdue, e.g.
    /// `council=3,volunteer=3,unclaimed=30,undelivered=7,unconfirmed=7` (any subset; those
    /// are the defaults, except `unconfirmed`, which defaults to WANSHAN_CONFIRM_WITHIN_DAYS).
    #[arg(long, env = "WANSHAN_DESK_OVERDUE_DAYS", default_value = "")]
    pub desk_overdue_days: String,

    /// The city's configuration file (`wanshan.toml`: its name, towns, windows and rules; see
    /// the README). Unset: Danyang's, as built in. A bad file stops the start.
    #[arg(long, env = "WANSHAN_CITY_FILE")]
    pub city_file: Option<std::path::PathBuf>,

    /// The city's configuration as read from `city_file` (by `main`, before anything starts;
    /// tests set it directly).
    #[arg(skip)]
    pub city: crate::city::CityConfig,

    /// The header a trusted reverse proxy puts the client's address in (e.g. `X-Real-IP`);
    /// limits per client count by it. Unset: the connection's peer address (set it only when
    /// every request comes through that proxy, or clients could choose their address).
    #[arg(long, env = "WANSHAN_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,

    /// The impact figures are computed at most once per this many milliseconds, however many
    /// impact pages are open.
    #[arg(long, env = "WANSHAN_IMPACT_EVERY_MS", default_value_t = 2_000)]
    pub impact_every_ms: u64,

    /// Live streams this instance holds at most; beyond, 503 with Retry-After.
    #[arg(long, env = "WANSHAN_MAX_STREAMS", default_value_t = 10_000)]
    pub max_streams: usize,

    /// Live streams one client address may hold at once (generous: phones share carrier
    /// addresses).
    #[arg(long, env = "WANSHAN_MAX_STREAMS_PER_ADDRESS", default_value_t = 50)]
    pub max_streams_per_address: usize,

    /// The addresses that may read /metrics, comma-separated: the TCP peer's address, never a
    /// forwarded header. Anyone else gets 404. (A proxy on this machine connects from
    /// 127.0.0.1: it must refuse /metrics itself, as deploy/nginx-wanshan.conf does.)
    #[arg(
        long,
        env = "WANSHAN_METRICS_ALLOW",
        value_delimiter = ',',
        default_value = "127.0.0.1,::1"
    )]
    pub metrics_allow: Vec<IpAddr>,

    /// How notices also leave the app as messages: `none` (the inbox only), `webhook` (a
    /// signed HTTPS POST to the city's SMS gateway or WeChat bridge, WANSHAN_WEBHOOK_URL) or
    /// `smtp` (email, WANSHAN_SMTP_URL). Each person chooses which kinds they want as messages.
    #[arg(long, env = "WANSHAN_NOTICE_SENDER", default_value = "none")]
    pub notice_sender: String,

    /// Where the webhook sender posts: an https:// URL (plain http:// only to this machine:
    /// 127.0.0.1, ::1 or localhost).
    #[arg(long, env = "WANSHAN_WEBHOOK_URL")]
    pub webhook_url: Option<String>,

    /// The secret every webhook request is signed with (HMAC-SHA256, at least 16 characters);
    /// the receiver checks the signature with the same secret.
    #[arg(long, env = "WANSHAN_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,

    /// The SMTP server for the smtp sender: `smtp://host:25` (plain, for a relay on this
    /// machine or network), `smtp://user:password@host:587?tls=required` (STARTTLS) or
    /// `smtps://user:password@host:465` (TLS from the start).
    #[arg(long, env = "WANSHAN_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The From address of notice emails, e.g. `万善丹阳 <noreply@wanshan.example.cn>`.
    #[arg(long, env = "WANSHAN_SMTP_FROM")]
    pub smtp_from: Option<String>,

    /// How often the outbox is looked at without being woken, in milliseconds: the safety net
    /// for messages queued on another instance, and when retries and quiet hours come due.
    #[arg(long, env = "WANSHAN_OUTBOX_POLL_MS", default_value_t = 5_000)]
    pub outbox_poll_ms: u64,

    /// Tries of one message before it becomes a dead letter (listed for admins).
    #[arg(long, env = "WANSHAN_OUTBOX_MAX_ATTEMPTS", default_value_t = 8)]
    pub outbox_max_attempts: u32,

    /// The wait after a failed try, in milliseconds, doubled after each further failure
    /// (at most an hour): with the defaults 30 s, 1 min, 2 min, … over about an hour in all.
    #[arg(long, env = "WANSHAN_OUTBOX_BACKOFF_MS", default_value_t = 30_000)]
    pub outbox_backoff_ms: u64,

    /// Log lines as `text` (for people) or `json` (one object a line, for a log collector).
    #[arg(long, env = "WANSHAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Where the built client (pkg/, favicon) lives.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,

    /// The client's folder under the site root.
    #[arg(long, env = "LEPTOS_SITE_PKG_DIR", default_value = "pkg")]
    pub site_pkg_dir: String,

    /// Base name of the client's .js, .wasm and .css files.
    #[arg(long, env = "LEPTOS_OUTPUT_NAME", default_value = "wanshan")]
    pub output_name: String,
}

impl Config {
    /// Settings for tests: a given database, a free port, no demo data.
    pub fn for_tests(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            db_pool: 8,
            addr: "127.0.0.1:0".parse().expect("valid address"),
            demo: false,
            live_poll_ms: 1000,
            heartbeat_ms: 15_000,
            admin_phone: None,
            admin_password: None,
            id_key: Some("wanshan-test-key".into()),
            id_key_file: "data/id-key".into(),
            session_days: 30,
            secure_cookies: false,
            data_dir: std::env::temp_dir()
                .join(format!("wanshan-test-data-{}", std::process::id()))
                .to_string_lossy()
                .into_owned(),
            max_open_claims: 5,
            max_unconfirmed: 3,
            max_claims_per_day: 10,
            confirm_within_days: 7,
            photo_quota: 10,
            public_url: None,
            expiry_sweep_ms: 60_000,
            city_file: None,
            city: crate::city::CityConfig::default(),
            desk_overdue_days: String::new(),
            trusted_proxy_header: None,
            impact_every_ms: 1,
            max_streams: 10_000,
            max_streams_per_address: 50,
            metrics_allow: vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()],
            notice_sender: "none".into(),
            webhook_url: None,
            webhook_secret: None,
            smtp_url: None,
            smtp_from: None,
            outbox_poll_ms: 5_000,
            outbox_max_attempts: 8,
            outbox_backoff_ms: 30_000,
            log_format: LogFormat::Text,
            site_root: "target/site".into(),
            site_pkg_dir: "pkg".into(),
            output_name: "wanshan".into(),
        }
    }
}

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Lines for people: time, level, the request's span, the message.
    Text,
    /// One JSON object a line, with the request's span (and so its request id) in it.
    Json,
}

/// The ID-number hashing secret: from the setting, else from its file, else a new random key
/// written to that file (readable by the server's user only).
pub fn id_key(config: &Config) -> std::io::Result<Vec<u8>> {
    if let Some(key) = config.id_key.as_deref().filter(|k| !k.is_empty()) {
        return Ok(key.as_bytes().to_vec());
    }
    let path = std::path::Path::new(&config.id_key_file);
    match std::fs::read_to_string(path) {
        Ok(key) if !key.trim().is_empty() => return Ok(key.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(std::io::Error::other)?;
    let key = hex::encode(bytes);
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    std::io::Write::write_all(&mut options.open(path)?, key.as_bytes())?;
    tracing::warn!(
        file = %path.display(),
        "created a new ID-number key; back it up with the database, and give every instance the same one"
    );
    Ok(key.into_bytes())
}
