//! One error type for every vendor and every operation.
//!
//! The taxonomy (`ErrorKind`) and the `Outcome` are a contract shared by every binding: the C,
//! Python and Node layers expose the same snake_case names. `Outcome` is what callers must look
//! at before trying again: after `Unknown` the call may have been placed, and a resend would ring
//! the user's phone twice and be billed twice.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use strum::VariantArray;

use crate::Vendor;

/// What went wrong, independent of the vendor that reported it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorKind {
    /// The request (number, code, play count, …) breaks a rule; fix the input.
    InvalidInput,
    /// The channel configuration is incomplete or wrong; fix the config.
    InvalidConfig,
    /// The vendor did not accept the credentials or the signature (also clock skew).
    AuthFailed,
    /// The account, app or source IP is not allowed to do this.
    Forbidden,
    /// A frequency or quota limit was hit; try later or through another vendor.
    RateLimited,
    /// The account has no balance left.
    InsufficientBalance,
    /// The vendor will not call this number (blacklist, whitelist, international).
    RecipientBlocked,
    /// The vendor refused the content (sensitive words).
    ContentRejected,
    /// The vendor failed for a reason of its own (internal error, unknown code).
    VendorError,
    /// No answer within the configured timeout.
    Timeout,
    /// The connection failed or broke.
    Network,
    /// The vendor's answer could not be understood.
    Protocol,
    /// The verifier refused to place a call during its configured quiet hours (night in
    /// Asia/Shanghai); `retry_after` says when they end.
    QuietHours,
    /// The verifier's store (SQLite, Redis) could not be read or written; no call was placed.
    StoreUnavailable,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [ErrorKind] = <ErrorKind as VariantArray>::VARIANTS;

    /// The stable snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Whether the failed request may have reached the vendor.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    strum::IntoStaticStr,
    strum::Display,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    /// Nothing left this machine: safe to fix and send again, or to use another vendor.
    NotSent,
    /// The vendor answered and did not place the call.
    Refused,
    /// The request may have reached the vendor and the call may be under way. Never resend
    /// blindly: check the call status (callbacks) first.
    Unknown,
}

impl Outcome {
    /// The stable snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A failed voicecode operation.
///
/// `vendor_code` and `vendor_message` are the vendor's own words, verbatim (codes stay strings:
/// ytx sends `"-202"`, Huawei `"1010010"`, OneAccess `"SDK.COMMON.1001"`).
///
/// Serialises (for the C API's JSON, the command line's `--json`, and the bindings) to
/// `{"kind","outcome","vendor","field","vendor_code","vendor_message","http_status","retryable",
/// "retry_after","message","attempts"}`, where `message` is the full `Display` text and
/// `retry_after` the whole seconds to wait before trying again (the verifier's limits and quiet
/// hours), or `null`.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    // Boxed: errors travel through every `Result` of the crate and should stay one pointer wide.
    inner: Box<Repr>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Repr {
    kind: ErrorKind,
    outcome: Outcome,
    vendor: Option<Vendor>,
    field: Option<String>,
    vendor_code: Option<String>,
    vendor_message: Option<String>,
    http_status: Option<u16>,
    message: String,
    attempts: Vec<Attempt>,
    /// How long to wait before the same request can succeed (verifier limits, quiet hours).
    retry_after: Option<Duration>,
    /// The client operation that failed, for the advice an `Unknown` outcome gives.
    operation: Option<&'static str>,
}

/// One channel's part in a failover: tried and failed, or skipped because it cannot carry the
/// request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The channel's vendor.
    pub vendor: Vendor,
    /// How it failed.
    pub kind: ErrorKind,
    /// What is known of the request's fate on that channel.
    pub outcome: Outcome,
    /// The vendor's code, if it answered with one.
    pub vendor_code: Option<String>,
    /// Why it failed or was skipped.
    pub message: String,
    /// True when the channel was not tried because it cannot carry this request.
    pub skipped: bool,
}

/// `Result` with voicecode's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: ErrorKind, outcome: Outcome, message: String) -> Self {
        let inner = Repr {
            kind,
            outcome,
            vendor: None,
            field: None,
            vendor_code: None,
            vendor_message: None,
            http_status: None,
            message,
            attempts: Vec::new(),
            retry_after: None,
            operation: None,
        };
        Error {
            inner: Box::new(inner),
        }
    }

    /// A request field breaks a rule; nothing was sent.
    pub fn invalid_input(field: &str, rule: impl fmt::Display) -> Self {
        let mut e = Error::new(
            ErrorKind::InvalidInput,
            Outcome::NotSent,
            format!("invalid {field}: {rule}"),
        );
        e.inner.field = Some(field.to_owned());
        e
    }

    /// A configuration key is missing or wrong; nothing was sent.
    pub fn invalid_config(field: &str, rule: impl fmt::Display) -> Self {
        let mut e = Error::new(
            ErrorKind::InvalidConfig,
            Outcome::NotSent,
            format!("invalid config {field}: {rule}"),
        );
        e.inner.field = Some(field.to_owned());
        e
    }

    /// A verifier limit refused the request before any call (`rate_limited`, `quiet_hours`);
    /// `retry_after` is the time until the limit lets the same request through.
    pub(crate) fn limited(kind: ErrorKind, retry_after: Duration, rule: impl fmt::Display) -> Self {
        // Whole seconds, rounded up: waiting the advertised time must be enough.
        let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let mut e = Error::new(
            kind,
            Outcome::NotSent,
            format!("{rule}; no call was placed: try again in {secs} s"),
        );
        e.inner.retry_after = Some(Duration::from_secs(secs.max(1)));
        e
    }

    /// The verifier's store failed; nothing was sent. `detail` must not quote records.
    pub fn store_unavailable(detail: impl fmt::Display) -> Self {
        Error::new(
            ErrorKind::StoreUnavailable,
            Outcome::NotSent,
            format!("the verification store is unavailable: {detail}"),
        )
    }

    /// The vendor answered with an error code, which its table reads as `kind` and `outcome`:
    /// `Refused` when the vendor's words say no call was placed, `Unknown` for a server-side
    /// error, an upstream timeout or "try again later".
    ///
    /// An HTTP 5xx is `Unknown` whatever the code: a server that failed while answering cannot
    /// be trusted to have placed no call, so no vendor's answer under 5xx lets a router move on.
    /// This constructor is the one way a vendor's code becomes an error, so the rule holds for
    /// every vendor.
    pub(crate) fn answered(
        vendor: Vendor,
        (kind, outcome): (ErrorKind, Outcome),
        http_status: u16,
        code: &str,
        vendor_message: &str,
    ) -> Self {
        let outcome = if is_server_error(http_status) {
            Outcome::Unknown
        } else {
            outcome
        };
        let message = match outcome {
            Outcome::Unknown => format!(
                "{vendor} answered with an error that leaves the call's fate open ({kind}, \
                 HTTP {http_status}): code {code}, {vendor_message:?}"
            ),
            _ => format!("{vendor} refused the request ({kind}): code {code}, {vendor_message:?}"),
        };
        let mut e = Error::new(kind, outcome, message);
        e.inner.vendor = Some(vendor);
        e.inner.http_status = Some(http_status);
        e.inner.vendor_code = Some(code.to_owned());
        e.inner.vendor_message = Some(vendor_message.to_owned());
        e
    }

    /// The vendor's answer could not be understood, so whether it acted is unknown.
    pub(crate) fn protocol(vendor: Vendor, http_status: u16, detail: impl fmt::Display) -> Self {
        let mut e = Error::new(
            ErrorKind::Protocol,
            Outcome::Unknown,
            format!("unreadable answer from {vendor} (HTTP {http_status}): {detail}"),
        );
        e.inner.vendor = Some(vendor);
        e.inner.http_status = Some(http_status);
        e
    }

    /// A transport failure (`Timeout` or `Network`) with what is known of the request's fate.
    pub(crate) fn transport(
        vendor: Vendor,
        kind: ErrorKind,
        outcome: Outcome,
        detail: impl fmt::Display,
    ) -> Self {
        let mut e = Error::new(kind, outcome, format!("{vendor}: {detail}"));
        e.inner.vendor = Some(vendor);
        e
    }

    /// Marks this as a failure of the client operation `operation` (`send_code`, `balance`, …).
    pub(crate) fn during(mut self, operation: &'static str) -> Self {
        self.inner.operation = Some(operation);
        self
    }

    pub(crate) fn set_kind(&mut self, kind: ErrorKind) {
        self.inner.kind = kind;
    }

    /// Every channel a router tried or skipped, in order (empty for a single client).
    pub fn attempts(&self) -> &[Attempt] {
        &self.inner.attempts
    }

    /// This error as one attempt of a failover on a channel of `vendor`.
    pub(crate) fn to_attempt(&self, vendor: Vendor, skipped: bool) -> Attempt {
        Attempt {
            vendor,
            kind: self.inner.kind,
            outcome: self.inner.outcome,
            vendor_code: self.inner.vendor_code.clone(),
            message: self.inner.message.clone(),
            skipped,
        }
    }

    /// The router's final error: `self` (the last failure) carrying every attempt, with a
    /// message that lists them all.
    pub(crate) fn with_attempts(mut self, attempts: Vec<Attempt>) -> Self {
        let listed: Vec<String> = attempts
            .iter()
            .map(|a| {
                let code = a
                    .vendor_code
                    .as_deref()
                    .map(|c| format!(" code {c}"))
                    .unwrap_or_default();
                let verb = if a.skipped { "skipped" } else { "failed" };
                format!(
                    "{} {verb} ({}, {}{code}): {}",
                    a.vendor, a.kind, a.outcome, a.message
                )
            })
            .collect();
        self.inner.message = format!("no channel accepted the call: {}", listed.join("; "));
        self.inner.attempts = attempts;
        self
    }

    /// Appends what the vendor's support needs to find the request (Tencent's `RequestId`).
    pub(crate) fn with_detail(mut self, detail: impl fmt::Display) -> Self {
        self.inner.message = format!("{}; {detail}", self.inner.message);
        self
    }

    pub(crate) fn with_vendor(mut self, vendor: Vendor) -> Self {
        self.inner.vendor = Some(vendor);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// Whether the request may have reached the vendor.
    pub fn outcome(&self) -> Outcome {
        self.inner.outcome
    }
    /// The vendor concerned, when the error belongs to one.
    pub fn vendor(&self) -> Option<Vendor> {
        self.inner.vendor
    }
    /// The request or config field at fault, for `invalid_input` and `invalid_config`.
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }
    /// The vendor's own result code, verbatim.
    pub fn vendor_code(&self) -> Option<&str> {
        self.inner.vendor_code.as_deref()
    }
    /// The vendor's own description, verbatim.
    pub fn vendor_message(&self) -> Option<&str> {
        self.inner.vendor_message.as_deref()
    }
    /// The HTTP status of the vendor's answer, if one arrived.
    pub fn http_status(&self) -> Option<u16> {
        self.inner.http_status
    }
    /// For verifier limits and quiet hours: how long to wait before the same request can
    /// succeed, in whole seconds (rounded up).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// A human-readable description, without the `unknown` warning that `Display` adds.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// Whether sending the same request again later (or through another vendor) may succeed
    /// without changing it. Never true after an `Unknown` outcome: the first call may be ringing.
    pub fn retryable(&self) -> bool {
        self.inner.outcome != Outcome::Unknown
            && matches!(
                self.inner.kind,
                ErrorKind::RateLimited
                    | ErrorKind::QuietHours
                    | ErrorKind::StoreUnavailable
                    | ErrorKind::VendorError
                    | ErrorKind::Timeout
                    | ErrorKind::Network
            )
    }
}

/// An HTTP 5xx: the vendor's server failed, whatever its body says.
pub(crate) fn is_server_error(http_status: u16) -> bool {
    (500..600).contains(&http_status)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)?;
        if self.inner.outcome == Outcome::Unknown {
            f.write_str(match self.inner.operation {
                Some("balance" | "captcha" | "verify_captcha") => {
                    "; the request may have reached the vendor: asking again is safe, as it \
                     places no call and sends no message"
                }
                Some("send_sms_code") => {
                    "; the request may have reached the vendor, so voicecode did not resend it \
                     (a resend could send a second SMS): wait before asking for another code"
                }
                _ => {
                    "; the request may have reached the vendor, so voicecode did not resend it \
                     (a resend could ring the phone twice): check the call status before retrying"
                }
            })?;
        }
        Ok(())
    }
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let r = &self.inner;
        let mut s = serializer.serialize_struct("Error", 11)?;
        s.serialize_field("kind", &r.kind)?;
        s.serialize_field("outcome", &r.outcome)?;
        s.serialize_field("vendor", &r.vendor)?;
        s.serialize_field("field", &r.field)?;
        s.serialize_field("vendor_code", &r.vendor_code)?;
        s.serialize_field("vendor_message", &r.vendor_message)?;
        s.serialize_field("http_status", &r.http_status)?;
        s.serialize_field("retryable", &self.retryable())?;
        s.serialize_field("retry_after", &r.retry_after.map(|d| d.as_secs()))?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("attempts", &r.attempts)?;
        s.end()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for Error {}
