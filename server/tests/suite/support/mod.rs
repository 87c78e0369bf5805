//! A real server on port 0 with a fresh database, and a client that speaks to it as a browser
//! would. Every wait on the network is bounded: a request by [`REQUEST_TIMEOUT`] (the error
//! names the URL), a live event by [`EVENT_TIMEOUT`], a stream's opening by the same. These are
//! guards against a hang that fail with what was awaited, not timing assertions: generous
//! enough for a busy two-core machine.
#![allow(dead_code)]

use futures::StreamExt;
use std::time::Duration;
use wanshan_app::db::{accounts, needs};
use wanshan_app::domain::{Ask, Fen, NewNeed, Phone, PublicNeed, Urgency, UtcMillis, Window};
use wanshan_app::live::protocol;
use wanshan_app::people::{RoleGrant, UserId};
use wanshan_server::config::Config;
use wanshan_server::AppState;

pub struct TestApp {
    pub base: String,
    pub state: AppState,
    /// For requests: each whole request and response is bounded by [`REQUEST_TIMEOUT`].
    pub http: reqwest::Client,
    /// For live streams, which stay open: bounded per event instead ([`EventStream::next`]).
    pub streams: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The longest a request may take, body included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a test waits for the next live event, or for a stream to open.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL server the suite runs against, if any: `./run.sh test` starts a throwaway
/// cluster and runs the whole integration suite a second time with this set.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("WANSHAN_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A fresh, empty database for one test: a SQLite file in a temporary folder, or a new
/// database on the test PostgreSQL server.
pub async fn fresh_database(dir: &tempfile::TempDir) -> String {
    use sqlx::{Connection, Executor};
    match postgres_admin_url() {
        None => dir
            .path()
            .join("wanshan-test.db")
            .to_str()
            .expect("utf-8 path")
            .to_owned(),
        Some(admin) => {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "wanshan_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut conn =
                tokio::time::timeout(REQUEST_TIMEOUT, sqlx::PgConnection::connect(&admin))
                    .await
                    .expect("the test PostgreSQL server accepted a connection within 30 s")
                    .expect("the test PostgreSQL server answers");
            tokio::time::timeout(
                REQUEST_TIMEOUT,
                conn.execute(format!("CREATE DATABASE {name}").as_str()),
            )
            .await
            .expect("CREATE DATABASE answered within 30 s")
            .expect("database created");
            let (base, _) = admin.rsplit_once('/').expect("admin URL names a database");
            format!("{base}/{name}")
        }
    }
}

/// A fresh database and a server on a free port.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A server on a fresh database with some settings changed.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = fresh_database(&dir).await;
    let mut config = Config::for_tests(database);
    config.data_dir = dir.path().join("data").to_string_lossy().into_owned();
    adjust(&mut config);
    spawn_instance(dir, config).await
}

/// A server with the given settings (several may share one database).
pub async fn spawn_instance(dir: tempfile::TempDir, config: Config) -> TestApp {
    // `WANSHAN_TEST_LOG=1` shows the servers' logs (an internal error's cause among them).
    if std::env::var_os("WANSHAN_TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    }
    let (addr, state, _server) = wanshan_server::spawn(config).await.expect("server starts");
    TestApp {
        base: format!("http://{addr}"),
        state,
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .connect_timeout(EVENT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .expect("client"),
        streams: reqwest::Client::builder()
            .connect_timeout(EVENT_TIMEOUT)
            .build()
            .expect("client"),
        _dir: dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Publishes a need directly, as the demo seed does (its commit wakes the live hub).
    pub async fn publish(&self, title: &str, window: Window, town: &str) -> PublicNeed {
        let need = NewNeed::parse(
            window,
            title,
            "一户支出型困难家庭的真实需求，身份信息不公开。",
            town,
            "示范村",
            Ask::Money {
                amount: Fen::parse(300_000).unwrap(),
            },
            Urgency::Soon,
        )
        .expect("valid need");
        needs::publish(&self.state.db, &need, UtcMillis::now())
            .await
            .expect("published")
    }

    /// A person with an account, the given roles (`(role, town)`, town "" for every town) and a
    /// signed-in session. The account is written directly (signing in through the form is
    /// tested on its own; argon2 for hundreds of racing donors would only slow the suite).
    pub async fn person(&self, name: &str, phone: &str, grants: &[(&str, &str)]) -> Person {
        let now = UtcMillis::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (phone, display_name, donor_kind, password_hash, created_at, \
             show_name) VALUES ($1, $2, 'person', 'not-a-password-hash', $3, 0) RETURNING id",
        )
        .bind(Phone::parse(phone).expect("valid phone").as_str())
        .bind(name)
        .bind(now.0)
        .fetch_one(&self.state.db.pool)
        .await
        .expect("account written");
        for (role, town) in grants {
            let grant = RoleGrant::parse(role, town).expect("valid grant");
            accounts::grant(
                &self.state.db,
                &Phone::parse(phone).unwrap(),
                &grant,
                None,
                now,
            )
            .await
            .expect("role granted");
        }
        let token = accounts::start_session(&self.state.db, UserId(id), now, 1)
            .await
            .expect("session");
        Person {
            id: UserId(id),
            name: name.to_owned(),
            phone: phone.to_owned(),
            cookie: format!("wanshan_session={token}"),
        }
    }

    /// A donor with a fresh phone number.
    pub async fn donor(&self, name: &str) -> Person {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.person(name, &format!("1350000{n:04}"), &[("donor", "")])
            .await
    }

    /// Posts a form to a server function as the browser does (URL-encoded), as `who`.
    pub async fn post_as(
        &self,
        who: Option<&Person>,
        endpoint: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        self.post_request(who, endpoint, fields)
            .send()
            .await
            .expect("request sent")
    }

    /// Posts a form as `who` from the client `address`, as a server configured to trust the
    /// `X-Real-IP` header of its proxy sees it.
    pub async fn post_from(
        &self,
        who: Option<&Person>,
        endpoint: &str,
        fields: &[(&str, &str)],
        address: &str,
    ) -> reqwest::Response {
        self.post_request(who, endpoint, fields)
            .header("x-real-ip", address)
            .send()
            .await
            .expect("request sent")
    }

    fn post_request(
        &self,
        who: Option<&Person>,
        endpoint: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::RequestBuilder {
        let request = self
            .http
            .post(self.url(&format!("/api/{endpoint}")))
            .form(fields);
        match who {
            Some(person) => request.header("cookie", &person.cookie),
            None => request,
        }
    }

    /// A GET as `who`.
    pub async fn get_as(&self, who: Option<&Person>, path: &str) -> reqwest::Response {
        let mut request = self.http.get(self.url(path));
        if let Some(person) = who {
            request = request.header("cookie", &person.cookie);
        }
        request.send().await.expect("request sent")
    }

    /// Claims a need as a new donor with this name and phone.
    pub async fn claim_need(&self, need_id: i64, name: &str, phone: &str) -> reqwest::Response {
        let donor = self.person(name, phone, &[("donor", "")]).await;
        self.claim_as(&donor, need_id).await
    }

    pub async fn claim_as(&self, donor: &Person, need_id: i64) -> reqwest::Response {
        self.post_as(
            Some(donor),
            "claim_need",
            &[("need_id", &need_id.to_string())],
        )
        .await
    }

    pub async fn page(&self, path: &str) -> String {
        let response = self.http.get(self.url(path)).send().await.expect("page");
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("page text")
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("query")
    }

    /// Opens the live stream with optional headers, e.g. `Last-Event-ID`.
    pub async fn stream(&self, query: &str, last_event_id: Option<i64>) -> EventStream {
        let path = format!("{}{query}", protocol::PATH);
        let mut request = self.streams.get(self.url(&path));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        open_stream(&path, request).await
    }
}

/// Someone signed in: their account and the session cookie their browser would send.
#[derive(Clone, Debug)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    pub phone: String,
    pub cookie: String,
}

/// Fires `count` claims of one need at once, spread round-robin over `instances`, each from a
/// different signed-in donor. Returns (winners, `AlreadyClaimed` losers); any other answer
/// fails the test.
pub async fn race_claims(instances: &[&TestApp], need_id: i64, count: usize) -> (usize, usize) {
    let mut donors = Vec::new();
    for i in 0..count {
        donors.push(
            instances[0]
                .person(
                    &format!("爱心人士{i}"),
                    &format!("1380000{i:04}"),
                    &[("donor", "")],
                )
                .await,
        );
    }
    let claims = donors.into_iter().enumerate().map(|(i, donor)| {
        let instance = instances[i % instances.len()];
        let request = instance
            .http
            .post(instance.url("/api/claim_need"))
            .header("cookie", donor.cookie)
            .form(&[("need_id".to_owned(), need_id.to_string())]);
        tokio::spawn(async move { request.send().await.expect("claim sent") })
    });
    let (mut winners, mut losers) = (0, 0);
    for response in futures::future::join_all(claims).await {
        let response = response.expect("claim task");
        match response.status().as_u16() {
            200 => winners += 1,
            409 => {
                let body: serde_json::Value = response.json().await.expect("JSON error");
                assert_eq!(body["code"], "AlreadyClaimed", "{body}");
                losers += 1;
            }
            other => panic!("unexpected status {other}: {:?}", response.text().await),
        }
    }
    (winners, losers)
}

/// One Server-Sent Event, as [`protocol::Reader`] reads it.
pub type Sse = protocol::Event;

pub struct EventStream {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    reader: protocol::Reader,
}

impl EventStream {
    /// The next event (the opening hello and keep-alive comments skipped). Fails the test
    /// after [`EVENT_TIMEOUT`]: a guard against a hang, not a timing assertion.
    pub async fn next(&mut self) -> Sse {
        tokio::time::timeout(EVENT_TIMEOUT, self.next_inner())
            .await
            .unwrap_or_else(|_| panic!("no live event arrived within {EVENT_TIMEOUT:?}"))
    }

    async fn next_inner(&mut self) -> Sse {
        loop {
            while let Some(event) = self.reader.next_event() {
                if event.name != protocol::HELLO {
                    return event;
                }
            }
            let chunk = self
                .body
                .next()
                .await
                .expect("stream still open")
                .expect("chunk");
            self.reader.push(&String::from_utf8_lossy(&chunk));
        }
    }
}

/// The form of a household as a volunteer fills it in.
pub fn household_form(town: &str, id_number: &str, head: &str) -> Vec<(String, String)> {
    [
        ("town", town),
        ("village", "示范村"),
        ("head_name", head),
        ("id_number", id_number),
        ("address", "示范村三组 12 号"),
        ("phone", "13700001234"),
        ("members", "户主、妻子、女儿（9 岁）"),
        ("member_count", "3"),
        ("low_income", "expenditure"),
    ]
    .into_iter()
    .map(|(field, value)| (format!("form[{field}]"), value.to_owned()))
    .collect()
}

/// A need's intake form.
pub fn need_form(household: i64, window: &str, title: &str) -> Vec<(String, String)> {
    [
        ("need_id", String::new()),
        ("household_id", household.to_string()),
        ("window", window.to_owned()),
        ("title", title.to_owned()),
        (
            "story",
            "家中老人住院，医保报销后自付部分仍有缺口。".to_owned(),
        ),
        ("ask_kind", "money".to_owned()),
        ("amount", "3000".to_owned()),
        ("urgency", "2".to_owned()),
        ("private_notes", "内部备注：户主腿脚不便".to_owned()),
    ]
    .into_iter()
    .map(|(field, value)| (format!("form[{field}]"), value))
    .collect()
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

impl TestApp {
    /// Posts owned form fields.
    pub async fn post_fields(
        &self,
        who: Option<&Person>,
        endpoint: &str,
        fields: &[(String, String)],
    ) -> reqwest::Response {
        self.post_as(who, endpoint, &borrowed(fields)).await
    }

    /// Registers a household through the server function; returns its id.
    pub async fn register_household(&self, volunteer: &Person, town: &str, id_number: &str) -> i64 {
        let response = self
            .post_fields(
                Some(volunteer),
                "register_household",
                &household_form(town, id_number, "测试户主"),
            )
            .await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        response.json().await.expect("household id")
    }

    /// Enters a need as a draft and submits it to council review; returns its id.
    pub async fn enter_need(
        &self,
        volunteer: &Person,
        household: i64,
        window: &str,
        title: &str,
    ) -> i64 {
        let response = self
            .post_fields(
                Some(volunteer),
                "save_need",
                &need_form(household, window, title),
            )
            .await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        let id: i64 = response.json().await.expect("need id");
        let submitted = self
            .post_as(
                Some(volunteer),
                "submit_need",
                &[("need_id", &id.to_string())],
            )
            .await;
        assert_eq!(submitted.status(), 200, "{:?}", submitted.text().await);
        id
    }

    pub async fn approve(
        &self,
        who: &Person,
        need: i64,
        stage: &str,
        acknowledgement: &str,
    ) -> reqwest::Response {
        let version = self.version_of(need).await;
        self.approve_version(who, need, stage, acknowledgement, version)
            .await
    }

    /// Approves naming the `version` of the need the reviewer saw.
    pub async fn approve_version(
        &self,
        who: &Person,
        need: i64,
        stage: &str,
        acknowledgement: &str,
        version: i64,
    ) -> reqwest::Response {
        self.post_as(
            Some(who),
            "approve_need",
            &[
                ("need_id", &need.to_string()),
                ("stage", stage),
                ("version", &version.to_string()),
                ("acknowledgement", acknowledgement),
            ],
        )
        .await
    }

    /// The version of the need's public text that reviewers see now.
    pub async fn version_of(&self, need: i64) -> i64 {
        sqlx::query_scalar("SELECT version FROM needs WHERE id = $1")
            .bind(need)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("need exists")
    }

    /// What `who` has to review, as the JSON the review page gets.
    pub async fn review_queue(&self, who: &Person) -> serde_json::Value {
        let response = self.post_as(Some(who), "load_review_queue", &[]).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("queue JSON")
    }

    pub async fn status_of(&self, need: i64) -> String {
        sqlx::query_scalar("SELECT status FROM needs WHERE id = $1")
            .bind(need)
            .fetch_one(&self.state.db.pool)
            .await
            .expect("need exists")
    }
}

/// A valid ID number for tests: 17 digits from `serial` and the check digit.
pub fn id_number(serial: u32) -> String {
    wanshan_app::db::seed::demo_id_number(900 + serial as usize)
}

/// The status and JSON error body of a response.
pub async fn status_and_code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    (status, body["code"].as_str().unwrap_or("").to_owned())
}

impl TestApp {
    /// A published money need of `yuan`, entered (and so coordinated) by `author`.
    pub async fn publish_money(&self, title: &str, town: &str, yuan: i64, author: &Person) -> i64 {
        let need = NewNeed::parse(
            Window::Medical,
            title,
            "一户支出型困难家庭的真实需求，身份信息不公开。",
            town,
            "示范村",
            Ask::Money {
                amount: Fen::parse(yuan * 100).unwrap(),
            },
            Urgency::Soon,
        )
        .expect("valid need");
        let published = needs::publish(&self.state.db, &need, UtcMillis::now())
            .await
            .expect("published");
        sqlx::query("UPDATE needs SET author_id = $2 WHERE id = $1")
            .bind(published.id.0)
            .bind(author.id.0)
            .execute(&self.state.db.pool)
            .await
            .expect("author set");
        published.id.0
    }

    /// A donor's claims, as their page gets them.
    pub async fn my_claims(&self, donor: &Person) -> serde_json::Value {
        let response = self.post_as(Some(donor), "my_claims", &[]).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("claims JSON")
    }

    /// Marks a claim delivered with a note and an optional photo (multipart, as the form does).
    pub async fn deliver(
        &self,
        donor: &Person,
        claim: i64,
        photo: Option<(&str, Vec<u8>)>,
    ) -> reqwest::Response {
        let mut form = reqwest::multipart::Form::new().text("note", "已把费用交到家属手中");
        if let Some((name, bytes)) = photo {
            form = form.part(
                "photo",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        self.http
            .post(self.url(&format!("/api/deliver/{claim}")))
            .header("cookie", &donor.cookie)
            .multipart(form)
            .send()
            .await
            .expect("delivery sent")
    }
}

/// A structurally whole PNG (signature, IHDR, IDAT, IEND), with a text chunk and an EXIF chunk
/// naming a GPS position when `with_metadata`.
pub fn png(with_metadata: bool) -> Vec<u8> {
    use img_parts::png::PngChunk;
    let chunk = |kind: &[u8; 4], contents: &[u8]| {
        PngChunk::new(*kind, bytes::Bytes::copy_from_slice(contents))
            .encoder()
            .bytes()
            .to_vec()
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
    if with_metadata {
        png.extend(chunk(b"tEXt", b"Comment\0GPS 31.99N 119.57E"));
        png.extend(chunk(b"eXIf", b"MM\0*GPSLatitude 31.99N"));
    }
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x01, 0x01, 0x01, 0x00],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

/// A structurally whole JPEG as a phone writes it: JFIF, an EXIF segment with the GPS position,
/// a comment, the picture's tables and its compressed data.
pub fn jpeg_with_gps() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    let mut segment = |marker: u8, contents: &[u8]| {
        jpeg.extend([0xFF, marker]);
        jpeg.extend(u16::try_from(contents.len() + 2).unwrap().to_be_bytes());
        jpeg.extend_from_slice(contents);
    };
    segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    segment(0xE1, b"Exif\0\0GPSLatitude 31.99N GPSLongitude 119.57E");
    segment(0xE2, b"MPF\0 index of a second picture, GPS inside");
    segment(0xFE, b"taken at the family's home");
    segment(0xDB, &[0u8; 65]);
    segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    segment(0xDA, &[1, 1, 0, 0, 0x3f, 0]);
    jpeg.extend([0x12, 0x34, 0x56, 0xFF, 0xD9]);
    // What a phone appends after the picture: a motion photo's video with its own position.
    jpeg.extend_from_slice(b"\0\0\0\x18ftypmp42 GPS 31.99N 119.57E");
    jpeg
}

impl TestApp {
    /// `who`'s inbox, as their page gets it.
    pub async fn inbox(&self, who: &Person) -> serde_json::Value {
        let response = self.post_as(Some(who), "get_inbox", &[]).await;
        assert_eq!(response.status(), 200);
        response.json().await.expect("inbox JSON")
    }

    /// The kinds of `who`'s notices, newest first.
    pub async fn notice_kinds(&self, who: &Person) -> Vec<String> {
        self.inbox(who).await["notices"]
            .as_array()
            .expect("notices")
            .iter()
            .map(|n| n["kind"].as_str().expect("kind").to_owned())
            .collect()
    }

    /// Opens `who`'s own notice stream.
    pub async fn notice_stream(&self, who: &Person) -> EventStream {
        let path = wanshan_app::pages::notices::NOTICE_STREAM_PATH;
        let request = self
            .streams
            .get(self.url(path))
            .header("cookie", &who.cookie);
        open_stream(path, request).await
    }
}

/// Sends a stream's request and waits (bounded) for its 200.
async fn open_stream(path: &str, request: reqwest::RequestBuilder) -> EventStream {
    let response = tokio::time::timeout(EVENT_TIMEOUT, request.send())
        .await
        .unwrap_or_else(|_| panic!("GET {path} answered within {EVENT_TIMEOUT:?}"))
        .expect("stream opens");
    assert_eq!(response.status(), 200);
    EventStream {
        body: Box::pin(response.bytes_stream()),
        reader: protocol::Reader::default(),
    }
}
