//! Huawei Cloud SMS status reports (接收状态报告, sms_05_0003.html): reading them, and checking
//! the signature they carry when 推送AKSK鉴权 is turned on for the application.
//!
//! Reports are unsigned by default ("用户对短信平台推送的状态报告免鉴权"). With push
//! authentication on, Huawei signs each report as its API gateway signs requests:
//! SDK-HMAC-SHA256 under the application's key (`X-Sdk-Date`, `Authorization: SDK-HMAC-SHA256
//! Access=…, SignedHeaders=…, Signature=…`), the canonical request made of the method, the
//! report URL's path (with a trailing `/`) and query, the headers it names and the body's
//! SHA-256 (or the `X-Sdk-Content-Sha256` header's value when it is present).

use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::model::{CallEvent, EventKind};
use crate::protocol::encode;
use crate::protocol::wire::{bad_body, form_fields, text_field};
use crate::{Error, ErrorKind, Result, Secret, Vendor};

/// A status report (接收状态报告, sms_05_0003.html) as a delivery event: a form post of
/// `smsMsgId`, `status` (`DELIVRD` when delivered, an error code otherwise), `statusDesc`,
/// `updateTime` (UTC), `to`, `extend` (the send's `user_data`) and more, kept in `raw`. Huawei
/// wants an empty HTTP 200, as for its voice pushes; the parent module's push parser hands form
/// bodies here.
pub(crate) fn report_event(body: &[u8]) -> Result<CallEvent> {
    let form: Map<String, Value> = form_fields(Vendor::Huawei, body)?;
    let bad = |detail: &str| bad_body(Vendor::Huawei, detail);
    let message_id = text_field(&form, "smsMsgId").ok_or_else(|| bad("no smsMsgId"))?;
    let status = text_field(&form, "status").ok_or_else(|| bad("a report has no status"))?;
    let event = if status == "DELIVRD" {
        EventKind::Delivered
    } else {
        EventKind::Failed
    };
    let desc = match text_field(&form, "statusDesc") {
        Some(desc) => format!("{status} {desc}"),
        None => status,
    };
    let at = text_field(&form, "updateTime")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    Ok(CallEvent {
        vendor: Vendor::Huawei,
        message_id,
        phone: text_field(&form, "to"),
        event,
        at,
        state_code: None,
        state_desc: Some(desc),
        talk_seconds: None,
        user_data: text_field(&form, "extend"),
        raw: form,
    })
}

/// Checks the SDK-HMAC-SHA256 signature of status reports pushed to one report URL (推送AKSK鉴权
/// on). Stateless: a report carries no nonce, so de-duplicate the events as for any push.
#[derive(Debug, Clone)]
pub struct HuaweiReportVerifier {
    app_key: String,
    app_secret: Secret,
    url: url::Url,
    window: Duration,
}

impl HuaweiReportVerifier {
    /// How far `X-Sdk-Date` may be from now: the 15 minutes Huawei's gateway allows.
    pub const DEFAULT_WINDOW: Duration = Duration::from_secs(15 * 60);

    /// A verifier for reports to `url` (the `status_url` as configured) signed with the SMS
    /// application's key. An unparsable URL is `invalid_input` on `url`.
    pub fn new(app_key: &str, app_secret: impl Into<Secret>, url: &str) -> Result<Self> {
        let parsed = url::Url::parse(url)
            .map_err(|e| Error::invalid_input("url", format!("{url:?} is not a URL ({e})")))?;
        Ok(HuaweiReportVerifier {
            app_key: app_key.to_owned(),
            app_secret: app_secret.into(),
            url: parsed,
            window: Self::DEFAULT_WINDOW,
        })
    }

    /// Changes how far `X-Sdk-Date` may be from now.
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Checks a report's headers and body now.
    pub fn verify(&self, headers: &[(String, String)], body: &[u8]) -> Result<()> {
        self.verify_at(headers, body, Utc::now())
    }

    /// Checks a report's headers and body as of `now`.
    pub fn verify_at(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        };
        let authorization = header("authorization").ok_or_else(|| {
            refused("no Authorization header: the report is unsigned (turn on 推送AKSK鉴权 for the application)")
        })?;
        let fields = authorization
            .strip_prefix("SDK-HMAC-SHA256 ")
            .ok_or_else(|| refused("Authorization is not SDK-HMAC-SHA256"))?;
        let (mut access, mut signed, mut signature) = (None, None, None);
        for part in fields.split(',') {
            match part.trim().split_once('=') {
                Some(("Access", v)) => access = Some(v),
                Some(("SignedHeaders", v)) => signed = Some(v),
                Some(("Signature", v)) => signature = Some(v),
                _ => {}
            }
        }
        let (Some(access), Some(signed), Some(signature)) = (access, signed, signature) else {
            return Err(refused(
                "Authorization lacks Access, SignedHeaders or Signature",
            ));
        };
        if access != self.app_key {
            return Err(refused("Access is not this application's key"));
        }
        let names: Vec<&str> = signed.split(';').collect();
        if !names.contains(&"x-sdk-date") {
            return Err(refused("the signature does not cover X-Sdk-Date"));
        }
        let date = header("x-sdk-date").ok_or_else(|| refused("no X-Sdk-Date header"))?;
        let at = chrono::NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
            .map_err(|_| refused("X-Sdk-Date is not yyyyMMddTHHmmssZ"))?
            .and_utc();
        let window = chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::MAX);
        if (now - at).abs() > window {
            return Err(refused(
                "X-Sdk-Date is outside the accepted window (a stale or replayed report, or a skewed clock)",
            ));
        }
        let mut canonical = String::from("POST\n");
        canonical.push_str(self.url.path());
        if !canonical.ends_with('/') {
            canonical.push('/');
        }
        canonical.push('\n');
        let mut query: Vec<(String, String)> = self.url.query_pairs().into_owned().collect();
        query.sort();
        for (i, (k, v)) in query.iter().enumerate() {
            if i > 0 {
                canonical.push('&');
            }
            encode::push_rfc3986_encoded(&mut canonical, k);
            canonical.push('=');
            encode::push_rfc3986_encoded(&mut canonical, v);
        }
        canonical.push('\n');
        for name in &names {
            let value = header(name)
                .ok_or_else(|| refused(&format!("the signed header {name} is missing")))?;
            canonical.push_str(name);
            canonical.push(':');
            canonical.push_str(value);
            canonical.push('\n');
        }
        canonical.push('\n');
        canonical.push_str(signed);
        canonical.push('\n');
        match header("x-sdk-content-sha256") {
            Some(given) if !body.is_empty() => canonical.push_str(given),
            _ => canonical.push_str(&encode::hex_lower(&Sha256::digest(body))),
        }
        let to_sign = super::sms::string_to_sign(&canonical, date);
        let mut mac = Hmac::<Sha256>::new_from_slice(self.app_secret.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(to_sign.as_bytes());
        let expected = encode::hex_lower(&mac.finalize().into_bytes());
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return Err(refused(
                "the signature does not match (wrong app_secret or URL, or a forged report)",
            ));
        }
        Ok(())
    }
}

fn refused(reason: &str) -> Error {
    let mut e = Error::invalid_input("Authorization", reason);
    e.set_kind(ErrorKind::AuthFailed);
    e.with_vendor(Vendor::Huawei)
}
