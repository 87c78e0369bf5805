//! What there is to fuzz, found rather than listed: the server functions in server_fn's
//! registry, each with the fields its own answers name; the routes added by hand in
//! `wanshan_server::router`; the pages of the app's router.

use super::input::{encode, Target};
use crate::support::TestApp;
use reqwest::Method;
use std::collections::BTreeMap;
use wanshan_app::error::AppError;

/// One field of a server function, as its answers taught us.
#[derive(Clone, Debug)]
pub struct Field {
    /// As posted: `need_id`, `form[town]`.
    pub key: String,
    /// The innermost name: `need_id`, `town`.
    pub leaf: String,
    /// The values it takes, when it is an enum.
    pub variants: Vec<String>,
    /// Whether the function goes without it (`#[server(default)]`, an `Option` member).
    pub optional: bool,
}

impl Field {
    /// A field known by name only (a query key a page reads).
    pub fn named(name: &str) -> Field {
        Field {
            key: name.to_owned(),
            leaf: name.to_owned(),
            variants: Vec::new(),
            optional: true,
        }
    }
}

/// Everything to fuzz. `names`: every field name some function takes, where optional fields
/// are looked for (a probe cannot see a field the function goes without).
pub async fn targets(app: &TestApp, names: &[&str]) -> Vec<Target> {
    let mut functions: Vec<(String, Method)> = server_fn::axum::server_fn_paths()
        .map(|(path, method)| (path.to_owned(), method))
        .collect();
    functions.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        functions.iter().any(|(path, _)| path == "/api/claim_need"),
        "the registry lists the server functions: {functions:?}"
    );
    let mut targets = Vec::new();
    for (path, method) in functions {
        let fields = learn_fields(app, &path, &method, names).await;
        targets.push(Target::ServerFn {
            path,
            method,
            fields,
        });
    }
    // The routes `wanshan_server::router` adds by hand beside the server functions.
    targets.extend([
        Target::Deliver,
        Target::Photo,
        Target::Ledger,
        Target::DeskExport,
        Target::HoursExport,
        Target::Events,
        Target::NoticeStream,
        Target::AgencyKeys,
        Target::Api("/api/v1/aid/query"),
        Target::Api("/api/v1/aid/records"),
        Target::Api("/api/v1/aid/records.csv"),
        Target::Api("/api/v1/agency"),
        Target::ApiDocument("/api/v1/openapi.json"),
        Target::ApiDocument("/api/v1/docs"),
        // The language switch (a redirect), the service worker and the manifest.
        Target::ApiDocument("/lang?to=en&back=/"),
        Target::ApiDocument("/sw.js"),
        Target::ApiDocument("/manifest.webmanifest"),
    ]);
    for listing in leptos_axum::generate_route_list(wanshan_app::App) {
        targets.push(Target::Page(listing.path().to_owned()));
    }
    assert!(
        targets
            .iter()
            .any(|target| matches!(target, Target::Page(path) if path == "/my/claims")),
        "the app's router lists its pages"
    );
    targets
}

/// The message of a `BadRequest` answer, or `None` when the arguments parsed. Anonymous, so
/// nothing runs past the arguments but a refusal.
async fn probe(
    app: &TestApp,
    path: &str,
    method: &Method,
    pairs: &[(String, String)],
) -> Option<String> {
    let body = encode(pairs);
    let request = if *method == Method::GET {
        app.http.get(app.url(&format!("{path}?{body}")))
    } else {
        app.http
            .request(method.clone(), app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let response = request.send().await.expect("a probe was answered");
    match response.json().await.ok()? {
        AppError::BadRequest(message) => Some(message),
        _ => None,
    }
}

fn quoted_after<'a>(message: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &message[message.find(marker)? + marker.len()..];
    rest.split('`').next()
}

/// A server function's fields, learned from its answers: "missing field `x`" adds `x` (inside
/// a struct field when it belongs there), a field that takes a struct becomes `x[…]`, an
/// enum's variants are read from "unknown variant `1`, expected `a` or `b`"; then the
/// optional ones among `names`, at the top and inside each struct.
async fn learn_fields(app: &TestApp, path: &str, method: &Method, names: &[&str]) -> Vec<Field> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut structs: Vec<String> = Vec::new();
    let mut variants: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for _ in 0..48 {
        let Some(message) = probe(app, path, method, &pairs).await else {
            let candidates: Vec<String> = std::iter::once(None)
                .chain(structs.iter().map(Some))
                .flat_map(|parent| {
                    names.iter().map(move |name| match parent {
                        None => (*name).to_owned(),
                        Some(parent) => format!("{parent}[{name}]"),
                    })
                })
                .filter(|key| !pairs.iter().any(|(k, _)| k == key))
                .collect();
            let optional = optional_fields(app, path, method, &pairs, candidates).await;
            // A struct whose members are all optional keeps its placeholder `x[_]`: without a
            // member the struct itself is missing.
            let field = |key: String, optional: bool| Field {
                leaf: key
                    .rsplit('[')
                    .next()
                    .unwrap_or(&key)
                    .trim_end_matches(']')
                    .to_owned(),
                variants: variants.get(&key).cloned().unwrap_or_default(),
                key,
                optional,
            };
            return pairs
                .into_iter()
                .map(|(key, _)| field(key, false))
                .chain(optional.into_iter().map(|key| field(key, true)))
                .collect();
        };
        if let Some(name) = quoted_after(&message, "missing field `") {
            // The innermost struct it could belong to first, then the top.
            let candidates: Vec<String> = structs
                .iter()
                .rev()
                .map(|parent| format!("{parent}[{name}]"))
                .chain([name.to_owned()])
                .filter(|key| !pairs.iter().any(|(k, _)| k == key))
                .collect();
            let mut placed = false;
            for key in candidates {
                let mut trial = pairs.clone();
                trial.push((key, "1".into()));
                let again = probe(app, path, method, &trial).await;
                if again
                    .as_deref()
                    .and_then(|m| quoted_after(m, "missing field `"))
                    != Some(name)
                {
                    pairs = trial;
                    placed = true;
                    break;
                }
            }
            assert!(
                placed,
                "{path}: cannot place the field `{name}` ({message})"
            );
        } else if message.contains("could not convert") || message.contains("expected struct") {
            // A field takes a struct: the one whose `key[_]` form ends this error.
            let mut found = false;
            for i in (0..pairs.len()).rev() {
                let mut trial = pairs.clone();
                let key = trial[i].0.clone();
                trial[i] = (format!("{key}[_]"), "1".into());
                if probe(app, path, method, &trial).await.as_deref() != Some(&message) {
                    structs.push(key);
                    pairs = trial;
                    found = true;
                    break;
                }
            }
            assert!(found, "{path}: which field is a struct? ({message})");
        } else if message.contains("unknown variant `") {
            let expected = message.split("expected").nth(1).unwrap_or("");
            let names: Vec<String> = expected
                .split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect();
            let mut found = false;
            for i in (0..pairs.len()).rev() {
                let mut trial = pairs.clone();
                trial[i].1 = names[0].clone();
                if probe(app, path, method, &trial).await.as_deref() != Some(&message) {
                    variants.insert(trial[i].0.clone(), names.clone());
                    pairs = trial;
                    found = true;
                    break;
                }
            }
            assert!(found, "{path}: which field is the enum? ({message})");
        } else {
            panic!("{path}: the probe cannot go on from {message:?}");
        }
    }
    panic!("{path}: its fields were not learned in 48 probes");
}

/// Which of `candidates` are fields the function takes though it goes without them: a map
/// where a value belongs (`next[_]=1`) is refused for a field and ignored for any other name.
/// Halves the candidates until each refusal is pinned on one, so a function with none costs
/// one probe.
async fn optional_fields(
    app: &TestApp,
    path: &str,
    method: &Method,
    required: &[(String, String)],
    candidates: Vec<String>,
) -> Vec<String> {
    let mut found = Vec::new();
    let mut groups = vec![candidates];
    while let Some(group) = groups.pop() {
        if group.is_empty() {
            continue;
        }
        let mut pairs = required.to_vec();
        pairs.extend(
            group
                .iter()
                .map(|key| (format!("{key}[_]"), "1".to_owned())),
        );
        if probe(app, path, method, &pairs).await.is_none() {
            continue;
        }
        if let [key] = group.as_slice() {
            found.push(key.clone());
            continue;
        }
        let (first, second) = group.split_at(group.len() / 2);
        groups.push(second.to_vec());
        groups.push(first.to_vec());
    }
    found
}
