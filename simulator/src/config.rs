//! Ready-to-use channel configs (the core's schema) for the demo accounts.

use serde_json::{json, Value};
use voicecode::{Product, Vendor};

use crate::vendors;

/// The channel config of the demo account of `vendor`'s `product`, pointed at `base_url`;
/// `None` for a product the vendor lacks.
pub(crate) fn channel_config(vendor: Vendor, product: Product, base_url: &str) -> Option<Value> {
    let mut config = (vendors::side(vendor, product)?.config)();
    if let Value::Object(map) = &mut config {
        map.insert("vendor".into(), json!(vendor.as_str()));
        if product != Product::Voice {
            map.insert("product".into(), json!(product.as_str()));
        }
        map.insert("base_url".into(), json!(base_url));
    }
    Some(config)
}
