//! The agency exchange API (`/api/v1`): keys issued once and stored hashed, scopes, the
//! per-key limit, the audit log, 救前查询's counts (and nothing more), 救后录入's idempotency
//! (also under a race), the bulk CSV, strangers and malformed input, and the document.

use crate::support::{id_number, spawn_app, spawn_app_with, status_and_code, Person, TestApp};
use serde_json::{json, Value};

/// Creates an agency through its server function; returns its id.
async fn agency(app: &TestApp, admin: &Person, name: &str) -> i64 {
    let response = app
        .post_as(Some(admin), "create_agency", &[("name", name)])
        .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    response.json().await.unwrap()
}

/// Posts the key form as `who` (as the admins' page does).
async fn key_form(
    app: &TestApp,
    who: Option<&Person>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut request = app.http.post(app.url("/admin/agencies/keys")).form(fields);
    if let Some(person) = who {
        request = request.header("cookie", &person.cookie);
    }
    request.send().await.expect("key form sent")
}

/// Issues a key; returns the token read from the page that shows it once.
async fn issue_key(
    app: &TestApp,
    admin: &Person,
    agency: i64,
    query: bool,
    record: bool,
    per_minute: u32,
) -> String {
    let agency = agency.to_string();
    let per_minute = per_minute.to_string();
    let mut fields = vec![
        ("agency_id", agency.as_str()),
        ("label", "救助系统"),
        ("per_minute", per_minute.as_str()),
    ];
    if query {
        fields.push(("query", "true"));
    }
    if record {
        fields.push(("record", "true"));
    }
    let response = key_form(app, Some(admin), &fields).await;
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.unwrap();
    let marker = "data-testid=\"new-key\">";
    let start = page.find(marker).expect("the key is shown") + marker.len();
    let token = &page[start..];
    token[..token.find('<').unwrap()].to_owned()
}

async fn api(app: &TestApp, token: Option<&str>, path: &str, body: Value) -> reqwest::Response {
    let mut request = app.http.post(app.url(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("API call sent")
}

async fn csv(app: &TestApp, token: &str, text: &str) -> reqwest::Response {
    app.http
        .post(app.url("/api/v1/aid/records.csv"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(text.to_owned())
        .send()
        .await
        .expect("CSV sent")
}

fn record(key: &str, id: &str, window: &str, amount_fen: Option<i64>) -> Value {
    let date = wanshan_app::domain::UtcMillis::now()
        .months_before(1)
        .shanghai_date_text();
    json!({"key": key, "id_number": id, "window": window, "cause": "住院自付费用", "date": date, "amount_fen": amount_fen})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_issues_a_key_shown_once_stored_hashed_and_revocable() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000301", &[("admin", "")]).await;
    let volunteer = app
        .person("志愿者", "13700000302", &[("volunteer", "")])
        .await;
    let civil = agency(&app, &admin, "丹阳市民政局").await;
    // A second agency of the same name is refused.
    let (status, code) = status_and_code(
        app.post_as(Some(&admin), "create_agency", &[("name", "丹阳市民政局")])
            .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (422, "Invalid"));

    let token = issue_key(&app, &admin, civil, true, false, 60).await;
    assert!(
        token.starts_with("wsk_") && token.len() == 4 + 12 + 1 + 64,
        "{token}"
    );
    // Only the prefix and a digest are kept: the token is nowhere in the database.
    let (prefix, hash): (String, String) =
        sqlx::query_as("SELECT prefix, secret_hash FROM api_keys")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(token.starts_with(&format!("wsk_{prefix}_")));
    assert!(!token.contains(&hash) && hash.len() == 64);
    let listed = app.post_as(Some(&admin), "list_agencies", &[]).await;
    let listed = listed.text().await.unwrap();
    assert!(
        listed.contains(&prefix) && !listed.contains(&token[17..]),
        "{listed}"
    );

    let who = app
        .http
        .get(app.url("/api/v1/agency"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(who.status(), 200);
    let who: Value = who.json().await.unwrap();
    assert_eq!(who["agency"], "丹阳市民政局");
    assert_eq!(who["scopes"], json!(["query"]));

    // A volunteer cannot issue keys; nothing is stored for them.
    let refused = key_form(
        &app,
        Some(&volunteer),
        &[("agency_id", &civil.to_string()), ("query", "true")],
    )
    .await;
    assert_eq!(refused.status(), 403);
    // Bad forms: no scope, an absurd rate, an unknown agency.
    for fields in [
        vec![("agency_id", civil.to_string())],
        vec![
            ("agency_id", civil.to_string()),
            ("query", "true".into()),
            ("per_minute", "100000".into()),
        ],
        vec![("agency_id", "999999".into()), ("query", "true".into())],
        vec![("agency_id", "x".into()), ("query", "true".into())],
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(key_form(&app, Some(&admin), &fields).await.status(), 422);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_keys").await, 1);

    // Revoked: refused at once, and the refusal is not an audit line (no agency proved).
    let key_id = app.scalar("SELECT id FROM api_keys").await.to_string();
    let revoked = app
        .post_as(Some(&admin), "revoke_api_key", &[("key_id", &key_id)])
        .await;
    assert_eq!(revoked.status(), 200);
    let calls_before = app.scalar("SELECT COUNT(*) FROM api_calls").await;
    let after = api(
        &app,
        Some(&token),
        "/api/v1/aid/query",
        json!({"id_number": id_number(1)}),
    )
    .await;
    assert_eq!(after.status(), 401);
    assert!(after.headers().contains_key("www-authenticate"));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM api_calls").await,
        calls_before
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_answers_counts_by_window_and_nothing_else() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000311", &[("admin", "")]).await;
    let author = app
        .person("录入志愿者", "13700000312", &[("volunteer", "")])
        .await;
    let second = app
        .person("复核志愿者", "13700000313", &[("volunteer", "")])
        .await;
    let council = app
        .person("议事小组", "13700000314", &[("reviewer", "司徒镇")])
        .await;
    let person = id_number(301);
    // Helped here: a medical need of the household, published and claimed.
    let household = app.register_household(&author, "司徒镇", &person).await;
    let need = app
        .enter_need(&author, household, "medical", "透析费用")
        .await;
    assert_eq!(
        app.approve(&council, need, "council", "").await.status(),
        200
    );
    assert_eq!(
        app.approve(&second, need, "volunteer", "").await.status(),
        200
    );
    assert_eq!(
        app.claim_need(need, "爱心企业", "13700000315")
            .await
            .status(),
        200
    );

    let civil = agency(&app, &admin, "丹阳市民政局").await;
    let charity = agency(&app, &admin, "丹阳市慈善总会").await;
    let civil_key = issue_key(&app, &admin, civil, true, true, 60).await;
    let charity_key = issue_key(&app, &admin, charity, true, true, 60).await;
    // The charity recorded medical aid; an admin imported another agency's; long-ago aid and
    // education aid count elsewhere or not at all.
    let recorded = api(
        &app,
        Some(&charity_key),
        "/api/v1/aid/records",
        record("c-1", &person, "medical", Some(300_000)),
    )
    .await;
    assert_eq!(recorded.status(), 201);
    let long_ago = wanshan_app::domain::UtcMillis::now()
        .months_before(20)
        .shanghai_date_text();
    let import = format!(
        "身份证号,机构,窗口,事由,日期,金额\n{person},市红十字会,助医,门诊救助,{},200\n{person},市红十字会,助医,大病救助,{long_ago},900\n{person},市总工会,助学,助学金,{},800\n",
        wanshan_app::domain::UtcMillis::now().months_before(3).shanghai_date_text(),
        wanshan_app::domain::UtcMillis::now().months_before(3).shanghai_date_text(),
    );
    assert_eq!(
        app.post_as(Some(&admin), "import_aid", &[("csv", &import)])
            .await
            .status(),
        200
    );

    let answer = api(
        &app,
        Some(&civil_key),
        "/api/v1/aid/query",
        json!({"id_number": person, "months": 12}),
    )
    .await;
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["months"], 12);
    assert_eq!(
        body["windows"].as_array().unwrap().len(),
        6,
        "every window: {body}"
    );
    let medical = &body["windows"][0];
    assert_eq!(medical["window"], "medical");
    assert_eq!(
        (
            medical["platform"].as_i64(),
            medical["other_agencies"].as_i64(),
            medical["yours"].as_i64()
        ),
        (Some(1), Some(2), Some(0)),
        "{body}"
    );
    assert_eq!(body["windows"][1]["other_agencies"], 1, "education: {body}");
    // Never which agency, what for, how much, or who.
    for secret in [
        "慈善总会",
        "红十字会",
        "总工会",
        "透析",
        "门诊",
        "测试户主",
        "司徒镇",
        "3000",
        &person[..6],
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    // The charity sees its own record as its own; 24 months reach the old record too.
    let own: Value = api(
        &app,
        Some(&charity_key),
        "/api/v1/aid/query",
        json!({"id_number": person, "window": "medical", "months": 24}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(own["windows"].as_array().unwrap().len(), 1);
    assert_eq!(
        (
            own["windows"][0]["platform"].as_i64(),
            own["windows"][0]["other_agencies"].as_i64(),
            own["windows"][0]["yours"].as_i64()
        ),
        (Some(1), Some(2), Some(1)),
        "{own}"
    );
    // A stranger to this platform is all zeros, exactly like a registered household without aid.
    let unknown: Value = api(
        &app,
        Some(&civil_key),
        "/api/v1/aid/query",
        json!({"id_number": id_number(399)}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(unknown["windows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["platform"] == 0 && w["other_agencies"] == 0 && w["yours"] == 0));

    // Bad input: a clear error naming the field, nothing stored or counted wrongly.
    for (body, status, field) in [
        (json!({"id_number": "110105194912310021"}), 422, "id_number"),
        (
            json!({"id_number": person, "window": "助飞"}),
            422,
            "window",
        ),
        (json!({"id_number": person, "months": 0}), 422, "months"),
        (json!({"id_number": person, "months": 121}), 422, "months"),
        (json!({"id_number": person, "name": "张三"}), 400, ""),
        (json!({"id_number": 42}), 400, ""),
        (json!([1, 2]), 400, ""),
    ] {
        let response = api(&app, Some(&civil_key), "/api/v1/aid/query", body.clone()).await;
        assert_eq!(response.status(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(
            error["field"].as_str().unwrap_or(""),
            field,
            "{body}: {error}"
        );
    }
    let not_json = app
        .http
        .post(app.url("/api/v1/aid/query"))
        .bearer_auth(&civil_key)
        .body("id_number=1")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_are_idempotent_by_key_even_in_a_race_and_warn_reviewers() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000321", &[("admin", "")]).await;
    let author = app
        .person("录入志愿者", "13700000322", &[("volunteer", "")])
        .await;
    let council = app
        .person("议事小组", "13700000323", &[("reviewer", "延陵镇")])
        .await;
    let civil = agency(&app, &admin, "丹阳市残联").await;
    let token = issue_key(&app, &admin, civil, false, true, 600).await;
    let person = id_number(321);

    // Eight identical calls at once (a retrying client): one record, one 201, seven 200s.
    let calls = (0..8).map(|_| {
        api(
            &app,
            Some(&token),
            "/api/v1/aid/records",
            record("cl-2026-7", &person, "disability", Some(120_000)),
        )
    });
    let answers = futures::future::join_all(calls).await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 200, 200, 201]);
    let mut created = 0;
    for answer in answers {
        let receipt: Value = answer.json().await.unwrap();
        assert_eq!(receipt["key"], "cl-2026-7");
        assert!(
            receipt.get("id").is_none(),
            "no platform-wide sequence: {receipt}"
        );
        created += usize::from(receipt["created"] == true);
    }
    assert_eq!(created, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 1);

    // The same key with something else is refused and changes nothing.
    let (status, code) = status_and_code(
        api(
            &app,
            Some(&token),
            "/api/v1/aid/records",
            record("cl-2026-7", &person, "disability", Some(999)),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (409, "KeyReused"));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 1);

    // Bad records: each names its field; none is stored.
    let tomorrow =
        wanshan_app::domain::UtcMillis(wanshan_app::domain::UtcMillis::now().0 + 2 * 86_400_000)
            .shanghai_date_text();
    for (body, field) in [
        (record("", &person, "disability", None), "key"),
        (record("with space", &person, "disability", None), "key"),
        (record(&"k".repeat(65), &person, "disability", None), "key"),
        (record("b-1", "12345", "disability", None), "id_number"),
        (record("b-2", &person, "助飞", None), "window"),
        (record("b-3", &person, "disability", Some(-1)), "amount_fen"),
        (
            record("b-4", &person, "disability", Some(50_000_001)),
            "amount_fen",
        ),
        (
            json!({"key": "b-5", "id_number": person, "window": "home", "cause": "x", "date": tomorrow}),
            "date",
        ),
        (
            json!({"key": "b-6", "id_number": person, "window": "home", "cause": "x", "date": "2026-02-30"}),
            "date",
        ),
        (
            json!({"key": "b-7", "id_number": person, "window": "home", "cause": "坏\u{0}字", "date": "2026-01-02"}),
            "cause",
        ),
        (
            json!({"key": "b-8", "id_number": person, "window": "home", "cause": "长".repeat(101), "date": "2026-01-02"}),
            "cause",
        ),
    ] {
        let response = api(&app, Some(&token), "/api/v1/aid/records", body.clone()).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["field"], field, "{body}: {error}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 1);

    // The record reaches reviewers: the household's next disability need warns, naming the
    // agency (reviewers may see who helped; agencies asking never do).
    let household = app.register_household(&author, "延陵镇", &person).await;
    let need = app
        .enter_need(&author, household, "disability", "轮椅和康复训练")
        .await;
    let queue = app.review_queue(&council).await;
    let item = &queue["council"][0];
    assert_eq!(item["need"]["id"], need);
    let warnings = item["aid"]["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{item}");
    let warned = &item["aid"]["entries"][warnings[0].as_u64().unwrap() as usize];
    assert_eq!(warned["source"]["agency"], "丹阳市残联");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_upload_stores_every_row_or_none() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000331", &[("admin", "")]).await;
    let charity = agency(&app, &admin, "丹阳市慈善总会").await;
    let token = issue_key(&app, &admin, charity, false, true, 600).await;
    let (a, b) = (id_number(331), id_number(332));
    let header = "key,id_number,window,cause,date,amount_fen\n";

    let bad = format!(
        "{header}r-1,{a},medical,住院,2026-03-15,3000\nr-2,110105194912310021,medical,住院,2026-03-15,\nr-3,{b},助飞,住院,2026-03-15,\nr-1,{b},home,改厕,2026-03-15,\nr-5,{b},home\n"
    );
    let response = csv(&app, &token, &bad).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["field"], "csv");
    let message = error["message"].as_str().unwrap();
    for expected in [
        "line 3",
        "id_number",
        "line 4",
        "window",
        "line 5",
        "appears twice",
        "line 6",
        "columns",
    ] {
        assert!(
            message.contains(expected),
            "{expected} missing from {message}"
        );
    }
    assert!(!message.contains("line 2"), "{message}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 0);

    let good = format!(
        "\u{feff}{header}r-1,{a},medical,住院,2026-03-15,3000\nr-2,{b},home,改厕,2026/05/01,\n"
    );
    let first: Value = csv(&app, &token, &good).await.json().await.unwrap();
    assert_eq!(
        (first["created"].as_u64(), first["unchanged"].as_u64()),
        (Some(2), Some(0))
    );
    let again: Value = csv(&app, &token, &good).await.json().await.unwrap();
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    // A row whose key recorded something else refuses the whole file, the new row included.
    let changed =
        format!("{header}r-3,{a},education,学费,2026-03-15,\nr-2,{b},home,改厕,2026-05-01,5\n");
    let response = csv(&app, &token, &changed).await;
    assert_eq!(response.status(), 422);
    let error: Value = response.json().await.unwrap();
    assert!(
        error["message"].as_str().unwrap().contains("r-2"),
        "{error}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 2);

    // Wrong header, empty, not UTF-8, too many rows, too many bytes.
    for (body, status) in [
        (format!("身份证号,机构\n{a},x\n").into_bytes(), 422),
        (header.as_bytes().to_vec(), 422),
        (vec![0xff, 0xfe, 0x00], 422),
        (
            {
                let mut text = header.to_owned();
                for i in 0..5_001 {
                    text.push_str(&format!("m-{i},{a},medical,住院,2026-03-15,\n"));
                }
                text.into_bytes()
            },
            422,
        ),
        (vec![b'x'; 1024 * 1024 + 1], 413),
    ] {
        let response = app
            .http
            .post(app.url("/api/v1/aid/records.csv"))
            .bearer_auth(&token)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status);
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_and_the_per_key_limit_hold_and_every_call_is_in_the_audit_log() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000341", &[("admin", "")]).await;
    let official = app
        .person("市督导", "13700000342", &[("official", "")])
        .await;
    let town_official = app
        .person("镇督导", "13700000343", &[("official", "延陵镇")])
        .await;
    let civil = agency(&app, &admin, "丹阳市民政局").await;
    let other = agency(&app, &admin, "丹阳市红十字会").await;
    let limited = issue_key(&app, &admin, civil, true, false, 3).await;
    let other_key = issue_key(&app, &admin, other, true, true, 60).await;
    let person = id_number(341);

    // A query-only key may not record.
    let (status, code) = status_and_code(
        api(
            &app,
            Some(&limited),
            "/api/v1/aid/records",
            record("x-1", &person, "medical", None),
        )
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (403, "Forbidden"));
    // Two more calls use up the minute; then 429 with Retry-After, and again.
    for _ in 0..2 {
        let ok = api(
            &app,
            Some(&limited),
            "/api/v1/aid/query",
            json!({"id_number": person}),
        )
        .await;
        assert_eq!(ok.status(), 200);
    }
    for _ in 0..3 {
        let refused = api(
            &app,
            Some(&limited),
            "/api/v1/aid/query",
            json!({"id_number": person}),
        )
        .await;
        assert_eq!(refused.status(), 429);
        let wait: u32 = refused.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(
            refused.json::<Value>().await.unwrap()["code"],
            "RateLimited"
        );
    }
    // Another key is untouched by that.
    let ok = api(
        &app,
        Some(&other_key),
        "/api/v1/aid/query",
        json!({"id_number": person, "window": "home"}),
    )
    .await;
    assert_eq!(ok.status(), 200);

    // The log: three calls and the first refusal for the limited key; one for the other.
    let log = app
        .post_as(
            Some(&official),
            "list_api_calls",
            &[("agency", &civil.to_string())],
        )
        .await;
    assert_eq!(log.status(), 200);
    let log: Value = log.json().await.unwrap();
    assert_eq!(log["total"], 4, "{log}");
    let statuses: Vec<i64> = log["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [429, 200, 200, 403], "newest first: {log}");
    assert!(
        !log.to_string().contains(&person[..10]),
        "no ID number in the log"
    );
    let all: Value = app
        .post_as(Some(&admin), "list_api_calls", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["total"], 5);
    assert_eq!(all["calls"][0]["agency"], "丹阳市红十字会");
    assert_eq!(all["calls"][0]["window"], "home");
    // A town's official, a donor, nobody: refused.
    assert_eq!(
        app.post_as(Some(&town_official), "list_api_calls", &[])
            .await
            .status(),
        403
    );
    assert_eq!(app.post_as(None, "list_api_calls", &[]).await.status(), 401);
    // The page shows the log to the official.
    let page = app
        .get_as(Some(&official), "/admin/api-log")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("丹阳市民政局") && page.contains("429"),
        "{page}"
    );
    // Each line knows where the call came from.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM api_calls WHERE address = '127.0.0.1'")
            .await,
        5
    );
}

/// An agency's day, over all its keys: 2,000 answered queries and 20,000 stored records. (The
/// day so far is written as one audit line counting many, as the log sums them.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_has_a_day_of_queries_and_records_over_all_its_keys() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000381", &[("admin", "")]).await;
    let civil = agency(&app, &admin, "丹阳市民政局").await;
    let first = issue_key(&app, &admin, civil, true, true, 600).await;
    let second = issue_key(&app, &admin, civil, true, true, 600).await;
    let person = id_number(381);
    let key_id = app.scalar("SELECT MIN(id) FROM api_keys").await;
    let now = wanshan_app::domain::UtcMillis::now().0;
    for (operation, count) in [("query", 1_999), ("record_csv", 19_999)] {
        sqlx::query(
            "INSERT INTO api_calls (at, agency_id, key_id, operation, status, row_count) \
             VALUES ($1, $2, $3, $4, 200, $5)",
        )
        .bind(now - 3_600_000)
        .bind(civil)
        .bind(key_id)
        .bind(operation)
        .bind(count)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    }
    let query = json!({"id_number": person});
    assert_eq!(
        api(&app, Some(&first), "/api/v1/aid/query", query.clone())
            .await
            .status(),
        200
    );
    // The 2,001st, through the other key: refused for an hour.
    let refused = api(&app, Some(&second), "/api/v1/aid/query", query).await;
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "3600");
    // Two rows would pass the day: the whole file is refused; one record still fits.
    let text = format!(
        "key,id_number,window,cause,date,amount_fen\nd-1,{person},home,改厕,2026-03-15,\nd-2,{person},home,扶手,2026-03-15,\n"
    );
    assert_eq!(csv(&app, &second, &text).await.status(), 429);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 0);
    let one = api(
        &app,
        Some(&first),
        "/api/v1/aid/records",
        record("d-3", &person, "home", None),
    )
    .await;
    assert_eq!(one.status(), 201);
    let over = api(
        &app,
        Some(&second),
        "/api/v1/aid/records",
        record("d-4", &person, "home", None),
    )
    .await;
    assert_eq!(over.status(), 429);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM aid_records").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_401_and_never_a_500() {
    let app = spawn_app().await;
    let person = id_number(351);
    for token in [
        None,
        Some(""),
        Some("wsk_"),
        Some("wsk_000000000000_0000000000000000000000000000000000000000000000000000000000000000"),
        Some("Basic dXNlcjpwYXNz"),
        Some("wsk_zzzzzzzzzzzz_∞"),
    ] {
        for path in [
            "/api/v1/aid/query",
            "/api/v1/aid/records",
            "/api/v1/aid/records.csv",
        ] {
            let response = api(&app, token, path, json!({"id_number": person})).await;
            assert_eq!(response.status(), 401, "{token:?} {path}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["code"], "Unauthorized");
        }
    }
    // A header that is not even text, a huge body: 4xx before anything is read.
    let response = app
        .http
        .post(app.url("/api/v1/aid/query"))
        .header(
            "authorization",
            reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").unwrap(),
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let response = app
        .http
        .post(app.url("/api/v1/aid/query"))
        .body(vec![b'{'; 70 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM api_calls").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_and_its_page_describe_every_operation() {
    let app = spawn_app_with(|_| {}).await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/v1/aid/query",
        "/api/v1/aid/records",
        "/api/v1/aid/records.csv",
        "/api/v1/agency",
    ] {
        assert!(paths.contains_key(path), "{path} undocumented");
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["agency_key"]["scheme"],
        "bearer"
    );
    let window = &doc["components"]["schemas"]["WindowCode"]["enum"];
    let codes: Vec<&str> = wanshan_app::domain::Window::ALL
        .iter()
        .map(|w| w.code())
        .collect();
    assert_eq!(
        window,
        &json!(codes),
        "the document's windows are the app's"
    );

    let page = app.page("/api/v1/docs").await;
    for expected in [
        "/api/v1/aid/query",
        "/api/v1/aid/records.csv",
        "救前查询",
        "AidRecordInput",
        "amount_fen",
        "KeyReused",
    ] {
        assert!(
            page.contains(expected),
            "{expected} missing from the docs page"
        );
    }
    // Nothing from outside: no script, no address of another site.
    assert!(!page.contains("<script"));
    assert!(!page.contains("src=\"http") && !page.contains("href=\"http"));
}

/// Who may manage agencies and read the log (six callers), and what each kind of key may do
/// (six keys): every cell its expected status, one fresh agency or key per cell where it acts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_agency_function_route_and_key_checks_who_is_calling() {
    let app = spawn_app().await;
    let admin = app.person("管理员", "13700000366", &[("admin", "")]).await;
    let callers: Vec<Option<Person>> = vec![
        None,
        Some(app.donor("爱心人士").await),
        Some(
            app.person("志愿者", "13700000362", &[("volunteer", "")])
                .await,
        ),
        Some(
            app.person("镇督导", "13700000363", &[("official", "延陵镇")])
                .await,
        ),
        Some(
            app.person("市督导", "13700000364", &[("official", "")])
                .await,
        ),
        Some(
            app.person("另一位管理员", "13700000365", &[("admin", "")])
                .await,
        ),
    ];
    let names = [
        "anonymous",
        "donor",
        "volunteer",
        "town official",
        "city official",
        "admin",
    ];
    let home = agency(&app, &admin, "授权测试机构").await;
    let mut serial = 0;
    let mut table: Vec<(&str, Vec<u16>, [u16; 6])> = Vec::new();
    for (row, expected) in [
        ("create_agency", [401, 403, 403, 403, 403, 200]),
        ("list_agencies", [401, 403, 403, 403, 403, 200]),
        ("revoke_api_key", [401, 403, 403, 403, 403, 200]),
        ("list_api_calls", [401, 403, 403, 403, 200, 200]),
        ("POST /admin/agencies/keys", [401, 403, 403, 403, 403, 201]),
    ] {
        let mut statuses = Vec::new();
        for who in &callers {
            serial += 1;
            let who = who.as_ref();
            let response = match row {
                "create_agency" => {
                    app.post_as(who, row, &[("name", &format!("机构{serial}"))])
                        .await
                }
                "revoke_api_key" => {
                    issue_key(&app, &admin, home, true, false, 60).await;
                    let key = app.scalar("SELECT MAX(id) FROM api_keys").await.to_string();
                    app.post_as(who, row, &[("key_id", &key)]).await
                }
                "POST /admin/agencies/keys" => {
                    key_form(
                        &app,
                        who,
                        &[("agency_id", &home.to_string()), ("query", "true")],
                    )
                    .await
                }
                function => app.post_as(who, function, &[]).await,
            };
            statuses.push(response.status().as_u16());
        }
        table.push((row, statuses, expected));
    }

    // The keys: none, malformed, revoked, query only, record only, both.
    let revoked = issue_key(&app, &admin, home, true, true, 600).await;
    let id = app.scalar("SELECT MAX(id) FROM api_keys").await.to_string();
    assert_eq!(
        app.post_as(Some(&admin), "revoke_api_key", &[("key_id", &id)])
            .await
            .status(),
        200
    );
    let keys: Vec<Option<String>> = vec![
        None,
        Some("wsk_123".into()),
        Some(revoked),
        Some(issue_key(&app, &admin, home, true, false, 600).await),
        Some(issue_key(&app, &admin, home, false, true, 600).await),
        Some(issue_key(&app, &admin, home, true, true, 600).await),
    ];
    let person = id_number(360);
    for (row, expected) in [
        ("GET /api/v1/agency", [401, 401, 401, 200, 200, 200]),
        ("POST /api/v1/aid/query", [401, 401, 401, 200, 403, 200]),
        ("POST /api/v1/aid/records", [401, 401, 401, 403, 201, 201]),
        (
            "POST /api/v1/aid/records.csv",
            [401, 401, 401, 403, 200, 200],
        ),
    ] {
        let mut statuses = Vec::new();
        for key in &keys {
            serial += 1;
            let key = key.as_deref();
            let response = match row {
                "GET /api/v1/agency" => {
                    let mut request = app.http.get(app.url("/api/v1/agency"));
                    if let Some(key) = key {
                        request = request.bearer_auth(key);
                    }
                    request.send().await.unwrap()
                }
                "POST /api/v1/aid/query" => {
                    api(&app, key, "/api/v1/aid/query", json!({"id_number": person})).await
                }
                "POST /api/v1/aid/records" => {
                    let body = record(&format!("t-{serial}"), &person, "home", None);
                    api(&app, key, "/api/v1/aid/records", body).await
                }
                _ => {
                    let text = format!(
                        "key,id_number,window,cause,date,amount_fen\ns-{serial},{person},home,改厕,2026-03-15,\n"
                    );
                    let mut request = app.http.post(app.url("/api/v1/aid/records.csv")).body(text);
                    if let Some(key) = key {
                        request = request.bearer_auth(key);
                    }
                    request.send().await.unwrap()
                }
            };
            statuses.push(response.status().as_u16());
        }
        table.push((row, statuses, expected));
    }
    let mut report = format!("{:<32}{}\n", "", names.join(" | "));
    let mut wrong = 0;
    for (row, statuses, expected) in &table {
        let cells: Vec<String> = statuses
            .iter()
            .zip(expected)
            .map(|(got, want)| {
                if got == want {
                    got.to_string()
                } else {
                    wrong += 1;
                    format!("{got}≠{want}")
                }
            })
            .collect();
        report.push_str(&format!("{row:<32}{}\n", cells.join(" | ")));
    }
    assert_eq!(
        wrong, 0,
        "\n(key rows: none | malformed | revoked | query | record | both)\n{report}"
    );
}
