//! Lighthouse (its default: a mid-range phone, simulated slow 4G and CPU) on the board with 500
//! open needs, a need's page and the impact page: the performance, accessibility and best
//! practices scores, and the audits that cost points. Chromium is the distribution's; Lighthouse
//! is the npm package pinned in `bench/lighthouse/package.json` (`./run.sh bench` installs it).

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Clone, Debug)]
pub struct Audit {
    pub page: &'static str,
    pub path: String,
    /// Scores out of 100; `None` when the category could not be scored.
    pub performance: Option<u32>,
    pub accessibility: Option<u32>,
    pub best_practices: Option<u32>,
    /// Audits below a full score that weigh in a category: `category: id (score)`.
    pub lost: Vec<String>,
    /// Why the page was not audited, if it was not.
    pub error: Option<String>,
}

/// Where Lighthouse's command is: `WANSHAN_LIGHTHOUSE`, else the harness's own install.
pub fn command() -> PathBuf {
    std::env::var_os("WANSHAN_LIGHTHOUSE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("lighthouse/node_modules/.bin/lighthouse")
        })
}

pub fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// Audits `base` + `path` once (Lighthouse loads the page itself, cold, as a first visit).
pub fn audit(page: &'static str, base: &str, path: &str) -> Audit {
    let mut audit = Audit {
        page,
        path: path.to_owned(),
        performance: None,
        accessibility: None,
        best_practices: None,
        lost: Vec::new(),
        error: None,
    };
    let output = Command::new(command())
        .arg(format!("{base}{path}"))
        .args([
            "--quiet",
            "--output=json",
            "--output-path=stdout",
            "--only-categories=performance,accessibility,best-practices",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --no-first-run",
            "--max-wait-for-load=60000",
        ])
        .env("CHROME_PATH", chromium())
        .output();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            audit.error = Some(format!(
                "lighthouse failed: {}",
                String::from_utf8_lossy(&output.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
            return audit;
        }
        Err(error) => {
            audit.error = Some(format!("lighthouse not run: {error}"));
            return audit;
        }
    };
    let report: serde_json::Value = match serde_json::from_slice(&output.stdout) {
        Ok(report) => report,
        Err(error) => {
            audit.error = Some(format!("lighthouse's report unreadable: {error}"));
            return audit;
        }
    };
    let score = |category: &str| {
        report["categories"][category]["score"]
            .as_f64()
            .map(|score| (score * 100.0).round() as u32)
    };
    audit.performance = score("performance");
    audit.accessibility = score("accessibility");
    audit.best_practices = score("best-practices");
    for category in ["performance", "accessibility", "best-practices"] {
        let refs = report["categories"][category]["auditRefs"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for reference in refs {
            if reference["weight"].as_f64().unwrap_or(0.0) <= 0.0 {
                continue;
            }
            let id = reference["id"].as_str().unwrap_or("");
            if let Some(score) = report["audits"][id]["score"].as_f64() {
                if score < 1.0 {
                    audit.lost.push(format!("{category}: {id} ({:.2})", score));
                }
            }
        }
    }
    audit
}
