//! Huawei OneAccess user SDK API: slider captcha, its verification, SMS code
//! (`docs/protocols/oneaccess.md#endpoints-and-operations`).
//!
//! Every call must carry the device headers (`X-operating-sys-version`, `X-device-fingerprint`,
//! `X-agent`, `X-client-id`) and the demo client id, else HTTP 400 `IDAAS.SDK.PARAM.0001`.
//! A captcha is good for one verification within [`CAPTCHA_LIFETIME`]; the piece fits at
//! [`CAPTCHA_ANSWER`]. A verified `captcha_token` is good for one
//! SMS to the number it was verified for. Unknown or used tokens and misplaced pieces are
//! HTTP 400 `IDAAS.SDK.CAPTCHA.0002`. A sent SMS is HTTP 200 with an empty body.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, Endpoint, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;
use crate::wire::{is_mobile, json_response, random_hex};
use demo::*;

/// The demo application and its device (in [`crate::demo`]).
pub mod demo {
    /// OneAccess ClientId of the demo application.
    pub const ONEACCESS_CLIENT_ID: &str = "SimOneAccessClient0000000000001";
    /// OneAccess device headers of the demo config.
    pub const ONEACCESS_OS_VERSION: &str = "Android 14";
    /// `X-device-fingerprint` of the demo config.
    pub const ONEACCESS_FINGERPRINT: &str = "voicecode-sim-device";
    /// `X-agent` of the demo config.
    pub const ONEACCESS_AGENT: &str = "voicecode-sim";
    /// Where the slider piece of every simulated captcha fits: verify with this point (within
    /// [`CAPTCHA_TOLERANCE`] on each axis) to pass, with any other point to fail.
    pub const CAPTCHA_ANSWER: (f64, f64) = (237.0, 5.0);
    /// How far from [`CAPTCHA_ANSWER`] a dropped piece may land and still pass.
    pub const CAPTCHA_TOLERANCE: f64 = 5.0;
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Oneaccess,
    product: Product::Voice,
    refusal: |_, _, code| refusal(code, "injected by voicecode-sim").0,
    routes,
    root: None,
    config: || {
        json!({
            "client_id": ONEACCESS_CLIENT_ID,
            "device": {
                "os_version": ONEACCESS_OS_VERSION,
                "fingerprint": ONEACCESS_FINGERPRINT,
                "agent": ONEACCESS_AGENT,
            },
        })
    },
    // Billed per tenant: no balance.
    balance: false,
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    let captcha = SIDE.serve(Endpoint(Operation::Captcha, None, captcha));
    let verify = SIDE.serve(Endpoint(Operation::VerifyCaptcha, Some("sender"), verify_captcha));
    let send_sms = SIDE.serve(Endpoint(Operation::SendSmsCode, Some("mobile"), send_sms_code));
    Router::new()
        .route("/api/v2/sdk/captcha", get(captcha))
        .route("/api/v2/sdk/captcha/verify", post(verify))
        .route("/api/v2/sdk/sms/send", post(send_sms))
}

/// What the tenant remembers: captchas waiting for verification, verified tokens waiting for
/// their SMS.
#[derive(Default)]
struct Memory {
    captchas: HashMap<String, Instant>,
    /// `captcha_token` → the mobile it was verified for.
    verified: HashMap<String, String>,
}

/// How long a captcha waits for its verification.
const CAPTCHA_LIFETIME: Duration = Duration::from_secs(5 * 60);

const PARAM_ERROR: &str = "IDAAS.SDK.PARAM.0001";
const CAPTCHA_ERROR: &str = "IDAAS.SDK.CAPTCHA.0002";

/// The `type` values of an SMS code.
const SMS_TYPES: [&str; 6] = [
    "REGISTER_SMS",
    "LOGIN_SMS",
    "FORGET_PWD_SMS",
    "BIND_MOBILE_SMS",
    "UPDATE_MOBILE_SMS",
    "OTP_REST_SMS",
];

/// A 1×1 PNG: the images are opaque to every client, only their presence matters.
const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/// A refusal: error code and message.
type Refusal = (&'static str, &'static str);

fn captcha(state: &mut SimState, req: &VendorRequest) -> Answer {
    conclude(check_device(req).map(|()| new_captcha(state)))
}

fn verify_captcha(state: &mut SimState, req: &VendorRequest) -> Answer {
    conclude(check_device(req).and_then(|()| verify(state, req)))
}

fn send_sms_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check_device(req).and_then(|()| send_sms(state, req)) {
        Ok(()) => Answer::new(StatusCode::OK.into_response(), Verdict::Accepted),
        Err((code, message)) => refusal(code, message).into(),
    }
}

/// HTTP 400 `{"error_code","error_msg"}`.
fn refusal(code: &str, message: &str) -> (Response, Verdict) {
    let body = json!({ "error_code": code, "error_msg": message });
    (
        json_response(StatusCode::BAD_REQUEST, &body),
        Verdict::refused(code, 400),
    )
}

fn conclude(result: Result<Value, Refusal>) -> Answer {
    match result {
        Ok(body) => Answer::accepted(&body),
        Err((code, message)) => refusal(code, message).into(),
    }
}

fn check_device(req: &VendorRequest) -> Result<(), Refusal> {
    let required = [
        (
            "x-operating-sys-version",
            "缺少请求头 X-operating-sys-version",
        ),
        ("x-device-fingerprint", "缺少请求头 X-device-fingerprint"),
        ("x-agent", "缺少请求头 X-agent"),
        ("x-client-id", "缺少请求头 X-client-id"),
    ];
    for (name, message) in required {
        if req.header(name).is_none_or(str::is_empty) {
            return Err((PARAM_ERROR, message));
        }
    }
    if req.header("x-client-id") != Some(ONEACCESS_CLIENT_ID) {
        return Err((PARAM_ERROR, "X-client-id 不是已注册的应用"));
    }
    Ok(())
}

fn new_captcha(state: &mut SimState) -> Value {
    let now = Instant::now();
    let memory = state.memory::<Memory>();
    memory
        .captchas
        .retain(|_, issued| now.duration_since(*issued) < CAPTCHA_LIFETIME);
    let token = random_hex(16);
    memory.captchas.insert(token.clone(), now);
    // The vendor's answer, nulls included: clients must tolerate them.
    json!({
        "captchaId": null,
        "projectCode": null,
        "captchaType": null,
        "captchaOriginalPath": null,
        "captchaFontType": null,
        "captchaFontSize": null,
        "secretKey": random_hex(8),
        "originalImageBase64": PNG_BASE64,
        "point": null,
        "jigsawImageBase64": PNG_BASE64,
        "wordList": null,
        "pointList": null,
        "pointJson": null,
        "token": token,
        "result": false,
        "captchaVerification": null,
        "clientUid": null,
        "ts": null,
        "browserInfo": null,
    })
}

fn verify(state: &mut SimState, req: &VendorRequest) -> Result<Value, Refusal> {
    let body = req
        .json_object()
        .ok_or((PARAM_ERROR, "请求体不是JSON对象"))?;
    let token = string(&body, "token")?;
    let point_json = string(&body, "point_json")?;
    let sender = string(&body, "sender")?;
    let point = point(point_json).ok_or((PARAM_ERROR, "point_json 格式不正确"))?;
    if !is_mobile(sender) {
        return Err((PARAM_ERROR, "sender 手机号码格式不正确"));
    }
    let memory = state.memory::<Memory>();
    // One try per captcha, as with the vendor's: a wrong position needs a new captcha.
    let fresh = memory
        .captchas
        .remove(token)
        .is_some_and(|issued| issued.elapsed() < CAPTCHA_LIFETIME);
    if !fresh {
        return Err((CAPTCHA_ERROR, "验证码已失效，请重新获取"));
    }
    let (x, y) = CAPTCHA_ANSWER;
    if (point.0 - x).abs() > CAPTCHA_TOLERANCE || (point.1 - y).abs() > CAPTCHA_TOLERANCE {
        return Err((CAPTCHA_ERROR, "验证失败"));
    }
    let captcha_token = format!("{token}---{point_json}");
    memory
        .verified
        .insert(captcha_token.clone(), sender.to_owned());
    Ok(json!({ "captcha_token": captcha_token }))
}

fn send_sms(state: &mut SimState, req: &VendorRequest) -> Result<(), Refusal> {
    let body = req
        .json_object()
        .ok_or((PARAM_ERROR, "请求体不是JSON对象"))?;
    let mobile = string(&body, "mobile")?;
    let kind = string(&body, "type")?;
    let captcha_token = string(&body, "captcha_token")?;
    if !is_mobile(mobile) {
        return Err((PARAM_ERROR, "mobile 手机号码格式不正确"));
    }
    if !SMS_TYPES.contains(&kind) {
        return Err((PARAM_ERROR, "type 取值不正确"));
    }
    match state.memory::<Memory>().verified.remove(captcha_token) {
        Some(verified_for) if verified_for == mobile => Ok(()),
        _ => Err((CAPTCHA_ERROR, "captcha_token 无效或已使用")),
    }
}

/// A required string field.
fn string<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, Refusal> {
    match body.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err((PARAM_ERROR, "缺少参数或参数类型不正确")),
    }
}

/// `{"x":237.0,"y":5.0}`, a JSON text inside the JSON body.
fn point(text: &str) -> Option<(f64, f64)> {
    let value: Value = serde_json::from_str(text).ok()?;
    Some((value.get("x")?.as_f64()?, value.get("y")?.as_f64()?))
}

