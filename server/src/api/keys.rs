//! `POST /admin/agencies/keys`: an admin issues an agency an API key. A plain handler that
//! answers with a small page showing the key once: the key never travels in an address (a
//! redirect would put it in the history and the logs) and is never stored.

use super::docs::escape;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use wanshan_app::access::{check, Action};
use wanshan_app::db::agencies;
use wanshan_app::domain::{has_control_characters, UtcMillis};
use wanshan_app::error::AppError;
use wanshan_app::functions::Caller;
use wanshan_app::private::{per_minute, AgencyId, Scopes};

/// What the form sends.
#[derive(Default)]
struct KeyForm {
    agency_id: String,
    label: String,
    query: bool,
    record: bool,
    per_minute: String,
}

fn read_form(body: &[u8]) -> KeyForm {
    let mut form = KeyForm {
        per_minute: "60".into(),
        ..KeyForm::default()
    };
    for (name, value) in form_urlencoded::parse(body) {
        match &*name {
            "agency_id" => form.agency_id = value.into_owned(),
            "label" => form.label = value.into_owned(),
            "query" => form.query = value == "true",
            "record" => form.record = value == "true",
            "per_minute" => form.per_minute = value.into_owned(),
            _ => {}
        }
    }
    form
}

pub async fn create_key(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    body: Bytes,
) -> Response {
    let result = async {
        let admin = caller
            .and_then(|Extension(Caller(viewer))| viewer)
            .ok_or(AppError::Unauthorized)?;
        check(&admin, Action::Administer)?;
        let form = read_form(&body);
        let agency = form
            .agency_id
            .trim()
            .parse::<i64>()
            .map(AgencyId)
            .map_err(|_| AppError::invalid("agency", "没有这个机构。"))?;
        let label = form.label.trim();
        if label.chars().count() > 60 || has_control_characters(label) {
            return Err(AppError::invalid(
                "label",
                "用途说明最多 60 个字，且不能含有无法显示的字符。",
            ));
        }
        let scopes = Scopes {
            query: form.query,
            record: form.record,
        };
        if !scopes.query && !scopes.record {
            return Err(AppError::invalid(
                "scopes",
                "请至少选择一项权限（救前查询或救后录入）。",
            ));
        }
        let per_minute = per_minute(&form.per_minute)?;
        agencies::create_key(
            &state.db,
            agency,
            label,
            scopes,
            per_minute,
            admin.id,
            UtcMillis::now(),
        )
        .await
    }
    .await;
    let stylesheet = format!(
        "/{}/{}.css",
        state.leptos_options.site_pkg_dir, state.leptos_options.output_name
    );
    let title = escape(&state.settings.city.title("接口密钥"));
    let (status, body) = match result {
        Ok(token) => (
            StatusCode::CREATED,
            format!(
                "<h1>新的接口密钥</h1>\
                 <p role=\"alert\"><strong>这个密钥只显示这一次。</strong>请现在复制，交给对接机构的技术人员妥善保存；本平台只保存它的摘要，丢失后只能作废并重新生成。</p>\
                 <p><code data-testid=\"new-key\">{}</code></p>\
                 <p>请不要刷新本页：刷新会再生成一个密钥。</p>\
                 <p>调用时放在请求头里：<code>Authorization: Bearer &lt;密钥&gt;</code>。见 <a href=\"/api/v1/docs\">接口文档</a>。</p>",
                escape(&token)
            ),
        ),
        Err(error) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST),
            format!(
                "<h1>没有生成密钥</h1><p role=\"alert\" data-code=\"{}\">{}</p>",
                error.code(),
                escape(&error.to_string())
            ),
        ),
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ],
        format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
             <body><main><section class=\"panel\">{body}\
             <p><a class=\"btn-secondary\" href=\"/admin/agencies\">返回对接机构</a></p></section></main></body></html>"
        ),
    )
        .into_response()
}
