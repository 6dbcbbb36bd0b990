//! ytx.net 云通信: voice code `CodeCallOut` and balance `getBlance`.
//!
//! Sources and decisions: `docs/protocols/ytx.md#sources`.
//! - `Sign = MD5(accountSID + authToken + ts)` in the query string, uppercase hex (the vendor
//!   accepts either case); leading zeros are kept, unlike a public Java demo that drops them.
//! - `Authorization = Base64(accountSID + "|" + ts)`, with the *same* `ts`.
//! - `ts` is `yyyyMMddHHmmss` in China time (UTC+8) whatever the host's zone: every vendor demo
//!   uses China wall-clock time and the vendor rejects skewed headers with `-202`.
//! - The vendor publishes plain HTTP only (`http://api.ytx.net`, `http://sandbox.ytx.net`).
//! - Answers are HTTP 200 even on errors; `statusCode` is a string.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, Utc};
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::{Balance, BalanceUnit, Receipt};
use crate::protocol::checks::{
    check_play_times, check_secret, refuse_unsupported, CodeAlphabet, CodeRule,
};
use crate::protocol::encode;
use crate::protocol::vendor::{CodeSender, ParsedSend, Protocol, Signer, VendorFacts, WithBody};
use crate::protocol::wire::{classify, json_body, json_bytes, required, Scalar};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

use ErrorKind::*;
use Outcome::*;

pub(crate) const PRODUCTION: &str = "http://api.ytx.net";
pub(crate) const SANDBOX: &str = "http://sandbox.ytx.net";

/// ytx.net account (`vendor = "ytx"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YtxConfig {
    /// ACCOUNT SID from the console.
    pub account_sid: String,
    /// AUTH TOKEN from the console; used only inside the MD5 signature.
    pub auth_token: Secret,
    /// The application's id; sandbox and production ids differ (code `-205` otherwise).
    pub app_id: String,
    /// Use `http://sandbox.ytx.net` instead of `http://api.ytx.net`.
    #[serde(default)]
    pub sandbox: bool,
}

/// The vendor's error table, line for line: code, kind, and whether the code says no call was
/// placed (`Refused`) or leaves it open (`Unknown`).
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("-1", InvalidInput, Refused),          // 号码无效
    ("-2", InvalidInput, Refused),          // 缺少必要参数
    ("-3", VendorError, Refused),           // 无效action: the request names no operation
    ("-4", VendorError, Refused),           // 无效的JSON: the body could not be read
    ("-100", VendorError, Unknown),         // 异常错误: a server-side exception, at any point
    ("-101", InvalidInput, Refused),        // 参数不合法
    ("-102", InvalidInput, Refused),        // 电话号码不合法
    ("-200", AuthFailed, Refused),          // 无此用户
    ("-201", Forbidden, Refused),           // 用户状态失效
    ("-202", AuthFailed, Refused),          // 包头验证信息错误/超时 (also clock skew)
    ("-203", AuthFailed, Refused),          // AuthToken验证失败
    ("-204", InsufficientBalance, Refused), // 账户余额不足
    ("-205", Forbidden, Refused), // 应用验证失败: appid/environment mismatch, IP whitelist
];

/// `yyyyMMddHHmmss` in China time.
pub fn timestamp(now: DateTime<Utc>) -> String {
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    encode::compact(now.with_timezone(&china).naive_local())
}

/// `Sign` query parameter: uppercase MD5 hex of sid + token + ts.
pub fn sign(account_sid: &str, auth_token: &str, ts: &str) -> String {
    sign_keyed(&keyed(account_sid, auth_token), ts)
}

/// The MD5 state after sid and token, the part of `Sign` that never changes.
fn keyed(account_sid: &str, auth_token: &str) -> Md5 {
    Md5::new()
        .chain_update(account_sid)
        .chain_update(auth_token)
}

fn sign_keyed(keyed: &Md5, ts: &str) -> String {
    encode::hex_upper(&keyed.clone().chain_update(ts).finalize())
}

/// `Authorization` header: Base64 of `sid|ts`.
pub fn authorization(account_sid: &str, ts: &str) -> String {
    BASE64.encode(encode::concat(&[account_sid, "|", ts]))
}

#[derive(Serialize)]
struct CodeCallOut<'a> {
    action: &'static str,
    appid: &'a str,
    dst: &'a str,
    code: &'a str,
    time: String,
}

#[derive(Serialize)]
struct QueryBalance<'a> {
    action: &'static str,
    appid: &'a str,
}

/// What signs every request of an account: its sid, and MD5 already fed with sid and token
/// (the token itself is not kept).
struct Signing {
    sid: String,
    keyed: Md5,
}

impl Signing {
    fn new(config: &YtxConfig) -> Self {
        Signing {
            sid: config.account_sid.clone(),
            keyed: keyed(&config.account_sid, config.auth_token.expose()),
        }
    }

    /// `{base}/{version}/sid/{sid}/{func}/{funcURL}`: `path` is written with `{sid}`, as in the
    /// vendor's document.
    fn url(&self, base: &str, path: &str) -> String {
        format!("{base}{}", path.replace("{sid}", &self.sid))
    }

    /// The signed POST to `url` (from [`Signing::url`]).
    fn post(&self, url: &str, ctx: &Context, body: Vec<u8>) -> HttpRequest {
        let ts = timestamp(ctx.now);
        let sign = sign_keyed(&self.keyed, &ts);
        HttpRequest::new(Method::Post, encode::concat(&[url, "?Sign=", &sign]))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json;charset=utf-8")
            .header("Authorization", authorization(&self.sid, &ts))
            .body(body)
    }
}

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(rename = "statusCode", borrow)]
    status_code: Option<Scalar<'a>>,
    #[serde(rename = "statusMsg", default)]
    status_msg: String,
    #[serde(rename = "requestId", default)]
    request_id: Option<String>,
    #[serde(rename = "Blance", borrow)]
    balance: Option<Scalar<'a>>,
}

/// Refuses the answer unless `statusCode` is `"0"` (or absent, as in balance answers).
fn check_status(resp: &HttpResponse, answer: &Answer) -> Result<()> {
    let code = match &answer.status_code {
        None => return Ok(()),
        Some(v) => v.text().ok_or_else(|| {
            Error::protocol(
                Vendor::Ytx,
                resp.status,
                "statusCode is neither a string nor a number",
            )
        })?,
    };
    if code == "0" {
        return Ok(());
    }
    Err(Error::answered(
        Vendor::Ytx,
        classify(CODES, code),
        resp.status,
        code,
        &answer.status_msg,
    ))
}

/// CodeCallOut's `verifyCode`: "1 to 19 letters or digits" (ytx 语音验证码 API).
const CODE: CodeRule = CodeRule {
    min_len: 1,
    max_len: 19,
    alphabet: CodeAlphabet::Alphanumeric,
};

/// `CodeCallOut` from one channel.
struct Sender {
    app_id: String,
    url: String,
    signing: Signing,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("ytx", req.options, &["play_times"])?;
        let dst = req.to.mainland("to", "ytx")?;
        CODE.check(req.code)?;
        // The vendor sample always sends `time`; 3 is its value there and the maximum.
        check_play_times(req.options.play_times, 1..=3, "")?;
        let times = req.options.play_times.unwrap_or(3);
        let body = CodeCallOut {
            action: "callOutCode",
            appid: &self.app_id,
            dst,
            code: req.code,
            time: times.to_string(),
        };
        let body = json_bytes(&body);
        Ok(WithBody::signer(body, move |ctx: &Context, body| {
            self.signing.post(&self.url, ctx, body)
        }))
    }
}

impl VendorFacts for YtxConfig {
    const DISPLAY_NAME: &'static str = "ytx.net";
    const SECRET_KEY: Option<&'static str> = Some("auth_token");
}

impl Protocol for YtxConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(if self.sandbox { SANDBOX } else { PRODUCTION })
    }

    fn validate(&self) -> Result<()> {
        let alnum = |field: &str, value: &str| {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
                Err(Error::invalid_config(
                    field,
                    "must be letters and digits, as shown in the ytx console",
                ))
            } else {
                Ok(())
            }
        };
        alnum("account_sid", &self.account_sid)?;
        alnum("app_id", &self.app_id)?;
        check_secret("auth_token", &self.auth_token)?;
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let signing = Signing::new(self);
        let url = signing.url(base, "/201512/sid/{sid}/call/CodeCallOut.wx");
        Ok(Arc::new(Sender {
            app_id: self.app_id.clone(),
            url,
            signing,
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        let answer: Answer = json_body(Vendor::Ytx, resp)?;
        if answer.status_code.is_none() {
            return Err(Error::protocol(
                Vendor::Ytx,
                resp.status,
                "the answer has no statusCode",
            ));
        }
        check_status(resp, &answer)?;
        let missing = "success without a requestId";
        let message_id = required(Vendor::Ytx, resp, answer.request_id, missing)?;
        Ok(Receipt::new(
            Vendor::Ytx,
            message_id,
            "0",
            answer.status_msg,
        ))
    }

    fn balance(&self, base: &str, ctx: &Context) -> Result<HttpRequest> {
        let body = QueryBalance {
            action: "queryBlance",
            appid: &self.app_id,
        };
        let body = json_bytes(&body);
        // "getBlance" and "queryBlance" are the vendor's spelling.
        let signing = Signing::new(self);
        let url = signing.url(base, "/201612/sid/{sid}/account/getBlance.wx");
        Ok(signing.post(&url, ctx, body))
    }

    fn parse_balance(&self, resp: &HttpResponse) -> Result<Balance> {
        let answer: Answer = json_body(Vendor::Ytx, resp)?;
        check_status(resp, &answer)?;
        let amount = answer
            .balance
            .as_ref()
            .and_then(Scalar::text)
            .ok_or_else(|| Error::protocol(Vendor::Ytx, resp.status, "the answer has no Blance"))?;
        Ok(Balance {
            vendor: Vendor::Ytx,
            amount: amount.to_owned(),
            unit: BalanceUnit::Yuan,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SendCode;
    use chrono::TimeZone;

    fn config() -> YtxConfig {
        YtxConfig {
            account_sid: "da5c0518f05c4f939de024e94c0adb6d".into(),
            auth_token: "8da2aede2f51498dab04e20b1702d111".into(),
            app_id: "ff8080813fc70a7b013fc72312324213".into(),
            sandbox: false,
        }
    }

    fn ctx() -> Context {
        // 2014-04-16 14:20:30 in China.
        Context {
            now: Utc.with_ymd_and_hms(2014, 4, 16, 6, 20, 30).unwrap(),
            nonce: "unused".into(),
        }
    }

    #[test]
    fn known_answer_vector() {
        let ts = "20140416142030";
        let c = config();
        assert_eq!(
            sign(&c.account_sid, c.auth_token.expose(), ts),
            "6099701D8632EA5232D1536DA94CD1B0"
        );
        assert_eq!(
            authorization(&c.account_sid, ts),
            "ZGE1YzA1MThmMDVjNGY5MzlkZTAyNGU5NGMwYWRiNmR8MjAxNDA0MTYxNDIwMzA="
        );
    }

    #[test]
    fn timestamp_is_china_time() {
        assert_eq!(timestamp(ctx().now), "20140416142030");
        // Just before midnight UTC is already the next day in China.
        let late = Utc.with_ymd_and_hms(2024, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(timestamp(late), "20250101075959");
    }

    #[test]
    fn sign_keeps_leading_zeros() {
        // Some sid/token/ts whose MD5 starts with 0: search deterministically.
        let (sid, token) = ("a", "b");
        let ts = (0..10_000)
            .map(|i| format!("2024010100{i:04}"))
            .find(|ts| sign(sid, token, ts).starts_with('0'))
            .expect("one in 16 digests starts with 0");
        let s = sign(sid, token, &ts);
        assert_eq!(s.len(), 32);
        assert!(s.starts_with('0'));
    }

    #[test]
    fn golden_send_code_request() {
        let req = config()
            .send_code(
                PRODUCTION,
                &SendCode::new("+8613911281234", "158456").play_times(2),
                &ctx(),
            )
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "http://api.ytx.net/201512/sid/da5c0518f05c4f939de024e94c0adb6d/call/CodeCallOut.wx?Sign=6099701D8632EA5232D1536DA94CD1B0"
        );
        assert_eq!(
            req.headers,
            vec![
                ("Accept", "application/json".into()),
                ("Content-Type", "application/json;charset=utf-8".into()),
                (
                    "Authorization",
                    "ZGE1YzA1MThmMDVjNGY5MzlkZTAyNGU5NGMwYWRiNmR8MjAxNDA0MTYxNDIwMzA=".into()
                ),
            ]
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"action":"callOutCode","appid":"ff8080813fc70a7b013fc72312324213","dst":"13911281234","code":"158456","time":"2"}"#
        );
    }

    #[test]
    fn golden_balance_request() {
        let req = config().balance(SANDBOX, &ctx()).unwrap();
        assert_eq!(
            req.url,
            "http://sandbox.ytx.net/201612/sid/da5c0518f05c4f939de024e94c0adb6d/account/getBlance.wx?Sign=6099701D8632EA5232D1536DA94CD1B0"
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"action":"queryBlance","appid":"ff8080813fc70a7b013fc72312324213"}"#
        );
    }

    #[test]
    fn landlines_are_sent_with_their_area_code() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("+861088886666", "ab12"), &ctx())
            .unwrap();
        assert!(String::from_utf8(req.body)
            .unwrap()
            .contains(r#""dst":"01088886666""#));
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        let cases = [
            (SendCode::new("13800138000", "12345678901234567890"), "code"),
            (SendCode::new("13800138000", "12-34"), "code"),
            (SendCode::new("13800138000", ""), "code"),
            (
                SendCode::new("13800138000", "1234").play_times(4),
                "play_times",
            ),
            (
                SendCode::new("13800138000", "1234").play_times(0),
                "play_times",
            ),
            (
                SendCode::new("13800138000", "1234").user_data("x"),
                "user_data",
            ),
            (SendCode::new("+14155550100", "1234"), "to"),
        ];
        for (req, field) in cases {
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{req:?}");
            assert_eq!(err.field(), Some(field), "{req:?}");
            assert_eq!(err.outcome(), crate::Outcome::NotSent);
        }
        // 19 characters is the longest code.
        assert!(config()
            .send_code(
                PRODUCTION,
                &SendCode::new("13800138000", "abcdefghij123456789"),
                &ctx()
            )
            .is_ok());
    }

    #[test]
    fn parses_success_with_string_status() {
        let resp = HttpResponse::new(
            200,
            r#"{ "statusCode":"0","statusMsg":"提交成功","requestId":"2016010000000205"}"#,
        );
        let receipt = config().parse_send_code(&resp).unwrap();
        assert_eq!(receipt.message_id, "2016010000000205");
        assert_eq!(receipt.vendor_code, "0");
        assert_eq!(receipt.vendor_message, "提交成功");
    }

    #[test]
    fn every_documented_code_maps_to_its_kind_and_outcome() {
        // Mirrors the vendor's table; written out independently of CODES.
        let expected = [
            ("-1", InvalidInput, Refused),
            ("-2", InvalidInput, Refused),
            ("-3", VendorError, Refused),
            ("-4", VendorError, Refused),
            ("-100", VendorError, Unknown),
            ("-101", InvalidInput, Refused),
            ("-102", InvalidInput, Refused),
            ("-200", AuthFailed, Refused),
            ("-201", Forbidden, Refused),
            ("-202", AuthFailed, Refused),
            ("-203", AuthFailed, Refused),
            ("-204", InsufficientBalance, Refused),
            ("-205", Forbidden, Refused),
            ("-999", VendorError, Refused),
        ];
        for (code, kind, outcome) in expected {
            let body = format!(r#"{{"statusCode":"{code}","statusMsg":"m","requestId":""}}"#);
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!((err.kind(), err.outcome()), (kind, outcome), "code {code}");
            assert_eq!(err.vendor_code(), Some(code));
            assert_eq!(err.retryable(), outcome == Refused && kind == VendorError);
        }
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_body() {
        for status in [500, 502, 503] {
            let refusal = r#"{"statusCode":"-204","statusMsg":"账户余额不足"}"#;
            let err = config()
                .parse_send_code(&HttpResponse::new(status, refusal))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.retryable()),
                (InsufficientBalance, Unknown, false)
            );
            assert_eq!(
                (err.vendor_code(), err.vendor_message(), err.http_status()),
                (Some("-204"), Some("账户余额不足"), Some(status))
            );
        }
    }

    #[test]
    fn numeric_status_codes_are_kept_as_text() {
        let err = config()
            .parse_send_code(&HttpResponse::new(
                200,
                r#"{"statusCode":-204,"statusMsg":"账户余额不足"}"#,
            ))
            .unwrap_err();
        assert_eq!(err.vendor_code(), Some("-204"));
        assert_eq!(err.kind(), ErrorKind::InsufficientBalance);
    }

    #[test]
    fn unreadable_answers_are_protocol_errors_with_unknown_outcome() {
        for body in [
            &b"<html>502</html>"[..],
            b"{\"statusCode\":\"0\"",
            b"\xff\xfe",
            b"{}",
            br#"{"statusCode":"0"}"#,
        ] {
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Protocol, "{body:?}");
            assert_eq!(err.outcome(), crate::Outcome::Unknown);
        }
    }

    #[test]
    fn parses_balance() {
        let b = config()
            .parse_balance(&HttpResponse::new(
                200,
                r#"{"AccountSID":"x","Blance":7.08}"#,
            ))
            .unwrap();
        assert_eq!(b.amount, "7.08");
        assert_eq!(b.unit, BalanceUnit::Yuan);
        let err = config()
            .parse_balance(&HttpResponse::new(
                200,
                r#"{"statusCode":"-203","statusMsg":"AuthToken验证失败"}"#,
            ))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AuthFailed);
    }
}
