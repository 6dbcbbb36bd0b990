//! Failover from Huawei to Tencent through the real Router and the simulator: it moves on when
//! Huawei refused without calling, and never after an answer that may have placed a call.

mod common;

use common::*;
use serde_json::json;
use voicecode::{ErrorKind, Outcome, Router, SendCode, Vendor};
use voicecode_sim::{Fault, Operation};

fn huawei_then_tencent(sim: &voicecode_sim::Simulator) -> Router {
    Router::new(vec![
        config_with(sim, Vendor::Huawei, json!({ "timeout_ms": 500 })),
        config_with(sim, Vendor::Tencent, json!({})),
    ])
    .unwrap()
}

#[test]
fn a_huawei_flow_control_refusal_moves_on_to_tencent() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "403:1010009".into(),
            times: 1,
        },
    );
    let receipt = huawei_then_tencent(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap();
    assert_eq!(receipt.vendor, Vendor::Tencent);
    assert_eq!(sim.count(Vendor::Huawei, Operation::SendCode), 1);
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendCode), 1);
}

#[test]
fn a_huawei_timeout_never_reaches_tencent() {
    let sim = start();
    sim.inject(Vendor::Huawei, Fault::Hang { times: 1 });
    let err = huawei_then_tencent(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Timeout, Outcome::Unknown)
    );
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendCode), 0);
    assert_eq!(err.attempts().len(), 1);
}

#[test]
fn tencent_refusing_last_reports_both_attempts() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "403:1013002".into(),
            times: 1,
        },
    );
    sim.inject(
        Vendor::Tencent,
        Fault::VendorCode {
            code: "LimitExceeded.DeliveryFrequencyLimit".into(),
            times: 1,
        },
    );
    let err = huawei_then_tencent(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    let tried: Vec<(Vendor, Option<&str>)> = err
        .attempts()
        .iter()
        .map(|a| (a.vendor, a.vendor_code.as_deref()))
        .collect();
    assert_eq!(
        tried,
        vec![
            (Vendor::Huawei, Some("1013002")),
            (
                Vendor::Tencent,
                Some("LimitExceeded.DeliveryFrequencyLimit")
            ),
        ]
    );
}

#[test]
fn a_request_tencent_cannot_carry_skips_it_without_sending() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "403:1010009".into(),
            times: 1,
        },
    );
    // Huawei plays a code up to 9 times; Tencent at most 3.
    let err = huawei_then_tencent(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821").play_times(5))
        .unwrap_err();
    let attempts: Vec<(Vendor, bool)> = err
        .attempts()
        .iter()
        .map(|a| (a.vendor, a.skipped))
        .collect();
    assert!(attempts.contains(&(Vendor::Tencent, true)), "{err}");
    assert!(attempts.contains(&(Vendor::Huawei, false)), "{err}");
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendCode), 0);
}
