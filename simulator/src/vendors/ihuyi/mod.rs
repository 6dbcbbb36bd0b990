//! ihuyi 互亿无线: `voice.php?method=Submit` and `method=GetNum` (its SMS side is [`sms`])
//! (`docs/protocols/ihuyi.md#endpoints-and-operations`, codes from
//! `docs/protocols/ihuyi.md#result-codes`).
//!
//! Fields come from the form body or the query string (the vendor takes both). Checks, in
//! order: empty fields (`401`–`404`), account and password (`405`; the password is either the
//! APIKEY itself or the dynamic MD5 password, whose `time` must be within 10 minutes), the
//! mobile (`406`), the code (`4070`: 4–6 digits), the balance (`4051`). Answers are XML
//! (`<SubmitResult xmlns="http://106.ihuyi.cn/">`) unless `format=json`. A request without a
//! known `method` is no vendor operation: HTTP 404, not journaled.

pub(crate) mod sms;

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use md5::{Digest as _, Md5};
use serde_json::{json, Value};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;
use crate::wire::{is_digits, is_mobile, json_response};
use demo::*;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// ihuyi APIID.
    pub const IHUYI_ACCOUNT: &str = "VM00000001";
    /// ihuyi APIKEY.
    pub const IHUYI_API_KEY: &str = "51a00000000000000000000000ihuyi1";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Ihuyi,
    product: Product::Voice,
    refusal: |operation, req, code| refusal(operation, req, code).0,
    routes,
    root: None,
    config: || json!({ "account": IHUYI_ACCOUNT, "api_key": IHUYI_API_KEY }),
    balance: true,
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/webservice/voice.php", post(dispatch))
}

/// The vendor's code table: code → `msg`.
const MESSAGES: &[(&str, &str)] = &[
    ("0", "提交失败"),
    ("400", "非法ip访问"),
    ("401", "帐号不能为空"),
    ("402", "密码不能为空"),
    ("403", "手机号码不能为空"),
    ("4030", "手机号码已被列入黑名单"),
    ("404", "语音内容不能为空"),
    ("405", "用户名或密码不正确"),
    ("4050", "账号被冻结"),
    ("4051", "剩余条数不足"),
    ("4052", "访问ip与备案ip不符"),
    ("406", "手机格式不正确"),
    ("407", "短信内容含有敏感字符"),
    ("4070", "语音验证码内容必须为4-6位数字"),
    (
        "408",
        "您的帐户疑被恶意利用,已被自动冻结,如有疑问请与客服联系。",
    ),
];

const SUCCESS: &str = "2";

/// How far the dynamic password's `time` may be from now.
const MAX_SKEW_SECONDS: i64 = 10 * 60;
/// Voice ids look like the vendor's (`60495654`).
const FIRST_VOICE_ID: u64 = 60_000_000;

/// One path serves both operations; `method` in the query string says which.
async fn dispatch(State(shared): State<Arc<Shared>>, req: VendorRequest) -> Response {
    let query = req.query_fields();
    let operation = match VendorRequest::field(&query, "method") {
        Some(m) if m.eq_ignore_ascii_case("Submit") => Operation::SendCode,
        Some(m) if m.eq_ignore_ascii_case("GetNum") => Operation::Balance,
        _ => {
            return (
                StatusCode::NOT_FOUND,
                "voicecode-sim: ihuyi knows method=Submit and method=GetNum\n",
            )
                .into_response()
        }
    };
    let phone = VendorRequest::field(&req.fields(), "mobile").map(str::to_owned);
    SIDE.handle(shared, operation, phone, req, move |state, req| {
        let fields = req.fields();
        let result = match operation {
            Operation::SendCode => submit(state, &fields),
            _ => get_num(state, &fields),
        };
        match result {
            Ok(value) => {
                let msg = if operation == Operation::SendCode {
                    "提交成功"
                } else {
                    "查询成功"
                };
                Answer::new(
                    reply(operation, wants_json(&fields), SUCCESS, msg, &value),
                    Verdict::Accepted,
                )
            }
            Err(code) => refusal(operation, req, code).into(),
        }
    })
    .await
}

/// A refusal with `code` in the format the request asked for.
fn refusal(
    operation: Operation,
    req: &VendorRequest,
    code: &str,
) -> (Response, Verdict) {
    let msg = MESSAGES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("提交失败", |(_, m)| *m);
    let response = reply(operation, wants_json(&req.fields()), code, msg, "0");
    (response, Verdict::refused(code, 200))
}

/// A `Submit` of either product, up to what the products check alike: the fields present
/// (`401`–`404`), the account and password (`405`, `40501`, `40502`), the mobile (`406`).
/// Gives the mobile and the content.
pub(super) fn submitted(fields: &[(String, String)]) -> Result<(&str, &str), &'static str> {
    let get = |name| VendorRequest::field(fields, name).filter(|v| !v.is_empty());
    let account = get("account").ok_or("401")?;
    let password = get("password").ok_or("402")?;
    let mobile = get("mobile").ok_or("403")?;
    let content = get("content").ok_or("404")?;
    if account != IHUYI_ACCOUNT {
        return Err("405");
    }
    check_password(
        password,
        get("time"),
        &[account, IHUYI_API_KEY, mobile, content],
    )?;
    if !is_mobile(mobile) {
        return Err("406");
    }
    Ok((mobile, content))
}

fn submit(state: &mut SimState, fields: &[(String, String)]) -> Result<String, &'static str> {
    let (mobile, content) = submitted(fields)?;
    if !is_digits(content, 4, 6) {
        return Err("4070");
    }
    if !state.charge(Vendor::Ihuyi) {
        return Err("4051");
    }
    state.record_code(Vendor::Ihuyi, mobile, content);
    Ok((FIRST_VOICE_ID + state.next_id()).to_string())
}

fn get_num(state: &mut SimState, fields: &[(String, String)]) -> Result<String, &'static str> {
    let get = |name| VendorRequest::field(fields, name).filter(|v| !v.is_empty());
    let account = get("account").ok_or("401")?;
    let password = get("password").ok_or("402")?;
    if account != IHUYI_ACCOUNT {
        return Err("405");
    }
    check_password(password, get("time"), &[account, IHUYI_API_KEY])?;
    Ok(state.balance(Vendor::Ihuyi).unwrap_or_default().to_string())
}

/// The APIKEY itself, or the dynamic password for a `time` within the window: the MD5 of
/// `signed` then `time`, in lowercase hex (`docs/protocols/ihuyi.md#signing`; compared here
/// case-insensitively).
pub(crate) fn check_password(password: &str, time: Option<&str>, signed: &[&str]) -> Result<(), &'static str> {
    if password == IHUYI_API_KEY {
        return Ok(());
    }
    let time = time.ok_or("405")?;
    let sent: i64 = time
        .parse()
        .ok()
        .filter(|_| time.len() == 10)
        .ok_or("405")?;
    if (Utc::now().timestamp() - sent).abs() > MAX_SKEW_SECONDS {
        return Err("405");
    }
    let dynamic = hex::encode(Md5::digest(signed.concat() + time));
    if password.eq_ignore_ascii_case(&dynamic) {
        Ok(())
    } else {
        Err("405")
    }
}

pub(crate) fn wants_json(fields: &[(String, String)]) -> bool {
    VendorRequest::field(fields, "format").is_some_and(|f| f.eq_ignore_ascii_case("json"))
}

/// `SubmitResult` (`code`, `msg`, `voiceid`) or `GetNumResult` (`code`, `msg`, `num`).
fn reply(operation: Operation, json: bool, code: &str, msg: &str, value: &str) -> Response {
    let (root, value_name) = match operation {
        Operation::SendCode => ("SubmitResult", "voiceid"),
        _ => ("GetNumResult", "num"),
    };
    reply_as(root, value_name, json, code, msg, value)
}

/// An answer with root `root` (XML) and the value under `value_name`: a count is a JSON number,
/// an id a string.
pub(crate) fn reply_as(
    root: &str,
    value_name: &str,
    json: bool,
    code: &str,
    msg: &str,
    value: &str,
) -> Response {
    if json {
        // Codes and counts are JSON numbers in the vendor's answers; ids are strings.
        let number_or_text = |s: &str| s.parse::<i64>().map_or_else(|_| json!(s), |n| json!(n));
        let value = if value_name == "num" {
            number_or_text(value)
        } else {
            json!(value)
        };
        let mut body = serde_json::Map::new();
        body.insert("code".into(), number_or_text(code));
        body.insert("msg".into(), json!(msg));
        body.insert(value_name.into(), value);
        return json_response(StatusCode::OK, &Value::Object(body));
    }
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root} xmlns=\"http://106.ihuyi.cn/\">\n\
         <code>{}</code>\n<msg>{}</msg>\n<{value_name}>{}</{value_name}>\n</{root}>\n",
        escape(code),
        escape(msg),
        escape(value)
    );
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        xml,
    )
        .into_response()
}

/// XML text escaping, for injected codes that may contain anything.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
