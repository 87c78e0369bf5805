//! The API's description: the OpenAPI 3.1 document generated from the handlers and types, and
//! a readable page drawn from that same document on the server (plain HTML and its own small
//! stylesheet; no script, nothing loaded from anywhere else).

use super::schema::ApiDoc;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::fmt::Write as _;
use std::sync::OnceLock;
use utoipa::OpenApi;

/// The document as JSON, built once.
pub fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serialises")
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json() -> Response {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| serde_json::to_string_pretty(openapi()).unwrap_or_default());
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        text.as_str(),
    )
        .into_response()
}

/// `GET /api/v1/docs`.
pub async fn docs_page() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| render(openapi()));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            ),
        ],
        page.as_str(),
    )
        .into_response()
}

/// `GET /api/v1/docs.css`: the page's stylesheet (a file of its own, so the page's policy
/// allows no inline style).
pub async fn docs_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        STYLE,
    )
        .into_response()
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with `code` spans (backticks) and paragraphs (blank lines), escaped.
fn prose(text: &str) -> String {
    let mut out = String::new();
    for paragraph in text.split("\n\n") {
        out.push_str("<p>");
        for (i, part) in paragraph.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(out, "<code>{}</code>", escape(part));
            } else {
                out.push_str(&escape(part));
            }
        }
        out.push_str("</p>");
    }
    out
}

/// A schema's name from its `$ref`.
fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.rsplit('/').next()
}

/// A schema as a short type: a link to a named schema, or `string`, `integer (int64)`,
/// `array of …`, `one of …`, with `null` where it may be absent.
fn type_text(schema: &Value) -> String {
    if let Some(name) = ref_name(schema) {
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return options
                .iter()
                .map(type_text)
                .collect::<Vec<_>>()
                .join(" or ");
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    };
    let mut text = escape(&kind);
    if kind.contains("array") {
        if let Some(items) = schema.get("items") {
            let _ = write!(text, " of {}", type_text(items));
        }
    }
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(text, " ({})", escape(format));
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("<code>{}</code>", escape(&v.to_string())))
            .collect();
        let _ = write!(text, ": {}", values.join(", "));
    }
    let bounds: Vec<String> = [("minimum", "≥"), ("maximum", "≤")]
        .iter()
        .filter_map(|(key, sign)| schema.get(*key).map(|v| format!("{sign} {v}")))
        .collect();
    if !bounds.is_empty() {
        let _ = write!(text, ", {}", bounds.join(", "));
    }
    text
}

const STYLE: &str = "body{font:16px/1.6 system-ui,-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1f2328}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-top:1px solid #d0d7de;padding-top:1rem}h3{font-size:1.05rem}\
code{background:#f3f4f6;padding:0 .25rem;border-radius:3px;overflow-wrap:anywhere}\
.method{display:inline-block;min-width:3.5rem;font-weight:700;color:#fff;background:#8a1c1c;border-radius:4px;padding:0 .4rem;margin-right:.4rem;text-align:center}\
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}\
.scroll{overflow-x:auto}a{color:#8a1c1c}nav ul{padding-left:1.2rem}";

/// The page: what the API is for, each operation (method, path, body, answers) and each schema.
pub fn render(doc: &Value) -> String {
    let info = &doc["info"];
    let title = info["title"].as_str().unwrap_or("API");
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/api/v1/docs.css\"></head><body><main>\
         <h1>{title}</h1><p>Version {version} · OpenAPI {openapi} · \
         <a href=\"/api/v1/openapi.json\">openapi.json</a></p>{description}",
        title = escape(title),
        version = escape(info["version"].as_str().unwrap_or("")),
        openapi = escape(doc["openapi"].as_str().unwrap_or("")),
        description = prose(info["description"].as_str().unwrap_or("")),
    );
    let empty = serde_json::Map::new();
    let paths = doc["paths"].as_object().unwrap_or(&empty);
    page.push_str("<nav aria-label=\"Operations\"><ul>");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap_or(&empty) {
            let id = operation["operationId"].as_str().unwrap_or("");
            let _ = write!(
                page,
                "<li><a href=\"#op-{id}\">{} {}</a>: {}</li>",
                escape(&method.to_uppercase()),
                escape(path),
                escape(operation["summary"].as_str().unwrap_or("")),
                id = escape(id),
            );
        }
    }
    page.push_str("</ul></nav>");
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().unwrap_or(&empty) {
            let id = operation["operationId"].as_str().unwrap_or("");
            let _ = write!(
                page,
                "<section id=\"op-{id}\"><h2><span class=\"method\">{method}</span><code>{path}</code></h2>\
                 <p><strong>{summary}</strong></p>{description}",
                id = escape(id),
                method = escape(&method.to_uppercase()),
                path = escape(path),
                summary = escape(operation["summary"].as_str().unwrap_or("")),
                description = prose(operation["description"].as_str().unwrap_or("")),
            );
            if let Some(content) = operation["requestBody"]["content"].as_object() {
                page.push_str("<h3>Request body</h3><ul>");
                for (media, body) in content {
                    let _ = write!(
                        page,
                        "<li><code>{}</code>: {}</li>",
                        escape(media),
                        type_text(&body["schema"])
                    );
                }
                page.push_str("</ul>");
            }
            page.push_str(
                "<h3>Responses</h3><div class=\"scroll\"><table><thead><tr><th scope=\"col\">Status</th>\
                 <th scope=\"col\">Meaning</th><th scope=\"col\">Body</th></tr></thead><tbody>",
            );
            for (status, response) in operation["responses"].as_object().unwrap_or(&empty) {
                let body = response["content"]
                    .as_object()
                    .and_then(|content| content.values().next())
                    .map(|media| type_text(&media["schema"]))
                    .unwrap_or_default();
                let _ = write!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td>{body}</td></tr>",
                    escape(status),
                    escape(response["description"].as_str().unwrap_or("")),
                );
            }
            page.push_str("</tbody></table></div></section>");
        }
    }
    page.push_str("<h2>Schemas</h2>");
    for (name, schema) in doc["components"]["schemas"].as_object().unwrap_or(&empty) {
        let _ = write!(
            page,
            "<section id=\"schema-{name}\"><h3>{name}</h3>{description}",
            name = escape(name),
            description = schema["description"]
                .as_str()
                .map(prose)
                .unwrap_or_default(),
        );
        match schema["properties"].as_object() {
            Some(properties) => {
                let required: Vec<&str> = schema["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                page.push_str(
                    "<div class=\"scroll\"><table><thead><tr><th scope=\"col\">Field</th>\
                     <th scope=\"col\">Type</th><th scope=\"col\">Required</th>\
                     <th scope=\"col\">Meaning</th></tr></thead><tbody>",
                );
                for (field, property) in properties {
                    let example = property
                        .get("example")
                        .or_else(|| property.get("examples").and_then(|e| e.get(0)))
                        .map(|e| format!(" Example: <code>{}</code>", escape(&e.to_string())))
                        .unwrap_or_default();
                    let _ = write!(
                        page,
                        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}{example}</td></tr>",
                        escape(field),
                        type_text(property),
                        if required.contains(&field.as_str()) { "yes" } else { "no" },
                        escape(property["description"].as_str().unwrap_or("")),
                    );
                }
                page.push_str("</tbody></table></div>");
            }
            None => {
                let _ = write!(page, "<p>{}</p>", type_text(schema));
            }
        }
        page.push_str("</section>");
    }
    page.push_str("</main></body></html>");
    page
}
