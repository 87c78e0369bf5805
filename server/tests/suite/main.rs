//! The integration suite, one binary (one link of the whole server instead of nine): each test
//! gets a fresh database and a real server on port 0 ([`support::spawn_app`]), and talks to it
//! over HTTP as a browser would. Every wait on the network is bounded and fails saying what it
//! waited for ([`support`]), so a hang is a failure with a name, never a stuck run.
//!
//! Each test runs its servers on a multi-thread runtime, as `wanshan-server` does, and one
//! test runs at a time (`RUST_TEST_THREADS=1` in `.cargo/config.toml`): two servers on two
//! runtimes in one process stalled each other's server-rendered pages now and then (Leptos
//! keeps reactive state per process; production has one server per process).
//!
//! Run on SQLite by `cargo test -p wanshan-server`, and again on PostgreSQL when
//! `WANSHAN_TEST_POSTGRES` names a server (`./run.sh test` starts one).

mod support;

mod accounts;
mod agency_api;
mod aid;
mod authorization;
mod city;
mod claims;
mod desk;
mod edge;
mod fulfilment;
mod fuzz;
mod hours;
mod instances;
mod languages;
mod live;
mod notices;
mod ops;
mod outbox;
mod overload;
mod privacy;
mod reports;
mod review;
mod safety;
mod services;
mod share;
mod thanks;
mod upgrade;
