//! The client's size as a phone downloads it: raw, gzip -9, brotli, and what the server sends.

use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Clone, Debug)]
pub struct FileSize {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

fn compressed_len(program: &str, args: &[&str], path: &Path) -> u64 {
    let output = Command::new(program)
        .args(args)
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(output.status.success(), "{program} failed");
    output.stdout.len() as u64
}

/// Sizes of the client's files in `pkg` (gzip and brotli at their highest levels).
pub fn client_files(pkg: &Path, output_name: &str) -> Vec<FileSize> {
    [
        format!("{output_name}_bg.wasm"),
        format!("{output_name}.js"),
        format!("{output_name}.css"),
    ]
    .into_iter()
    .map(|name| {
        let path = pkg.join(&name);
        let raw = std::fs::metadata(&path)
            .unwrap_or_else(|_| panic!("{} exists (build the client first)", path.display()))
            .len();
        FileSize {
            gzip: compressed_len("gzip", &["-9", "-c"], &path),
            brotli: compressed_len("brotli", &["-q", "11", "-c"], &path),
            name,
            raw,
        }
    })
    .collect()
}

/// Bytes the server sends for `path` when the browser accepts `encoding`, and the encoding used.
pub async fn served(base: &str, path: &str, encoding: &str) -> (u64, String) {
    let response = reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("accept-encoding", encoding)
        .send()
        .await
        .expect("file served");
    let used = response
        .headers()
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .to_owned();
    let bytes = response.bytes().await.expect("body").len() as u64;
    (bytes, used)
}
