//! Huawei OneAccess user SDK API: slider captcha, captcha verification, SMS code.
//!
//! Sources and decisions: `docs/protocols/oneaccess.md#sources`.
//! - Every call carries the device headers (`X-operating-sys-version`, `X-device-fingerprint`,
//!   `X-agent`, `X-client-id` required; `X-device-ip`, `X-L`, `X-tenant-id` optional).
//! - `point_json` is a JSON *string* inside the JSON body, with decimals (`{"x":237.0,"y":5.0}`).
//! - A sent SMS is HTTP 200 with an empty body; errors are HTTP 400
//!   `{"error_code":"SDK.COMMON.1001","error_msg":"…"}`.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::http::{HttpRequest, HttpResponse, Method};
use crate::model::{Captcha, SendSmsCode, SmsPurpose, VerifyCaptcha};
use crate::phone::Phone;
use crate::protocol::checks::{check_header_safe, CodeRule};
use crate::protocol::vendor::{unsupported, CodeSender, Protocol, SmsFlow, VendorFacts};
use crate::protocol::wire::{json_body, json_bytes, utf8_body, UNDOCUMENTED};
use crate::{Error, ErrorKind, Outcome, Result, Vendor};

const CAPTCHA_PATH: &str = "/api/v2/sdk/captcha";
const VERIFY_PATH: &str = "/api/v2/sdk/captcha/verify";
const SMS_PATH: &str = "/api/v2/sdk/sms/send";

/// Huawei OneAccess tenant application (`vendor = "oneaccess"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneAccessConfig {
    /// ClientId of the registered application.
    pub client_id: String,
    /// Tenant id, for ISV applications only.
    pub tenant_id: Option<String>,
    /// The end user's device, reported in the `X-…` headers.
    pub device: Device,
}

/// Device description sent by OneAccess calls.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// `X-operating-sys-version`, e.g. `Android 10`.
    pub os_version: String,
    /// `X-device-fingerprint`.
    pub fingerprint: String,
    /// `X-agent`, the user agent.
    pub agent: String,
    /// `X-device-ip`.
    pub ip: Option<String>,
    /// `X-L`: `zh` or `en`.
    pub lang: Option<String>,
}

use ErrorKind::*;
use Outcome::*;

/// Error codes seen in the vendor's documents, with kind and outcome; others fall back on the
/// HTTP status. The documents give them with HTTP 400: the request was rejected, so no message
/// was sent (under a 5xx the same code would be `Unknown`).
pub const CODES: &[(&str, ErrorKind, Outcome)] = &[
    ("IDAAS.SDK.PARAM.0001", InvalidInput, Refused), // parameter error
    ("IDAAS.SDK.CAPTCHA.0002", InvalidInput, Refused), // captcha check failed: ask the user again
    ("SDK.COMMON.1001", VendorError, Refused),       // generic SDK failure, answered with 400
];

fn request(config: &OneAccessConfig, method: Method, url: String) -> HttpRequest {
    let d = &config.device;
    let mut req = HttpRequest::new(method, url)
        .header("X-operating-sys-version", d.os_version.clone())
        .header("X-device-fingerprint", d.fingerprint.clone())
        .header("X-agent", d.agent.clone())
        .header("X-client-id", config.client_id.clone());
    let optional = [
        ("X-device-ip", &d.ip),
        ("X-L", &d.lang),
        ("X-tenant-id", &config.tenant_id),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            req = req.header(name, value.clone());
        }
    }
    req
}

fn json_post(config: &OneAccessConfig, url: String, body: &impl Serialize) -> HttpRequest {
    let body = json_bytes(body);
    request(config, Method::Post, url)
        .header("Content-Type", "application/json;charset=utf8")
        .body(body)
}

#[derive(Serialize)]
struct Verify<'a> {
    point_json: String,
    token: &'a str,
    sender: String,
}

fn purpose(p: SmsPurpose) -> &'static str {
    match p {
        SmsPurpose::Register => "REGISTER_SMS",
        SmsPurpose::Login => "LOGIN_SMS",
        SmsPurpose::ForgetPassword => "FORGET_PWD_SMS",
        SmsPurpose::BindMobile => "BIND_MOBILE_SMS",
        SmsPurpose::UpdateMobile => "UPDATE_MOBILE_SMS",
        SmsPurpose::Otp => "OTP_REST_SMS",
    }
}

#[derive(Serialize)]
struct SendSms<'a> {
    mobile: String,
    #[serde(rename = "type")]
    kind: &'static str,
    captcha_token: &'a str,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error_code: Option<String>,
    #[serde(default)]
    error_msg: String,
}

/// Refuses non-2xx answers with the vendor's `error_code` when there is one.
fn check_status(resp: &HttpResponse) -> Result<()> {
    if (200..300).contains(&resp.status) {
        return Ok(());
    }
    let answer: ErrorAnswer = json_body(Vendor::Oneaccess, resp)?;
    let code = answer.error_code.unwrap_or_else(|| resp.status.to_string());
    let meaning = CODES
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|&(_, kind, outcome)| (kind, outcome))
        .unwrap_or(match resp.status {
            400 => (InvalidInput, Refused),
            401 => (AuthFailed, Refused),
            403 => (Forbidden, Refused),
            429 => (RateLimited, Refused),
            _ => UNDOCUMENTED,
        });
    Err(Error::answered(
        Vendor::Oneaccess,
        meaning,
        resp.status,
        &code,
        &answer.error_msg,
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CaptchaAnswer {
    token: Option<String>,
    original_image_base64: Option<String>,
    jigsaw_image_base64: Option<String>,
}

#[derive(Deserialize)]
struct VerifyAnswer {
    captcha_token: Option<String>,
}

impl VendorFacts for OneAccessConfig {
    const DISPLAY_NAME: &'static str = "Huawei OneAccess";
}

impl Protocol for OneAccessConfig {
    /// OneAccess sends SMS codes and places no voice-code calls.
    fn code_rule(&self) -> Option<CodeRule> {
        None
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Err(Error::invalid_config(
            "base_url",
            "is required for oneaccess: the tenant's domain, e.g. https://example.huaweioneaccess.com",
        ))
    }

    fn code_sender(&self, _base: &str) -> Result<Arc<dyn CodeSender>> {
        Err(unsupported(
            Vendor::Oneaccess,
            "send_code",
            "OneAccess sends SMS codes: captcha, then verify_captcha, then send_sms_code",
        ))
    }

    fn sms_flow(&self) -> Option<&dyn SmsFlow> {
        Some(self)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("client_id", &self.client_id)?;
        let d = &self.device;
        check_header_safe("device.os_version", &d.os_version)?;
        check_header_safe("device.fingerprint", &d.fingerprint)?;
        check_header_safe("device.agent", &d.agent)?;
        let optional = [
            ("tenant_id", &self.tenant_id),
            ("device.ip", &d.ip),
            ("device.lang", &d.lang),
        ];
        for (field, value) in optional {
            if let Some(value) = value {
                check_header_safe(field, value)?;
            }
        }
        Ok(())
    }
}

impl SmsFlow for OneAccessConfig {
    fn captcha(&self, base: &str) -> HttpRequest {
        request(self, Method::Get, format!("{base}{CAPTCHA_PATH}"))
    }

    fn parse_captcha(&self, resp: &HttpResponse) -> Result<Captcha> {
        check_status(resp)?;
        let answer: CaptchaAnswer = json_body(Vendor::Oneaccess, resp)?;
        let missing = |what: &str| {
            Error::protocol(
                Vendor::Oneaccess,
                resp.status,
                format!("the captcha has no {what}"),
            )
        };
        Ok(Captcha {
            token: answer
                .token
                .filter(|t| !t.is_empty())
                .ok_or_else(|| missing("token"))?,
            original_image_base64: answer
                .original_image_base64
                .ok_or_else(|| missing("originalImageBase64"))?,
            jigsaw_image_base64: answer
                .jigsaw_image_base64
                .ok_or_else(|| missing("jigsawImageBase64"))?,
        })
    }

    fn verify_captcha(&self, base: &str, req: &VerifyCaptcha) -> Result<HttpRequest> {
        let sender = Phone::parse("mobile", &req.mobile)?
            .mobile("mobile", "oneaccess")?
            .to_owned();
        if req.token.is_empty() {
            return Err(Error::invalid_input(
                "token",
                "is required: use the token of the captcha shown",
            ));
        }
        for (field, v) in [("x", req.x), ("y", req.y)] {
            if !v.is_finite() || v < 0.0 {
                return Err(Error::invalid_input(
                    field,
                    "must be a finite, non-negative position",
                ));
            }
        }
        // `{:?}` keeps the decimal point on whole numbers (237.0), as the vendor's sample shows.
        let point_json = format!(r#"{{"x":{:?},"y":{:?}}}"#, req.x, req.y);
        let body = Verify {
            point_json,
            token: &req.token,
            sender,
        };
        Ok(json_post(self, format!("{base}{VERIFY_PATH}"), &body))
    }

    fn parse_verify_captcha(&self, resp: &HttpResponse) -> Result<String> {
        check_status(resp)?;
        let answer: VerifyAnswer = json_body(Vendor::Oneaccess, resp)?;
        answer
            .captcha_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Error::protocol(
                    Vendor::Oneaccess,
                    resp.status,
                    "the answer has no captcha_token",
                )
            })
    }

    fn send_sms_code(&self, base: &str, req: &SendSmsCode) -> Result<HttpRequest> {
        let mobile = Phone::parse("mobile", &req.mobile)?
            .mobile("mobile", "oneaccess")?
            .to_owned();
        if req.captcha_token.is_empty() {
            return Err(Error::invalid_input(
                "captcha_token",
                "is required: verify the captcha first",
            ));
        }
        let body = SendSms {
            mobile,
            kind: purpose(req.purpose),
            captcha_token: &req.captcha_token,
        };
        Ok(json_post(self, format!("{base}{SMS_PATH}"), &body))
    }

    fn parse_send_sms_code(&self, resp: &HttpResponse) -> Result<()> {
        check_status(resp)?;
        // Success is an empty body; tolerate whitespace or `{}` but nothing that claims otherwise.
        match utf8_body(Vendor::Oneaccess, resp)?.trim() {
            "" | "{}" => Ok(()),
            other => Err(Error::protocol(
                Vendor::Oneaccess,
                resp.status,
                format!(
                    "expected an empty body, got {}",
                    crate::protocol::wire::preview(other)
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OneAccessConfig {
        OneAccessConfig {
            client_id: "DRrYIqauawN0I8myTMoDTPys6ezGZxnm".into(),
            tenant_id: Some("08f770f51f80d2f40f38c00cb199fd21".into()),
            device: Device {
                os_version: "Android 10".into(),
                fingerprint: "156aysdna213sac".into(),
                agent: "Mozilla/5.0 (Linux; Android 10)".into(),
                ip: Some("10.10.10.1".into()),
                lang: Some("zh".into()),
            },
        }
    }

    const BASE: &str = "https://tenant.example.com";

    #[test]
    fn golden_captcha_request() {
        let req = config().captcha(BASE);
        assert_eq!(
            (req.method, req.url.as_str()),
            (Method::Get, "https://tenant.example.com/api/v2/sdk/captcha")
        );
        let names: Vec<_> = req
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        assert_eq!(
            names,
            [
                "X-operating-sys-version: Android 10",
                "X-device-fingerprint: 156aysdna213sac",
                "X-agent: Mozilla/5.0 (Linux; Android 10)",
                "X-client-id: DRrYIqauawN0I8myTMoDTPys6ezGZxnm",
                "X-device-ip: 10.10.10.1",
                "X-L: zh",
                "X-tenant-id: 08f770f51f80d2f40f38c00cb199fd21",
            ]
        );
        assert!(req.body.is_empty());
    }

    #[test]
    fn golden_verify_request_keeps_decimal_points() {
        let req = config()
            .verify_captcha(
                BASE,
                &VerifyCaptcha {
                    token: "71d635".into(),
                    x: 237.0,
                    y: 5.0,
                    mobile: "+8612345678901".into(),
                },
            )
            .unwrap();
        assert_eq!(
            req.url,
            "https://tenant.example.com/api/v2/sdk/captcha/verify"
        );
        assert_eq!(
            req.header_value("content-type"),
            Some("application/json;charset=utf8")
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"point_json":"{\"x\":237.0,\"y\":5.0}","token":"71d635","sender":"12345678901"}"#
        );
    }

    #[test]
    fn golden_sms_request() {
        let req = config()
            .send_sms_code(
                BASE,
                &SendSmsCode {
                    mobile: "12345678901".into(),
                    purpose: SmsPurpose::BindMobile,
                    captcha_token: r#"71d635---{"x":237.0,"y":5.0}"#.into(),
                },
            )
            .unwrap();
        assert_eq!(req.url, "https://tenant.example.com/api/v2/sdk/sms/send");
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"mobile":"12345678901","type":"BIND_MOBILE_SMS","captcha_token":"71d635---{\"x\":237.0,\"y\":5.0}"}"#
        );
    }

    #[test]
    fn every_purpose_has_its_documented_name() {
        let names: Vec<_> = [
            SmsPurpose::Register,
            SmsPurpose::Login,
            SmsPurpose::ForgetPassword,
            SmsPurpose::BindMobile,
            SmsPurpose::UpdateMobile,
            SmsPurpose::Otp,
        ]
        .into_iter()
        .map(purpose)
        .collect();
        assert_eq!(
            names,
            [
                "REGISTER_SMS",
                "LOGIN_SMS",
                "FORGET_PWD_SMS",
                "BIND_MOBILE_SMS",
                "UPDATE_MOBILE_SMS",
                "OTP_REST_SMS"
            ]
        );
    }

    #[test]
    fn validation_names_the_field() {
        let verify = |token: &str, x: f64, mobile: &str| {
            config()
                .verify_captcha(
                    BASE,
                    &VerifyCaptcha {
                        token: token.into(),
                        x,
                        y: 1.0,
                        mobile: mobile.into(),
                    },
                )
                .unwrap_err()
                .field()
                .map(str::to_owned)
        };
        assert_eq!(verify("t", 1.0, "075528001234").as_deref(), Some("mobile"));
        assert_eq!(verify("", 1.0, "13800138000").as_deref(), Some("token"));
        assert_eq!(verify("t", f64::NAN, "13800138000").as_deref(), Some("x"));
        let err = config()
            .send_sms_code(
                BASE,
                &SendSmsCode {
                    mobile: "13800138000".into(),
                    purpose: SmsPurpose::Login,
                    captcha_token: "".into(),
                },
            )
            .unwrap_err();
        assert_eq!(err.field(), Some("captcha_token"));
    }

    #[test]
    fn parses_captcha_with_its_many_null_fields() {
        let body = r#"{ "captchaId" : null, "projectCode" : null, "secretKey" : "yMXhmq", "originalImageBase64" : "iVBORw0KGgo=", "point" : null, "jigsawImageBase64" : "iVBORw0KGgp=", "wordList" : null, "token" : "389fd1", "result" : false, "captchaVerification" : null }"#;
        let c = config()
            .parse_captcha(&HttpResponse::new(200, body))
            .unwrap();
        assert_eq!(
            (
                c.token.as_str(),
                c.original_image_base64.as_str(),
                c.jigsaw_image_base64.as_str()
            ),
            ("389fd1", "iVBORw0KGgo=", "iVBORw0KGgp=")
        );
    }

    #[test]
    fn parses_verify_answer() {
        let body = r#"{"captcha_token":"71d635---{\"x\":237.0,\"y\":5.0}"}"#;
        assert_eq!(
            config()
                .parse_verify_captcha(&HttpResponse::new(200, body))
                .unwrap(),
            r#"71d635---{"x":237.0,"y":5.0}"#
        );
    }

    #[test]
    fn sms_success_is_an_empty_200() {
        assert!(config()
            .parse_send_sms_code(&HttpResponse::new(200, ""))
            .is_ok());
        let err = config()
            .parse_send_sms_code(&HttpResponse::new(200, "<html>"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (Protocol, crate::Outcome::Unknown)
        );
    }

    #[test]
    fn error_codes_map_to_kinds() {
        let cases = [
            (400, "IDAAS.SDK.PARAM.0001", InvalidInput),
            (400, "IDAAS.SDK.CAPTCHA.0002", InvalidInput),
            (400, "SDK.COMMON.1001", VendorError),
            (401, "SDK.OTHER", AuthFailed),
            (429, "SDK.OTHER", RateLimited),
        ];
        for (status, code, kind) in cases {
            let body = format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#);
            let err = config()
                .parse_send_sms_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.vendor_code(), err.outcome()),
                (kind, Some(code), Refused)
            );
        }
        let err = config()
            .parse_captcha(&HttpResponse::new(502, "<html>Bad Gateway</html>"))
            .unwrap_err();
        assert_eq!(err.kind(), Protocol);
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_body() {
        for (status, code, kind) in [
            (500, "IDAAS.SDK.PARAM.0001", InvalidInput),
            (502, "SDK.COMMON.1001", VendorError),
            (503, "SDK.OTHER", VendorError),
        ] {
            let body = format!(r#"{{"error_code":"{code}","error_msg":"m"}}"#);
            let err = config()
                .parse_send_sms_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.retryable()),
                (kind, Unknown, false),
                "{status} {code}"
            );
            assert_eq!(
                (err.vendor_code(), err.vendor_message(), err.http_status()),
                (Some(code), Some("m"), Some(status))
            );
        }
    }
}
