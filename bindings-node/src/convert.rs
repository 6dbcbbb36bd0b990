//! JavaScript values ↔ the core's JSON schema.
//!
//! The core owns every schema (`ChannelConfig`, `SendCode`, `Receipt`, …) with snake_case keys;
//! Node callers write the same keys in camelCase. Rather than one hand-written struct per type,
//! arguments are read into a `serde_json::Value` with their keys renamed (`playTimes` →
//! `play_times`) and handed to the core's own deserialisers, and results go the other way: the
//! core's serialisation with keys renamed back. Adding a field to the core adds it here too.
//!
//! Arguments are walked with napi's safe value types (`Unknown`, `Object`). napi's own
//! `serde_json::Value` conversion (its `serde-json` feature, which turns results into
//! JavaScript) is not used for them: it silently turns a BigInt into a number and whole numbers
//! above 2^32 into floats, and its errors cannot say where in the argument the bad value is.

use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{JsValue, ValueType};
use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::error::Failure;

/// Reads an argument type with safe code from a value napi has read first (`$from`: `Unknown`,
/// an `Either` of classes, …), so that napi's raw values stay in this one place; `$ts` is the
/// type napi shows in its own messages.
macro_rules! napi_arg {
    ($ty:ty, $from:ty, $read:expr, $ts:literal, $kind:ident) => {
        impl napi::bindgen_prelude::FromNapiValue for $ty {
            // SAFETY (of the contract): napi calls this on the JavaScript thread with a value of
            // `env`, which is what `$from`'s own `from_napi_value` needs.
            unsafe fn from_napi_value(
                env: napi::sys::napi_env,
                value: napi::sys::napi_value,
            ) -> napi::Result<Self> {
                // SAFETY: `env` and `value` come straight from napi, as above.
                let from = unsafe {
                    <$from as napi::bindgen_prelude::FromNapiValue>::from_napi_value(env, value)
                };
                Ok(($read)(from))
            }
        }

        impl napi::bindgen_prelude::TypeName for $ty {
            fn type_name() -> &'static str {
                $ts
            }

            fn value_type() -> napi::ValueType {
                napi::ValueType::$kind
            }
        }

        impl napi::bindgen_prelude::ValidateNapiValue for $ty {}
    };
}
pub(crate) use napi_arg;

/// How deep an argument may nest: the schema needs 3 levels (`channels[].device.agent`); the
/// bound turns a cyclic object into a `TypeError` instead of a stack overflow.
const MAX_DEPTH: usize = 16;

/// Keys whose values are kept exactly as the vendor or the caller wrote them.
const VERBATIM_KEYS: &[&str] = &["raw"];

/// `playTimes` → `play_times`; snake_case keys pass through unchanged, and so does a key that
/// is not camelCase because it starts with a capital (`To`), so that the core refuses it by the
/// name the caller wrote rather than as `_to`.
pub fn snake_case(key: &str) -> String {
    if key.starts_with(|c: char| c.is_ascii_uppercase()) {
        return key.to_owned();
    }
    let mut out = String::with_capacity(key.len() + 4);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `play_times` → `playTimes`.
pub fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A JavaScript argument read as JSON data.
///
/// Reading never fails by itself, so that a wrong argument turns into a `TypeError` (or, for an
/// `async` method, a rejected promise) raised by the method that knows what it expected. Object
/// keys are renamed to snake_case; `undefined` properties are left out, as JSON would.
pub struct JsonArg {
    value: Result<Option<Value>, Unreadable>,
}

/// Why an argument could not be read as JSON: where (`.device.agent`, empty for the argument
/// itself) and what is wrong there.
pub(crate) struct Unreadable {
    path: String,
    problem: String,
}

impl Unreadable {
    fn new(path: &str, problem: impl Into<String>) -> Self {
        Unreadable {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }

    /// The `TypeError` for argument `what`.
    pub(crate) fn named(self, what: &str) -> Failure {
        Failure::Type(format!("{what}{} {}", self.path, self.problem))
    }
}

impl JsonArg {
    /// The argument as a JSON object; `what` names it in the `TypeError`.
    pub fn object(self, what: &str) -> Result<Value, Failure> {
        match self.value.map_err(|e| e.named(what))? {
            Some(value @ Value::Object(_)) => Ok(value),
            other => Err(expected(what, "an object", other.as_ref())),
        }
    }

    /// The argument as a JSON object, or `None` when it is `undefined` or `null`.
    pub fn optional_object(self, what: &str) -> Result<Option<Value>, Failure> {
        match self.value.map_err(|e| e.named(what))? {
            None | Some(Value::Null) => Ok(None),
            Some(value @ Value::Object(_)) => Ok(Some(value)),
            Some(other) => Err(expected(what, "an object", Some(&other))),
        }
    }

    /// The argument as a string.
    pub fn string(self, what: &str) -> Result<String, Failure> {
        match self.value.map_err(|e| e.named(what))? {
            Some(Value::String(s)) => Ok(s),
            other => Err(expected(what, "a string", other.as_ref())),
        }
    }

    /// The argument as a string, or `None` when it is `undefined` or `null`.
    pub fn optional_string(self, what: &str) -> Result<Option<String>, Failure> {
        match self.value.map_err(|e| e.named(what))? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(expected(what, "a string", Some(&other))),
        }
    }

    /// The argument as a non-negative whole number.
    pub fn whole_number(self, what: &str) -> Result<u64, Failure> {
        let value = self.value.map_err(|e| e.named(what))?;
        match value.as_ref().and_then(Value::as_u64) {
            Some(n) => Ok(n),
            None => Err(expected(
                what,
                "a non-negative whole number",
                value.as_ref(),
            )),
        }
    }

    /// The argument as a non-negative whole number, or `None` when it is `undefined`.
    pub fn optional_whole_number(self, what: &str) -> Result<Option<u64>, Failure> {
        match self.value {
            Ok(None) => Ok(None),
            value => JsonArg { value }.whole_number(what).map(Some),
        }
    }
}

fn expected(what: &str, kind: &str, got: Option<&Value>) -> Failure {
    let got = match got {
        None => "undefined",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    };
    Failure::Type(format!("{what} must be {kind}, not {got}"))
}

impl JsonArg {
    /// Reads a JavaScript value (as napi read it) with its keys renamed to snake_case.
    pub(crate) fn read(value: napi::Result<Unknown>) -> Self {
        JsonArg {
            value: read_root(value, true),
        }
    }
}

napi_arg!(JsonArg, Unknown<'_>, JsonArg::read, "unknown", Unknown);

/// A JavaScript value read as JSON with its keys as written (HTTP header names).
pub struct VerbatimArg(pub(crate) Result<Option<Value>, Unreadable>);

napi_arg!(
    VerbatimArg,
    Unknown<'_>,
    |value| VerbatimArg(read_root(value, false)),
    "unknown",
    Unknown
);

fn read_root(value: napi::Result<Unknown>, rename: bool) -> Result<Option<Value>, Unreadable> {
    read(
        value.map_err(unreadable(""))?,
        &mut String::new(),
        0,
        rename,
    )
}

/// Reads one JavaScript value as JSON; `Ok(None)` is `undefined`. `path` names the value in
/// errors, in the caller's own spelling.
fn read(
    value: Unknown,
    path: &mut String,
    depth: usize,
    rename: bool,
) -> Result<Option<Value>, Unreadable> {
    let json = match value.get_type().map_err(unreadable(path))? {
        ValueType::Undefined => return Ok(None),
        ValueType::Null => Value::Null,
        ValueType::Boolean => Value::Bool(value.coerce_to_bool().map_err(unreadable(path))?),
        ValueType::Number => {
            let n = value.coerce_to_number().and_then(|n| n.get_double());
            Value::Number(
                number(n.map_err(unreadable(path))?)
                    .ok_or_else(|| Unreadable::new(path, "must be a finite number"))?,
            )
        }
        ValueType::String => Value::String(
            value
                .coerce_to_string()
                .and_then(|s| s.into_utf8()?.into_owned())
                .map_err(|_| Unreadable::new(path, "is not a readable string"))?,
        ),
        ValueType::Object => {
            if depth >= MAX_DEPTH {
                return Err(Unreadable::new(
                    path,
                    format!("nests deeper than {MAX_DEPTH} levels (a cyclic object?)"),
                ));
            }
            let object = value.coerce_to_object().map_err(unreadable(path))?;
            if object.is_array().map_err(unreadable(path))? {
                Value::Array(read_array(&object, path, depth, rename)?)
            } else {
                Value::Object(read_object(&object, path, depth, rename)?)
            }
        }
        ValueType::BigInt => return Err(Unreadable::new(path, "is a bigint; pass a number")),
        _ => return Err(Unreadable::new(path, "is a function or a symbol, not data")),
    };
    Ok(Some(json))
}

/// A napi failure reading argument `what` (a value the engine would not hand over).
pub(crate) fn cannot_read(what: &str, e: napi::Error) -> Failure {
    Failure::Type(format!("{what} cannot be read: {}", e.reason))
}

/// A napi call's failure: the value at `path` cannot be read.
fn unreadable(path: &str) -> impl FnOnce(napi::Error) -> Unreadable + '_ {
    move |_| Unreadable::new(path, "cannot be read")
}

fn read_array(
    array: &Object,
    path: &mut String,
    depth: usize,
    rename: bool,
) -> Result<Vec<Value>, Unreadable> {
    let len = array.get_array_length().map_err(unreadable(path))?;
    let mut items = Vec::with_capacity(len as usize);
    for i in 0..len {
        let item: Unknown = array.get_element(i).map_err(unreadable(path))?;
        let base = path.len();
        path.push_str(&format!("[{i}]"));
        let read = read(item, path, depth + 1, rename)?;
        path.truncate(base);
        items.push(read.unwrap_or(Value::Null));
    }
    Ok(items)
}

fn read_object(
    object: &Object,
    path: &mut String,
    depth: usize,
    rename: bool,
) -> Result<Map<String, Value>, Unreadable> {
    let mut map = Map::new();
    for key in Object::keys(object).map_err(unreadable(path))? {
        // `None` is an `undefined` property, left out as JSON would.
        let Some(item) = object.get::<Unknown>(&key).map_err(unreadable(path))? else {
            continue;
        };
        let base = path.len();
        path.push('.');
        path.push_str(&key);
        let rename_inside = rename && !VERBATIM_KEYS.contains(&key.as_str());
        let read = read(item, path, depth + 1, rename_inside)?;
        path.truncate(base);
        let Some(read) = read else { continue };
        let name = if rename {
            snake_case(&key)
        } else {
            key.clone()
        };
        if map.contains_key(&name) {
            return Err(Unreadable::new(
                path,
                format!("gives `{name}` twice (as `{key}` and in another spelling)"),
            ));
        }
        map.insert(name, read);
    }
    Ok(map)
}

/// A JavaScript number as JSON: whole numbers as integers (the core reads counts as `u8`,
/// `u64`), others as floats; `NaN` and infinities are not numbers JSON can hold.
fn number(n: f64) -> Option<Number> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
        // Exact: within ±2^53 a whole f64 converts to i64 without loss.
        Some(Number::from(n as i64))
    } else {
        Number::from_f64(n)
    }
}

/// Serialises a core value into its camelCase JavaScript shape (napi's `serde-json` feature
/// turns the `Value` into JavaScript).
pub fn camel<T: Serialize>(value: &T) -> Value {
    // The core's types serialise to JSON infallibly (string keys, no custom errors).
    camelize(serde_json::to_value(value).unwrap_or(Value::Null))
}

fn camelize(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if VERBATIM_KEYS.contains(&k.as_str()) {
                        v
                    } else {
                        camelize(v)
                    };
                    (camel_case(&k), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camelize).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_and_snake_case_round_trip_every_core_key_shape() {
        for key in [
            "to",
            "play_times",
            "original_image_base64",
            "connect_timeout_ms",
            "cloud10658_receipt_url",
            "aliyun_report_url",
            "access_key_secret",
        ] {
            assert_eq!(snake_case(&camel_case(key)), key);
        }
        assert_eq!(camel_case("original_image_base64"), "originalImageBase64");
        assert_eq!(snake_case("playTimes"), "play_times");
    }

    #[test]
    fn a_key_starting_with_a_capital_keeps_its_name() {
        assert_eq!(snake_case("To"), "To");
        assert_eq!(camel_case(&snake_case("PlayTimes")), "PlayTimes");
    }

    #[test]
    fn raw_vendor_payloads_keep_their_keys() {
        let event = serde_json::json!({"message_id": "m", "raw": {"status_info": {"a_b": 1}}});
        let out = camel(&event);
        assert_eq!(out["messageId"], "m");
        assert_eq!(out["raw"]["status_info"]["a_b"], 1);
    }

    #[test]
    fn whole_numbers_become_integers_and_nan_is_refused() {
        assert_eq!(number(3.0).and_then(|n| n.as_u64()), Some(3));
        assert_eq!(number(-2.0).and_then(|n| n.as_i64()), Some(-2));
        assert_eq!(number(1.5).and_then(|n| n.as_f64()), Some(1.5));
        assert!(number(f64::NAN).is_none());
        assert!(number(f64::INFINITY).is_none());
    }
}
