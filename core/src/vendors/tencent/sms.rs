//! Tencent Cloud SMS, API 3.0 `SendSms` version `2021-01-11`
//! (<https://cloud.tencent.com/document/api/382/55981>; error codes from 382/52075, 382/59177
//! and the official SDKs' list for the action; frequency limits from 382/13303), signed with TC3-HMAC-SHA256 as VMS is (see the parent
//! module) under the service `sms`.
//!
//! Decisions:
//! - One number per send (`PhoneNumberSet` takes up to 200), in E.164 with its `+`: the form the
//!   document asks for, mainland numbers included. SMS cannot reach landlines.
//! - The code is the template's first parameter (`{1}`); `extra_template_params` from the config
//!   follow it (`{2}`…, e.g. the minutes a code stays valid), checked against the documented
//!   rules before anything is sent.
//! - `user_data` is sent as `SessionContext`, which the answer and the status reports echo.
//! - A request can be accepted while the number is refused: the answer is HTTP 200 without
//!   `Response.Error`, and the number's own `SendStatusSet[].Code` says what happened. `Ok` is a
//!   sent message; any other code is read through [`CODES`] like an error of the request.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::{answered, check_session_context, read_answer, validate_account, Api, BodyHead};
use crate::http::{Context, HttpResponse};
use crate::model::{CallEvent, EventKind, Receipt};
use crate::phone::Phone;
use crate::protocol::checks::{refuse_unsupported, CodeRule};
use crate::protocol::vendor::{CodeSender, ParsedSend, Protocol, Signer, WithBody};
use crate::protocol::wire::{bad_body, china_time, required, text, text_field, JsonObject};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

const PRODUCTION: &str = "https://sms.tencentcloudapi.com";
/// The service in the credential scope, `X-TC-Action` and `X-TC-Version`.
const API: (&str, &str, &str) = ("sms", "SendSms", "2021-01-11");
const DEFAULT_REGION: &str = "ap-guangzhou";
/// "验证码类模板，模板变量只能传入0 - 6位（包括6位）纯数字" (`TemplateParameterFormatError`): a
/// code of at least one digit.
const CODE: CodeRule = CodeRule::digits(1, 6);
/// A template has at most this many variables, the code included.
const MAX_TEMPLATE_PARAMS: usize = 16;
/// Each variable of a template other than the code: at most this many characters, the most
/// any account allows (accounts opened since 2024-01-25 allow 6, which Tencent checks).
const MAX_PARAM_CHARS: usize = 12;

/// Tencent Cloud SMS application (`vendor = "tencent"`, `product = "sms"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TencentSmsConfig {
    /// SecretId of the API key (sent in `Authorization`).
    pub secret_id: String,
    /// SecretKey of the API key; used only to derive the signing key.
    pub secret_key: Secret,
    /// `SmsSdkAppId` of the SMS application (`1400006666`).
    pub sms_sdk_app_id: String,
    /// `SignName`: the approved signature's content, e.g. `腾讯云`.
    pub sign_name: String,
    /// `TemplateId`: the approved verification-code template, digits such as `449739`.
    pub template_id: String,
    /// The template's parameters after the code (`{2}`, `{3}`…), e.g. `["5"]` for
    /// "{1}为您的登录验证码，请于{2}分钟内填写".
    #[serde(default)]
    pub extra_template_params: Vec<String>,
    /// `X-TC-Region`; `ap-guangzhou` when unset.
    pub region: Option<String>,
}

use ErrorKind::*;
use Outcome::*;

/// SendSms's own codes: the codes the official SDKs list as possible for the action, with the
/// words of the product's error table (错误码, 382/52075; 发送错误码, 382/59177), each with its
/// kind and outcome; the API 3.0 common codes ([`super::COMMON_CODES`]) are
/// read after these. Per-number codes of `SendStatusSet` are read through the same table.
#[rustfmt::skip] // one line per code, as in the vendor's lists
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("FailedOperation.ContainSensitiveWord", ContentRejected, Refused),               // 短信内容中含有敏感词
    ("FailedOperation.FailResolvePacket", InvalidInput, Refused),                     // 请求包解析失败
    ("FailedOperation.InsufficientBalanceInSmsPackage", InsufficientBalance, Refused),// 套餐包余量不足
    ("FailedOperation.JsonParseFail", InvalidInput, Refused),                         // 解析请求包体时候失败
    ("FailedOperation.MarketingSendTimeConstraint", Forbidden, Refused),              // 营销短信发送时间限制
    ("FailedOperation.PhoneNumberInBlacklist", RecipientBlocked, Refused),            // 手机号在免打扰名单库中
    ("FailedOperation.SignatureIncorrectOrUnapproved", InvalidConfig, Refused),       // 签名未审批或格式错误
    ("FailedOperation.TemplateIncorrectOrUnapproved", InvalidConfig, Refused),        // 模板未审批或内容不匹配
    ("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", InvalidConfig, Refused), // 请求内容与审核通过的模板内容不匹配
    ("FailedOperation.TemplateUnapprovedOrNotExist", InvalidConfig, Refused),         // 模板未审核或不存在
    ("InternalError.OtherError", VendorError, Unknown),                               // 其他错误
    ("InternalError.RequestTimeException", AuthFailed, Refused),                      // 请求发起时间不正常
    ("InternalError.RestApiInterfaceNotExist", VendorError, Refused),                 // 不存在该 RESTAPI 接口
    ("InternalError.SendAndRecvFail", VendorError, Unknown),                          // 接口超时或短信收发包超时
    ("InternalError.SigFieldMissing", AuthFailed, Refused),                           // 后端包体中请求包体没有 Sig 字段或 Sig 为空
    ("InternalError.SigVerificationFail", AuthFailed, Refused),                       // 后端校验 Sig 失败
    ("InternalError.Timeout", VendorError, Unknown),                                  // 请求下发短信超时
    ("InternalError.UnknownError", VendorError, Unknown),                             // 未知错误类型
    ("InvalidParameterValue.ContentLengthLimit", InvalidInput, Refused),              // 请求的短信内容太长
    ("InvalidParameterValue.IncorrectPhoneNumber", InvalidInput, Refused),            // 手机号格式错误
    ("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", ContentRejected, Refused), // 禁止在模板变量中使用 URL
    ("InvalidParameterValue.SdkAppIdNotExist", InvalidConfig, Refused),               // SdkAppId 不存在
    ("InvalidParameterValue.TemplateParameterFormatError", InvalidInput, Refused),    // 验证码模板参数格式错误
    ("InvalidParameterValue.TemplateParameterLengthLimit", InvalidInput, Refused),    // 单个模板变量字符数超过12个
    ("LimitExceeded.AppCountryOrRegionDailyLimit", RateLimited, Refused),             // 业务短信国家/地区日下发条数超过设定的上限
    ("LimitExceeded.AppCountryOrRegionInBlacklist", Forbidden, Refused),              // 业务短信国家/地区不在国际港澳台短信发送限制设置的列表中
    ("LimitExceeded.AppDailyLimit", RateLimited, Refused),                            // 业务短信日下发条数超过设定的上限
    ("LimitExceeded.AppGlobalDailyLimit", RateLimited, Refused),                      // 国际/港澳台短信日下发条数超过设定的上限
    ("LimitExceeded.AppMainlandChinaDailyLimit", RateLimited, Refused),               // 中国大陆短信日下发条数超过设定的上限
    ("LimitExceeded.DailyLimit", RateLimited, Refused),                               // 短信日下发条数超过设定的上限
    ("LimitExceeded.DeliveryFrequencyLimit", RateLimited, Refused),                   // 下发短信命中了频率限制策略
    ("LimitExceeded.PhoneNumberCountLimit", InvalidInput, Refused),                   // 调用接口单次提交的手机号个数超过200个
    ("LimitExceeded.PhoneNumberDailyLimit", RateLimited, Refused),                    // 单个手机号日下发短信条数超过设定的上限
    ("LimitExceeded.PhoneNumberOneHourLimit", RateLimited, Refused),                  // 单个手机号1小时内下发短信条数超过设定的上限
    ("LimitExceeded.PhoneNumberSameContentDailyLimit", RateLimited, Refused),         // 单个手机号下发相同内容超过设定的上限
    ("LimitExceeded.PhoneNumberThirtySecondLimit", RateLimited, Refused),             // 单个手机号30秒内下发短信条数超过设定的上限
    ("MissingParameter.EmptyPhoneNumberSet", InvalidInput, Refused),                  // 传入的号码列表为空
    ("UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny", Forbidden, Refused), // 个人用户没有发营销短信的权限
    ("UnauthorizedOperation.RequestIpNotInWhitelist", Forbidden, Refused),            // 请求 IP 不在白名单中
    ("UnauthorizedOperation.RequestPermissionDeny", Forbidden, Refused),              // 请求没有权限
    ("UnauthorizedOperation.SdkAppIdIsDisabled", Forbidden, Refused),                 // 此 SdkAppId 禁止提供服务
    ("UnauthorizedOperation.ServiceSuspendDueToArrears", InsufficientBalance, Refused), // 欠费被停止服务
    ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", Forbidden, Refused),              // SmsSdkAppId 校验失败
    ("UnsupportedOperation", InvalidConfig, Refused),                                 // 操作不支持
    ("UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone", InvalidInput, Refused), // 国内短信模板不支持发送国际/港澳台手机号
    ("UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber", InvalidInput, Refused), // 群发请求里既有国内手机号也有国际手机号
    ("UnsupportedOperation.GlobalTemplateToChineseMainlandPhone", InvalidInput, Refused), // 国际/港澳台短信模板不支持发送国内手机号
    ("UnsupportedOperation.UnsupportedRegion", InvalidInput, Refused),                // 不支持该地区短信下发
];

/// `TemplateParamSet`: the code, then the channel's other parameters.
struct TemplateParams<'a> {
    code: &'a str,
    extra: &'a [String],
}

impl Serialize for TemplateParams<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let extra = self.extra.iter().map(String::as_str);
        serializer.collect_seq(std::iter::once(self.code).chain(extra))
    }
}

/// One number's status in `SendStatusSet`.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendStatus<'a> {
    #[serde(default, borrow, deserialize_with = "text")]
    serial_no: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "text")]
    code: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "text")]
    message: Cow<'a, str>,
}

impl TencentSmsConfig {
    fn region(&self) -> &str {
        self.region.as_deref().unwrap_or(DEFAULT_REGION)
    }
}

/// An SMS status callback (短信下发状态通知, 382/43547): an array of reports, one delivery event
/// each, in order. `report_status` `SUCCESS` is delivered, anything else failed; `errmsg` (the
/// carrier's code, e.g. `DELIVRD`) and `description` describe it, verbatim; `sid` is the send's
/// `SerialNo`. Unsigned, as the VMS callbacks are: check the secret in the callback URL first,
/// and answer [`super::CALLBACK_ACK`].
pub(super) fn parse_status(reports: Vec<Value>) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Tencent, detail);
    reports
        .into_iter()
        .map(|report| {
            let Value::Object(report) = report else {
                return Err(bad("an SMS report is not an object"));
            };
            let message_id =
                text_field(&report, "sid").ok_or_else(|| bad("an SMS report has no sid"))?;
            let event = match text_field(&report, "report_status").as_deref() {
                Some("SUCCESS") => EventKind::Delivered,
                Some(_) => EventKind::Failed,
                None => return Err(bad("an SMS report has no report_status")),
            };
            let desc = match (
                text_field(&report, "errmsg"),
                text_field(&report, "description"),
            ) {
                (Some(code), Some(text)) if !text.is_empty() => Some(format!("{code} {text}")),
                (code, text) => code.or(text),
            };
            let phone = match (
                text_field(&report, "nationcode"),
                text_field(&report, "mobile"),
            ) {
                (Some(nation), Some(mobile)) => Some(format!("+{nation}{mobile}")),
                (_, mobile) => mobile,
            };
            Ok(CallEvent {
                vendor: Vendor::Tencent,
                message_id,
                phone,
                event,
                at: china_time(text_field(&report, "user_receive_time").as_deref()),
                state_code: None,
                state_desc: desc,
                talk_seconds: None,
                user_data: None,
                raw: report,
            })
        })
        .collect()
}

/// Refuses landlines, which SMS cannot reach; `PhoneNumberSet` takes the others in E.164.
fn check_reachable(to: &Phone) -> Result<()> {
    match to {
        Phone::Mobile(_) | Phone::International(_) => Ok(()),
        Phone::Landline(n) => Err(Error::invalid_input(
            "to",
            format!("{n} is a landline, which Tencent Cloud SMS cannot reach"),
        )),
    }
}

fn is_digits(text: &str, max: usize) -> bool {
    !text.is_empty() && text.len() <= max && text.bytes().all(|b| b.is_ascii_digit())
}

/// `SendSms` from one channel: its body begins with the application, signature and template.
struct Sender {
    head: BodyHead,
    extra_template_params: Vec<String>,
    api: Api,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("tencent SMS", req.options, &["user_data"])?;
        check_reachable(&req.to)?;
        CODE.check(req.code)?;
        check_session_context(req.options.user_data.as_deref())?;
        let mut body = self.head.body();
        let params = TemplateParams {
            code: req.code,
            extra: &self.extra_template_params,
        };
        body.field("TemplateParamSet", &params);
        body.field("PhoneNumberSet", &[req.to.e164_text().as_str()]);
        if let Some(context) = &req.options.user_data {
            body.field("SessionContext", context);
        }
        let payload = self.head.payload(body);
        Ok(WithBody::signer(payload, move |ctx: &Context, payload| {
            self.api.post(payload, ctx)
        }))
    }
}

impl Protocol for TencentSmsConfig {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        validate_account(&self.secret_id, &self.secret_key, self.region())?;
        if !is_digits(&self.sms_sdk_app_id, 32) {
            return Err(Error::invalid_config(
                "sms_sdk_app_id",
                "must be the SMS application's SdkAppId, digits such as 1400006666",
            ));
        }
        let sign = &self.sign_name;
        if sign.trim().is_empty() || sign.trim() != sign || sign.contains(['【', '】']) {
            return Err(Error::invalid_config(
                "sign_name",
                "must be the approved signature's content without 【】 or spaces around it, e.g. 腾讯云",
            ));
        }
        if !is_digits(&self.template_id, 32) {
            return Err(Error::invalid_config(
                "template_id",
                "must be the approved template's ID, digits such as 449739",
            ));
        }
        if self.extra_template_params.len() + 1 > MAX_TEMPLATE_PARAMS {
            return Err(Error::invalid_config(
                "extra_template_params",
                format!(
                    "has {} values; a template has at most {MAX_TEMPLATE_PARAMS} variables, the code included",
                    self.extra_template_params.len()
                ),
            ));
        }
        for (i, param) in self.extra_template_params.iter().enumerate() {
            let chars = param.chars().count();
            if chars == 0 || chars > MAX_PARAM_CHARS {
                return Err(Error::invalid_config(
                    "extra_template_params",
                    format!(
                        "value {} ({{{}}}) must be 1 to {MAX_PARAM_CHARS} characters",
                        i + 1,
                        i + 2
                    ),
                ));
            }
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let mut head = JsonObject::default();
        head.field("SmsSdkAppId", &self.sms_sdk_app_id);
        head.field("SignName", &self.sign_name);
        head.field("TemplateId", &self.template_id);
        Ok(Arc::new(Sender {
            head: BodyHead::new(head),
            extra_template_params: self.extra_template_params.clone(),
            api: Api::new(API, base, &self.secret_id, &self.secret_key, self.region())?,
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        read_answer(resp, CODES, |answer, request_id| {
            let Some([status]) = answer.send_status_set.as_deref() else {
                let what = "a success without one SendStatusSet entry for the one number sent";
                return Err(Error::protocol(Vendor::Tencent, resp.status, what));
            };
            let code = status.code.as_ref();
            if code != "Ok" {
                if code.is_empty() {
                    let what = "SendStatusSet entry without a Code";
                    return Err(Error::protocol(Vendor::Tencent, resp.status, what));
                }
                return Err(answered(CODES, resp, code, &status.message, &request_id));
            }
            let missing = "Ok without a SerialNo";
            let serial = required(
                Vendor::Tencent,
                resp,
                Some(status.serial_no.as_ref()),
                missing,
            )?;
            Ok(Receipt::new(
                Vendor::Tencent,
                serial.to_owned(),
                "Ok",
                request_id,
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use chrono::Utc;

    use super::*;
    use crate::http::Method;
    use crate::model::SendCode;
    use crate::vendors::tencent::Tc3Request;

    fn config() -> TencentSmsConfig {
        TencentSmsConfig {
            secret_id: "AKIDEXAMPLE".into(),
            secret_key: "SECRETEXAMPLE".into(),
            sms_sdk_app_id: "1400006666".into(),
            sign_name: "腾讯云".into(),
            template_id: "1110".into(),
            extra_template_params: vec![],
            region: None,
        }
    }

    fn ctx() -> Context {
        Context {
            now: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            nonce: "unused".into(),
        }
    }

    #[test]
    fn golden_send_request() {
        let req = config()
            .send_code(PRODUCTION, &SendCode::new("13800000000", "123456"), &ctx())
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://sms.tencentcloudapi.com/");
        let body = r#"{"SmsSdkAppId":"1400006666","SignName":"腾讯云","TemplateId":"1110","TemplateParamSet":["123456"],"PhoneNumberSet":["+8613800000000"]}"#;
        assert_eq!(std::str::from_utf8(&req.body).unwrap(), body);
        assert_eq!(req.header_value("X-TC-Action"), Some("SendSms"));
        assert_eq!(req.header_value("X-TC-Version"), Some("2021-01-11"));
        assert_eq!(req.header_value("X-TC-Region"), Some("ap-guangzhou"));
        assert_eq!(req.header_value("X-TC-Timestamp"), Some("1700000000"));
        let expected = Tc3Request {
            method: "POST",
            host: "sms.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            signed_action: Some("SendSms"),
            service: "sms",
            timestamp: 1_700_000_000,
            payload: body.as_bytes(),
        };
        assert_eq!(
            req.header_value("Authorization"),
            Some(
                expected
                    .authorization("AKIDEXAMPLE", "SECRETEXAMPLE")
                    .as_str()
            )
        );
        assert!(req
            .header_value("Authorization")
            .unwrap()
            .contains("Credential=AKIDEXAMPLE/2023-11-14/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action,"));
    }

    /// A `SendSms` request signed by the official Python SDK's `Sign.sign_tc3` with these keys,
    /// time and body (content type and host signed): the chain under the service `sms`.
    #[test]
    fn reproduces_the_official_sdks_sms_signature() {
        let body = r#"{"PhoneNumberSet":["+8613800000000"],"SmsSdkAppId":"1400006666","SignName":"腾讯云","TemplateId":"1110","TemplateParamSet":["123456"]}"#;
        let signed = Tc3Request {
            method: "POST",
            host: "sms.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            signed_action: None,
            service: "sms",
            timestamp: 1_700_000_000,
            payload: body.as_bytes(),
        };
        assert!(signed
            .canonical_request()
            .ends_with("459e7c59b44bb5ecb7275bd14058cf3a23e3226f56b74c1e9e584c8d181d0ac5"));
        assert_eq!(
            signed.string_to_sign(),
            "TC3-HMAC-SHA256\n1700000000\n2023-11-14/sms/tc3_request\n978373a53e3bab705f4094e6339dd397d124b844142735f33cdf02966923d523"
        );
        assert_eq!(
            signed.signature("SECRETEXAMPLE"),
            "4c865feaed94f4b8ab04a2f093f30fcaf39b674abb13b525cd7cb9802d59cf95"
        );
    }

    #[test]
    fn extra_parameters_follow_the_code_and_numbers_abroad_keep_their_plus() {
        let mut config = config();
        config.extra_template_params = vec!["5".into()];
        let mut send = SendCode::new("+85261234567", "4821");
        send.options.user_data = Some("signup".into());
        let req = config.send_code(PRODUCTION, &send, &ctx()).unwrap();
        let body = std::str::from_utf8(&req.body).unwrap();
        assert!(
            body.contains(r#""PhoneNumberSet":["+85261234567"]"#),
            "{body}"
        );
        assert!(
            body.contains(r#""TemplateParamSet":["4821","5"]"#),
            "{body}"
        );
        assert!(body.contains(r#""SessionContext":"signup""#), "{body}");
    }

    #[test]
    fn bad_sends_are_refused_before_a_request_exists() {
        let refused = |to: &str, code: &str| {
            let err = config()
                .send_code(PRODUCTION, &SendCode::new(to, code), &ctx())
                .unwrap_err();
            (err.kind(), err.field().map(str::to_owned))
        };
        let input = |field: &str| (InvalidInput, Some(field.to_owned()));
        assert_eq!(refused("075528001234", "4821"), input("to"));
        assert_eq!(refused("13800138000", "1234567"), input("code"));
        assert_eq!(refused("13800138000", "12a4"), input("code"));
        assert_eq!(refused("13800138000", ""), input("code"));
    }

    #[test]
    fn config_rules_name_their_key() {
        type Breaks = fn(&mut TencentSmsConfig);
        let cases: [(Breaks, &str); 5] = [
            (|c| c.sms_sdk_app_id = "app".into(), "sms_sdk_app_id"),
            (|c| c.sign_name = "【腾讯云】".into(), "sign_name"),
            (|c| c.template_id = "SMS_1".into(), "template_id"),
            (
                |c| c.extra_template_params = vec!["".into()],
                "extra_template_params",
            ),
            (|c| c.region = Some("Guangzhou".into()), "region"),
        ];
        for (breaks, key) in cases {
            let mut config = config();
            breaks(&mut config);
            let err = config.validate().unwrap_err();
            assert_eq!((err.kind(), err.field()), (InvalidConfig, Some(key)));
        }
        assert!(config().validate().is_ok());
    }

    fn answer(status: &str) -> HttpResponse {
        HttpResponse::new(
            200,
            format!(r#"{{"Response":{{"SendStatusSet":[{status}],"RequestId":"a0aabda6"}}}}"#),
        )
    }

    #[test]
    fn the_numbers_own_status_is_the_result() {
        let ok = r#"{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8618511122233","Fee":1,"Code":"Ok","Message":"send success","IsoCode":"CN"}"#;
        let receipt = config().parse_send_code(&answer(ok)).unwrap();
        assert_eq!(receipt.message_id, "5000:1045710669157053657849499619");
        assert_eq!(receipt.vendor_message, "a0aabda6");
        let limited = r#"{"SerialNo":"","PhoneNumber":"+8618511122233","Fee":0,"Code":"LimitExceeded.PhoneNumberThirtySecondLimit","Message":"30s","IsoCode":"CN"}"#;
        let err = config().parse_send_code(&answer(limited)).unwrap_err();
        assert_eq!((err.kind(), err.outcome()), (RateLimited, Refused));
        assert_eq!(
            err.vendor_code(),
            Some("LimitExceeded.PhoneNumberThirtySecondLimit")
        );
        let timeout = r#"{"SerialNo":"","PhoneNumber":"+8618511122233","Fee":0,"Code":"InternalError.Timeout","Message":"t","IsoCode":"CN"}"#;
        let err = config().parse_send_code(&answer(timeout)).unwrap_err();
        assert_eq!((err.kind(), err.outcome()), (VendorError, Unknown));
        let none = HttpResponse::new(200, r#"{"Response":{"SendStatusSet":[],"RequestId":"r"}}"#);
        assert_eq!(
            config().parse_send_code(&none).unwrap_err().outcome(),
            Unknown
        );
        // One number was sent: two statuses cannot be told apart, whatever the first says.
        let two = answer(&format!("{ok},{ok}"));
        let err = config().parse_send_code(&two).unwrap_err();
        assert_eq!((err.kind(), err.outcome()), (Protocol, Unknown));
        // Escaped text is unescaped, a null id is an absent one.
        let escaped = r#"{"SerialNo":"5000:\u0031","Code":"\u004fk","Message":null}"#;
        let receipt = config().parse_send_code(&answer(escaped)).unwrap();
        assert_eq!(receipt.message_id, "5000:1");
        let null = r#"{"SerialNo":null,"Code":"Ok"}"#;
        let err = config().parse_send_code(&answer(null)).unwrap_err();
        assert_eq!((err.kind(), err.outcome()), (Protocol, Unknown));
    }

    #[test]
    fn request_errors_read_through_both_tables() {
        let error = |code: &str| {
            let body = format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            );
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            (err.kind(), err.outcome())
        };
        assert_eq!(error("AuthFailure.SignatureFailure"), (AuthFailed, Refused));
        assert_eq!(
            error("FailedOperation.InsufficientBalanceInSmsPackage"),
            (InsufficientBalance, Refused)
        );
        assert_eq!(
            error("InternalError.SendAndRecvFail"),
            (VendorError, Unknown)
        );
    }
}
