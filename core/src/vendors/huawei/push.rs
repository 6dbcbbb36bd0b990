//! Huawei call-status and fee pushes: reading them and checking that Huawei sent them.
//!
//! Status pushes (`callout → alerting → answer → disconnect`) and fee pushes are JSON, signed
//! like requests but with the status URL prefixed to the digested text
//! (`docs/protocols/huawei.md#pushes`). Huawei repeats fee pushes up to 6 times an hour apart,
//! so receivers de-duplicate.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;

use crate::model::{CallEvent, EventKind};
use crate::protocol::wire::{bad_body, int_field, text_field};
use crate::recent::Recent;
use crate::{Error, ErrorKind, Result, Secret, Vendor};

/// Huawei writes times as `yyyy-MM-dd HH:mm:ss` in UTC.
fn huawei_time(text: Option<&str>) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(text?, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(Utc.from_utc_datetime(&naive))
}

pub(crate) fn parse(_headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    // Voice pushes are JSON objects; SMS status reports are forms, which never start with `{`.
    if body.trim_ascii_start().first() != Some(&b'{') {
        return super::report::report_event(body).map(|event| vec![event]);
    }
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

/// Authenticates Huawei pushes for one status (or fee) URL.
///
/// Share one verifier between requests: it remembers the nonces it has accepted (a bounded
/// cache) so that a captured push cannot be replayed.
#[derive(Debug)]
pub struct HuaweiPushVerifier {
    app_secret: Secret,
    url: String,
    window: Duration,
    seen: Mutex<Recent<String>>,
}

/// Nonces older than the window are refused as stale anyway; this bounds memory under a flood.
const NONCE_CAPACITY: usize = 100_000;

/// A receiver has one verifier per status or fee URL; more than this is misuse (options built
/// per push), and the oldest are forgotten.
const SHARED_CAPACITY: usize = 256;

type SharedKey = (String, String, Duration);

impl HuaweiPushVerifier {
    /// A verifier for pushes to `url` (as configured, not Base64), signed with `app_secret`.
    /// `Created` must be within 5 minutes of now.
    pub fn new(app_secret: impl Into<Secret>, url: impl Into<String>) -> Self {
        HuaweiPushVerifier {
            app_secret: app_secret.into(),
            url: url.into(),
            window: Self::DEFAULT_WINDOW,
            seen: Mutex::new(Recent::new(NONCE_CAPACITY)),
        }
    }

    /// How far `Created` may be from now unless [`HuaweiPushVerifier::with_window`] says otherwise.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);

    /// The process-wide verifier for this secret, URL and window, made on first use. For
    /// receivers that check each push with one call instead of keeping a verifier (the bindings'
    /// `verify_huawei` functions): replay protection still spans their pushes.
    pub fn shared(app_secret: &str, url: &str, window: Duration) -> Arc<Self> {
        static SHARED: OnceLock<Mutex<Recent<SharedKey, Arc<HuaweiPushVerifier>>>> =
            OnceLock::new();
        let mut shared = SHARED
            .get_or_init(|| Mutex::new(Recent::new(SHARED_CAPACITY)))
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let key = (app_secret.to_owned(), url.to_owned(), window);
        if let Some(verifier) = shared.get(&key) {
            return Arc::clone(verifier);
        }
        let verifier = Arc::new(HuaweiPushVerifier::new(app_secret, url).with_window(window));
        shared.insert(key, Arc::clone(&verifier), None);
        verifier
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
        let expected = super::push_digest(self.app_secret.expose(), &self.url, nonce, created);
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
        if !seen.insert(nonce.to_owned(), (), Some(created_at + window)) {
            return Err(refused("this nonce was already used (a replayed push)"));
        }
        Ok(())
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
