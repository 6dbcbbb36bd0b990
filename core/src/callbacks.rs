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
//!   de-duplication are the receiver's defences; answer [`ALIYUN_REPORT_ACK`] within 700 ms.
//! - Tencent VMS callbacks (`voicecode_callback`, `voice_failure_callback`) are unsigned JSON
//!   too, with the same three defences; `callid` is the receipt's `message_id`. Answer
//!   [`TENCENT_CALLBACK_ACK`].
//! - Huawei repeats fee pushes up to 6 times an hour apart, so every receiver should
//!   de-duplicate.

use std::sync::Mutex;

pub use crate::model::{CallEvent, EventKind};
use crate::recent::Recent;
pub use crate::vendors::aliyun::REPORT_ACK as ALIYUN_REPORT_ACK;
pub use crate::vendors::huawei::push::HuaweiPushVerifier;
pub use crate::vendors::tencent::CALLBACK_ACK as TENCENT_CALLBACK_ACK;
use crate::{Error, Result, Vendor};

/// Parses a push body into events, in the order the vendor listed them.
///
/// `headers` tell the body's format where a vendor may use two (cloud10658 receipts are forms,
/// but JSON is accepted when `Content-Type` says so). Huawei `collectInfo` events belong to voice
/// notices, not codes, and yield no event.
pub fn parse(vendor: Vendor, headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let Some(parse) = vendor.push_parser() else {
        let pushing: Vec<&str> = Vendor::ALL
            .iter()
            .filter(|v| v.push_parser().is_some())
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
