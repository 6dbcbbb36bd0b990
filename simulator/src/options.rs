//! How to start a simulator.

use std::collections::HashMap;

use voicecode::Vendor;

/// How to start a [`Simulator`](crate::Simulator).
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Port on 127.0.0.1; `0` picks any free port (see [`Simulator::port`](crate::Simulator::port)).
    pub port: u16,
    /// Starting balances in units, replacing [`crate::demo::DEFAULT_BALANCE`] for the vendors named.
    /// Only ytx, ihuyi and cloud10658 have a balance; an accepted send costs 1.
    pub balances: HashMap<Vendor, u64>,
    /// Where cloud10658 receipts are pushed after each accepted send (the URL a cloud10658
    /// account registers in the vendor's console). No receipts when unset.
    pub cloud10658_receipt_url: Option<String>,
}
