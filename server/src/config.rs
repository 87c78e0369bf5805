//! Every setting is a command-line flag and an environment variable.

use clap::Parser;
use std::net::SocketAddr;

#[derive(Clone, Debug, Parser)]
#[command(
    name = "wanshan-server",
    about = "Wanshan 万善: the live board of help needs"
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

    /// Fill an empty database with demo needs on start.
    #[arg(long, env = "WANSHAN_DEMO", default_value_t = true, action = clap::ArgAction::Set)]
    pub demo: bool,

    /// How often each instance reads the event log without being woken, in milliseconds: the
    /// safety net for a missed wake-up. (On PostgreSQL, LISTEN/NOTIFY wakes it at once.)
    #[arg(long, env = "WANSHAN_LIVE_POLL_MS", default_value_t = 1000)]
    pub live_poll_ms: u64,

    /// How often every open live stream gets a keep-alive comment, in milliseconds.
    #[arg(long, env = "WANSHAN_HEARTBEAT_MS", default_value_t = 15_000)]
    pub heartbeat_ms: u64,

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
            site_root: "target/site".into(),
            site_pkg_dir: "pkg".into(),
            output_name: "wanshan".into(),
        }
    }
}
