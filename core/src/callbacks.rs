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
//! - Huawei repeats fee pushes up to 6 times an hour apart, so every receiver should
//!   de-duplicate.
//!
//! Every receiver answers HTTP 200 with [`push_ack`]'s body, and vendors retry a push that was
//! not acknowledged so.

use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::recent::Recent;
pub use crate::vendors::aliyun::REPORT_ACK as ALIYUN_REPORT_ACK;
pub use crate::vendors::huawei::push::HuaweiPushVerifier;
use crate::vendors::json_text;
pub use crate::vendors::tencent::CALLBACK_ACK as TENCENT_CALLBACK_ACK;
use crate::{Error, Result, Vendor};

/// What happened to a call.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    /// The platform started calling (Huawei `callout`, aliyun `200101`).
    Dialing,
    /// The phone is ringing (Huawei `alerting`, aliyun `200201`).
    Ringing,
    /// The user picked up (Huawei `answer`, aliyun `200102`).
    Answered,
    /// The call ended (Huawei `disconnect`, aliyun `200100`); `state_code` says why.
    Hangup,
    /// The code was delivered (cloud10658 receipt with status 1, aliyun `VoiceReport` 200000 or
    /// 200001, Tencent `result` 0).
    Delivered,
    /// The code was not delivered (cloud10658 receipt with status 0, any other aliyun
    /// `VoiceReport` status, Tencent `result` 1 or 2 and `voice_failure_callback`).
    Failed,
    /// A call detail record (Huawei fee push).
    Fee,
}

impl EventKind {
    /// The snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One call event, whatever the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    /// Who sent it.
    pub vendor: Vendor,
    /// The receipt's `message_id` (Huawei sessionId, cloud10658 taskid, aliyun call_id, Tencent
    /// callid).
    pub message_id: String,
    /// The called number, as the vendor wrote it.
    pub phone: Option<String>,
    /// What happened.
    pub event: EventKind,
    /// When, in UTC (RFC 3339 when serialised).
    pub at: Option<DateTime<Utc>>,
    /// Huawei hang-up cause (Q.850-like: 16 normal, 17 busy, 19 no answer, …), cloud10658
    /// gateway code, aliyun `status_code` (200000 heard, 200002 busy, …), or Tencent `result` or
    /// `failure_code`; unknown codes are kept as they are.
    pub state_code: Option<i64>,
    /// The vendor's description of the state.
    pub state_desc: Option<String>,
    /// Seconds of conversation, where the vendor reports it.
    pub talk_seconds: Option<u64>,
    /// The `user_data` given at send time (Huawei `userData`, aliyun `out_id`).
    pub user_data: Option<String>,
    /// Every field of the push as received, including ones voicecode does not know.
    pub raw: Map<String, Value>,
}

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

pub(crate) fn bad_body(vendor: Vendor, detail: impl std::fmt::Display) -> Error {
    Error::invalid_input("body", format!("not a {vendor} push: {detail}"))
}

pub(crate) fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(json_text).filter(|s| !s.is_empty())
}

pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> Option<i64> {
    text_field(map, key)?.trim().parse().ok()
}
/// What a receiver answers to a push once it has taken it: HTTP 200 with this body and
/// `Content-Type` (from the vendor's module, e.g. [`ALIYUN_REPORT_ACK`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PushAck {
    /// The response body; empty for a vendor that asks for none.
    pub body: &'static str,
    /// The response's `Content-Type`.
    pub content_type: &'static str,
}

impl PushAck {
    /// An empty HTTP 200: what a vendor that specifies no answer body gets.
    pub const EMPTY: PushAck = PushAck {
        body: "",
        content_type: "text/plain; charset=utf-8",
    };

    /// A JSON answer body.
    pub const fn json(body: &'static str) -> PushAck {
        PushAck {
            body,
            content_type: "application/json; charset=utf-8",
        }
    }
}

/// How to acknowledge `vendor`'s call-status pushes, or `None` for a vendor that sends none.
pub fn push_ack(vendor: Vendor) -> Option<PushAck> {
    vendor.push_parser().map(|_| vendor.push_ack())
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
