//! The one error type of the application. Every server function returns it; a client matches
//! on [`AppError::code`]. Internal failures are logged on the server and reach the browser only
//! as the bare `Internal` code, never with their cause.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(into = "ErrorBody", try_from = "ErrorBody")]
pub enum AppError {
    /// No need with that id exists (or it is not public).
    #[error("找不到这条需求，它可能已被撤下。")]
    NeedNotFound,
    /// Another donor claimed the need first.
    #[error("手慢了一步：这条需求刚刚已被其他爱心人士认领。")]
    AlreadyClaimed,
    /// The need exists but is no longer open to claims (fulfilled or taken down).
    #[error("这条需求已不再开放认领。")]
    NotOpen,
    /// A field failed validation; `message` says what is wrong in plain words.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The request itself was malformed (missing or unparsable arguments).
    #[error("请求格式不正确：{0}")]
    BadRequest(String),
    /// The caller is not signed in (or the session expired).
    #[error("请先登录。")]
    Unauthorized,
    /// The caller is signed in but their roles do not allow this.
    #[error("您没有权限进行这项操作。")]
    Forbidden,
    /// Sign-in failed; which of phone or password was wrong is not said.
    #[error("手机号或密码不正确。")]
    WrongCredentials,
    /// Sign-up with a phone number that already has an account.
    #[error("这个手机号已经注册，请直接登录。")]
    PhoneTaken,
    /// A household with this ID number is already registered.
    #[error("这个身份证号的家庭已经登记过，请直接为它录入需求。")]
    HouseholdExists,
    /// The need is not at the review stage this action is for (already moved on, or not yet).
    #[error("这条需求当前不在这个环节，可能已被别人处理，请刷新后再看。")]
    WrongStage,
    /// Approval needs different people: the author cannot review, nor one person both stages.
    #[error("录入人不能审核自己的需求，同一个人也不能审核两道。")]
    SameReviewer,
    /// The household was helped in the same window recently and the reviewer has not said why
    /// this need should be approved anyway.
    #[error("该家庭近期在同一窗口已获帮扶，请查看帮扶记录并填写确认理由后再通过。")]
    DuplicateAid,
    /// The donor already holds as many undelivered claims as allowed.
    #[error("您已有 {0} 条认领尚未送达，请先送达或放弃其中一条再认领新的。")]
    TooManyClaims(u32),
    /// The donor has as many deliveries waiting for a volunteer's confirmation as allowed.
    #[error("您已有 {0} 条送达在等待志愿者确认，确认后才能认领新的需求。")]
    TooManyUnconfirmed(u32),
    /// The donor made as many claims in the last 24 hours as allowed (released ones count too):
    /// claiming and releasing cannot be repeated without end.
    #[error("您 24 小时内已认领 {0} 次，请明天再来认领。")]
    TooManyClaimsToday(u32),
    /// The need was edited after the reviewer opened it: they must look at it again.
    #[error("这条需求在您打开后被修改过，请刷新，看过新的内容后再审核。")]
    NeedChanged,
    /// A family code that is not one (no such slip, or the wrong secret).
    #[error("确认码不对，请核对志愿者给您的确认码后再输入。")]
    WrongCode,
    /// A family code tried wrong too often (or too many wrong codes from one address): locked
    /// for a while.
    #[error("确认码输错次数过多，已暂时锁定，请一小时后再试，或联系志愿者。")]
    CodeLocked,
    /// A family code already used, or past its date.
    #[error("这个确认码已经用过、已过期或已作废。如果帮助还没有确认，请联系送达的志愿者。")]
    CodeSpent,
    /// Too many wrong passwords for this phone lately.
    #[error("密码错误次数过多，请 10 分钟后再试。")]
    TooManyAttempts,
    /// Too many reports (举报/纠错) from one client address lately.
    #[error("您提交举报/纠错太频繁了，请 10 分钟后再试。")]
    TooManyReports,
    /// The need has as many unresolved reports as are kept: the town's reviewer is already
    /// looking into it, and one more would change nothing.
    #[error("这条需求已收到很多举报/纠错，议事小组正在核实，不用再提交了。谢谢您！")]
    ReportsFull,
    /// No service offer with that id is public (or the caller may not see it).
    #[error("找不到这项服务，它可能已结束或下线。")]
    OfferNotFound,
    /// Every place of the service's time slot is booked.
    #[error("这个时段的名额刚刚已约满，请选择其他时段。")]
    SlotFull,
    /// The household is already booked onto this time slot.
    #[error("这户家庭已经预约了这个时段。")]
    AlreadyBooked,
    /// A volunteer recorded as many activities (or had as many hours certificates issued) in
    /// 24 hours as allowed.
    #[error("24 小时内最多登记或开具 {0} 次，请明天再来。")]
    HoursLimit(u32),
    /// An agency's idempotency key was already used for a different aid record.
    #[error("这个幂等键（key）已用于另一条不同的记录；同一条记录重发请用原来的 key，新记录请用新的 key。")]
    KeyReused,
    /// An API key made as many calls this minute as it may: 429 with Retry-After (seconds).
    #[error("调用太频繁，请 {0} 秒后再试。")]
    RateLimited(u32),
    /// The server is too busy to do this now (e.g. every password-hashing turn is taken):
    /// 503 with Retry-After.
    #[error("现在访问的人很多，请稍等几秒再试。")]
    Busy,
    /// The browser could not reach the server.
    #[error("网络连接失败，请检查网络后重试。")]
    Network,
    /// Something failed on the server; the cause is in the server's log only.
    #[error("服务暂时出了点问题，请稍后再试。")]
    Internal,
}

impl AppError {
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
const UNSIGNED_INVALID: &str = "填写的内容有误，请检查后再提交。";

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
            "BadRequest" => AppError::BadRequest(
                body.message
                    .strip_prefix("请求格式不正确：")
                    .unwrap_or(&body.message)
                    .to_owned(),
            ),
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
            "TooManyClaimsToday" => {
                AppError::TooManyClaimsToday(number_in(body.message.trim_start_matches("您 24")))
            }
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
            "HoursLimit" => AppError::HoursLimit(number_in(body.message.trim_start_matches("24"))),
            "KeyReused" => AppError::KeyReused,
            "RateLimited" => AppError::RateLimited(number_in(&body.message)),
            "Busy" => AppError::Busy,
            "Network" => AppError::Network,
            "Internal" => AppError::Internal,
            other => return Err(format!("unknown error code {other}")),
        })
    }
}

/// The count a message like "您已有 5 条…" carries.
fn number_in(message: &str) -> u32 {
    message
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
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
            return AppError::BadRequest("无法读取的错误".into());
        };
        #[cfg(feature = "ssr")]
        let body = {
            let mut body = body;
            let sig = body.sig.take();
            if sig.is_none() || sig != form_error_sig(&body) {
                body.message = match body.code.as_str() {
                    "Invalid" => UNSIGNED_INVALID.to_owned(),
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
            ServerFnErrorErr::MissingArg(name) => AppError::BadRequest(format!("缺少参数 {name}")),
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
