//! Alibaba Cloud voice service (语音服务, dyvmsapi 2017-05-25): `SingleCallByTts` at the root of
//! its host and `VoiceReport` pushes (see `docs/protocols/aliyun.md` for the documents), and the
//! gateway both products of the account stand behind (the SMS side is [`sms`]).
//!
//! The signature checks are written here from the documents, independently of the core's signer,
//! so that the implementations check each other. Two schemes are accepted, as the gateway does:
//! - the RPC signature ("HTTP协议及签名", `SignatureVersion` 1.0, HMAC-SHA1), which voicecode
//!   and the older official SDKs (`aliyun-python-sdk-core`) send;
//! - V3, `ACS3-HMAC-SHA256` in an `Authorization` header ("V3版本请求体&签名机制"), the default
//!   of the current official SDKs (`alibabacloud-tea-openapi`): action, version, date and nonce
//!   in `x-acs-*` headers, parameters in the query string (or a form body, covered by
//!   `x-acs-content-sha256`), answers in JSON unless `Format=XML`. See [`check_v3`].
//!
//! Checks, in the order the OpenAPI gateway makes them, then the voice service's own:
//! the common parameters (400 `Missing{Name}`), the action and version (404
//! `InvalidApi.NotFound`), `Format` (400 `InvalidParameter.Format`), the signature method and
//! version (400 `InvalidSignatureMethod`, `IncompleteSignature`), the AccessKeyId (404
//! `InvalidAccessKeyId.NotFound`), `Timestamp` as UTC `yyyy-MM-ddTHH:mm:ssZ` (400
//! `InvalidTimeStamp.Format`) within 15 minutes (400 `InvalidTimeStamp.Expired`), the signature
//! (400 `SignatureDoesNotMatch`, with the server's StringToSign in the message as the gateway
//! gives it), the nonce unused (400 `SignatureNonceUsed`). Then, with HTTP 200: the template
//! (`isv.TTS_TEMPLATE_ILLEGAL`), the caller number (`isv.DISPLAY_NUMBER_ILLEGAL`), the callee
//! (`isv.MOBILE_NUMBER_ILLEGAL`), TtsParam (`isv.INVALID_PARAMETERS`,
//! `isv.TEMPLATE_MISSING_PARAMETERS`, `isv.TEMPLATE_PARAMS_ILLEGAL`, `isv.PARAM_LENGTH_LIMIT`),
//! PlayTimes 1–3, Volume 0–100, Speed −500–500 and OutId of 1–15 bytes
//! (`isv.INVALID_PARAMETERS`), one call per callee a minute (`isv.BUSINESS_LIMIT_CONTROL`, the
//! first of the documented 1/min, 5/h, 20/24h limits) and the balance (`isv.AMOUNT_NOT_ENOUGH`).
//! Answers are JSON, or XML when `Format=XML` (the vendor's default).

pub(crate) mod sms;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, AtRoot, Endpoint, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{follow_up, CallOutcome, Pusher};
use crate::state::State as SimState;
use crate::wire::{china_time, is_digits, is_mobile, json_response, uuid_hex};
use demo::*;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// Alibaba Cloud AccessKey ID.
    pub const ALIYUN_ACCESS_KEY_ID: &str = "LTAI5tSimAliyun000000001";
    /// Alibaba Cloud AccessKey secret.
    pub const ALIYUN_ACCESS_KEY_SECRET: &str = "SimAliyunAccessKeySecret000001";
    /// The number the demo account bought for 专属模式 (`CalledShowNumber`).
    pub const ALIYUN_CALLED_SHOW_NUMBER: &str = "057112345678";
    /// The demo account's approved voice-code template (`TtsCode`), whose variable is `${code}`.
    pub const ALIYUN_TTS_CODE: &str = "TTS_100000001";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Aliyun,
    product: Product::Voice,
    refusal: |_, req, code| injected_refusal(&VOICE, req, code),
    routes: Router::new,
    // The RPC API lives at the root of its host; the gateway answers whatever else arrives
    // there in its own error shape.
    root: Some(AtRoot {
        claims: None,
        endpoint: Endpoint(Operation::SendCode, Some("CalledNumber"), send_code),
    }),
    config: || {
        json!({
            "access_key_id": ALIYUN_ACCESS_KEY_ID,
            "access_key_secret": ALIYUN_ACCESS_KEY_SECRET,
            "called_show_number": ALIYUN_CALLED_SHOW_NUMBER,
            "tts_code": ALIYUN_TTS_CODE,
        })
    },
    // No balance API, but the voice service refuses calls on an empty account.
    balance: true,
    push_url: Some((
        "aliyun_report_url",
        "Where Alibaba Cloud VoiceReport records are pushed after each accepted send.",
    )),
};

/// What the gateway and the voice service remember: the nonces seen (and when), and when each
/// callee was last called.
#[derive(Default)]
struct Memory {
    nonces: HashMap<String, DateTime<Utc>>,
    last_call: HashMap<String, Instant>,
}

/// "用户时间和服务器时间超过15分钟" → `InvalidTimeStamp.Expired`.
const MAX_SKEW_SECONDS: i64 = 15 * 60;
/// Nonces are remembered as long as a `Timestamp` stays acceptable, in either direction.
const NONCE_MEMORY_SECONDS: i64 = 2 * MAX_SKEW_SECONDS;
/// The first of the documented per-callee limits (1 次/分钟).
const SAME_CALLEE_INTERVAL: Duration = Duration::from_secs(60);
/// The template the demo account has approved takes its code in `${code}`.
const TEMPLATE_VARIABLE: &str = "code";
/// The number the public pool (公共模式) shows when the request names none.
const PUBLIC_POOL_NUMBER: &str = "057100000000";

/// The only V3 algorithm the simulator knows (the documents also name `ACS3-HMAC-SM3` and
/// `ACS3-RSA-SHA256`, which the demo account has no keys for).
const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// A refusal: HTTP status, code, message.
pub(crate) type Refusal = (u16, String, String);

/// One product's action behind the account's gateway: what the request must name, the root of
/// its answers, and the host the gateway names in its own errors.
pub(crate) struct Api {
    pub(crate) action: &'static str,
    pub(crate) response: &'static str,
    pub(crate) host: &'static str,
}

const VOICE: Api = Api {
    action: "SingleCallByTts",
    response: "SingleCallByTtsResponse",
    host: "dyvmsapi.aliyuncs.com",
};

pub(crate) fn refusal(status: u16, code: &str, message: &str) -> Refusal {
    (status, code.to_owned(), message.to_owned())
}

/// The gateway's codes with the HTTP status they come with ("管控OpenAPI的客户端公用错误码" and
/// the dyvmsapi error code page) and, for those the simulator answers by itself, the gateway's
/// message; the voice service's `isv.*`/`isp.*` refusals come with HTTP 200.
#[rustfmt::skip] // one line per code, as in the vendor's lists
const GATEWAY: &[(&str, u16, &str)] = &[
    ("InvalidApi.NotFound", 404, "Specified api is not found, please check your url and method."),
    ("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found."),
    ("InvalidAccessKeyId.Inactive", 400, ""),
    ("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted."),
    ("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired."),
    ("SignatureNonceUsed", 400, "Specified signature nonce was used already."),
    ("InvalidParameter.Format", 400, "Specified parameter format is not valid."),
    ("UnsupportedHTTPMethod", 400, ""),
    ("InvalidSignatureMethod", 400, "Specified signature method is not valid."),
    ("SignatureDoesNotMatch", 400, ""),
    ("IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."),
    ("Throttling", 400, ""),
    ("Throttling.User", 400, ""),
    ("Throttling.Api", 400, ""),
    ("Forbidden.RAM", 403, ""),
    ("ServiceUnavailable", 503, ""),
    ("InternalError", 500, ""),
    ("isp.GATEWAY_ERROR", 500, ""),
    ("BillidNotExist", 400, ""),
    ("ComplaintReject", 400, ""),
    ("InvalidParameters", 400, ""),
];

/// The line of [`GATEWAY`] for `code`, if it has one.
fn gateway_line(code: &str) -> Option<&'static (&'static str, u16, &'static str)> {
    GATEWAY.iter().find(|(c, ..)| *c == code)
}

/// The HTTP status of `code`: its line in [`GATEWAY`], else 200.
fn status_of(code: &str) -> u16 {
    gateway_line(code).map_or(200, |line| line.1)
}

/// A refusal of the gateway's, with its status and message.
fn gateway(code: &str) -> Refusal {
    refusal(status_of(code), code, gateway_line(code).map_or("", |line| line.2))
}

/// An injected code, with its documented HTTP status; `"403:Forbidden.Custom"` names one.
pub(crate) fn injected_refusal(api: &Api, req: &VendorRequest, code: &str) -> Response {
    let (status, code) = match code.split_once(':') {
        Some((status, code)) if status.bytes().all(|b| b.is_ascii_digit()) => {
            (status.parse().unwrap_or(400), code)
        }
        _ => (status_of(code), code),
    };
    reply_error(
        api,
        wants_xml(req, &req.fields()),
        &(status, code.to_owned(), "Simulated error code.".to_owned()),
    )
}

fn send_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    let fields = req.fields();
    let xml = wants_xml(req, &fields);
    let checked = check_gateway(state, req, &fields, &VOICE).and_then(|()| check_call(state, &fields));
    match checked {
        Ok((body, call)) => {
            let response = reply(xml, StatusCode::OK, VOICE.response, &body);
            Answer::new(response, Verdict::Accepted)
                .with_follow_up(Some(follow_up(|pusher| report(pusher, call))))
        }
        Err(refusal) => refused(&VOICE, xml, refusal),
    }
}

/// The answer to a refused request, and its verdict.
pub(crate) fn refused(api: &Api, xml: bool, refusal: Refusal) -> Answer {
    let verdict = Verdict::refused(refusal.1.clone(), refusal.0);
    Answer::new(reply_error(api, xml, &refusal), verdict)
}

/// `Format` when given; otherwise XML for the RPC signature (the documented default) and JSON
/// for V3, whose SDKs ask for JSON with `Accept` and send no `Format`.
pub(crate) fn wants_xml(req: &VendorRequest, fields: &[(String, String)]) -> bool {
    match VendorRequest::field(fields, "Format") {
        Some(format) => format.eq_ignore_ascii_case("XML"),
        None => v3_authorization(req).is_none(),
    }
}

/// The `Authorization` header of a V3 request (`ACS3-…`); RPC-signed requests have none.
fn v3_authorization(req: &VendorRequest) -> Option<&str> {
    req.header("authorization")
        .filter(|value| value.starts_with("ACS3-"))
}

/// `8-4-4-4-12` uppercase hex, as the gateway writes `RequestId`.
pub(crate) fn request_id() -> String {
    uuid_hex().to_ascii_uppercase()
}

fn reply_error(api: &Api, xml: bool, (status, code, message): &Refusal) -> Response {
    let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut body = json!({ "RequestId": request_id(), "Code": code, "Message": message });
    if status != StatusCode::OK {
        // The gateway adds the host and a link to its diagnosis to its own errors.
        body["HostId"] = json!(api.host);
        body["Recommend"] = json!("https://api.aliyun.com/troubleshoot");
    }
    let root = if status == StatusCode::OK {
        api.response
    } else {
        "Error"
    };
    reply(xml, status, root, &body)
}

pub(crate) fn reply(xml: bool, status: StatusCode, root: &str, body: &Value) -> Response {
    if !xml {
        return json_response(status, body);
    }
    let mut text = format!("<?xml version='1.0' encoding='UTF-8'?><{root}>");
    if let Value::Object(map) = body {
        for (key, value) in map {
            let value = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            let value = value
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            text.push_str(&format!("<{key}>{value}</{key}>"));
        }
    }
    text.push_str(&format!("</{root}>"));
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
        text,
    )
        .into_response()
}

/// RFC 3986: only `A-Za-z0-9-_.~` stay as they are; every other byte becomes `%XY`.
fn rfc3986(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The server's StringToSign for the parameters as received (everything but `Signature`).
fn server_string_to_sign(method: &str, fields: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (rfc3986(k), rfc3986(v)))
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{method}&{}&{}", rfc3986("/"), rfc3986(&query.join("&")))
}

fn expected_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Records `nonce`; `false` if it was already used.
fn first_use(memory: &mut Memory, nonce: &str, now: DateTime<Utc>) -> bool {
    memory
        .nonces
        .retain(|_, seen| (now - *seen).num_seconds() <= NONCE_MEMORY_SECONDS);
    memory.nonces.insert(nonce.to_owned(), now).is_none()
}

pub(crate) fn missing(name: &str) -> Refusal {
    refusal(
        400,
        &format!("Missing{name}"),
        &format!("{name} is mandatory for this action."),
    )
}

fn check_api(api: &Api, action: &str, version: &str) -> Result<(), Refusal> {
    if action != api.action || version != "2017-05-25" {
        return Err(gateway("InvalidApi.NotFound"));
    }
    Ok(())
}

fn check_format(fields: &[(String, String)]) -> Result<(), Refusal> {
    let format = VendorRequest::field(fields, "Format").filter(|v| !v.is_empty());
    if format.is_some_and(|f| !f.eq_ignore_ascii_case("JSON") && !f.eq_ignore_ascii_case("XML")) {
        return Err(gateway("InvalidParameter.Format"));
    }
    Ok(())
}

fn check_access_key_id(access_key_id: &str) -> Result<(), Refusal> {
    if access_key_id != ALIYUN_ACCESS_KEY_ID {
        return Err(gateway("InvalidAccessKeyId.NotFound"));
    }
    Ok(())
}

/// UTC `yyyy-MM-ddTHH:mm:ssZ` within 15 minutes of `now`; a local time written with a Z lands
/// outside the window.
fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), Refusal> {
    let sent = NaiveDateTime::parse_from_str(timestamp, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| gateway("InvalidTimeStamp.Format"))?
        .and_utc();
    if (now - sent).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(gateway("InvalidTimeStamp.Expired"));
    }
    Ok(())
}

fn signature_mismatch(string_to_sign: &str) -> Refusal {
    refusal(
        400,
        "SignatureDoesNotMatch",
        &format!(
            "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
        ),
    )
}

fn check_nonce(state: &mut SimState, nonce: &str, now: DateTime<Utc>) -> Result<(), Refusal> {
    if !first_use(state.memory(), nonce, now) {
        return Err(gateway("SignatureNonceUsed"));
    }
    Ok(())
}

/// The gateway's checks of a request for `api`, in either signature scheme.
pub(crate) fn check_gateway(
    state: &mut SimState,
    req: &VendorRequest,
    fields: &[(String, String)],
    api: &Api,
) -> Result<(), Refusal> {
    let now = Utc::now();
    match v3_authorization(req) {
        Some(authorization) => check_v3(state, req, authorization, fields, api, now),
        None => check_rpc(state, req, fields, api, now),
    }
}

/// The action a request names, in either scheme: what the gateway routes on.
pub(crate) fn action_of(req: &VendorRequest) -> Option<String> {
    match req.header("x-acs-action") {
        Some(action) => Some(action.to_owned()),
        None => VendorRequest::field(&req.fields(), "Action").map(str::to_owned),
    }
}

/// The RPC signature: common parameters in the query or form, `Signature` over all of them.
fn check_rpc(
    state: &mut SimState,
    req: &VendorRequest,
    fields: &[(String, String)],
    api: &Api,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let required = |name: &str| {
        VendorRequest::field(fields, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing(name))
    };
    let access_key_id = required("AccessKeyId")?;
    let action = required("Action")?;
    let version = required("Version")?;
    let signature = required("Signature")?;
    let method = required("SignatureMethod")?;
    let signature_version = required("SignatureVersion")?;
    let nonce = required("SignatureNonce")?;
    let timestamp = required("Timestamp")?;
    check_api(api, action, version)?;
    check_format(fields)?;
    if method != "HMAC-SHA1" {
        return Err(gateway("InvalidSignatureMethod"));
    }
    if signature_version != "1.0" {
        return Err(gateway("IncompleteSignature"));
    }
    check_access_key_id(access_key_id)?;
    check_timestamp(timestamp, now)?;
    let string_to_sign = server_string_to_sign(req.method.as_str(), fields);
    if expected_signature(ALIYUN_ACCESS_KEY_SECRET, &string_to_sign) != signature {
        return Err(signature_mismatch(&string_to_sign));
    }
    check_nonce(state, nonce, now)
}

/// A V3 request ("V3版本请求体&签名机制"): `x-acs-action`, `x-acs-version`, `x-acs-date`,
/// `x-acs-signature-nonce` and `x-acs-content-sha256` headers, and
/// `Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<h;h>,Signature=<hex>`.
///
/// Checked in the RPC path's order (missing headers, action and version, `Format`, the
/// algorithm, the Authorization's shape, the AccessKeyId, the date, the signature, the nonce).
/// The signed headers must cover `host`, every `x-acs-*` header and `content-type` when sent
/// (the document: every common header present takes part); the payload hash is the server's
/// own SHA-256 of the body, and `x-acs-content-sha256` must state it.
fn check_v3(
    state: &mut SimState,
    req: &VendorRequest,
    authorization: &str,
    fields: &[(String, String)],
    api: &Api,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let header = |name: &str, param: &str| {
        req.header(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| missing(param))
    };
    let action = header("x-acs-action", "Action")?;
    let version = header("x-acs-version", "Version")?;
    let date = header("x-acs-date", "Timestamp")?;
    let nonce = header("x-acs-signature-nonce", "SignatureNonce")?;
    check_api(api, action, version)?;
    check_format(fields)?;
    let incomplete = || gateway("IncompleteSignature");
    let (algorithm, rest) = authorization.split_once(' ').ok_or_else(incomplete)?;
    if algorithm != V3_ALGORITHM {
        return Err(gateway("InvalidSignatureMethod"));
    }
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(incomplete()),
        }
    }
    let (Some(access_key_id), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(incomplete());
    };
    let canonical_headers = v3_canonical_headers(req, signed_headers).ok_or_else(incomplete)?;
    check_access_key_id(access_key_id)?;
    check_timestamp(date, now)?;
    let payload_hash = hex::encode(Sha256::digest(&req.body));
    let canonical_request = v3_canonical_request(
        req.method.as_str(),
        &req.path,
        &req.query_fields(),
        &canonical_headers,
        &payload_hash,
    );
    let (string_to_sign, expected) = v3_signature(ALIYUN_ACCESS_KEY_SECRET, &canonical_request);
    if req.header("x-acs-content-sha256") != Some(payload_hash.as_str()) || expected != signature {
        return Err(signature_mismatch(&string_to_sign));
    }
    check_nonce(state, nonce, now)
}

/// The headers `SignedHeaders` names, lowercase and sorted, with their trimmed values (several
/// values of one name sorted and joined with `,`); `None` when one is missing or unreadable, or
/// when `host`, `content-type` or an `x-acs-*` header was sent without being signed.
fn v3_canonical_headers(
    req: &VendorRequest,
    signed_headers: &str,
) -> Option<Vec<(String, String)>> {
    let mut names: Vec<String> = signed_headers
        .split(';')
        .map(str::to_ascii_lowercase)
        .collect();
    names.sort();
    names.dedup();
    let unsigned = req.headers.keys().map(|name| name.as_str()).any(|name| {
        let must_sign = name == "host" || name == "content-type" || name.starts_with("x-acs-");
        must_sign && !names.iter().any(|n| n == name)
    });
    if unsigned || !names.iter().any(|n| n == "host") {
        return None;
    }
    let mut canonical = Vec::with_capacity(names.len());
    for name in names {
        let mut values = req
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| v.to_str().ok().map(|v| v.trim().to_owned()))
            .collect::<Option<Vec<_>>>()?;
        if values.is_empty() {
            return None;
        }
        values.sort();
        canonical.push((name, values.join(",")));
    }
    Some(canonical)
}

/// CanonicalRequest: method, the path as sent (`/`), the query's parameters RFC 3986-encoded
/// and sorted, `name:value\n` for each signed header (lowercase, sorted, values trimmed), the
/// signed headers' names joined with `;`, and the hex SHA-256 of the body.
fn v3_canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    payload_hash: &str,
) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (rfc3986(k), rfc3986(v)))
        .collect();
    pairs.sort();
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
    let path = if path.is_empty() { "/" } else { path };
    format!(
        "{method}\n{path}\n{}\n{canonical_headers}\n{}\n{payload_hash}",
        query.join("&"),
        signed_headers.join(";")
    )
}

/// StringToSign `ACS3-HMAC-SHA256\n<hex SHA-256 of the canonical request>`, and its hex
/// HMAC-SHA256 keyed with the AccessKey secret as it is (no `&`, unlike the RPC signature).
fn v3_signature(secret: &str, canonical_request: &str) -> (String, String) {
    let string_to_sign = format!(
        "{V3_ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    (string_to_sign, signature)
}

/// The voice service's own checks of a call whose request passed the gateway's.
fn check_call(
    state: &mut SimState,
    fields: &[(String, String)],
) -> Result<(Value, Call), Refusal> {
    let get = |name: &str| VendorRequest::field(fields, name).filter(|v| !v.is_empty());
    let required = |name: &str| get(name).ok_or_else(|| missing(name));
    let called = required("CalledNumber")?;
    let tts_code = required("TtsCode")?;
    if tts_code != ALIYUN_TTS_CODE {
        return Err(refusal(200, "isv.TTS_TEMPLATE_ILLEGAL", "TTS模板不合法"));
    }
    let show = get("CalledShowNumber");
    if show.is_some_and(|s| s != ALIYUN_CALLED_SHOW_NUMBER) {
        return Err(refusal(200, "isv.DISPLAY_NUMBER_ILLEGAL", "号显不合法"));
    }
    let landline = called.starts_with('0') && is_digits(called, 10, 12);
    if !is_mobile(called) && !landline {
        return Err(refusal(200, "isv.MOBILE_NUMBER_ILLEGAL", "号码格式非法"));
    }
    let code = check_tts_param(get("TtsParam"))?;
    let invalid = || refusal(200, "isv.INVALID_PARAMETERS", "参数异常");
    let in_range = |name: &str, min: i64, max: i64| match get(name) {
        None => Ok(()),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .map(drop)
            .ok_or_else(invalid),
    };
    in_range("PlayTimes", 1, 3)?;
    in_range("Volume", 0, 100)?;
    in_range("Speed", -500, 500)?;
    let out_id = get("OutId");
    if out_id.is_some_and(|id| id.len() > 15) {
        return Err(invalid());
    }

    let started = Instant::now();
    let memory = state.memory::<Memory>();
    memory
        .last_call
        .retain(|_, at| started.duration_since(*at) < SAME_CALLEE_INTERVAL);
    if memory.last_call.contains_key(called) {
        return Err(refusal(200, "isv.BUSINESS_LIMIT_CONTROL", "触发流控"));
    }
    if !state.charge(Vendor::Aliyun) {
        return Err(refusal(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足"));
    }
    state.memory::<Memory>().last_call.insert(called.to_owned(), started);
    state.record_code(Vendor::Aliyun, called, &code);
    let id = state.next_id();
    let call_id = format!("{}^{}", 116_012_354_148_u64 + id, 102_813_780_000_u64 + id);
    let body = json!({
        "Code": "OK",
        "Message": "OK",
        "RequestId": request_id(),
        "CallId": call_id,
    });
    let call = Call {
        call_id,
        caller: show.unwrap_or(PUBLIC_POOL_NUMBER).to_owned(),
        callee: called.to_owned(),
        out_id: out_id.map(str::to_owned),
        outcome: state.outcome,
    };
    Ok((body, call))
}

/// A JSON object of string variables, with the template's `code` of letters and digits, all
/// under 250 characters; the code is what the call would speak.
fn check_tts_param(param: Option<&str>) -> Result<String, Refusal> {
    let invalid = || refusal(200, "isv.INVALID_PARAMETERS", "参数异常");
    let no_code = || refusal(200, "isv.TEMPLATE_MISSING_PARAMETERS", "文本转语音模板参数缺失");
    let param = param.ok_or_else(no_code)?;
    let variables: Map<String, Value> = serde_json::from_str(param).map_err(|_| invalid())?;
    if !variables.values().all(Value::is_string) {
        return Err(invalid());
    }
    let code = variables
        .get(TEMPLATE_VARIABLE)
        .and_then(Value::as_str)
        .ok_or_else(no_code)?;
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(refusal(200, "isv.TEMPLATE_PARAMS_ILLEGAL", "模板变量非法"));
    }
    if param.chars().count() >= 250 {
        return Err(refusal(200, "isv.PARAM_LENGTH_LIMIT", "参数长度受限"));
    }
    Ok(code.to_owned())
}

/// An accepted call.
struct Call {
    call_id: String,
    /// `CalledShowNumber`, or the public pool's number.
    caller: String,
    callee: String,
    out_id: Option<String>,
    outcome: CallOutcome,
}

/// The `VoiceReport` record Alibaba Cloud pushes (HTTP 批量推送, a JSON array) to the account's
/// report URL once the call is over, with the status codes of "运营商回执错误码" and China
/// wall-clock times.
async fn report(pusher: Pusher, call: Call) {
    let Some(url) = &pusher.account_url else {
        return;
    };
    let china = |at: DateTime<Utc>| china_time(at).format("%Y-%m-%d %H:%M:%S").to_string();
    // The record describes a call that has just ended: its times lie in the last 20 seconds.
    let ended = Utc::now();
    let originated = ended - chrono::Duration::seconds(20);
    let ring = originated + chrono::Duration::seconds(2);
    let answered = originated + chrono::Duration::seconds(8);
    let mut record = json!({
        "call_id": call.call_id,
        "caller": call.caller,
        "callee": call.callee,
        "originate_time": china(originated),
        "voice_type": "voice",
        "toll_type": "UNKNOWN",
    });
    let (status, message, duration) = match call.outcome {
        CallOutcome::Answered => {
            record["ring_time"] = json!(china(ring));
            record["b_start_time"] = json!(china(answered));
            record["start_time"] = json!(china(answered));
            record["end_time"] = json!(china(ended));
            record["hangup_direction"] = json!("机器");
            ("200000", "用户听完语音", (ended - answered).num_seconds())
        }
        CallOutcome::Busy => ("200002", "用户占线", 0),
        CallOutcome::NoAnswer => {
            record["ring_time"] = json!(china(ring));
            ("200003", "用户收到呼叫但未接听", 0)
        }
    };
    record["status_code"] = json!(status);
    record["status_msg"] = json!(message);
    record["duration"] = json!(duration.to_string());
    if let Some(out_id) = &call.out_id {
        record["out_id"] = json!(out_id);
    }
    let headers = [("Content-Type", "application/json;charset=utf-8")];
    pusher.post(url, &headers, json!([record]).to_string()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The voice service's worked example ("HTTP协议及签名"), checked by this implementation.
    #[test]
    fn the_server_side_check_accepts_the_documented_example() {
        let fields: Vec<(String, String)> = [
            ("Signature", "aMfgrx8DLS7vLfpeR1c2rrKLr0Q="),
            ("AccessKeyId", "testId"),
            ("Action", "SingleCallByTts"),
            ("CalledNumber", "13000000000"),
            ("CalledShowNumber", "057112345678"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("RegionId", "cn-hangzhou"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "f7d2d4ef-6d5f-4da4-86ed-88e001a66abb"),
            ("SignatureVersion", "1.0"),
            ("Timestamp", "2017-09-28T14:31:56Z"),
            ("TtsCode", "TTS_0000000"),
            ("TtsParam", r#"{"code":"1234","product":"test"}"#),
            ("Version", "2017-05-25"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let to_sign = server_string_to_sign("GET", &fields);
        assert_eq!(
            expected_signature("testSecret", &to_sign),
            "aMfgrx8DLS7vLfpeR1c2rrKLr0Q="
        );
        assert_ne!(
            expected_signature("testSecret", &server_string_to_sign("POST", &fields)),
            "aMfgrx8DLS7vLfpeR1c2rrKLr0Q=",
            "the method is part of the signed text"
        );
    }

    /// The V3 document's example request (RunInstances, POST, empty body), whose signature the
    /// document shows and the official SDK (alibabacloud-tea-openapi's `get_authorization`)
    /// reproduces from these inputs.
    #[test]
    fn the_v3_check_reproduces_the_documents_signature() {
        let owned = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let query = owned(&[
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ]);
        let headers = owned(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-content-sha256", empty),
            ("x-acs-date", "2023-10-26T09:01:01Z"),
            ("x-acs-signature-nonce", "d410180a5abf7fe235dd9b74aca91fc0"),
            ("x-acs-version", "2014-05-26"),
        ]);
        let canonical = v3_canonical_request("POST", "/", &query, &headers, empty);
        assert!(
            canonical.starts_with("POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\nhost:"),
            "{canonical}"
        );
        let (string_to_sign, signature) = v3_signature("YourAccessKeySecret", &canonical);
        assert!(string_to_sign.starts_with("ACS3-HMAC-SHA256\n"));
        assert_eq!(
            signature,
            "e521358f7776c97df52e6b2891a8bc73026794a071b50c3323388c4e0df64804"
        );
        let (_, post) = v3_signature(
            "YourAccessKeySecret",
            &v3_canonical_request("GET", "/", &query, &headers, empty),
        );
        assert_ne!(post, signature, "the method is part of the signed text");
    }

    #[test]
    fn tts_params_are_checked_as_the_template_needs() {
        let code = |p: &str| check_tts_param(Some(p)).map_err(|(_, c, _)| c);
        assert_eq!(code(r#"{"code":"4821"}"#), Ok("4821".to_owned()));
        assert_eq!(code("nope").unwrap_err(), "isv.INVALID_PARAMETERS");
        assert_eq!(
            code(r#"{"code":4821}"#).unwrap_err(),
            "isv.INVALID_PARAMETERS"
        );
        assert_eq!(
            code(r#"{"AckNum":"1"}"#).unwrap_err(),
            "isv.TEMPLATE_MISSING_PARAMETERS"
        );
        assert_eq!(
            code(r#"{"code":"48 21"}"#).unwrap_err(),
            "isv.TEMPLATE_PARAMS_ILLEGAL"
        );
        let long = format!(r#"{{"code":"{}"}}"#, "1".repeat(239));
        assert_eq!(code(&long).unwrap_err(), "isv.PARAM_LENGTH_LIMIT");
        assert_eq!(
            check_tts_param(None).unwrap_err().1,
            "isv.TEMPLATE_MISSING_PARAMETERS"
        );
    }
}
