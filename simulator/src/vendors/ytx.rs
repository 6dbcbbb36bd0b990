//! ytx.net 云通信: `CodeCallOut` and `getBlance`
//! (`docs/protocols/ytx.md#endpoints-and-operations`).
//!
//! Checks, in the order the vendor's error table suggests: the account (`-200`), the
//! `Authorization` header and its timestamp, China time, at most 10 minutes off (`-202`), the
//! `Sign` query parameter (`-203`), then the JSON body (`-4`, `-3`, `-2`, `-205`, `-102`,
//! `-101`) and the balance (`-204`). Every answer is HTTP 200 with `statusCode` as a string.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{NaiveDateTime, Utc};
use md5::{Digest as _, Md5};
use serde_json::{json, Map, Value};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, Endpoint, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;
use crate::wire::{china, china_time, is_mobile, json_response};
use demo::*;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// ytx ACCOUNT SID.
    pub const YTX_ACCOUNT_SID: &str = "5100000000000000000000000000ytx1";
    /// ytx AUTH TOKEN.
    pub const YTX_AUTH_TOKEN: &str = "51a0000000000000000000000token01";
    /// ytx application id.
    pub const YTX_APP_ID: &str = "5100000000000000000000000000app1";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Ytx,
    product: Product::Voice,
    refusal: |_, _, code| refusal(code).0,
    routes,
    root: None,
    config: || json!({ "account_sid": YTX_ACCOUNT_SID, "auth_token": YTX_AUTH_TOKEN, "app_id": YTX_APP_ID }),
    balance: true,
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    let send_code = SIDE.serve(Endpoint(Operation::SendCode, Some("dst"), send_code));
    let balance = SIDE.serve(Endpoint(Operation::Balance, None, balance));
    Router::new()
        .route("/201512/sid/{sid}/call/CodeCallOut.wx", post(send_code))
        .route("/201612/sid/{sid}/account/getBlance.wx", post(balance))
}

/// The vendor's error table: code → `statusMsg`.
const MESSAGES: &[(&str, &str)] = &[
    ("-1", "号码无效"),
    ("-2", "缺少必要参数"),
    ("-3", "无效action"),
    ("-4", "无效的JSON"),
    ("-100", "异常错误"),
    ("-101", "参数不合法"),
    ("-102", "电话号码不合法"),
    ("-200", "无此用户"),
    ("-201", "用户状态失效"),
    ("-202", "包头验证信息错误"),
    ("-203", "AuthToken验证失败"),
    ("-204", "账户余额不足"),
    ("-205", "应用验证失败"),
];

/// The vendor's error table says headers are valid for 10 minutes.
const MAX_SKEW_SECONDS: i64 = 10 * 60;

fn send_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    conclude(check_send(state, sid(req), req))
}

fn balance(state: &mut SimState, req: &VendorRequest) -> Answer {
    conclude(check_balance(state, sid(req), req))
}

/// The account in the path, `/<version>/sid/<sid>/…`.
fn sid(req: &VendorRequest) -> &str {
    req.path.split('/').nth(3).unwrap_or_default()
}

/// The answer to a refused request: HTTP 200, `statusCode` and the table's message.
fn refusal(code: &str) -> (Response, Verdict) {
    let message = MESSAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("异常错误", |(_, m)| *m);
    let body = json!({ "statusCode": code, "statusMsg": message });
    (
        json_response(StatusCode::OK, &body),
        Verdict::refused(code, 200),
    )
}

fn conclude(result: Result<Value, &'static str>) -> Answer {
    match result {
        Ok(body) => Answer::accepted(&body),
        Err(code) => refusal(code).into(),
    }
}

fn check_send(state: &mut SimState, sid: &str, req: &VendorRequest) -> Result<Value, &'static str> {
    authenticate(sid, req)?;
    let body = signed_body(req, "callOutCode")?;
    let dst = text(body.get("dst"))
        .filter(|d| !d.is_empty())
        .ok_or("-2")?;
    let code = text(body.get("code"))
        .filter(|c| !c.is_empty())
        .ok_or("-2")?;
    if !is_callable(&dst) {
        return Err("-102");
    }
    // Letters and digits, fewer than 20 of them.
    if code.len() >= 20 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("-101");
    }
    if let Some(times) = body.get("time") {
        let times = text(Some(times)).and_then(|t| t.parse::<u8>().ok());
        if !matches!(times, Some(1..=3)) {
            return Err("-101");
        }
    }
    if !state.charge(Vendor::Ytx) {
        return Err("-204");
    }
    state.record_code(Vendor::Ytx, &dst, &code);
    let now = china_time(Utc::now()).format("%Y%m%d%H%M%S");
    let request_id = format!("{now}{:06}", state.next_id());
    Ok(json!({ "statusCode": "0", "statusMsg": "提交成功", "requestId": request_id }))
}

fn check_balance(
    state: &mut SimState,
    sid: &str,
    req: &VendorRequest,
) -> Result<Value, &'static str> {
    authenticate(sid, req)?;
    signed_body(req, "queryBlance")?;
    // The balance is money; the simulator prices a call at one yuan.
    let balance = state.balance(Vendor::Ytx).unwrap_or_default() as f64;
    Ok(json!({ "AccountSID": sid, "Blance": balance }))
}

/// The account, `Authorization` (`Base64(sid|ts)`), the age of `ts`, and `Sign`.
fn authenticate(sid: &str, req: &VendorRequest) -> Result<(), &'static str> {
    if sid != YTX_ACCOUNT_SID {
        return Err("-200");
    }
    let authorization = req.header("authorization").ok_or("-202")?.trim();
    let decoded = BASE64
        .decode(authorization)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or("-202")?;
    let (auth_sid, ts) = decoded.split_once('|').ok_or("-202")?;
    // Decoding then re-encoding refuses what the vendor's strict Base64 reader would.
    if auth_sid != sid || BASE64.encode(&decoded) != authorization {
        return Err("-202");
    }
    let sent = NaiveDateTime::parse_from_str(ts, "%Y%m%d%H%M%S")
        .ok()
        .and_then(|t| t.and_local_timezone(china()).single())
        .ok_or("-202")?;
    if (Utc::now() - sent.to_utc()).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err("-202");
    }
    let fields = req.query_fields();
    let sign = VendorRequest::field(&fields, "Sign").ok_or("-202")?;
    // MD5 of sid + token + ts (`docs/protocols/ytx.md#signing`); the vendor compares the hex
    // case-insensitively.
    let expected = hex::encode(Md5::digest(format!("{sid}{YTX_AUTH_TOKEN}{ts}")));
    if !sign.eq_ignore_ascii_case(&expected) {
        return Err("-203");
    }
    Ok(())
}

/// The JSON body, with the right `action` and the account's `appid`.
fn signed_body(req: &VendorRequest, action: &str) -> Result<Map<String, Value>, &'static str> {
    let body = req.json_object().ok_or("-4")?;
    match text(body.get("action")) {
        None => return Err("-2"),
        Some(a) if a == action => {}
        Some(_) => return Err("-3"),
    }
    match text(body.get("appid")) {
        None => Err("-2"),
        Some(appid) if appid == YTX_APP_ID => Ok(body),
        Some(_) => Err("-205"),
    }
}

/// A mainland mobile, or a landline with its area code, in national form.
fn is_callable(dst: &str) -> bool {
    let landline = dst.starts_with('0')
        && !dst.starts_with("00")
        && (10..=12).contains(&dst.len())
        && dst.bytes().all(|b| b.is_ascii_digit());
    is_mobile(dst) || landline
}

/// A JSON string, or a number as text: the vendor's sample sends `code` and `time` as strings,
/// and the vendor takes numbers as well.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
