//! Ready-to-use channel configs (the core's schema) for the demo accounts.

use serde_json::{json, Value};
use voicecode::Vendor;

use crate::vendors;

/// The channel config of `vendor`'s demo account, pointed at `base_url`.
pub(crate) fn channel_config(vendor: Vendor, base_url: &str) -> Value {
    let mut config = (vendors::side(vendor).config)();
    if let Value::Object(map) = &mut config {
        map.insert("vendor".into(), json!(vendor.as_str()));
        map.insert("base_url".into(), json!(base_url));
    }
    config
}
