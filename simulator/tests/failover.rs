//! Failover between two simulated vendors through the core's Router: Huawei first, Alibaba
//! Cloud second. The router moves on only when Huawei placed no call.

mod common;

use common::*;
use serde_json::json;
use voicecode::{ErrorKind, Outcome, Router, SendCode, Vendor};
use voicecode_sim::{Fault, Operation};

fn router(sim: &voicecode_sim::Simulator) -> Router {
    Router::new(vec![
        config_with(sim, Vendor::Huawei, json!({})),
        config_with(sim, Vendor::Aliyun, json!({})),
    ])
    .unwrap()
}

#[test]
fn a_huawei_refusal_fails_over_to_aliyun() {
    let sim = start();
    // 403 1010009: "No more APIs can be invoked", a quota refusal; no call was placed.
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    let receipt = router(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap();
    assert_eq!(receipt.vendor, Vendor::Aliyun);
    assert_eq!(
        (
            sim.count(Vendor::Huawei, Operation::SendCode),
            sim.count(Vendor::Aliyun, Operation::SendCode)
        ),
        (1, 1)
    );
}

#[test]
fn an_unknown_huawei_outcome_never_reaches_aliyun() {
    let sim = start();
    sim.inject(Vendor::Huawei, Fault::Http5xxHtml { times: 1 });
    let err = router(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (ErrorKind::Protocol, Outcome::Unknown)
    );
    assert_eq!(sim.count(Vendor::Aliyun, Operation::SendCode), 0);
}

#[test]
fn when_both_refuse_the_error_lists_both_attempts() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1013117".into(),
            times: 1,
        },
    );
    sim.inject(
        Vendor::Aliyun,
        Fault::VendorCode {
            code: "isv.BUSINESS_LIMIT_CONTROL".into(),
            times: 1,
        },
    );
    let err = router(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap_err();
    let attempts: Vec<(Vendor, ErrorKind, Option<&str>)> = err
        .attempts()
        .iter()
        .map(|a| (a.vendor, a.kind, a.vendor_code.as_deref()))
        .collect();
    assert_eq!(
        attempts,
        [
            (Vendor::Huawei, ErrorKind::RateLimited, Some("1013117")),
            (
                Vendor::Aliyun,
                ErrorKind::RateLimited,
                Some("isv.BUSINESS_LIMIT_CONTROL")
            ),
        ]
    );
}

#[test]
fn an_international_number_skips_aliyun_without_sending() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1013117".into(),
            times: 1,
        },
    );
    let err = router(&sim)
        .send_code(&SendCode::new("+14155550100", "4821"))
        .unwrap_err();
    let mut skipped: Vec<(&str, bool)> = err
        .attempts()
        .iter()
        .map(|a| (a.vendor.as_str(), a.skipped))
        .collect();
    skipped.sort();
    assert_eq!(skipped, [("aliyun", true), ("huawei", false)]);
    assert_eq!(sim.count(Vendor::Aliyun, Operation::SendCode), 0);
}

/// Huawei, then Alibaba Cloud, then Tencent: the three clouds as one chain.
fn three_clouds(sim: &voicecode_sim::Simulator) -> Router {
    Router::new(vec![
        config_with(sim, Vendor::Huawei, json!({})),
        config_with(sim, Vendor::Aliyun, json!({})),
        config_with(sim, Vendor::Tencent, json!({})),
    ])
    .unwrap()
}

#[test]
fn refusals_by_huawei_and_aliyun_reach_tencent_with_one_call_each() {
    let sim = start();
    for (vendor, code) in [
        (Vendor::Huawei, "1010009"),
        (Vendor::Aliyun, "isv.BUSINESS_LIMIT_CONTROL"),
    ] {
        sim.inject(
            vendor,
            Fault::VendorCode {
                code: code.into(),
                times: 1,
            },
        );
    }
    let receipt = three_clouds(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap();
    assert_eq!(receipt.vendor, Vendor::Tencent);
    for vendor in [Vendor::Huawei, Vendor::Aliyun, Vendor::Tencent] {
        assert_eq!(sim.count(vendor, Operation::SendCode), 1, "{vendor}");
    }
}

#[test]
fn an_unknown_aliyun_outcome_stops_the_chain_before_tencent() {
    let sim = start();
    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    sim.inject(Vendor::Aliyun, Fault::ResetBeforeAnswer { times: 1 });
    let err = three_clouds(&sim)
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap_err();
    assert_eq!(err.outcome(), Outcome::Unknown, "{err}");
    assert_eq!(err.attempts().len(), 2);
    assert_eq!(sim.count(Vendor::Tencent, Operation::SendCode), 0);
}
