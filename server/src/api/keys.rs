//! `POST /admin/agencies/keys`: an admin issues an agency an API key. A plain handler that
//! answers with a small page showing the key once: the key never travels in an address (a
//! redirect would put it in the history and the logs) and is never stored.

use super::docs::escape;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use wanshan_app::access::{check, Action};
use wanshan_app::db::agencies;
use wanshan_app::domain::UtcMillis;
use wanshan_app::error::AppError;
use wanshan_app::functions::Caller;
use wanshan_app::pages::admin::server_texts::NewKeyPage;
use wanshan_app::private::{key_agency, key_label, key_scopes, per_minute};

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
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // The page and its messages in the admin's language.
    let locale = wanshan_app::lang::from_headers(&headers);
    let texts = NewKeyPage::new(locale);
    let result = super::in_language(locale, async {
        let made = async {
            let admin = caller
                .and_then(|Extension(Caller(viewer))| viewer)
                .ok_or(AppError::Unauthorized)?;
            check(&admin, Action::Administer)?;
            let form = read_form(&body);
            let agency = key_agency(&form.agency_id)?;
            let label = key_label(&form.label)?;
            let scopes = key_scopes(form.query, form.record)?;
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
        // The message now, in the admin's language.
        made.map_err(|error| {
            let message = error.to_string();
            (error, message)
        })
    })
    .await;
    let stylesheet = format!(
        "/{}/{}.css",
        state.leptos_options.site_pkg_dir, state.leptos_options.output_name
    );
    let title = escape(&state.settings.city.title(texts.title));
    let (status, body) = match result {
        Ok(token) => (
            StatusCode::CREATED,
            format!(
                "<h1>{heading}</h1>\
                 <p role=\"alert\"><strong>{once}</strong>{once_rest}</p>\
                 <p><code data-testid=\"new-key\">{token}</code></p>\
                 <p>{no_refresh}</p>\
                 <p>{usage}<code>Authorization: Bearer &lt;{usage_key}&gt;</code>{usage_see}<a href=\"/api/v1/docs\">{docs_link}</a>{usage_end}</p>",
                heading = escape(texts.heading),
                once = escape(texts.once),
                once_rest = escape(texts.once_rest),
                token = escape(&token),
                no_refresh = escape(texts.no_refresh),
                usage = escape(texts.usage),
                usage_key = escape(texts.usage_key),
                usage_see = escape(texts.usage_see),
                docs_link = escape(texts.docs_link),
                usage_end = escape(texts.usage_end),
            ),
        ),
        Err((error, message)) => (
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST),
            format!(
                "<h1>{}</h1><p role=\"alert\" data-code=\"{}\">{}</p>",
                escape(texts.failed),
                error.code(),
                escape(&message)
            ),
        ),
    };
    let lang = texts.lang;
    let back = escape(texts.back);
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
            "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
             <body><main><section class=\"panel\">{body}\
             <p><a class=\"btn-secondary\" href=\"/admin/agencies\">{back}</a></p></section></main></body></html>"
        ),
    )
        .into_response()
}
