//! How the vendors write things on the wire, shared by their server sides and by the pushes:
//! JSON answers, China time, random identifiers, phone numbers and digit strings.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};

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

/// 16 random bytes as `8-4-4-4-12` lowercase hex: the shape of Tencent's `RequestId` and
/// `CallId`, and of Alibaba Cloud's `RequestId` (which it writes in uppercase).
pub(crate) fn uuid_hex() -> String {
    let hex = random_hex(16);
    let parts = [
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..],
    ];
    parts.join("-")
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

/// Reads a fieldless enum by its snake_case name; the error names `what` and lists the names.
pub(crate) fn parse_name<T>(what: &str, name: &str) -> Result<T, String>
where
    T: strum::VariantArray + Copy + Into<&'static str>,
{
    let found = T::VARIANTS.iter().copied().find(|v| (*v).into() == name);
    found.ok_or_else(|| {
        let names: Vec<&str> = T::VARIANTS.iter().map(|v| (*v).into()).collect();
        unknown(what, name, &names)
    })
}

/// "unknown fault \"x\"; expected a, b or c".
pub(crate) fn unknown(what: &str, name: &str, names: &[&str]) -> String {
    let (last, rest) = names.split_last().unwrap_or((&"", &[]));
    format!(
        "unknown {what} {name:?}; expected {} or {last}",
        rest.join(", ")
    )
}
