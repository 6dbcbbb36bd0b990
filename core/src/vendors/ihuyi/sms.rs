//! ihuyi 互亿无线 SMS: a verification code by `sms.php?method=Submit` on `106.ihuyi.com`.
//!
//! Sources: ihuyi's "短信验证码接口文档 v3.3" (the same `Submit` form and dynamic password as
//! its voice API, §3 and §8) and its sending guide (templates, limits); see
//! `docs/protocols/ihuyi.md#sms-product--sms`.
//!
//! Decisions:
//! - `content` is the whole message, which must match an approved template character for
//!   character (vendor code 4072 otherwise): the config's `template`, with `{code}` where the
//!   template's 【变量】 is. ihuyi adds the account's 【signature】 itself, so the template holds
//!   none. The default is ihuyi's own default template.
//! - `password` is the dynamic password, MD5 of account, APIKEY, mobile, content and time, as
//!   for voice: the APIKEY never travels.
//! - Success is code 2 with the message's `smsid`.

use std::sync::Arc;

use serde::Deserialize;

use super::{read_receipt, Sender};
use crate::http::HttpResponse;
use crate::model::{CallEvent, EventKind, Receipt};
use crate::protocol::checks::{check_header_safe, check_secret, CodeAlphabet, CodeRule};
use crate::protocol::vendor::{CodeSender, Protocol, PushAck};
use crate::protocol::wire::{bad_body, china_time, form_fields, text_field};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

const PRODUCTION: &str = "https://106.ihuyi.com";
const PATH: &str = "/webservice/sms.php";
/// Where the code goes in a template.
pub(super) const CODE_MARK: &str = "{code}";
/// ihuyi's default template (默认模板), whose 【变量】 is the code.
const DEFAULT_TEMPLATE: &str = "您的验证码是：{code}。请不要把验证码泄露给其他人。";
/// "变量内容超过指定的长度【8】" (40722); the default template's variable is "任意4-8位".
const CODE: CodeRule = CodeRule {
    min_len: 4,
    max_len: 8,
    alphabet: CodeAlphabet::Alphanumeric,
};
/// "长短信最多支持300字".
const MAX_CONTENT_CHARS: usize = 300;

/// ihuyi SMS account (`vendor = "ihuyi"`, `product = "sms"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IhuyiSmsConfig {
    /// APIID of the 验证码通知短信 product.
    pub account: String,
    /// APIKEY; only its MD5 digest (the dynamic password) is ever sent.
    pub api_key: Secret,
    /// The approved template's text with `{code}` for its variable, without the 【signature】;
    /// ihuyi's default template unless set.
    pub template: Option<String>,
}

impl IhuyiSmsConfig {
    fn template(&self) -> &str {
        self.template.as_deref().unwrap_or(DEFAULT_TEMPLATE)
    }
}

use ErrorKind::*;
use Outcome::*;

/// 短信验证码接口 v3.3's Submit codes (§3.5), line for line: code, kind, outcome. No code of the
/// table names a server-side error or a timeout; `0` says the submission failed.
#[rustfmt::skip] // one line per code, as in the vendor's table
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("0", VendorError, Refused),          // 提交失败
    ("400", Forbidden, Refused),          // 非法ip访问
    ("401", InvalidConfig, Refused),      // 帐号不能为空
    ("402", InvalidConfig, Refused),      // 密码不能为空
    ("403", InvalidInput, Refused),       // 手机号码不能为空
    ("4030", RecipientBlocked, Refused),  // 手机号码已被列入黑名单
    ("404", InvalidInput, Refused),       // 短信内容不能为空
    ("405", AuthFailed, Refused),         // API ID 或 API KEY 不正确
    ("4050", Forbidden, Refused),         // 账号被冻结
    ("40501", AuthFailed, Refused),       // 动态密码已过期: the host clock
    ("40502", AuthFailed, Refused),       // 动态密码校验失败
    ("4051", InsufficientBalance, Refused), // 剩余条数不足
    ("4052", Forbidden, Refused),         // 访问ip与备案ip不符
    ("406", InvalidInput, Refused),       // 手机号码格式不正确
    ("407", ContentRejected, Refused),    // 短信内容含有敏感字符
    ("4070", InvalidConfig, Refused),     // 签名格式不正确
    ("4071", InvalidConfig, Refused),     // 没有提交备案模板
    ("4072", InvalidConfig, Refused),     // 提交的短信内容与审核通过的模板内容不匹配: template
    ("40722", InvalidInput, Refused),     // 变量内容超过指定的长度【8】
    ("4073", InvalidConfig, Refused),     // 短信内容超出长度限制
    ("4074", InvalidConfig, Refused),     // 短信内容包含emoji符号
    ("4075", InvalidConfig, Refused),     // 签名未通过审核
    ("408", RateLimited, Refused),        // 发送超限，已加入黑名单
    ("4080", RateLimited, Refused),       // 同一手机号码同一秒钟之内发送频率不能超过1条
    ("4082", RateLimited, Refused),       // 超出同一手机号一天之内【5】条短信限制
    ("4085", RateLimited, Refused),       // 同一手机号验证码短信发送超出【5】条
];

/// What a receiver answers to a delivery report (发送回执推送, v3.3 §5): the word `success`.
/// Anything else and ihuyi pushes the report again, up to 3 times.
pub const REPORT_ACK: PushAck = PushAck::text("success");

/// A delivery report (发送回执推送, v3.3 §5): a form post of `code` (2 delivered, anything else
/// not), `msg`, `mobilephone`, `smsid` (the receipt's message id) and `report_time`, China
/// wall-clock time. The push is unsigned: a secret in the report URL (set in ihuyi's console)
/// and de-duplication are the receiver's defences.
pub(super) fn parse_report(_headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let form = form_fields(Vendor::Ihuyi, body)?;
    let bad = |detail: &str| bad_body(Vendor::Ihuyi, detail);
    let message_id = text_field(&form, "smsid").ok_or_else(|| bad("no smsid"))?;
    let code = text_field(&form, "code").ok_or_else(|| bad("no code"))?;
    let event = if code.trim() == "2" {
        EventKind::Delivered
    } else {
        EventKind::Failed
    };
    Ok(vec![CallEvent {
        vendor: Vendor::Ihuyi,
        message_id,
        phone: text_field(&form, "mobilephone"),
        event,
        at: china_time(text_field(&form, "report_time").as_deref()),
        state_code: code.trim().parse().ok(),
        state_desc: text_field(&form, "msg"),
        talk_seconds: None,
        user_data: None,
        raw: form,
    }])
}

impl Protocol for IhuyiSmsConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("account", &self.account)?;
        check_secret("api_key", &self.api_key)?;
        let template = self.template();
        if template.matches(CODE_MARK).count() != 1 {
            return Err(Error::invalid_config(
                "template",
                "must hold {code} once, where the approved template's 【变量】 is",
            ));
        }
        if template.contains(['【', '】']) {
            return Err(Error::invalid_config(
                "template",
                "must not hold 【】: ihuyi adds the account's signature itself",
            ));
        }
        let longest = template.chars().count() - CODE_MARK.len() + CODE.max_len;
        if longest > MAX_CONTENT_CHARS {
            return Err(Error::invalid_config(
                "template",
                format!("must stay within {MAX_CONTENT_CHARS} characters with the code in it"),
            ));
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        Ok(Arc::new(Sender::new(
            "ihuyi SMS",
            format!("{base}{PATH}?method=Submit"),
            (&self.account, &self.api_key),
            CODE,
            Some(self.template().to_owned()),
        )))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        read_receipt(CODES, resp)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::http::{Context, Method};
    use crate::model::SendCode;
    use crate::vendors::ihuyi::submit_password;

    fn config() -> IhuyiSmsConfig {
        IhuyiSmsConfig {
            account: "test".into(),
            api_key: "1q784322ba1d9bb88d50cf5cdfd89k7d".into(),
            template: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.timestamp_opt(1_451_544_941, 0).unwrap(),
            nonce: "unused".into(),
        }
    }

    /// The document's §8 example: APIID `test`, its APIKEY, time 1451544941, the default
    /// template with the code 2546 (the document masks the mobile, so this one is ours).
    #[test]
    fn golden_send_request() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("13800138000", "2546"), &ctx())
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://106.ihuyi.com/webservice/sms.php?method=Submit"
        );
        let content = "您的验证码是：2546。请不要把验证码泄露给其他人。";
        let password = submit_password(
            "test",
            "1q784322ba1d9bb88d50cf5cdfd89k7d",
            "13800138000",
            content,
            "1451544941",
        );
        let body: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).unwrap();
        let expected: Vec<(String, String)> = [
            ("account", "test"),
            ("password", password.as_str()),
            ("mobile", "13800138000"),
            ("content", content),
            ("time", "1451544941"),
            ("format", "json"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        assert_eq!(body, expected);
    }

    #[test]
    fn sends_are_checked_before_anything_is_sent() {
        let refused = |to: &str, code: &str| {
            let err = config()
                .send_code(PRODUCTION, &SendCode::new(to, code), &ctx())
                .unwrap_err();
            (err.kind(), err.field().map(str::to_owned))
        };
        let input = |field: &str| (InvalidInput, Some(field.to_owned()));
        assert_eq!(refused("075528001234", "4821"), input("to"));
        assert_eq!(refused("+85261234567", "4821"), input("to"));
        assert_eq!(refused("13800138000", "123456789"), input("code"));
        assert_eq!(refused("13800138000", "12-4"), input("code"));
    }

    #[test]
    fn config_rules_name_their_key() {
        for template in [
            "您的验证码是：{code}{code}",
            "没有变量",
            "【互亿无线】您的验证码是：{code}",
        ] {
            let mut config = config();
            config.template = Some(template.into());
            let err = config.validate().unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidConfig, Some("template")),
                "{template}"
            );
        }
        assert!(config().validate().is_ok());
    }

    #[test]
    fn answers_read_smsid_or_the_sms_table() {
        let ok = r#"{"code":2,"msg":"提交成功","smsid":"14745625541233112231"}"#;
        let receipt = config()
            .parse_send_code(&HttpResponse::new(200, ok))
            .unwrap();
        assert_eq!(receipt.message_id, "14745625541233112231");
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><SubmitResult xmlns="106.ihuyi.com"><code>4072</code><msg>提交的短信内容与审核通过的模板内容不匹配</msg><smsid>0</smsid></SubmitResult>"#;
        let err = config()
            .parse_send_code(&HttpResponse::new(200, xml))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.vendor_code()),
            (InvalidConfig, Some("4072"))
        );
        let limited = r#"{"code":"4085","msg":"同一手机号验证码短信发送超出5条","smsid":"0"}"#;
        let err = config()
            .parse_send_code(&HttpResponse::new(200, limited))
            .unwrap_err();
        assert_eq!((err.kind(), err.outcome()), (RateLimited, Refused));
    }
}
