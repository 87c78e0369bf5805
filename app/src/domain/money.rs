//! Money: integer fen, parsed from what people type, shown as yuan.

use crate::error::AppError;
use leptos_i18n::td_string;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (分). 1 yuan = 100 fen. Never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fen(i64);

impl Fen {
    /// The most a single need may ask for: ¥500,000. Anything above is a typing slip or abuse.
    pub const MAX_NEED: Fen = Fen(50_000_000);

    /// An amount a need may ask for: more than zero and at most [`Fen::MAX_NEED`].
    pub fn parse(fen: i64) -> Result<Fen, AppError> {
        if fen <= 0 {
            return Err(AppError::invalid(
                "amount",
                td_string!(crate::lang::locale(), errors.money.not_positive),
            ));
        }
        if fen > Self::MAX_NEED.0 {
            return Err(AppError::invalid(
                "amount",
                td_string!(crate::lang::locale(), errors.money.too_large),
            ));
        }
        Ok(Fen(fen))
    }

    /// Parses what a person types in yuan, "1200", "1200.5" or "¥1,200.50", exactly (no floats).
    pub fn parse_yuan(text: &str) -> Result<Fen, AppError> {
        let cleaned: String = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .chars()
            .filter(|c| *c != ',' && *c != '，')
            .collect();
        let bad = || {
            AppError::invalid(
                "amount",
                td_string!(crate::lang::locale(), errors.money.not_an_amount),
            )
        };
        let (whole, frac) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
        if whole.is_empty() || whole.len() > 9 || frac.len() > 2 {
            return Err(bad());
        }
        if !whole
            .chars()
            .chain(frac.chars())
            .all(|c| c.is_ascii_digit())
        {
            return Err(bad());
        }
        let yuan: i64 = whole.parse().map_err(|_| bad())?;
        let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        Fen::parse(yuan * 100 + fen)
    }

    /// A stored value, trusted because the database's CHECK constraint admitted it.
    pub const fn from_stored(fen: i64) -> Fen {
        Fen(fen)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// What a person would type for this amount in yuan: `1200` or `1200.50` (the inverse of
    /// [`Fen::parse_yuan`]).
    pub fn yuan_input(self) -> String {
        match self.0 % 100 {
            0 => (self.0 / 100).to_string(),
            fen => format!("{}.{fen:02}", self.0 / 100),
        }
    }
}

impl fmt::Display for Fen {
    /// `¥12,345` for whole yuan, `¥12,345.60` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yuan = self.0 / 100;
        let fen = self.0 % 100;
        let digits = yuan.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if fen == 0 {
            write!(f, "¥{grouped}")
        } else {
            write!(f, "¥{grouped}.{fen:02}")
        }
    }
}
