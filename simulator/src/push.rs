//! What the platform sends back after accepting a call: Huawei call-progress and fee pushes,
//! cloud10658 receipts, Alibaba Cloud `VoiceReport` records and Tencent VMS callbacks.
//!
//! Pushes go out promptly ([`PUSH_INTERVAL`] apart) so that tests of receivers stay fast; the
//! real platforms take seconds. A receiver that fails is logged and not retried.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::vendors::huawei::password_digest;
use crate::wire::{china_time, random_hex};

/// Time between two pushes of one call.
const PUSH_INTERVAL: Duration = Duration::from_millis(20);

/// How a simulated call ends.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CallOutcome {
    /// The user answers and hears the code: callout, alerting, answer, disconnect (16).
    #[default]
    Answered,
    /// The line is busy: callout, disconnect (17).
    Busy,
    /// It rings out: callout, alerting, disconnect (19).
    NoAnswer,
}

impl CallOutcome {
    /// The snake_case name the admin API and every binding use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Huawei's `stateCode` (Q.850 cause) of the disconnect.
    pub fn state_code(self) -> u16 {
        match self {
            CallOutcome::Answered => 16,
            CallOutcome::Busy => 17,
            CallOutcome::NoAnswer => 19,
        }
    }

    fn state_desc(self) -> &'static str {
        match self {
            CallOutcome::Answered => "Normal call clearing.",
            CallOutcome::Busy => "User busy.",
            CallOutcome::NoAnswer => "No answer from user (user alerted).",
        }
    }

    /// The status events a call with this outcome produces, in order.
    fn events(self) -> &'static [&'static str] {
        match self {
            CallOutcome::Answered => &["callout", "alerting", "answer", "disconnect"],
            CallOutcome::Busy => &["callout", "disconnect"],
            CallOutcome::NoAnswer => &["callout", "alerting", "disconnect"],
        }
    }
}

impl std::str::FromStr for CallOutcome {
    type Err = String;

    /// Reads a name as [`CallOutcome::as_str`] writes it; the error lists the valid names.
    fn from_str(name: &str) -> Result<Self, String> {
        crate::wire::parse_name("call outcome", name)
    }
}

/// Pushes owed for an accepted send.
pub(crate) enum FollowUp {
    Huawei(HuaweiCall),
    Cloud10658(Cloud10658Call),
    Aliyun(AliyunCall),
    Tencent(TencentCall),
}

/// An accepted Alibaba Cloud call.
pub(crate) struct AliyunCall {
    pub(crate) call_id: String,
    /// `CalledShowNumber`, or the public pool's number.
    pub(crate) caller: String,
    pub(crate) callee: String,
    pub(crate) out_id: Option<String>,
    pub(crate) outcome: CallOutcome,
}

/// An accepted Tencent VMS call.
pub(crate) struct TencentCall {
    pub(crate) call_id: String,
    /// The 11 digits, as the callbacks write `mobile` next to `nationcode`.
    pub(crate) mobile: String,
    pub(crate) outcome: CallOutcome,
}

/// Where the pushes of accepted calls go, for the vendors whose push URL is an account setting
/// rather than part of the request.
#[derive(Debug, Clone, Default)]
pub(crate) struct PushTargets {
    pub(crate) cloud10658_receipt_url: Option<String>,
    pub(crate) aliyun_report_url: Option<String>,
    pub(crate) tencent_callback_url: Option<String>,
}

/// An accepted Huawei call and where its events go.
pub(crate) struct HuaweiCall {
    pub(crate) app_key: &'static str,
    pub(crate) session_id: String,
    pub(crate) caller: String,
    pub(crate) called: String,
    pub(crate) user_data: Option<String>,
    pub(crate) play_times: u64,
    /// Decoded from `statusUrl`.
    pub(crate) status_url: Option<String>,
    /// Decoded from `feeUrl`.
    pub(crate) fee_url: Option<String>,
    pub(crate) outcome: CallOutcome,
}

/// An accepted cloud10658 call.
pub(crate) struct Cloud10658Call {
    pub(crate) mobile: String,
    pub(crate) task_id: String,
    pub(crate) outcome: CallOutcome,
}

/// Makes the pushes owed; account-wide pushes go to their `targets`, none without one.
pub(crate) async fn deliver(http: reqwest::Client, targets: PushTargets, follow_up: FollowUp) {
    match follow_up {
        FollowUp::Huawei(call) => huawei_call(&http, call).await,
        FollowUp::Cloud10658(call) => {
            if let Some(url) = &targets.cloud10658_receipt_url {
                cloud10658_receipt(&http, url, call).await;
            }
        }
        FollowUp::Aliyun(call) => {
            if let Some(url) = &targets.aliyun_report_url {
                aliyun_report(&http, url, call).await;
            }
        }
        FollowUp::Tencent(call) => {
            if let Some(url) = &targets.tencent_callback_url {
                tencent_callback(&http, url, call).await;
            }
        }
    }
}

/// Huawei's event time: UTC `yyyy-MM-dd HH:mm:ss`.
fn huawei_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

async fn huawei_call(http: &reqwest::Client, call: HuaweiCall) {
    let started = Utc::now();
    let mut answered_at = None;
    if let Some(url) = &call.status_url {
        for (i, event) in call.outcome.events().iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(PUSH_INTERVAL).await;
            }
            let now = Utc::now();
            if *event == "answer" {
                answered_at = Some(now);
            }
            let mut info = json!({
                "sessionId": call.session_id,
                "timestamp": huawei_time(now),
                "caller": call.caller,
                "called": call.called,
            });
            if let Some(data) = &call.user_data {
                info["userData"] = json!(data);
            }
            if *event == "disconnect" {
                info["stateCode"] = json!(call.outcome.state_code());
                info["stateDesc"] = json!(call.outcome.state_desc());
            }
            let body = json!({ "eventType": event, "statusInfo": info });
            huawei_push(http, &call, url, &body).await;
        }
    }
    if let Some(url) = &call.fee_url {
        tokio::time::sleep(PUSH_INTERVAL).await;
        let body =
            json!({ "eventType": "fee", "feeLst": [fee_record(&call, started, answered_at)] });
        huawei_push(http, &call, url, &body).await;
    }
}

/// A call detail record with the fields Huawei documents.
fn fee_record(
    call: &HuaweiCall,
    started: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
) -> Value {
    let ended = Utc::now();
    let unanswered_reason = if answered_at.is_some() {
        0
    } else {
        call.outcome.state_code()
    };
    let duration = answered_at.map_or(0, |at| (ended - at).num_seconds());
    let mut record = json!({
        "direction": 0,
        "spId": "voicecode-sim",
        "appKey": call.app_key,
        "icid": format!("sim.{}", call.session_id),
        "bindNum": call.caller,
        "sessionId": call.session_id,
        "callerNum": call.caller,
        "calleeNum": call.called,
        "fwdDisplayNum": call.caller,
        "fwdDstNum": call.called,
        "callInTime": huawei_time(started),
        "fwdStartTime": huawei_time(started),
        "fwdAlertingTime": huawei_time(started),
        "fwdAnswerTime": answered_at.map(huawei_time).unwrap_or_default(),
        "callEndTime": huawei_time(ended),
        "fwdUnaswRsn": unanswered_reason,
        "ulFailReason": 0,
        "sipStatusCode": 0,
        "ttsPlayTimes": call.play_times,
        "ttsTransDuration": duration,
        "serviceType": "003003",
        "hostName": "callenabler.voicecode-sim.local",
    });
    if let Some(data) = &call.user_data {
        record["userData"] = json!(data);
    }
    record
}

/// One push with the platform's `Authorization` and `X-AKSK` headers; the digest covers the
/// receiver's URL as configured (decoded), then the nonce and the time.
async fn huawei_push(http: &reqwest::Client, call: &HuaweiCall, url: &str, body: &Value) {
    let nonce = random_hex(16);
    let created = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let digest = password_digest(&[url, &nonce, &created]);
    let x_aksk = format!(
        r#"UsernameToken Username="{}",PasswordDigest="{digest}",Nonce="{nonce}",Created="{created}""#,
        call.app_key
    );
    let result = http
        .post(url)
        .header("Content-Type", "application/json;charset=UTF-8")
        .header(
            "Authorization",
            r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#,
        )
        .header("X-AKSK", x_aksk)
        .body(body.to_string())
        .send()
        .await;
    report(url, result);
}

/// The receipt form cloud10658 posts once the call is over.
async fn cloud10658_receipt(http: &reqwest::Client, url: &str, call: Cloud10658Call) {
    tokio::time::sleep(PUSH_INTERVAL).await;
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
    let result = http
        .post(url)
        .header(
            "Content-Type",
            "application/x-www-form-urlencoded;charset=utf-8",
        )
        .body(body)
        .send()
        .await;
    report(url, result);
}

/// The `VoiceReport` record Alibaba Cloud pushes (HTTP 批量推送, a JSON array) once the call is
/// over, with the status codes of "运营商回执错误码" and China wall-clock times.
async fn aliyun_report(http: &reqwest::Client, url: &str, call: AliyunCall) {
    tokio::time::sleep(PUSH_INTERVAL).await;
    let china = |at: DateTime<Utc>| china_time(at).format("%Y-%m-%d %H:%M:%S").to_string();
    // The record describes a call that has just ended: its times lie in the last 20 seconds.
    let ended = Utc::now();
    let originated = ended - chrono::Duration::seconds(20);
    let ring = originated + chrono::Duration::seconds(2);
    let answered = originated + chrono::Duration::seconds(8);
    let mut record = json!({
        "call_id": call.call_id,
        "caller": call.caller,
        "callee": call.callee,
        "originate_time": china(originated),
        "voice_type": "voice",
        "toll_type": "UNKNOWN",
    });
    let (status, message, duration) = match call.outcome {
        CallOutcome::Answered => {
            record["ring_time"] = json!(china(ring));
            record["b_start_time"] = json!(china(answered));
            record["start_time"] = json!(china(answered));
            record["end_time"] = json!(china(ended));
            record["hangup_direction"] = json!("机器");
            ("200000", "用户听完语音", (ended - answered).num_seconds())
        }
        CallOutcome::Busy => ("200002", "用户占线", 0),
        CallOutcome::NoAnswer => {
            record["ring_time"] = json!(china(ring));
            ("200003", "用户收到呼叫但未接听", 0)
        }
    };
    record["status_code"] = json!(status);
    record["status_msg"] = json!(message);
    record["duration"] = json!(duration.to_string());
    if let Some(out_id) = &call.out_id {
        record["out_id"] = json!(out_id);
    }
    let result = http
        .post(url)
        .header("Content-Type", "application/json;charset=utf-8")
        .body(json!([record]).to_string())
        .send()
        .await;
    report(url, result);
}

/// The callback VMS posts once the call is over: `voicecode_callback` for answered and
/// unanswered calls (`result` 0 or 1), `voice_failure_callback` with the failure code of
/// 推送回执相关错误码 for a busy line (10, 用户正忙). Times are Unix seconds as strings.
async fn tencent_callback(http: &reqwest::Client, url: &str, call: TencentCall) {
    tokio::time::sleep(PUSH_INTERVAL).await;
    let ended = Utc::now().timestamp();
    let body = match call.outcome {
        CallOutcome::Answered | CallOutcome::NoAnswer => {
            let answered = call.outcome == CallOutcome::Answered;
            json!({ "voicecode_callback": {
                "result": if answered { "0" } else { "1" },
                "accept_time": if answered { (ended - 8).to_string() } else { "0".to_owned() },
                "call_from": "",
                "callid": call.call_id,
                "end_calltime": ended.to_string(),
                "fee": if answered { "1" } else { "0" },
                "mobile": call.mobile,
                "nationcode": "86",
                "start_calltime": (ended - 20).to_string(),
            }})
        }
        CallOutcome::Busy => json!({ "voice_failure_callback": {
            "call_from": "",
            "callid": call.call_id,
            "failure_code": 10,
            "failure_reason": "用户正忙",
            "mobile": call.mobile,
            "nationcode": "86",
        }}),
    };
    let result = http
        .post(url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    report(url, result);
}

fn report(url: &str, result: reqwest::Result<reqwest::Response>) {
    match result {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => log::warn!(
            "voicecode-sim: push to {url} answered HTTP {}",
            response.status()
        ),
        Err(e) => log::warn!("voicecode-sim: push to {url} failed: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_match_the_admin_api() {
        for &outcome in <CallOutcome as strum::VariantArray>::VARIANTS {
            assert_eq!(outcome.as_str().parse::<CallOutcome>(), Ok(outcome));
            assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
        }
    }

    #[test]
    fn an_unknown_name_is_refused_with_the_valid_ones() {
        let e = "hung_up".parse::<CallOutcome>().unwrap_err();
        assert!(e.contains("\"hung_up\""), "{e}");
        assert!(e.contains("answered, busy or no_answer"), "{e}");
    }
}
