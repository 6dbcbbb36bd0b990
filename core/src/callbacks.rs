//! Call-status pushes from the vendors, as one event model, and their authentication.
//!
//! - Huawei status pushes (`callout → alerting → answer → disconnect`) and fee pushes are JSON,
//!   signed like requests but with the status URL prefixed to the digested text
//!   (PROTOCOLS.md §2). [`HuaweiPushVerifier`] checks the digest in constant time, the `Created`
//!   window and nonce replay.
//! - cloud10658 receipts are unsigned form posts (PROTOCOLS.md §4). Their only defences are a
//!   secret in the receipt URL (check it before parsing), an IP allow-list, and
//!   de-duplication ([`Deduplicator`]).
//! - Huawei repeats fee pushes up to 6 times an hour apart, so every receiver should
//!   de-duplicate.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;

use crate::vendors::{huawei, json_text};
use crate::{Error, ErrorKind, Result, Secret, Vendor};

/// What happened to a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The platform started calling (Huawei `callout`).
    Dialing,
    /// The phone is ringing (Huawei `alerting`).
    Ringing,
    /// The user picked up (Huawei `answer`).
    Answered,
    /// The call ended (Huawei `disconnect`); `state_code` says why.
    Hangup,
    /// The code was delivered (cloud10658 receipt with status 1).
    Delivered,
    /// The code was not delivered (cloud10658 receipt with status 0).
    Failed,
    /// A call detail record (Huawei fee push).
    Fee,
}

impl EventKind {
    /// The snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Dialing => "dialing",
            EventKind::Ringing => "ringing",
            EventKind::Answered => "answered",
            EventKind::Hangup => "hangup",
            EventKind::Delivered => "delivered",
            EventKind::Failed => "failed",
            EventKind::Fee => "fee",
        }
    }
}

/// One call event, whatever the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    /// Who sent it.
    pub vendor: Vendor,
    /// The receipt's `message_id` (Huawei sessionId, cloud10658 taskid).
    pub message_id: String,
    /// The called number, as the vendor wrote it.
    pub phone: Option<String>,
    /// What happened.
    pub event: EventKind,
    /// When, in UTC (RFC 3339 when serialised).
    pub at: Option<DateTime<Utc>>,
    /// Huawei hang-up cause (Q.850-like: 16 normal, 17 busy, 19 no answer, …) or cloud10658
    /// gateway code; unknown codes are kept as they are.
    pub state_code: Option<i64>,
    /// The vendor's description of the state.
    pub state_desc: Option<String>,
    /// Seconds of conversation, where the vendor reports it.
    pub talk_seconds: Option<u64>,
    /// The `user_data` given at send time (Huawei).
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
    match vendor {
        Vendor::Huawei => parse_huawei(body),
        Vendor::Cloud10658 => parse_cloud10658(headers, body),
        other => Err(Error::invalid_input(
            "vendor",
            format!("{other} sends no call-status pushes; huawei and cloud10658 do"),
        )),
    }
}

fn bad_body(vendor: Vendor, detail: impl std::fmt::Display) -> Error {
    Error::invalid_input("body", format!("not a {vendor} push: {detail}"))
}

/// Huawei writes times as `yyyy-MM-dd HH:mm:ss` in UTC.
fn huawei_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text?, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(Utc.from_utc_datetime(&naive))
}

fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(json_text).filter(|s| !s.is_empty())
}

fn int_field(map: &Map<String, Value>, key: &str) -> Option<i64> {
    text_field(map, key)?.trim().parse().ok()
}

fn parse_huawei(body: &[u8]) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Huawei, detail);
    let push: Map<String, Value> = serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?;
    let event_type = push
        .get("eventType")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no eventType"))?;
    if event_type == "fee" {
        let records = push
            .get("feeLst")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("fee push without feeLst"))?;
        return records
            .iter()
            .map(|record| {
                let record = record
                    .as_object()
                    .ok_or_else(|| bad("feeLst holds a non-object"))?;
                fee_event(record).ok_or_else(|| bad("fee record without sessionId"))
            })
            .collect();
    }
    let event = match event_type {
        "callout" => EventKind::Dialing,
        "alerting" => EventKind::Ringing,
        "answer" => EventKind::Answered,
        "disconnect" => EventKind::Hangup,
        "collectInfo" => return Ok(Vec::new()),
        other => return Err(bad(&format!("unknown eventType {other:?}"))),
    };
    let info = push
        .get("statusInfo")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("no statusInfo"))?;
    let message_id =
        text_field(info, "sessionId").ok_or_else(|| bad("statusInfo without sessionId"))?;
    Ok(vec![CallEvent {
        vendor: Vendor::Huawei,
        message_id,
        phone: text_field(info, "called"),
        event,
        at: huawei_time(text_field(info, "timestamp").as_deref()),
        state_code: int_field(info, "stateCode"),
        state_desc: text_field(info, "stateDesc"),
        talk_seconds: None,
        user_data: text_field(info, "userData"),
        raw: push,
    }])
}

fn fee_event(record: &Map<String, Value>) -> Option<CallEvent> {
    let answered = huawei_time(text_field(record, "fwdAnswerTime").as_deref());
    let ended = huawei_time(text_field(record, "callEndTime").as_deref());
    let talk_seconds = match (answered, ended) {
        (Some(a), Some(e)) if e >= a => u64::try_from((e - a).num_seconds()).ok(),
        _ => None,
    };
    Some(CallEvent {
        vendor: Vendor::Huawei,
        message_id: text_field(record, "sessionId")?,
        phone: text_field(record, "calleeNum"),
        event: EventKind::Fee,
        at: ended,
        // `fwdUnaswRsn` is the numeric cause of an unanswered call; `ulFailReason` the
        // platform's failure reason when the call never got that far.
        state_code: int_field(record, "fwdUnaswRsn").or_else(|| int_field(record, "ulFailReason")),
        state_desc: None,
        talk_seconds,
        user_data: text_field(record, "userData"),
        raw: record.clone(),
    })
}

fn parse_cloud10658(headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Cloud10658, detail);
    let is_json = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("json")
    });
    let form: Map<String, Value> = if is_json {
        serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?
    } else {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(body).map_err(|e| bad(&e.to_string()))?;
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    };
    let message_id = text_field(&form, "taskid").ok_or_else(|| bad("no taskid"))?;
    let event = match text_field(&form, "status").as_deref().map(str::trim) {
        Some("1") => EventKind::Delivered,
        Some("0") => EventKind::Failed,
        other => return Err(bad(&format!("status {other:?} is neither 1 nor 0"))),
    };
    // The vendor writes China wall-clock time without a zone.
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let at = text_field(&form, "receivetime")
        .and_then(|t| NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S").ok())
        .and_then(|t| china.from_local_datetime(&t).single())
        .map(|t| t.with_timezone(&Utc));
    Ok(vec![CallEvent {
        vendor: Vendor::Cloud10658,
        message_id,
        phone: text_field(&form, "mobile"),
        event,
        at,
        state_code: int_field(&form, "code"),
        state_desc: text_field(&form, "remark"),
        talk_seconds: int_field(&form, "talktime").and_then(|s| u64::try_from(s).ok()),
        user_data: None,
        raw: form,
    }])
}

/// Authenticates Huawei pushes for one status (or fee) URL.
///
/// Share one verifier between requests: it remembers the nonces it has accepted (a bounded
/// cache) so that a captured push cannot be replayed.
#[derive(Debug)]
pub struct HuaweiPushVerifier {
    app_secret: Secret,
    url: String,
    window: Duration,
    seen: Mutex<NonceCache>,
}

#[derive(Debug, Default)]
struct NonceCache {
    expiry: HashMap<String, DateTime<Utc>>,
    order: VecDeque<String>,
}

/// Nonces older than the window are refused as stale anyway; this bounds memory under a flood.
const NONCE_CAPACITY: usize = 100_000;

impl HuaweiPushVerifier {
    /// A verifier for pushes to `url` (as configured, not Base64), signed with `app_secret`.
    /// `Created` must be within 5 minutes of now.
    pub fn new(app_secret: impl Into<Secret>, url: impl Into<String>) -> Self {
        HuaweiPushVerifier {
            app_secret: app_secret.into(),
            url: url.into(),
            window: Duration::from_secs(300),
            seen: Mutex::new(NonceCache::default()),
        }
    }

    /// Changes how far `Created` may be from now.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Checks a push's headers now.
    pub fn verify(&self, headers: &[(String, String)]) -> Result<()> {
        self.verify_at(headers, Utc::now())
    }

    /// Checks a push's headers as of `now`.
    pub fn verify_at(&self, headers: &[(String, String)], now: DateTime<Utc>) -> Result<()> {
        let x_aksk = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-aksk"))
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| refused("no X-AKSK header"))?;
        let fields = parse_x_aksk(x_aksk).ok_or_else(|| refused("malformed X-AKSK header"))?;
        let get = |name: &str| {
            fields
                .get(name)
                .copied()
                .ok_or_else(|| refused(&format!("X-AKSK has no {name}")))
        };
        let (digest, nonce, created) = (get("PasswordDigest")?, get("Nonce")?, get("Created")?);
        if nonce.is_empty()
            || nonce.len() > 128
            || !nonce.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(refused("the nonce is not 1 to 128 letters or digits"));
        }
        let expected = huawei::push_digest(self.app_secret.expose(), &self.url, nonce, created);
        if !bool::from(expected.as_bytes().ct_eq(digest.as_bytes())) {
            return Err(refused(
                "the digest does not match (wrong app_secret or URL, or a forged push)",
            ));
        }
        let created_at = DateTime::parse_from_rfc3339(created)
            .map_err(|_| refused("Created is not yyyy-MM-ddTHH:mm:ssZ"))?
            .with_timezone(&Utc);
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        if (now - created_at).abs() > window {
            return Err(refused("Created is outside the accepted window (a stale or replayed push, or a skewed clock)"));
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.forget_expired(now);
        if seen.expiry.contains_key(nonce) {
            return Err(refused("this nonce was already used (a replayed push)"));
        }
        seen.remember(nonce.to_owned(), created_at + window);
        Ok(())
    }
}

impl NonceCache {
    fn forget_expired(&mut self, now: DateTime<Utc>) {
        while let Some(oldest) = self.order.front() {
            let expired = self.expiry.get(oldest).is_none_or(|&until| until < now);
            if !expired && self.order.len() < NONCE_CAPACITY {
                break;
            }
            let oldest = self.order.pop_front().expect("front exists");
            self.expiry.remove(&oldest);
        }
    }

    fn remember(&mut self, nonce: String, until: DateTime<Utc>) {
        self.expiry.insert(nonce.clone(), until);
        self.order.push_back(nonce);
    }
}

fn refused(reason: &str) -> Error {
    let mut e = Error::invalid_input("X-AKSK", reason);
    e.set_kind(ErrorKind::AuthFailed);
    e.with_vendor(Vendor::Huawei)
}

/// `UsernameToken Username="…",PasswordDigest="…",Nonce="…",Created="…"` → its fields.
fn parse_x_aksk(header: &str) -> Option<HashMap<&str, &str>> {
    let rest = header.trim().strip_prefix("UsernameToken")?.trim_start();
    let mut fields = HashMap::new();
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        let value = value.trim().strip_prefix('"')?.strip_suffix('"')?;
        fields.insert(name.trim(), value);
    }
    Some(fields)
}

/// Remembers which events were already handled: keyed by vendor, message id and event kind.
///
/// Huawei repeats fee pushes and vendors retry pushes a receiver did not acknowledge in time;
/// handle an event only when [`Deduplicator::first_time`] says so. Bounded: the oldest keys are
/// forgotten first.
#[derive(Debug)]
pub struct Deduplicator {
    capacity: usize,
    seen: Mutex<SeenEvents>,
}

type EventKey = (Vendor, String, EventKind);

#[derive(Debug, Default)]
struct SeenEvents {
    keys: HashSet<EventKey>,
    order: VecDeque<EventKey>,
}

impl Deduplicator {
    /// Remembers up to `capacity` events.
    pub fn new(capacity: usize) -> Self {
        Deduplicator {
            capacity: capacity.max(1),
            seen: Mutex::new(Default::default()),
        }
    }

    /// True the first time an event is seen, false for its repeats.
    pub fn first_time(&self, event: &CallEvent) -> bool {
        let key = (event.vendor, event.message_id.clone(), event.event);
        let mut guard = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let seen = &mut *guard;
        if !seen.keys.insert(key.clone()) {
            return false;
        }
        seen.order.push_back(key);
        if seen.order.len() > self.capacity {
            if let Some(oldest) = seen.order.pop_front() {
                seen.keys.remove(&oldest);
            }
        }
        true
    }
}

impl Default for Deduplicator {
    fn default() -> Self {
        Deduplicator::new(100_000)
    }
}
