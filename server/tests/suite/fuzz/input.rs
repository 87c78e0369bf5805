//! What the fuzz sends: a seeded generator, the values it draws from, the targets and the
//! kinds of input each one gets, and the requests built from them.

use super::learn::Field;
use super::Fixtures;
use crate::support::id_number;
use reqwest::Method;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use wanshan_app::domain::UtcMillis;

/// The seed when `WANSHAN_FUZZ_SEED` is unset.
const DEFAULT_SEED: u64 = 0x5741_4E53_4841_4E31; // "WANSHAN1"
/// The body limit of every route but the aid import and deliveries (`MAX_REQUEST_BYTES`).
const BODY_LIMIT: usize = 64 * 1024;
/// The password of the one fixture account that can really sign in.
pub const PASSWORD: &str = "fuzz-password-1";
const FORM: &str = "application/x-www-form-urlencoded";
const BOUNDARY: &str = "fuzzBOUNDARY";

/// The seed: `WANSHAN_FUZZ_SEED` (decimal or 0x-hex), or the fixed default.
pub fn seed() -> u64 {
    let Ok(text) = std::env::var("WANSHAN_FUZZ_SEED") else {
        return DEFAULT_SEED;
    };
    let text = text.trim();
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    }
    .unwrap_or_else(|_| panic!("WANSHAN_FUZZ_SEED={text} is not a number"))
}

/// xorshift64*: small, deterministic, good enough to pick inputs.
pub struct Rng(u64);

impl Rng {
    /// The state from the seed by splitmix64, so neighbouring seeds start far apart.
    pub fn new(seed: u64) -> Rng {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)).max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Values that are wrong for nearly every field: numbers out of range, non-numbers, markup,
/// control characters, odd Unicode, escapes. None of them is a valid phone number, so no
/// anonymous request built from them alone can create an account.
const NASTY: [&str; 46] = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "+1",
    "1.5",
    "1e3",
    "1e999",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "4294967296",
    "0x10",
    "1_000",
    " 7 ",
    "007",
    "true",
    "null",
    "[]",
    "{}",
    "￥1,000,000,000.001",
    "..",
    "//evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "'; DROP TABLE needs; --",
    "%",
    "%zz",
    "\0",
    "\r\n",
    "\t",
    "\u{7f}",
    "\u{202e}abc",
    "\u{feff}",
    "😀",
    "𠀀𠀁",
    "=HYPERLINK(\"http://evil.example\")",
];

/// Lengths of generated long values: around every field's limit, and large.
const LONG: [usize; 8] = [21, 31, 129, 201, 501, 1001, 4097, 30_000];

/// Control characters put into a valid value: NUL (which PostgreSQL refuses in text), SOH,
/// escape, DEL, NEL, a right-to-left override; and, the other time, a carriage return and a
/// line feed too (which end a line of CSV, so the rest would not reach a cell).
const CONTROL: [&str; 2] = [
    "\0\u{1}\u{1b}\u{7f}\u{85}\u{202e}",
    "\0\u{1}\u{1b}\u{7f}\u{85}\r\n\u{202e}",
];

/// What follows a path on a request line no HTTP client would send: raw bytes, dot segments,
/// backslashes, fragments, characters a URL must escape.
const RAW_SUFFIXES: [&str; 10] = [
    "?a=\u{7}b",
    "/../../etc/passwd",
    "?town=延陵镇",
    "\\..\\",
    "?a=b#frag",
    "?%zz=%",
    "/%2e%2e/",
    "?x=\u{ff}",
    "//",
    "?\"<>`{}|",
];

/// Headers a browser, a proxy or an attacker might add (besides a forged session cookie).
const NOISE: [(&str, &[&str]); 5] = [
    (
        "cookie",
        &[
            "wanshan_session=",
            "a=b; ;;=; wanshan_session",
            "wanshan_session=x; wanshan_session=y",
        ],
    ),
    (
        "origin",
        &["null", "https://evil.example", "http://127.0.0.1"],
    ),
    (
        "sec-fetch-site",
        &["same-origin", "cross-site", "none", "same-site"],
    ),
    ("x-forwarded-proto", &["https", "HTTPS, http", "gopher"]),
    (
        "accept",
        &["*/*", "text/html;q=0", "application/json", "text/html"],
    ),
];

/// An invalid value: one of [`NASTY`] or a long run of one character.
fn nasty(rng: &mut Rng) -> String {
    if rng.chance(15) {
        let ch = *rng.pick(&["a", "字", "9", "\u{0301}"]);
        ch.repeat(*rng.pick(&LONG))
    } else {
        rng.pick(&NASTY).to_string()
    }
}

/// Values for a field with this name (or this key: `form[need_id]`), to go past the parsers
/// into the code behind them: valid ones, and ones at an edge (just over a limit, unknown).
pub struct Hints(BTreeMap<&'static str, (Vec<String>, Vec<String>)>);

impl Hints {
    pub fn new(fixtures: &Fixtures) -> Hints {
        let ids = |list: &[i64]| list.iter().map(i64::to_string).collect::<Vec<_>>();
        let owned = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let unknown_ids = owned(&["0", "999999"]);
        let csv = format!(
            "身份证号,机构,窗口,事由,日期,金额\n{},市慈善总会,助医,住院,2026-01-05,100\n",
            id_number(7)
        );
        let mut map = BTreeMap::new();
        let mut hint = |name: &'static str, valid: Vec<String>, edge: Vec<String>| {
            map.insert(name, (valid, edge));
        };
        hint("need_id", ids(&fixtures.needs), unknown_ids.clone());
        // In a need's form: empty for a new need.
        hint("form[need_id]", owned(&[""]), ids(&fixtures.needs));
        hint(
            "household_id",
            ids(&[fixtures.household]),
            unknown_ids.clone(),
        );
        hint("claim_id", ids(&fixtures.claims), unknown_ids.clone());
        hint("report_id", ids(&fixtures.reports), unknown_ids.clone());
        hint("offer_id", ids(&fixtures.offers), unknown_ids.clone());
        hint("slot_id", ids(&fixtures.slots), unknown_ids.clone());
        hint("booking_id", ids(&fixtures.bookings), unknown_ids.clone());
        hint(
            "outcome",
            owned(&["attended", "absent", "cancelled"]),
            owned(&["booked", "ATTENDED"]),
        );
        hint("decision", owned(&["approve", "return"]), owned(&["maybe"]));
        hint("activity_id", ids(&fixtures.activities), unknown_ids);
        hint(
            "resolution",
            owned(&["dismissed", "corrected"]),
            owned(&["withdrawn", "DISMISSED"]),
        );
        let phones = [fixtures.phone.as_str(), "13911112222", "+86 139 1111 2223"];
        hint(
            "phone",
            owned(&phones),
            owned(&["13011112222", "1391111222"]),
        );
        hint(
            "password",
            owned(&[PASSWORD]),
            owned(&["a wrong password", "short"]),
        );
        hint("name", owned(&["模糊测试", "x"]), owned(&[]));
        hint("head_name", owned(&["测试户主"]), owned(&["户"]));
        hint(
            "kind",
            owned(&["person", "organisation", "", "delivery", "training"]),
            owned(&["company", "party"]),
        );
        hint(
            "next",
            owned(&["/", "/my/claims"]),
            owned(&["//evil.example", "/\\x"]),
        );
        let roles = ["donor", "volunteer", "reviewer", "admin"];
        hint("role", owned(&roles), owned(&["mayor"]));
        hint(
            "town",
            owned(&["延陵镇", "吕城镇", ""]),
            owned(&["不存在的镇"]),
        );
        hint("village", owned(&["示范村"]), owned(&["村"]));
        hint(
            "id_number",
            vec![id_number(8), id_number(9).to_lowercase()],
            {
                let mut wrong_check = id_number(10);
                wrong_check.pop();
                vec![wrong_check + "0", "12345".into()]
            },
        );
        hint("address", owned(&["示范村三组 12 号"]), owned(&["三组"]));
        hint("members", owned(&["户主、妻子"]), owned(&[]));
        hint("member_count", owned(&["3", "30"]), owned(&["31", "0"]));
        let incomes = ["expenditure", "dibao", "none"];
        hint("low_income", owned(&incomes), owned(&["rich"]));
        let windows = ["medical", "education", "home", "services"];
        hint("window", owned(&windows), owned(&["助医", "sports"]));
        hint("title", owned(&["孩子上学需要一台电脑"]), owned(&["电脑"]));
        let story = "家中老人住院，医保报销后自付部分仍有缺口。";
        hint(
            "story",
            owned(&[story]),
            owned(&["家中老人\r\n住院，医保报销后自付部分仍有缺口。"]),
        );
        hint(
            "ask_kind",
            owned(&["money", "goods", "service"]),
            owned(&["love"]),
        );
        let amounts = ["100", "0.01", "500000", "¥1,200.50"];
        hint(
            "amount",
            owned(&amounts),
            owned(&["500000.01", "", "0.001"]),
        );
        hint("urgency", owned(&["1", "2", "3"]), owned(&["4", "0"]));
        hint("private_notes", owned(&["内部备注"]), owned(&[]));
        hint(
            "acknowledgement",
            owned(&["已核实，确需帮扶", ""]),
            owned(&["是"]),
        );
        // A reviewer's reason, and a report's (from the list).
        hint(
            "reason",
            owned(&["请补充材料", "not_true", "privacy"]),
            owned(&["补", "spam"]),
        );
        hint(
            "csv",
            vec![csv],
            owned(&["身份证号,机构,窗口,事由,日期,金额\n"]),
        );
        hint("revoke", owned(&["true", "false"]), owned(&["on"]));
        hint("anonymous", owned(&["true", "false"]), owned(&["on"]));
        hint("pages", owned(&["1", "30"]), owned(&["31", "4294967295"]));
        hint("after", owned(&["0", "1"]), owned(&["1000000"]));
        // Volunteer hours: a day, times in and out or a duration, a period, a code.
        let yesterday = UtcMillis(UtcMillis::now().0 - 86_400_000).shanghai_date_text();
        let days = [yesterday.as_str(), "2026-01-01"];
        hint("date", owned(&days), owned(&["2999-01-01", "2026-02-30"]));
        hint("time_in", owned(&["09:00", ""]), owned(&["24:00", "9"]));
        hint(
            "time_out",
            owned(&["10:30", ""]),
            owned(&["08:59", "23:60"]),
        );
        hint(
            "hours",
            owned(&["1.5", "12"]),
            owned(&["12.5", "0", "1.25"]),
        );
        hint("note", owned(&["陪同复诊"]), owned(&["请打 13812345678"]));
        hint(
            "from",
            owned(&["2026-01-01"]),
            owned(&["2020-01-01", "昨天"]),
        );
        hint("to", owned(&[yesterday.as_str()]), owned(&["2999-12-31"]));
        hint("before", owned(&["", "100"]), owned(&["-1"]));
        hint(
            "code",
            owned(&["ABCD-EFGH-JKMN"]),
            owned(&["abcd efgh jkmn", "0000"]),
        );
        Hints(map)
    }

    fn lookup(&self, field: &Field) -> Option<&(Vec<String>, Vec<String>)> {
        self.0
            .get(field.key.as_str())
            .or_else(|| self.0.get(field.leaf.as_str()))
    }

    /// A valid value for `field`, as far as the hints know (an enum's variant when it has
    /// them; a number or a word when the name is unknown).
    fn valid(&self, field: &Field, rng: &mut Rng) -> String {
        if !field.variants.is_empty() {
            return rng.pick(&field.variants).clone();
        }
        match self.lookup(field) {
            Some((valid, _)) if !valid.is_empty() => rng.pick(valid).clone(),
            _ => rng.pick(&["1", "测试", "true"]).to_string(),
        }
    }

    /// A valid value or, a third of the time, one at an edge.
    fn near(&self, field: &Field, rng: &mut Rng) -> String {
        match self.lookup(field) {
            Some((_, edge)) if !edge.is_empty() && rng.chance(33) => rng.pick(edge).clone(),
            _ => self.valid(field, rng),
        }
    }

    /// Every field name some function takes: where to look for optional fields.
    pub fn names(&self) -> Vec<&'static str> {
        self.0
            .keys()
            .copied()
            .filter(|name| !name.contains('['))
            .collect()
    }
}

/// What a fuzzed request is sent to.
#[derive(Clone, Debug)]
pub enum Target {
    ServerFn {
        path: String,
        method: Method,
        fields: Vec<Field>,
    },
    /// `POST /api/deliver/{claim}` (multipart).
    Deliver,
    /// `GET /api/claims/{claim}/photo`.
    Photo,
    /// `GET /api/credit/ledger.csv`.
    Ledger,
    /// `GET /desk/export/{file}` (a desk list as CSV).
    DeskExport,
    /// `GET /admin/export/hours.csv` (volunteer hours as CSV).
    HoursExport,
    /// `GET /api/events`.
    Events,
    /// `GET /api/my/notices/events` (a person's own stream).
    NoticeStream,
    /// A route of the agency API (`/api/v1/…`): JSON (or CSV) with an agency's key.
    Api(&'static str),
    /// A public document: the API's document or its page, the service worker, the manifest,
    /// the language switch (`GET`).
    ApiDocument(&'static str),
    /// `POST /admin/agencies/keys` (an admin's form that issues an agency a key).
    AgencyKeys,
    /// A page of the app's router.
    Page(String),
}

impl Target {
    pub fn name(&self) -> String {
        match self {
            Target::ServerFn { path, method, .. } => format!("{method} {path}"),
            Target::Deliver => "POST /api/deliver/{claim}".into(),
            Target::Photo => "GET /api/claims/{claim}/photo".into(),
            Target::Ledger => "GET /api/credit/ledger.csv".into(),
            Target::DeskExport => "GET /desk/export/{file}".into(),
            Target::HoursExport => "GET /admin/export/hours.csv".into(),
            Target::Events => "GET /api/events".into(),
            Target::NoticeStream => {
                format!("GET {}", wanshan_app::pages::notices::NOTICE_STREAM_PATH)
            }
            Target::Api(path) if *path == "/api/v1/agency" => format!("GET {path}"),
            Target::Api(path) => format!("POST {path}"),
            Target::ApiDocument(path) => format!("GET {path}"),
            Target::AgencyKeys => "POST /admin/agencies/keys".into(),
            Target::Page(path) => format!("page {path}"),
        }
    }

    /// The kinds of input this target gets, one request each per caller; a server function
    /// also three per field with that field alone mutated (two with control characters, the
    /// likeliest to reach storage unchecked).
    pub fn kinds(&self) -> Vec<Kind> {
        use Kind::*;
        let kinds: &[Kind] = match self {
            Target::ServerFn { .. } => &[
                WellFormed,
                NastyValues,
                MissingFields,
                DuplicateFields,
                UnknownFields,
                NestedBrackets,
                BrokenPercent,
                InvalidUtf8,
                RandomBytes,
                Json,
                Multipart,
                NoContentType,
                Empty,
                JustUnderLimit,
                OverLimit,
                OverLimitChunked,
                WrongMethod,
                PlainFormPost,
                RawRequest,
            ],
            Target::Deliver => &[
                WellFormed,
                NastyValues,
                BrokenMultipart,
                Json,
                Empty,
                NastyPath,
                JustUnderLimit,
                WrongMethod,
                PlainFormPost,
                RawRequest,
            ],
            Target::Photo | Target::Ledger | Target::DeskExport | Target::HoursExport => &[
                WellFormed,
                NastyPath,
                RandomQuery,
                BrokenPercent,
                WrongMethod,
                RawRequest,
            ],
            Target::Api(_) => &[
                WellFormed,
                NastyValues,
                Json,
                RandomBytes,
                InvalidUtf8,
                Empty,
                NastyHeader,
                JustUnderLimit,
                OverLimit,
                WrongMethod,
                RawRequest,
            ],
            Target::ApiDocument(_) => &[
                WellFormed,
                RandomQuery,
                NastyHeader,
                WrongMethod,
                RawRequest,
            ],
            Target::AgencyKeys => &[
                WellFormed,
                NastyValues,
                RandomBytes,
                InvalidUtf8,
                Empty,
                Json,
                OverLimit,
                WrongMethod,
                RawRequest,
            ],
            Target::Events | Target::NoticeStream => &[
                WellFormed,
                RandomQuery,
                BrokenPercent,
                NastyHeader,
                WrongMethod,
                RawRequest,
            ],
            Target::Page(_) => &[
                WellFormed,
                RandomQuery,
                BrokenPercent,
                NastyPath,
                ErrorInAddress,
                LongQuery,
                WrongMethod,
                PlainFormPost,
                RawRequest,
            ],
        };
        let mut kinds = kinds.to_vec();
        if let Target::ServerFn { fields, .. } = self {
            for field in 0..fields.len() {
                for how in [
                    Mutation::Control,
                    Mutation::ControlAndBreaks,
                    Mutation::Other,
                ] {
                    kinds.push(Mutate { field, how });
                }
            }
        }
        kinds
    }
}

/// A kind of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// What a client would send: every field (with valid values when valid input is asked).
    WellFormed,
    /// Every field, each value from [`NASTY`] or a long run of one character.
    NastyValues,
    /// Some fields left out.
    MissingFields,
    /// Fields sent twice, as `x[]` or as `x[0]` too.
    DuplicateFields,
    /// Fields no function takes, `__proto__` among them.
    UnknownFields,
    /// Brackets nested deep, unbalanced or empty (`a[[[`, `x[][]`, 2,000 levels).
    NestedBrackets,
    /// `%`, `%4`, `%zz`, escapes of bytes that are not UTF-8.
    BrokenPercent,
    /// Bytes that are not UTF-8 in a form body.
    InvalidUtf8,
    /// Random bytes as the body.
    RandomBytes,
    /// The fields as a JSON object.
    Json,
    /// The fields as `multipart/form-data`.
    Multipart,
    /// A multipart body with no or the wrong boundary, cut short, or random.
    BrokenMultipart,
    /// A form body with no content type, or text/plain, CBOR, a charset, nonsense.
    NoContentType,
    /// No body.
    Empty,
    /// One field padded so the body is just under the 64 KiB limit.
    JustUnderLimit,
    /// One field padded past the limit, its length declared.
    OverLimit,
    /// The same, chunked: only reading finds it too large.
    OverLimitChunked,
    /// Another method: GET, PUT, DELETE, PATCH, HEAD, OPTIONS or POST.
    WrongMethod,
    /// A browser's form post (`Accept: text/html`), with an odd `Referer` or none.
    PlainFormPost,
    /// Known field names and the keys pages read, in the query.
    RandomQuery,
    /// Another id, a nasty one, dot segments, extra segments in the path.
    NastyPath,
    /// A `Last-Event-ID` that is no cursor.
    NastyHeader,
    /// A server function's error in the address (`__err`), forged or not base64.
    ErrorInAddress,
    /// An address just under 64 KiB, or over it.
    LongQuery,
    /// A request line no HTTP client sends, over a bare socket.
    RawRequest,
    /// Every field valid but one, changed.
    Mutate { field: usize, how: Mutation },
}

/// How [`Kind::Mutate`] changes a valid value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// [`CONTROL`]'s first string put in.
    Control,
    /// Its second, with line breaks.
    ControlAndBreaks,
    /// Another change, chosen at random.
    Other,
}

impl Kind {
    /// Input refused by the edge or the argument parser whoever sends it: a wrong method, a
    /// body too large or not text, a request line no client sends.
    pub fn refused_before_the_caller(self) -> bool {
        use Kind::*;
        matches!(
            self,
            OverLimit
                | OverLimitChunked
                | RandomBytes
                | InvalidUtf8
                | WrongMethod
                | RawRequest
                | LongQuery
        )
    }
}

/// One request, exactly as sent.
#[derive(Clone, Debug)]
pub struct Input {
    pub method: Method,
    /// Path and query as they go on the request line (deliberately broken ones included).
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// Sent without a length (chunked), so only reading it finds it too large.
    pub chunked: bool,
    /// Sent over a bare socket, byte for byte (for what no HTTP client would send).
    pub raw: bool,
    /// How it was made, for a person reading a failure.
    pub recipe: String,
}

impl Input {
    fn new(method: Method, path: impl Into<String>, kind: Kind) -> Input {
        Input {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
            raw: false,
            recipe: format!("{kind:?}"),
        }
    }

    fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Input {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Input {
        self.body = body.into();
        self.header("content-type", content_type)
    }
}

pub fn encode(pairs: &[(String, String)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

/// Percent-encodes what may not stand in a URL as it is, keeping `%` (and so broken escapes).
fn as_query(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"%&=[]-_.~+,;:@/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Base64 (URL-safe, padded), as a form post puts its error in the address.
fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn multipart(parts: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"x.png\"\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// Builds the requests, all from one seeded [`Rng`].
pub struct Generator<'a> {
    pub rng: Rng,
    pub hints: &'a Hints,
    pub fixtures: &'a Fixtures,
}

impl Generator<'_> {
    /// A request of `kind` to `target`; with `valid`, valid-looking values where the kind
    /// has values, otherwise only invalid ones.
    pub fn generate(&mut self, target: &Target, kind: Kind, valid: bool) -> Input {
        let mut input = match target {
            Target::ServerFn {
                path,
                method,
                fields,
            } => self.server_fn(path, method, fields, kind, valid),
            Target::Deliver => self.deliver(kind, valid),
            Target::Photo
            | Target::Ledger
            | Target::DeskExport
            | Target::HoursExport
            | Target::Events
            | Target::NoticeStream => self.get_route(target, kind, valid),
            Target::Api(path) => self.api(path, kind, valid),
            Target::ApiDocument(path) => self.api_document(path, kind),
            Target::AgencyKeys => self.agency_keys(kind, valid),
            Target::Page(path) => self.page(path, kind, valid),
        };
        // (Not on well-formed or mutated requests: they are to reach the function as sent.)
        let plain = matches!(kind, Kind::WellFormed | Kind::Mutate { .. });
        if !plain && self.rng.chance(25) {
            input = self.noise(input);
        }
        // No HTTP client sends an address this long, or these header bytes: a bare socket does.
        input.raw |= input.path.len() > 60_000
            || input
                .headers
                .iter()
                .any(|(_, value)| reqwest::header::HeaderValue::from_bytes(value).is_err());
        input
    }

    /// A value for `field`: with `valid`, mostly one the hints call valid or at an edge;
    /// otherwise nasty.
    fn value(&mut self, field: &Field, valid: bool) -> String {
        if valid && self.rng.chance(75) {
            self.hints.near(field, &mut self.rng)
        } else {
            nasty(&mut self.rng)
        }
    }

    /// Every required field, and each optional one half the time, with values from
    /// [`Generator::value`]; with `all_valid`, every field, each valid as far as the hints
    /// know (the start of a well-formed or a mutated request).
    fn pairs(&mut self, fields: &[Field], valid: bool, all_valid: bool) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        for field in fields {
            let value = if all_valid {
                self.hints.valid(field, &mut self.rng)
            } else if field.optional && self.rng.chance(50) {
                continue;
            } else {
                self.value(field, valid)
            };
            pairs.push((field.key.clone(), value));
        }
        pairs
    }

    /// `value` changed: control characters put in at a random place (at the start of a cell of
    /// its last line when it is comma-separated), or one of: negated, followed by digits, repeated past every
    /// length limit, wrapped in odd white space, followed by markup, emptied, followed by
    /// characters outside the basic plane.
    fn mutate(&mut self, value: &str, how: Mutation) -> (String, &'static str) {
        if how != Mutation::Other {
            // The cells of the last line of a CSV value (a header's are not read as data).
            let last_line = value.trim_end().rfind('\n').map_or(0, |at| at + 1);
            let cells: Vec<usize> = value[last_line..]
                .match_indices(',')
                .map(|(at, _)| last_line + at + 1)
                .collect();
            let at = if cells.is_empty() {
                let chars = value.chars().count();
                value
                    .char_indices()
                    .nth(self.rng.below(chars + 1))
                    .map_or(value.len(), |(at, _)| at)
            } else {
                *self.rng.pick(&cells)
            };
            let control = CONTROL[usize::from(how == Mutation::ControlAndBreaks)];
            let changed = format!("{}{control}{}", &value[..at], &value[at..]);
            return (changed, "control characters put in");
        }
        match self.rng.below(7) {
            0 => (format!("-{value}"), "negated"),
            1 => (format!("{value}{}", "9".repeat(24)), "followed by 24 nines"),
            2 => {
                let unit = if value.is_empty() { "a" } else { value };
                let times = 1001 / unit.chars().count() + 1;
                (unit.repeat(times), "repeated past 1,000 characters")
            }
            3 => (format!("\u{3000} {value}\t"), "wrapped in odd white space"),
            4 => (format!("{value}<script>'\"%zz&=;"), "followed by markup"),
            5 => (String::new(), "emptied"),
            _ => (
                format!("{value}😀𠀀\u{fffd}"),
                "followed by astral characters",
            ),
        }
    }

    /// One header more: a forged session cookie (a random token, or bytes that are not
    /// text), or one of [`NOISE`].
    fn noise(&mut self, input: Input) -> Input {
        match self.rng.below(NOISE.len() + 2) {
            0 => {
                let token: String = self
                    .rng
                    .bytes(32)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                input.header("cookie", format!("wanshan_session={token}"))
            }
            1 => input.header("cookie", [b'w', 0xFF, b'=', 0xFE]),
            n => {
                let (name, values) = NOISE[n - 2];
                let value = *self.rng.pick(values);
                input.header(name, value)
            }
        }
    }

    /// A path segment where a claim's id belongs.
    fn segment(&mut self, valid: bool) -> String {
        if valid && self.rng.chance(60) {
            self.rng.pick(&self.fixtures.claims).to_string()
        } else {
            as_query(nasty(&mut self.rng).as_bytes()).replace('/', "%2F")
        }
    }

    /// A few pairs of known field names and the keys pages read.
    fn random_query(&mut self, valid: bool) -> String {
        let mut keys: Vec<&str> = self.hints.names();
        keys.extend(["__err", "open", "edit", "claimed", "error", "saved"]);
        let pairs: Vec<(String, String)> = (0..1 + self.rng.below(4))
            .map(|_| {
                let key = *self.rng.pick(&keys);
                let value = self.value(&Field::named(key), valid);
                (key.to_owned(), value)
            })
            .collect();
        encode(&pairs)
    }

    fn broken_percent(&mut self) -> String {
        let pieces = [
            "%", "%4", "%zz", "%ff%fe", "%C3%28", "%E5%AD", "%00", "%%", "+", "&&", "==", "%25",
        ];
        (0..1 + self.rng.below(5))
            .map(|_| {
                let key = self.rng.pick(&pieces);
                let value = self.rng.pick(&pieces).repeat(1 + self.rng.below(3));
                format!("{key}={value}")
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    fn server_fn(
        &mut self,
        path: &str,
        method: &Method,
        fields: &[Field],
        kind: Kind,
        valid: bool,
    ) -> Input {
        use Kind::*;
        let mut input = Input::new(method.clone(), path, kind);
        let all_valid = valid && matches!(kind, WellFormed | Mutate { .. });
        let mut pairs = self.pairs(fields, valid && kind != NastyValues, all_valid);
        let mut content_type = Some(FORM.to_owned());
        let body: Vec<u8> = match kind {
            WellFormed | NastyValues => encode(&pairs).into_bytes(),
            Json => {
                content_type = Some("application/json".into());
                let object: serde_json::Map<String, serde_json::Value> = pairs
                    .into_iter()
                    .map(|(key, value)| (key, serde_json::Value::String(value)))
                    .collect();
                serde_json::to_vec(&object).expect("JSON")
            }
            Multipart => {
                content_type = Some(multipart_type());
                let parts: Vec<(&str, Vec<u8>)> = pairs
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.clone().into_bytes()))
                    .collect();
                multipart(&parts)
            }
            NoContentType => {
                content_type = self
                    .rng
                    .chance(50)
                    .then(|| {
                        self.rng.pick(&[
                            "text/plain",
                            "application/x-www-form-urlencoded; charset=latin1",
                            "garbage",
                            "application/cbor",
                        ])
                    })
                    .map(|t| t.to_string());
                encode(&pairs).into_bytes()
            }
            Empty => {
                if self.rng.chance(50) {
                    content_type = None;
                }
                Vec::new()
            }
            WrongMethod => {
                let others: Vec<Method> = [
                    Method::GET,
                    Method::POST,
                    Method::PUT,
                    Method::DELETE,
                    Method::PATCH,
                    Method::HEAD,
                    Method::OPTIONS,
                ]
                .into_iter()
                .filter(|other| other != method)
                .collect();
                input.method = self.rng.pick(&others).clone();
                let query = encode(&pairs);
                if query.len() < 8192 {
                    input.path = format!("{path}?{query}");
                }
                query.into_bytes()
            }
            PlainFormPost => {
                input = input.header("accept", "text/html,application/xhtml+xml");
                if self.rng.chance(70) {
                    let referer = *self.rng.pick(&[
                        "/intake",
                        "https://evil.example/x",
                        "::::",
                        "/?__err=x",
                        "/review?__path=/api/x&__err=e30",
                    ]);
                    input = input.header("referer", referer);
                }
                encode(&pairs).into_bytes()
            }
            MissingFields => {
                pairs.truncate(self.rng.below(pairs.len()));
                encode(&pairs).into_bytes()
            }
            DuplicateFields => {
                for (key, _) in pairs.clone() {
                    if self.rng.chance(70) {
                        let key = match self.rng.below(3) {
                            0 => key,
                            1 => format!("{key}[]"),
                            _ => format!("{key}[0]"),
                        };
                        pairs.push((key, nasty(&mut self.rng)));
                    }
                }
                encode(&pairs).into_bytes()
            }
            UnknownFields => {
                for _ in 0..1 + self.rng.below(6) {
                    let key = match self.rng.below(3) {
                        0 => format!("x{}", self.rng.below(1000)),
                        1 => nasty(&mut self.rng),
                        _ => "__proto__".to_owned(),
                    };
                    pairs.push((key, nasty(&mut self.rng)));
                }
                encode(&pairs).into_bytes()
            }
            NestedBrackets => {
                let key = fields.first().map_or("a", |field| field.key.as_str());
                let depth = *self.rng.pick(&[2usize, 6, 7, 64, 2000]);
                let forms = [
                    format!("{key}{}=1", "[x]".repeat(depth)),
                    format!("{key}{}=1", "[".repeat(depth)),
                    format!("{key}{}=1", "]".repeat(depth)),
                    format!("{}{key}=1", "[".repeat(depth)),
                    format!("{key}[][]=1&{key}[0][1]=2&{key}[a]=3&{key}=4"),
                    "[=1&]=2&[]=3&[[]]=4&a[=5&a]=6".to_owned(),
                ];
                let brackets = self.rng.pick(&forms);
                format!("{}&{brackets}", encode(&pairs)).into_bytes()
            }
            BrokenPercent => {
                let broken = self.broken_percent();
                format!("{broken}&{}", encode(&pairs)).into_bytes()
            }
            InvalidUtf8 => {
                const JUNK: [&[u8]; 6] = [
                    &[0xFF, 0xFE],
                    &[0xC3, 0x28],
                    &[0xE5, 0xAD],
                    &[0xF0, 0x28, 0x8C, 0xBC],
                    &[0xED, 0xA0, 0x80],
                    &[0xC0, 0xAF],
                ];
                let mut body = encode(&pairs).into_bytes();
                let at = self.rng.below(body.len() + 1);
                let junk = self.rng.pick(&JUNK);
                body.splice(at..at, junk.iter().copied());
                body
            }
            RandomBytes => {
                let n = *self.rng.pick(&[1usize, 16, 300, 2048]);
                self.rng.bytes(n)
            }
            JustUnderLimit | OverLimit | OverLimitChunked => {
                if pairs.is_empty() {
                    pairs.push(("padding".into(), String::new()));
                }
                let which = self.rng.below(pairs.len());
                pairs[which].1.clear();
                let length = match kind {
                    JustUnderLimit => BODY_LIMIT - 1 - self.rng.below(64),
                    _ => BODY_LIMIT + 1 + self.rng.below(4096),
                };
                pairs[which].1 = "a".repeat(length.saturating_sub(encode(&pairs).len()));
                input.recipe = format!(
                    "{kind:?}: field `{}` padded with 'a' to a {length}-byte body",
                    pairs[which].0
                );
                input.chunked = kind == OverLimitChunked;
                encode(&pairs).into_bytes()
            }
            Mutate { field, how } => {
                let chosen = &fields[field];
                let base = if valid {
                    self.hints.valid(chosen, &mut self.rng)
                } else {
                    nasty(&mut self.rng)
                };
                let (value, how) = self.mutate(&base, how);
                pairs.retain(|(key, _)| *key != chosen.key);
                pairs.push((chosen.key.clone(), value));
                let others = if valid { "valid-looking" } else { "invalid" };
                input.recipe = format!("Mutate: `{}` {how}, the others {others}", chosen.key);
                encode(&pairs).into_bytes()
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("{path}{}", self.rng.pick(&RAW_SUFFIXES));
                encode(&pairs).into_bytes()
            }
            _ => unreachable!("{kind:?} is not a server function input"),
        };
        if let Some(content_type) = content_type {
            input = input.header("content-type", content_type);
        }
        input.body = body;
        if *method == Method::GET && input.method == Method::GET && !input.body.is_empty() {
            // A GET-encoded function reads its arguments from the query.
            let query = as_query(&std::mem::take(&mut input.body));
            let path = input.path.split('?').next().unwrap_or(path).to_owned();
            input.path = format!("{path}?{query}");
        }
        input
    }

    fn deliver(&mut self, kind: Kind, valid: bool) -> Input {
        use Kind::*;
        let claim = self.segment(valid && kind != NastyPath);
        let mut input = Input::new(Method::POST, format!("/api/deliver/{claim}"), kind);
        let note = if valid && kind != NastyValues && self.rng.chance(70) {
            "已把费用交到家属手中".to_owned()
        } else {
            nasty(&mut self.rng)
        };
        let mut parts = vec![("note", note.into_bytes())];
        if self.rng.chance(60) {
            // A JPEG's or a PNG's first bytes, HTML, or nothing, then random bytes.
            let mut photo = match self.rng.below(4) {
                0 => vec![0xFF, 0xD8, 0xFF, 0xE0],
                1 => b"\x89PNG\r\n\x1a\n".to_vec(),
                2 => b"<html><script>alert(1)</script>".to_vec(),
                _ => Vec::new(),
            };
            let n = self.rng.below(512);
            photo.extend(self.rng.bytes(n));
            parts.push(("photo", photo));
        }
        match kind {
            WellFormed | NastyValues | NastyPath => {
                input.body(&multipart_type(), multipart(&parts))
            }
            PlainFormPost => input
                .header("accept", "text/html")
                .body(&multipart_type(), multipart(&parts)),
            JustUnderLimit => {
                input.recipe = "a note of 65,636 'a's (the route takes 5.25 MB)".into();
                let parts = [("note", vec![b'a'; BODY_LIMIT + 100])];
                input.body(&multipart_type(), multipart(&parts))
            }
            BrokenMultipart => {
                let mut body = multipart(&parts);
                let content_type = match self.rng.below(5) {
                    0 => "multipart/form-data".to_owned(),
                    1 => "multipart/form-data; boundary=other".to_owned(),
                    2 => {
                        body.truncate(body.len() / 2);
                        multipart_type()
                    }
                    3 => {
                        body = self.rng.bytes(300);
                        multipart_type()
                    }
                    _ => {
                        body = multipart(&[("note", b"\xff\xfe".to_vec())]);
                        multipart_type()
                    }
                };
                input.body(&content_type, body)
            }
            Json => input.body("application/json", br#"{"note":"x","photo":null}"#.to_vec()),
            Empty => input,
            WrongMethod => {
                input.method = self
                    .rng
                    .pick(&[Method::GET, Method::PUT, Method::DELETE])
                    .clone();
                input
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("/api/deliver/{}", self.rng.pick(&RAW_SUFFIXES));
                input.body(&multipart_type(), multipart(&parts))
            }
            _ => unreachable!("{kind:?} is not a delivery input"),
        }
    }

    /// A call of the agency API: with `valid`, the fixture's key and fields that could be
    /// right; otherwise no key or a broken one, and nasty values.
    fn api(&mut self, path: &'static str, kind: Kind, valid: bool) -> Input {
        use Kind::*;
        let get = path == "/api/v1/agency";
        let csv = path.ends_with(".csv");
        let method = if get { Method::GET } else { Method::POST };
        let mut input = Input::new(method, path, kind);
        if valid {
            let token = format!("Bearer {}", self.fixtures.api_token);
            input = input.header("authorization", token.into_bytes());
        }
        let plain = valid && kind == WellFormed;
        let text = |g: &mut Self, good: &str| {
            if plain && g.rng.chance(80) {
                good.to_owned()
            } else {
                nasty(&mut g.rng)
            }
        };
        let id = if plain {
            self.hints.near(&Field::named("id_number"), &mut self.rng)
        } else {
            nasty(&mut self.rng)
        };
        let window = *self.rng.pick(&["medical", "education", "home", "services"]);
        let window = text(self, window);
        let key = format!("k-{}", self.rng.below(50));
        let key = text(self, &key);
        let cause = text(self, "住院自付费用");
        let date = text(self, "2026-03-15");
        let amount = if self.rng.chance(50) {
            serde_json::json!(self.rng.below(400_000))
        } else {
            serde_json::json!(nasty(&mut self.rng))
        };
        let body: Vec<u8> = if csv {
            format!(
                "key,id_number,window,cause,date,amount_fen\n{key},{id},{window},{cause},{date},{}\n",
                self.rng.below(100_000)
            )
            .into_bytes()
        } else if path.ends_with("/query") {
            serde_json::to_vec(&serde_json::json!({"id_number": id, "window": window, "months": self.rng.below(130)}))
                .expect("JSON")
        } else {
            serde_json::to_vec(&serde_json::json!({"key": key, "id_number": id, "window": window, "cause": cause, "date": date, "amount_fen": amount}))
                .expect("JSON")
        };
        let content_type = if csv { "text/csv" } else { "application/json" };
        let limit = if csv { 1024 * 1024 } else { BODY_LIMIT };
        match kind {
            WellFormed | NastyValues if get => input,
            WellFormed | NastyValues => input.body(content_type, body),
            Json => {
                let shapes: [&[u8]; 6] = [
                    b"[1,2]",
                    b"null",
                    b"{\"id_number\":{\"a\":1}}",
                    b"{\"key\":1e999}",
                    b"\"x\"",
                    b"{\"months\":-1,\"id_number\":\"1\"}",
                ];
                let mut body = self.rng.pick(&shapes).to_vec();
                if self.rng.chance(30) {
                    body = [vec![b'['; 5_000], vec![b']'; 5_000]].concat();
                }
                input.body("application/json", body)
            }
            RandomBytes => {
                let n = self.rng.below(2_000);
                let bytes = self.rng.bytes(n);
                input.body(content_type, bytes)
            }
            InvalidUtf8 => input.body(content_type, b"{\"id_number\":\"\xff\xfe\"}".to_vec()),
            Empty => input.body(content_type, Vec::new()),
            NastyHeader => {
                let value: Vec<u8> = match self.rng.below(4) {
                    0 => format!(
                        "Bearer {}",
                        nasty(&mut self.rng).replace(['\r', '\n', '\0'], "")
                    )
                    .into_bytes(),
                    1 => vec![0xFF, 0xFE, b'1'],
                    2 => {
                        // The fixture's prefix with another secret.
                        let mut token = self.fixtures.api_token.clone();
                        token.truncate(17);
                        format!("Bearer {token}{}", "0".repeat(64)).into_bytes()
                    }
                    _ => b"Basic dXNlcjpwYXNz".to_vec(),
                };
                input.headers.retain(|(name, _)| name != "authorization");
                input
                    .header("authorization", value)
                    .body(content_type, body)
            }
            JustUnderLimit | OverLimit => {
                let size = match kind {
                    JustUnderLimit => limit - 1 - self.rng.below(64),
                    _ => limit + 1 + self.rng.below(4096),
                };
                input.recipe = format!("{kind:?}: {size} bytes");
                let mut body = b"{\"id_number\":\"".to_vec();
                body.resize(size - 2, b'1');
                body.extend_from_slice(b"\"}");
                input.body(content_type, body)
            }
            WrongMethod => {
                input.method = self
                    .rng
                    .pick(&[Method::PUT, Method::DELETE, Method::PATCH])
                    .clone();
                input.body(content_type, body)
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("{path}{}", self.rng.pick(&RAW_SUFFIXES));
                input
            }
            _ => unreachable!("{kind:?} is not an API input"),
        }
    }

    /// The API's document or page.
    fn api_document(&mut self, path: &'static str, kind: Kind) -> Input {
        use Kind::*;
        let mut input = Input::new(Method::GET, path, kind);
        match kind {
            WellFormed => input,
            RandomQuery => {
                let joint = if path.contains('?') { '&' } else { '?' };
                input.path = format!("{path}{joint}{}", self.random_query(false));
                input
            }
            NastyHeader => input.header(
                "accept",
                nasty(&mut self.rng)
                    .replace(['\r', '\n', '\0'], "")
                    .into_bytes(),
            ),
            WrongMethod => {
                input.method = Method::POST;
                input.body(FORM, self.rng.bytes(64))
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("{path}{}", self.rng.pick(&RAW_SUFFIXES));
                input
            }
            _ => unreachable!("{kind:?} is not a document input"),
        }
    }

    /// The admins' key form: the fixture agency (or another number) and its fields.
    fn agency_keys(&mut self, kind: Kind, valid: bool) -> Input {
        use Kind::*;
        let input = Input::new(Method::POST, "/admin/agencies/keys", kind);
        let plain = valid && kind == WellFormed;
        let agency = if plain {
            self.fixtures.agency.to_string()
        } else {
            nasty(&mut self.rng)
        };
        let per_minute = if plain {
            "60".to_owned()
        } else {
            nasty(&mut self.rng)
        };
        let label = nasty(&mut self.rng);
        let pairs = vec![
            ("agency_id".to_owned(), agency),
            ("label".to_owned(), label),
            ("query".to_owned(), "true".to_owned()),
            ("per_minute".to_owned(), per_minute),
        ];
        match kind {
            WellFormed | NastyValues => input.body(FORM, encode(&pairs).into_bytes()),
            RandomBytes => {
                let n = self.rng.below(2_000);
                let bytes = self.rng.bytes(n);
                input.body(FORM, bytes)
            }
            InvalidUtf8 => input.body(FORM, b"agency_id=%ff%fe&label=\xff".to_vec()),
            Empty => input.body(FORM, Vec::new()),
            Json => input.body("application/json", b"{\"agency_id\":1}".to_vec()),
            OverLimit => {
                let mut body = b"label=".to_vec();
                body.resize(BODY_LIMIT + 1 + self.rng.below(4096), b'a');
                input.body(FORM, body)
            }
            WrongMethod => {
                let mut input = input;
                input.method = self
                    .rng
                    .pick(&[Method::GET, Method::PUT, Method::DELETE])
                    .clone();
                input
            }
            RawRequest => {
                let mut input = input;
                input.raw = true;
                input.path = format!("/admin/agencies/keys{}", self.rng.pick(&RAW_SUFFIXES));
                input
            }
            _ => unreachable!("{kind:?} is not a key-form input"),
        }
    }

    fn get_route(&mut self, target: &Target, kind: Kind, valid: bool) -> Input {
        use Kind::*;
        let base = match target {
            Target::Photo => {
                let claim = self.segment(valid && kind != NastyPath);
                format!("/api/claims/{claim}/photo")
            }
            Target::Ledger if kind == NastyPath => {
                format!("/api/credit/{}", self.segment(false))
            }
            Target::Ledger => "/api/credit/ledger.csv".into(),
            Target::DeskExport if kind == NastyPath => {
                format!("/desk/export/{}", self.segment(false))
            }
            Target::DeskExport => {
                let files = ["council.csv", "flow.csv", "supply.csv", "referrals.csv"];
                format!("/desk/export/{}", self.rng.pick(&files))
            }
            Target::HoursExport if kind == NastyPath => {
                format!("/admin/export/{}", self.segment(false))
            }
            Target::HoursExport => "/admin/export/hours.csv".into(),
            Target::NoticeStream => wanshan_app::pages::notices::NOTICE_STREAM_PATH.into(),
            _ => "/api/events".into(),
        };
        let mut input = Input::new(Method::GET, &base, kind);
        match kind {
            WellFormed | NastyPath => {
                if matches!(target, Target::Events) {
                    let after = self.hints.near(&Field::named("after"), &mut self.rng);
                    input.path = format!("{base}?after={after}");
                }
            }
            RandomQuery => {
                let after = encode(&[("after".to_owned(), nasty(&mut self.rng))]);
                input.path = format!("{base}?{}&{after}", self.random_query(valid));
            }
            BrokenPercent => input.path = format!("{base}?{}", self.broken_percent()),
            NastyHeader => {
                let value: Vec<u8> = match self.rng.below(3) {
                    // (No line breaks or NUL: they would end the header, not fill it.)
                    0 => nasty(&mut self.rng)
                        .replace(['\r', '\n', '\0'], "")
                        .into_bytes(),
                    1 => vec![0xFF, 0xFE, b'1'],
                    _ => b"99999999999999999999".to_vec(),
                };
                input = input.header("last-event-id", value);
            }
            WrongMethod => {
                input.method = self
                    .rng
                    .pick(&[Method::POST, Method::PUT, Method::DELETE, Method::PATCH])
                    .clone();
                input = input.body(FORM, self.rng.bytes(64));
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("{base}{}", self.rng.pick(&RAW_SUFFIXES));
            }
            _ => unreachable!("{kind:?} is not a route input"),
        }
        input
    }

    fn page(&mut self, path: &str, kind: Kind, valid: bool) -> Input {
        use Kind::*;
        let mut input = Input::new(Method::GET, path, kind);
        let sep = if path.ends_with('/') { "" } else { "/" };
        match kind {
            WellFormed => {}
            RandomQuery => input.path = format!("{path}?{}", self.random_query(valid)),
            BrokenPercent => input.path = format!("{path}?{}", self.broken_percent()),
            NastyPath => {
                let segment = as_query(nasty(&mut self.rng).as_bytes());
                let segments = [segment.as_str(), "12", "%ff", "a/b/c", "..%2F..%2Fetc", ""];
                input.path = format!("{path}{sep}{}", self.rng.pick(&segments));
            }
            ErrorInAddress => {
                let error = match self.rng.below(4) {
                    0 => base64(br#"{"code":"Internal","message":"x"}"#),
                    1 => base64(br#"{"code":"NoSuchCode"}"#),
                    2 => base64(&self.rng.bytes(40)),
                    _ => "%%%not-base64%%%".to_owned(),
                };
                input.path = format!("{path}?__path=/api/claim_need&__err={error}");
            }
            LongQuery => {
                // Just under the 64 KiB a URI may have, through the client; over it, raw.
                let n = if self.rng.chance(50) {
                    70_000
                } else {
                    59_000 - self.rng.below(100)
                };
                input.path = format!("{path}?town={}", "a".repeat(n));
                input.recipe = format!("LongQuery: town= and {n} 'a's");
            }
            WrongMethod | PlainFormPost => {
                input.method = self
                    .rng
                    .pick(&[Method::POST, Method::PUT, Method::DELETE, Method::HEAD])
                    .clone();
                if kind == PlainFormPost {
                    input = input.header("accept", "text/html");
                }
                let body = encode(&[("need_id".to_owned(), nasty(&mut self.rng))]);
                input = input.body(FORM, body);
            }
            RawRequest => {
                input.raw = true;
                input.path = format!("{path}{}", self.rng.pick(&RAW_SUFFIXES));
            }
            _ => unreachable!("{kind:?} is not a page input"),
        }
        input
    }
}
