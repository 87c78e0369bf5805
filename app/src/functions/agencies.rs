//! Partner agencies for the exchange API (`/api/v1`): admins create agencies and revoke their
//! keys (a key is issued by the plain handler `POST /admin/agencies/keys`, which shows it
//! once); admins and the city's officials read the API's audit log.

use crate::error::AppError;
use crate::private::{AgencyView, ApiLog};
use leptos::prelude::*;

/// Every agency with its keys (never a secret). Admins only.
#[server(prefix = "/api", endpoint = "list_agencies")]
pub async fn list_agencies() -> Result<Vec<AgencyView>, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{agencies, Db};
    use crate::domain::UtcMillis;
    let admin = signed_in().await?;
    check(&admin, Action::Administer)?;
    let db: Db = from_context()?;
    agencies::list(&db, UtcMillis::now()).await
}

/// Creates a partner agency by name (unique; at most 500). Admins only.
#[server(prefix = "/api", endpoint = "create_agency")]
pub async fn create_agency(#[server(default)] name: String) -> Result<i64, AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{agencies, Db};
    use crate::domain::UtcMillis;
    let admin = signed_in().await?;
    check(&admin, Action::Administer)?;
    let name = crate::private::agency_name(&name)?;
    let db: Db = from_context()?;
    let id = agencies::create_agency(&db, &name, admin.id, UtcMillis::now()).await?;
    after_form_post(&format!("/admin/agencies?created={}", id.0));
    Ok(id.0)
}

/// Revokes an API key: its next call, on any instance, is refused. Admins only.
#[server(prefix = "/api", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(#[server(default)] key_id: i64) -> Result<(), AppError> {
    use super::{after_form_post, from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{agencies, Db};
    use crate::domain::UtcMillis;
    use crate::private::ApiKeyId;
    let admin = signed_in().await?;
    check(&admin, Action::Administer)?;
    let db: Db = from_context()?;
    if !agencies::revoke_key(&db, ApiKeyId(key_id), admin.id, UtcMillis::now()).await? {
        return Err(AppError::invalid(
            "key_id",
            leptos_i18n::td_string!(crate::lang::locale(), agencies.errors.no_such_key),
        ));
    }
    after_form_post("/admin/agencies?revoked=1");
    Ok(())
}

/// The API's audit log: the latest 200 calls, of one agency or of all. Admins and the city's
/// officials (as for the city-wide desk).
#[server(prefix = "/api", endpoint = "list_api_calls")]
pub async fn list_api_calls(#[server(default)] agency: Option<i64>) -> Result<ApiLog, AppError> {
    use super::{from_context, signed_in};
    use crate::access::{check, Action};
    use crate::db::{agencies, Db};
    use crate::private::AgencyId;
    let reader = signed_in().await?;
    check(&reader, Action::SeeDesk { town: None })?;
    let db: Db = from_context()?;
    agencies::calls(&db, agency.map(AgencyId)).await
}
