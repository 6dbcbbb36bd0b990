//! Huawei Cloud VoiceCall: `callVerify` (`docs/protocols/huawei.md#endpoints-and-operations`,
//! result codes from 表6: `docs/protocols/huawei.md#result-codes`).
//!
//! Checks, in order: the `Authorization` header (400 `1023006`–`1023012`), the `X-AKSK` header
//! (400 `1023033`–`1023038`), the app key (403 `1010003`), `Created` within 5 minutes of now
//! (401 `1010013`), the digest (401 `1010010 Invalid digest.`), the nonce not seen before (401
//! `1010010`), then the body: a JSON object with the required fields (403 `1010002`), each of
//! its documented type and range (500 `1020001`), the registered caller ID (403 `1010023`).
//! An accepted call with `statusUrl`/`feeUrl` gets its pushes, signed as the platform signs
//! them (`docs/protocols/huawei.md#pushes`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, Endpoint, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{follow_up, CallOutcome, Pusher};
use crate::state::State as SimState;
use crate::wire::{is_digits, json_response, random_hex};
use demo::*;

pub(crate) mod sms;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// Huawei APP_Key.
    pub const HUAWEI_APP_KEY: &str = "SimHuaweiAppKey000000000001";
    /// Huawei APP_Secret.
    pub const HUAWEI_APP_SECRET: &str = "SimHuaweiAppSecret0000000001";
    /// The caller ID registered for the Huawei app (`displayNbr`).
    pub const HUAWEI_DISPLAY_NUMBER: &str = "+8675528001288";
    /// An approved tone file name (`preTone`); the simulator accepts any `.wav` name.
    pub const HUAWEI_PRE_TONE: &str = "welcome.wav";
    /// The SMS application's Application Key (an application of its own, apart from voice).
    pub const HUAWEI_SMS_APP_KEY: &str = "SimHuaweiSmsAppKey00000001";
    /// The SMS application's Application Secret.
    pub const HUAWEI_SMS_APP_SECRET: &str = "SimHuaweiSmsAppSecret000001";
    /// The SMS application's channel number (通道号, `from`).
    pub const HUAWEI_SMS_SENDER: &str = "csms12345678";
    /// The approved verification-code template (`templateId`), whose one variable is the code.
    pub const HUAWEI_SMS_TEMPLATE_ID: &str = "8ff55eac1d0b478ab3c06c3c6a492300";
    /// The approved signature the template is bound to (`signature`, optional with it).
    pub const HUAWEI_SMS_SIGNATURE: &str = "华为云短信测试";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Huawei,
    product: Product::Voice,
    refusal: |_, _, code| refusal(code).0,
    routes,
    root: None,
    config: || {
        json!({
            "app_key": HUAWEI_APP_KEY,
            "app_secret": HUAWEI_APP_SECRET,
            "display_number": HUAWEI_DISPLAY_NUMBER,
            "pre_tone": HUAWEI_PRE_TONE,
        })
    },
    // Billed afterwards: no balance.
    balance: false,
    // The pushes go where each request says (`statusUrl`, `feeUrl`).
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    let send_code = SIDE.serve(Endpoint(Operation::SendCode, Some("calleeNbr"), send_code));
    Router::new().route("/rest/httpsessions/callVerify/v1.0", post(send_code))
}

/// How far `Created` may be from the platform's clock.
const MAX_SKEW_SECONDS: i64 = 5 * 60;
/// Nonces are remembered a little longer than a `Created` stays acceptable, which is all a
/// replay check needs.
const NONCE_MEMORY_SECONDS: i64 = 2 * MAX_SKEW_SECONDS;
/// What `idlePort` reports when `returnIdlePort` is `"true"`.
const IDLE_PORTS: u32 = 99;

/// 表6, the platform's result codes as it answers them: HTTP status, `resultcode`, `resultdesc`
/// (`docs/protocols/huawei.md#result-codes`). The checks name their refusal by code, which
/// takes the first row holding it (`1010010` is "Invalid digest." under 401 before platform
/// flow control under 403); an injected code takes its row's status the same way.
#[rustfmt::skip]
const RESULTS: &[(u16, &str, &str)] = &[
    (400, "1023006", "Authorization not contained in the HTTP header."),
    (400, "1023007", "realm not contained in Authorization."),
    (400, "1023008", "profile not contained in Authorization."),
    (400, "1023009", "The value of realm in Authorization must be SDP."),
    (400, "1023010", "The value of profile in Authorization must be UsernameToken."),
    (400, "1023011", "The value of type in Authorization must be app_key."),
    (400, "1023012", "type not contained in Authorization."),
    (400, "1023033", "HTTP header not found X-AKSK field."),
    (400, "1023034", "UserName not contained in X-AKSK."),
    (400, "1023035", "Nonce not contained in X-AKSK."),
    (400, "1023036", "Created not contained in X-AKSK."),
    (400, "1023037", "PasswordDigest not contained in X-AKSK."),
    (400, "1023038", "UsernameToken not contained in X-AKSK."),
    (401, "1010010", "Invalid digest."),
    (401, "1010013", "Time out limit."),
    (403, "1010002", "Invalid request."),
    (403, "1010003", "Invalid app_key."),
    (403, "1010006", "Invalid Rest API."),
    (403, "1010008", "The app_key is suspended."),
    (403, "1010009", "No more APIs can be invoked."),
    (403, "1010010", "Flow control. Please retry in a minute."),
    (403, "1010011", "No access to the commercial address."),
    (403, "1010021", "Application unavailable."),
    (403, "1010023", "Invalid display number."),
    (403, "1010024", "Invalid caller number."),
    (403, "1010040", "The app_key may not invoke the API."),
    (403, "1012001", "The number resource is not applied."),
    (403, "1012006", "The service number is not applied."),
    (403, "1012012", "Recording is not enabled."),
    (403, "1013001", "Calls exceed the SP limit."),
    (403, "1013002", "Calls exceed the APP limit."),
    (403, "1013003", "Calls exceed the display number limit."),
    (403, "1013004", "The callee is in the blacklist."),
    (403, "1013010", "The caller is in the blacklist."),
    (403, "1013011", "The callee is not on the whitelist."),
    (403, "1013100", "Unknown error."),
    (403, "1013101", "Abnormal call restricted."),
    (403, "1013111", "International call-in forbidden."),
    (403, "1013112", "International call-out forbidden."),
    (403, "1013113", "Abnormal call duration."),
    (403, "1013115", "Abnormal completion rate."),
    (403, "1013116", "Caller call frequency exceeded."),
    (403, "1013117", "Callee call frequency exceeded."),
    (403, "1013118", "Service number call frequency exceeded."),
    (403, "1013119", "The service number is suspended."),
    (403, "1013120", "The IP address is null."),
    (403, "1013121", "Calls are not allowed in quiet hours."),
    (403, "1013122", "The sub enterprise is suspended."),
    (403, "1020165", "Voice call ports exceeded. Please retry in a minute."),
    (403, "1020166", "The client IP is not in the whitelist."),
    (403, "1020168", "The login IP is blacklisted."),
    (403, "1020171", "The login IP is in a restricted area."),
    (403, "1020176", "Too many authentication failures. The IP is blocked for 30 minutes."),
    (500, "1010001", "Internal system error."),
    (500, "1020001", "Parameter error."),
    (500, "1020002", "Internal error."),
    (500, "1020150", "The app_key is invalid."),
    (500, "1020151", "The bindNum is invalid."),
    (500, "1020154", "Insufficient voice ports. Please retry in a minute."),
    (500, "1023001", "Internal error."),
    (500, "1023002", "Response timeout."),
];

/// A refusal: the `resultcode` of a row of [`RESULTS`].
type Refusal = &'static str;

const INVALID_DIGEST: Refusal = "1010010";
const TIME_OUT_LIMIT: Refusal = "1010013";
const INVALID_REQUEST: Refusal = "1010002";
const PARAMETER_ERROR: Refusal = "1020001";

/// What the platform remembers between requests: the nonces it has seen, and when.
/// `arrivals` holds the same nonces in arrival order, so that forgetting the expired ones costs
/// only what expired (a sweep of the whole map on every request made a long benchmark run
/// measure the simulator).
#[derive(Default)]
struct Memory {
    nonces: HashMap<String, DateTime<Utc>>,
    arrivals: VecDeque<(DateTime<Utc>, String)>,
}

/// Records `nonce`; `false` if it was already used.
fn first_use(memory: &mut Memory, nonce: &str, now: DateTime<Utc>) -> bool {
    while let Some((seen, _)) = memory.arrivals.front() {
        if (now - *seen).num_seconds() <= NONCE_MEMORY_SECONDS {
            break;
        }
        // A nonce enters both only when it is new, so the two hold the same nonces.
        let (_, expired) = memory.arrivals.pop_front().expect("a front entry");
        memory.nonces.remove(&expired);
    }
    if memory.nonces.contains_key(nonce) {
        return false;
    }
    memory.nonces.insert(nonce.to_owned(), now);
    memory.arrivals.push_back((now, nonce.to_owned()));
    true
}

fn send_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check(state, req) {
        Ok((body, call)) => Answer::accepted(&body)
            .with_follow_up(call.map(|call| follow_up(|pusher| push_call(pusher, call)))),
        Err(code) => refusal(code).into(),
    }
}

/// The answer with `code` and the HTTP status and description of its row in [`RESULTS`];
/// `"403:1010010"` picks the row by status too (an injected code may name any row, or a code
/// the table lacks, which comes with HTTP 500).
fn refusal(code: &str) -> (Response, Verdict) {
    let (status, code) = match code.split_once(':') {
        Some((status, code)) => (status.parse().ok(), code),
        None => (None, code),
    };
    let row = RESULTS
        .iter()
        .find(|(s, c, _)| *c == code && status.is_none_or(|status| status == *s));
    let (status, desc) = match row {
        Some((s, _, desc)) => (*s, *desc),
        None => (status.unwrap_or(500), "Simulated result code."),
    };
    let body = json!({ "resultcode": code, "resultdesc": desc });
    let response = json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    );
    (response, Verdict::refused(code, status))
}

fn check(state: &mut SimState, req: &VendorRequest) -> Result<(Value, Option<Call>), Refusal> {
    let now = Utc::now();
    let nonce = check_x_aksk(req, now)?;
    if !first_use(state.memory(), &nonce, now) {
        return Err(INVALID_DIGEST);
    }
    let body = req.json_object().ok_or(INVALID_REQUEST)?;
    let display = required_str(&body, "displayNbr")?;
    let callee = required_str(&body, "calleeNbr")?;
    let language = body
        .get("languageType")
        .filter(|v| !v.is_null())
        .ok_or(INVALID_REQUEST)?;
    let pre_tone = required_str(&body, "preTone")?;
    let code = required_str(&body, "verifyCode")?;

    if !is_e164(display) || !is_e164(callee) {
        return Err(PARAMETER_ERROR);
    }
    // An integer, and 2 (Chinese) is the only documented value; "2" as a string is refused.
    if language.as_u64() != Some(2) {
        return Err(PARAMETER_ERROR);
    }
    if !is_tone(pre_tone) || !is_digits(code, 2, 8) {
        return Err(PARAMETER_ERROR);
    }
    if let Some(tone) = optional_str(&body, "posTone")? {
        if !is_tone(tone) {
            return Err(PARAMETER_ERROR);
        }
    }
    let times = match body.get("times").filter(|v| !v.is_null()) {
        None => 3,
        Some(v) => v.as_u64().filter(|t| *t <= 9).ok_or(PARAMETER_ERROR)?,
    };
    let status_url = optional_str(&body, "statusUrl")?
        .map(decode_url)
        .transpose()?;
    let fee_url = optional_str(&body, "feeUrl")?.map(decode_url).transpose()?;
    let idle_port = match optional_str(&body, "returnIdlePort")? {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(PARAMETER_ERROR),
    };
    let user_data = optional_str(&body, "userData")?;
    if let Some(data) = user_data {
        // 1–256 characters, no braces, no Chinese (which must be Base64-encoded first).
        let ok = (1..=256).contains(&data.len())
            && data.bytes().all(|b| b.is_ascii() && b != b'{' && b != b'}');
        if !ok {
            return Err(PARAMETER_ERROR);
        }
    }
    if display != HUAWEI_DISPLAY_NUMBER {
        return Err("1010023");
    }

    state.record_code(Vendor::Huawei, callee, code);
    let session_id = format!(
        "1201_{}_4294967295_{}@callenabler.voicecode-sim.local",
        state.next_id(),
        now.format("%Y%m%d%H%M%S")
    );
    let mut answer = json!({ "resultcode": "0", "resultdesc": "Success", "sessionId": session_id });
    if idle_port {
        answer["idlePort"] = json!(IDLE_PORTS);
    }
    let call = (status_url.is_some() || fee_url.is_some()).then(|| Call {
        session_id,
        caller: display.to_owned(),
        called: callee.to_owned(),
        user_data: user_data.map(str::to_owned),
        play_times: times,
        status_url,
        fee_url,
        outcome: state.outcome,
    });
    Ok((answer, call))
}

/// The codes a Huawei platform answers for each part of its two UsernameToken headers: VoiceCall
/// (`Authorization: AKSK …`, `X-AKSK`) and the SMS platform (`Authorization: WSSE …`, `X-WSSE`)
/// check them alike, each with its own codes.
pub(crate) struct TokenCodes {
    /// `AKSK` or `WSSE`, and the token header's name.
    pub(crate) scheme: &'static str,
    pub(crate) token_header: &'static str,
    pub(crate) no_authorization: &'static str,
    pub(crate) not_the_scheme: &'static str,
    pub(crate) no_realm: &'static str,
    pub(crate) no_profile: &'static str,
    pub(crate) no_type: &'static str,
    pub(crate) bad_realm: &'static str,
    pub(crate) bad_profile: &'static str,
    pub(crate) bad_type: &'static str,
    pub(crate) no_token: &'static str,
    pub(crate) not_a_username_token: &'static str,
    pub(crate) no_username: &'static str,
    pub(crate) no_nonce: &'static str,
    pub(crate) no_created: &'static str,
    pub(crate) no_digest: &'static str,
}

/// The UsernameToken's fields, once both headers are well formed.
pub(crate) struct Token<'a> {
    pub(crate) username: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) created: &'a str,
    pub(crate) digest: &'a str,
}

/// `Authorization: <scheme> realm="SDP",profile="UsernameToken",type="Appkey"` and the token
/// header `UsernameToken Username=…,PasswordDigest=…,Nonce=…,Created=…`, attribute by
/// attribute.
pub(crate) fn read_token<'a>(
    req: &'a VendorRequest,
    codes: &TokenCodes,
) -> Result<Token<'a>, &'static str> {
    let header = req.header("authorization").ok_or(codes.no_authorization)?;
    let auth = header
        .strip_prefix(codes.scheme)
        .map(attributes)
        .ok_or(codes.not_the_scheme)?;
    let realm = auth.get("realm").ok_or(codes.no_realm)?;
    let profile = auth.get("profile").ok_or(codes.no_profile)?;
    let kind = auth.get("type").ok_or(codes.no_type)?;
    if *realm != "SDP" {
        return Err(codes.bad_realm);
    }
    if *profile != "UsernameToken" {
        return Err(codes.bad_profile);
    }
    if *kind != "Appkey" {
        return Err(codes.bad_type);
    }
    let token = req
        .header(codes.token_header)
        .ok_or(codes.no_token)?
        .strip_prefix("UsernameToken")
        .map(attributes)
        .ok_or(codes.not_a_username_token)?;
    let field = |name, code| token.get(name).copied().ok_or(code);
    Ok(Token {
        username: field("Username", codes.no_username)?,
        nonce: field("Nonce", codes.no_nonce)?,
        created: field("Created", codes.no_created)?,
        digest: field("PasswordDigest", codes.no_digest)?,
    })
}

/// 表6's codes for VoiceCall's `Authorization: AKSK …` and `X-AKSK`.
const VOICE_TOKEN: TokenCodes = TokenCodes {
    scheme: "AKSK",
    token_header: "x-aksk",
    no_authorization: "1023006",
    not_the_scheme: "1023006",
    no_realm: "1023007",
    no_profile: "1023008",
    no_type: "1023012",
    bad_realm: "1023009",
    bad_profile: "1023010",
    bad_type: "1023011",
    no_token: "1023033",
    not_a_username_token: "1023038",
    no_username: "1023034",
    no_nonce: "1023035",
    no_created: "1023036",
    no_digest: "1023037",
};

/// The request's UsernameToken, checked for the demo app; returns the nonce.
fn check_x_aksk(req: &VendorRequest, now: DateTime<Utc>) -> Result<String, Refusal> {
    let Token {
        username,
        nonce,
        created,
        digest,
    } = read_token(req, &VOICE_TOKEN)?;
    if username != HUAWEI_APP_KEY {
        return Err("1010003");
    }
    // UTC with a literal Z; local time written with a Z (as the public demos do) lands here.
    let sent = NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| TIME_OUT_LIMIT)?
        .and_utc();
    if (now - sent).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(TIME_OUT_LIMIT);
    }
    let nonce_ok =
        (1..=128).contains(&nonce.len()) && nonce.bytes().all(|b| b.is_ascii_alphanumeric());
    if !nonce_ok || password_digest(&[nonce, created]) != digest {
        return Err(INVALID_DIGEST);
    }
    Ok(nonce.to_owned())
}

/// `PasswordDigest` = Base64(HMAC-SHA256(APP_Secret, the parts joined)): `Nonce + Created` for
/// a request, the receiver's URL before them for a push (`docs/protocols/huawei.md#signing`).
fn password_digest(parts: &[&str]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(HUAWEI_APP_SECRET.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(parts.concat().as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// `key="value"` pairs separated by commas (values never contain commas: Base64 digests,
/// nonces, times and names).
fn attributes(text: &str) -> HashMap<&str, &str> {
    text.split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            Some((key.trim(), value.trim().trim_matches('"')))
        })
        .collect()
}

/// A required string: absent is an invalid request, another type a parameter error.
fn required_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Err(INVALID_REQUEST),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(PARAMETER_ERROR),
    }
}

fn optional_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Refusal> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(PARAMETER_ERROR),
    }
}

/// `+`, then 3 to 30 digits (String(4-31) in the document).
fn is_e164(number: &str) -> bool {
    number
        .strip_prefix('+')
        .is_some_and(|digits| is_digits(digits, 3, 30))
}

/// An approved tone: the simulator approves every `.wav` name of 1–128 characters.
fn is_tone(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name.to_ascii_lowercase().ends_with(".wav")
        && name.bytes().all(|b| b.is_ascii_graphic())
}

/// `statusUrl`/`feeUrl`: Base64 (at most 128 characters) of an http(s) URL made of
/// `[A-Za-z0-9-:./]` only.
fn decode_url(encoded: &str) -> Result<String, Refusal> {
    if !(1..=128).contains(&encoded.len()) {
        return Err(PARAMETER_ERROR);
    }
    let url = BASE64
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(PARAMETER_ERROR)?;
    let charset = url
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'/'));
    if !charset || !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(PARAMETER_ERROR);
    }
    Ok(url)
}

/// An accepted call and where its events go.
struct Call {
    session_id: String,
    caller: String,
    called: String,
    user_data: Option<String>,
    play_times: u64,
    /// Decoded from `statusUrl`.
    status_url: Option<String>,
    /// Decoded from `feeUrl`.
    fee_url: Option<String>,
    outcome: CallOutcome,
}

/// The status events of a call that ends this way, in order, and the `stateDesc` of its
/// disconnect.
fn events(outcome: CallOutcome) -> (&'static [&'static str], &'static str) {
    match outcome {
        CallOutcome::Answered => (
            &["callout", "alerting", "answer", "disconnect"],
            "Normal call clearing.",
        ),
        CallOutcome::Busy => (&["callout", "disconnect"], "User busy."),
        CallOutcome::NoAnswer => (
            &["callout", "alerting", "disconnect"],
            "No answer from user (user alerted).",
        ),
    }
}

/// Huawei's event time: UTC `yyyy-MM-dd HH:mm:ss`.
fn event_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The status events to `statusUrl`, then the fee record to `feeUrl`.
async fn push_call(pusher: Pusher, call: Call) {
    let started = Utc::now();
    let mut answered_at = None;
    let (events, state_desc) = events(call.outcome);
    if let Some(url) = &call.status_url {
        for event in events {
            let now = Utc::now();
            if *event == "answer" {
                answered_at = Some(now);
            }
            let mut info = json!({
                "sessionId": call.session_id,
                "timestamp": event_time(now),
                "caller": call.caller,
                "called": call.called,
            });
            if let Some(data) = &call.user_data {
                info["userData"] = json!(data);
            }
            if *event == "disconnect" {
                info["stateCode"] = json!(call.outcome.state_code());
                info["stateDesc"] = json!(state_desc);
            }
            let body = json!({ "eventType": event, "statusInfo": info });
            push(&pusher, url, &body).await;
        }
    }
    if let Some(url) = &call.fee_url {
        let body =
            json!({ "eventType": "fee", "feeLst": [fee_record(&call, started, answered_at)] });
        push(&pusher, url, &body).await;
    }
}

/// A call detail record with the fields Huawei documents.
fn fee_record(call: &Call, started: DateTime<Utc>, answered_at: Option<DateTime<Utc>>) -> Value {
    let ended = Utc::now();
    let unanswered_reason = if answered_at.is_some() {
        0
    } else {
        call.outcome.state_code()
    };
    let duration = answered_at.map_or(0, |at| (ended - at).num_seconds());
    let mut record = json!({
        "direction": 0,
        "spId": "voicecode-sim",
        "appKey": HUAWEI_APP_KEY,
        "icid": format!("sim.{}", call.session_id),
        "bindNum": call.caller,
        "sessionId": call.session_id,
        "callerNum": call.caller,
        "calleeNum": call.called,
        "fwdDisplayNum": call.caller,
        "fwdDstNum": call.called,
        "callInTime": event_time(started),
        "fwdStartTime": event_time(started),
        "fwdAlertingTime": event_time(started),
        "fwdAnswerTime": answered_at.map(event_time).unwrap_or_default(),
        "callEndTime": event_time(ended),
        "fwdUnaswRsn": unanswered_reason,
        "ulFailReason": 0,
        "sipStatusCode": 0,
        "ttsPlayTimes": call.play_times,
        "ttsTransDuration": duration,
        "serviceType": "003003",
        "hostName": "callenabler.voicecode-sim.local",
    });
    if let Some(data) = &call.user_data {
        record["userData"] = json!(data);
    }
    record
}

/// One push with the platform's `Authorization` and `X-AKSK` headers; the digest covers the
/// receiver's URL as configured (decoded), then the nonce and the time.
async fn push(pusher: &Pusher, url: &str, body: &Value) {
    let nonce = random_hex(16);
    let created = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let digest = password_digest(&[url, &nonce, &created]);
    let x_aksk = format!(
        r#"UsernameToken Username="{HUAWEI_APP_KEY}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}""#
    );
    let headers = [
        ("Content-Type", "application/json;charset=UTF-8"),
        ("Authorization", r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#),
        ("X-AKSK", &x_aksk),
    ];
    pusher.post(url, &headers, body.to_string()).await;
}
