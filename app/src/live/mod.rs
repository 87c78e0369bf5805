//! The live path, as one concept: a committed change is logged as an event
//! ([`crate::db::events`]); committing its transaction wakes this instance's [`hub`] (other
//! instances hear PostgreSQL's NOTIFY, or poll); the hub's pump reads the log in order and
//! fans each event out to every open stream; the browser's [`client`] applies it to the board.
//! How the stream is spelled on the wire, for the server, the browser and the tests alike, is
//! [`protocol`].

pub mod protocol;

#[cfg(feature = "hydrate")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod hub;

#[cfg(feature = "ssr")]
pub use hub::{LiveFrame, LiveHub, LiveMessage, LiveSettings, MAX_REPLAY};
