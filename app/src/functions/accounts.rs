//! Signing up, in and out; who is signed in; roles, given by admins.

use crate::error::AppError;
use crate::people::Viewer;
use crate::private::Account;
use leptos::prelude::*;

/// Creates a donor account and signs it in. Anyone may call it.
#[server(prefix = "/api", endpoint = "sign_up")]
pub async fn sign_up(
    phone: String,
    name: String,
    #[server(default)] kind: String,
    password: String,
    #[server(default)] next: String,
) -> Result<Viewer, AppError> {
    use super::from_context;
    use crate::db::{accounts, Db};
    use crate::domain::UtcMillis;
    use crate::passwords::Passwords;
    use crate::people::SignUp;
    let sign_up = SignUp::parse(&phone, &name, &kind, &password)?;
    let db: Db = from_context()?;
    let passwords: Passwords = from_context()?;
    let id = accounts::create(&db, &passwords, &sign_up, UtcMillis::now()).await?;
    start_session(&db, id, &next).await
}

/// Signs in with phone and password. Anyone may call it.
#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(
    phone: String,
    password: String,
    #[server(default)] next: String,
) -> Result<Viewer, AppError> {
    use super::{client_addr, from_context};
    use crate::db::{accounts, Db};
    use crate::domain::{Phone, UtcMillis};
    use crate::throttle::SignInThrottle;
    let db: Db = from_context()?;
    let throttle: SignInThrottle = from_context()?;
    // A phone that is not one cannot have an account: refused before any work.
    let phone = Phone::parse(&phone).map_err(|_| AppError::WrongCredentials)?;
    let attempt = throttle
        .begin(&phone, client_addr(), UtcMillis::now())
        .await?
        .ok_or(AppError::TooManyAttempts)?;
    let passwords: crate::passwords::Passwords = from_context()?;
    let id = match accounts::verify(&db, &passwords, phone.as_str(), &password).await {
        Ok(id) => {
            attempt.succeeded().await?;
            id
        }
        Err(AppError::WrongCredentials) => {
            attempt.failed();
            return Err(AppError::WrongCredentials);
        }
        // Not checked (busy, or an internal error): the places are given back.
        Err(other) => {
            attempt.unchecked().await?;
            return Err(other);
        }
    };
    start_session(&db, id, &next).await
}

#[cfg(feature = "ssr")]
async fn start_session(
    db: &crate::db::Db,
    id: crate::people::UserId,
    next: &str,
) -> Result<Viewer, AppError> {
    use super::{after_form_post, from_context, set_session_cookie};
    use crate::db::accounts;
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let settings: Settings = from_context()?;
    let token = accounts::start_session(db, id, UtcMillis::now(), settings.session_days).await?;
    set_session_cookie(Some(&token))?;
    after_form_post(&crate::people::local_path(next));
    accounts::viewer(db, id)
        .await?
        .ok_or_else(|| AppError::internal("a new session's account vanished", id))
}

/// Ends this browser's session. Harmless when nobody is signed in.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::{after_form_post, from_context, session_token, set_session_cookie};
    use crate::db::{accounts, Db};
    use crate::domain::UtcMillis;
    if let Some(token) = session_token() {
        let db: Db = from_context()?;
        accounts::end_session(&db, &token, UtcMillis::now()).await?;
    }
    set_session_cookie(None)?;
    after_form_post("/");
    Ok(())
}

/// Who is signed in in this browser, if anyone.
#[server(prefix = "/api", endpoint = "current_viewer")]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    super::viewer().await
}

#[cfg(feature = "ssr")]
async fn admin() -> Result<Viewer, AppError> {
    let viewer = super::signed_in().await?;
    crate::access::check(&viewer, crate::access::Action::Administer)?;
    Ok(viewer)
}

/// Every account and its roles. Admins only.
#[server(prefix = "/api", endpoint = "list_accounts")]
pub async fn list_accounts() -> Result<Vec<Account>, AppError> {
    use super::from_context;
    use crate::db::{accounts, Db};
    admin().await?;
    let db: Db = from_context()?;
    accounts::list(&db).await
}

/// Gives (or, with `revoke`, takes away) a role of the account with this phone. Admins only.
/// `town` binds the role to one town (required for reviewers; empty for every town).
#[server(prefix = "/api", endpoint = "assign_role")]
pub async fn assign_role(
    phone: String,
    role: String,
    #[server(default)] town: String,
    #[server(default)] revoke: bool,
) -> Result<(), AppError> {
    use super::from_context;
    use crate::db::{accounts, Db};
    use crate::domain::{Phone, UtcMillis};
    use crate::people::RoleGrant;
    let admin = admin().await?;
    let phone = Phone::parse(&phone)?;
    let grant = RoleGrant::parse(&role, &town)?;
    if let Some(town) = &grant.town {
        from_context::<crate::settings::Settings>()?.check_town("town", town)?;
    }
    let db: Db = from_context()?;
    let found = if revoke {
        accounts::revoke(&db, &phone, &grant).await?
    } else {
        accounts::grant(&db, &phone, &grant, Some(admin.id), UtcMillis::now()).await?
    };
    if !found {
        return Err(AppError::invalid(
            "phone",
            leptos_i18n::td_string!(crate::lang::locale(), account.errors.no_such_phone),
        ));
    }
    super::after_form_post("/admin?assigned=1");
    Ok(())
}
