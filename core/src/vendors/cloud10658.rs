//! cloud.10658.com.cn `voiceApi` (a white label of the veesing platform): template voice code
//! and balance.
//!
//! Sources and decisions: `docs/protocols/cloud10658.md#sources`.
//! - Form POST with no signature: the appKey travels in every form, so only HTTPS protects it.
//! - `returnStatus` is `"1 "` (trailing space in the vendor's own sample) on success; failures
//!   are `"0"` with the reason only in `message`, so failures are classified by message text.
//! - Balance is documented at `/voiceApi/getBalance`; the vendor's own example calls
//!   `/voiceApi/group/getBalance`, hence the configurable `balance_path`.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{Balance, BalanceUnit, CallEvent, EventKind, Receipt};
use crate::protocol::checks::{check_header_safe, check_secret, refuse_unsupported, CodeRule};
use crate::protocol::encode;
use crate::protocol::vendor::{
    CodeSender, ParsedSend, Protocol, PushAck, PushParser, Signer, VendorFacts, WithBody,
};
use crate::protocol::wire::{
    bad_body, china_time, form, form_fields, form_post, int_field, json_body, required, text_field,
    Meaning, Scalar, UNDOCUMENTED,
};
use crate::{Error, ErrorKind, Outcome, Result, Secret, Vendor};

pub(crate) const PRODUCTION: &str = "https://cloud.10658.com.cn";
const SEND_PATH: &str = "/voiceApi";
const BALANCE_PATH: &str = "/voiceApi/getBalance";

/// cloud.10658.com.cn account (`vendor = "cloud10658"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloud10658Config {
    /// appId.
    pub app_id: String,
    /// appKey; the vendor requires it in every form, so only HTTPS protects it.
    pub app_key: Secret,
    /// The approved voice-code template.
    pub template_id: String,
    /// Balance path; the vendor documents `/voiceApi/getBalance` and its own sample uses
    /// `/voiceApi/group/getBalance`.
    pub balance_path: Option<String>,
}

use ErrorKind::*;
use Outcome::*;

/// 状态码定义 of both operations: message text → kind and outcome. Matched as substrings, first
/// hit wins.
pub const MESSAGES: &[(&str, ErrorKind, Outcome)] = &[
    ("账号或密码错误", AuthFailed, Refused),
    ("缺少参数", InvalidInput, Refused),
    ("参数错误", InvalidInput, Refused),
    ("模板不存在或者未通过", InvalidConfig, Refused),
    ("模板id格式不正确", InvalidConfig, Refused),
    ("账户已被锁定", Forbidden, Refused),
    ("余额不足", InsufficientBalance, Refused),
    ("手机号码格式不正确", InvalidInput, Refused),
    ("该号码今日发送次数已达上限", RateLimited, Refused),
    ("一分钟之内只可发送一次", RateLimited, Refused),
    ("当日发送量已超出最大发送限制", RateLimited, Refused),
    ("IP受限", Forbidden, Refused),
    // 未知原因,请联系客服: a failure the platform itself cannot explain, which does not say
    // that no call was placed.
    ("未知原因", VendorError, Unknown),
];

pub(crate) fn classify(message: &str) -> Meaning {
    MESSAGES
        .iter()
        .find(|(text, ..)| message.contains(text))
        .map_or(UNDOCUMENTED, |&(_, kind, outcome)| (kind, outcome))
}

/// The content type of every request, as the vendor's demo spells it.
const FORM: &str = "application/x-www-form-urlencoded;charset=utf-8";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Answer<'a> {
    #[serde(borrow)]
    return_status: Option<Scalar<'a>>,
    message: Option<String>,
    #[serde(borrow)]
    remain_point: Option<Scalar<'a>>,
    #[serde(borrow)]
    task_id: Option<Scalar<'a>>,
}

/// Reads the answer, refusing unless `returnStatus` (trimmed) is 1.
fn read(resp: &HttpResponse) -> Result<Answer<'_>> {
    let answer: Answer = json_body(Vendor::Cloud10658, resp)?;
    let status = answer
        .return_status
        .as_ref()
        .and_then(Scalar::text)
        .ok_or_else(|| {
            Error::protocol(
                Vendor::Cloud10658,
                resp.status,
                "the answer has no returnStatus",
            )
        })?;
    let status = status.trim();
    if status == "1" {
        return Ok(answer);
    }
    let message = answer.message.as_deref().unwrap_or("");
    Err(Error::answered(
        Vendor::Cloud10658,
        classify(message),
        resp.status,
        status,
        message,
    ))
}

fn remaining(resp: &HttpResponse, answer: &Answer) -> Result<Option<u64>> {
    match answer.remain_point.as_ref().and_then(Scalar::text) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            Error::protocol(
                Vendor::Cloud10658,
                resp.status,
                format!("remainPoint {text:?} is not a count"),
            )
        }),
    }
}

/// Template voice codes are 2 to 8 digits (cloud.10658.com.cn API).
const CODE: CodeRule = CodeRule::digits(2, 8);

/// Template voice codes from one channel: the account's fields of the form encoded once.
struct Sender {
    url: Arc<str>,
    account: String,
}

impl CodeSender for Sender {
    fn prepare(self: Arc<Self>, req: &ParsedSend) -> Result<Signer> {
        refuse_unsupported("cloud10658", req.options, &[])?;
        let phone = req.to.mobile("to", "cloud10658")?;
        CODE.check(req.code)?;
        let recipient = form(&[("phone", phone), ("variables", req.code)]);
        let body = encode::concat(&[&self.account, "&", &recipient]);
        // Unsigned: the key travels in the body, so every send is the same request.
        Ok(WithBody::signer(body, move |_: &Context, body| {
            form_post(&self.url, FORM, body)
        }))
    }
}

impl VendorFacts for Cloud10658Config {
    const DISPLAY_NAME: &'static str = "cloud.10658.com.cn";
    const SECRET_KEY: Option<&'static str> = Some("app_key");
    const PUSH: Option<(PushParser, PushAck)> = Some((parse_receipt, PushAck::EMPTY));
}

impl Protocol for Cloud10658Config {
    fn code_rule(&self) -> Option<CodeRule> {
        Some(CODE)
    }

    fn default_base_url(&self) -> Result<&'static str> {
        Ok(PRODUCTION)
    }

    fn validate(&self) -> Result<()> {
        check_header_safe("app_id", &self.app_id)?;
        check_header_safe("template_id", &self.template_id)?;
        check_secret("app_key", &self.app_key)?;
        if let Some(path) = &self.balance_path {
            let ok = path.starts_with('/')
                && path
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_.".contains(&b));
            if !ok {
                return Err(Error::invalid_config(
                    "balance_path",
                    "must be a path such as /voiceApi/getBalance",
                ));
            }
        }
        Ok(())
    }

    fn code_sender(&self, base: &str) -> Result<Arc<dyn CodeSender>> {
        let account = [
            ("appId", &*self.app_id),
            ("appKey", self.app_key.expose()),
            ("templateId", &self.template_id),
        ];
        Ok(Arc::new(Sender {
            url: format!("{base}{SEND_PATH}").into(),
            account: form(&account),
        }))
    }

    fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        let answer = read(resp)?;
        let task_id = answer.task_id.as_ref().and_then(Scalar::text);
        let task_id = task_id.map(str::to_owned);
        let missing = "success without a taskId";
        let message_id = required(Vendor::Cloud10658, resp, task_id, missing)?;
        let remaining = remaining(resp, &answer)?;
        let message = answer.message.unwrap_or_default();
        Ok(Receipt {
            remaining,
            ..Receipt::new(Vendor::Cloud10658, message_id, "1", message)
        })
    }

    fn balance(&self, base: &str, _ctx: &Context) -> Result<HttpRequest> {
        let path = self.balance_path.as_deref().unwrap_or(BALANCE_PATH);
        let fields = [("appId", &*self.app_id), ("appKey", self.app_key.expose())];
        Ok(form_post(format!("{base}{path}"), FORM, form(&fields)))
    }

    fn parse_balance(&self, resp: &HttpResponse) -> Result<Balance> {
        let answer = read(resp)?;
        let amount = remaining(resp, &answer)?.ok_or_else(|| {
            Error::protocol(
                Vendor::Cloud10658,
                resp.status,
                "the answer has no remainPoint",
            )
        })?;
        Ok(Balance {
            vendor: Vendor::Cloud10658,
            amount: amount.to_string(),
            unit: BalanceUnit::Units,
        })
    }
}

/// Reads a delivery receipt. Receipts are unsigned form posts
/// (`docs/protocols/cloud10658.md#pushes`): the only defences are a secret in the receipt URL
/// (check it before parsing), an IP allow-list, and de-duplication.
pub(crate) fn parse_receipt(headers: &[(String, String)], body: &[u8]) -> Result<Vec<CallEvent>> {
    let bad = |detail: &str| bad_body(Vendor::Cloud10658, detail);
    let is_json = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("json")
    });
    let form: Map<String, Value> = if is_json {
        serde_json::from_slice(body).map_err(|e| bad(&e.to_string()))?
    } else {
        form_fields(Vendor::Cloud10658, body)?
    };
    let message_id = text_field(&form, "taskid").ok_or_else(|| bad("no taskid"))?;
    let event = match text_field(&form, "status").as_deref().map(str::trim) {
        Some("1") => EventKind::Delivered,
        Some("0") => EventKind::Failed,
        other => return Err(bad(&format!("status {other:?} is neither 1 nor 0"))),
    };
    // The vendor writes China wall-clock time without a zone.
    let at = china_time(text_field(&form, "receivetime").as_deref());
    Ok(vec![CallEvent {
        vendor: Vendor::Cloud10658,
        message_id,
        phone: text_field(&form, "mobile"),
        event,
        at,
        state_code: int_field(&form, "code"),
        state_desc: text_field(&form, "remark"),
        talk_seconds: int_field(&form, "talktime").and_then(|s| u64::try_from(s).ok()),
        user_data: None,
        raw: form,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Method;
    use crate::model::SendCode;

    fn config() -> Cloud10658Config {
        Cloud10658Config {
            app_id: "2RYN7CQHL1M00000".into(),
            app_key: "WVNA4A000000".into(),
            template_id: "724".into(),
            balance_path: None,
        }
    }

    #[test]
    fn golden_send_code_request() {
        let req = config()
            .send_code(
                PRODUCTION,
                &SendCode::new("+8615080929435", "1234"),
                &Context::fixed(),
            )
            .unwrap();
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://cloud.10658.com.cn/voiceApi");
        assert_eq!(
            req.header_value("Content-Type"),
            Some("application/x-www-form-urlencoded;charset=utf-8")
        );
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            "appId=2RYN7CQHL1M00000&appKey=WVNA4A000000&templateId=724&phone=15080929435&variables=1234"
        );
    }

    #[test]
    fn balance_path_is_configurable() {
        assert_eq!(
            config().balance(PRODUCTION, &Context::fixed()).unwrap().url,
            "https://cloud.10658.com.cn/voiceApi/getBalance"
        );
        let mut c = config();
        c.balance_path = Some("/voiceApi/group/getBalance".into());
        let req = c
            .balance("http://127.0.0.1:8080", &Context::fixed())
            .unwrap();
        assert_eq!(req.url, "http://127.0.0.1:8080/voiceApi/group/getBalance");
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            "appId=2RYN7CQHL1M00000&appKey=WVNA4A000000"
        );
    }

    #[test]
    fn validation_names_the_field_and_rule() {
        for (req, field) in [
            (SendCode::new("15080929435", "1"), "code"),
            (SendCode::new("15080929435", "123456789"), "code"),
            (SendCode::new("075528001234", "1234"), "to"),
            (
                SendCode::new("15080929435", "1234").user_data("x"),
                "user_data",
            ),
        ] {
            let err = config()
                .send_code(PRODUCTION, &req, &Context::fixed())
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.field()),
                (InvalidInput, Some(field)),
                "{req:?}"
            );
        }
    }

    #[test]
    fn success_status_has_a_trailing_space() {
        let body = r#"{"returnStatus":"1 ","message":"成功","remainPoint":"241","taskId":"3313746","successCounts":"1"}"#;
        let receipt = config()
            .parse_send_code(&HttpResponse::new(200, body))
            .unwrap();
        assert_eq!(receipt.message_id, "3313746");
        assert_eq!(receipt.remaining, Some(241));
        assert_eq!(receipt.vendor_code, "1");
    }

    #[test]
    fn every_documented_message_maps_to_its_kind_and_outcome() {
        let expected = [
            ("账号或密码错误", AuthFailed, Refused),
            ("缺少参数", InvalidInput, Refused),
            ("参数错误", InvalidInput, Refused),
            ("模板不存在或者未通过", InvalidConfig, Refused),
            ("模板id格式不正确", InvalidConfig, Refused),
            ("您的账户已被锁定,请联系您的专属客服", Forbidden, Refused),
            ("余额不足", InsufficientBalance, Refused),
            ("手机号码格式不正确", InvalidInput, Refused),
            ("该号码今日发送次数已达上限", RateLimited, Refused),
            ("相同手机号码一分钟之内只可发送一次", RateLimited, Refused),
            ("当日发送量已超出最大发送限制", RateLimited, Refused),
            ("未知原因,请联系客服", VendorError, Unknown),
            ("IP受限", Forbidden, Refused),
            ("something new", VendorError, Refused),
        ];
        for (message, kind, outcome) in expected {
            let body = format!(
                r#"{{"returnStatus":"0","message":"{message}","remainPoint":null,"taskId":null,"successCounts":null}}"#
            );
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!((err.kind(), err.outcome()), (kind, outcome), "{message}");
            assert_eq!(err.vendor_code(), Some("0"));
            assert_eq!(err.vendor_message(), Some(message));
        }
    }

    #[test]
    fn a_server_error_status_leaves_the_outcome_unknown_whatever_the_body() {
        for status in [500, 502, 503] {
            let body = r#"{"returnStatus":"0","message":"余额不足"}"#;
            let err = config()
                .parse_send_code(&HttpResponse::new(status, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome(), err.retryable()),
                (InsufficientBalance, Unknown, false)
            );
            assert_eq!(
                (err.vendor_code(), err.vendor_message(), err.http_status()),
                (Some("0"), Some("余额不足"), Some(status))
            );
        }
    }

    #[test]
    fn parses_balance() {
        let body = r#"{"returnStatus":"1 ","message":"成功","remainPoint":"241","taskId":null,"successCounts":null}"#;
        let b = config()
            .parse_balance(&HttpResponse::new(200, body))
            .unwrap();
        assert_eq!((b.amount.as_str(), b.unit), ("241", BalanceUnit::Units));
    }

    #[test]
    fn unreadable_answers_are_protocol_errors() {
        for body in [
            "",
            "<html>",
            r#"{"returnStatus":"1 ","taskId":null}"#,
            r#"{"message":"x"}"#,
            r#"{"returnStatus":"1","taskId":"1","remainPoint":"many"}"#,
        ] {
            let err = config()
                .parse_send_code(&HttpResponse::new(200, body))
                .unwrap_err();
            assert_eq!(
                (err.kind(), err.outcome()),
                (ErrorKind::Protocol, crate::Outcome::Unknown),
                "{body}"
            );
        }
    }
}
