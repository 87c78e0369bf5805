//! People and what they may do: accounts, roles and the areas roles are bound to.

use crate::domain::{text_field, Phone};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a person may do. A person may hold several roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Claims needs (every account starts as one).
    Donor,
    /// Enters households and needs, and gives the second approval of other volunteers' needs.
    Volunteer,
    /// A member of a village council group (村民议事小组): the first approval, for one town.
    Reviewer,
    /// Assigns roles and imports other agencies' aid records.
    Admin,
    /// An official of the supervision desk (督导), for the whole city or one town: sees how
    /// the work goes, never a household's identity.
    Official,
    /// A service provider (服务提供方): an organisation or volunteer who offers services
    /// (tutoring, legal advice, repairs, culture) to families, for the city or one town; sees
    /// the households booked onto its own offers as far as delivering needs, never an ID.
    Provider,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Donor,
        Role::Volunteer,
        Role::Reviewer,
        Role::Admin,
        Role::Official,
        Role::Provider,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Donor => "donor",
            Role::Volunteer => "volunteer",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
            Role::Official => "official",
            Role::Provider => "provider",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Donor => td_string!(crate::lang::locale(), domain.role.donor),
            Role::Volunteer => td_string!(crate::lang::locale(), domain.role.volunteer),
            Role::Reviewer => td_string!(crate::lang::locale(), domain.role.reviewer),
            Role::Admin => td_string!(crate::lang::locale(), domain.role.admin),
            Role::Official => td_string!(crate::lang::locale(), domain.role.official),
            Role::Provider => td_string!(crate::lang::locale(), domain.role.provider),
        }
    }

    pub fn parse(code: &str) -> Result<Role, AppError> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "role",
                    td_string!(crate::lang::locale(), errors.people.choose_role),
                )
            })
    }
}

/// One role, bound to a town (`None`: every town). Reviewers are always bound to one town.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RoleGrant {
    pub role: Role,
    pub town: Option<String>,
}

impl RoleGrant {
    /// Validates a grant an admin asks for: a reviewer needs a town.
    pub fn parse(role: &str, town: &str) -> Result<RoleGrant, AppError> {
        let role = Role::parse(role)?;
        let town = match town.trim() {
            "" => None,
            town => Some(text_field(
                "town",
                td_string!(crate::lang::locale(), domain.field.town),
                town,
                2,
                20,
            )?),
        };
        if role == Role::Reviewer && town.is_none() {
            return Err(AppError::invalid(
                "town",
                td_string!(crate::lang::locale(), errors.people.reviewer_needs_town),
            ));
        }
        Ok(RoleGrant { role, town })
    }

    /// Whether this grant gives `role` in `town`.
    pub fn covers(&self, role: Role, town: &str) -> bool {
        self.role == role && self.town.as_deref().is_none_or(|t| t == town)
    }

    pub fn label(&self) -> String {
        match &self.town {
            Some(town) => td_string!(
                crate::lang::locale(),
                domain.role_in_town,
                role = self.role.label(),
                town = town
            )
            .to_string(),
            None => self.role.label().to_owned(),
        }
    }
}

/// Whether a donor gives as a person or on behalf of an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonorKind {
    Person,
    Organisation,
}

impl DonorKind {
    pub fn code(self) -> &'static str {
        match self {
            DonorKind::Person => "person",
            DonorKind::Organisation => "organisation",
        }
    }

    pub fn parse(code: &str) -> Result<DonorKind, AppError> {
        match code {
            "" | "person" => Ok(DonorKind::Person),
            "organisation" => Ok(DonorKind::Organisation),
            _ => Err(AppError::invalid(
                "kind",
                td_string!(crate::lang::locale(), errors.people.choose_kind),
            )),
        }
    }
}

/// The signed-in person as their own pages see them. Sent only to that person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: UserId,
    pub name: String,
    pub roles: Vec<RoleGrant>,
}

impl Viewer {
    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|grant| grant.role == role)
    }

    /// Whether the viewer holds `role` for `town`.
    pub fn acts_as(&self, role: Role, town: &str) -> bool {
        self.roles.iter().any(|grant| grant.covers(role, town))
    }
}

/// A password as typed, checked for length only (any characters; long passphrases welcome).
/// Never serialised, never logged.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;

    pub fn parse(text: &str) -> Result<Password, AppError> {
        let count = text.chars().count();
        if count < Self::MIN_CHARS {
            return Err(AppError::invalid(
                "password",
                td_string!(
                    crate::lang::locale(),
                    errors.people.password_too_short,
                    min = Self::MIN_CHARS
                )
                .to_string(),
            ));
        }
        if count > 128 {
            return Err(AppError::invalid(
                "password",
                td_string!(crate::lang::locale(), errors.people.password_too_long),
            ));
        }
        Ok(Password(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// A new account, validated.
#[derive(Debug)]
pub struct SignUp {
    pub phone: Phone,
    pub name: String,
    pub kind: DonorKind,
    pub password: Password,
}

impl SignUp {
    pub fn parse(phone: &str, name: &str, kind: &str, password: &str) -> Result<SignUp, AppError> {
        Ok(SignUp {
            phone: Phone::parse(phone)?,
            name: refuse_links(text_field(
                "name",
                td_string!(crate::lang::locale(), domain.field.name_or_organisation),
                name,
                1,
                30,
            )?)?,
            kind: DonorKind::parse(kind)?,
            password: Password::parse(password)?,
        })
    }
}

/// A name is shown to volunteers and, in their notices, sent by SMS or email through the city's
/// gateway: no web address in it (it would make the city's messages a channel for links).
fn refuse_links(name: String) -> Result<String, AppError> {
    crate::domain::refuse_web_addresses(
        "name",
        td_string!(crate::lang::locale(), domain.field.name),
        &name,
    )?;
    Ok(name)
}

/// Where to go after signing in: a path on this site only (never another site).
pub fn local_path(next: &str) -> String {
    let next = next.trim();
    let is_local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    if is_local {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reviewer_must_be_bound_to_a_town() {
        assert_eq!(
            RoleGrant::parse("reviewer", " ").unwrap_err().code(),
            "Invalid"
        );
        let grant = RoleGrant::parse("reviewer", "延陵镇").unwrap();
        assert!(grant.covers(Role::Reviewer, "延陵镇"));
        assert!(!grant.covers(Role::Reviewer, "吕城镇"));
        assert_eq!(RoleGrant::parse("volunteer", "").unwrap().town, None);
        assert!(RoleGrant::parse("mayor", "").is_err());
    }

    #[test]
    fn a_name_carries_no_web_address() {
        let sign_up = |name: &str| SignUp::parse("13800000000", name, "person", "long-enough");
        assert_eq!(sign_up("张先生").unwrap().name, "张先生");
        assert_eq!(sign_up("丹阳市某某公司").unwrap().name, "丹阳市某某公司");
        for name in [
            "点击 http://x.cn 领奖",
            "www.example领取",
            "看 bit.ly/a.com",
            "HTTPS领奖",
        ] {
            let error = sign_up(name).unwrap_err();
            assert_eq!(error.code(), "Invalid", "{name}");
        }
    }

    #[test]
    fn passwords_are_at_least_eight_characters_and_never_printed() {
        assert!(Password::parse("short").is_err());
        let password = Password::parse("万善丹阳2026").unwrap();
        assert_eq!(format!("{password:?}"), "Password(…)");
    }

    #[test]
    fn after_sign_in_only_paths_on_this_site_are_followed() {
        assert_eq!(local_path("/?open=3"), "/?open=3");
        assert_eq!(local_path("//evil.example/x"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path(""), "/");
    }
}
