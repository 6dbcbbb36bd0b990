//! What the simulator pushes after an accepted call: Huawei status and fee pushes (signed with
//! the push digest) and cloud10658 receipts. A tiny receiver in the test collects them.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use chrono::{NaiveDateTime, Utc};
use common::*;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use voicecode::callbacks::{self, EventKind, HuaweiPushVerifier};
use voicecode::protocol::signing::push_digest;
use voicecode::{AsyncClient, SendCode, Vendor};
use voicecode_sim::demo::{
    HUAWEI_APP_KEY, HUAWEI_APP_SECRET, HUAWEI_SMS_APP_KEY, HUAWEI_SMS_APP_SECRET,
};
use voicecode_sim::{CallOutcome, SimOptions, Simulator};

/// A push as the receiver got it.
struct Push {
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Push {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON push")
    }
}

/// Listens on 127.0.0.1 and hands every request over, answering 200.
async fn receiver() -> (String, mpsc::UnboundedReceiver<Push>) {
    let (sender, pushes) = mpsc::unbounded_channel();
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: Bytes| {
        let sender = sender.clone();
        async move {
            let headers = headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let _ = sender.send(Push {
                path: uri.path().to_owned(),
                headers,
                body: body.to_vec(),
            });
            StatusCode::OK
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, pushes)
}

async fn next(pushes: &mut mpsc::UnboundedReceiver<Push>) -> Push {
    tokio::time::timeout(Duration::from_secs(5), pushes.recv())
        .await
        .expect("a push within 5 s")
        .expect("the receiver is running")
}

fn huawei_client(sim: &Simulator, base: &str) -> AsyncClient {
    let config = config_with(
        sim,
        Vendor::Huawei,
        json!({ "status_url": format!("{base}/status"), "fee_url": format!("{base}/fee") }),
    );
    AsyncClient::new(config).unwrap()
}

/// `key="value"` attributes of an `X-AKSK` header.
fn x_aksk(header: &str) -> std::collections::HashMap<String, String> {
    header
        .trim_start_matches("UsernameToken")
        .split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().trim_matches('"').to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn huawei_pushes_call_progress_in_order_signed_with_the_push_digest() {
    let sim = start();
    let (base, mut pushes) = receiver().await;
    let status_url = format!("{base}/status");
    let receipt = huawei_client(&sim, &base)
        .send_code(&SendCode::new("13800138000", "1234").user_data("order-42"))
        .await
        .unwrap();
    // One verifier for the whole call: it also refuses replayed nonces.
    let verifier = HuaweiPushVerifier::new(HUAWEI_APP_SECRET, status_url.as_str());
    let mut kinds = Vec::new();
    for expected in ["callout", "alerting", "answer", "disconnect"] {
        let push = next(&mut pushes).await;
        assert_eq!(push.path, "/status");
        assert_eq!(
            push.header("authorization"),
            Some(r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#)
        );
        let aksk = x_aksk(push.header("x-aksk").expect("X-AKSK"));
        assert_eq!(aksk["Username"], HUAWEI_APP_KEY);
        assert_eq!(
            aksk["PasswordDigest"],
            push_digest(
                HUAWEI_APP_SECRET,
                &status_url,
                &aksk["Nonce"],
                &aksk["Created"]
            )
        );
        verifier.verify(&push.headers).unwrap();

        let body = push.json();
        assert_eq!(body["eventType"], expected);
        let info = &body["statusInfo"];
        assert_eq!(
            (info["caller"].as_str(), info["called"].as_str()),
            (Some("+8675528001288"), Some("+8613800138000"))
        );
        let at =
            NaiveDateTime::parse_from_str(info["timestamp"].as_str().unwrap(), "%Y-%m-%d %H:%M:%S")
                .unwrap();
        assert!(
            (Utc::now().naive_utc() - at).num_seconds().abs() < 60,
            "UTC timestamps: {at}"
        );

        let events = callbacks::parse(Vendor::Huawei, &push.headers, &push.body).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].message_id, receipt.message_id);
        assert_eq!(events[0].user_data.as_deref(), Some("order-42"));
        kinds.push((events[0].event, events[0].state_code));
    }
    assert_eq!(
        kinds,
        [
            (EventKind::Dialing, None),
            (EventKind::Ringing, None),
            (EventKind::Answered, None),
            (EventKind::Hangup, Some(16))
        ]
    );

    let fee = next(&mut pushes).await;
    assert_eq!(fee.path, "/fee");
    HuaweiPushVerifier::new(HUAWEI_APP_SECRET, format!("{base}/fee"))
        .verify(&fee.headers)
        .unwrap();
    assert_eq!(fee.json()["eventType"], "fee");
    let records = callbacks::parse(Vendor::Huawei, &fee.headers, &fee.body).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(
        (records[0].event, records[0].message_id.as_str()),
        (EventKind::Fee, receipt.message_id.as_str())
    );
}

#[tokio::test]
async fn busy_and_unanswered_calls_end_with_their_cause() {
    let sim = start();
    let (base, mut pushes) = receiver().await;
    let client = huawei_client(&sim, &base);
    for (n, (outcome, events, cause)) in [
        (CallOutcome::Busy, vec!["callout", "disconnect"], 17),
        (
            CallOutcome::NoAnswer,
            vec!["callout", "alerting", "disconnect"],
            19,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        sim.set_call_outcome(outcome);
        client
            .send_code(&SendCode::new(mobile(n as u32), "1234"))
            .await
            .unwrap();
        let mut seen = Vec::new();
        let mut last = Value::Null;
        for _ in &events {
            last = next(&mut pushes).await.json();
            seen.push(last["eventType"].as_str().unwrap_or_default().to_owned());
        }
        assert_eq!(seen, events, "{outcome:?}");
        assert_eq!(last["statusInfo"]["stateCode"], cause, "{outcome:?}");
        let fee = next(&mut pushes).await.json();
        assert_eq!(fee["feeLst"][0]["fwdUnaswRsn"], cause, "{outcome:?}");
    }
}

#[tokio::test]
async fn cloud10658_pushes_a_receipt_for_each_accepted_call() {
    let (base, mut pushes) = receiver().await;
    let options = SimOptions {
        push_urls: HashMap::from([(Vendor::Cloud10658, format!("{base}/receipt"))]),
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).unwrap();
    let client = async_client(&sim, Vendor::Cloud10658);

    let receipt = client
        .send_code(&SendCode::new("15080929435", "1234"))
        .await
        .unwrap();
    let push = next(&mut pushes).await;
    assert_eq!(push.path, "/receipt");
    let events = callbacks::parse(Vendor::Cloud10658, &push.headers, &push.body).unwrap();
    assert_eq!(events[0].event, EventKind::Delivered);
    assert_eq!(events[0].message_id, receipt.message_id);
    assert_eq!(events[0].phone.as_deref(), Some("15080929435"));
    let at = events[0].at.expect("receivetime in China time");
    assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");

    sim.set_call_outcome(CallOutcome::Busy);
    client
        .send_code(&SendCode::new("15080929436", "1234"))
        .await
        .unwrap();
    let events = callbacks::parse(Vendor::Cloud10658, &[], &next(&mut pushes).await.body).unwrap();
    assert_eq!(
        (events[0].event, events[0].state_code),
        (EventKind::Failed, Some(17))
    );
}

#[tokio::test]
async fn aliyun_pushes_a_voice_report_for_each_accepted_call() {
    let (base, mut pushes) = receiver().await;
    let options = SimOptions {
        push_urls: HashMap::from([(Vendor::Aliyun, format!("{base}/aliyun/report"))]),
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).unwrap();
    let client = async_client(&sim, Vendor::Aliyun);
    let outcomes = [
        (CallOutcome::Answered, EventKind::Delivered, 200000),
        (CallOutcome::Busy, EventKind::Failed, 200002),
        (CallOutcome::NoAnswer, EventKind::Failed, 200003),
    ];
    for (n, (outcome, kind, status)) in outcomes.into_iter().enumerate() {
        sim.set_call_outcome(outcome);
        let receipt = client
            .send_code(&SendCode::new(mobile(n as u32), "1234").user_data("order-42"))
            .await
            .unwrap();
        let push = next(&mut pushes).await;
        assert_eq!(push.path, "/aliyun/report");
        assert!(push.json().is_array(), "HTTP batch push sends a JSON array");
        let events = callbacks::parse(Vendor::Aliyun, &push.headers, &push.body).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(
            (e.event, e.state_code, e.message_id.as_str()),
            (kind, Some(status), receipt.message_id.as_str()),
            "{outcome:?}"
        );
        assert_eq!(e.phone.as_deref(), Some(mobile(n as u32).as_str()));
        assert_eq!(e.user_data.as_deref(), Some("order-42"));
        let answered = outcome == CallOutcome::Answered;
        assert_eq!(
            e.talk_seconds.is_some_and(|s| s > 0),
            answered,
            "{outcome:?}"
        );
        // China wall-clock time in the record, UTC in the event.
        let at = e.at.expect("a time in every record");
        assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");
    }
}

#[tokio::test]
async fn tencent_posts_a_callback_for_each_accepted_call() {
    let (base, mut pushes) = receiver().await;
    let options = SimOptions {
        push_urls: HashMap::from([(Vendor::Tencent, format!("{base}/vms"))]),
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).unwrap();
    let client = async_client(&sim, Vendor::Tencent);
    let expected = [
        (CallOutcome::Answered, EventKind::Delivered, Some(0)),
        (CallOutcome::NoAnswer, EventKind::Failed, Some(1)),
        (CallOutcome::Busy, EventKind::Failed, Some(10)),
    ];
    for (n, (outcome, event, state_code)) in expected.into_iter().enumerate() {
        sim.set_call_outcome(outcome);
        let receipt = client
            .send_code(&SendCode::new(mobile(n as u32), "1234"))
            .await
            .unwrap();
        let push = next(&mut pushes).await;
        assert_eq!(push.path, "/vms");
        let events = callbacks::parse(Vendor::Tencent, &push.headers, &push.body).unwrap();
        assert_eq!(events.len(), 1, "{outcome:?}");
        assert_eq!(events[0].message_id, receipt.message_id, "{outcome:?}");
        assert_eq!(
            (events[0].event, events[0].state_code),
            (event, state_code),
            "{outcome:?}"
        );
        assert_eq!(events[0].phone.as_deref(), Some(mobile(n as u32).as_str()));
    }
}

#[tokio::test]
async fn huawei_sms_pushes_a_status_report_to_the_sends_status_url() {
    let (base, mut pushes) = receiver().await;
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let config = product_config_with(
        &sim,
        (Vendor::Huawei, voicecode::Product::Sms),
        json!({ "status_url": format!("{base}/report") }),
    );
    let client = AsyncClient::new(config).unwrap();
    let receipt = client
        .send_code(&SendCode::new("+8613800138000", "4821").user_data("signup-7"))
        .await
        .unwrap();
    let push = next(&mut pushes).await;
    assert_eq!(push.path, "/report");
    assert_eq!(
        push.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let events = callbacks::parse(Vendor::Huawei, &push.headers, &push.body).unwrap();
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(
        (event.event, event.message_id.as_str()),
        (EventKind::Delivered, receipt.message_id.as_str())
    );
    assert_eq!(event.phone.as_deref(), Some("+8613800138000"));
    assert_eq!(event.user_data.as_deref(), Some("signup-7"));
    let at = event.at.expect("updateTime in UTC");
    assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");
    assert_eq!(callbacks::push_ack(Vendor::Huawei).unwrap().body, "");
    // The simulator's application has 推送AKSK鉴权 on: the report is signed, body included.
    let url = format!("{base}/report");
    let verifier =
        callbacks::HuaweiReportVerifier::new(HUAWEI_SMS_APP_KEY, HUAWEI_SMS_APP_SECRET, &url)
            .unwrap();
    verifier.verify(&push.headers, &push.body).unwrap();
    let mut forged = push.body.clone();
    forged.extend_from_slice(b"&status=DELIVRD");
    let err = verifier.verify(&push.headers, &forged).unwrap_err();
    assert_eq!(err.kind(), voicecode::ErrorKind::AuthFailed);
}

#[tokio::test]
async fn refused_sends_push_nothing() {
    let (base, mut pushes) = receiver().await;
    let options = SimOptions {
        push_urls: HashMap::from([(Vendor::Cloud10658, format!("{base}/receipt"))]),
        ..SimOptions::default()
    };
    let sim = Simulator::start(options).unwrap();
    let client = async_client(&sim, Vendor::Cloud10658);
    let first = client
        .send_code(&SendCode::new("15080929435", "1234"))
        .await
        .unwrap();
    // Refused: the same number within a minute.
    client
        .send_code(&SendCode::new("15080929435", "1234"))
        .await
        .unwrap_err();
    let third = client
        .send_code(&SendCode::new("15080929436", "1234"))
        .await
        .unwrap();
    let mut receipts = Vec::new();
    for _ in 0..2 {
        let events =
            callbacks::parse(Vendor::Cloud10658, &[], &next(&mut pushes).await.body).unwrap();
        receipts.push(events[0].message_id.clone());
    }
    receipts.sort();
    let mut expected = vec![first.message_id, third.message_id];
    expected.sort();
    assert_eq!(receipts, expected);
}
