//! The HTTP edge: another site's page cannot post in a browser's name, what a signed-in person
//! is shown is never cached, and over TLS browsers are told to stay on TLS.

use crate::support::{spawn_app, status_and_code};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_sites_page_cannot_sign_a_browser_in_or_claim_in_its_name() {
    let app = spawn_app().await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let signed_up = app
        .post_as(
            None,
            "sign_up",
            &[
                ("phone", "13900008888"),
                ("name", "被冒用的人"),
                ("password", "correct horse"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    // A browser's form post is answered with a redirect: look at that answer itself.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(crate::support::REQUEST_TIMEOUT)
        .build()
        .unwrap();
    let sign_in = |origin: Option<&'static str>, fetch_site: Option<&'static str>| {
        let mut request = browser
            .post(app.url("/api/sign_in"))
            .header("accept", "text/html")
            .form(&[("phone", "13900008888"), ("password", "correct horse")]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        if let Some(site) = fetch_site {
            request = request.header("sec-fetch-site", site);
        }
        request.send()
    };
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (None, Some("cross-site")),
        (Some("https://evil.example"), Some("cross-site")),
    ] {
        let response = sign_in(origin, site).await.expect("answered");
        assert!(
            response.headers().get("set-cookie").is_none(),
            "{origin:?} {site:?} signed the browser in"
        );
        assert_eq!(
            status_and_code(response).await,
            (403, "Forbidden".into()),
            "{origin:?} {site:?}"
        );
    }
    // The site's own page: the same post signs in.
    let own = format!("http://{host}");
    let own: &'static str = Box::leak(own.into_boxed_str());
    let response = sign_in(Some(own), Some("same-origin"))
        .await
        .expect("answered");
    assert!(response.headers().get("set-cookie").is_some());

    // A claim posted from another site changes nothing.
    let need = app
        .publish("跨站测试需求", wanshan_app::domain::Window::Home, "界牌镇")
        .await;
    let donor = app.donor("跨站捐助者").await;
    let response = app
        .http
        .post(app.url("/api/claim_need"))
        .header("cookie", &donor.cookie)
        .header("origin", "https://evil.example")
        .form(&[("need_id", need.id.0.to_string())])
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 403);
    assert_eq!(app.status_of(need.id.0).await, "published");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_persons_pages_are_never_cached_and_tls_is_remembered() {
    let app = spawn_app().await;
    let donor = app.donor("不缓存").await;
    for path in ["/my/claims", "/", "/impact"] {
        let response = app.get_as(Some(&donor), path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let public = app.get_as(None, "/impact").await;
    assert!(
        public.headers().get("cache-control").is_none(),
        "an anonymous public page may be cached"
    );
    assert!(public.headers().get("strict-transport-security").is_none());
    let over_tls = app
        .http
        .get(app.url("/"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .expect("answered");
    assert_eq!(
        over_tls.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

/// A form's error without JavaScript comes back in the page's address (`?__err=…`), which
/// anyone can write: the page shows the server's own words, never a link author's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forms_error_in_the_address_is_shown_only_as_the_server_wrote_it() {
    use base64::Engine as _;
    let app = spawn_app().await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(crate::support::REQUEST_TIMEOUT)
        .build()
        .unwrap();
    // A real refusal: a sign-up with a bad phone, posted as a browser without JavaScript.
    let refused = browser
        .post(app.url("/api/sign_up"))
        .header("accept", "text/html")
        .header("referer", app.url("/signup"))
        .form(&[
            ("phone", "12345"),
            ("name", "周先生"),
            ("password", "long enough"),
        ])
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_redirection(), "{}", refused.status());
    let back = refused.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("__err="), "{back}");
    let path = back.trim_start_matches(&app.base).to_owned();
    let page = app.page(&path).await;
    assert!(
        page.contains("手机号格式不正确"),
        "the server's own words: {page}"
    );

    // The same address with other words in it: they are not shown.
    let forged = serde_json::json!({
        "code": "Invalid",
        "message": "账号异常，请拨打 400-800-1234 解冻",
        "field": "phone",
    });
    let err = base64::engine::general_purpose::URL_SAFE.encode(forged.to_string());
    let page = app
        .page(&format!("/signup?__path=/api/sign_up&__err={err}"))
        .await;
    assert!(!page.contains("解冻"), "{page}");
    assert!(page.contains("填写的内容有误"), "{page}");
    // Nor with a signature lifted from another error.
    let real = back
        .split("__err=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let real: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE
            .decode(percent_decode(real))
            .unwrap(),
    )
    .unwrap();
    let mut lifted = forged.clone();
    lifted["sig"] = real["sig"].clone();
    assert!(
        lifted["sig"].is_string(),
        "the real error is signed: {real}"
    );
    let err = base64::engine::general_purpose::URL_SAFE.encode(lifted.to_string());
    let page = app
        .page(&format!("/signup?__path=/api/sign_up&__err={err}"))
        .await;
    assert!(!page.contains("解冻"), "{page}");
}

fn percent_decode(text: &str) -> String {
    form_urlencoded::parse(format!("x={text}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}
