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
            AppError::Network => "Network",
            AppError::Internal => "Internal",
        }
    }

    /// The HTTP status the server answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NeedNotFound => 404,
            AppError::AlreadyClaimed | AppError::NotOpen => 409,
            AppError::Invalid { .. } => 422,
            AppError::BadRequest(_) => 400,
            AppError::Network => 503,
            AppError::Internal => 500,
        }
    }

    /// Logs an internal failure with its cause and returns the opaque error sent to clients.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "{context}");
        AppError::Internal
    }
}

/// The wire form: `{"code": "...", "message": "...", "field": "..."}`.
#[derive(Serialize, Deserialize)]
struct ErrorBody {
    code: String,
    message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
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
            "Network" => AppError::Network,
            "Internal" => AppError::Internal,
            other => return Err(format!("unknown error code {other}")),
        })
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(detail) => AppError::BadRequest(detail),
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
