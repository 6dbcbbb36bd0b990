//! The bodies that go out (JSON and form requests), and reading what comes back: bodies,
//! fields, and vendor codes through a vendor's own table.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::http::{HttpRequest, HttpResponse, Method, Text};
use crate::{Error, ErrorKind, Outcome, Result, Vendor};

/// China wall-clock time as the vendors' pushes write it (`yyyy-MM-dd HH:mm:ss`, UTC+8), in UTC.
pub(crate) fn china_time(text: Option<&str>) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone as _;
    let china = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    let naive = chrono::NaiveDateTime::parse_from_str(text?, "%Y-%m-%d %H:%M:%S").ok()?;
    china
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A request's JSON body. Every vendor's fits the first allocation, where serialising into an
/// empty buffer grew it three or four times.
pub(crate) fn json_bytes(value: &impl serde::Serialize) -> Vec<u8> {
    let mut body = Vec::with_capacity(256);
    serde_json::to_writer(&mut body, value).expect("a struct of strings serialises");
    body
}

/// `application/x-www-form-urlencoded` text of string pairs, in their order.
pub(crate) fn form(fields: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(fields).expect("string pairs always encode")
}

/// A form `POST` answered in JSON, with the `Content-Type` as the vendor spells it.
pub(crate) fn form_post(
    url: impl Into<Text>,
    content_type: &'static str,
    body: impl Into<Vec<u8>>,
) -> HttpRequest {
    HttpRequest::new(Method::Post, url)
        .header("Content-Type", content_type)
        .header("Accept", "application/json")
        .body(body)
}

/// A JSON object written one field at a time, each value by serde_json. A channel writes the
/// fields that are the same for every send once, and each send goes on from a copy
/// ([`JsonObject::continued`]) with its own: the fixed fields are neither serialised again nor,
/// where the body is hashed, hashed again.
#[derive(Debug, Default)]
pub(crate) struct JsonObject(Vec<u8>);

impl JsonObject {
    /// The fields so far, as a copy with room for the rest of any vendor's body.
    pub(crate) fn continued(&self) -> Self {
        let mut bytes = Vec::with_capacity(self.0.len() + 192);
        bytes.extend_from_slice(&self.0);
        JsonObject(bytes)
    }

    /// Adds `"name":value`. Names are the vendors' own field names, which JSON does not escape.
    pub(crate) fn field(&mut self, name: &'static str, value: &(impl serde::Serialize + ?Sized)) {
        debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        self.0.push(if self.0.is_empty() { b'{' } else { b',' });
        self.0.push(b'"');
        self.0.extend_from_slice(name.as_bytes());
        self.0.extend_from_slice(b"\":");
        serde_json::to_writer(&mut self.0, value).expect("strings and numbers serialise");
    }

    /// What is written so far, without the closing brace.
    pub(crate) fn written(&self) -> &[u8] {
        &self.0
    }

    /// The object, closed.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.0.is_empty() {
            self.0.push(b'{');
        }
        self.0.push(b'}');
        self.0
    }
}

/// Reads a JSON body; anything else means the answer cannot be trusted either way. `T` may
/// borrow from the body ([`Scalar`]).
pub(crate) fn json_body<'a, T: Deserialize<'a>>(
    vendor: Vendor,
    resp: &'a HttpResponse,
) -> Result<T> {
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
pub(crate) fn required<T: AsRef<str>>(
    vendor: Vendor,
    resp: &HttpResponse,
    value: Option<T>,
    missing: &str,
) -> Result<T> {
    let value = value.filter(|v| !v.as_ref().is_empty());
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

/// A field of an answer that the vendors send as a string or a number, as [`json_text`] reads
/// it, borrowed from the body where it needs no unescaping: no `Value` and no copy per field.
/// Anything else (`true`, an array, an object) is read as `Scalar(None)`, as `json_text`
/// gives `None` for it; `null` is an absent field.
pub(crate) struct Scalar<'a>(pub(crate) Option<Cow<'a, str>>);

/// A text field of an answer that may be absent, `null`, a string or a number, read as
/// [`Scalar`] reads it, or as empty: for a `Cow<'a, str>` field marked
/// `#[serde(default, borrow, deserialize_with = "text")]`, which borrows from the body where
/// it needs no unescaping and takes no more room than the text.
pub(crate) fn text<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Cow<'a, str>, D::Error> {
    Ok(Scalar::deserialize(deserializer)?.0.unwrap_or_default())
}

/// An optional string field borrowed from the body where it needs no unescaping, for an
/// `Option<Cow<'a, str>>` field marked `#[serde(default, borrow, deserialize_with =
/// "borrowed")]`: serde reads `Option<Cow<str>>` into a copy even when told to borrow, as it
/// borrows only a `Cow<str>` field itself.
pub(crate) fn borrowed<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Option<Cow<'a, str>>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Borrowed<'a>(#[serde(borrow)] Cow<'a, str>);
    Ok(Option::<Borrowed>::deserialize(deserializer)?.map(|text| text.0))
}

impl<'a> Scalar<'a> {
    /// The text, if the field was a string or a number.
    pub(crate) fn text(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor(std::marker::PhantomData))
    }
}

struct ScalarVisitor<'a>(std::marker::PhantomData<Scalar<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
    type Value = Scalar<'a>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(v))))
    }

    // Numbers are written as `serde_json::Number` writes them, as `json_text` does.
    fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(
            serde_json::Number::from(v).to_string(),
        ))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(Some(Cow::Owned(
            serde_json::Number::from(v).to_string(),
        ))))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
        let text = serde_json::Number::from_f64(v).map(|n| n.to_string());
        Ok(Scalar(text.map(Cow::Owned)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(None))
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(Scalar(None))
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar(None))
    }
}

/// A push body that is not what the vendor sends: `invalid_input` on `body`.
pub(crate) fn bad_body(vendor: Vendor, detail: impl std::fmt::Display) -> Error {
    Error::invalid_input("body", format!("not a {vendor} push: {detail}"))
}

/// A form-encoded push body as a map of its fields, each a string, for [`text_field`] and
/// [`int_field`].
pub(crate) fn form_fields(vendor: Vendor, body: &[u8]) -> Result<Map<String, Value>> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| bad_body(vendor, e))?;
    Ok(pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

/// A push field as non-empty text, whether the vendor wrote it as a string or a number.
pub(crate) fn text_field(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(json_text).filter(|s| !s.is_empty())
}

/// A push field as a whole number, whether written as a string or a number.
pub(crate) fn int_field(map: &Map<String, Value>, key: &str) -> Option<i64> {
    text_field(map, key)?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Scalar` reads every JSON value as `json_text` reads the same value.
    #[test]
    fn scalar_reads_as_json_text_does() {
        let values = [
            r#""plain""#,
            r#""esc\"aped\u00e9""#,
            r#""""#,
            "0",
            "-12",
            "18446744073709551615",
            "1.5",
            "2e3",
            "true",
            "[1,[2]]",
            r#"{"a":{"b":1}}"#,
        ];
        for text in values {
            let scalar: Scalar = serde_json::from_str(text).unwrap();
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(scalar.text(), json_text(&value).as_deref(), "{text}");
        }
        let absent: Option<Scalar> = serde_json::from_str("null").unwrap();
        assert!(absent.is_none());
    }

    #[test]
    fn plain_strings_are_borrowed_from_the_body() {
        let scalar: Scalar = serde_json::from_str(r#""abc""#).unwrap();
        assert!(matches!(scalar.0, Some(Cow::Borrowed("abc"))));
    }
}
