//! Households: who they are (never public), how they are registered and read.

use crate::domain::{text_field, Phone};
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HouseholdId(pub i64);

impl fmt::Display for HouseholdId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A resident identity card number (18 characters, the last a check digit or X), checked.
/// It has no `Serialize`, no `Display` and a `Debug` that hides it: it is hashed with the
/// server's key the moment it arrives and only its last four characters are kept.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl IdNumber {
    pub fn parse(text: &str) -> Result<IdNumber, AppError> {
        let normalised: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = normalised.as_bytes();
        let shaped = bytes.len() == 18
            && bytes[..17].iter().all(u8::is_ascii_digit)
            && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
        if !shaped {
            return Err(AppError::invalid(
                "id_number",
                td_string!(crate::lang::locale(), intake.errors.id_shape),
            ));
        }
        if IdNumber::check_digit(&bytes[..17]) != bytes[17] {
            return Err(AppError::invalid(
                "id_number",
                td_string!(crate::lang::locale(), intake.errors.id_check),
            ));
        }
        Ok(IdNumber(normalised))
    }

    /// The check character (ISO 7064 MOD 11-2) of the first 17 digits.
    pub fn check_digit(digits: &[u8]) -> u8 {
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = digits
            .iter()
            .zip(WEIGHTS)
            .map(|(digit, weight)| u32::from(digit - b'0') * weight)
            .sum();
        b"10X98765432"[(sum % 11) as usize]
    }

    /// The last four characters, kept in the clear so a volunteer can confirm a household.
    pub fn last4(&self) -> String {
        self.0[14..].to_owned()
    }

    /// The keyed hash that matches a household across sources without revealing the number.
    #[cfg(feature = "ssr")]
    pub fn key(&self, secret: &IdKey) -> String {
        use hmac::Mac;
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret.0)
            .expect("HMAC takes a key of any length");
        mac.update(self.0.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber(…{})", self.last4())
    }
}

/// The server's secret for hashing ID numbers. Kept outside the database (a file or an
/// environment variable), so a copy of the database alone cannot be searched for a number.
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct IdKey(pub Vec<u8>);

#[cfg(feature = "ssr")]
impl fmt::Debug for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdKey(…)")
    }
}

/// Where the household stands with the welfare system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LowIncome {
    /// Above every line; in hardship because of what it must spend.
    None,
    /// Expenditure-type hardship as certified by the town (支出型困难).
    Expenditure,
    /// Marginal low income (低保边缘).
    Marginal,
    /// Minimum living allowance (低保).
    Dibao,
    /// Extreme poverty support (特困).
    Tekun,
}

impl LowIncome {
    pub const ALL: [LowIncome; 5] = [
        LowIncome::Expenditure,
        LowIncome::Marginal,
        LowIncome::Dibao,
        LowIncome::Tekun,
        LowIncome::None,
    ];

    pub fn code(self) -> &'static str {
        match self {
            LowIncome::None => "none",
            LowIncome::Expenditure => "expenditure",
            LowIncome::Marginal => "marginal",
            LowIncome::Dibao => "dibao",
            LowIncome::Tekun => "tekun",
        }
    }

    pub fn label(self) -> &'static str {
        let locale = crate::lang::locale();
        match self {
            LowIncome::None => td_string!(locale, intake.low_income.none),
            LowIncome::Expenditure => td_string!(locale, intake.low_income.expenditure),
            LowIncome::Marginal => td_string!(locale, intake.low_income.marginal),
            LowIncome::Dibao => td_string!(locale, intake.low_income.dibao),
            LowIncome::Tekun => td_string!(locale, intake.low_income.tekun),
        }
    }

    pub fn parse(code: &str) -> Result<LowIncome, AppError> {
        LowIncome::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| {
                AppError::invalid(
                    "low_income",
                    td_string!(crate::lang::locale(), intake.errors.low_income),
                )
            })
    }
}

/// A household as a volunteer registers it, validated.
#[derive(Debug)]
pub struct NewHousehold {
    pub town: String,
    pub village: String,
    pub head_name: String,
    pub id_number: IdNumber,
    pub address: String,
    pub phone: Phone,
    pub members: String,
    pub member_count: i64,
    pub low_income: LowIncome,
}

/// The form fields of a household, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdForm {
    pub town: String,
    /// Chosen from the town's list where the city lists its villages, else typed.
    pub village: String,
    /// Typed when the list offers none for the town (a city listing the villages of some
    /// towns only); used when `village` is empty.
    #[serde(default)]
    pub village_typed: String,
    pub head_name: String,
    pub id_number: String,
    pub address: String,
    pub phone: String,
    pub members: String,
    pub member_count: String,
    pub low_income: String,
}

impl NewHousehold {
    pub fn parse(form: &HouseholdForm) -> Result<NewHousehold, AppError> {
        let member_count = form
            .member_count
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=30).contains(n))
            .ok_or_else(|| {
                AppError::invalid(
                    "member_count",
                    td_string!(crate::lang::locale(), intake.errors.member_count),
                )
            })?;
        let locale = crate::lang::locale();
        Ok(NewHousehold {
            town: text_field(
                "town",
                td_string!(locale, intake.household.town_label),
                &form.town,
                2,
                20,
            )?,
            village: text_field(
                "village",
                td_string!(locale, intake.household.village_label),
                &form.village,
                2,
                20,
            )?,
            head_name: text_field(
                "head_name",
                td_string!(locale, intake.household.head_label),
                &form.head_name,
                2,
                20,
            )?,
            id_number: IdNumber::parse(&form.id_number)?,
            address: text_field(
                "address",
                td_string!(locale, intake.household.address_label),
                &form.address,
                4,
                80,
            )?,
            phone: Phone::parse(&form.phone)?,
            members: text_field(
                "members",
                td_string!(locale, intake.household.members_label),
                &form.members,
                2,
                200,
            )?,
            member_count,
            low_income: LowIncome::parse(&form.low_income)?,
        })
    }
}

/// A household as its volunteers, its town's reviewers and admins read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub town: String,
    pub village: String,
    pub head_name: String,
    pub id_last4: String,
    pub address: String,
    pub phone: String,
    pub members: String,
    pub member_count: i64,
    pub low_income: LowIncome,
}

impl HouseholdView {
    /// Refuses a need's public text (`field`, shown to the volunteer as `label`) that names
    /// this household: its head's name, its phone or its address (the whole address, or the
    /// part of it after the village, such as `3组15号`). The message names the field and what
    /// was found, never anything the volunteer did not type.
    pub fn refuse_in_public_text(
        &self,
        field: &str,
        label: &str,
        text: &str,
    ) -> Result<(), AppError> {
        let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let locale = crate::lang::locale();
        let refuse = |what: &str| {
            Err(AppError::invalid(
                field,
                td_string!(
                    locale,
                    intake.errors.names_family,
                    label = label,
                    what = what
                )
                .to_string(),
            ))
        };
        let name: String = self
            .head_name
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if name.chars().count() >= 2 && squeezed.contains(&name) {
            return refuse(td_string!(locale, intake.public_text.head_name));
        }
        let phone: String = self.phone.chars().filter(char::is_ascii_digit).collect();
        let digits: String = squeezed.chars().filter(char::is_ascii_digit).collect();
        if phone.len() >= 7 && digits.contains(&phone) {
            return refuse(td_string!(locale, intake.public_text.phone));
        }
        let address: String = self
            .address
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let after_village = match self.village.trim() {
            village if !village.is_empty() => address
                .split_once(village)
                .map(|(_, rest)| rest.to_owned())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let named = |part: &str| part.chars().count() >= 4 && squeezed.contains(part);
        if named(&address)
            || (after_village.chars().any(|c| c.is_ascii_digit()) && named(&after_village))
        {
            return refuse(td_string!(locale, intake.public_text.address));
        }
        Ok(())
    }
}
