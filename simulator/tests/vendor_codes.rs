//! Every documented vendor code, injected, reaches the caller as the kind and outcome the core's
//! table gives it (`Refused`, or `Unknown` for a code that leaves the call's fate open, and for
//! any code under an HTTP 5xx), with the code verbatim.

mod common;

use common::*;
use serde_json::json;
use voicecode::protocol::codes;
use voicecode::{Error, ErrorKind, Outcome, Vendor};
use voicecode_sim::{Fault, Operation, Verdict};

fn inject_once(sim: &voicecode_sim::Simulator, vendor: Vendor, code: &str) {
    sim.inject(
        vendor,
        Fault::VendorCode {
            code: code.to_owned(),
            times: 1,
        },
    );
}

fn assert_meaning(err: &Error, kind: ErrorKind, outcome: Outcome, code: &str) {
    assert_eq!(
        (err.kind(), err.outcome()),
        (kind, outcome),
        "{code}: {err}"
    );
}

fn assert_refused(err: &Error, kind: ErrorKind, code: &str) {
    assert_meaning(err, kind, Outcome::Refused, code);
}

/// Every injected request reached the vendor once and was answered by the fault.
fn assert_journal_shows_injected(
    sim: &voicecode_sim::Simulator,
    vendor: Vendor,
    operation: Operation,
    codes: usize,
) {
    let journal = sim.journal();
    assert_eq!(sim.count(vendor, operation), codes);
    assert!(journal.iter().all(
        |e| matches!(&e.verdict, Verdict::Fault { fault, code: Some(_) } if fault == "vendor_code")
    ));
}

#[test]
fn every_ytx_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Ytx);
    for (n, (code, kind, outcome)) in codes::YTX.iter().enumerate() {
        inject_once(&sim, Vendor::Ytx, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(&sim, Vendor::Ytx, Operation::SendCode, codes::YTX.len());
}

#[test]
fn every_huawei_code_comes_with_its_http_status() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    for (n, (status, code, kind, outcome)) in codes::HUAWEI.iter().enumerate() {
        // Name the row: 1010010 is listed under both 401 and 403.
        inject_once(&sim, Vendor::Huawei, &format!("{status}:{code}"));
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(
            (err.vendor_code(), err.http_status()),
            (Some(*code), Some(*status))
        );
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Huawei,
        Operation::SendCode,
        codes::HUAWEI.len(),
    );
}

#[test]
fn a_bare_huawei_code_takes_the_status_of_its_first_row() {
    let sim = start();
    inject_once(&sim, Vendor::Huawei, "1010010");
    let err = first_request(&client(&sim, Vendor::Huawei), 0).unwrap_err();
    assert_eq!(
        (err.http_status(), err.kind()),
        (Some(401), ErrorKind::AuthFailed)
    );
}

#[test]
fn every_ihuyi_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Ihuyi);
    for (n, (code, kind, outcome)) in codes::IHUYI.iter().enumerate() {
        inject_once(&sim, Vendor::Ihuyi, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(&sim, Vendor::Ihuyi, Operation::SendCode, codes::IHUYI.len());
}

#[test]
fn every_cloud10658_message_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Cloud10658);
    for (n, (message, kind, outcome)) in codes::CLOUD10658.iter().enumerate() {
        inject_once(&sim, Vendor::Cloud10658, message);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, message);
        assert_eq!(
            (err.vendor_code(), err.vendor_message()),
            (Some("0"), Some(*message))
        );
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Cloud10658,
        Operation::SendCode,
        codes::CLOUD10658.len(),
    );
}

#[test]
fn every_aliyun_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    for (n, (code, kind, outcome)) in codes::ALIYUN.iter().enumerate() {
        inject_once(&sim, Vendor::Aliyun, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Aliyun,
        Operation::SendCode,
        codes::ALIYUN.len(),
    );
}

#[test]
fn every_tencent_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Tencent);
    for (n, (code, kind, outcome)) in codes::TENCENT.iter().enumerate() {
        inject_once(&sim, Vendor::Tencent, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(err.vendor_code(), Some(*code));
        assert_eq!(
            err.http_status(),
            Some(200),
            "API 3.0 errors come with HTTP 200"
        );
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Tencent,
        Operation::SendCode,
        codes::TENCENT.len(),
    );
}

#[test]
fn aliyun_gateway_codes_come_with_their_http_status_and_business_codes_with_200() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    for (n, (code, status, outcome)) in [
        ("InvalidAccessKeyId.NotFound", 404, Outcome::Refused),
        ("SignatureDoesNotMatch", 400, Outcome::Refused),
        ("Throttling.User", 400, Outcome::Refused),
        ("ServiceUnavailable", 503, Outcome::Unknown),
        ("InternalError", 500, Outcome::Unknown),
        ("isv.BUSINESS_LIMIT_CONTROL", 200, Outcome::Refused),
        ("403:Forbidden.AccessKeyDisabled", 403, Outcome::Refused),
    ]
    .into_iter()
    .enumerate()
    {
        inject_once(&sim, Vendor::Aliyun, code);
        let err = first_request(&client, n as u32).unwrap_err();
        let bare = code.split_once(':').map_or(code, |(_, c)| c);
        assert_eq!(
            (err.vendor_code(), err.http_status(), err.outcome()),
            (Some(bare), Some(status), outcome)
        );
    }
}

#[test]
fn every_oneaccess_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Oneaccess);
    for (code, kind, outcome) in codes::ONEACCESS {
        inject_once(&sim, Vendor::Oneaccess, code);
        let err = first_request(&client, 0).unwrap_err();
        assert_meaning(&err, *kind, *outcome, code);
        assert_eq!(
            (err.vendor_code(), err.http_status()),
            (Some(*code), Some(400))
        );
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Oneaccess,
        Operation::Captcha,
        codes::ONEACCESS.len(),
    );
}

#[test]
fn injected_codes_apply_to_balance_queries_too() {
    let sim = start();
    for (vendor, code, kind) in [
        (Vendor::Ytx, "-203", ErrorKind::AuthFailed),
        (Vendor::Ihuyi, "4050", ErrorKind::Forbidden),
        (Vendor::Cloud10658, "IP受限", ErrorKind::Forbidden),
    ] {
        inject_once(&sim, vendor, code);
        let err = client(&sim, vendor).balance().unwrap_err();
        assert_refused(&err, kind, code);
        assert_eq!(sim.count(vendor, Operation::Balance), 1);
    }
}

#[test]
fn ihuyi_answers_injected_codes_in_xml_when_json_is_not_asked() {
    let sim = start();
    inject_once(&sim, Vendor::Ihuyi, "4030");
    let (status, body) = post(
        &sim,
        "/webservice/voice.php?method=Submit",
        "application/x-www-form-urlencoded",
        "account=VM00000001&password=x&mobile=13800138000&content=1234",
    );
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"<SubmitResult xmlns="http://106.ihuyi.cn/">"#),
        "{body}"
    );
    assert!(body.contains("<code>4030</code>"), "{body}");
}

#[test]
fn any_vendor_code_under_a_server_error_status_is_unknown() {
    let sim = start();
    for (n, (vendor, code, vendor_code)) in [
        (Vendor::Ytx, "-204", "-204"),
        (Vendor::Huawei, "1010009", "1010009"),
        (Vendor::Ihuyi, "4051", "4051"),
        (Vendor::Cloud10658, "余额不足", "0"),
        (Vendor::Oneaccess, "SDK.COMMON.1001", "SDK.COMMON.1001"),
        (
            Vendor::Aliyun,
            "isv.AMOUNT_NOT_ENOUGH",
            "isv.AMOUNT_NOT_ENOUGH",
        ),
        (
            Vendor::Tencent,
            "RequestLimitExceeded",
            "RequestLimitExceeded",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        inject_once(&sim, vendor, &format!("503:{code}"));
        let err = first_request(&client(&sim, vendor), n as u32).unwrap_err();
        assert_eq!(
            (err.vendor_code(), err.http_status(), err.outcome()),
            (Some(vendor_code), Some(503), Outcome::Unknown),
            "{vendor}: {err}"
        );
        assert!(!err.retryable());
    }
}

/// Every code of an SMS product's own table and of its vendor's shared one, through its client.
fn every_sms_code_is_classified(vendor: Vendor, tables: &[&[(&str, ErrorKind, Outcome)]]) {
    let sim = start();
    let config = product_config_with(&sim, (vendor, voicecode::Product::Sms), json!({}));
    let client = voicecode::Client::new(config).unwrap();
    let rows: Vec<_> = tables.iter().flat_map(|t| t.iter()).collect();
    for (n, (code, kind, outcome)) in rows.iter().enumerate() {
        inject_once(&sim, vendor, code);
        let err = first_request(&client, n as u32).unwrap_err();
        // An HTTP 5xx leaves the message open whatever the code says.
        let outcome = if err.http_status().is_some_and(|s| s >= 500) {
            Outcome::Unknown
        } else {
            *outcome
        };
        assert_meaning(&err, *kind, outcome, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(&sim, vendor, Operation::SendSmsCode, rows.len());
}

#[test]
fn every_ihuyi_sms_code_is_classified_as_in_the_table() {
    every_sms_code_is_classified(Vendor::Ihuyi, &[codes::IHUYI_SMS]);
}

#[test]
fn every_aliyun_sms_code_is_classified_as_in_the_tables() {
    every_sms_code_is_classified(Vendor::Aliyun, &[codes::ALIYUN_SMS, codes::ALIYUN_GATEWAY]);
}

#[test]
fn every_tencent_sms_code_is_classified_as_in_the_tables() {
    every_sms_code_is_classified(
        Vendor::Tencent,
        &[codes::TENCENT_SMS, codes::TENCENT_COMMON],
    );
}

#[test]
fn every_huawei_sms_code_is_classified_as_in_the_tables() {
    // The gateway's codes and a number's statuses read as the plain tables do.
    every_sms_code_is_classified(
        Vendor::Huawei,
        &[codes::HUAWEI_SMS_GATEWAY, codes::HUAWEI_SMS_STATUS],
    );
    // The request's codes come with the HTTP status of their row.
    let sim = start();
    let config = product_config_with(&sim, (Vendor::Huawei, voicecode::Product::Sms), json!({}));
    let client = voicecode::Client::new(config).unwrap();
    for (n, &(status, code, kind, outcome)) in codes::HUAWEI_SMS.iter().enumerate() {
        inject_once(&sim, Vendor::Huawei, &format!("{status}:{code}"));
        let err = first_request(&client, n as u32).unwrap_err();
        assert_meaning(&err, kind, outcome, code);
        assert_eq!(
            (err.vendor_code(), err.http_status()),
            (Some(code), Some(status))
        );
    }
    assert_journal_shows_injected(
        &sim,
        Vendor::Huawei,
        Operation::SendSmsCode,
        codes::HUAWEI_SMS.len(),
    );
}
