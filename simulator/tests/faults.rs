//! Each injected fault reaches the caller as the right kind and outcome, with no retry: the
//! journal shows the request arrived exactly once.

mod common;

use std::time::{Duration, Instant};

use common::*;
use voicecode::{Error, ErrorKind, Outcome, SendCode, Vendor};
use voicecode_sim::{Fault, Verdict};

/// The fault hits every vendor's first request and the caller sees `kind` with `Unknown`.
fn assert_every_vendor_fails(fault: Fault, kind: ErrorKind) {
    let sim = start();
    for (n, vendor) in Vendor::ALL.into_iter().enumerate() {
        sim.inject(vendor, fault.clone());
        let err = first_request(&client(&sim, vendor), n as u32).unwrap_err();
        assert_fault_result(&err, vendor, kind);
    }
    assert_each_arrived_once(&sim, fault.name());
}

fn assert_fault_result(err: &Error, vendor: Vendor, kind: ErrorKind) {
    assert_eq!(err.kind(), kind, "{vendor}: {err}");
    assert_eq!(err.outcome(), Outcome::Unknown, "{vendor}: {err}");
    assert_eq!(err.vendor(), Some(vendor));
}

/// One journal entry per vendor, answered by the named fault.
fn assert_each_arrived_once(sim: &voicecode_sim::Simulator, fault_name: &str) {
    for vendor in Vendor::ALL {
        assert_each_arrived_once_for(sim, vendor, fault_name);
    }
}

fn assert_each_arrived_once_for(sim: &voicecode_sim::Simulator, vendor: Vendor, fault_name: &str) {
    let journal = sim.journal();
    let entries: Vec<_> = journal.iter().filter(|e| e.vendor == vendor).collect();
    assert_eq!(entries.len(), 1, "{vendor}: {entries:?}");
    assert!(
        matches!(&entries[0].verdict, Verdict::Fault { fault, .. } if fault == fault_name),
        "{vendor}: {:?}",
        entries[0].verdict
    );
}

#[test]
fn a_502_html_page_is_a_protocol_error() {
    assert_every_vendor_fails(Fault::Http5xxHtml { times: 1 }, ErrorKind::Protocol);
}

#[test]
fn a_connection_reset_before_the_answer_is_a_network_error() {
    assert_every_vendor_fails(Fault::ResetBeforeAnswer { times: 1 }, ErrorKind::Network);
}

#[test]
fn a_truncated_answer_is_a_network_error() {
    assert_every_vendor_fails(Fault::TruncatedBody { times: 1 }, ErrorKind::Network);
}

#[test]
fn a_non_utf8_answer_is_a_protocol_error() {
    assert_every_vendor_fails(Fault::NonUtf8Body { times: 1 }, ErrorKind::Protocol);
}

#[test]
fn an_oversized_answer_is_a_protocol_error() {
    assert_every_vendor_fails(Fault::OversizedBody { times: 1 }, ErrorKind::Protocol);
}

#[test]
fn a_hang_times_out_within_the_configured_timeout() {
    const TIMEOUT_MS: u64 = 300;
    let sim = start();
    // All vendors at once: five sequential timeouts would cost the suite a second and a half.
    std::thread::scope(|scope| {
        for (n, vendor) in Vendor::ALL.into_iter().enumerate() {
            let sim = &sim;
            scope.spawn(move || {
                sim.inject(vendor, Fault::Hang { times: 1 });
                let client = client_with_timeout(sim, vendor, TIMEOUT_MS);
                let started = Instant::now();
                let err = first_request(&client, n as u32).unwrap_err();
                let elapsed = started.elapsed();
                assert_fault_result(&err, vendor, ErrorKind::Timeout);
                assert!(
                    elapsed >= Duration::from_millis(TIMEOUT_MS),
                    "{vendor}: {elapsed:?}"
                );
                assert!(
                    elapsed < Duration::from_millis(TIMEOUT_MS + 700),
                    "{vendor}: {elapsed:?}"
                );
            });
        }
    });
    assert_each_arrived_once(&sim, "hang");
}

#[tokio::test]
async fn the_async_client_sees_the_same_kinds() {
    let sim = start();
    let cases = [
        (Fault::Http5xxHtml { times: 1 }, ErrorKind::Protocol),
        (Fault::ResetBeforeAnswer { times: 1 }, ErrorKind::Network),
        (Fault::TruncatedBody { times: 1 }, ErrorKind::Network),
        (Fault::NonUtf8Body { times: 1 }, ErrorKind::Protocol),
        (Fault::OversizedBody { times: 1 }, ErrorKind::Protocol),
    ];
    let mut n = 0;
    for (fault, kind) in cases {
        for vendor in Vendor::ALL {
            n += 1;
            sim.inject(vendor, fault.clone());
            let err = first_request_async(&async_client(&sim, vendor), n)
                .await
                .unwrap_err();
            assert_fault_result(&err, vendor, kind);
        }
    }
    assert_eq!(sim.journal().len(), 5 * Vendor::ALL.len(), "no retries");
}

#[tokio::test]
async fn the_async_client_times_out_on_a_hang() {
    let sim = start();
    sim.inject(Vendor::Huawei, Fault::Hang { times: 1 });
    let config = config_with(
        &sim,
        Vendor::Huawei,
        serde_json::json!({ "timeout_ms": 300 }),
    );
    let client = voicecode::AsyncClient::new(config).unwrap();
    let started = Instant::now();
    let err = first_request_async(&client, 0).await.unwrap_err();
    assert_fault_result(&err, Vendor::Huawei, ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn latency_delays_every_answer_until_cleared() {
    const LATENCY: Duration = Duration::from_millis(250);
    let sim = start();
    sim.inject(Vendor::Ihuyi, Fault::Latency(LATENCY));
    let client = client(&sim, Vendor::Ihuyi);
    for n in 0..2 {
        let started = Instant::now();
        first_request(&client, n).unwrap();
        assert!(started.elapsed() >= LATENCY, "{:?}", started.elapsed());
    }
    let impatient = client_with_timeout(&sim, Vendor::Ihuyi, 50);
    let err = first_request(&impatient, 3).unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Timeout, Outcome::Unknown)
    );
    sim.clear_faults();
    assert!(sim.faults().is_empty());
    let started = Instant::now();
    first_request(&client, 4).unwrap();
    assert!(started.elapsed() < LATENCY, "{:?}", started.elapsed());
}

#[test]
fn a_request_whose_client_gave_up_during_latency_is_journaled_as_unanswered() {
    let sim = start();
    sim.inject(Vendor::Ihuyi, Fault::Latency(Duration::from_secs(2)));
    let impatient = client_with_timeout(&sim, Vendor::Ihuyi, 50);
    let err = first_request(&impatient, 0).unwrap_err();
    assert_eq!(err.outcome(), Outcome::Unknown);
    let journal = sim.journal();
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0].verdict, Verdict::Unanswered);
}

#[test]
fn counted_faults_are_used_up_in_order_then_the_vendor_answers() {
    let sim = start();
    sim.inject(Vendor::Ytx, Fault::Http5xxHtml { times: 2 });
    sim.inject(
        Vendor::Ytx,
        Fault::VendorCode {
            code: "-204".into(),
            times: 1,
        },
    );
    assert_eq!(sim.faults().len(), 2);
    let client = client(&sim, Vendor::Ytx);
    let kinds: Vec<_> = (0..3)
        .map(|n| first_request(&client, n).unwrap_err().kind())
        .collect();
    assert_eq!(
        kinds,
        [
            ErrorKind::Protocol,
            ErrorKind::Protocol,
            ErrorKind::InsufficientBalance
        ]
    );
    assert!(sim.faults().is_empty());
    first_request(&client, 3).unwrap();
    assert_eq!(
        sim.journal().last().map(|e| e.verdict.clone()),
        Some(Verdict::Accepted)
    );
}

#[test]
fn faults_hit_only_their_vendor() {
    let sim = start();
    sim.inject(Vendor::Huawei, Fault::Http5xxHtml { times: 1 });
    first_request(&client(&sim, Vendor::Ytx), 0).unwrap();
    assert!(first_request(&client(&sim, Vendor::Huawei), 1).is_err());
}

#[test]
fn a_closed_port_is_a_network_error_and_nothing_was_sent() {
    let sim = start();
    let config = config_with(&sim, Vendor::Ytx, serde_json::json!({}));
    drop(sim);
    let client = voicecode::Client::new(config).unwrap();
    let err = client
        .send_code(&SendCode::new("13800138000", "1234"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Network, Outcome::NotSent),
        "{err}"
    );
}

#[test]
fn the_body_faults_send_what_they_promise() {
    let sim = start();
    let raw = |fault: Fault| {
        sim.inject(Vendor::Ytx, fault);
        let request = client(&sim, Vendor::Ytx)
            .channel()
            .send_code_request(
                &SendCode::new("13800138000", "1234"),
                &voicecode::protocol::Context::fresh(),
            )
            .unwrap();
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap();
        let response = http
            .post(request.url.as_str())
            .body(request.body.clone())
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let length = response.content_length();
        (status, length, response.bytes().unwrap().to_vec())
    };
    let (status, length, body) = raw(Fault::HugeBody { times: 1 });
    assert_eq!((status, length, body.len()), (200, None, 10 << 20));
    let (status, _, body) = raw(Fault::Http500 { times: 1 });
    assert_eq!(
        (status, body.as_slice()),
        (500, &b"Internal Server Error\n"[..])
    );
    for fault in [
        Fault::TruncatedJson { times: 1 },
        Fault::TruncatedXml { times: 1 },
    ] {
        let (status, length, body) = raw(fault.clone());
        assert_eq!(
            (status, length),
            (200, Some(body.len() as u64)),
            "{fault:?}"
        );
        let text = String::from_utf8(body).unwrap();
        assert!(
            serde_json::from_str::<serde_json::Value>(&text).is_err(),
            "{text}"
        );
        assert!(!text.ends_with('}') && !text.ends_with('>'), "{text}");
    }
}

#[test]
fn a_slow_drip_is_a_timeout_even_though_bytes_keep_coming() {
    let sim = start();
    sim.inject(Vendor::Huawei, Fault::SlowDrip { times: 1 });
    let started = Instant::now();
    let err = first_request(&client_with_timeout(&sim, Vendor::Huawei, 300), 0).unwrap_err();
    assert_fault_result(&err, Vendor::Huawei, ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert_each_arrived_once_for(&sim, Vendor::Huawei, "slow_drip");
}
