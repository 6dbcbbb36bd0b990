//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. Every check is the simulator's own, written
//! from the vendor's rules in `docs/protocols/<vendor>.md` and never borrowed from the client
//! (`tests/independence.rs` keeps it so): a mistake in the client's signer or number rules
//! cannot pass its own check, and requests made by the vendors' official SDKs are checked as
//! the services check them.
//!
//! Each vendor module owns everything about its vendor: its routes, demo account, ready config,
//! balance, pushes and memory, given to the rest of the simulator as its `SIDE`
//! ([`VendorSide`]). It depends only on the layers below it (`exchange`, `state`, `push`,
//! `journal`, `wire`), never on this module or on another vendor. Adding a vendor is its module
//! and one line in [`registry!`].

use crate::exchange::VendorSide;

/// Declares each vendor module, lists its `SIDE` in [`ALL`] and its demo account in [`demo`].
macro_rules! registry {
    ($($module:ident,)*) => {
        $(pub(crate) mod $module;)*

        /// Every simulated vendor.
        pub(crate) const ALL: &[&VendorSide] = &[$(&$module::SIDE),*];

        /// Every vendor's demo account, as [`crate::demo`] shows them.
        pub mod demo {
            $(pub use super::$module::demo::*;)*
        }
    };
}

registry! {
    ytx,
    huawei,
    ihuyi,
    cloud10658,
    oneaccess,
    aliyun,
    tencent,
}

/// The simulated `vendor`.
pub(crate) fn side(vendor: voicecode::Vendor) -> &'static VendorSide {
    ALL.iter()
        .find(|side| side.vendor == vendor)
        .expect("every vendor is in the registry (`every_vendor_is_registered_once` checks)")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_vendor_is_registered_once() {
        let registered: Vec<_> = super::ALL.iter().map(|side| side.vendor).collect();
        let mut sorted = registered.clone();
        sorted.sort_by_key(|v| v.as_str());
        sorted.dedup();
        assert_eq!(sorted.len(), registered.len(), "{registered:?}");
        assert_eq!(sorted.len(), voicecode::Vendor::ALL.len(), "{registered:?}");
    }
}
