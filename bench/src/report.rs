//! BENCHMARKS.md: machine, date, commands, figures, and each target met or missed.

use crate::board::BoardLoad;
use crate::claims::Load;
use crate::fanout::Fanout;
use crate::size::FileSize;
use std::fmt::Write;
use std::process::Command;

/// The claim benchmarks on one backend: [many needs, contended].
#[derive(Clone, Copy, Debug, Default)]
pub struct Run {
    pub backend: &'static str,
    pub http: [Load; 2],
    pub raw: [Load; 2],
    /// (needs claimed twice, active claims, needs marked claimed)
    pub audit: [(i64, i64, i64); 2],
}

pub struct Report {
    pub open_file_limit: u64,
    pub fanout: Vec<(Fanout, Fanout)>,
    pub claims: Vec<Run>,
    pub board: Option<BoardLoad>,
    pub sizes: Vec<FileSize>,
    pub served: Vec<(String, u64, String)>,
    pub sign_ins: Option<crate::signin::SignInFlood>,
    pub desk: Vec<crate::desk::DeskLoad>,
    pub api: Vec<crate::api::ApiLoad>,
    pub lighthouse: Vec<crate::lighthouse::Audit>,
}

fn shell(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

fn proc_field(file: &str, key: &str) -> String {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "**missed**"
    }
}

impl Report {
    pub fn new(open_file_limit: u64) -> Report {
        Report {
            open_file_limit,
            fanout: Vec::new(),
            claims: Vec::new(),
            board: None,
            sizes: Vec::new(),
            served: Vec::new(),
            sign_ins: None,
            desk: Vec::new(),
            api: Vec::new(),
            lighthouse: Vec::new(),
        }
    }

    /// Section 7: the agency API.
    pub fn lighthouse_section(&self) -> String {
        let mut md = String::new();
        if self.lighthouse.is_empty() {
            return md;
        }
        let _ = writeln!(md, "\n## 8. Lighthouse\n");
        let _ = writeln!(
            md,
            "Lighthouse {} (its defaults: a mid-range phone, simulated slow 4G and a 4× slower CPU; a \
             cold first visit) with {}, against the release server with 500 open needs. \
             Scores out of 100; the audits that cost points are listed under the table.\n",
            shell(&crate::lighthouse::command().to_string_lossy(), &["--version"]),
            shell(&crate::lighthouse::chromium().to_string_lossy(), &["--version"])
        );
        let _ = writeln!(
            md,
            "| page | address | performance | accessibility | best practices |"
        );
        let _ = writeln!(md, "|---|---|---:|---:|---:|");
        let show = |score: Option<u32>| score.map_or("—".to_owned(), |s| s.to_string());
        for audit in &self.lighthouse {
            let _ = writeln!(
                md,
                "| {} | `{}` | {} | {} | {} |",
                audit.page,
                audit.path,
                show(audit.performance),
                show(audit.accessibility),
                show(audit.best_practices)
            );
        }
        for audit in &self.lighthouse {
            if let Some(error) = &audit.error {
                let _ = writeln!(md, "\n{}: {error}", audit.page);
            } else if !audit.lost.is_empty() {
                let _ = writeln!(md, "\n{}: {}", audit.page, audit.lost.join("; "));
            }
        }
        md
    }

    pub fn api_section(&self) -> String {
        let mut md = String::new();
        if self.api.is_empty() {
            return md;
        }
        let _ = writeln!(md, "\n## 7. The agency exchange API\n");
        let _ = writeln!(
            md,
            "An aid history of {} records over {} people (four windows, three years), then \
             through the release server with one agency's keys: 500 救前查询 of people in it \
             (36 months, every window), 500 救后录入 of new records, 16 calls at a time; then \
             one bulk upload of 5,000 rows. Every call checks its key, counts itself against \
             the key's minute and the agency's day and writes its audit line.\n",
            crate::api::RECORDS,
            crate::api::PEOPLE
        );
        let _ = writeln!(
            md,
            "| backend | records held | query p50 / p99 ms | queries/s | record p50 / p99 ms | records/s | 5,000-row upload |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
        for a in &self.api {
            let ms = |us: u64| us as f64 / 1000.0;
            let _ = writeln!(
                md,
                "| {} | {} | {:.1} / {:.1} | {:.0} | {:.1} / {:.1} | {:.0} | {:.2} s |",
                a.backend,
                a.records,
                ms(a.query.p50_us),
                ms(a.query.p99_us),
                a.query_per_s,
                ms(a.record.p50_us),
                ms(a.record.p99_us),
                a.record_per_s,
                a.bulk.as_secs_f64()
            );
        }
        md
    }

    /// Section 6: the desk over a city's history.
    pub fn desk_section(&self) -> String {
        let mut md = String::new();
        if self.desk.is_empty() {
            return md;
        }
        let _ = writeln!(md, "\n## 6. The supervision desk over 100,000 needs\n");
        let _ = writeln!(
            md,
            "A city's two years: needs entered over 730 days in every stage (5% draft, 5% and \
             5% at the two reviews, 20% on the board, 10% claimed, 3% referred, the rest \
             fulfilled), a tenth returned once, 5% of decisions over a duplicate-aid warning, \
             a claim for each claimed or fulfilled need, a household for every five needs. A \
             signed-in city official then asks for the whole desk (`POST /api/get_desk`: five \
             overdue lists with counts by town, the flow of the last twelve months by month \
             and window with the median of each stage, supply against demand, referrals) for \
             the city and for one town, and the flow CSV, {} times each, one at a time.\n",
            self.desk.first().map_or(0, |d| d.city.count)
        );
        let _ = writeln!(
            md,
            "| backend | needs | reviews | claims | seeded in | desk, city p50 / p99 ms | desk, one town p50 / p99 ms | flow CSV p50 / p99 ms | desk answer |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for d in &self.desk {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:.1} s | {} / {} | {} / {} | {} / {} | {} B |",
                d.backend,
                d.needs,
                d.reviews,
                d.claims,
                d.seed_seconds,
                ms(d.city.p50_us),
                ms(d.city.p99_us),
                ms(d.town.p50_us),
                ms(d.town.p99_us),
                ms(d.csv.p50_us),
                ms(d.csv.p99_us),
                d.desk_bytes
            );
        }
        md
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0);
        let _ = writeln!(md, "# Benchmarks\n");
        let _ = writeln!(
            md,
            "Written by `./run.sh bench` (the harness in `bench/`). Every figure below is from one \
             run on the machine named here; the server is the release build, run as its own \
             process; the load comes from the harness on the same machine, so client and server \
             share its cores.\n"
        );
        let _ = writeln!(md, "| | |\n|---|---|");
        let _ = writeln!(
            md,
            "| date (UTC) | {} |",
            shell("date", &["-u", "+%Y-%m-%d %H:%M"])
        );
        let _ = writeln!(
            md,
            "| commit | {} |",
            shell("git", &["rev-parse", "--short", "HEAD"])
        );
        let _ = writeln!(
            md,
            "| CPU | {} × {} |",
            cores,
            proc_field("/proc/cpuinfo", "model name")
        );
        let _ = writeln!(
            md,
            "| memory | {} |",
            proc_field("/proc/meminfo", "MemTotal")
        );
        let _ = writeln!(md, "| kernel | {} |", shell("uname", &["-r"]));
        let _ = writeln!(md, "| rustc | {} |", shell("rustc", &["--version"]));
        let _ = writeln!(md, "| open-file limit | {} |", self.open_file_limit);
        let _ = writeln!(
            md,
            "\nCommand: `./run.sh bench` (builds the release server and client, starts a \
             throwaway PostgreSQL with fsync on, runs `wanshan-bench run`).\n"
        );

        let _ = writeln!(md, "## 1. Live fan-out\n");
        let _ = writeln!(
            md,
            "N clients hold `GET /api/events` open; one claim goes through `POST \
             /api/claim_need`; each client's time is from just before that request is sent until \
             its socket has delivered the `need_claimed` event. The floor is a bare tokio \
             broadcaster in the harness (`bench/src/fanout.rs`, its own process) writing the same \
             event to the same number of sockets on a trigger request. Memory is the server's \
             resident set after all streams are open minus before, per stream.\n"
        );
        let _ = writeln!(
            md,
            "| subscribers | p50 ms | p99 ms | max ms | floor p50 | floor p99 | floor max | p99 ours/floor | server bytes/subscriber | floor bytes/subscriber |"
        );
        let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (ours, floor) in &self.fanout {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.0} | {:.0} |",
                ours.subscribers,
                ms(ours.latency.p50_us),
                ms(ours.latency.p99_us),
                ms(ours.latency.max_us),
                ms(floor.latency.p50_us),
                ms(floor.latency.p99_us),
                ms(floor.latency.max_us),
                ours.latency.p99_us as f64 / floor.latency.p99_us.max(1) as f64,
                ours.bytes_per_subscriber,
                floor.bytes_per_subscriber,
            );
        }

        let _ = writeln!(md, "\n## 2. Claim throughput\n");
        let _ = writeln!(
            md,
            "{} concurrent HTTP clients for the run's duration. *Many needs*: every claim is for \
             a need of its own (all win). *Contended*: each need gets 64 consecutive claims (one \
             wins, 63 get `AlreadyClaimed`). Claims/s counts every answered claim. The floor is \
             the claim's conditional `UPDATE` alone, straight on a pool of 8 with the same \
             settings: no HTTP, no claim row, no event. Afterwards the database is audited.\n",
            64
        );
        let _ = writeln!(
            md,
            "| backend | load | claims/s | wins | AlreadyClaimed | errors | raw UPDATE/s | ours/raw | needs claimed twice | active claims = wins |"
        );
        let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        for run in &self.claims {
            for (slot, label) in [(0, "many needs"), (1, "contended")] {
                let http = run.http[slot];
                let raw = run.raw[slot];
                let (doubles, claims, claimed) = run.audit[slot];
                let _ = writeln!(
                    md,
                    "| {} | {} | {:.0} | {} | {} | {} | {:.0} | {:.0}% | {} | {} |",
                    run.backend,
                    label,
                    http.per_second(),
                    http.wins,
                    http.already_claimed,
                    http.errors,
                    raw.per_second(),
                    100.0 * http.per_second() / raw.per_second().max(1.0),
                    doubles,
                    if claims == http.wins as i64 && claimed == claims {
                        "yes"
                    } else {
                        "**no**"
                    },
                );
            }
        }

        if let Some(board) = &self.board {
            let _ = writeln!(md, "\n## 3. Board page\n");
            let _ = writeln!(
                md,
                "`GET /` server-rendered with 500 open needs (the first 30 listed), 32 concurrent clients, uncompressed \
                 ({} bytes a page).\n",
                board.page_bytes
            );
            let _ = writeln!(md, "| requests | requests/s | p50 ms | p99 ms | max ms |");
            let _ = writeln!(md, "|---:|---:|---:|---:|---:|");
            let _ = writeln!(
                md,
                "| {} | {:.0} | {} | {} | {} |",
                board.requests,
                board.per_second,
                ms(board.latency.p50_us),
                ms(board.latency.p99_us),
                ms(board.latency.max_us)
            );
        }

        let _ = writeln!(md, "\n## 4. Client size\n");
        let _ = writeln!(
            md,
            "Release client: profile `wasm-release` (opt-level z, LTO, one codegen unit, abort \
             on panic), wasm-bindgen, `wasm-opt -Oz`. gzip -9 and brotli -q 11 of each file.\n"
        );
        let _ = writeln!(md, "| file | raw | gzip -9 | brotli |");
        let _ = writeln!(md, "|---|---:|---:|---:|");
        let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
        for file in &self.sizes {
            raw += file.raw;
            gzip += file.gzip;
            brotli += file.brotli;
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                file.name, file.raw, file.gzip, file.brotli
            );
        }
        let _ = writeln!(md, "| **whole client** | {raw} | {gzip} | {brotli} |");
        let _ = writeln!(
            md,
            "\nWhat the server sends (on-the-fly compression by tower-http):\n"
        );
        let _ = writeln!(md, "| request | bytes sent | content-encoding |");
        let _ = writeln!(md, "|---|---:|---|");
        for (what, bytes, encoding) in &self.served {
            let _ = writeln!(md, "| {what} | {bytes} | {encoding} |");
        }

        if let Some(flood) = &self.sign_ins {
            let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
            let _ = writeln!(md, "\n## 5. Sign-ins at once\n");
            let _ = writeln!(
                md,
                "{} sign-ins sent at once, each from its own address (`X-Real-IP`, trusted here \
                 as behind nginx) for an unknown phone, so every one asks for an argon2id hash \
                 (19 MiB each). At most one hash per core runs; the rest wait up to 2 s, then \
                 get 503 `Busy`.\n",
                flood.attempts
            );
            let _ = writeln!(
                md,
                "| idle RSS | peak RSS | growth | checked (401) | `Busy` (503) | other | wall time |"
            );
            let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|");
            let _ = writeln!(
                md,
                "| {:.1} MB | {:.1} MB | {:.1} MB | {} | {} | {} | {:.1} s |",
                mb(flood.idle_rss),
                mb(flood.peak_rss),
                mb(flood.peak_rss.saturating_sub(flood.idle_rss)),
                flood.checked,
                flood.busy,
                flood.other,
                flood.wall.as_secs_f64()
            );
        }

        md.push_str(&self.desk_section());
        md.push_str(&self.api_section());
        md.push_str(&self.lighthouse_section());

        let _ = writeln!(md, "\n## Targets\n");
        let _ = writeln!(md, "| target | figure | |");
        let _ = writeln!(md, "|---|---|---|");
        if let Some((ours, floor)) = self.fanout.iter().max_by_key(|(o, _)| o.subscribers) {
            let _ = writeln!(
                md,
                "| p99 claim→vanish ≤ 100 ms at 10,000 subscribers | {} ms at {} | {} |",
                ms(ours.latency.p99_us),
                ours.subscribers,
                verdict(ours.subscribers >= 10_000 && ours.latency.p99_us <= 100_000)
            );
            let ratio = ours.latency.p99_us as f64 / floor.latency.p99_us.max(1) as f64;
            let _ = writeln!(
                md,
                "| p99 ≤ 2× the floor | {ratio:.2}× | {} |",
                verdict(ratio <= 2.0)
            );
            let per = self
                .fanout
                .iter()
                .map(|(o, _)| o.bytes_per_subscriber)
                .fold(0.0, f64::max);
            let _ = writeln!(
                md,
                "| ≤ 4 KiB server memory per idle subscriber | {per:.0} B (worst run) | {} |",
                verdict(per <= 4096.0)
            );
        }
        if let Some(sqlite) = self.claims.iter().find(|r| r.backend == "SQLite") {
            let contended = sqlite.http[1].per_second();
            let _ = writeln!(
                md,
                "| ≥ 5,000 contended claims/s on SQLite | {contended:.0}/s | {} |",
                verdict(contended >= 5000.0)
            );
            let share = contended / sqlite.raw[1].per_second().max(1.0);
            let _ = writeln!(
                md,
                "| ≥ 50% of the raw UPDATE rate (contended, SQLite) | {:.0}% | {} |",
                100.0 * share,
                verdict(share >= 0.5)
            );
        }
        let _ = writeln!(
            md,
            "| whole client ≤ 200 KB gzip | {gzip} B | {} |",
            verdict(gzip <= 200_000)
        );
        for d in &self.desk {
            let _ = writeln!(
                md,
                "| the desk over 100,000 needs in < 200 ms at p99 ({}) | {} ms | {} |",
                d.backend,
                ms(d.city.p99_us),
                verdict(d.city.p99_us < 200_000)
            );
        }
        for audit in &self.lighthouse {
            let full = |score: Option<u32>, least: u32| score.is_some_and(|s| s >= least);
            let _ = writeln!(
                md,
                "| Lighthouse accessibility and best practices 100 ({}) | {} / {} | {} |",
                audit.page,
                audit.accessibility.map_or("—".into(), |s| s.to_string()),
                audit.best_practices.map_or("—".into(), |s| s.to_string()),
                verdict(full(audit.accessibility, 100) && full(audit.best_practices, 100))
            );
            let _ = writeln!(
                md,
                "| Lighthouse performance ≥ 95 ({}) | {} | {} |",
                audit.page,
                audit.performance.map_or("—".into(), |s| s.to_string()),
                verdict(full(audit.performance, 95))
            );
        }
        // The analysis is written by hand (bench/NOTES.md) and kept across runs.
        let _ = writeln!(md, "\n{}", include_str!("../NOTES.md"));
        md
    }
}
