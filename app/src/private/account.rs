//! Accounts as an admin sees them.

use crate::people::UserId;
use serde::{Deserialize, Serialize};

/// An account as an admin sees it in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: UserId,
    pub phone: String,
    pub name: String,
    pub roles: Vec<crate::people::RoleGrant>,
}
