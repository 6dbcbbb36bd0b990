//! Every documented vendor code, injected, reaches the caller as the kind the core's table
//! gives it, with outcome `Refused` and the code verbatim.

mod common;

use common::*;
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

fn assert_refused(err: &Error, kind: ErrorKind, code: &str) {
    assert_eq!(err.kind(), kind, "{code}: {err}");
    assert_eq!(err.outcome(), Outcome::Refused, "{code}");
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
    for (n, (code, kind)) in codes::YTX.iter().enumerate() {
        inject_once(&sim, Vendor::Ytx, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(&sim, Vendor::Ytx, Operation::SendCode, codes::YTX.len());
}

#[test]
fn every_huawei_code_comes_with_its_http_status() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    for (n, (status, code, kind)) in codes::HUAWEI.iter().enumerate() {
        // Name the row: 1010010 is listed under both 401 and 403.
        inject_once(&sim, Vendor::Huawei, &format!("{status}:{code}"));
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, code);
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
    for (n, (code, kind)) in codes::IHUYI.iter().enumerate() {
        inject_once(&sim, Vendor::Ihuyi, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, code);
        assert_eq!(err.vendor_code(), Some(*code));
    }
    assert_journal_shows_injected(&sim, Vendor::Ihuyi, Operation::SendCode, codes::IHUYI.len());
}

#[test]
fn every_cloud10658_message_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Cloud10658);
    for (n, (message, kind)) in codes::CLOUD10658.iter().enumerate() {
        inject_once(&sim, Vendor::Cloud10658, message);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, message);
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
    for (n, (code, kind)) in codes::ALIYUN.iter().enumerate() {
        inject_once(&sim, Vendor::Aliyun, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, code);
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
    for (n, (code, kind)) in codes::TENCENT.iter().enumerate() {
        inject_once(&sim, Vendor::Tencent, code);
        let err = first_request(&client, n as u32).unwrap_err();
        assert_refused(&err, *kind, code);
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
    for (n, (code, status)) in [
        ("InvalidAccessKeyId.NotFound", 404),
        ("SignatureDoesNotMatch", 400),
        ("Throttling.User", 400),
        ("ServiceUnavailable", 503),
        ("isv.BUSINESS_LIMIT_CONTROL", 200),
        ("403:Forbidden.AccessKeyDisabled", 403),
    ]
    .into_iter()
    .enumerate()
    {
        inject_once(&sim, Vendor::Aliyun, code);
        let err = first_request(&client, n as u32).unwrap_err();
        let bare = code.split_once(':').map_or(code, |(_, c)| c);
        assert_eq!(
            (err.vendor_code(), err.http_status(), err.outcome()),
            (Some(bare), Some(status), Outcome::Refused)
        );
    }
}

#[test]
fn every_oneaccess_code_is_classified_as_in_the_table() {
    let sim = start();
    let client = client(&sim, Vendor::Oneaccess);
    for (code, kind) in codes::ONEACCESS {
        inject_once(&sim, Vendor::Oneaccess, code);
        let err = first_request(&client, 0).unwrap_err();
        assert_refused(&err, *kind, code);
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
