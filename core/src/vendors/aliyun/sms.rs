//! Alibaba Cloud SMS (短信服务, `dysmsapi` 2017-05-25): a verification code by `SendSms`.
//!
//! Sources (Alibaba Cloud's own documents):
//! - API: "SendSms - 发送短信", <https://help.aliyun.com/document_detail/55284.html> (parameters,
//!   ranges, answer); 验证码模板规范 <https://help.aliyun.com/document_detail/463237.htm>.
//! - Signature: the RPC signature of the account's gateway, as for the voice service (see the
//!   parent module); SMS's "签名机制" <https://help.aliyun.com/document_detail/101343.htm> carries
//!   a worked `SendSms` example, reproduced in the tests below.
//! - Codes: 国内消息API错误码 <https://help.aliyun.com/document_detail/101346.html> and its older
//!   copy <https://help.aliyun.com/document_detail/101347.htm>; flow control "什么是短信发送流控
//!   限制" <https://help.aliyun.com/document_detail/2881383.html>.
//!
//! Decisions:
//! - One number per send (`PhoneNumbers` takes up to 1,000 separated by commas; a verification
//!   code goes to one). Mainland mobiles go as their 11 digits; numbers outside the mainland as
//!   country code and number without `+`, which the document asks for (国际/港澳台消息). SMS
//!   cannot reach landlines.
//! - The code travels in `TemplateParam` as `{"<template_param_name>":"<code>"}`; the document's
//!   rule for a verification-code variable (4 to 6 letters or digits) is checked before
//!   anything is sent.
//! - `user_data` is sent as `OutId`, which delivery reports carry back as `out_id`.
//! - Success is `Code == "OK"` with the message's `BizId`; every other code is read through
//!   [`CODES`] and then the gateway's codes, which both products of the account share.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::{is_variable_name, parse_answer, validate_account, Rpc, RpcSetup, PRODUCTION_SMS};
use crate::http::{Context, HttpResponse};
use crate::model::{CallEvent, EventKind, Receipt};
use crate::phone::Phone;
use crate::protocol::checks::{refuse_unsupported, CodeAlphabet, CodeRule};
use crate::protocol::encode;
use crate::protocol::vendor::{CodeSender, ParsedSend, Protocol, Signer};
use crate::protocol::wire::{bad_body, china_time, text_field};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

const ACTION: &str = "SendSms";
/// The variable of a verification-code template unless `template_param_name` says otherwise.
const DEFAULT_TEMPLATE_PARAM_NAME: &str = "code";
/// "变量长度限制:4~6个字符,仅数字、数字+字母组合或仅字母" (验证码模板规范,
/// help.aliyun.com/document_detail/463237.htm).
const CODE: CodeRule = CodeRule {
    min_len: 4,
    max_len: 6,
    alphabet: CodeAlphabet::Alphanumeric,
};
/// `OutId`: "外部流水扩展字段，长度小于 256 的字符串" (SendBatchSms; SendSms gives no length).
const MAX_OUT_ID_CHARS: usize = 255;
/// `SignName`: the approved signature, 2 to 12 characters (短信签名规范).
const SIGN_NAME_CHARS: std::ops::RangeInclusive<usize> = 2..=12;

/// Alibaba Cloud SMS account (`vendor = "aliyun"`, `product = "sms"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AliyunSmsConfig {
    /// AccessKey ID (of a RAM user allowed `dysms:SendSms`).
    pub access_key_id: String,
    /// AccessKey secret; used only as the HMAC key, never sent.
    pub access_key_secret: Secret,
    /// `SignName`: the approved signature the message starts with, e.g. `阿里云短信测试`.
    pub sign_name: String,
    /// `TemplateCode`: the approved verification-code template, e.g. `SMS_154950909`.
    pub template_code: String,
    /// The template's variable that receives the code (`${code}` → `code`, the default).
    pub template_param_name: Option<String>,
    /// `RegionId`, `cn-hangzhou` unless set.
    pub region_id: Option<String>,
}

impl AliyunSmsConfig {
    fn template_param_name(&self) -> &str {
        self.template_param_name
            .as_deref()
            .unwrap_or(DEFAULT_TEMPLATE_PARAM_NAME)
    }
}

use ErrorKind::*;
use Outcome::*;

/// SendSms's own codes, line for line under the document they come from: code, kind, and
/// whether the code says no message was sent (`Refused`) or leaves it open (`Unknown`). The
/// gateway's codes ([`super::GATEWAY_CODES`]) are read after these.
#[rustfmt::skip] // one line per code, as in the vendor's lists
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    // 国内消息API错误码 (help.aliyun.com/document_detail/101346.html), in its order:
    ("isv.SMS_SIGNATURE_SCENE_ILLEGAL", InvalidConfig, Refused),     // 签名和模板类型不一致
    ("isv.EXTEND_CODE_ERROR", InvalidConfig, Refused),               // 扩展码使用错误，相同的扩展码不可用于多个签名
    ("isv.SIGN_STATE_ILLEGAL", InvalidConfig, Refused),              // 签名状态为"不可用"
    ("isv.DOMESTIC_NUMBER_NOT_SUPPORTED", InvalidInput, Refused),    // 国际/港澳台消息模板不支持发送境内号码
    ("isv.DENY_IP_RANGE", Forbidden, Refused),                       // IP地址所在的地区被禁用
    ("isv.DAY_LIMIT_CONTROL", RateLimited, Refused),                 // 触发日发送限额
    ("isv.MONTH_LIMIT_CONTROL", RateLimited, Refused),               // 触发月发送限额
    ("isv.SMS_CONTENT_ILLEGAL", ContentRejected, Refused),           // 短信内容包含禁止发送内容
    ("isv.SMS_SIGN_ILLEGAL", InvalidConfig, Refused),                // 签名禁止使用
    ("isp.RAM_PERMISSION_DENY", Forbidden, Refused),                 // RAM权限不足
    ("isv.OUT_OF_SERVICE", InsufficientBalance, Refused),            // 业务停机: the account is in arrears
    ("isv.PRODUCT_UN_SUBSCRIPT", Forbidden, Refused),                // 未开通云通信产品的阿里云客户
    ("isv.PRODUCT_UNSUBSCRIBE", Forbidden, Refused),                 // 产品未开通
    ("isv.ACCOUNT_NOT_EXISTS", AuthFailed, Refused),                 // 账户不存在: check the AccessKeyId
    ("isv.ACCOUNT_ABNORMAL", Forbidden, Refused),                    // 账户异常
    ("isv.SMS_TEMPLATE_ILLEGAL", InvalidConfig, Refused),            // 该账号下找不到对应模板
    ("isv.SMS_SIGNATURE_ILLEGAL", InvalidConfig, Refused),           // 该账号下找不到对应签名
    ("isv.INVALID_PARAMETERS", InvalidInput, Refused),               // 参数异常
    ("isp.SYSTEM_ERROR", VendorError, Unknown),                      // 系统错误: "please retry", the platform failed on its side
    ("isv.MOBILE_NUMBER_ILLEGAL", InvalidInput, Refused),            // 手机号码格式错误
    ("isv.MOBILE_COUNT_OVER_LIMIT", InvalidInput, Refused),          // 手机号码数量超过限制
    ("isv.TEMPLATE_MISSING_PARAMETERS", InvalidConfig, Refused),     // 模板变量缺少对应参数值: template_param_name
    ("isv.BUSINESS_LIMIT_CONTROL", RateLimited, Refused),            // 业务限流: 1/min, 5/h, 10/day per number and signature
    ("isv.INVALID_JSON_PARAM", InvalidInput, Refused),               // JSON参数不合法
    ("isv.BLACK_KEY_CONTROL_LIMIT", ContentRejected, Refused),       // 黑名单管控
    ("isv.PARAM_LENGTH_LIMIT", InvalidInput, Refused),               // 参数超出长度限制
    ("isv.PARAM_NOT_SUPPORT_URL", ContentRejected, Refused),         // 不支持URL
    ("isv.AMOUNT_NOT_ENOUGH", InsufficientBalance, Refused),         // 账户余额不足
    ("isv.TEMPLATE_PARAMS_ILLEGAL", ContentRejected, Refused),       // 模板变量里包含非法关键字
    ("isp.GATEWAY_ERROR", VendorError, Unknown),                     // 系统异常 (shared with the voice service's table)
    ("isv.SMS_TEST_NUMBER_LIMIT", Forbidden, Refused),               // 只能向已回复授权信息的手机号发送
    ("isv.SMS_TEST_SIGN_TEMPLATE_LIMIT", Forbidden, Refused),        // 测试专用签名和模板必须结合使用
    ("isv.SMS_TEST_TEMPLATE_PARAMS_ILLEGAL", ContentRejected, Refused), // 测试模板变量中只能使用数字
];

/// One `SmsReport` record (状态报告, HTTP 批量推送; help.aliyun.com/document_detail/101867.html)
/// as a delivery event: `success` says delivered or failed, `err_code` and `err_msg` (the
/// carrier's code, e.g. `DELIVERED`, verbatim) describe it, `biz_id` is the send's receipt id and
/// `out_id` its `user_data`. The push is the voice service's, unsigned, acknowledged alike
/// ([`super::REPORT_ACK`]); the parent module's `parse_report` hands SMS records here.
pub(super) fn report_event(record: Map<String, Value>) -> Result<CallEvent> {
    let bad = |detail: &str| bad_body(Vendor::Aliyun, detail);
    let message_id = text_field(&record, "biz_id").ok_or_else(|| bad("a report has no biz_id"))?;
    let event = match record.get("success") {
        Some(Value::Bool(true)) => EventKind::Delivered,
        Some(Value::Bool(false)) => EventKind::Failed,
        _ => return Err(bad("a report's success is not true or false")),
    };
    let code = text_field(&record, "err_code");
    let desc = match (code, text_field(&record, "err_msg")) {
        (Some(code), Some(msg)) if !msg.is_empty() => Some(format!("{code} {msg}")),
        (code, msg) => code.or(msg),
    };
    Ok(CallEvent {
        vendor: Vendor::Aliyun,
        message_id,
        phone: text_field(&record, "phone_number"),
        event,
        at: china_time(text_field(&record, "report_time").as_deref()),
        state_code: None,
        state_desc: desc,
        talk_seconds: None,
        user_data: text_field(&record, "out_id"),
        raw: record,
    })
}

/// A mainland mobile's 11 digits, or country code and number for a number abroad; SMS cannot
/// reach landlines.
fn phone_number(to: &Phone) -> Result<String> {
    match to {
        Phone::Mobile(n) => Ok(n.clone()),
        Phone::International(n) => Ok(n.trim_start_matches('+').to_owned()),
        Phone::Landline(n) => Err(Error::invalid_input(
            "to",
            format!("{n} is a landline, which Alibaba Cloud SMS cannot reach"),
        )),
    }
}

/// `SendSms` from one channel.
struct Sender {
    rpc: Rpc,
    param_name: String,
}

/// The parameters an SMS code fills in per send, in the order [`Sender::prepare`] gives their
/// values; `SignName` and `TemplateCode` are the channel's, encoded once.
const SLOTS: [&str; 3] = ["PhoneNumbers", "TemplateParam", "OutId"];

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("aliyun SMS", req.options, &["user_data"])?;
        let phone = phone_number(&req.to)?;
        CODE.check(req.code)?;
        // Both parts are plain ASCII letters, digits and underscores: nothing needs escaping.
        let template_param =
            encode::concat(&[r#"{""#, &self.param_name, r#"":""#, req.code, r#""}"#]);
        let out_id = req.options.user_data.clone();
        if let Some(data) = &out_id {
            if data.is_empty() || data.chars().count() > MAX_OUT_ID_CHARS {
                return Err(Error::invalid_input(
                    "user_data",
                    format!("is sent as OutId, which must be 1 to {MAX_OUT_ID_CHARS} characters"),
                ));
            }
        }
        Ok(Box::new(move |ctx: &Context| {
            let values = [
                Some(phone.as_str()),
                Some(template_param.as_str()),
                out_id.as_deref(),
            ];
            self.rpc.post(&values, ctx)
        }))
    }
}

impl Protocol for AliyunSmsConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION_SMS)
    }

    fn validate(&self) -> Result<()> {
        validate_account(
            &self.access_key_id,
            &self.access_key_secret,
            self.region_id.as_deref(),
        )?;
        let sign = self.sign_name.trim();
        if !SIGN_NAME_CHARS.contains(&sign.chars().count()) || sign != self.sign_name {
            return Err(Error::invalid_config(
                "sign_name",
                "must be the approved signature as the console shows it, 2 to 12 characters without 【】 or spaces around it",
            ));
        }
        if self.sign_name.contains(['【', '】']) {
            return Err(Error::invalid_config(
                "sign_name",
                "is the signature's name without 【】: Alibaba Cloud adds the brackets",
            ));
        }
        if !is_variable_name(&self.template_code) {
            return Err(Error::invalid_config(
                "template_code",
                "must be the template's ID as the console shows it, e.g. SMS_154950909",
            ));
        }
        if !is_variable_name(self.template_param_name()) {
            return Err(Error::invalid_config(
                "template_param_name",
                "must be the template's variable name (letters, digits, _), e.g. code for ${code}",
            ));
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let rpc = Rpc::new(RpcSetup {
            base,
            access_key_id: &self.access_key_id,
            secret: &self.access_key_secret,
            region: self.region_id.as_deref(),
            action: ACTION,
            fixed: &[
                ("SignName", Some(&self.sign_name)),
                ("TemplateCode", Some(&self.template_code)),
            ],
            slots: &SLOTS,
        });
        Ok(Arc::new(Sender {
            rpc,
            param_name: self.template_param_name().to_owned(),
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        parse_answer(resp, CODES, "BizId")
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use chrono::Utc;

    use super::*;
    use crate::http::Method;
    use crate::model::{SendCode, SendOptions};
    use crate::vendors::aliyun::{
        canonicalized_query, percent_encode, signature, string_to_sign, PRODUCTION_SMS,
    };

    fn config() -> AliyunSmsConfig {
        AliyunSmsConfig {
            access_key_id: "testId".into(),
            access_key_secret: "testSecret".into(),
            sign_name: "阿里云短信测试".into(),
            template_code: "SMS_154950909".into(),
            template_param_name: None,
            region_id: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.with_ymd_and_hms(2017, 7, 12, 2, 42, 19).unwrap(),
            nonce: "45e25e9b-0a6f-4070-8c85-2956eda1b466".into(),
        }
    }

    /// SMS's "签名机制" (help.aliyun.com/document_detail/101343.htm): a `GET` of `SendSms` with
    /// AccessKeyId `testId`, secret `testSecret`, signed to `zJDF+Lrzhj/ThnlvIToysFRq6t4=`.
    #[test]
    fn reproduces_the_sms_worked_example() {
        let params = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "XML"),
            ("OutId", "123"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试专用"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_71390007"),
            ("TemplateParam", r#"{"customer":"test"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ];
        let to_sign = string_to_sign("GET", &params);
        assert_eq!(
            to_sign,
            concat!(
                "GET&%2F&AccessKeyId%3DtestId%26Action%3DSendSms%26Format%3DXML%26OutId%3D123",
                "%26PhoneNumbers%3D15300000001%26RegionId%3Dcn-hangzhou%26SignName%3D%25E9%2598%25BF",
                "%25E9%2587%258C%25E4%25BA%2591%25E7%259F%25AD%25E4%25BF%25A1%25E6%25B5%258B%25E8%25AF",
                "%2595%25E4%25B8%2593%25E7%2594%25A8%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce",
                "%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26TemplateCode",
                "%3DSMS_71390007%26TemplateParam%3D%257B%2522customer%2522%253A%2522test%2522%257D",
                "%26Timestamp%3D2017-07-12T02%253A42%253A19Z%26Version%3D2017-05-25"
            )
        );
        let signed = signature("testSecret", &to_sign);
        assert_eq!(signed, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
        assert_eq!(
            percent_encode(&signed),
            "zJDF%2BLrzhj%2FThnlvIToysFRq6t4%3D"
        );
    }

    #[test]
    fn golden_send_request() {
        let mut send = SendCode::new("+8615300000001", "4821");
        send.options = SendOptions {
            user_data: Some("order-7".into()),
            ..SendOptions::default()
        };
        let req = config().send_code(PRODUCTION_SMS, &send, &ctx()).unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://dysmsapi.aliyuncs.com/");
        let params = [
            ("AccessKeyId", "testId"),
            ("Action", "SendSms"),
            ("Format", "JSON"),
            ("OutId", "order-7"),
            ("PhoneNumbers", "15300000001"),
            ("RegionId", "cn-hangzhou"),
            ("SignName", "阿里云短信测试"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466"),
            ("SignatureVersion", "1.0"),
            ("TemplateCode", "SMS_154950909"),
            ("TemplateParam", r#"{"code":"4821"}"#),
            ("Timestamp", "2017-07-12T02:42:19Z"),
            ("Version", "2017-05-25"),
        ];
        let expected = signature("testSecret", &string_to_sign("POST", &params));
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            format!(
                "{}&Signature={}",
                canonicalized_query(&params),
                percent_encode(&expected)
            )
        );
    }

    #[test]
    fn numbers_abroad_go_without_plus_and_landlines_are_refused() {
        let req = config()
            .send_code(
                PRODUCTION_SMS,
                &SendCode::new("+85261234567", "4821"),
                &ctx(),
            )
            .unwrap();
        let body = String::from_utf8(req.body).unwrap();
        assert!(body.contains("&PhoneNumbers=85261234567&"), "{body}");
        let err = config()
            .send_code(
                PRODUCTION_SMS,
                &SendCode::new("075528001234", "4821"),
                &ctx(),
            )
            .unwrap_err();
        assert_eq!((err.kind(), err.field()), (InvalidInput, Some("to")));
        assert!(err.to_string().contains("landline"), "{err}");
    }

    #[test]
    fn codes_follow_the_verification_template_rule() {
        for code in ["482", "4821567", "48-21", ""] {
            let err = config()
                .send_code(PRODUCTION_SMS, &SendCode::new("13800138000", code), &ctx())
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidInput, Some("code")),
                "{code}"
            );
        }
        for code in ["4821", "12CDE", "482156"] {
            let sent =
                config().send_code(PRODUCTION_SMS, &SendCode::new("13800138000", code), &ctx());
            assert!(sent.is_ok(), "{code}");
        }
    }

    #[test]
    fn voice_options_are_refused_by_name() {
        let mut send = SendCode::new("13800138000", "4821");
        send.options.play_times = Some(2);
        let err = config()
            .send_code(PRODUCTION_SMS, &send, &ctx())
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (InvalidInput, Some("play_times"))
        );
    }

    #[test]
    fn config_rules_name_their_key() {
        type Breaks = fn(&mut AliyunSmsConfig);
        let cases: [(Breaks, &str); 5] = [
            (|c| c.sign_name = "【阿里云】".into(), "sign_name"),
            (|c| c.sign_name = "云".into(), "sign_name"),
            (|c| c.template_code = "SMS 1".into(), "template_code"),
            (
                |c| c.template_param_name = Some("${code}".into()),
                "template_param_name",
            ),
            (|c| c.region_id = Some("CN HZ".into()), "region_id"),
        ];
        for (breaks, key) in cases {
            let mut config = config();
            breaks(&mut config);
            let err = config.validate().unwrap_err();
            assert_eq!((err.kind(), err.field()), (InvalidConfig, Some(key)));
        }
        assert!(config().validate().is_ok());
    }

    #[test]
    fn answers_read_biz_id_or_the_code_through_both_tables() {
        let ok =
            r#"{"Code":"OK","Message":"OK","BizId":"900619746936498440^0","RequestId":"F655A8D5"}"#;
        let receipt = config()
            .parse_send_code(&HttpResponse::new(200, ok))
            .unwrap();
        assert_eq!(receipt.message_id, "900619746936498440^0");
        assert_eq!(receipt.vendor_code, "OK");
        let refused = |status: u16, code: &str| {
            let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"r"}}"#);
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            (err.kind(), err.outcome())
        };
        assert_eq!(
            refused(200, "isv.BUSINESS_LIMIT_CONTROL"),
            (RateLimited, Refused)
        );
        assert_eq!(
            refused(200, "isv.SMS_SIGNATURE_ILLEGAL"),
            (InvalidConfig, Refused)
        );
        assert_eq!(refused(200, "isp.SYSTEM_ERROR"), (VendorError, Unknown));
        assert_eq!(refused(400, "SignatureDoesNotMatch"), (AuthFailed, Refused));
        assert_eq!(
            refused(500, "isv.BUSINESS_LIMIT_CONTROL"),
            (RateLimited, Unknown)
        );
        let no_id = config()
            .parse_send_code(&HttpResponse::new(200, r#"{"Code":"OK","Message":"OK"}"#))
            .unwrap_err();
        assert_eq!(no_id.outcome(), Unknown);
        assert!(no_id.to_string().contains("BizId"), "{no_id}");
    }

    #[test]
    fn every_code_is_in_one_table_only() {
        for (code, ..) in CODES {
            let twice = CODES.iter().filter(|(c, ..)| c == code).count()
                + super::super::GATEWAY_CODES
                    .iter()
                    .filter(|(c, ..)| c == code)
                    .count();
            assert_eq!(twice, 1, "{code}");
        }
    }
}
