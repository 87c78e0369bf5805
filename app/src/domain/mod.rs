//! The public domain: needs, help windows, money and time. These types travel to the browser,
//! so nothing private to a household (names, ID numbers, addresses, phones) can live in them.
//! Values from outside are parsed into these types at the edge; past it they are valid.
//!
//! One file per feature; every type is re-exported here, so `crate::domain::Fen` names it
//! wherever it lives.

mod asks;
mod claim;
mod hours;
mod interest;
mod live;
mod money;
mod need;
mod notice;
mod offer;
mod report;
mod text;
mod thanks;
mod time;
mod timeline;

pub use asks::*;
pub use claim::*;
pub use hours::*;
pub use interest::*;
pub use live::*;
pub use money::*;
pub use need::*;
pub use notice::*;
pub use offer::*;
pub use report::*;
pub use text::*;
pub use thanks::*;
pub use time::*;
pub use timeline::*;

#[cfg(test)]
mod tests;
