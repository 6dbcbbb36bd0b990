//! Huawei Cloud VoiceCall: `callVerify` (`docs/protocols/huawei.md#endpoints-and-operations`,
//! result codes from 表6: `docs/protocols/huawei.md#result-codes`).
//!
//! Checks, in order: the `Authorization` header (400 `1023006`–`1023012`), the `X-AKSK` header
//! (400 `1023033`–`1023038`), the app key (403 `1010003`), `Created` within 5 minutes of now
//! (401 `1010013`), the digest (401 `1010010 Invalid digest.`), the nonce not seen before (401
//! `1010010`), then the body: a JSON object with the required fields (403 `1010002`), each of
//! its documented type and range (500 `1020001`), the registered caller ID (403 `1010023`).
//! An accepted call with `statusUrl`/`feeUrl` gets its pushes (see `crate::push`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{json, Map, Value};
use voicecode::protocol::codes::HUAWEI;
use voicecode::protocol::signing::password_digest;
use voicecode::Vendor;

use crate::demo::{HUAWEI_APP_KEY, HUAWEI_APP_SECRET, HUAWEI_DISPLAY_NUMBER};
use crate::exchange::{Answer, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{FollowUp, HuaweiCall};
use crate::state::{HuaweiMemory, State as SimState};
use crate::wire::{is_digits, json_response};

/// How far `Created` may be from the platform's clock.
const MAX_SKEW_SECONDS: i64 = 5 * 60;
/// Nonces are remembered a little longer than a `Created` stays acceptable, which is all a
/// replay check needs.
const NONCE_MEMORY_SECONDS: i64 = 2 * MAX_SKEW_SECONDS;
/// What `idlePort` reports when `returnIdlePort` is `"true"`.
const IDLE_PORTS: u32 = 99;

/// A refusal: HTTP status, result code, result description.
type Refusal = (u16, &'static str, &'static str);

const INVALID_DIGEST: Refusal = (401, "1010010", "Invalid digest.");
const TIME_OUT_LIMIT: Refusal = (401, "1010013", "Time out limit.");
const INVALID_REQUEST: Refusal = (403, "1010002", "Invalid request.");
const INVALID_APP_KEY: Refusal = (403, "1010003", "Invalid app_key.");
const INVALID_DISPLAY_NUMBER: Refusal = (403, "1010023", "Invalid display number.");
const PARAMETER_ERROR: Refusal = (500, "1020001", "Parameter error.");

const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Huawei,
    refusal: |_, _, code| injected_refusal(code),
};

/// Records `nonce`; `false` if it was already used.
fn first_use(memory: &mut HuaweiMemory, nonce: &str, now: DateTime<Utc>) -> bool {
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

pub(crate) async fn send_code(State(shared): State<Arc<Shared>>, req: VendorRequest) -> Response {
    let phone = req
        .json_object()
        .and_then(|body| body.get("calleeNbr")?.as_str().map(str::to_owned));
    SIDE.handle(
        shared,
        Operation::SendCode,
        phone,
        req,
        |state, req| match check(state, req) {
            Ok((body, call)) => Answer {
                response: json_response(StatusCode::OK, &body),
                verdict: Verdict::Accepted,
                follow_up: call.map(FollowUp::Huawei),
            },
            Err((status, code, desc)) => {
                Answer::new(reply(status, code, desc), Verdict::refused(code, status))
            }
        },
    )
    .await
}

/// An injected code, with the HTTP status of its row in the vendor's table. `"403:1010010"`
/// picks the row explicitly (`1010010` is both "Invalid digest." under 401 and platform flow
/// control under 403).
pub(crate) fn injected_refusal(code: &str) -> Response {
    let (status, code) = match code.split_once(':') {
        Some((status, code)) => (status.parse().unwrap_or(500), code),
        None => {
            let status = HUAWEI
                .iter()
                .find(|(_, c, ..)| *c == code)
                .map_or(500, |(s, ..)| *s);
            (status, code)
        }
    };
    reply(status, code, "Simulated result code.")
}

fn reply(status: u16, code: &str, desc: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(status, &json!({ "resultcode": code, "resultdesc": desc }))
}

fn check(
    state: &mut SimState,
    req: &VendorRequest,
) -> Result<(Value, Option<HuaweiCall>), Refusal> {
    let now = Utc::now();
    check_authorization(req)?;
    let nonce = check_x_aksk(req, now)?;
    if !first_use(&mut state.huawei, &nonce, now) {
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
        return Err(INVALID_DISPLAY_NUMBER);
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
    let call = (status_url.is_some() || fee_url.is_some()).then(|| HuaweiCall {
        app_key: HUAWEI_APP_KEY,
        app_secret: HUAWEI_APP_SECRET,
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

/// `AKSK realm="SDP",profile="UsernameToken",type="Appkey"`, attribute by attribute.
fn check_authorization(req: &VendorRequest) -> Result<(), Refusal> {
    const MISSING: Refusal = (
        400,
        "1023006",
        "Authorization not contained in the HTTP header.",
    );
    let header = req.header("authorization").ok_or(MISSING)?;
    let attributes = header.strip_prefix("AKSK").map(attributes).ok_or(MISSING)?;
    let realm =
        attributes
            .get("realm")
            .ok_or((400, "1023007", "realm not contained in Authorization."))?;
    let profile = attributes.get("profile").ok_or((
        400,
        "1023008",
        "profile not contained in Authorization.",
    ))?;
    let kind =
        attributes
            .get("type")
            .ok_or((400, "1023012", "type not contained in Authorization."))?;
    if *realm != "SDP" {
        return Err((
            400,
            "1023009",
            "The value of realm in Authorization must be SDP.",
        ));
    }
    if *profile != "UsernameToken" {
        return Err((
            400,
            "1023010",
            "The value of profile in Authorization must be UsernameToken.",
        ));
    }
    if *kind != "Appkey" {
        return Err((
            400,
            "1023011",
            "The value of type in Authorization must be app_key.",
        ));
    }
    Ok(())
}

/// `UsernameToken Username=…,PasswordDigest=…,Nonce=…,Created=…`; returns the nonce.
fn check_x_aksk(req: &VendorRequest, now: DateTime<Utc>) -> Result<String, Refusal> {
    let header =
        req.header("x-aksk")
            .ok_or((400, "1023033", "HTTP header not found X-AKSK field."))?;
    let attributes = header
        .strip_prefix("UsernameToken")
        .map(attributes)
        .ok_or((400, "1023038", "UsernameToken not contained in X-AKSK."))?;
    let username =
        attributes
            .get("Username")
            .ok_or((400, "1023034", "UserName not contained in X-AKSK."))?;
    let nonce =
        attributes
            .get("Nonce")
            .ok_or((400, "1023035", "Nonce not contained in X-AKSK."))?;
    let created =
        attributes
            .get("Created")
            .ok_or((400, "1023036", "Created not contained in X-AKSK."))?;
    let digest = attributes.get("PasswordDigest").ok_or((
        400,
        "1023037",
        "PasswordDigest not contained in X-AKSK.",
    ))?;
    if *username != HUAWEI_APP_KEY {
        return Err(INVALID_APP_KEY);
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
    if !nonce_ok || password_digest(HUAWEI_APP_SECRET, nonce, created) != *digest {
        return Err(INVALID_DIGEST);
    }
    Ok((*nonce).to_owned())
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
