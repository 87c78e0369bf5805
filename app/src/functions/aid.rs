//! Importing other agencies' aid records.

use crate::error::AppError;
use crate::private::ImportReport;
use leptos::prelude::*;

/// Imports a CSV of aid other agencies gave (身份证号,机构,窗口,事由,日期,金额). All or
/// nothing: a file with any bad row imports nothing and says which lines are wrong. Admins only.
#[server(prefix = "/api", endpoint = "import_aid")]
pub async fn import_aid(csv: String) -> Result<ImportReport, AppError> {
    use super::{from_context, signed_in};
    use crate::db::{aid, Db};
    use crate::domain::UtcMillis;
    use crate::settings::Settings;
    let admin = signed_in().await?;
    crate::access::check(&admin, crate::access::Action::Administer)?;
    let db: Db = from_context()?;
    let settings: Settings = from_context()?;
    let rows = crate::private::parse_aid_import(&settings.id_key, &csv)?;
    let report = aid::import(&db, &rows, admin.id, UtcMillis::now()).await?;
    super::after_form_post(&format!(
        "/admin?imported={}&matched={}",
        report.imported, report.matched_households
    ));
    Ok(report)
}
