//! The one error type of the application. Every server function returns it; a client matches
//! on [`AppError::code`]. Internal failures are logged on the server and reach the browser only
//! as the bare `Internal` code, never with their cause.

use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ErrorBody", try_from = "ErrorBody")]
pub enum AppError {
    /// No need with that id exists (or it is not public).
    NeedNotFound,
    /// Another donor claimed the need first.
    AlreadyClaimed,
    /// The need exists but is no longer open to claims (fulfilled or taken down).
    NotOpen,
    /// A field failed validation; `message` says what is wrong in plain words.
    Invalid { field: String, message: String },
    /// The request itself was malformed (missing or unparsable arguments).
    BadRequest(String),
    /// The caller is not signed in (or the session expired).
    Unauthorized,
    /// The caller is signed in but their roles do not allow this.
    Forbidden,
    /// Sign-in failed; which of phone or password was wrong is not said.
    WrongCredentials,
    /// Sign-up with a phone number that already has an account.
    PhoneTaken,
    /// A household with this ID number is already registered.
    HouseholdExists,
    /// The need is not at the review stage this action is for (already moved on, or not yet).
    WrongStage,
    /// Approval needs different people: the author cannot review, nor one person both stages.
    SameReviewer,
    /// The household was helped in the same window recently and the reviewer has not said why
    /// this need should be approved anyway.
    DuplicateAid,
    /// The donor already holds as many undelivered claims as allowed.
    TooManyClaims(u32),
    /// The donor has as many deliveries waiting for a volunteer's confirmation as allowed.
    TooManyUnconfirmed(u32),
    /// The donor made as many claims in the last 24 hours as allowed (released ones count too):
    /// claiming and releasing cannot be repeated without end.
    TooManyClaimsToday(u32),
    /// The need was edited after the reviewer opened it: they must look at it again.
    NeedChanged,
    /// A family code that is not one (no such slip, or the wrong secret).
    WrongCode,
    /// A family code tried wrong too often (or too many wrong codes from one address): locked
    /// for a while.
    CodeLocked,
    /// A family code already used, or past its date.
    CodeSpent,
    /// Too many wrong passwords for this phone lately.
    TooManyAttempts,
    /// Too many reports (举报/纠错) from one client address lately.
    TooManyReports,
    /// The need has as many unresolved reports as are kept: the town's reviewer is already
    /// looking into it, and one more would change nothing.
    ReportsFull,
    /// No service offer with that id is public (or the caller may not see it).
    OfferNotFound,
    /// Every place of the service's time slot is booked.
    SlotFull,
    /// The household is already booked onto this time slot.
    AlreadyBooked,
    /// A volunteer recorded as many activities (or had as many hours certificates issued) in
    /// 24 hours as allowed.
    HoursLimit(u32),
    /// An agency's idempotency key was already used for a different aid record.
    KeyReused,
    /// An API key made as many calls this minute as it may: 429 with Retry-After (seconds).
    RateLimited(u32),
    /// The server is too busy to do this now (e.g. every password-hashing turn is taken):
    /// 503 with Retry-After.
    Busy,
    /// The browser could not reach the server.
    Network,
    /// Something failed on the server; the cause is in the server's log only.
    Internal,
}

impl AppError {
    /// What the error says, in `locale`. `Invalid`'s message is returned as it is: it was
    /// written in the caller's language when the error was made.
    pub fn message(&self, locale: crate::lang::Locale) -> String {
        match self {
            AppError::NeedNotFound => td_string!(locale, errors.need_not_found).to_owned(),
            AppError::AlreadyClaimed => td_string!(locale, errors.already_claimed).to_owned(),
            AppError::NotOpen => td_string!(locale, errors.not_open).to_owned(),
            AppError::Invalid { message, .. } => message.clone(),
            AppError::BadRequest(detail) => {
                td_string!(locale, errors.bad_request, detail = detail).to_string()
            }
            AppError::Unauthorized => td_string!(locale, errors.unauthorized).to_owned(),
            AppError::Forbidden => td_string!(locale, errors.forbidden).to_owned(),
            AppError::WrongCredentials => td_string!(locale, errors.wrong_credentials).to_owned(),
            AppError::PhoneTaken => td_string!(locale, errors.phone_taken).to_owned(),
            AppError::HouseholdExists => td_string!(locale, errors.household_exists).to_owned(),
            AppError::WrongStage => td_string!(locale, errors.wrong_stage).to_owned(),
            AppError::SameReviewer => td_string!(locale, errors.same_reviewer).to_owned(),
            AppError::DuplicateAid => td_string!(locale, errors.duplicate_aid).to_owned(),
            AppError::TooManyClaims(n) => {
                td_string!(locale, errors.too_many_claims, n = n).to_string()
            }
            AppError::TooManyUnconfirmed(n) => {
                td_string!(locale, errors.too_many_unconfirmed, n = n).to_string()
            }
            AppError::TooManyClaimsToday(n) => {
                td_string!(locale, errors.too_many_claims_today, n = n).to_string()
            }
            AppError::NeedChanged => td_string!(locale, errors.need_changed).to_owned(),
            AppError::WrongCode => td_string!(locale, errors.wrong_code).to_owned(),
            AppError::CodeLocked => td_string!(locale, errors.code_locked).to_owned(),
            AppError::CodeSpent => td_string!(locale, errors.code_spent).to_owned(),
            AppError::TooManyAttempts => td_string!(locale, errors.too_many_attempts).to_owned(),
            AppError::TooManyReports => td_string!(locale, errors.too_many_reports).to_owned(),
            AppError::ReportsFull => td_string!(locale, errors.reports_full).to_owned(),
            AppError::OfferNotFound => td_string!(locale, errors.offer_not_found).to_owned(),
            AppError::SlotFull => td_string!(locale, errors.slot_full).to_owned(),
            AppError::AlreadyBooked => td_string!(locale, errors.already_booked).to_owned(),
            AppError::HoursLimit(n) => td_string!(locale, errors.hours_limit, n = n).to_string(),
            AppError::KeyReused => td_string!(locale, errors.key_reused).to_owned(),
            AppError::RateLimited(seconds) => {
                td_string!(locale, errors.rate_limited, seconds = seconds).to_string()
            }
            AppError::Busy => td_string!(locale, errors.busy).to_owned(),
            AppError::Network => td_string!(locale, errors.network).to_owned(),
            AppError::Internal => td_string!(locale, errors.internal).to_owned(),
        }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// The stable code a client matches on.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NeedNotFound => "NeedNotFound",
            AppError::AlreadyClaimed => "AlreadyClaimed",
            AppError::NotOpen => "NotOpen",
            AppError::Invalid { .. } => "Invalid",
            AppError::BadRequest(_) => "BadRequest",
            AppError::Unauthorized => "Unauthorized",
            AppError::Forbidden => "Forbidden",
            AppError::WrongCredentials => "WrongCredentials",
            AppError::PhoneTaken => "PhoneTaken",
            AppError::HouseholdExists => "HouseholdExists",
            AppError::WrongStage => "WrongStage",
            AppError::SameReviewer => "SameReviewer",
            AppError::DuplicateAid => "DuplicateAid",
            AppError::TooManyClaims(_) => "TooManyClaims",
            AppError::TooManyUnconfirmed(_) => "TooManyUnconfirmed",
            AppError::TooManyClaimsToday(_) => "TooManyClaimsToday",
            AppError::NeedChanged => "NeedChanged",
            AppError::WrongCode => "WrongCode",
            AppError::CodeLocked => "CodeLocked",
            AppError::CodeSpent => "CodeSpent",
            AppError::TooManyAttempts => "TooManyAttempts",
            AppError::TooManyReports => "TooManyReports",
            AppError::ReportsFull => "ReportsFull",
            AppError::OfferNotFound => "OfferNotFound",
            AppError::SlotFull => "SlotFull",
            AppError::AlreadyBooked => "AlreadyBooked",
            AppError::HoursLimit(_) => "HoursLimit",
            AppError::KeyReused => "KeyReused",
            AppError::RateLimited(_) => "RateLimited",
            AppError::Busy => "Busy",
            AppError::Network => "Network",
            AppError::Internal => "Internal",
        }
    }

    /// The HTTP status the server answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NeedNotFound | AppError::OfferNotFound => 404,
            AppError::Unauthorized | AppError::WrongCredentials => 401,
            AppError::Forbidden => 403,
            AppError::TooManyAttempts
            | AppError::TooManyClaimsToday(_)
            | AppError::CodeLocked
            | AppError::TooManyReports
            | AppError::HoursLimit(_)
            | AppError::RateLimited(_) => 429,
            AppError::WrongCode => 422,
            AppError::CodeSpent => 410,
            AppError::AlreadyClaimed
            | AppError::NotOpen
            | AppError::PhoneTaken
            | AppError::HouseholdExists
            | AppError::WrongStage
            | AppError::SameReviewer
            | AppError::DuplicateAid
            | AppError::TooManyClaims(_)
            | AppError::TooManyUnconfirmed(_)
            | AppError::NeedChanged
            | AppError::ReportsFull
            | AppError::SlotFull
            | AppError::AlreadyBooked
            | AppError::KeyReused => 409,
            AppError::Invalid { .. } => 422,
            AppError::BadRequest(_) => 400,
            AppError::Busy | AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// Logs an internal failure with its cause and returns the opaque error sent to clients.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "{context}");
        AppError::Internal
    }

    /// A value read back from storage that does not parse: the database holds something the
    /// code never writes. Logged with what it was; the client hears only `Internal`.
    #[cfg(feature = "ssr")]
    pub fn corrupt(what: &str, cause: impl std::fmt::Debug) -> Self {
        tracing::error!(cause = ?cause, "a stored {what} does not parse");
        AppError::Internal
    }
}

/// The message in the language of the page being rendered (or of the request being answered).
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(crate::lang::locale()))
    }
}

impl std::error::Error for AppError {}

/// How long a client told `Busy` should wait, in seconds.
#[cfg(feature = "ssr")]
const RETRY_AFTER_SECONDS: &str = "2";

/// Plain axum handlers answer an error with its own status and its JSON wire form.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let status = http::StatusCode::from_u16(self.status())
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        let retry_after = match self {
            AppError::Busy => Some(http::HeaderValue::from_static(RETRY_AFTER_SECONDS)),
            AppError::RateLimited(seconds) => Some(http::HeaderValue::from(seconds)),
            _ => None,
        };
        if let Some(value) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, value);
        }
        response
    }
}

/// The wire form: `{"code": "...", "message": "...", "field": "..."}`, and `sig` when the
/// error travels in a page's address ([`form_error_sig`]).
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sig: Option<String>,
}

/// What a form shows for an error whose words cannot be trusted (see [`form_error_sig`]).
#[cfg(feature = "ssr")]
fn unsigned_invalid() -> String {
    td_string!(crate::lang::locale(), errors.unsigned_invalid).to_owned()
}

/// The signature of an error a plain form post carries back in the page's address
/// (`?__err=…`): a keyed hash of its code, field and message. Anyone can write such an
/// address; the page shows the words only when the server signed them, so a link cannot put a
/// message of its author's choosing ("请拨打…") beside a form.
#[cfg(feature = "ssr")]
fn form_error_sig(body: &ErrorBody) -> Option<String> {
    use hmac::Mac;
    let settings = leptos::prelude::use_context::<crate::settings::Settings>()?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&settings.id_key.0).ok()?;
    for part in [
        "form-error",
        &body.code,
        body.field.as_deref().unwrap_or(""),
        &body.message,
    ] {
        mac.update(part.as_bytes());
        mac.update(b"\0");
    }
    Some(hex::encode(&mac.finalize().into_bytes()[..16]))
}

impl From<AppError> for ErrorBody {
    fn from(error: AppError) -> Self {
        let field = match &error {
            AppError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        ErrorBody {
            code: error.code().to_owned(),
            message: error.to_string(),
            field,
            sig: None,
        }
    }
}

impl TryFrom<ErrorBody> for AppError {
    type Error = String;

    fn try_from(body: ErrorBody) -> Result<Self, Self::Error> {
        Ok(match body.code.as_str() {
            "NeedNotFound" => AppError::NeedNotFound,
            "AlreadyClaimed" => AppError::AlreadyClaimed,
            "NotOpen" => AppError::NotOpen,
            "Invalid" => AppError::Invalid {
                field: body.field.unwrap_or_default(),
                message: body.message,
            },
            "BadRequest" => AppError::BadRequest(bad_request_detail(&body.message)),
            "Unauthorized" => AppError::Unauthorized,
            "Forbidden" => AppError::Forbidden,
            "WrongCredentials" => AppError::WrongCredentials,
            "PhoneTaken" => AppError::PhoneTaken,
            "HouseholdExists" => AppError::HouseholdExists,
            "WrongStage" => AppError::WrongStage,
            "SameReviewer" => AppError::SameReviewer,
            "DuplicateAid" => AppError::DuplicateAid,
            "TooManyClaims" => AppError::TooManyClaims(number_in(&body.message)),
            "TooManyUnconfirmed" => AppError::TooManyUnconfirmed(number_in(&body.message)),
            "TooManyClaimsToday" => AppError::TooManyClaimsToday(number_in(&body.message)),
            "NeedChanged" => AppError::NeedChanged,
            "TooManyAttempts" => AppError::TooManyAttempts,
            "WrongCode" => AppError::WrongCode,
            "CodeLocked" => AppError::CodeLocked,
            "CodeSpent" => AppError::CodeSpent,
            "TooManyReports" => AppError::TooManyReports,
            "ReportsFull" => AppError::ReportsFull,
            "OfferNotFound" => AppError::OfferNotFound,
            "SlotFull" => AppError::SlotFull,
            "AlreadyBooked" => AppError::AlreadyBooked,
            "HoursLimit" => AppError::HoursLimit(number_in(&body.message)),
            "KeyReused" => AppError::KeyReused,
            "RateLimited" => AppError::RateLimited(number_in(&body.message)),
            "Busy" => AppError::Busy,
            "Network" => AppError::Network,
            "Internal" => AppError::Internal,
            other => return Err(format!("unknown error code {other}")),
        })
    }
}

/// The detail of a `BadRequest` message, in either language: what follows its prefix.
fn bad_request_detail(message: &str) -> String {
    use crate::lang::Locale;
    [Locale::zh_CN, Locale::en]
        .into_iter()
        .find_map(|locale| {
            let prefix = td_string!(locale, errors.bad_request, detail = "").to_string();
            message.strip_prefix(prefix.as_str()).map(str::to_owned)
        })
        .unwrap_or_else(|| message.to_owned())
}

/// The count a message like "您已有 5 条…" (or "You have 5 …") carries. A message that also
/// says "24 hours" ("您 24 小时内已认领 10 次", "… 10 times in the last 24 hours") carries two
/// numbers: the count is the one that is not that 24 (or 24 itself, when both are).
fn number_in(message: &str) -> u32 {
    let mut runs: Vec<&str> = message
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .collect();
    if runs.len() > 1 {
        if let Some(day) = runs.iter().position(|run| *run == "24") {
            runs.remove(day);
        }
    }
    runs.first().and_then(|run| run.parse().ok()).unwrap_or(0)
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// The wire form, as for any other response; on the server, a server function's error
    /// also sets the response's status from the error (server functions answer every error
    /// with 500 otherwise). A plain form post keeps its redirect back to the form.
    fn ser(&self) -> server_fn::Bytes {
        #[cfg(feature = "ssr")]
        if !crate::functions::is_plain_form_post() {
            if let (Some(options), Ok(status)) = (
                leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
                http::StatusCode::from_u16(self.status()),
            ) {
                options.set_status(status);
                if *self == AppError::Busy {
                    options.insert_header(
                        http::header::RETRY_AFTER,
                        http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
                    );
                }
            }
        }
        #[cfg_attr(not(feature = "ssr"), allow(unused_mut))]
        let mut body = ErrorBody::from(self.clone());
        // A plain form post's error goes into the address of the page it returns to: signed.
        #[cfg(feature = "ssr")]
        if crate::functions::is_plain_form_post() {
            body.sig = form_error_sig(&body);
        }
        serde_json::to_vec(&body)
            .map(server_fn::Bytes::from)
            .unwrap_or_else(|_| server_fn::Bytes::from_static(br#"{"code":"Internal"}"#))
    }

    /// On the server an error is only ever read from a page's address, which anyone can write:
    /// its words are kept only if the server signed them. In the browser it comes from the
    /// server's own answer.
    fn de(data: server_fn::Bytes) -> Self {
        let Ok(body) = serde_json::from_slice::<ErrorBody>(&data) else {
            return AppError::BadRequest(
                td_string!(crate::lang::locale(), errors.unreadable_error).to_owned(),
            );
        };
        #[cfg(feature = "ssr")]
        let body = {
            let mut body = body;
            let sig = body.sig.take();
            if sig.is_none() || sig != form_error_sig(&body) {
                body.message = match body.code.as_str() {
                    "Invalid" => unsigned_invalid(),
                    _ => String::new(),
                };
            }
            body
        };
        AppError::try_from(body).unwrap_or(AppError::Internal)
    }

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) => AppError::BadRequest(detail),
            // A body the server cannot decode (not UTF-8, not a form) is the client's fault.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(detail) => AppError::BadRequest(detail),
            ServerFnErrorErr::MissingArg(name) => AppError::BadRequest(
                td_string!(crate::lang::locale(), errors.missing_arg, name = name).to_string(),
            ),
            ServerFnErrorErr::Request(_) => AppError::Network,
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function machinery failed");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                AppError::Internal
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal("database error", error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_round_trips_through_its_wire_form() {
        let all = [
            AppError::NeedNotFound,
            AppError::AlreadyClaimed,
            AppError::NotOpen,
            AppError::invalid("donor_name", "请填写称呼"),
            AppError::BadRequest("need_id: invalid digit".into()),
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::WrongCredentials,
            AppError::PhoneTaken,
            AppError::HouseholdExists,
            AppError::WrongStage,
            AppError::SameReviewer,
            AppError::DuplicateAid,
            AppError::TooManyClaims(5),
            AppError::TooManyUnconfirmed(3),
            AppError::TooManyClaimsToday(10),
            AppError::NeedChanged,
            AppError::TooManyAttempts,
            AppError::WrongCode,
            AppError::CodeLocked,
            AppError::CodeSpent,
            AppError::TooManyReports,
            AppError::ReportsFull,
            AppError::OfferNotFound,
            AppError::SlotFull,
            AppError::AlreadyBooked,
            AppError::HoursLimit(20),
            AppError::KeyReused,
            AppError::RateLimited(42),
            AppError::Busy,
            AppError::Network,
            AppError::Internal,
        ];
        for error in all {
            let json = serde_json::to_string(&error).unwrap();
            assert!(
                json.contains(&format!("\"code\":\"{}\"", error.code())),
                "{json}"
            );
            let back: AppError = serde_json::from_str(&json).unwrap();
            assert_eq!(back, error);
        }
    }

    #[test]
    fn an_error_reads_back_from_its_english_words_too() {
        use crate::lang::Locale;
        for error in [
            AppError::TooManyClaims(5),
            AppError::TooManyUnconfirmed(3),
            AppError::TooManyClaimsToday(10),
            AppError::TooManyClaimsToday(24),
            AppError::HoursLimit(20),
            AppError::HoursLimit(24),
            AppError::RateLimited(42),
            AppError::BadRequest("need_id: invalid digit".into()),
            AppError::invalid("amount", "The amount must be more than zero."),
        ] {
            for locale in [Locale::zh_CN, Locale::en] {
                let body = ErrorBody {
                    code: error.code().to_owned(),
                    message: error.message(locale),
                    field: match &error {
                        AppError::Invalid { field, .. } => Some(field.clone()),
                        _ => None,
                    },
                    sig: None,
                };
                assert_eq!(AppError::try_from(body).unwrap(), error, "{locale:?}");
            }
        }
    }

    #[test]
    fn an_error_speaks_the_readers_language() {
        use crate::lang::Locale;
        let error = AppError::TooManyClaims(5);
        assert_eq!(
            error.message(Locale::zh_CN),
            "您已有 5 条认领尚未送达，请先送达或放弃其中一条再认领新的。"
        );
        assert!(error.message(Locale::en).starts_with("You have 5 claims"));
        // Without a request, the default language.
        assert_eq!(error.to_string(), error.message(Locale::zh_CN));
        // An `Invalid` keeps the words it was made with.
        let invalid = AppError::invalid("donor_name", "请填写称呼。");
        assert_eq!(invalid.message(Locale::en), "请填写称呼。");
    }

    #[test]
    fn malformed_arguments_are_a_client_error_not_a_server_error() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(error.status(), 400);
        let error = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("need_id".into()));
        assert_eq!(error.code(), "BadRequest");
    }

    #[test]
    fn internal_errors_carry_no_detail_to_the_client() {
        let error = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "password=hunter2 at /srv/db".into(),
        ));
        let json = serde_json::to_string(&error).unwrap();
        assert!(!json.contains("hunter2"), "{json}");
        assert_eq!(error, AppError::Internal);
    }
}
