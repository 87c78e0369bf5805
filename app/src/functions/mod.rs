//! Server functions, grouped by domain. Each checks its input on the server and returns
//! [`AppError`](crate::error::AppError) with a code a client can match.

pub mod claims;
pub mod needs;

/// A value the server put in context for server functions (the pool, the live hub).
#[cfg(feature = "ssr")]
pub(crate) fn from_context<T: Clone + Send + Sync + 'static>() -> Result<T, crate::error::AppError>
{
    leptos::prelude::use_context::<T>().ok_or_else(|| {
        crate::error::AppError::internal("missing server context", std::any::type_name::<T>())
    })
}
