pub mod chart;
pub mod filter_bar;
pub mod lang_switch;
pub mod need_card;
pub mod session;
pub mod toast;
