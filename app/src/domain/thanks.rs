//! The family's thanks: a one-time code a volunteer gives the family once a delivery is
//! checked, and what the family says with it.

use super::*;
use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A one-time family code, `K7P4-9XQ2`: a 4-character slip that finds the code and a
/// 4-character secret that proves it, from an alphabet without look-alikes (no 0/O, 1/I/L, U/V),
/// so it can be read out and typed on any phone. About 32 bits in all; five wrong secrets
/// lock a slip.
#[derive(Clone, PartialEq, Eq)]
pub struct FamilyCode {
    slip: String,
    secret: String,
}

impl FamilyCode {
    pub const ALPHABET: &'static [u8; 29] = b"23456789ABCDEFGHJKMNPQRSTWXYZ";
    const HALF: usize = 4;

    /// What a family typed: case, spaces and dashes do not matter.
    pub fn parse(text: &str) -> Result<FamilyCode, AppError> {
        // A Chinese keyboard may type the full-width forms (Ｋ７Ｐ４): read as their ASCII.
        let chars: String = text
            .chars()
            .map(|c| match u32::from(c) {
                0xFF01..=0xFF5E => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '—' | '_'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid =
            chars.len() == 2 * Self::HALF && chars.bytes().all(|b| Self::ALPHABET.contains(&b));
        if !valid {
            return Err(AppError::invalid(
                "code",
                td_string!(crate::lang::locale(), errors.thanks.bad_code),
            ));
        }
        let (slip, secret) = chars.split_at(Self::HALF);
        Ok(FamilyCode {
            slip: slip.to_owned(),
            secret: secret.to_owned(),
        })
    }

    /// A code made of 8 random bytes (each picks a character; the slight bias of 256 % 29
    /// costs a fraction of a bit).
    pub fn from_random(bytes: [u8; 8]) -> FamilyCode {
        let pick = |b: &u8| char::from(Self::ALPHABET[usize::from(*b) % Self::ALPHABET.len()]);
        let text: String = bytes.iter().map(pick).collect();
        let (slip, secret) = text.split_at(Self::HALF);
        FamilyCode {
            slip: slip.to_owned(),
            secret: secret.to_owned(),
        }
    }

    pub fn slip(&self) -> &str {
        &self.slip
    }

    pub fn secret(&self) -> &str {
        &self.secret
    }
}

impl fmt::Display for FamilyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.slip, self.secret)
    }
}

/// Never printed by accident (logs, panics): only the slip shows.
impl fmt::Debug for FamilyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FamilyCode({}-****)", self.slip)
    }
}

/// The family's words to the donor: up to 200 characters, no phone or ID number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThanksMessage(String);

impl ThanksMessage {
    pub const MAX_CHARS: usize = 200;

    /// Empty is fine (the family may just confirm).
    pub fn parse(text: &str) -> Result<ThanksMessage, AppError> {
        if text.trim().is_empty() {
            return Ok(ThanksMessage(String::new()));
        }
        let label = td_string!(crate::lang::locale(), domain.field.thanks_message);
        let text = text_field("message", label, text, 1, Self::MAX_CHARS)?;
        refuse_contact_details("message", label, &text)?;
        Ok(ThanksMessage(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// What a family said when they confirmed: shown to the donor, and on the need's page only if
/// the family said it may be.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyThanks {
    pub message: String,
    pub public: bool,
    pub at: UtcMillis,
}

/// What a family confirmed with their code, as the thanks page shows it back to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThanksReceipt {
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    /// Whether the need is now fulfilled (every part of it confirmed).
    pub fulfilled: bool,
}

/// A delivery slip, shown once to the volunteer who issued the code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilySlip {
    pub claim_id: i64,
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    pub amount: Option<Fen>,
    /// The whole code, the first time the slip is shown; `None` after that.
    pub code: Option<String>,
    pub expires_at: UtcMillis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_whatever_the_case_spaces_or_dashes() {
        let code = FamilyCode::parse(" k7p4 - 9xq2 ").unwrap();
        assert_eq!(code.to_string(), "K7P4-9XQ2");
        assert_eq!((code.slip(), code.secret()), ("K7P4", "9XQ2"));
        assert_eq!(FamilyCode::parse("K7P49XQ2").unwrap(), code);
        assert_eq!(FamilyCode::parse("Ｋ７Ｐ４－９ｘｑ２").unwrap(), code);
        // Debug never shows the secret.
        assert!(!format!("{code:?}").contains("9XQ2"));
    }

    #[test]
    fn a_code_with_look_alikes_or_of_the_wrong_length_is_refused_naming_the_field() {
        for bad in [
            "",
            "K7P4-9XQ",
            "K7P4-9XQ22",
            "K0P4-9XQ2",
            "KIP4-9XQ2",
            "K7P4-9XQ✓",
            "１２３４５６７８",
        ] {
            match FamilyCode::parse(bad) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, "code", "{bad}"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn random_codes_use_only_the_alphabet() {
        let code = FamilyCode::from_random([0, 28, 29, 255, 128, 7, 200, 57]);
        assert_eq!(FamilyCode::parse(&code.to_string()).unwrap(), code);
        assert_eq!(code.to_string().len(), 9);
    }

    #[test]
    fn a_thanks_message_may_be_empty_but_never_carries_a_phone_or_id_number() {
        assert!(ThanksMessage::parse("  ").unwrap().is_empty());
        assert_eq!(
            ThanksMessage::parse(" 谢谢好心人！ ").unwrap().as_str(),
            "谢谢好心人！"
        );
        for bad in [
            "有事打我电话 138 1234 5678",
            "身份证 320123199001011234",
            &"谢".repeat(201),
        ] {
            match ThanksMessage::parse(bad) {
                Err(AppError::Invalid { field, .. }) => assert_eq!(field, "message"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }
}

/// A donor's 爱心认领凭证 for one confirmed claim: a record of what they gave, not a tax
/// receipt (捐赠票据).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimCertificate {
    /// `WS-2026-000042`: the year it was confirmed and the claim's number.
    pub number: String,
    /// The donor's own display name (the certificate is theirs alone).
    pub donor_name: String,
    pub need_id: NeedId,
    pub title: String,
    pub window: Window,
    pub place: String,
    /// The amount pledged for a money need; `None` for goods and services.
    pub amount: Option<Fen>,
    pub ask: Ask,
    pub claimed_at: UtcMillis,
    pub confirmed_at: UtcMillis,
    pub by_family: bool,
}

impl ClaimCertificate {
    pub fn number_for(claim_id: i64, confirmed_at: UtcMillis) -> String {
        let year = &confirmed_at.shanghai_date_text()[..4];
        format!("WS-{year}-{claim_id:06}")
    }
}
