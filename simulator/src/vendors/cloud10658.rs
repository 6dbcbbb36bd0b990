//! cloud.10658.com.cn `voiceApi` (`docs/protocols/cloud10658.md#endpoints-and-operations`).
//!
//! No signature: the appKey travels in the form. Failures are `returnStatus "0"` with the reason
//! only in `message`, so the simulator's "codes" are message texts. Checks, in order: missing
//! fields (缺少参数), credentials (账号或密码错误), template (模板id格式不正确, 模板不存在或者未通过),
//! phone (手机号码格式不正确), code (参数错误: 2–8 digits), the same number at most once a minute
//! (相同手机号码一分钟之内只可发送一次), balance (余额不足). Success has the vendor's trailing space
//! in `"returnStatus":"1 "` and counts as strings. An accepted call's receipt is posted to the
//! account's receipt URL, when one is set.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use serde_json::{json, Value};
use voicecode::{Product, Vendor};

use crate::exchange::{Answer, Endpoint, Shared, VendorRequest, VendorSide};
use crate::journal::{Operation, Verdict};
use crate::push::{follow_up, CallOutcome, Pusher};
use crate::state::State as SimState;
use crate::wire::{china_time, is_digits, is_mobile, json_response};
use demo::*;

/// The demo account (in [`crate::demo`]).
pub mod demo {
    /// cloud10658 appId.
    pub const CLOUD10658_APP_ID: &str = "SIM10658APP00001";
    /// cloud10658 appKey.
    pub const CLOUD10658_APP_KEY: &str = "SIMKEY000001";
    /// cloud10658 approved voice-code template.
    pub const CLOUD10658_TEMPLATE_ID: &str = "724";
}

pub(crate) const SIDE: VendorSide = VendorSide {
    vendor: Vendor::Cloud10658,
    product: Product::Voice,
    refusal: |_, _, message| refusal(message).0,
    routes,
    root: None,
    config: || {
        json!({
            "app_id": CLOUD10658_APP_ID,
            "app_key": CLOUD10658_APP_KEY,
            "template_id": CLOUD10658_TEMPLATE_ID,
        })
    },
    balance: true,
    push_url: Some((
        "cloud10658_receipt_url",
        "Where cloud10658 receipts are pushed after each accepted send.",
    )),
};

fn routes() -> Router<Arc<Shared>> {
    let send_code = SIDE.serve(Endpoint(Operation::SendCode, Some("phone"), send_code));
    let balance = SIDE.serve(Endpoint(Operation::Balance, None, balance));
    Router::new()
        .route("/voiceApi", post(send_code))
        .route("/voiceApi/getBalance", post(balance.clone()))
        .route("/voiceApi/group/getBalance", post(balance))
}

/// What the platform remembers between requests: when each number was last called.
#[derive(Default)]
struct Memory {
    last_call: HashMap<String, Instant>,
}

/// 相同手机号码一分钟之内只可发送一次.
const SAME_NUMBER_INTERVAL: Duration = Duration::from_secs(60);
/// Task ids look like the vendor's (`3313746`).
const FIRST_TASK_ID: u64 = 3_300_000;

fn send_code(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check_send(state, req) {
        Ok((body, call)) => {
            Answer::accepted(&body).with_follow_up(Some(follow_up(|p| receipt(p, call))))
        }
        Err(message) => refusal(message).into(),
    }
}

/// Both balance paths: the documented `/voiceApi/getBalance` and the vendor example's
/// `/voiceApi/group/getBalance` (which sends its fields in the query string).
fn balance(state: &mut SimState, req: &VendorRequest) -> Answer {
    match check_balance(state, req) {
        Ok(body) => Answer::accepted(&body),
        Err(message) => refusal(message).into(),
    }
}

/// The vendor's failure shape, with the reason as the message.
fn refusal(message: &str) -> (Response, Verdict) {
    let body = json!({
        "returnStatus": "0",
        "message": message,
        "remainPoint": null,
        "taskId": null,
        "successCounts": null,
    });
    (
        json_response(StatusCode::OK, &body),
        Verdict::refused(message, 200),
    )
}

fn check_send(state: &mut SimState, req: &VendorRequest) -> Result<(Value, Call), &'static str> {
    let fields = req.fields();
    let get = |name| VendorRequest::field(&fields, name).filter(|v| !v.is_empty());
    let (Some(app_id), Some(app_key), Some(template), Some(phone), Some(variables)) = (
        get("appId"),
        get("appKey"),
        get("templateId"),
        get("phone"),
        get("variables"),
    ) else {
        return Err("缺少参数");
    };
    if app_id != CLOUD10658_APP_ID || app_key != CLOUD10658_APP_KEY {
        return Err("账号或密码错误");
    }
    if !template.bytes().all(|b| b.is_ascii_digit()) {
        return Err("模板id格式不正确");
    }
    if template != CLOUD10658_TEMPLATE_ID {
        return Err("模板不存在或者未通过");
    }
    if !is_mobile(phone) {
        return Err("手机号码格式不正确");
    }
    // The template is a voice code: 2–8 digits.
    if !is_digits(variables, 2, 8) {
        return Err("参数错误");
    }
    let now = Instant::now();
    let memory = state.memory::<Memory>();
    memory
        .last_call
        .retain(|_, at| now.duration_since(*at) < SAME_NUMBER_INTERVAL);
    if memory.last_call.contains_key(phone) {
        return Err("相同手机号码一分钟之内只可发送一次");
    }
    if !state.charge(Vendor::Cloud10658) {
        return Err("余额不足");
    }
    state.memory::<Memory>().last_call.insert(phone.to_owned(), now);
    state.record_code(Vendor::Cloud10658, phone, variables);
    let task_id = (FIRST_TASK_ID + state.next_id()).to_string();
    let remaining = state.balance(Vendor::Cloud10658).unwrap_or_default();
    let body = json!({
        "returnStatus": "1 ",
        "message": "成功",
        "remainPoint": remaining.to_string(),
        "taskId": task_id,
        "successCounts": "1",
    });
    let call = Call {
        mobile: phone.to_owned(),
        task_id,
        outcome: state.outcome,
    };
    Ok((body, call))
}

fn check_balance(state: &mut SimState, req: &VendorRequest) -> Result<Value, &'static str> {
    let fields = req.fields();
    let get = |name| VendorRequest::field(&fields, name).filter(|v| !v.is_empty());
    let (Some(app_id), Some(app_key)) = (get("appId"), get("appKey")) else {
        return Err("缺少参数");
    };
    if app_id != CLOUD10658_APP_ID || app_key != CLOUD10658_APP_KEY {
        return Err("账号或密码错误");
    }
    let remaining = state.balance(Vendor::Cloud10658).unwrap_or_default();
    Ok(json!({
        "returnStatus": "1 ",
        "message": "成功",
        "remainPoint": remaining.to_string(),
        "taskId": null,
        "successCounts": null,
    }))
}

/// An accepted call.
struct Call {
    mobile: String,
    task_id: String,
    outcome: CallOutcome,
}

/// The receipt form cloud10658 posts to the account's receipt URL once the call is over.
async fn receipt(pusher: Pusher, call: Call) {
    let Some(url) = &pusher.account_url else {
        return;
    };
    let received = china_time(Utc::now())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    // The document's example receipt of a delivered call has status 1 and gateway code 1; for
    // failed calls the gateway code is the call's release cause.
    let (status, code, talk_time, remark) = match call.outcome {
        CallOutcome::Answered => ("1", "1".to_owned(), "12", "接收成功"),
        CallOutcome::Busy => ("0", call.outcome.state_code().to_string(), "0", "用户忙"),
        CallOutcome::NoAnswer => ("0", call.outcome.state_code().to_string(), "0", "无人接听"),
    };
    let form = [
        ("mobile", call.mobile.as_str()),
        ("taskid", call.task_id.as_str()),
        ("status", status),
        ("code", code.as_str()),
        ("receivetime", received.as_str()),
        ("talktime", talk_time),
        ("remark", remark),
    ];
    let body = serde_urlencoded::to_string(form).unwrap_or_default();
    let form_type = "application/x-www-form-urlencoded;charset=utf-8";
    pusher.post(url, &[("Content-Type", form_type)], body).await;
}
