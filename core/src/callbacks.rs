//! Call-status pushes from the vendors, as one event model, and their authentication.
//!
//! Each vendor module reads its own pushes; this is the model they share and the entry point.
//! - Huawei status and fee pushes are signed: [`HuaweiPushVerifier`] checks the digest in
//!   constant time, the `Created` window and nonce replay.
//! - cloud10658 receipts are unsigned form posts (`docs/protocols/cloud10658.md#pushes`).
//!   Their only defences are a secret in the receipt URL (check it before parsing), an IP
//!   allow-list, and de-duplication ([`Deduplicator`]).
//! - Alibaba Cloud `VoiceReport`/`VoiceCallReport` pushes are unsigned JSON arrays and come from
//!   no published addresses: a secret in the callback URL (checked before parsing), HTTPS and
//!   de-duplication are the receiver's defences; answer within 700 ms.
//! - Tencent VMS callbacks (`voicecode_callback`, `voice_failure_callback`) are unsigned JSON
//!   too, with the same three defences; `callid` is the receipt's `message_id`.
//! - Huawei SMS status reports are unsigned unless 推送AKSK鉴权 is on for the application; then
//!   [`HuaweiReportVerifier`] checks their SDK-HMAC-SHA256 signature and `X-Sdk-Date` window.
//! - ihuyi SMS reports are unsigned form posts: a secret in the report URL and de-duplication.
//! - Huawei repeats fee pushes up to 6 times an hour apart, so every receiver should
//!   de-duplicate.
//!
//! Every receiver answers HTTP 200 with [`push_ack`]'s body, and vendors retry a push that was
//! not acknowledged so.

use std::sync::Mutex;

use serde_json::Value;

pub use crate::model::{CallEvent, EventKind};
pub use crate::protocol::vendor::PushAck;
use crate::recent::Recent;
pub use crate::vendors::aliyun::REPORT_ACK as ALIYUN_REPORT_ACK;
pub use crate::vendors::huawei::push::HuaweiPushVerifier;
pub use crate::vendors::huawei::report::HuaweiReportVerifier;
pub use crate::vendors::tencent::CALLBACK_ACK as TENCENT_CALLBACK_ACK;
use crate::{Error, Result, Vendor};

/// Parses a push body into events, in the order the vendor listed them.
///
/// `headers` tell the body's format where a vendor may use two (cloud10658 receipts are forms,
/// but JSON is accepted when `Content-Type` says so). Huawei `collectInfo` events belong to voice
/// notices, not codes, and yield no event.
pub fn parse(vendor: Vendor, headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let Some((parse, _)) = vendor.push() else {
        let pushing: Vec<&str> = Vendor::ALL
            .iter()
            .filter(|v| v.push().is_some())
            .map(|v| v.as_str())
            .collect();
        return Err(Error::invalid_input(
            "vendor",
            format!(
                "{vendor} sends no call-status pushes; {} do",
                pushing.join(", ")
            ),
        ));
    };
    parse(headers, body)
}

/// How to acknowledge `vendor`'s call-status pushes, or `None` for a vendor that sends none.
pub fn push_ack(vendor: Vendor) -> Option<PushAck> {
    vendor.push().map(|(_, ack)| ack)
}

/// A push's headers in the one shape the bindings pass them: a JSON object of names to a string
/// (or to a list of strings, one header each), or an array of `[name, value]` string pairs.
/// Any other shape is `invalid_input` naming `field`.
pub fn header_pairs(field: &str, headers: Value) -> Result<Vec<(String, String)>> {
    let bad = || {
        Error::invalid_input(
            field,
            "must be an object of header names to strings, or an array of [name, value] pairs",
        )
    };
    let text = |v: Value| match v {
        Value::String(s) => Ok(s),
        _ => Err(bad()),
    };
    let mut pairs = Vec::new();
    match headers {
        Value::Object(map) => {
            for (name, value) in map {
                match value {
                    Value::Array(values) => {
                        for v in values {
                            pairs.push((name.clone(), text(v)?));
                        }
                    }
                    v => pairs.push((name, text(v)?)),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let (name, value) = serde_json::from_value(item).map_err(|_| bad())?;
                pairs.push((name, value));
            }
        }
        _ => return Err(bad()),
    }
    Ok(pairs)
}

/// Remembers which events were already handled: keyed by vendor, message id and event kind.
///
/// Huawei repeats fee pushes and vendors retry pushes a receiver did not acknowledge in time;
/// handle an event only when [`Deduplicator::first_time`] says so. Bounded: the oldest keys are
/// forgotten first.
#[derive(Debug)]
pub struct Deduplicator {
    seen: Mutex<Recent<(Vendor, String, EventKind)>>,
}

impl Deduplicator {
    /// Remembers up to `capacity` events.
    pub fn new(capacity: usize) -> Self {
        Deduplicator {
            seen: Mutex::new(Recent::new(capacity)),
        }
    }

    /// True the first time an event is seen, false for its repeats.
    pub fn first_time(&self, event: &CallEvent) -> bool {
        let key = (event.vendor, event.message_id.clone(), event.event);
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, (), None)
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Deduplicator::new(100_000)
    }
}
