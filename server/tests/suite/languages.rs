//! Chinese by default, English beside it: the language follows the reader's browser unless they
//! chose one with the header's switch (remembered in a cookie); errors come in that language;
//! the switch only ever sends a reader back to a page of this site. And the site is
//! installable: a manifest named after the city, a service worker versioned by the build.

use crate::support::spawn_app;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("client")
}

fn html_lang(page: &str) -> &str {
    let start = page.find("<html lang=\"").expect("an <html lang>") + 12;
    &page[start..start + page[start..].find('"').expect("closing quote")]
}

#[tokio::test]
async fn a_reader_gets_their_browsers_language_or_the_one_they_chose() {
    let app = spawn_app().await;
    let get = |accept: Option<&'static str>, cookie: Option<&'static str>| {
        let mut request = app.http.get(app.url("/"));
        if let Some(accept) = accept {
            request = request.header("accept-language", accept);
        }
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move {
            request
                .send()
                .await
                .expect("board")
                .text()
                .await
                .expect("text")
        }
    };
    let chinese = get(None, None).await;
    assert_eq!(html_lang(&chinese), "zh-CN");
    assert!(chinese.contains("每一条需求都经过村民议事小组和志愿者两道审核"));
    let english = get(Some("en-GB,en;q=0.9,zh;q=0.5"), None).await;
    assert_eq!(html_lang(&english), "en");
    assert!(
        english.contains("Every need passes two reviews"),
        "{english}"
    );
    assert!(!english.contains("每一条需求都经过村民议事小组和志愿者两道审核"));
    // The remembered choice wins over the browser, both ways.
    let chosen = get(Some("zh-CN"), Some("wanshan_lang=en")).await;
    assert_eq!(html_lang(&chosen), "en");
    let chosen = get(Some("en"), Some("wanshan_lang=zh-CN")).await;
    assert_eq!(html_lang(&chosen), "zh-CN");
    // The switch on every page names the other language.
    assert!(
        chinese.contains("href=\"/lang?to=en&amp;back=/\"")
            || chinese.contains("href=\"/lang?to=en&back=/\""),
        "{chinese}"
    );
}

#[tokio::test]
async fn the_switch_remembers_the_choice_and_only_returns_to_this_site() {
    let app = spawn_app().await;
    let client = no_redirects();
    let response = client
        .get(app.url("/lang?to=en&back=%2Fneeds%2F7%3Fx%3D1"))
        .send()
        .await
        .expect("switch");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/needs/7?x=1");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in [
        "wanshan_lang=en",
        "Path=/",
        "HttpOnly",
        "SameSite=Lax",
        "Max-Age=",
    ] {
        assert!(cookie.contains(part), "{cookie}");
    }
    for elsewhere in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "needs%2F7",
    ] {
        let response = client
            .get(app.url(&format!("/lang?to=zh-CN&back={elsewhere}")))
            .send()
            .await
            .expect("switch");
        assert_eq!(response.status(), 303, "{elsewhere}");
        assert_eq!(response.headers()["location"], "/", "{elsewhere}");
    }
    for bad in ["/lang?to=fr&back=/", "/lang", "/lang?to="] {
        let response = client.get(app.url(bad)).send().await.expect("switch");
        assert_eq!(response.status(), 400, "{bad}");
        assert!(response.headers().get("set-cookie").is_none(), "{bad}");
    }
}

#[tokio::test]
async fn errors_come_in_the_readers_language() {
    let app = spawn_app().await;
    let donor = app.donor("爱心人士").await;
    let claim = |cookie: String| {
        app.http
            .post(app.url("/api/claim_need"))
            .header("cookie", cookie)
            .form(&[("need_id", "987654")])
            .send()
    };
    let english: serde_json::Value = claim(format!("{}; wanshan_lang=en", donor.cookie))
        .await
        .expect("claim")
        .json()
        .await
        .expect("json");
    let chinese: serde_json::Value = claim(donor.cookie.clone())
        .await
        .expect("claim")
        .json()
        .await
        .expect("json");
    assert_eq!(english["code"], "NeedNotFound");
    assert_eq!(chinese["code"], "NeedNotFound");
    assert_eq!(chinese["message"], "找不到这条需求，它可能已被撤下。");
    assert_eq!(
        english["message"],
        "This need can't be found. It may have been taken down."
    );
    // The browser's language alone does it too.
    let browser: serde_json::Value = app
        .http
        .post(app.url("/api/claim_need"))
        .header("cookie", &donor.cookie)
        .header("accept-language", "en-US,en;q=0.9")
        .form(&[("need_id", "987654")])
        .send()
        .await
        .expect("claim")
        .json()
        .await
        .expect("json");
    assert_eq!(browser["message"], english["message"]);
}

/// Only the public pages a reader may keep offline say so, and never for a signed-in person
/// or for a need that is gone: the service worker keeps nothing else.
#[tokio::test]
async fn only_public_pages_are_marked_for_keeping_offline() {
    let app = spawn_app().await;
    let need = app
        .publish(
            "离线可读的需求",
            wanshan_app::domain::Window::Medical,
            "延陵镇",
        )
        .await;
    let donor = app.donor("爱心人士").await;
    let need_page = format!("/needs/{}", need.id.0);
    for path in ["/", "/?window=medical", need_page.as_str(), "/impact"] {
        let public = app.get_as(None, path).await;
        assert_eq!(public.status(), 200, "{path}");
        assert_eq!(public.headers()["x-wanshan-offline"], "keep", "{path}");
        let signed_in = app.get_as(Some(&donor), path).await;
        assert_eq!(signed_in.status(), 200, "{path}");
        assert!(
            signed_in.headers().get("x-wanshan-offline").is_none(),
            "{path}"
        );
        assert_eq!(signed_in.headers()["cache-control"], "no-store", "{path}");
    }
    for path in ["/needs/987654", "/credit", "/signin", "/offers"] {
        let response = app.get_as(None, path).await;
        assert!(
            response.headers().get("x-wanshan-offline").is_none(),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_app_is_installable_and_its_worker_follows_the_build() {
    let app = spawn_app().await;
    let manifest = app
        .http
        .get(app.url("/manifest.webmanifest"))
        .send()
        .await
        .expect("manifest");
    assert_eq!(manifest.status(), 200);
    assert_eq!(
        manifest.headers()["content-type"],
        "application/manifest+json"
    );
    let manifest: serde_json::Value = manifest.json().await.expect("json");
    let brand = &app.state.settings.city.brand;
    assert_eq!(manifest["short_name"], brand.as_str());
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    let sizes: Vec<&str> = manifest["icons"]
        .as_array()
        .expect("icons")
        .iter()
        .filter_map(|icon| icon["sizes"].as_str())
        .collect();
    assert!(
        sizes.contains(&"192x192") && sizes.contains(&"512x512"),
        "{sizes:?}"
    );

    let worker = app
        .http
        .get(app.url("/sw.js"))
        .send()
        .await
        .expect("worker");
    assert_eq!(worker.status(), 200);
    assert!(worker.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(worker.headers()["cache-control"], "no-cache");
    let source = worker.text().await.expect("source");
    assert!(!source.contains("__VERSION__"), "the version is filled in");
    assert!(source.contains("const VERSION = \""));
    // It never keeps what a signed-in person is shown: those pages say no-store.
    let donor = app.donor("爱心人士").await;
    let signed_in = app.get_as(Some(&donor), "/").await;
    assert_eq!(signed_in.headers()["cache-control"], "no-store");
    let public = app.get_as(None, "/").await;
    assert!(public
        .headers()
        .get("cache-control")
        .is_none_or(|value| !value.to_str().unwrap().contains("no-store")));
}
