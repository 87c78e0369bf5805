//! Private data: households, the notes volunteers keep, and what reviewers see. These types
//! travel only in answers to the people allowed to read them (volunteers and reviewers of the
//! household's area, admins); every server function that returns one checks the caller first.
//! No public type ([`PublicNeed`], [`Board`](crate::domain::Board),
//! [`LiveChange`](crate::domain::LiveChange)) contains any of them, and the ID number itself has
//! no serialised form at all.
//!
//! One file per feature; every type is re-exported here (`crate::private::HouseholdView`).

mod account;
mod agency;
#[cfg(feature = "ssr")]
mod agency_aid;
mod aid;
#[cfg(feature = "ssr")]
mod aid_import;
mod desk;
mod household;
mod intake;
mod review;
mod service;

pub use account::*;
pub use agency::*;
#[cfg(feature = "ssr")]
pub use agency_aid::*;
pub use aid::*;
#[cfg(feature = "ssr")]
pub use aid_import::*;
pub use desk::*;
pub use household::*;
pub use intake::*;
pub use review::*;
pub use service::*;

#[cfg(test)]
mod tests;
