//! Alibaba Cloud SMS (短信服务, dysmsapi 2017-05-25): `SendSms` behind the same gateway as the
//! voice service (see `docs/protocols/aliyun.md` and `core/src/vendors/aliyun/sms.rs` for the
//! documents). It claims requests to `/` whose action is `SendSms`, in either signature scheme.
//!
//! After the gateway's checks (the parent module's), with HTTP 200: the signature
//! (`isv.SMS_SIGNATURE_ILLEGAL`), the template (`isv.SMS_TEMPLATE_ILLEGAL`), `PhoneNumbers` (at
//! most 1,000, `isv.MOBILE_COUNT_OVER_LIMIT`; each a mainland mobile with or without
//! `+`/`+86`/`0086`/`86`, or country code and number, `isv.MOBILE_NUMBER_ILLEGAL`),
//! `TemplateParam` (a JSON object of strings, `isv.INVALID_JSON_PARAM`; the template's one
//! variable `${code}`, `isv.TEMPLATE_MISSING_PARAMETERS`; 4–6 letters or digits, the
//! verification-code rule, `isv.PARAM_LENGTH_LIMIT` / `isv.INVALID_PARAMETERS`), `OutId` under
//! 256 characters, one message per number and minute (`isv.BUSINESS_LIMIT_CONTROL`, the first of
//! the documented 1/min, 5/h, 10/day) and the balance (`isv.AMOUNT_NOT_ENOUGH`). The answer
//! carries `BizId`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::Router;
use serde_json::{json, Map, Value};
use voicecode::{Product, Vendor};

use super::{
    action_of, check_gateway, injected_refusal, missing, refusal, refused, reply, request_id,
    wants_xml, Api, Refusal,
};
use crate::exchange::{Answer, AtRoot, Endpoint, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;
use crate::wire::{is_digits, is_mobile};
use demo::*;

/// The demo account's SMS signature and template (in [`crate::demo`]).
pub mod demo {
    /// The approved signature (`SignName`) of the demo account.
    pub const ALIYUN_SMS_SIGN_NAME: &str = "阿里云短信测试";
    /// The demo account's approved verification-code template (`TemplateCode`), whose one
    /// variable is `${code}`.
    pub const ALIYUN_SMS_TEMPLATE_CODE: &str = "SMS_154950909";
}

const SMS: Api = Api {
    action: "SendSms",
    response: "SendSmsResponse",
    host: "dysmsapi.aliyuncs.com",
};

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Aliyun,
    product: Product::Sms,
    refusal: |_, req, code| injected_refusal(&SMS, req, code),
    routes: Router::new,
    root: Some(AtRoot {
        claims: Some(|req| action_of(req).as_deref() == Some(SMS.action)),
        endpoint: Endpoint(Operation::SendSmsCode, Some("PhoneNumbers"), send_sms),
    }),
    config: || {
        json!({
            "access_key_id": super::demo::ALIYUN_ACCESS_KEY_ID,
            "access_key_secret": super::demo::ALIYUN_ACCESS_KEY_SECRET,
            "sign_name": ALIYUN_SMS_SIGN_NAME,
            "template_code": ALIYUN_SMS_TEMPLATE_CODE,
        })
    },
    // The account's balance, which both products draw on.
    balance: true,
    push_url: None,
};

/// "上限为 1000 个手机号码".
const MAX_NUMBERS: usize = 1000;
/// The first of the documented verification-code limits per number and signature (1 条/分钟).
const SAME_NUMBER_INTERVAL: Duration = Duration::from_secs(60);
/// "长度小于 256 的字符串".
const MAX_OUT_ID_CHARS: usize = 255;

/// When each number was last sent a message.
#[derive(Default)]
struct Memory {
    last_sent: HashMap<String, Instant>,
}

fn send_sms(state: &mut SimState, req: &VendorRequest) -> Answer {
    let fields = req.fields();
    let xml = wants_xml(req, &fields);
    let checked =
        check_gateway(state, req, &fields, &SMS).and_then(|()| check_message(state, &fields));
    match checked {
        Ok(body) => Answer::new(
            reply(xml, StatusCode::OK, SMS.response, &body),
            Verdict::Accepted,
        ),
        Err(refusal) => refused(&SMS, xml, refusal),
    }
}

/// A number as the document allows it: a mainland mobile bare or after `+`, `+86`, `0086` or
/// `86`, as its 11 digits; or a number abroad as country code and number.
fn number(text: &str) -> Option<String> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let mainland = ["0086", "86", ""]
        .iter()
        .find_map(|prefix| digits.strip_prefix(prefix).filter(|n| is_mobile(n)));
    match mainland {
        Some(mobile) => Some(mobile.to_owned()),
        // A mainland number that is not a mobile (a landline) cannot take SMS.
        None if is_digits(digits, 8, 15) && !digits.starts_with('0') && !digits.starts_with("86") => {
            Some(format!("+{digits}"))
        }
        None => None,
    }
}

/// The verification code from `TemplateParam`, checked as the template's variable rule says.
fn template_code(param: Option<&str>) -> Result<String, Refusal> {
    let missing_variable = || {
        refusal(
            200,
            "isv.TEMPLATE_MISSING_PARAMETERS",
            "模板变量缺少对应参数值",
        )
    };
    let param = param.ok_or_else(missing_variable)?;
    let bad_json = || refusal(200, "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值");
    let values: Map<String, Value> = serde_json::from_str(param).map_err(|_| bad_json())?;
    if values.values().any(|v| !v.is_string()) {
        return Err(bad_json());
    }
    let code = values
        .get("code")
        .and_then(Value::as_str)
        .ok_or_else(missing_variable)?;
    if !(4..=6).contains(&code.chars().count()) {
        return Err(refusal(200, "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"));
    }
    if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(refusal(200, "isv.INVALID_PARAMETERS", "参数异常"));
    }
    Ok(code.to_owned())
}

fn check_message(state: &mut SimState, fields: &[(String, String)]) -> Result<Value, Refusal> {
    let get = |name: &str| VendorRequest::field(fields, name).filter(|v| !v.is_empty());
    let required = |name: &str| get(name).ok_or_else(|| missing(name));
    let numbers = required("PhoneNumbers")?;
    let sign_name = required("SignName")?;
    let template = required("TemplateCode")?;
    if sign_name != ALIYUN_SMS_SIGN_NAME {
        return Err(refusal(200, "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"));
    }
    if template != ALIYUN_SMS_TEMPLATE_CODE {
        return Err(refusal(200, "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"));
    }
    let numbers: Vec<&str> = numbers.split(',').collect();
    if numbers.len() > MAX_NUMBERS {
        return Err(refusal(200, "isv.MOBILE_COUNT_OVER_LIMIT", "手机号码数量超过限制"));
    }
    let numbers = numbers
        .into_iter()
        .map(number)
        .collect::<Option<Vec<String>>>()
        .ok_or_else(|| refusal(200, "isv.MOBILE_NUMBER_ILLEGAL", "手机号码格式错误"))?;
    let code = template_code(get("TemplateParam"))?;
    if get("OutId").is_some_and(|id| id.chars().count() > MAX_OUT_ID_CHARS) {
        return Err(refusal(200, "isv.INVALID_PARAMETERS", "参数异常"));
    }

    let now = Instant::now();
    let memory = state.memory::<Memory>();
    memory
        .last_sent
        .retain(|_, at| now.duration_since(*at) < SAME_NUMBER_INTERVAL);
    if numbers.iter().any(|n| memory.last_sent.contains_key(n)) {
        return Err(refusal(
            200,
            "isv.BUSINESS_LIMIT_CONTROL",
            "触发分钟级流控Permits:1",
        ));
    }
    if !state.charge(Vendor::Aliyun) {
        return Err(refusal(200, "isv.AMOUNT_NOT_ENOUGH", "账户余额不足"));
    }
    for number in &numbers {
        state.memory::<Memory>().last_sent.insert(number.clone(), now);
        state.record_sms_code(Vendor::Aliyun, number, &code);
    }
    let biz_id = format!("{}^0", 900_619_746_936_498_440_u64 + state.next_id());
    Ok(json!({
        "Code": "OK",
        "Message": "OK",
        "BizId": biz_id,
        "RequestId": request_id(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_every_documented_form() {
        for text in ["13800138000", "+13800138000", "+8613800138000", "8613800138000", "008613800138000"] {
            assert_eq!(number(text).as_deref(), Some("13800138000"), "{text}");
        }
        assert_eq!(number("85261234567").as_deref(), Some("+85261234567"));
        for text in ["", "12345", "075528001234", "+86 13800138000", "8675528001234", "abc"] {
            assert_eq!(number(text), None, "{text}");
        }
    }

    #[test]
    fn template_params_are_checked_as_the_verification_template_needs() {
        assert_eq!(template_code(Some(r#"{"code":"12CDE"}"#)).unwrap(), "12CDE");
        let code = |param: Option<&str>| template_code(param).unwrap_err().1;
        assert_eq!(code(None), "isv.TEMPLATE_MISSING_PARAMETERS");
        assert_eq!(code(Some(r#"{"other":"1234"}"#)), "isv.TEMPLATE_MISSING_PARAMETERS");
        assert_eq!(code(Some(r#"{"code":1234}"#)), "isv.INVALID_JSON_PARAM");
        assert_eq!(code(Some("code=1234")), "isv.INVALID_JSON_PARAM");
        assert_eq!(code(Some(r#"{"code":"123"}"#)), "isv.PARAM_LENGTH_LIMIT");
        assert_eq!(code(Some(r#"{"code":"1234567"}"#)), "isv.PARAM_LENGTH_LIMIT");
        assert_eq!(code(Some(r#"{"code":"12-4"}"#)), "isv.INVALID_PARAMETERS");
    }
}
