use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use wanshan_app::db::{needs, Db};
use wanshan_app::domain::{Ask, Fen, NewNeed, Urgency, UtcMillis, Window};
use wanshan_bench::report::{Report, Run};
use wanshan_bench::server::RunningServer;
use wanshan_bench::{
    api, board, claims, desk, fanout, lighthouse, raise_open_file_limit, signin, size,
};

#[derive(Parser)]
#[command(about = "Wanshan benchmarks: writes BENCHMARKS.md")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs every benchmark against the release server and writes the report.
    Run {
        /// The release server binary.
        #[arg(long)]
        server: PathBuf,
        /// The built site (pkg/ with the client).
        #[arg(long)]
        site: PathBuf,
        /// Admin URL of a PostgreSQL server, to run the claim benchmarks there too.
        #[arg(long)]
        postgres: Option<String>,
        /// Subscriber counts for the fan-out benchmark.
        #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
        subscribers: Vec<usize>,
        /// Seconds each load runs.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value = "BENCHMARKS.md")]
        out: PathBuf,
    },
    /// Only the agency API benchmark, printing its section.
    Api {
        #[arg(long)]
        server: PathBuf,
        #[arg(long)]
        site: PathBuf,
        #[arg(long)]
        postgres: Option<String>,
    },
    /// Only Lighthouse on the board (500 open needs), a need page and the impact page.
    Lighthouse {
        #[arg(long)]
        server: PathBuf,
        #[arg(long)]
        site: PathBuf,
    },
    /// The fan-out floor: a bare tokio broadcaster (started by `run`).
    FloorServer,
    /// Only the desk benchmark, printing its section (for working on the desk).
    Desk {
        #[arg(long)]
        server: PathBuf,
        #[arg(long)]
        site: PathBuf,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value_t = DESK_NEEDS)]
        needs: usize,
    },
}

const CLIENTS: usize = 64;
/// Needs in the desk benchmark's city.
const DESK_NEEDS: usize = 100_000;
/// Requests of each kind the desk benchmark sends, one at a time.
const DESK_REQUESTS: usize = 30;
const CONTENDED: usize = 64;

#[tokio::main]
async fn main() {
    match Cli::parse().command {
        Command::FloorServer => {
            let addr = std::env::var("WANSHAN_ADDR").expect("WANSHAN_ADDR");
            let listener = tokio::net::TcpListener::bind(addr).await.expect("bind");
            fanout::floor_server(listener).await;
        }
        Command::Desk {
            server,
            site,
            postgres,
            needs,
        } => {
            let (bench, mut report) = Bench::alone(server, &site);
            report.desk.push(bench.desk("SQLite", None, needs).await);
            if let Some(admin) = &postgres {
                report
                    .desk
                    .push(bench.desk("PostgreSQL", Some(admin), needs).await);
            }
            println!("{}", report.desk_section());
        }
        Command::Api {
            server,
            site,
            postgres,
        } => {
            let (bench, mut report) = Bench::alone(server, &site);
            report.api.push(bench.api("SQLite", None).await);
            if let Some(admin) = &postgres {
                report.api.push(bench.api("PostgreSQL", Some(admin)).await);
            }
            println!("{}", report.api_section());
        }
        Command::Lighthouse { server, site } => {
            let (bench, mut report) = Bench::alone(server, &site);
            report.lighthouse = bench.lighthouse().await;
            println!("{}", report.lighthouse_section());
        }
        Command::Run {
            server,
            site,
            postgres,
            subscribers,
            seconds,
            out,
        } => {
            let limit = raise_open_file_limit();
            eprintln!("open-file limit: {limit}");
            let mut report = Report::new(limit);
            let duration = Duration::from_secs(seconds);
            let site_root = site.to_str().expect("utf-8 path").to_owned();
            let bench = Bench {
                server,
                site_root,
                duration,
            };
            for n in subscribers {
                eprintln!("fan-out, {n} subscribers");
                report
                    .fanout
                    .push((bench.fanout_ours(n).await, bench.fanout_floor(n).await));
            }
            eprintln!("claims on SQLite");
            report.claims.push(bench.claims("SQLite", None).await);
            if let Some(admin) = &postgres {
                eprintln!("claims on PostgreSQL");
                report
                    .claims
                    .push(bench.claims("PostgreSQL", Some(admin)).await);
            }
            eprintln!("board page");
            report.board = Some(bench.board().await);
            eprintln!("Lighthouse on the board, a need page and the impact page");
            report.lighthouse = bench.lighthouse().await;
            eprintln!("the desk over {DESK_NEEDS} needs");
            report
                .desk
                .push(bench.desk("SQLite", None, DESK_NEEDS).await);
            if let Some(admin) = &postgres {
                report
                    .desk
                    .push(bench.desk("PostgreSQL", Some(admin), DESK_NEEDS).await);
            }
            eprintln!("the agency API");
            report.api.push(bench.api("SQLite", None).await);
            if let Some(admin) = &postgres {
                report.api.push(bench.api("PostgreSQL", Some(admin)).await);
            }
            eprintln!("500 sign-ins at once");
            report.sign_ins = Some(bench.sign_ins(500).await);
            eprintln!("client size");
            report.sizes = size::client_files(&site.join("pkg"), "wanshan");
            report.served = bench.served().await;
            std::fs::write(&out, report.markdown()).expect("write report");
            eprintln!("wrote {}", out.display());
        }
    }
}

struct Bench {
    server: PathBuf,
    site_root: String,
    duration: Duration,
}

/// A fresh database: a SQLite file in `dir`, or a new database on the PostgreSQL server.
async fn fresh_database(dir: &tempfile::TempDir, postgres: Option<&str>, name: &str) -> String {
    match postgres {
        None => dir
            .path()
            .join(format!("{name}.db"))
            .to_str()
            .unwrap()
            .to_owned(),
        Some(admin) => {
            use sqlx::{Connection, Executor};
            let database = format!("wanshan_bench_{name}_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(admin)
                .await
                .expect("PostgreSQL");
            conn.execute(format!("DROP DATABASE IF EXISTS {database}").as_str())
                .await
                .unwrap();
            conn.execute(format!("CREATE DATABASE {database}").as_str())
                .await
                .unwrap();
            format!("{}/{database}", admin.rsplit_once('/').unwrap().0)
        }
    }
}

impl Bench {
    /// `attempts` sign-ins at once, each from its own address for an unknown phone.
    async fn sign_ins(&self, attempts: usize) -> signin::SignInFlood {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, None, "signin").await;
        let server = RunningServer::start(
            &self.server,
            &[],
            &[
                ("DATABASE_URL", &database),
                ("WANSHAN_DEMO", "false"),
                ("WANSHAN_ID_KEY", "benchmark-only-key"),
                ("WANSHAN_TRUSTED_PROXY_HEADER", "x-real-ip"),
                ("LEPTOS_SITE_ROOT", &self.site_root),
            ],
            "/",
        )
        .await;
        let base = format!("http://{}", server.addr);
        signin::flood(
            &base,
            attempts,
            || server.rss_bytes(),
            || server.peak_rss_bytes(),
        )
        .await
    }

    async fn start(&self, database: &str) -> RunningServer {
        RunningServer::start(
            &self.server,
            &[],
            &[
                ("DATABASE_URL", database),
                ("WANSHAN_DEMO", "false"),
                ("WANSHAN_ID_KEY", "benchmark-only-key"),
                // Each load client claims thousands of needs; the per-donor limit would
                // turn the claim benchmark into a benchmark of refusals.
                ("WANSHAN_MAX_OPEN_CLAIMS", "100000000"),
                ("WANSHAN_MAX_CLAIMS_PER_DAY", "100000000"),
                // Every subscriber of the fan-out comes from this one machine's address.
                ("WANSHAN_MAX_STREAMS", "1000000"),
                ("WANSHAN_MAX_STREAMS_PER_ADDRESS", "1000000"),
                ("LEPTOS_SITE_ROOT", &self.site_root),
            ],
            "/",
        )
        .await
    }

    async fn fanout_ours(&self, n: usize) -> fanout::Fanout {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, None, "fanout").await;
        let db = Db::connect(&database, 2).await.expect("database");
        let need = NewNeed::parse(
            Window::Medical,
            "基准测试：透析费用",
            "基准测试用的需求，内容与真实需求长度相近。",
            "延陵镇",
            "柳茹村",
            Ask::Money {
                amount: Fen::parse(600_000).unwrap(),
            },
            Urgency::Urgent,
        )
        .unwrap();
        let need = needs::publish(&db, &need, UtcMillis::now()).await.unwrap();
        db.pool.close().await;
        let server = self.start(&database).await;
        let base = format!("http://{}", server.addr);
        let donor = claims::sign_up_donors(&base, 1).await.remove(0);
        fanout::measure(
            server.addr,
            "/api/events",
            || server.rss_bytes(),
            n,
            || async {
                assert_eq!(claims::claim_once(&base, &donor, need.id.0).await, 200);
            },
        )
        .await
    }

    async fn fanout_floor(&self, n: usize) -> fanout::Fanout {
        let exe = std::env::current_exe().expect("own path");
        let floor = RunningServer::start(&exe, &["floor-server"], &[], "/").await;
        let base = format!("http://{}", floor.addr);
        fanout::measure(
            floor.addr,
            "/events",
            || floor.rss_bytes(),
            n,
            || async {
                let response = reqwest::Client::new()
                    .post(format!("{base}/trigger"))
                    .send()
                    .await
                    .expect("trigger");
                assert_eq!(response.status(), 204);
            },
        )
        .await
    }

    async fn claims(&self, backend: &'static str, postgres: Option<&str>) -> Run {
        let seed = 40_000;
        let mut run = Run {
            backend,
            ..Run::default()
        };
        for (per_need, slot) in [(1, 0), (CONTENDED, 1)] {
            let dir = tempfile::tempdir().unwrap();
            let database = fresh_database(&dir, postgres, &format!("http{per_need}")).await;
            let db = Db::connect(&database, 2).await.expect("database");
            let ids = Arc::new(claims::seed_needs(&db, seed).await);
            let server = self.start(&database).await;
            let base = format!("http://{}", server.addr);
            let load = claims::http_load(&base, ids, CLIENTS, per_need, self.duration).await;
            drop(server);
            let audit = claims::audit(&db).await;
            run.http[slot] = load;
            run.audit[slot] = audit;
            db.pool.close().await;

            let dir = tempfile::tempdir().unwrap();
            let database = fresh_database(&dir, postgres, &format!("raw{per_need}")).await;
            let db = Db::connect(&database, 8).await.expect("database");
            let ids = Arc::new(claims::seed_needs(&db, seed).await);
            run.raw[slot] =
                claims::raw_update_load(&db, ids, CLIENTS, per_need, self.duration).await;
            db.pool.close().await;
        }
        run
    }

    /// A harness for one section run alone (`wanshan-bench desk|api|lighthouse`).
    fn alone(server: PathBuf, site: &std::path::Path) -> (Bench, Report) {
        let bench = Bench {
            server,
            site_root: site.to_str().expect("utf-8 path").to_owned(),
            duration: Duration::from_secs(1),
        };
        (bench, Report::new(raise_open_file_limit()))
    }

    /// Lighthouse on the board with 500 open needs, the first need's page, the impact page.
    async fn lighthouse(&self) -> Vec<lighthouse::Audit> {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, None, "lighthouse").await;
        let db = Db::connect(&database, 2).await.expect("database");
        claims::seed_needs(&db, 500).await;
        db.pool.close().await;
        let server = self.start(&database).await;
        let base = format!("http://{}", server.addr);
        let board = reqwest::get(format!("{base}/"))
            .await
            .expect("board")
            .text()
            .await
            .expect("board page");
        let need = board
            .split("data-need-id=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a need on the board")
            .to_owned();
        let pages = [
            ("board (500 open needs)", "/".to_owned()),
            ("need page", format!("/needs/{need}")),
            ("impact", "/impact".to_owned()),
        ];
        let mut audits = Vec::new();
        for (page, path) in pages {
            let base = base.clone();
            audits.push(
                tokio::task::spawn_blocking(move || lighthouse::audit(page, &base, &path))
                    .await
                    .expect("lighthouse task"),
            );
        }
        audits
    }

    async fn board(&self) -> board::BoardLoad {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, None, "board").await;
        let db = Db::connect(&database, 2).await.expect("database");
        claims::seed_needs(&db, 500).await;
        db.pool.close().await;
        let server = self.start(&database).await;
        board::load(&format!("http://{}", server.addr), 32, self.duration).await
    }

    async fn desk(
        &self,
        backend: &'static str,
        postgres: Option<&str>,
        needs: usize,
    ) -> desk::DeskLoad {
        let dir = tempfile::tempdir().unwrap();
        let database = match std::env::var("WANSHAN_BENCH_DESK_DB") {
            Ok(path) if postgres.is_none() => path,
            _ => fresh_database(&dir, postgres, "desk").await,
        };
        let db = Db::connect(&database, 2).await.expect("database");
        let seeding = std::time::Instant::now();
        let cookie = desk::seed(&db, needs).await;
        let seed_seconds = seeding.elapsed().as_secs_f64();
        let (needs, reviews, claims) = desk::counts(&db).await;
        db.pool.close().await;
        let server = self.start(&database).await;
        let base = format!("http://{}", server.addr);
        let (city, town, csv, desk_bytes) = desk::load(&base, &cookie, DESK_REQUESTS).await;
        desk::DeskLoad {
            backend,
            needs,
            reviews,
            claims,
            seed_seconds,
            city,
            town,
            csv,
            desk_bytes,
        }
    }

    async fn api(&self, backend: &'static str, postgres: Option<&str>) -> api::ApiLoad {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, postgres, "api").await;
        let db = Db::connect(&database, 2).await.expect("database");
        let keys = api::seed(&db, "benchmark-only-key").await;
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM aid_records")
            .fetch_one(&db.pool)
            .await
            .expect("count");
        db.pool.close().await;
        let server = self.start(&database).await;
        api::load(&format!("http://{}", server.addr), &keys, backend, records).await
    }

    async fn served(&self) -> Vec<(String, u64, String)> {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(&dir, None, "served").await;
        let server = self.start(&database).await;
        let base = format!("http://{}", server.addr);
        let mut served = Vec::new();
        for path in [
            "/pkg/wanshan_bg.wasm",
            "/pkg/wanshan.js",
            "/pkg/wanshan.css",
        ] {
            for encoding in ["br", "gzip"] {
                let (bytes, used) = size::served(&base, path, encoding).await;
                served.push((format!("{path} (accepts {encoding})"), bytes, used));
            }
        }
        served
    }
}
