//! Reading what comes back: bodies, fields, and vendor codes through a vendor's own table.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::http::HttpResponse;
use crate::{Error, ErrorKind, Outcome, Result, Vendor};

/// Reads a JSON body; anything else means the answer cannot be trusted either way.
pub(crate) fn json_body<T: DeserializeOwned>(vendor: Vendor, resp: &HttpResponse) -> Result<T> {
    let text = utf8_body(vendor, resp)?;
    serde_json::from_str(text).map_err(|e| {
        Error::protocol(
            vendor,
            resp.status,
            format!("expected JSON ({e}), got {}", preview(text)),
        )
    })
}

pub(crate) fn utf8_body(vendor: Vendor, resp: &HttpResponse) -> Result<&str> {
    std::str::from_utf8(&resp.body)
        .map_err(|_| Error::protocol(vendor, resp.status, "the body is not UTF-8"))
}

/// The start of an unexpected body, for error messages.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 80;
    let mut end = text.len().min(MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let ellipsis = if end < text.len() { "…" } else { "" };
    format!("{:?}{ellipsis}", &text[..end])
}

/// What a vendor's code means: what went wrong, and whether the vendor's words say that no call
/// was placed (`Refused`) or leave it open (`Unknown`: a server-side error, an upstream timeout,
/// "try again later"). Every code table carries both, one row per code, so that each row can be
/// read against the vendor's document; `Error::answered` adds the rule that holds whatever the
/// table says: an HTTP 5xx is `Unknown`.
pub type Meaning = (ErrorKind, Outcome);

/// A code missing from the vendor's documents: the vendor answered with an error of its own.
pub(crate) const UNDOCUMENTED: Meaning = (ErrorKind::VendorError, Outcome::Refused);

/// Looks a vendor code up in a vendor's table; codes missing from the documents are
/// [`UNDOCUMENTED`].
pub(crate) fn classify(table: &[(&str, ErrorKind, Outcome)], code: &str) -> Meaning {
    table
        .iter()
        .find(|(c, ..)| *c == code)
        .map_or(UNDOCUMENTED, |&(_, kind, outcome)| (kind, outcome))
}

/// A field an answer must carry, non-empty: without it the answer cannot be read.
pub(crate) fn required(
    vendor: Vendor,
    resp: &HttpResponse,
    value: Option<String>,
    missing: &str,
) -> Result<String> {
    let value = value.filter(|v| !v.is_empty());
    value.ok_or_else(|| Error::protocol(vendor, resp.status, missing))
}

/// Refuses a non-2xx status under an answer that reads as success: which of the two is wrong
/// cannot be told.
pub(crate) fn success_status(vendor: Vendor, resp: &HttpResponse, what: &str) -> Result<()> {
    if !(200..300).contains(&resp.status) {
        return Err(Error::protocol(vendor, resp.status, what));
    }
    Ok(())
}

/// A JSON value the vendors send as a string or a number, as text.
pub(crate) fn json_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A push body that is not what the vendor sends: `invalid_input` on `body`.
pub(crate) fn bad_body(vendor: Vendor, detail: impl std::fmt::Display) -> Error {
    Error::invalid_input("body", format!("not a {vendor} push: {detail}"))
}

/// A push field as non-empty text, whether the vendor wrote it as a string or a number.
pub(crate) fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(json_text).filter(|s| !s.is_empty())
}

/// A push field as a whole number, whether written as a string or a number.
pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> Option<i64> {
    text_field(map, key)?.trim().parse().ok()
}
