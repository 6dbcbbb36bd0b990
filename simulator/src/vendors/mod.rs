//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. Signatures are checked with the core's own
//! signing functions (`voicecode::protocol::signing`), never a second implementation.

pub(crate) mod cloud10658;
pub(crate) mod huawei;
pub(crate) mod ihuyi;
pub(crate) mod oneaccess;
pub(crate) mod ytx;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use voicecode::Vendor;

use crate::journal::Operation;
use crate::server::VendorRequest;

/// A vendor's refusal with `code`, in the vendor's shape: what an injected `vendor_code`
/// fault answers.
pub(crate) fn refusal(
    vendor: Vendor,
    operation: Operation,
    req: &VendorRequest,
    code: &str,
) -> Response {
    match vendor {
        Vendor::Ytx => ytx::refusal(code).0,
        Vendor::Huawei => huawei::injected_refusal(code),
        Vendor::Ihuyi => ihuyi::refusal(operation, req, code).0,
        Vendor::Cloud10658 => cloud10658::refusal(code).0,
        Vendor::Oneaccess => oneaccess::refusal(code, "injected by voicecode-sim").0,
    }
}

/// A JSON answer with the vendors' usual content type.
pub(crate) fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

/// `n` random bytes as lowercase hex, from the OS generator (nonces, tokens).
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    if getrandom::fill(&mut bytes).is_err() {
        // Only identifiers depend on this, never a check; a clock-derived value keeps them
        // distinct if the OS generator is unavailable.
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        return format!("{nanos:0width$x}", width = n * 2);
    }
    hex::encode(bytes)
}

/// China's wall-clock time (UTC+8, no daylight saving), which ytx and cloud10658 use.
pub(crate) fn china_time(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&china())
}

pub(crate) fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// An 11-digit mainland mobile number.
pub(crate) fn is_mobile(s: &str) -> bool {
    s.len() == 11 && s.starts_with('1') && s.bytes().all(|b| b.is_ascii_digit())
}

/// `min..=max` ASCII digits.
pub(crate) fn is_digits(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}
