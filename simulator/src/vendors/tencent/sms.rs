//! Tencent Cloud SMS, API 3.0 `SendSms` version `2021-01-11` (see `docs/protocols/tencent.md`
//! and `core/src/vendors/tencent/sms.rs` for the documents). It claims requests to `/` whose
//! `X-TC-Action` is `SendSms`; the signature is checked as for VMS (the parent module's), under
//! the service `sms`.
//!
//! Request-wide refusals come as `Response.Error`: unknown keys (`UnknownParameter`), required
//! keys and their types (`MissingParameter`, `InvalidParameter`), an empty or oversized number
//! list (`MissingParameter.EmptyPhoneNumberSet`, `LimitExceeded.PhoneNumberCountLimit`), the
//! application (`InvalidParameterValue.SdkAppIdNotExist`), signature and template
//! (`FailedOperation.SignatureIncorrectOrUnapproved`, `…TemplateIncorrectOrUnapproved`), the
//! parameter count (`…TemplateParamSetNotMatchApprovedTemplate`), the code (0–6 digits,
//! `InvalidParameterValue.TemplateParameterFormatError`), other parameters (at most 6
//! characters, as on accounts opened since 2024-01-25, `…TemplateParameterLengthLimit`), the
//! session context and the SMS package (`FailedOperation.InsufficientBalanceInSmsPackage`).
//! Each number then gets its own status in `SendStatusSet`: `Ok`, or
//! `InvalidParameterValue.IncorrectPhoneNumber`, or `LimitExceeded.PhoneNumberThirtySecondLimit`
//! (the default policy: one message of the same content per number in 30 seconds).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::{json, Value};
use voicecode::{Product, Vendor};

use super::{
    check_request, json_response, reply, required_str, Api, Refusal, INVALID_PARAMETER,
    INVALID_VALUE,
};
use crate::exchange::{Answer, AtRoot, Endpoint, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;
use crate::wire::{is_digits, is_mobile, random_hex, uuid_hex};
use demo::*;

/// The demo SMS application (in [`crate::demo`]).
pub mod demo {
    /// `SmsSdkAppId` of the demo SMS application.
    pub const TENCENT_SMS_SDK_APP_ID: &str = "1400000002";
    /// The demo application's approved signature (`SignName`).
    pub const TENCENT_SMS_SIGN_NAME: &str = "腾讯云";
    /// The approved verification-code template "{1}为您的登录验证码，请于{2}分钟内填写".
    pub const TENCENT_SMS_TEMPLATE_ID: &str = "449739";
}

const SMS: Api = Api {
    action: "SendSms",
    version: "2021-01-11",
    service: "sms",
};

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Tencent,
    product: Product::Sms,
    refusal: |_, _, code| reply(code, "Simulated error code."),
    routes: Router::new,
    root: Some(AtRoot {
        claims: Some(|req| req.header("x-tc-action") == Some(SMS.action)),
        endpoint: Endpoint(Operation::SendSmsCode, Some("PhoneNumberSet"), send_sms),
    }),
    config: || {
        json!({
            "secret_id": super::demo::TENCENT_SECRET_ID,
            "secret_key": super::demo::TENCENT_SECRET_KEY,
            "sms_sdk_app_id": TENCENT_SMS_SDK_APP_ID,
            "sign_name": TENCENT_SMS_SIGN_NAME,
            "template_id": TENCENT_SMS_TEMPLATE_ID,
            "extra_template_params": ["5"],
        })
    },
    // Its SMS package.
    balance: true,
    push_url: None,
};

const BODY_KEYS: [&str; 8] = [
    "PhoneNumberSet",
    "SmsSdkAppId",
    "SignName",
    "TemplateId",
    "TemplateParamSet",
    "ExtendCode",
    "SessionContext",
    "SenderId",
];
/// "单次请求最多支持200个手机号".
const MAX_NUMBERS: usize = 200;
/// The demo template's variables: the code and the minutes.
const TEMPLATE_VARIABLES: usize = 2;
/// Variables other than a code: the default length on accounts opened since 2024-01-25.
const MAX_PARAM_CHARS: usize = 6;
const SESSION_CONTEXT_MAX: usize = 512;
/// The default frequency policy: one message of the same content per number in 30 seconds.
const SAME_CONTENT_INTERVAL: Duration = Duration::from_secs(30);

/// When each number was last sent each content.
#[derive(Default)]
struct Memory {
    last_sent: HashMap<(String, String), Instant>,
}

fn send_sms(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check(state, req) {
        Ok((body, verdict)) => Answer::new(json_response(&body), verdict),
        Err((code, message)) => Answer::new(reply(code, message), Verdict::refused(code, 200)),
    }
}

fn strings(value: Option<&Value>) -> Result<Vec<&str>, Refusal> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().ok_or(INVALID_PARAMETER))
            .collect(),
        Some(_) => Err(INVALID_PARAMETER),
    }
}

/// A number as `PhoneNumberSet` takes it: E.164, or a mainland mobile bare or after `86` or
/// `0086`; the mobile's 11 digits, or the E.164 of a number abroad.
fn number(text: &str) -> Option<String> {
    let mainland = ["+86", "0086", "86", ""]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix).filter(|n| is_mobile(n)));
    match (mainland, text.strip_prefix('+')) {
        (Some(mobile), _) => Some(mobile.to_owned()),
        // A mainland number that is not a mobile (a landline) cannot take SMS.
        (None, Some(digits))
            if is_digits(digits, 8, 15) && !digits.starts_with('0') && !digits.starts_with("86") =>
        {
            Some(text.to_owned())
        }
        _ => None,
    }
}

fn check(state: &mut SimState, req: &VendorRequest) -> Result<(Value, Verdict), Refusal> {
    let body = check_request(req, &SMS)?;
    if body.keys().any(|k| !BODY_KEYS.contains(&k.as_str())) {
        return Err(("UnknownParameter", "未知参数错误。"));
    }
    let numbers = strings(body.get("PhoneNumberSet"))?;
    let appid = required_str(&body, "SmsSdkAppId")?;
    let template = required_str(&body, "TemplateId")?;
    let sign = match body.get("SignName") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(INVALID_PARAMETER),
    };
    let params = strings(body.get("TemplateParamSet"))?;
    let session_context = match body.get("SessionContext") {
        None => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(INVALID_PARAMETER),
    };
    if numbers.is_empty() {
        return Err(("MissingParameter.EmptyPhoneNumberSet", "传入的号码列表为空。"));
    }
    if numbers.len() > MAX_NUMBERS {
        return Err((
            "LimitExceeded.PhoneNumberCountLimit",
            "调用接口单次提交的手机号个数超过200个。",
        ));
    }
    if appid != TENCENT_SMS_SDK_APP_ID {
        return Err(("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId 不存在。"));
    }
    if sign != Some(TENCENT_SMS_SIGN_NAME) {
        return Err((
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "签名未审批或格式错误。",
        ));
    }
    if template != TENCENT_SMS_TEMPLATE_ID {
        return Err((
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "模板未审批或内容不匹配。",
        ));
    }
    if params.len() != TEMPLATE_VARIABLES {
        return Err((
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "请求内容与审核通过的模板内容不匹配。",
        ));
    }
    let code = params[0];
    if !code.bytes().all(|b| b.is_ascii_digit()) || code.len() > 6 {
        return Err((
            "InvalidParameterValue.TemplateParameterFormatError",
            "验证码模板参数格式错误，验证码类模板，模板变量只能传入0 - 6位（包括6位）纯数字。",
        ));
    }
    if params[1..].iter().any(|p| p.chars().count() > MAX_PARAM_CHARS) {
        return Err((
            "InvalidParameterValue.TemplateParameterLengthLimit",
            "单个模板变量字符数超过规定的限制数。",
        ));
    }
    if session_context.len() > SESSION_CONTEXT_MAX {
        return Err(INVALID_VALUE);
    }
    if state.balance(Vendor::Tencent) < Some(numbers.len() as u64) {
        return Err((
            "FailedOperation.InsufficientBalanceInSmsPackage",
            "套餐包余量不足。",
        ));
    }

    let content = params.join("\u{1f}");
    let now = Instant::now();
    state
        .memory::<Memory>()
        .last_sent
        .retain(|_, at| now.duration_since(*at) < SAME_CONTENT_INTERVAL);
    let mut statuses = Vec::with_capacity(numbers.len());
    let mut first_refusal = None;
    for text in numbers {
        let (code_of, message, fee, serial) = match number(text) {
            None => (
                "InvalidParameterValue.IncorrectPhoneNumber",
                "手机号格式错误。",
                0,
                String::new(),
            ),
            Some(key) => {
                let memory = state.memory::<Memory>();
                let sent = (key.clone(), content.clone());
                if let std::collections::hash_map::Entry::Vacant(first) =
                    memory.last_sent.entry(sent)
                {
                    first.insert(now);
                    state.charge(Vendor::Tencent);
                    state.record_sms_code(Vendor::Tencent, &key, code);
                    let serial = format!("2433:{}", random_hex(24));
                    ("Ok", "send success", 1, serial)
                } else {
                    (
                        "LimitExceeded.PhoneNumberThirtySecondLimit",
                        "单个手机号30秒内下发短信条数超过设定的上限。",
                        0,
                        String::new(),
                    )
                }
            }
        };
        if code_of != "Ok" && first_refusal.is_none() {
            first_refusal = Some(code_of);
        }
        let iso = if text.starts_with("+86") || !text.starts_with('+') {
            "CN"
        } else {
            "DEF"
        };
        statuses.push(json!({
            "SerialNo": serial,
            "PhoneNumber": text,
            "Fee": fee,
            "SessionContext": session_context,
            "Code": code_of,
            "Message": message,
            "IsoCode": iso,
        }));
    }
    let accepted = statuses.iter().any(|s| s["Code"] == "Ok");
    let verdict = match first_refusal {
        Some(code) if !accepted => Verdict::refused(code, 200),
        _ => Verdict::Accepted,
    };
    let answer = json!({
        "Response": { "SendStatusSet": statuses, "RequestId": uuid_hex() }
    });
    Ok((answer, verdict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_as_e164_or_mainland_digits() {
        for text in ["+8613800138000", "8613800138000", "008613800138000", "13800138000"] {
            assert_eq!(number(text).as_deref(), Some("13800138000"), "{text}");
        }
        assert_eq!(number("+85261234567").as_deref(), Some("+85261234567"));
        for text in ["", "85261234567", "+86075528001234", "+0123456789", "1380013800"] {
            assert_eq!(number(text), None, "{text}");
        }
    }
}
