//! Generates the `i18n` module (the `Locale` enum and the `td!`-readable keys) from
//! `app/locales/<locale>/<namespace>.json`. Chinese (`zh-CN`) is the default locale; every key
//! must exist in both (a key missing from `en` is a build warning here and a failing unit test,
//! `i18n::tests::both_locales_have_every_key`).

use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::error::Error;
use std::path::PathBuf;

/// One file per part of the site, so that two people translating two pages never touch the
/// same file.
pub const NAMESPACES: [&str; 20] = [
    "common",
    "errors",
    "domain",
    "board",
    "need",
    "account",
    "intake",
    "review",
    "admin",
    "agencies",
    "desk",
    "claims",
    "impact",
    "credit",
    "notices",
    "offers",
    "interests",
    "thanks",
    "hours",
    "reports",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("i18n");
    let config = Config::new("zh-CN")?
        .add_locale("en")?
        .add_namespaces(NAMESPACES)?
        // `td_string!` with values (`{{ name }}` in a text) outside views: titles, attributes,
        // error messages.
        .parse_options(ParseOptions::new().interpolate_display(true));
    let translations = TranslationsInfos::parse(config)?;
    translations.emit_diagnostics();
    translations.rerun_if_locales_changed();
    translations.generate_i18n_module(out)?;
    Ok(())
}
