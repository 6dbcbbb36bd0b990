//! Huawei Cloud SMS (消息&短信): `batchSendSms` (`docs/protocols/huawei.md#sms-product--sms`),
//! at the SMS application's own key, checked the way Huawei documents it.
//!
//! Checks, in order, for either scheme the platform takes: X-WSSE, the API reference's (the
//! `Authorization` attributes, 400 `E000001`–`E000008`; the `X-WSSE` UsernameToken, 400
//! `E000020`–`E000023`; the demo application, 401 `E000102`; `Created` within 15 minutes of now,
//! 401 `E000110`; `PasswordDigest` only in the documented form, Base64 of the lowercase hex
//! SHA-256 of `Nonce + Created + AppSecret`, 401 `E000101`), or SDK-HMAC-SHA256 (the demo
//! application, 401 `E000102`; `X-Sdk-Date` within 15 minutes, 401 `E000110`; the signature over
//! the headers it names, which must include `host` and `x-sdk-date`, 401 `E000045`); then the
//! form: `from`, `to`, `templateId` and `templateParas` present, the
//! template the demo one, its parameters a JSON array of one code of at most 8 digits, each
//! number E.164, `statusCallback` and `extend` within their lengths, `signature` the demo one if
//! given (400 `E000503`); then the channel number (400 `E000510`, the number's status
//! `E200018`). An accepted message with a `statusCallback` gets its status report, `DELIVRD`.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, NaiveDateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use voicecode::{Product, Vendor};

use super::demo::*;
use super::{is_e164, read_token, Token, TokenCodes};
use crate::exchange::{Answer, Endpoint, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{follow_up, Pusher};
use crate::state::State as SimState;
use crate::wire::{is_digits, json_response, uuid_hex};

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Huawei,
    product: Product::Sms,
    refusal: |_, _, code| refusal(code, None).0,
    routes,
    root: None,
    config: || {
        json!({
            "app_key": HUAWEI_SMS_APP_KEY,
            "app_secret": HUAWEI_SMS_APP_SECRET,
            "sender": HUAWEI_SMS_SENDER,
            "template_id": HUAWEI_SMS_TEMPLATE_ID,
        })
    },
    // Billed afterwards, as voice is: no balance.
    balance: false,
    // Status reports go where each request says (`statusCallback`).
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    let send = SIDE.serve(Endpoint(Operation::SendSmsCode, Some("to"), send_sms));
    Router::new().route("/sms/batchSendSms/v1", post(send))
}

/// "X-Sdk-Date不能与发送请求时的本地时间相差太大(15分钟)".
const MAX_SKEW_SECONDS: i64 = 15 * 60;
/// At most 500 numbers, separated by commas.
const MAX_NUMBERS: usize = 500;
const MAX_CALLBACK_CHARS: usize = 1024;
const MAX_EXTEND_CHARS: usize = 128;
/// The hash of an empty body, which the signer uses whatever `X-Sdk-Content-Sha256` says.
const EMPTY_HASH: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// API错误码(发送短信) as the platform answers them: HTTP status, `code`, `description`.
#[rustfmt::skip]
const RESULTS: &[(u16, &str, &str)] = &[
    (400, "E000000", "System error."),
    (400, "E000001", "Authorization not contained in the HTTP header."),
    (400, "E000002", "realm not contained in Authorization."),
    (400, "E000003", "profile not contained in Authorization."),
    (400, "E000004", "The value of realm in Authorization must be SDP."),
    (400, "E000005", "The value of profile in Authorization must be UsernameToken."),
    (400, "E000006", "The value of type in Authorization must be app_key."),
    (400, "E000007", "type not contained in Authorization."),
    (400, "E000008", "WSSE not contained in Authorization."),
    (400, "E000020", "X-WSSE not contained in the HTTP header."),
    (400, "E000021", "UserName not contained in X-WSSE."),
    (400, "E000022", "Nonce not contained in X-WSSE."),
    (400, "E000023", "Created not contained in X-WSSE."),
    (401, "E000045", "Authorization verification failed."),
    (401, "E000101", "Authentication failed."),
    (401, "E000102", "Invalid app_key."),
    (401, "E000110", "Time out of limit."),
    (400, "E000503", "Parameter format error."),
    (400, "E000510", "The SMS fails to be sent. For details, see status."),
    (403, "E000620", "The app client ip is not in ip white list."),
];

/// The API gateway's answers, before the SMS platform sees a request: HTTP status, `error_code`,
/// `error_msg` (API网关错误码).
#[rustfmt::skip]
const GATEWAY: &[(u16, &str, &str)] = &[
    (404, "APIGW.0101", "The API does not exist or has not been published in the environment."),
    (401, "APIGW.0301", "Incorrect IAM authentication information."),
    (401, "APIGW.0303", "Incorrect app authentication information."),
    (429, "APIGW.0308", "The throttling threshold has been reached."),
];

/// A refusal: a `code` of [`RESULTS`], with the numbers' statuses for `E000510`.
type Refusal = (&'static str, Option<Value>);

const PARAMETER_ERROR: Refusal = ("E000503", None);

/// The answer with `code` and its row's status and description; an injected code the table
/// lacks comes with HTTP 500, or the status it names (`"403:E000620"`). An injected gateway code
/// comes in the gateway's shape, and a number's status (`E200018`, `SC:0017`) under `E000510`.
fn refusal(code: &str, result: Option<Value>) -> (Response, Verdict) {
    let (status, code) = match code.split_once(':') {
        Some((status, code)) if status.bytes().all(|b| b.is_ascii_digit()) => {
            (status.parse().ok(), code)
        }
        _ => (None, code),
    };
    if let Some((gateway_status, _, message)) = GATEWAY.iter().find(|(_, c, _)| *c == code) {
        let status = status.unwrap_or(*gateway_status);
        let body = json!({ "error_code": code, "error_msg": message, "request_id": uuid_hex() });
        let response = json_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            &body,
        );
        return (response, Verdict::refused(code, status));
    }
    if result.is_none() && (code.starts_with("E2") || code.starts_with("SC:")) {
        let (response, _) = refusal("E000510", Some(json!([{ "smsMsgId": "", "status": code }])));
        return (response, Verdict::refused(code, 400));
    }
    let row = RESULTS.iter().find(|(_, c, _)| *c == code);
    let (status, desc) = match row {
        Some((s, _, desc)) => (status.unwrap_or(*s), *desc),
        None => (status.unwrap_or(500), "Simulated error code."),
    };
    let mut body = json!({ "code": code, "description": desc });
    if let Some(result) = result {
        body["result"] = result;
    }
    let response = json_response(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    );
    (response, Verdict::refused(code, status))
}

fn send_sms(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check(state, req) {
        Ok((body, report)) => Answer::accepted(&body)
            .with_follow_up(report.map(|report| follow_up(|pusher| push_report(pusher, report)))),
        Err((code, result)) => refusal(code, result).into(),
    }
}

/// A status report owed to a `statusCallback`.
struct Report {
    url: String,
    fields: Vec<(&'static str, String)>,
}

fn check(state: &mut SimState, req: &VendorRequest) -> Result<(Value, Option<Report>), Refusal> {
    let now = Utc::now();
    let aksk = req
        .header("authorization")
        .is_some_and(|h| h.starts_with("SDK-HMAC-SHA256 "));
    if aksk {
        check_signature(req, now)?;
    } else {
        check_wsse(req, now)?;
    }
    let fields = req.fields();
    let get = |name| VendorRequest::field(&fields, name).filter(|v| !v.is_empty());
    let from = get("from").ok_or(PARAMETER_ERROR)?;
    let to = get("to").ok_or(PARAMETER_ERROR)?;
    let template_id = get("templateId").ok_or(PARAMETER_ERROR)?;
    let paras = get("templateParas").ok_or(PARAMETER_ERROR)?;
    if template_id != HUAWEI_SMS_TEMPLATE_ID {
        return Err(PARAMETER_ERROR);
    }
    // The demo template is a verification-code template: one variable, at most 8 digits.
    let code = match serde_json::from_str::<Vec<String>>(paras).as_deref() {
        Ok([code]) if is_digits(code, 1, 8) => code.clone(),
        _ => return Err(PARAMETER_ERROR),
    };
    let numbers: Vec<&str> = to.split(',').collect();
    if numbers.len() > MAX_NUMBERS || !numbers.iter().all(|n| is_e164(n)) {
        return Err(PARAMETER_ERROR);
    }
    let callback = get("statusCallback");
    let callback_ok = |url: &str| {
        url.len() <= MAX_CALLBACK_CHARS
            && (url.starts_with("http://") || url.starts_with("https://"))
    };
    if callback.is_some_and(|url| !callback_ok(url)) {
        return Err(PARAMETER_ERROR);
    }
    let extend = get("extend");
    if extend.is_some_and(|e| e.chars().count() > MAX_EXTEND_CHARS) {
        return Err(PARAMETER_ERROR);
    }
    if get("signature").is_some_and(|s| s != HUAWEI_SMS_SIGNATURE) {
        return Err(PARAMETER_ERROR);
    }
    let created = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    if from != HUAWEI_SMS_SENDER {
        let result: Vec<Value> = numbers
            .iter()
            .map(|n| json!({ "originTo": n, "createTime": created, "from": from, "smsMsgId": "", "status": "E200018" }))
            .collect();
        return Err(("E000510", Some(Value::Array(result))));
    }
    let mut result = Vec::new();
    let mut reports = Vec::new();
    for number in numbers {
        state.record_sms_code(Vendor::Huawei, number, &code);
        let id = format!("{}_{}", uuid_hex(), state.next_id());
        result.push(json!({
            "originTo": number, "createTime": created, "from": from, "smsMsgId": id,
            "status": "000000", "countryId": "CN", "total": 1,
        }));
        let mut fields = vec![
            ("sequence", "1".to_owned()),
            ("total", "1".to_owned()),
            ("updateTime", created.clone()),
            ("source", "2".to_owned()),
            ("smsMsgId", id),
            ("status", "DELIVRD".to_owned()),
            ("to", number.to_owned()),
        ];
        if let Some(extend) = extend {
            fields.push(("extend", extend.to_owned()));
        }
        reports.push(fields);
    }
    let answer = json!({ "code": "000000", "description": "Success", "result": result });
    // One number per report; the first number's is enough for a verification code.
    let report = callback.zip(reports.into_iter().next()).map(|(url, fields)| Report {
        url: url.to_owned(),
        fields,
    });
    Ok((answer, report))
}

/// `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`, recomputed from the request as the
/// API gateway does: the canonical request over the method, the path with a trailing `/`, the
/// sorted query, the named headers and the payload hash.
fn check_signature(req: &VendorRequest, now: DateTime<Utc>) -> Result<(), Refusal> {
    let header = req.header("authorization").ok_or(("E000001", None))?;
    let rest = header.strip_prefix("SDK-HMAC-SHA256 ").ok_or(("E000001", None))?;
    let mut access = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Access", v)) => access = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", v)) => signature = Some(v),
            _ => {}
        }
    }
    let (Some(access), Some(signed_headers), Some(signature)) = (access, signed_headers, signature)
    else {
        return Err(("E000001", None));
    };
    if access != HUAWEI_SMS_APP_KEY {
        return Err(("E000102", None));
    }
    let date = req.header("x-sdk-date").ok_or(("E000110", None))?;
    let at = NaiveDateTime::parse_from_str(date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| ("E000110", None))?
        .and_utc();
    if (now - at).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(("E000110", None));
    }
    let names: Vec<&str> = signed_headers.split(';').collect();
    let covers = |name| names.contains(&name);
    if !covers("host") || !covers("x-sdk-date") {
        return Err(("E000045", None));
    }
    let mut headers = Vec::new();
    for name in &names {
        let value = req.header(name).ok_or(("E000045", None))?;
        headers.push((*name, value));
    }
    let payload = if req.body.is_empty() {
        EMPTY_HASH.to_owned()
    } else {
        match req.header("x-sdk-content-sha256") {
            Some(given) => given.to_owned(),
            None => hex::encode(Sha256::digest(&req.body)),
        }
    };
    let method = req.method.as_str();
    let canonical = canonical_request(method, &req.path, req.query_fields(), &headers, &payload);
    if sdk_signature(&canonical, date) != signature {
        return Err(("E000045", None));
    }
    Ok(())
}

/// The API gateway's canonical request: the method, the path with a trailing `/`, the sorted
/// query, `name:value` per signed header (lowercase names, in the order given), an empty line,
/// the signed-header list and the payload hash.
fn canonical_request(
    method: &str,
    path: &str,
    mut query: Vec<(String, String)>,
    headers: &[(&str, &str)],
    payload: &str,
) -> String {
    let mut canonical = format!("{method}\n{path}");
    if !canonical.ends_with('/') {
        canonical.push('/');
    }
    canonical.push('\n');
    query.sort();
    let query: Vec<String> = query
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    canonical.push_str(&query.join("&"));
    canonical.push('\n');
    for (name, value) in headers {
        canonical.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let names: Vec<&str> = headers.iter().map(|(name, _)| *name).collect();
    canonical.push_str(&format!("\n{}\n{payload}", names.join(";")));
    canonical
}

/// The hex HMAC-SHA256, under the demo application's secret, of the string to sign.
fn sdk_signature(canonical: &str, date: &str) -> String {
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(HUAWEI_SMS_APP_SECRET.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// API错误码's codes for `Authorization: WSSE …` and `X-WSSE` (no code is documented for a
/// missing `PasswordDigest`: the platform's "鉴权失败").
const WSSE_TOKEN: TokenCodes = TokenCodes {
    scheme: "WSSE",
    token_header: "x-wsse",
    no_authorization: "E000001",
    not_the_scheme: "E000008",
    no_realm: "E000002",
    no_profile: "E000003",
    no_type: "E000007",
    bad_realm: "E000004",
    bad_profile: "E000005",
    bad_type: "E000006",
    no_token: "E000020",
    not_a_username_token: "E000020",
    no_username: "E000021",
    no_nonce: "E000022",
    no_created: "E000023",
    no_digest: "E000101",
};

/// `Authorization: WSSE realm="SDP",profile="UsernameToken",type="Appkey"` and `X-WSSE`: the
/// demo application, `Created` within the window, the digest in the documented form.
fn check_wsse(req: &VendorRequest, now: DateTime<Utc>) -> Result<(), Refusal> {
    let refused = |code| (code, None);
    let Token {
        username,
        nonce,
        created,
        digest,
    } = read_token(req, &WSSE_TOKEN).map_err(refused)?;
    if username != HUAWEI_SMS_APP_KEY {
        return Err(refused("E000102"));
    }
    let at = NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%SZ")
        .map_err(|_| refused("E000110"))?
        .and_utc();
    if (now - at).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(refused("E000110"));
    }
    let text = format!("{nonce}{created}{HUAWEI_SMS_APP_SECRET}");
    let expected = BASE64.encode(hex::encode(Sha256::digest(text.as_bytes())));
    if digest != expected {
        return Err(refused("E000101"));
    }
    Ok(())
}

/// RFC 3986 percent-encoding, `~` kept (the signer's `quote(s, safe='~')`).
fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The status report, a form post, signed as with 推送AKSK鉴权 on (the simulator's application
/// has it on; a receiver that does not check can ignore the headers). Huawei expects an empty 200.
async fn push_report(pusher: Pusher, report: Report) {
    let body = serde_urlencoded::to_string(&report.fields).expect("a form of strings serialises");
    let content_type = "application/x-www-form-urlencoded";
    let mut headers = vec![("Content-Type", content_type.to_owned())];
    if let Ok(url) = reqwest::Url::parse(&report.url) {
        let host = match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => String::new(),
        };
        let date = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let signed = [("content-type", content_type), ("host", &host), ("x-sdk-date", &date)];
        let query = url.query_pairs().into_owned().collect();
        let payload = hex::encode(Sha256::digest(body.as_bytes()));
        let canonical = canonical_request("POST", url.path(), query, &signed, &payload);
        let authorization = format!(
            "SDK-HMAC-SHA256 Access={HUAWEI_SMS_APP_KEY}, SignedHeaders=content-type;host;x-sdk-date, Signature={}",
            sdk_signature(&canonical, &date)
        );
        headers.push(("X-Sdk-Date", date));
        headers.push(("Authorization", authorization));
    }
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    pusher.post(&report.url, &headers, body).await;
}
