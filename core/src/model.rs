//! Requests and results shared by every vendor.

use std::fmt;

use chrono::{DateTime, Utc};

use serde::de::{DeserializeOwned, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::{Error, Result, Vendor};

/// Reads a request ([`SendCode`], [`VerifyCaptcha`], [`SendSmsCode`], a
/// [`CallEvent`]) from JSON in the shared schema, as every binding
/// receives it. An unknown key, a missing one or one of the wrong type is `invalid_input` naming
/// the key (`device.os_version` when nested); `what` names the request when no key is at fault.
pub fn from_value<T: DeserializeOwned>(what: &str, value: Value) -> Result<T> {
    if !value.is_object() {
        return Err(Error::invalid_input(what, "must be an object"));
    }
    deserialize_named(value, what).map_err(|(field, rule)| Error::invalid_input(&field, rule))
}

/// Parses JSON text as [`serde_json::from_str`] does, but refuses an object with the same key
/// twice (serde_json keeps the last one, so a second `api_key` would silently win). On error,
/// returns the repeated key, if that is the fault, and a rule that quotes no value.
pub fn parse_json(text: &str) -> std::result::Result<Value, (Option<String>, String)> {
    serde_json::from_str::<Strict>(text)
        .map(|strict| strict.0)
        .map_err(|e| {
            let message = e.to_string();
            let key = message
                .strip_prefix("duplicate key `")
                .and_then(|rest| rest.split('`').next())
                .map(str::to_owned);
            match key {
                Some(key) => (Some(key), message),
                None => (None, format!("not valid JSON: {message}")),
            }
        })
}

/// A JSON value read with duplicate keys refused.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> std::result::Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> std::result::Result<Value, E> {
        Ok(v.into())
    }

    fn visit_u64<E>(self, v: u64) -> std::result::Result<Value, E> {
        Ok(v.into())
    }

    fn visit_f64<E>(self, v: f64) -> std::result::Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> std::result::Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> std::result::Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> std::result::Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "duplicate key `{key}`: give each key once"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Deserialises `value`, or says which key is at fault (`device.os_version` when nested;
/// `whole` when none is) and which rule it breaks — without ever quoting a value, since a
/// config's values include credentials and serde's own messages quote them.
pub(crate) fn deserialize_named<T: DeserializeOwned>(
    value: Value,
    whole: &str,
) -> std::result::Result<T, (String, String)> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        // The path ends at an unknown key, and at the map that lacks a missing one.
        let at = |key: &str| match path.as_str() {
            "." => key.to_owned(),
            p if p == key || p.ends_with(&format!(".{key}")) => path.clone(),
            p => format!("{p}.{key}"),
        };
        // Unknown and missing keys are named only in serde's message, which quotes no value.
        let named = ["unknown field `", "missing field `"]
            .iter()
            .find_map(|prefix| message.strip_prefix(prefix))
            .and_then(|rest| rest.split('`').next());
        if let Some(key) = named {
            return (at(key), message.clone());
        }
        let field = if path == "." { whole.to_owned() } else { path };
        let rule = match message.split_once(", expected ") {
            Some((_, expected)) => format!("must be {expected}"),
            None => "has a value of the wrong type or range".to_owned(),
        };
        (field, rule)
    })
}

/// A voice verification code to send.
///
/// Reads from the same keys in every language: `to`, `code` and the [`SendOptions`] beside them
/// (`{"to": …, "code": …, "play_times": 2}`); unknown keys are refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "FlatSendCode")]
pub struct SendCode {
    /// Recipient: E.164 (`+8613800138000`) or national digits (`13800138000`, `075528001234`).
    pub to: String,
    /// The code to speak.
    pub code: String,
    /// The vendor options, at the top level of the JSON.
    #[serde(flatten)]
    pub options: SendOptions,
}

/// Declares the send options once: the [`SendOptions`] struct, [`SendOptions::FIELDS`], which
/// options are set, and the flat form a [`SendCode`] is read from (serde loses the key at fault
/// inside a flattened struct, so a wrong `play_times` would not be named).
macro_rules! send_options {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty, )*) => {
        /// The vendor options of a send, each `None` for the vendor's (or the channel's) default.
        /// A vendor refuses, naming it, an option it has no place for.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct SendOptions {
            $( $(#[$doc])* #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $name: Option<$ty>, )*
        }

        impl SendOptions {
            /// Every option's key and JSON type, in declaration order.
            pub const FIELDS: &'static [(&'static str, OptionType)] =
                &[$((stringify!($name), <$ty as JsonType>::TYPE)),*];

            /// The keys of the options that are set.
            pub(crate) fn given(&self) -> impl Iterator<Item = &'static str> {
                [$((stringify!($name), self.$name.is_some())),*]
                    .into_iter()
                    .filter_map(|(name, set)| set.then_some(name))
            }
        }

        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct FlatSendCode {
            to: String,
            code: String,
            $( #[serde(default)] $name: Option<$ty>, )*
        }

        impl From<FlatSendCode> for SendCode {
            fn from(flat: FlatSendCode) -> Self {
                let options = SendOptions { $($name: flat.$name),* };
                SendCode { to: flat.to, code: flat.code, options }
            }
        }
    };
}

send_options! {
    /// How many times the code is played (ytx, aliyun and tencent 1–3; huawei 0–9, where 0 loops
    /// until hang-up).
    play_times: u8,
    /// Opaque data echoed by the vendor (huawei `userData` and aliyun `OutId` in their pushes;
    /// tencent `SessionContext`, echoed in its answer).
    user_data: String,
    /// Huawei: status push URL for this call, replacing the configured one.
    status_url: String,
    /// Huawei: fee push URL for this call, replacing the configured one.
    fee_url: String,
    /// Huawei: tone played before the code, replacing the configured one.
    pre_tone: String,
    /// Huawei: tone played after the code, replacing the configured one.
    pos_tone: String,
    /// Huawei: ask for the number of idle call ports in the answer.
    return_idle_port: bool,
}

/// The JSON type of a [`SendOptions`] field, for bindings that check their own language's types
/// (a Python `TypeError`) before the core reads the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum OptionType {
    /// A string.
    Text,
    /// A whole number.
    Count,
    /// A boolean.
    Flag,
}

/// The [`OptionType`] of an option's Rust type.
trait JsonType {
    const TYPE: OptionType;
}

impl JsonType for String {
    const TYPE: OptionType = OptionType::Text;
}

impl JsonType for u8 {
    const TYPE: OptionType = OptionType::Count;
}

impl JsonType for bool {
    const TYPE: OptionType = OptionType::Flag;
}

impl SendCode {
    /// A request with the vendor's defaults for everything optional.
    pub fn new(to: impl Into<String>, code: impl Into<String>) -> Self {
        SendCode {
            to: to.into(),
            code: code.into(),
            options: SendOptions::default(),
        }
    }

    /// Sets how many times the code is played.
    pub fn play_times(mut self, times: u8) -> Self {
        self.options.play_times = Some(times);
        self
    }

    /// Sets the data echoed in call-status pushes.
    pub fn user_data(mut self, data: impl Into<String>) -> Self {
        self.options.user_data = Some(data.into());
        self
    }
}

/// The vendor accepted the call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// Who accepted it.
    pub vendor: Vendor,
    /// The vendor's id for the call: ytx requestId, huawei sessionId, ihuyi voiceid,
    /// cloud10658 taskId, aliyun and tencent CallId. Call-status events carry the same id.
    pub message_id: String,
    /// The vendor's success code, verbatim (empty for tencent, whose success has no code).
    pub vendor_code: String,
    /// The vendor's success message, verbatim (tencent: the `RequestId` its support asks for).
    pub vendor_message: String,
    /// cloud10658: units left on the account after this send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// huawei: idle call ports, when `return_idle_port` was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idle_ports: Option<u32>,
}

impl Receipt {
    /// A receipt without the fields only some vendors fill.
    pub(crate) fn new(
        vendor: Vendor,
        message_id: String,
        vendor_code: impl Into<String>,
        vendor_message: String,
    ) -> Self {
        Receipt {
            vendor,
            message_id,
            vendor_code: vendor_code.into(),
            vendor_message,
            remaining: None,
            idle_ports: None,
        }
    }
}

/// What a balance is counted in.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BalanceUnit {
    /// Money, in yuan (ytx).
    Yuan,
    /// Calls or points left (ihuyi, cloud10658).
    Units,
}

impl BalanceUnit {
    /// The snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// An account balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// Whose account.
    pub vendor: Vendor,
    /// The amount as the vendor wrote it (a decimal string: money is never rounded to a float).
    pub amount: String,
    /// What the amount counts.
    pub unit: BalanceUnit,
}

/// A OneAccess slider captcha to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captcha {
    /// Identifies this captcha in [`VerifyCaptcha`].
    pub token: String,
    /// The background image (PNG, Base64).
    pub original_image_base64: String,
    /// The slider piece (PNG, Base64).
    pub jigsaw_image_base64: String,
}

/// The user's answer to a slider captcha.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyCaptcha {
    /// The captcha's token.
    pub token: String,
    /// Horizontal position where the user dropped the piece.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
    /// The mobile number the SMS code will go to.
    pub mobile: String,
}

/// Why an SMS code is sent (OneAccess `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SmsPurpose {
    /// `REGISTER_SMS`.
    Register,
    /// `LOGIN_SMS`.
    Login,
    /// `FORGET_PWD_SMS`.
    ForgetPassword,
    /// `BIND_MOBILE_SMS`.
    BindMobile,
    /// `UPDATE_MOBILE_SMS`.
    UpdateMobile,
    /// `OTP_REST_SMS`.
    Otp,
}

/// An SMS code to send through OneAccess after a verified captcha.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSmsCode {
    /// 11-digit mainland mobile (E.164 `+86…` is accepted too).
    pub mobile: String,
    /// Why the code is sent.
    pub purpose: SmsPurpose,
    /// The `captcha_token` returned by `verify_captcha`.
    pub captcha_token: String,
}

/// What happened to a call.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantNames,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EventKind {
    /// The platform started calling (Huawei `callout`, aliyun `200101`).
    Dialing,
    /// The phone is ringing (Huawei `alerting`, aliyun `200201`).
    Ringing,
    /// The user picked up (Huawei `answer`, aliyun `200102`).
    Answered,
    /// The call ended (Huawei `disconnect`, aliyun `200100`); `state_code` says why.
    Hangup,
    /// The code was delivered (cloud10658 receipt with status 1, aliyun `VoiceReport` 200000 or
    /// 200001, Tencent `result` 0).
    Delivered,
    /// The code was not delivered (cloud10658 receipt with status 0, any other aliyun
    /// `VoiceReport` status, Tencent `result` 1 or 2 and `voice_failure_callback`).
    Failed,
    /// A call detail record (Huawei fee push).
    Fee,
}

impl EventKind {
    /// The snake_case name used by every binding.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One call event, whatever the vendor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallEvent {
    /// Who sent it.
    pub vendor: Vendor,
    /// The receipt's `message_id` (Huawei sessionId, cloud10658 taskid, aliyun call_id, Tencent
    /// callid).
    pub message_id: String,
    /// The called number, as the vendor wrote it.
    pub phone: Option<String>,
    /// What happened.
    pub event: EventKind,
    /// When, in UTC (RFC 3339 when serialised).
    pub at: Option<DateTime<Utc>>,
    /// Huawei hang-up cause (Q.850-like: 16 normal, 17 busy, 19 no answer, …), cloud10658
    /// gateway code, aliyun `status_code` (200000 heard, 200002 busy, …), or Tencent `result` or
    /// `failure_code`; unknown codes are kept as they are.
    pub state_code: Option<i64>,
    /// The vendor's description of the state.
    pub state_desc: Option<String>,
    /// Seconds of conversation, where the vendor reports it.
    pub talk_seconds: Option<u64>,
    /// The `user_data` given at send time (Huawei `userData`, aliyun `out_id`).
    pub user_data: Option<String>,
    /// Every field of the push as received, including ones voicecode does not know.
    pub raw: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use serde_json::json;

    fn field_of(value: Value) -> (ErrorKind, Option<String>) {
        let e = from_value::<SendCode>("request", value).unwrap_err();
        (e.kind(), e.field().map(str::to_owned))
    }

    #[test]
    fn requests_are_read_from_the_shared_json_schema() {
        let req: SendCode = from_value(
            "request",
            json!({"to": "13800138000", "code": "4821", "play_times": 2}),
        )
        .unwrap();
        assert_eq!(req, SendCode::new("13800138000", "4821").play_times(2));
    }

    #[test]
    fn a_key_of_the_wrong_type_is_invalid_input_naming_it() {
        let invalid = |f: &str| (ErrorKind::InvalidInput, Some(f.to_owned()));
        assert_eq!(
            field_of(json!({"to": 13800138000_u64, "code": "1"})),
            invalid("to")
        );
        assert_eq!(
            field_of(json!({"to": "1", "code": "1", "play_times": "2"})),
            invalid("play_times")
        );
        assert_eq!(
            field_of(json!({"to": "1", "code": "1", "play_times": 300})),
            invalid("play_times")
        );
    }

    #[test]
    fn json_with_a_repeated_key_is_refused_naming_the_key() {
        let (key, rule) = parse_json(r#"{"a": 1, "b": {"c": 2, "c": "SECRET"}}"#).unwrap_err();
        assert_eq!(key.as_deref(), Some("c"));
        assert!(rule.contains("duplicate key"), "{rule}");
        assert!(!rule.contains("SECRET"), "{rule}");
        assert_eq!(
            parse_json(r#"{"a": [1, 2.5, null, true, "x"], "b": {}}"#).unwrap(),
            serde_json::json!({"a": [1, 2.5, null, true, "x"], "b": {}})
        );
        let (key, rule) = parse_json("{").unwrap_err();
        assert_eq!(key, None);
        assert!(rule.starts_with("not valid JSON"), "{rule}");
    }

    #[test]
    fn the_options_table_lists_every_optional_field_with_its_json_type() {
        let every = SendOptions {
            play_times: Some(1),
            user_data: Some("u".into()),
            status_url: Some("s".into()),
            fee_url: Some("f".into()),
            pre_tone: Some("p".into()),
            pos_tone: Some("q".into()),
            return_idle_port: Some(true),
        };
        let Value::Object(map) = serde_json::to_value(&every).unwrap() else {
            panic!("options serialise to an object");
        };
        let options: Vec<(&str, OptionType)> = map
            .iter()
            .map(|(k, v)| {
                let ty = match v {
                    Value::String(_) => OptionType::Text,
                    Value::Number(_) => OptionType::Count,
                    Value::Bool(_) => OptionType::Flag,
                    other => panic!("{k} serialises as {other}"),
                };
                (k.as_str(), ty)
            })
            .collect();
        let mut expected = SendOptions::FIELDS.to_vec();
        expected.sort();
        let mut options = options;
        options.sort();
        assert_eq!(options, expected);
        let given: Vec<&str> = every.given().collect();
        assert_eq!(
            given,
            SendOptions::FIELDS
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
        );
        assert_eq!(SendOptions::default().given().count(), 0);
    }

    #[test]
    fn a_send_code_serialises_its_options_beside_to_and_code() {
        let req = SendCode::new("13800138000", "4821").play_times(2);
        let json = serde_json::to_value(&req).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"to": "13800138000", "code": "4821", "play_times": 2})
        );
        assert_eq!(from_value::<SendCode>("request", json).unwrap(), req);
    }

    #[test]
    fn unknown_and_missing_keys_are_named_and_a_non_object_names_the_request() {
        let invalid = |f: &str| (ErrorKind::InvalidInput, Some(f.to_owned()));
        assert_eq!(
            field_of(json!({"to": "1", "code": "1", "play_time": 2})),
            invalid("play_time")
        );
        assert_eq!(field_of(json!({"to": "1"})), invalid("code"));
        assert_eq!(field_of(json!([1, 2])), invalid("request"));
    }
}
