//! ihuyi 互亿无线: voice code `voice.php?method=Submit` and balance `method=GetNum`; its SMS
//! product ([`sms`]) shares the dynamic password, the form and the answer reader.
//!
//! Sources and decisions: `docs/protocols/ihuyi.md#sources`.
//! - Form POST; `password` is always the dynamic password
//!   `md5_hex_lower(account + APIKEY + mobile + content + time)` (GetNum: without mobile and
//!   content), so the APIKEY itself never travels, unlike the vendor's demos.
//! - `content` is the code: 4–6 digits (vendor code 4070 otherwise).
//! - Answers are XML by default, JSON when `format=json`; voicecode asks for JSON but reads both,
//!   and reads XML namespace-agnostically because the namespace differs between ihuyi hosts and
//!   some samples name the id `smsid` instead of `voiceid`.

pub mod sms;

use std::borrow::Cow;
use std::sync::Arc;

use md5::{Digest as _, Md5};
use quick_xml::events::Event;
use serde::Deserialize;

use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{Balance, BalanceUnit, Receipt};
use crate::protocol::checks::{check_header_safe, check_secret, refuse_unsupported, CodeRule};
use crate::protocol::encode;
use crate::protocol::vendor::{
    CodeSender, ParsedSend, Protocol, PushAck, PushParser, Signer, VendorFacts,
};
use crate::protocol::wire::{classify, form, form_post, preview, utf8_body, Scalar};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

pub(crate) const PRODUCTION: &str = "https://api.voice.ihuyi.com";
const PATH: &str = "/webservice/voice.php";

/// ihuyi account (`vendor = "ihuyi"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IhuyiConfig {
    /// APIID.
    pub account: String,
    /// APIKEY; only its MD5 digest (the dynamic password) is ever sent.
    pub api_key: Secret,
}

use ErrorKind::*;
use Outcome::*;

/// 语音发送错误码参照 and 余额查询错误码参照, line for line: code, kind, outcome. No code of
/// the table names a server-side error or a timeout; `0` says the submission itself failed.
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("0", VendorError, Refused),            // 提交失败: not submitted
    ("400", Forbidden, Refused),            // 非法ip访问
    ("401", InvalidConfig, Refused),        // 帐号不能为空
    ("402", InvalidConfig, Refused),        // 密码不能为空
    ("403", InvalidInput, Refused),         // 手机号码不能为空
    ("4030", RecipientBlocked, Refused),    // 手机号码已被列入黑名单
    ("404", InvalidInput, Refused),         // 语音内容不能为空
    ("405", AuthFailed, Refused),           // 用户名或密码不正确
    ("4050", Forbidden, Refused),           // 账号被冻结
    ("4051", InsufficientBalance, Refused), // 剩余条数不足
    ("4052", Forbidden, Refused),           // 访问ip与备案ip不符
    ("406", InvalidInput, Refused),         // 手机格式不正确
    ("407", ContentRejected, Refused),      // 短信内容含有敏感字符
    ("4070", InvalidInput, Refused),        // 语音验证码内容必须为4-6位数字
    ("408", Forbidden, Refused),            // 帐户疑被恶意利用,已被自动冻结
];

const SUCCESS: &str = "2";

fn md5_hex(parts: &[&str]) -> String {
    let mut md5 = Md5::new();
    for part in parts {
        md5.update(part.as_bytes());
    }
    encode::hex_lower(&md5.finalize())
}

/// Submit's dynamic password.
pub fn submit_password(
    account: &str,
    api_key: &str,
    mobile: &str,
    content: &str,
    time: &str,
) -> String {
    md5_hex(&[account, api_key, mobile, content, time])
}

/// GetNum's dynamic password.
pub fn balance_password(account: &str, api_key: &str, time: &str) -> String {
    md5_hex(&[account, api_key, time])
}

/// The content type of every request, as the vendor's demo spells it.
const FORM: &str = "application/x-www-form-urlencoded;charset=UTF-8";

/// A query operation (`?method=GetNum`, ...) with its form.
fn method_post(base: &str, method: &str, fields: &[(&str, &str)]) -> HttpRequest {
    form_post(format!("{base}{PATH}?method={method}"), FORM, form(fields))
}

/// The fields of a `SubmitResult`/`GetNumResult` that voicecode reads, from either XML or JSON,
/// as text whether the vendor wrote them as strings or numbers.
#[derive(Default)]
struct Fields {
    code: Option<String>,
    msg: Option<String>,
    voiceid: Option<String>,
    smsid: Option<String>,
    num: Option<String>,
}

impl Fields {
    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        match name {
            "code" => Some(&mut self.code),
            "msg" => Some(&mut self.msg),
            "voiceid" => Some(&mut self.voiceid),
            "smsid" => Some(&mut self.smsid),
            "num" => Some(&mut self.num),
            _ => None,
        }
    }
}

/// The JSON answer, read without a `Value` for every field.
#[derive(Deserialize)]
struct JsonFields<'a> {
    #[serde(borrow)]
    code: Option<Scalar<'a>>,
    #[serde(borrow)]
    msg: Option<Scalar<'a>>,
    #[serde(borrow)]
    voiceid: Option<Scalar<'a>>,
    #[serde(borrow)]
    smsid: Option<Scalar<'a>>,
    #[serde(borrow)]
    num: Option<Scalar<'a>>,
}

fn fields(resp: &HttpResponse) -> Result<Fields> {
    let text = utf8_body(Vendor::Ihuyi, resp)?
        .trim_start_matches('\u{feff}')
        .trim();
    let unreadable = |detail: String| Error::protocol(Vendor::Ihuyi, resp.status, detail);
    if text.starts_with('<') {
        return xml_fields(text)
            .map_err(|e| unreadable(format!("bad XML ({e}): {}", preview(text))));
    }
    // Anything but an object is refused with its own message, before the fields are read.
    if !text.starts_with('{') {
        let detail = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => format!("expected an object, got {}", preview(text)),
            Err(e) => format!("expected JSON or XML ({e}), got {}", preview(text)),
        };
        return Err(unreadable(detail));
    }
    let json: JsonFields = serde_json::from_str(text)
        .map_err(|e| unreadable(format!("expected JSON or XML ({e}), got {}", preview(text))))?;
    let owned = |field: Option<Scalar>| field.and_then(|s| s.0).map(Cow::into_owned);
    Ok(Fields {
        code: owned(json.code),
        msg: owned(json.msg),
        voiceid: owned(json.voiceid),
        smsid: owned(json.smsid),
        num: owned(json.num),
    })
}

/// Text of the root element's children, by local name (namespaces ignored).
fn xml_fields(text: &str) -> std::result::Result<Fields, quick_xml::Error> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut fields = Fields::default();
    let mut depth = 0usize;
    let mut current: Option<String> = None;
    let mut closed_root = false;
    loop {
        match reader.read_event()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    current = Some(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                }
            }
            Event::Text(t) if depth == 2 => {
                if let Some(slot) = current.as_deref().and_then(|name| fields.slot(name)) {
                    *slot = Some(t.unescape()?.into_owned());
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                current = None;
                closed_root |= depth == 0;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !closed_root {
        return Err(quick_xml::Error::Syntax(
            quick_xml::errors::SyntaxError::UnclosedTag,
        ));
    }
    Ok(fields)
}

/// Refuses unless `code` is 2, reading any other through the voice table.
fn check(resp: &HttpResponse, fields: &Fields) -> Result<()> {
    check_in(CODES, resp, fields)
}

/// Refuses unless `code` is 2, reading any other through `table`.
fn check_in(
    table: &[(&str, ErrorKind, Outcome)],
    resp: &HttpResponse,
    fields: &Fields,
) -> Result<()> {
    let code = fields
        .code
        .as_deref()
        .ok_or_else(|| Error::protocol(Vendor::Ihuyi, resp.status, "the answer has no code"))?;
    if code == SUCCESS {
        return Ok(());
    }
    let msg = fields.msg.as_deref().unwrap_or("");
    Err(Error::answered(
        Vendor::Ihuyi,
        classify(table, code),
        resp.status,
        code,
        msg,
    ))
}

/// The dynamic-password voice API speaks 4 to 6 digits (ihuyi 语音验证码 API).
const CODE: CodeRule = CodeRule::digits(4, 6);

/// `Submit` of either product from one channel: the form's `account` field encoded, and MD5
/// already fed with the account and the APIKEY, the start of every dynamic password (the APIKEY
/// itself is not kept).
struct Sender {
    /// `ihuyi` or `ihuyi SMS`, as errors name the product.
    name: &'static str,
    url: Arc<str>,
    account: String,
    keyed: Md5,
    rule: CodeRule,
    /// The SMS text around the code; the voice product sends the code alone.
    template: Option<Template>,
}

/// An SMS template split at its `{code}`, each side as text (hashed) and form-encoded (sent),
/// once per channel: a Chinese template is most of a message's bytes.
struct Template {
    text: (String, String),
    form: (String, String),
}

impl Template {
    fn new(template: &str) -> Self {
        let (before, after) = template
            .split_once(sms::CODE_MARK)
            .unwrap_or((template, ""));
        let encode = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
        Template {
            text: (before.to_owned(), after.to_owned()),
            form: (encode(before), encode(after)),
        }
    }
}

impl Sender {
    fn new(
        name: &'static str,
        url: String,
        config: (&str, &Secret),
        rule: CodeRule,
        template: Option<String>,
    ) -> Self {
        let (account, api_key) = config;
        Sender {
            name,
            url: url.into(),
            account: form(&[("account", account)]),
            keyed: Md5::new()
                .chain_update(account)
                .chain_update(api_key.expose()),
            rule,
            template: template.as_deref().map(Template::new),
        }
    }
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported(self.name, req.options, &[])?;
        let mobile = req.to.mobile("to", self.name)?;
        self.rule.check(req.code)?;
        // The code is letters or digits: it reads the same form-encoded.
        let code = req.code;
        let (text, sent) = match &self.template {
            Some(t) => (
                [t.text.0.as_str(), code, t.text.1.as_str()],
                [t.form.0.as_str(), code, t.form.1.as_str()],
            ),
            None => (["", code, ""], ["", code, ""]),
        };
        // Only `time` and the password it ends are left to the signature.
        let keyed = text
            .iter()
            .fold(self.keyed.clone().chain_update(mobile), |md5, part| {
                md5.chain_update(part)
            });
        let recipient =
            encode::concat(&["mobile=", mobile, "&content=", sent[0], sent[1], sent[2]]);
        Ok(Box::new(move |ctx: &Context| {
            let time = ctx.now.timestamp().to_string();
            let password = encode::hex_lower(&keyed.clone().chain_update(&time).finalize());
            // `password` (hex) and `time` (digits) need no encoding.
            let body = encode::concat(&[
                &self.account,
                "&password=",
                &password,
                "&",
                &recipient,
                "&time=",
                &time,
                "&format=json",
            ]);
            form_post(&self.url, FORM, body)
        }))
    }
}

/// A `SubmitResult` of either product: code 2 with its id (`voiceid`, or `smsid`), or a code
/// read through `table`.
fn read_receipt(table: &[(&str, ErrorKind, Outcome)], resp: &HttpResponse) -> Result<Receipt> {
    let fields = fields(resp)?;
    check_in(table, resp, &fields)?;
    let message_id = fields
        .voiceid
        .or(fields.smsid)
        .filter(|id| !id.is_empty() && id != "0")
        .ok_or_else(|| Error::protocol(Vendor::Ihuyi, resp.status, "success without a voiceid"))?;
    let message = fields.msg.unwrap_or_default();
    Ok(Receipt::new(Vendor::Ihuyi, message_id, SUCCESS, message))
}

impl VendorFacts for IhuyiConfig {
    const DISPLAY_NAME: &'static str = "ihuyi";
    const SECRET_KEY: Option<&'static str> = Some("api_key");
    // Only the SMS product reports back; the voice API documents no push.
    const PUSH: Option<(PushParser, PushAck)> = Some((sms::parse_report, sms::REPORT_ACK));
}

impl Protocol for IhuyiConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("account", &self.account)?;
        check_secret("api_key", &self.api_key)?;
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        Ok(Arc::new(Sender::new(
            "ihuyi",
            format!("{base}{PATH}?method=Submit"),
            (&self.account, &self.api_key),
            CODE,
            None,
        )))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        read_receipt(CODES, resp)
    }

    fn balance(&self, base: &str, ctx: &Context) -> Result<HttpRequest> {
        let time = ctx.now.timestamp().to_string();
        let password = balance_password(&self.account, self.api_key.expose(), &time);
        let fields = [
            ("account", &*self.account),
            ("password", &password),
            ("time", &time),
            ("format", "json"),
        ];
        Ok(method_post(base, "GetNum", &fields))
    }

    fn parse_balance(&self, resp: &HttpResponse) -> Result<Balance> {
        let fields = fields(resp)?;
        check(resp, &fields)?;
        let amount = fields
            .num
            .ok_or_else(|| Error::protocol(Vendor::Ihuyi, resp.status, "the answer has no num"))?;
        Ok(Balance {
            vendor: Vendor::Ihuyi,
            amount,
            unit: BalanceUnit::Units,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SendCode;
    use chrono::{TimeZone, Utc};

    fn config() -> IhuyiConfig {
        IhuyiConfig {
            account: "VM12345678".into(),
            api_key: "0123456789abcdef0123456789abcdef".into(),
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            nonce: "unused".into(),
        }
    }

    #[test]
    fn known_answer_vectors() {
        let c = config();
        let key = c.api_key.expose();
        assert_eq!(
            submit_password(&c.account, key, "13800138000", "1234", "1700000000"),
            "a4b19300e6e48fdc9d11babe475591e8"
        );
        assert_eq!(
            balance_password(&c.account, key, "1700000000"),
            "6e033872add81c11a35bd65a5f279173"
        );
    }

    #[test]
    fn golden_send_code_request_never_carries_the_api_key() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("+8613800138000", "1234"), &ctx())
            .unwrap();
        assert_eq!(
            req.url,
            "https://api.voice.ihuyi.com/webservice/voice.php?method=Submit"
        );
        assert_eq!(
            req.header_value("content-type"),
            Some("application/x-www-form-urlencoded;charset=UTF-8")
        );
        let body = String::from_utf8(req.body).unwrap();
        assert_eq!(
            body,
            "account=VM12345678&password=a4b19300e6e48fdc9d11babe475591e8&mobile=13800138000&content=1234&time=1700000000&format=json"
        );
        assert!(!body.contains(config().api_key.expose()));
    }

    #[test]
    fn golden_balance_request() {
        let req = config().balance("http://127.0.0.1:1", &ctx()).unwrap();
        assert_eq!(
            req.url,
            "http://127.0.0.1:1/webservice/voice.php?method=GetNum"
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            "account=VM12345678&password=6e033872add81c11a35bd65a5f279173&time=1700000000&format=json"
        );
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        let cases = [
            (SendCode::new("13800138000", "123"), "code"),
            (SendCode::new("13800138000", "1234567"), "code"),
            (SendCode::new("13800138000", "12a4"), "code"),
            (SendCode::new("01088886666", "1234"), "to"),
            (SendCode::new("+14155550100", "1234"), "to"),
            (
                SendCode::new("13800138000", "1234").play_times(2),
                "play_times",
            ),
        ];
        for (req, field) in cases {
            let err = config().send_code(PRODUCTION, &req, &ctx()).unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidInput, Some(field)),
                "{req:?}"
            );
        }
    }

    #[test]
    fn reads_xml_in_any_namespace_with_voiceid_or_smsid() {
        let bodies = [
            r#"<?xml version="1.0" encoding="utf-8"?><SubmitResult xmlns="http://106.ihuyi.cn/"><code>2</code><msg>提交成功</msg><voiceid>60495654</voiceid></SubmitResult>"#,
            r#"<SubmitResult xmlns="http://api.voice.ihuyi.com/"><code>2</code><msg>提交成功</msg><smsid>60495654</smsid></SubmitResult>"#,
            "<SubmitResult>\n  <code>2</code>\n  <msg>提交成功</msg>\n  <voiceid>60495654</voiceid>\n</SubmitResult>",
            r#"<x:SubmitResult xmlns:x="urn:other"><x:code>2</x:code><x:msg>提交成功</x:msg><x:voiceid>60495654</x:voiceid></x:SubmitResult>"#,
        ];
        for body in bodies {
            let receipt = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap();
            assert_eq!(receipt.message_id, "60495654", "{body}");
            assert_eq!(receipt.vendor_message, "提交成功");
        }
    }

    #[test]
    fn reads_json_with_numeric_or_string_code() {
        for body in [
            r#"{"code":2,"msg":"提交成功","voiceid":"60495654"}"#,
            r#"{"code":"2","msg":"提交成功","voiceid":60495654}"#,
        ] {
            assert_eq!(
                config()
                    .parse_send_code(&HttpResponse::new(200, body))
                    .unwrap()
                    .message_id,
                "60495654"
            );
        }
    }

    #[test]
    fn every_documented_code_maps_to_its_kind() {
        let expected = [
            ("0", VendorError),
            ("400", Forbidden),
            ("401", InvalidConfig),
            ("402", InvalidConfig),
            ("403", InvalidInput),
            ("4030", RecipientBlocked),
            ("404", InvalidInput),
            ("405", AuthFailed),
            ("4050", Forbidden),
            ("4051", InsufficientBalance),
            ("4052", Forbidden),
            ("406", InvalidInput),
            ("407", ContentRejected),
            ("4070", InvalidInput),
            ("408", Forbidden),
            ("499", VendorError),
        ];
        for (code, kind) in expected {
            let xml = format!(
                "<SubmitResult><code>{code}</code><msg>m</msg><voiceid>0</voiceid></SubmitResult>"
            );
            let json = format!(r#"{{"code":{code},"msg":"m","voiceid":"0"}}"#);
            for body in [xml, json] {
                let err = config()
                    .parse_send_code(&HttpResponse::new(200, body))
                    .unwrap_err();
                assert_eq!((err.kind(), err.vendor_code()), (kind, Some(code)));
                assert_eq!(err.outcome(), Refused);
            }
        }
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_body() {
        for status in [500, 502, 503] {
            for body in [
                "<SubmitResult><code>4051</code><msg>剩余条数不足</msg></SubmitResult>",
                r#"{"code":4051,"msg":"剩余条数不足"}"#,
            ] {
                let err = config()
                    .parse_send_code(&HttpResponse::new(status, body))
                    .unwrap_err();
                assert_eq!(
                    (err.kind(), err.outcome(), err.retryable()),
                    (InsufficientBalance, Unknown, false)
                );
                assert_eq!(
                    (err.vendor_code(), err.vendor_message(), err.http_status()),
                    (Some("4051"), Some("剩余条数不足"), Some(status))
                );
            }
        }
    }

    #[test]
    fn parses_balance_in_both_formats() {
        for body in [
            "<GetNumResult xmlns=\"http://106.ihuyi.cn/\"><code>2</code><msg>查询成功</msg><num>120</num></GetNumResult>",
            r#"{"code":2,"msg":"查询成功","num":120}"#,
        ] {
            let b = config().parse_balance(&HttpResponse::new(200, body)).unwrap();
            assert_eq!((b.amount.as_str(), b.unit), ("120", BalanceUnit::Units));
        }
        let err = config()
            .parse_balance(&HttpResponse::new(
                200,
                r#"{"code":405,"msg":"用户名或密码不正确"}"#,
            ))
            .unwrap_err();
        assert_eq!(err.kind(), AuthFailed);
    }

    #[test]
    fn truncated_or_foreign_answers_are_protocol_errors() {
        for body in [
            "<SubmitResult><code>2</code><msg>提交",
            "{\"code\":2",
            "",
            "[1,2]",
            "<html><body>502</body></html>",
        ] {
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (Protocol, crate::Outcome::Unknown),
                "{body}"
            );
        }
    }
}
