//! Tencent Cloud VMS, API 3.0 `SendCodeVoice` version `2020-09-02`
//! (<https://cloud.tencent.com/document/api/1128/51559>, error codes from 1128/51567 and the
//! official SDK's list for the action). [`check_request`] is API 3.0's part, which the SMS side
//! ([`sms`]) shares.
//!
//! The TC3-HMAC-SHA256 check here is a second implementation written from the signature v3
//! document, not a call into the client's signer: a mistake shared by both would otherwise go
//! unnoticed. It canonicalises the headers the request *names* in `SignedHeaders`, as Tencent
//! does, so a client signing other headers than voicecode's still verifies.
//!
//! Checks, in order, each answered with HTTP 200 and `Response.Error` as Tencent does:
//! `X-TC-Action` (`InvalidAction`), `X-TC-Version` (`NoSuchVersion`), `X-TC-Region`
//! (`MissingParameter`, `UnsupportedRegion`), `X-TC-Timestamp` within 5 minutes
//! (`AuthFailure.SignatureExpire`), the `Authorization` shape (`AuthFailure.InvalidAuthorization`),
//! the SecretId (`AuthFailure.SecretIdNotFound`), the credential scope and the signature
//! (`AuthFailure.SignatureFailure`); then the body: JSON (`FailedOperation.JsonParseFail`), no
//! unknown keys (`UnknownParameter`), required keys (`MissingParameter`), their types
//! (`InvalidParameter`), the app (`InvalidParameterValue.SdkAppidNotExist`), the number
//! (`InvalidParameterValue.CalledNumberVerifyFail`), the code, play count and session context
//! (`InvalidParameterValue`), and the voice package (`FailedOperation.InsufficientBalanceInVoicePackage`).
//! An accepted call gets its callback when the account has a callback URL.

pub(crate) mod sms;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, AtRoot, Endpoint, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{follow_up, CallOutcome, Pusher};
use crate::state::State as SimState;
use crate::wire::{is_digits, is_mobile, uuid_hex};
use demo::*;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// Tencent Cloud API SecretId.
    pub const TENCENT_SECRET_ID: &str = "AKIDSimTencent000000000000000000001";
    /// Tencent Cloud API SecretKey.
    pub const TENCENT_SECRET_KEY: &str = "SimTencentSecretKey0000000000001";
    /// `VoiceSdkAppid` of the demo VMS application.
    pub const TENCENT_VOICE_SDK_APPID: &str = "1400000001";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Tencent,
    product: Product::Voice,
    refusal: |_, _, code| reply(code, "Simulated error code."),
    routes: Router::new,
    // API 3.0 lives at the root of its host and names its action in the `X-TC-Action` header.
    root: Some(AtRoot {
        claims: Some(|req| req.header("x-tc-action").is_some()),
        endpoint: Endpoint(Operation::SendCode, Some("CalledNumber"), send_code),
    }),
    config: || {
        json!({
            "secret_id": TENCENT_SECRET_ID,
            "secret_key": TENCENT_SECRET_KEY,
            "voice_sdk_appid": TENCENT_VOICE_SDK_APPID,
        })
    },
    // Its voice package.
    balance: true,
    push_url: Some((
        "tencent_callback_url",
        "Where Tencent VMS callbacks are pushed after each accepted send.",
    )),
};

/// How far `X-TC-Timestamp` may be from the platform's clock (签名过期: five minutes).
const MAX_SKEW_SECONDS: i64 = 5 * 60;
const SESSION_CONTEXT_MAX: usize = 512;
const BODY_KEYS: [&str; 5] = [
    "CodeMessage",
    "CalledNumber",
    "VoiceSdkAppid",
    "PlayTimes",
    "SessionContext",
];

/// A refusal: `Response.Error.Code` and `Message`.
pub(crate) type Refusal = (&'static str, &'static str);

const SIGNATURE_FAILURE: Refusal = (
    "AuthFailure.SignatureFailure",
    "The provided credentials could not be validated. Please check your signature is correct.",
);
const INVALID_AUTHORIZATION: Refusal = (
    "AuthFailure.InvalidAuthorization",
    "Authorization in the request header is invalid.",
);
pub(crate) const INVALID_PARAMETER: Refusal = ("InvalidParameter", "参数错误(包括参数格式、类型等错误)。");
pub(crate) const INVALID_VALUE: Refusal = ("InvalidParameterValue", "参数取值错误。");

/// Every request whose `X-TC-Action` says it is for API 3.0.
fn send_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check(state, req) {
        Ok((body, call)) => Answer::new(json_response(&body), Verdict::Accepted)
            .with_follow_up(Some(follow_up(|pusher| callback(pusher, call)))),
        Err((code, message)) => Answer::new(reply(code, message), Verdict::refused(code, 200)),
    }
}

/// Tencent's error shape: HTTP 200, `Response.Error` and a `RequestId`.
pub(crate) fn reply(code: &str, message: &str) -> Response {
    let body = json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": uuid_hex(),
        }
    });
    json_response(&body)
}

/// HTTP 200 with `Content-Type: application/json` and no charset, as API 3.0 answers: the
/// official SDKs read `Response.Error` only under exactly that type (tencentcloud-sdk-python's
/// `_check_error`), so the usual `;charset=UTF-8` would make them take a refusal for a success.
pub(crate) fn json_response(body: &Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// One product's action: what `X-TC-Action` and `X-TC-Version` must say, and the service in
/// the credential scope.
pub(crate) struct Api {
    pub(crate) action: &'static str,
    pub(crate) version: &'static str,
    pub(crate) service: &'static str,
}

const VOICE: Api = Api {
    action: "SendCodeVoice",
    version: "2020-09-02",
    service: "vms",
};

/// API 3.0's checks of a request for `api`, up to its body read as a JSON object.
pub(crate) fn check_request(req: &VendorRequest, api: &Api) -> Result<Map<String, Value>, Refusal> {
    let action = req.header("x-tc-action").unwrap_or_default();
    if action != api.action {
        return Err(("InvalidAction", "接口不存在。"));
    }
    if req.header("x-tc-version") != Some(api.version) {
        return Err(("NoSuchVersion", "接口版本不存在。"));
    }
    let region = req
        .header("x-tc-region")
        .filter(|r| !r.is_empty())
        .ok_or(("MissingParameter", "缺少参数 X-TC-Region。"))?;
    let region_ok = region.starts_with("ap-")
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !region_ok {
        return Err(("UnsupportedRegion", "接口不支持所传地域。"));
    }
    verify_signature(req, api.service, Utc::now())?;
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(body)) => Ok(body),
        _ => Err(("FailedOperation.JsonParseFail", "解析请求包体时候失败。")),
    }
}

fn check(state: &mut SimState, req: &VendorRequest) -> Result<(Value, Call), Refusal> {
    let body = check_request(req, &VOICE)?;
    if body.keys().any(|k| !BODY_KEYS.contains(&k.as_str())) {
        return Err(("UnknownParameter", "未知参数错误。"));
    }
    let code = required_str(&body, "CodeMessage")?;
    let called = required_str(&body, "CalledNumber")?;
    let appid = required_str(&body, "VoiceSdkAppid")?;
    let play_times = match body.get("PlayTimes") {
        None => 2,
        Some(v) => v.as_u64().ok_or(INVALID_PARAMETER)?,
    };
    let session_context = match body.get("SessionContext") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(INVALID_PARAMETER),
    };
    if appid != TENCENT_VOICE_SDK_APPID {
        return Err((
            "InvalidParameterValue.SdkAppidNotExist",
            "SDK AppID 不存在。",
        ));
    }
    let mobile = called.strip_prefix("+86").filter(|m| is_mobile(m)).ok_or((
        "InvalidParameterValue.CalledNumberVerifyFail",
        "被叫手机号码格式校验失败。",
    ))?;
    if !is_digits(code, 1, 32) || !(1..=3).contains(&play_times) {
        return Err(INVALID_VALUE);
    }
    if session_context.is_some_and(|s| s.len() > SESSION_CONTEXT_MAX) {
        return Err(INVALID_VALUE);
    }
    if !state.charge(Vendor::Tencent) {
        return Err((
            "FailedOperation.InsufficientBalanceInVoicePackage",
            "套餐包余量不足。",
        ));
    }
    state.record_code(Vendor::Tencent, called, code);
    let call_id = uuid_hex();
    let mut send_status = json!({ "CallId": call_id });
    if let Some(context) = session_context {
        send_status["SessionContext"] = json!(context);
    }
    let answer = json!({
        "Response": { "SendStatus": send_status, "RequestId": uuid_hex() }
    });
    let call = Call {
        call_id,
        mobile: mobile.to_owned(),
        outcome: state.outcome,
    };
    Ok((answer, call))
}

pub(crate) fn required_str<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, Refusal> {
    match body.get(key) {
        None => Err(("MissingParameter", "缺少参数。")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(INVALID_PARAMETER),
    }
}

/// `TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request, SignedHeaders=<h;h>,
/// Signature=<hex>`, checked against the request as received.
fn verify_signature(
    req: &VendorRequest,
    expected_service: &str,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    let timestamp: i64 = req
        .header("x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .ok_or(("MissingParameter", "缺少参数 X-TC-Timestamp。"))?;
    if (now.timestamp() - timestamp).abs() > MAX_SKEW_SECONDS {
        return Err((
            "AuthFailure.SignatureExpire",
            "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
        ));
    }
    let authorization = req.header("authorization").ok_or(INVALID_AUTHORIZATION)?;
    let rest = authorization
        .strip_prefix("TC3-HMAC-SHA256 ")
        .ok_or(INVALID_AUTHORIZATION)?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(", ") {
        match part.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => return Err(INVALID_AUTHORIZATION),
        }
    }
    let (Some(credential), Some(signed_headers), Some(signature)) =
        (credential, signed_headers, signature)
    else {
        return Err(INVALID_AUTHORIZATION);
    };
    let mut scope = credential.splitn(4, '/');
    let (Some(secret_id), Some(date), Some(service), Some("tc3_request")) =
        (scope.next(), scope.next(), scope.next(), scope.next())
    else {
        return Err(INVALID_AUTHORIZATION);
    };
    let names: Vec<&str> = signed_headers.split(';').collect();
    if !names.contains(&"content-type") || !names.contains(&"host") {
        return Err(INVALID_AUTHORIZATION);
    }
    if secret_id != TENCENT_SECRET_ID {
        return Err((
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        ));
    }
    // The scope's date is the UTC date of X-TC-Timestamp; a local date fails.
    let utc_date = DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    if date != utc_date || service != expected_service {
        return Err(SIGNATURE_FAILURE);
    }
    let mut canonical_headers = String::new();
    for name in &names {
        // Names must be lowercase and sorted, as listed in SignedHeaders.
        let value = req.header(name).ok_or(SIGNATURE_FAILURE)?;
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim().to_lowercase()));
    }
    let mut sorted = names.clone();
    sorted.sort_unstable();
    if sorted != names
        || names
            .iter()
            .any(|n| n.bytes().any(|b| b.is_ascii_uppercase()))
    {
        return Err(SIGNATURE_FAILURE);
    }
    let query = req.query.as_deref().unwrap_or("");
    let canonical_request = format!(
        "{}\n{}\n{query}\n{canonical_headers}\n{signed_headers}\n{}",
        req.method,
        req.path,
        hex::encode(Sha256::digest(&req.body))
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{date}/{service}/tc3_request\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    );
    let mut key = hmac_sha256(format!("TC3{TENCENT_SECRET_KEY}").as_bytes(), date);
    key = hmac_sha256(&key, service);
    key = hmac_sha256(&key, "tc3_request");
    let expected = hex::encode(hmac_sha256(&key, &string_to_sign));
    if expected != signature {
        return Err(SIGNATURE_FAILURE);
    }
    Ok(())
}

fn hmac_sha256(key: &[u8], message: &str) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(message.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// An accepted call.
struct Call {
    call_id: String,
    /// The 11 digits, as the callbacks write `mobile` next to `nationcode`.
    mobile: String,
    outcome: CallOutcome,
}

/// The callback VMS posts to the account's callback URL once the call is over:
/// `voicecode_callback` for answered and unanswered calls (`result` 0 or 1),
/// `voice_failure_callback` with the failure code of 推送回执相关错误码 for a busy line (10,
/// 用户正忙). Times are Unix seconds as strings.
async fn callback(pusher: Pusher, call: Call) {
    let Some(url) = &pusher.account_url else {
        return;
    };
    let ended = Utc::now().timestamp();
    let body = match call.outcome {
        CallOutcome::Answered | CallOutcome::NoAnswer => {
            let answered = call.outcome == CallOutcome::Answered;
            json!({ "voicecode_callback": {
                "result": if answered { "0" } else { "1" },
                "accept_time": if answered { (ended - 8).to_string() } else { "0".to_owned() },
                "call_from": "",
                "callid": call.call_id,
                "end_calltime": ended.to_string(),
                "fee": if answered { "1" } else { "0" },
                "mobile": call.mobile,
                "nationcode": "86",
                "start_calltime": (ended - 20).to_string(),
            }})
        }
        CallOutcome::Busy => json!({ "voice_failure_callback": {
            "call_from": "",
            "callid": call.call_id,
            "failure_code": 10,
            "failure_reason": "用户正忙",
            "mobile": call.mobile,
            "nationcode": "86",
        }}),
    };
    let headers = [("Content-Type", "application/json")];
    pusher.post(url, &headers, body.to_string()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signature v3 document's worked example, run through this module's key chain: the
    /// simulator's check is held to the same published vector as the client's signer.
    #[test]
    fn the_key_chain_reproduces_the_documents_signature() {
        let string_to_sign = "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031";
        let mut key = hmac_sha256(b"TC3Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "2019-02-25");
        key = hmac_sha256(&key, "cvm");
        key = hmac_sha256(&key, "tc3_request");
        assert_eq!(
            hex::encode(hmac_sha256(&key, string_to_sign)),
            "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }
}
