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

use voicecode::{Product, Vendor};

use crate::exchange::VendorSide;

/// Declares each vendor module, lists its sides in [`ALL`] and its demo accounts in [`demo`].
macro_rules! registry {
    (modules { $($module:ident,)* } sides { $($side:path,)* }) => {
        $(pub(crate) mod $module;)*

        /// Every simulated vendor product.
        pub(crate) const ALL: &[&VendorSide] = &[$(&$side),*];

        /// Every vendor's demo account, as [`crate::demo`] shows them.
        pub mod demo {
            $(pub use super::$module::demo::*;)*
        }
    };
}

registry! {
    modules {
        ytx,
        huawei,
        ihuyi,
        cloud10658,
        oneaccess,
        aliyun,
        tencent,
    }
    // Requests to `/` go to the first side that claims them: an SMS side, which claims its own
    // action, comes before its vendor's voice side.
    sides {
        ytx::SIDE,
        huawei::SIDE,
        huawei::sms::SIDE,
        ihuyi::sms::SIDE,
        ihuyi::SIDE,
        cloud10658::SIDE,
        oneaccess::SIDE,
        aliyun::sms::SIDE,
        aliyun::SIDE,
        tencent::sms::SIDE,
        tencent::SIDE,
    }
}

/// The simulated `product` of `vendor`, if voicecode has it.
pub(crate) fn side(vendor: Vendor, product: Product) -> Option<&'static VendorSide> {
    ALL.iter()
        .copied()
        .find(|side| side.vendor == vendor && side.product == product)
}

#[cfg(test)]
mod tests {
    use voicecode::{Product, Vendor};

    #[test]
    fn every_product_of_every_vendor_is_registered_once() {
        let registered: Vec<_> = super::ALL
            .iter()
            .map(|side| (side.vendor, side.product))
            .collect();
        let mut sorted = registered.clone();
        sorted.sort_by_key(|(v, p)| (v.as_str(), p.as_str()));
        sorted.dedup();
        assert_eq!(sorted.len(), registered.len(), "{registered:?}");
        let offered: Vec<(Vendor, Product)> = Vendor::ALL
            .into_iter()
            .flat_map(|v| v.products().iter().map(move |p| (v, *p)))
            .collect();
        assert_eq!(sorted.len(), offered.len(), "{registered:?}");
        for pair in offered {
            assert!(registered.contains(&pair), "{pair:?} has no simulated side");
        }
    }
}
