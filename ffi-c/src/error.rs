//! Result codes and the error detail object.
//!
//! `vc_result` mirrors the core's `ErrorKind` one to one, plus `VC_RESULT_OK` and
//! `VC_RESULT_INTERNAL`. The numbers are part of the ABI: never renumber or reuse one; a new
//! kind gets the next free number (the `match` in `result_for` stops the build until it has).

use std::ffi::{c_char, CStr, CString};

use serde_json::json;
use strum::VariantArray as _;
use voicecode::{ErrorKind, Outcome};

use crate::boundary::{guard, static_str, Failure};

/// What a voicecode function returned: `VC_RESULT_OK`, or the kind of error. The kinds are the
/// core's error kinds (`vc_result_name` gives their snake_case names, the ones the error
/// JSON's `"kind"` uses); `vc_error` objects carry the detail.
///
/// The numbers are stable: they are never changed or reused, and new ones may be added.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum vc_result {
    /// Success.
    Ok = 0,
    /// The request or an argument breaks a rule (also: a NULL argument, invalid UTF-8,
    /// malformed JSON); the error's field names it. Fix the input. Nothing was sent.
    InvalidInput = 1,
    /// The channel configuration is incomplete or wrong; fix the config. Nothing was sent.
    InvalidConfig = 2,
    /// The vendor did not accept the credentials or the signature (also clock skew), or a
    /// callback failed authentication.
    AuthFailed = 3,
    /// The account, app or source IP is not allowed to do this.
    Forbidden = 4,
    /// A frequency or quota limit was hit; try later or through another vendor.
    RateLimited = 5,
    /// The account has no balance left.
    InsufficientBalance = 6,
    /// The vendor will not call this number (blacklist, whitelist, international).
    RecipientBlocked = 7,
    /// The vendor refused the content (sensitive words).
    ContentRejected = 8,
    /// The vendor failed for a reason of its own (internal error, unknown code).
    VendorError = 9,
    /// No answer within the configured timeout. Check the outcome before resending.
    Timeout = 10,
    /// The connection failed or broke. Check the outcome before resending.
    Network = 11,
    /// The vendor's answer could not be understood. Check the outcome before resending.
    Protocol = 12,
    /// The verifier refused to place a call during its quiet hours; the error JSON's
    /// `retry_after` says when they end. Nothing was sent.
    QuietHours = 13,
    /// The verifier's store (SQLite, Redis) could not be read or written. Nothing was sent.
    StoreUnavailable = 14,
    /// A bug in libvoicecode (a caught panic); the message says more. The outcome is
    /// `VC_OUTCOME_UNKNOWN`: the request may have been sent.
    Internal = 100,
}

/// Whether a failed request may have reached the vendor: what to look at before sending again.
///
/// The numbers are stable: they are never changed or reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum vc_outcome {
    /// No error (what `vc_error_outcome` returns for NULL).
    None = 0,
    /// Nothing left this machine: safe to fix and send again, or to use another vendor.
    NotSent = 1,
    /// The vendor answered and did not place the call.
    Refused = 2,
    /// The request may have reached the vendor and the call may be ringing. Never resend
    /// blindly: check the call status (callbacks) first.
    Unknown = 3,
}

fn result_for(kind: ErrorKind) -> vc_result {
    match kind {
        ErrorKind::InvalidInput => vc_result::InvalidInput,
        ErrorKind::InvalidConfig => vc_result::InvalidConfig,
        ErrorKind::AuthFailed => vc_result::AuthFailed,
        ErrorKind::Forbidden => vc_result::Forbidden,
        ErrorKind::RateLimited => vc_result::RateLimited,
        ErrorKind::InsufficientBalance => vc_result::InsufficientBalance,
        ErrorKind::RecipientBlocked => vc_result::RecipientBlocked,
        ErrorKind::ContentRejected => vc_result::ContentRejected,
        ErrorKind::VendorError => vc_result::VendorError,
        ErrorKind::Timeout => vc_result::Timeout,
        ErrorKind::Network => vc_result::Network,
        ErrorKind::Protocol => vc_result::Protocol,
        ErrorKind::QuietHours => vc_result::QuietHours,
        ErrorKind::StoreUnavailable => vc_result::StoreUnavailable,
    }
}

fn outcome_for(outcome: Outcome) -> vc_outcome {
    match outcome {
        Outcome::NotSent => vc_outcome::NotSent,
        Outcome::Refused => vc_outcome::Refused,
        Outcome::Unknown => vc_outcome::Unknown,
    }
}

impl vc_result {
    fn name(self) -> &'static CStr {
        match self {
            vc_result::Ok => c"ok",
            vc_result::InvalidInput => c"invalid_input",
            vc_result::InvalidConfig => c"invalid_config",
            vc_result::AuthFailed => c"auth_failed",
            vc_result::Forbidden => c"forbidden",
            vc_result::RateLimited => c"rate_limited",
            vc_result::InsufficientBalance => c"insufficient_balance",
            vc_result::RecipientBlocked => c"recipient_blocked",
            vc_result::ContentRejected => c"content_rejected",
            vc_result::VendorError => c"vendor_error",
            vc_result::Timeout => c"timeout",
            vc_result::Network => c"network",
            vc_result::Protocol => c"protocol",
            vc_result::QuietHours => c"quiet_hours",
            vc_result::StoreUnavailable => c"store_unavailable",
            vc_result::Internal => c"internal",
        }
    }
}

impl vc_outcome {
    fn name(self) -> &'static CStr {
        match self {
            vc_outcome::None => c"none",
            vc_outcome::NotSent => c"not_sent",
            vc_outcome::Refused => c"refused",
            vc_outcome::Unknown => c"unknown",
        }
    }
}

/// The detail of a failed call: kind, outcome, vendor code and message, and the whole error
/// as JSON. Created by the library on failure (through a `vc_error **err_out` parameter) and
/// freed by the caller with `vc_error_free`.
///
/// Thread-safety: immutable; any thread may read it, one may free it.
pub struct vc_error {
    code: vc_result,
    outcome: vc_outcome,
    retryable: bool,
    retry_after_secs: u64,
    message: CString,
    field: Option<CString>,
    vendor: Option<CString>,
    vendor_code: Option<CString>,
    vendor_message: Option<CString>,
    json: CString,
}

/// A C string from text that might contain NUL bytes (vendor messages are arbitrary).
fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', "\u{fffd}")).unwrap_or_default()
}

impl vc_error {
    pub(crate) fn new(failure: Failure) -> vc_error {
        match failure {
            Failure::Core(e) => vc_error {
                code: result_for(e.kind()),
                outcome: outcome_for(e.outcome()),
                retryable: e.retryable(),
                retry_after_secs: e.retry_after().map_or(0, |d| d.as_secs()),
                message: c_text(&e.to_string()),
                field: e.field().map(c_text),
                vendor: e.vendor().map(|v| c_text(v.as_str())),
                vendor_code: e.vendor_code().map(c_text),
                vendor_message: e.vendor_message().map(c_text),
                json: c_text(&serde_json::to_string(&e).unwrap_or_default()),
            },
            Failure::Internal(message) => {
                // The core's error schema, with the one kind the core does not have.
                let json = json!({
                    "kind": "internal", "outcome": "unknown", "vendor": null, "field": null,
                    "vendor_code": null, "vendor_message": null, "http_status": null,
                    "retryable": false, "retry_after": null, "message": message, "attempts": [],
                });
                vc_error {
                    code: vc_result::Internal,
                    outcome: vc_outcome::Unknown,
                    retryable: false,
                    retry_after_secs: 0,
                    message: c_text(&message),
                    field: None,
                    vendor: None,
                    vendor_code: None,
                    vendor_message: None,
                    json: c_text(&json.to_string()),
                }
            }
        }
    }

    pub(crate) fn code(&self) -> vc_result {
        self.code
    }
}

fn with_error<T: Copy>(err: *const vc_error, fallback: T, read: impl FnOnce(&vc_error) -> T) -> T {
    guard(fallback, || {
        // SAFETY: a non-NULL `err` came from this library and was not freed yet (contract).
        match unsafe { err.as_ref() } {
            Some(err) => read(err),
            None => fallback,
        }
    })
}

fn opt_ptr(text: &Option<CString>) -> *const c_char {
    text.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The stable snake_case name of a result code (`"invalid_input"`, `"ok"`, `"internal"`, …),
/// or NULL for a number this library does not know.
///
/// Ownership: a static string; never free it. Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_result_name(result: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        vc_result::VARIANTS
            .iter()
            .find(|r| **r as u32 == result)
            .map_or(std::ptr::null(), |r| static_str(r.name()))
    })
}

/// The stable snake_case name of an outcome (`"not_sent"`, `"refused"`, `"unknown"`, or
/// `"none"`), or NULL for a number this library does not know.
///
/// Ownership: a static string; never free it. Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_outcome_name(outcome: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        vc_outcome::VARIANTS
            .iter()
            .find(|o| **o as u32 == outcome)
            .map_or(std::ptr::null(), |o| static_str(o.name()))
    })
}

/// The error's kind: the same code the failed function returned. NULL gives
/// `VC_RESULT_INVALID_INPUT`: there is no error object to read, and `VC_RESULT_OK` would let a
/// caller that lost its error mistake a failure for a success.
///
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_kind(err: *const vc_error) -> vc_result {
    with_error(err, vc_result::InvalidInput, |e| e.code)
}

/// Whether the failed request may have reached the vendor; read it before sending again.
/// NULL gives `VC_OUTCOME_NONE`.
///
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_outcome(err: *const vc_error) -> vc_outcome {
    with_error(err, vc_outcome::None, |e| e.outcome)
}

/// Whether sending the same request again later (or through another vendor) may succeed
/// without changing it. Never true after `VC_OUTCOME_UNKNOWN`. NULL gives false.
///
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_retryable(err: *const vc_error) -> bool {
    with_error(err, false, |e| e.retryable)
}

/// The whole seconds to wait before trying again, when a verifier's limit or quiet hours
/// refused a start (`VC_RESULT_RATE_LIMITED`, `VC_RESULT_QUIET_HOURS`); 0 for every other
/// error and for NULL.
///
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_retry_after(err: *const vc_error) -> u64 {
    with_error(err, 0, |e| e.retry_after_secs)
}

/// A human-readable description saying what went wrong and what to do next. Never contains a
/// secret. NULL gives NULL.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_message(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| e.message.as_ptr())
}

/// The request or config field at fault (`"to"`, `"request_json"`, `"app_key"`, …), for
/// `VC_RESULT_INVALID_INPUT` and `VC_RESULT_INVALID_CONFIG`; NULL when there is none.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_field(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| opt_ptr(&e.field))
}

/// The vendor concerned (`"ytx"`, `"huawei"`, `"ihuyi"`, `"cloud10658"`, `"oneaccess"`,
/// `"aliyun"`, `"tencent"`); NULL when the error belongs to none.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_vendor(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| opt_ptr(&e.vendor))
}

/// The vendor's own result code, verbatim (`"-202"`, `"1010010"`, …); NULL when the vendor
/// gave none.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_vendor_code(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| opt_ptr(&e.vendor_code))
}

/// The vendor's own description, verbatim; NULL when the vendor gave none.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_vendor_message(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| opt_ptr(&e.vendor_message))
}

/// The whole error as JSON, in the core's schema: `{"kind","outcome","vendor","field",
/// "vendor_code","vendor_message","http_status","retryable","retry_after","message","attempts"}`, where
/// `attempts` lists every channel a router tried or skipped. This is what the PHP and Java
/// layers build their exceptions from. NULL gives NULL.
///
/// Ownership: the string belongs to `err` and lives until `vc_error_free(err)`; do not free it.
/// Thread-safety: safe from any thread while `err` is alive.
#[no_mangle]
pub extern "C" fn vc_error_json(err: *const vc_error) -> *const c_char {
    with_error(err, std::ptr::null(), |e| e.json.as_ptr())
}

/// Frees an error object and every string read from it. Passing NULL does nothing.
///
/// Ownership: takes back ownership; `err` must not be used afterwards, nor freed twice.
/// Thread-safety: no other thread may be reading `err`.
#[no_mangle]
pub extern "C" fn vc_error_free(err: *mut vc_error) {
    crate::boundary::free_raw(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_has_its_own_code_and_the_same_name() {
        let mut seen = std::collections::HashSet::new();
        for &kind in ErrorKind::ALL {
            let code = result_for(kind);
            assert!(seen.insert(code as u32), "{kind} shares a number");
            assert_eq!(code.name().to_str().unwrap(), kind.as_str());
            assert_eq!(vc_result::VARIANTS[code as usize], code, "VARIANTS order");
        }
        assert_eq!(vc_result::VARIANTS.len(), ErrorKind::ALL.len() + 2);
    }

    #[test]
    fn every_core_outcome_has_the_same_name() {
        for outcome in [Outcome::NotSent, Outcome::Refused, Outcome::Unknown] {
            assert_eq!(
                outcome_for(outcome).name().to_str().unwrap(),
                outcome.as_str()
            );
        }
    }

    #[test]
    fn vendor_text_with_nul_bytes_is_kept_readable() {
        assert_eq!(c_text("a\0b").to_str().unwrap(), "a\u{fffd}b");
    }
}
