//! `callbacks`: call-status pushes from the vendors, parsed and authenticated by the core.

use std::time::Duration;

use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi_derive::napi;
use serde_json::Value;
use voicecode::callbacks::{
    self, CallEvent, Deduplicator as CoreDeduplicator, HuaweiPushVerifier as CoreVerifier,
    HuaweiReportVerifier,
};

use crate::client::{object_arg, parse_request, vendor};
use crate::convert::{camel, napi_arg, JsonArg, VerbatimArg};
use crate::error::{Failure, Reply};

/// Parses a push body into events (`CallEvent[]`; Huawei fee pushes may hold several).
/// `headers` is `req.headers` of `http.IncomingMessage` or a list of `[name, value]` pairs.
#[napi(
    namespace = "callbacks",
    ts_args_type = "vendor: Vendor, headers: Headers, body: Uint8Array | string",
    ts_return_type = "CallEvent[]"
)]
pub fn parse(vendor_name: JsonArg, headers: VerbatimArg, body: BodyArg) -> Reply<Value> {
    Reply((|| {
        let vendor = vendor(vendor_name)?;
        let headers = header_pairs(headers)?;
        let body = body.0?;
        Ok(camel(&callbacks::parse(vendor, &headers, &body)?))
    })())
}

/// How to answer `vendor`'s pushes once taken: HTTP 200 with `body` and `contentType`; `null`
/// for a vendor that sends no pushes.
#[napi(
    namespace = "callbacks",
    js_name = "pushAck",
    ts_args_type = "vendor: Vendor",
    ts_return_type = "PushAck | null"
)]
pub fn push_ack(vendor_name: JsonArg) -> Reply<Option<Value>> {
    Reply(vendor(vendor_name).map(|v| callbacks::push_ack(v).map(|ack| camel(&ack))))
}

/// Authenticates a Huawei push (its `X-AKSK` header) sent to `url`; throws `VoiceCodeError`
/// with code `auth_failed` when the digest, the time window or the nonce is wrong. Replays are
/// refused: pushes checked with the same `appSecret` and `url` share one nonce memory.
#[napi(
    namespace = "callbacks",
    js_name = "verifyHuawei",
    ts_args_type = "headers: Headers, options: HuaweiPushOptions",
    ts_return_type = "void"
)]
pub fn verify_huawei(headers: VerbatimArg, options: JsonArg) -> Reply<()> {
    Reply((|| {
        let headers = header_pairs(headers)?;
        let o = VerifierOptions::read(options.object("options")?)?;
        let verifier = CoreVerifier::shared(&o.app_secret, &o.url, o.window());
        Ok(verifier.verify(&headers)?)
    })())
}

/// Authenticates a Huawei SMS status report sent to `options.url` with 推送AKSK鉴权 on (its
/// SDK-HMAC-SHA256 signature and `X-Sdk-Date`); throws `VoiceCodeError` with code
/// `auth_failed` when it is unsigned, forged or stale. Reports carry no nonce: de-duplicate
/// their events.
#[napi(
    namespace = "callbacks",
    js_name = "verifyHuaweiReport",
    ts_args_type = "headers: Headers, body: Uint8Array | string, options: HuaweiReportOptions",
    ts_return_type = "void"
)]
pub fn verify_huawei_report(headers: VerbatimArg, body: BodyArg, options: JsonArg) -> Reply<()> {
    Reply((|| {
        let headers = header_pairs(headers)?;
        let body = body.0?;
        let o: ReportOptions = parse_request("options", options.object("options")?)?;
        let mut verifier = HuaweiReportVerifier::new(&o.app_key, o.app_secret, &o.url)?;
        if let Some(seconds) = o.window_seconds {
            verifier = verifier.with_window(Duration::from_secs(seconds));
        }
        Ok(verifier.verify(&headers, &body)?)
    })())
}

/// `verifyHuaweiReport`'s options: the SMS application's key and secret, the status URL as
/// configured, and how far `X-Sdk-Date` may be from now.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportOptions {
    app_key: String,
    app_secret: String,
    url: String,
    window_seconds: Option<u64>,
}

/// Authenticates Huawei pushes to one URL, remembering accepted nonces so that a captured push
/// cannot be replayed. `verifyHuawei` keeps one of these per options object.
#[napi(namespace = "callbacks")]
pub struct HuaweiPushVerifier {
    inner: CoreVerifier,
}

#[napi(namespace = "callbacks")]
impl HuaweiPushVerifier {
    /// A verifier for pushes to `options.url`, signed with `options.appSecret`.
    #[napi(constructor, ts_args_type = "options: HuaweiPushOptions")]
    pub fn new(env: napi::Env, options: JsonArg) -> napi::Result<Self> {
        let verifier = options.object("options").and_then(verifier_from);
        crate::error::settle(&env, verifier).map(|inner| HuaweiPushVerifier { inner })
    }

    /// Checks a push's headers now; throws `VoiceCodeError` (`auth_failed`) when they fail.
    #[napi(ts_args_type = "headers: Headers", ts_return_type = "void")]
    pub fn verify(&self, headers: VerbatimArg) -> Reply<()> {
        Reply(header_pairs(headers).and_then(|h| Ok(self.inner.verify(&h)?)))
    }
}

/// `verifyHuawei`'s options: the app's secret, the status (or fee) URL as configured, and how far
/// `Created` may be from now.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifierOptions {
    app_secret: String,
    url: String,
    window_seconds: Option<u64>,
}

impl VerifierOptions {
    fn read(options: Value) -> Result<Self, Failure> {
        parse_request("options", options)
    }

    fn window(&self) -> Duration {
        self.window_seconds
            .map_or(CoreVerifier::DEFAULT_WINDOW, Duration::from_secs)
    }
}

fn verifier_from(options: Value) -> Result<CoreVerifier, Failure> {
    let o = VerifierOptions::read(options)?;
    let window = o.window();
    Ok(CoreVerifier::new(o.app_secret, o.url).with_window(window))
}

/// Remembers which events were handled (by vendor, message id and event kind), so that repeated
/// pushes are handled once.
#[napi(namespace = "callbacks")]
pub struct Deduplicator {
    inner: CoreDeduplicator,
}

#[napi(namespace = "callbacks")]
impl Deduplicator {
    /// Remembers up to `capacity` events (100 000 by default), forgetting the oldest first.
    #[napi(constructor, ts_args_type = "capacity?: number")]
    pub fn new(env: napi::Env, capacity: JsonArg) -> napi::Result<Self> {
        let capacity = capacity.optional_whole_number("capacity");
        crate::error::settle(&env, capacity).map(|c| Deduplicator {
            inner: match c {
                Some(c) => CoreDeduplicator::new(usize::try_from(c).unwrap_or(usize::MAX)),
                None => CoreDeduplicator::default(),
            },
        })
    }

    /// True the first time an event is seen, false for its repeats.
    #[napi(ts_args_type = "event: CallEvent", ts_return_type = "boolean")]
    pub fn first_time(&self, event: JsonArg) -> Reply<bool> {
        Reply((|| {
            let event: CallEvent = object_arg(event, "event")?;
            Ok(self.inner.first_time(&event))
        })())
    }
}

/// The headers as the name-value pairs the core takes: `req.headers` (where Node gives a
/// repeated header such as `set-cookie` as a list) or `[name, value]` pairs, read by the core's
/// one reader. A wrong shape is a JavaScript type error, like every other wrongly typed argument.
fn header_pairs(headers: VerbatimArg) -> Result<Vec<(String, String)>, Failure> {
    let headers = headers
        .0
        .map_err(|e| e.named("headers"))?
        .unwrap_or_default();
    callbacks::header_pairs("headers", headers).map_err(|e| Failure::Type(e.message().to_owned()))
}

/// A push body: a `Buffer` / `Uint8Array`, or a string (sent as UTF-8).
pub struct BodyArg(Result<Vec<u8>, Failure>);

napi_arg!(
    BodyArg,
    Either<String, Uint8ArraySlice<'_>>,
    |body: napi::Result<Either<String, Uint8ArraySlice>>| BodyArg(match body {
        Ok(Either::A(text)) => Ok(text.into_bytes()),
        Ok(Either::B(bytes)) => Ok(bytes.to_vec()),
        Err(_) => Err(Failure::Type(
            "body must be a Buffer, a Uint8Array or a string".to_owned(),
        )),
    }),
    "Uint8Array | string",
    Unknown
);
