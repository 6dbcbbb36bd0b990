//! ihuyi 互亿无线 SMS: `sms.php?method=Submit` (`docs/protocols/ihuyi.md#sms-product--sms`), the
//! voice side's account, dynamic password and answer shapes, checked here on their own.
//!
//! Checks, in order: empty fields (`401`–`404`), account and password (`405`), the mobile
//! (`406`), the content against the demo account's approved template (`4072`; its variable at
//! most 8 characters, `40722`), one message per number a second (`4080`), five verification
//! messages per number a day (`4085`), the balance (`4051`). Answers are XML unless
//! `format=json`, with the message's `smsid`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::json;
use voicecode::{Product, Vendor};

use super::demo::{IHUYI_ACCOUNT, IHUYI_API_KEY};
use super::{reply_as, wants_json};
use crate::exchange::{Answer, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::state::State as SimState;

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Ihuyi,
    product: Product::Sms,
    refusal: |_, req, code| refusal(req, code).0,
    routes,
    root: None,
    config: || json!({ "account": IHUYI_ACCOUNT, "api_key": IHUYI_API_KEY }),
    // The account's balance, which both products draw on.
    balance: true,
    push_url: None,
};

fn routes() -> Router<Arc<Shared>> {
    Router::new().route("/webservice/sms.php", post(dispatch))
}

/// The demo account's approved template (ihuyi's default), around its one variable.
const TEMPLATE: (&str, &str) = ("您的验证码是：", "。请不要把验证码泄露给其他人。");
/// "变量内容超过指定的长度【8】".
const MAX_VARIABLE_CHARS: usize = 8;
/// "同一手机号验证码短信发送超出【5】条" a day.
const DAILY_PER_NUMBER: usize = 5;

/// The Submit codes the simulator answers, with the vendor's `msg`.
const MESSAGES: &[(&str, &str)] = &[
    ("401", "帐号不能为空"),
    ("402", "密码不能为空"),
    ("403", "手机号码不能为空"),
    ("404", "短信内容不能为空"),
    ("405", "API ID 或 API KEY 不正确"),
    ("4051", "剩余条数不足"),
    ("406", "手机号码格式不正确"),
    ("4072", "提交的短信内容与审核通过的模板内容不匹配"),
    ("40722", "变量内容超过指定的长度【8】"),
    ("4080", "同一手机号码同一秒钟之内发送频率不能超过1条"),
    ("4085", "同一手机号验证码短信发送超出【5】条"),
];

/// When each number was sent messages (the last day's).
#[derive(Default)]
struct Memory {
    sent: HashMap<String, Vec<Instant>>,
}

const FIRST_SMS_ID: u64 = 14_745_625_541_233_112_231;

async fn dispatch(State(shared): State<Arc<Shared>>, req: VendorRequest) -> Response {
    let method = VendorRequest::field(&req.query_fields(), "method").map(str::to_owned);
    if !method.is_some_and(|m| m.eq_ignore_ascii_case("Submit")) {
        let text = "voicecode-sim: ihuyi SMS knows method=Submit\n";
        return (StatusCode::NOT_FOUND, text).into_response();
    }
    let phone = VendorRequest::field(&req.fields(), "mobile").map(str::to_owned);
    SIDE.handle(shared, Operation::SendSmsCode, phone, req, |state, req| {
        let fields = req.fields();
        match submit(state, &fields) {
            Ok(id) => {
                let response = reply_as("SubmitResult", "smsid", wants_json(&fields), "2", "提交成功", &id);
                Answer::new(response, Verdict::Accepted)
            }
            Err(code) => refusal(req, code).into(),
        }
    })
    .await
}

fn refusal(req: &VendorRequest, code: &str) -> (Response, Verdict) {
    let msg = MESSAGES.iter().find(|(c, _)| *c == code).map_or("提交失败", |(_, m)| *m);
    let response = reply_as("SubmitResult", "smsid", wants_json(&req.fields()), code, msg, "0");
    (response, Verdict::refused(code, 200))
}

fn submit(state: &mut SimState, fields: &[(String, String)]) -> Result<String, &'static str> {
    let (mobile, content) = super::submitted(fields)?;
    let code = content
        .strip_prefix(TEMPLATE.0)
        .and_then(|rest| rest.strip_suffix(TEMPLATE.1))
        .filter(|code| !code.is_empty())
        .ok_or("4072")?;
    if code.chars().count() > MAX_VARIABLE_CHARS {
        return Err("40722");
    }
    let now = Instant::now();
    let sent = state.memory::<Memory>().sent.entry(mobile.to_owned()).or_default();
    sent.retain(|at| now.duration_since(*at) < Duration::from_secs(24 * 3600));
    if sent.last().is_some_and(|at| now.duration_since(*at) < Duration::from_secs(1)) {
        return Err("4080");
    }
    if sent.len() >= DAILY_PER_NUMBER {
        return Err("4085");
    }
    if !state.charge(Vendor::Ihuyi) {
        return Err("4051");
    }
    state.memory::<Memory>().sent.entry(mobile.to_owned()).or_default().push(now);
    state.record_sms_code(Vendor::Ihuyi, mobile, code);
    Ok((FIRST_SMS_ID + state.next_id()).to_string())
}
