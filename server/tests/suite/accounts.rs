//! Signing up, in and out, the session cookie, and the first admin.

use crate::support::{spawn_app, spawn_instance, status_and_code};
use wanshan_server::config::Config;

async fn sign_in(app: &crate::support::TestApp, phone: &str, password: &str) -> reqwest::Response {
    app.post_as(None, "sign_in", &[("phone", phone), ("password", password)])
        .await
}

async fn assign_role(
    app: &crate::support::TestApp,
    admin: &crate::support::Person,
    phone: &str,
    role: &str,
    town: &str,
) -> reqwest::Response {
    app.post_as(
        Some(admin),
        "assign_role",
        &[("phone", phone), ("role", role), ("town", town)],
    )
    .await
}

fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("wanshan_session="))
        .expect("a session cookie is set")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_donor_signs_up_signs_in_claims_and_signs_out() {
    let app = spawn_app().await;
    let need = app
        .publish(
            "留守儿童阅读角图书",
            wanshan_app::domain::Window::Services,
            "珥陵镇",
        )
        .await;
    let fields = [
        ("phone", "139 0000 7777"),
        ("name", "陈女士"),
        ("kind", "person"),
        ("password", "correct horse"),
    ];
    let response = app.post_as(None, "sign_up", &fields).await;
    assert_eq!(response.status(), 200);
    let cookie = session_cookie(&response);
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "Secure on plain HTTP would lose the cookie: {cookie}"
    );
    let stored: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE phone = '13900007777'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert!(!stored.contains("correct horse"));

    // The same phone again is refused plainly.
    assert_eq!(
        status_and_code(app.post_as(None, "sign_up", &fields).await).await,
        (409, "PhoneTaken".into())
    );

    // Sign in: a wrong password and an unknown phone get the same answer.
    let wrong = sign_in(&app, "13900007777", "wrong horse").await;
    assert_eq!(
        status_and_code(wrong).await,
        (401, "WrongCredentials".into())
    );
    let unknown = sign_in(&app, "13900008888", "correct horse").await;
    assert_eq!(
        status_and_code(unknown).await,
        (401, "WrongCredentials".into())
    );
    let response = sign_in(&app, "13900007777", "correct horse").await;
    assert_eq!(response.status(), 200);
    let token = session_cookie(&response)
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let donor = crate::support::Person {
        id: wanshan_app::people::UserId(0),
        name: "陈女士".into(),
        phone: "13900007777".into(),
        cookie: token,
    };

    // The session claims, and the board greets its owner.
    assert_eq!(app.claim_as(&donor, need.id.0).await.status(), 200);
    let page = app.get_as(Some(&donor), "/").await.text().await.unwrap();
    assert!(
        page.contains("陈女士"),
        "the header does not show who is signed in"
    );
    // Signing out ends the session on the server, not just in this browser.
    let out = app.post_as(Some(&donor), "sign_out", &[]).await;
    assert_eq!(out.status(), 200);
    assert!(session_cookie(&out).contains("Max-Age=0"));
    let other = app
        .publish(
            "独居老人陪伴",
            wanshan_app::domain::Window::Services,
            "司徒镇",
        )
        .await;
    assert_eq!(
        status_and_code(app.claim_as(&donor, other.id.0).await).await,
        (401, "Unauthorized".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_tls_proxy_the_cookie_is_secure_and_a_form_post_is_sent_back_where_it_came_from() {
    let app = spawn_app().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_redirects
        .post(app.url("/api/sign_up"))
        .header("x-forwarded-proto", "https")
        .header("accept", "text/html")
        .form(&[
            ("phone", "13900006666"),
            ("name", "周先生"),
            ("password", "long enough"),
            ("next", "/?open=7"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    assert_eq!(response.headers()["location"], "/?open=7");
    assert!(session_cookie(&response).contains("; Secure"));
    // Never to another site.
    let response = no_redirects
        .post(app.url("/api/sign_in"))
        .header("accept", "text/html")
        .form(&[
            ("phone", "13900006666"),
            ("password", "long enough"),
            ("next", "//evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_comes_from_configuration_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::support::fresh_database(&dir).await;
    let mut config = Config::for_tests(database.clone());
    config.admin_phone = Some("13900005555".into());
    config.admin_password = Some("admin password".into());
    let app = spawn_instance(dir, config).await;
    let response = sign_in(&app, "13900005555", "admin password").await;
    assert_eq!(response.status(), 200);
    let viewer: serde_json::Value = response.json().await.unwrap();
    assert!(
        viewer["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["role"] == "admin"),
        "{viewer}"
    );
    // A later start with another phone does not make a second admin.
    let ran = wanshan_app::db::accounts::bootstrap_admin(
        &app.state.db,
        &app.state.passwords,
        "13900004444",
        "other password",
        wanshan_app::domain::UtcMillis::now(),
    )
    .await
    .unwrap();
    assert!(!ran);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM user_roles WHERE role = 'admin'")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_gives_roles_bound_to_towns_and_they_take_effect_at_once() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13900003333", &[("admin", "")]).await;
    let helper = app.donor("新志愿者").await;
    let form = crate::support::household_form("延陵镇", &crate::support::id_number(60), "某户主");
    assert_eq!(
        status_and_code(
            app.post_fields(Some(&helper), "register_household", &form)
                .await
        )
        .await,
        (403, "Forbidden".into())
    );

    // A reviewer must have a town; an unknown phone is named as the problem.
    let no_town = assign_role(&app, &admin, &helper.phone, "reviewer", "").await;
    assert_eq!(status_and_code(no_town).await, (422, "Invalid".into()));
    let nobody = app
        .post_as(
            Some(&admin),
            "assign_role",
            &[("phone", "13900002222"), ("role", "volunteer")],
        )
        .await;
    assert_eq!(status_and_code(nobody).await, (422, "Invalid".into()));

    // Volunteer for 吕城镇 only: 延陵镇 households stay out of reach.
    let grant = assign_role(&app, &admin, &helper.phone, "volunteer", "吕城镇").await;
    assert_eq!(grant.status(), 200);
    assert_eq!(
        status_and_code(
            app.post_fields(Some(&helper), "register_household", &form)
                .await
        )
        .await,
        (403, "Forbidden".into())
    );
    let here = crate::support::household_form("吕城镇", &crate::support::id_number(61), "某户主");
    assert_eq!(
        app.post_fields(Some(&helper), "register_household", &here)
            .await
            .status(),
        200
    );

    // Taken away again.
    let revoke = app
        .post_as(
            Some(&admin),
            "assign_role",
            &[
                ("phone", &helper.phone),
                ("role", "volunteer"),
                ("town", "吕城镇"),
                ("revoke", "true"),
            ],
        )
        .await;
    assert_eq!(revoke.status(), 200);
    let again = crate::support::household_form("吕城镇", &crate::support::id_number(62), "某户主");
    assert_eq!(
        status_and_code(
            app.post_fields(Some(&helper), "register_household", &again)
                .await
        )
        .await,
        (403, "Forbidden".into())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_sign_in_for_that_phone() {
    let app = spawn_app().await;
    for phone in ["13900001111", "13900001112"] {
        let fields = [
            ("phone", phone),
            ("name", "某人"),
            ("password", "right password"),
        ];
        assert_eq!(app.post_as(None, "sign_up", &fields).await.status(), 200);
    }
    for _ in 0..5 {
        let wrong = sign_in(&app, "13900001111", "wrong password").await;
        assert_eq!(
            status_and_code(wrong).await,
            (401, "WrongCredentials".into())
        );
    }
    // Now even the right password is refused, plainly, for this phone only.
    let locked = sign_in(&app, "139 0000 1111", "right password").await;
    assert_eq!(
        status_and_code(locked).await,
        (429, "TooManyAttempts".into())
    );
    assert_eq!(
        sign_in(&app, "13900001112", "right password")
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn towns_come_from_the_city_list_so_a_typo_cannot_strand_a_household() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13900003334", &[("admin", "")]).await;
    let volunteer = app
        .person("志愿者", "13900003335", &[("volunteer", "")])
        .await;
    let towns: Vec<String> = app
        .post_as(None, "list_towns", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(towns.len(), 13);
    assert!(towns.contains(&"延陵镇".to_owned()));
    let typo = crate::support::household_form("延陵真", &crate::support::id_number(70), "某户主");
    let response = app
        .post_fields(Some(&volunteer), "register_household", &typo)
        .await;
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["field"], "town");
    let grant = assign_role(&app, &admin, &volunteer.phone, "reviewer", "延陵真").await;
    assert_eq!(status_and_code(grant).await, (422, "Invalid".into()));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM households").await, 0);
}

/// Whether the account with `phone` holds the admin role.
async fn is_admin(app: &crate::support::TestApp, phone: &str) -> bool {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM user_roles r JOIN users u ON u.id = r.user_id \
         WHERE u.phone = '{phone}' AND r.role = 'admin'"
    ))
    .await
        > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_admin_never_takes_over_an_account_whose_password_differs() {
    use wanshan_app::db::accounts::bootstrap_admin;
    use wanshan_app::domain::UtcMillis;
    let app = spawn_app().await;
    // Someone registers the phone the city will configure as its admin's, first.
    let signed_up = app
        .post_as(
            None,
            "sign_up",
            &[
                ("phone", "13900006666"),
                ("name", "抢注者"),
                ("password", "squatter password"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
    let refused = bootstrap_admin(
        &app.state.db,
        &app.state.passwords,
        "13900006666",
        "the city's password",
        UtcMillis::now(),
    )
    .await;
    assert_eq!(refused.map_err(|e| e.code()), Err("Invalid"));
    assert!(!is_admin(&app, "13900006666").await, "taken over");
    // Its owner, who knows the password, can still be made the first admin.
    let made = bootstrap_admin(
        &app.state.db,
        &app.state.passwords,
        "13900006666",
        "squatter password",
        UtcMillis::now(),
    )
    .await;
    assert_eq!(made.map_err(|e| e.code()), Ok(true));
    assert!(is_admin(&app, "13900006666").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_demo_data_unless_asked_and_a_demo_database_is_never_served_as_a_real_one() {
    use clap::Parser;
    // The binary's default: no demo.
    let defaults = Config::try_parse_from(["wanshan-server"]).expect("defaults parse");
    assert!(!defaults.demo, "demo data must be asked for");

    let dir = tempfile::tempdir().unwrap();
    let database = crate::support::fresh_database(&dir).await;
    let mut asked = Config::for_tests(database.clone());
    asked.demo = true;
    asked.data_dir = dir.path().join("data").to_string_lossy().into_owned();
    let demo = wanshan_server::state(&asked).await.expect("demo starts");
    let demo_admins: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE phone = '13900000000'")
            .fetch_one(&demo.db.pool)
            .await
            .unwrap();
    assert_eq!(demo_admins, 1, "the demo admin was seeded");

    // The same database without asking for the demo: refused, with the reason.
    let refused = wanshan_server::state(&Config::for_tests(database))
        .await
        .err()
        .expect("a demo database refuses to start as a real one")
        .to_string();
    assert!(refused.contains("demo accounts"), "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_password_hashing_is_full_a_sign_in_is_told_to_come_back_and_nothing_changes() {
    let app = spawn_app().await;
    let held = app.state.passwords.hold_all().await;
    let response = sign_in(&app, "13900007777", "some password").await;
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], "Busy");
    let signed_up = app
        .post_as(
            None,
            "sign_up",
            &[
                ("phone", "13900007777"),
                ("name", "稍后再来"),
                ("password", "some password"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 503);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM users WHERE phone = '13900007777'")
            .await,
        0,
        "nothing stored"
    );
    // Once a turn is free, the same sign-up goes through.
    drop(held);
    let signed_up = app
        .post_as(
            None,
            "sign_up",
            &[
                ("phone", "13900007777"),
                ("name", "稍后再来"),
                ("password", "some password"),
            ],
        )
        .await;
    assert_eq!(signed_up.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_makes_someone_an_official_of_the_city_or_of_a_town() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700009001", &[("admin", "")]).await;
    let city = app.donor("市督导").await;
    let town = app.donor("镇督导").await;
    assert_eq!(
        assign_role(&app, &admin, &city.phone, "official", "")
            .await
            .status(),
        200
    );
    assert_eq!(
        assign_role(&app, &admin, &town.phone, "official", "延陵镇")
            .await
            .status(),
        200
    );
    let held: Vec<(i64, String)> = sqlx::query_as(
        "SELECT user_id, town FROM user_roles WHERE role = 'official' ORDER BY user_id",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        held,
        [(city.id.0, String::new()), (town.id.0, "延陵镇".to_owned())]
    );
    // An official is not a volunteer or reviewer: no household's file.
    let volunteer = app
        .person("志愿者", "13700009002", &[("volunteer", "延陵镇")])
        .await;
    app.register_household(&volunteer, "延陵镇", &crate::support::id_number(401))
        .await;
    let households = app.post_as(Some(&town), "list_households", &[]).await;
    assert_eq!(households.text().await.unwrap(), "[]");
}
