//! The demo accounts built into the simulator, each defined by its vendor's module.
//!
//! Public so that tests in every language can build requests by hand (a wrong signature, a
//! stale timestamp) without copying the values; [`crate::Simulator::config_json`] gives the
//! same values as ready-to-use channel configs.

pub use crate::vendors::demo::*;

/// Units every account with a balance starts with, unless `SimOptions::balances` says otherwise.
pub const DEFAULT_BALANCE: u64 = 100;
