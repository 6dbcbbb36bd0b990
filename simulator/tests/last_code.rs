//! The last code sent to a number, as end-to-end tests of a sign-up flow read it instead of a
//! phone: `Simulator::last_code` and `GET /_sim/last_code/{number}`.

mod common;

use common::*;
use serde_json::Value;
use voicecode::{SendCode, Vendor};
use voicecode_sim::Fault;

fn get_last_code(sim: &voicecode_sim::Simulator, number: &str) -> (u16, String) {
    let response = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .get(format!("{}/_sim/last_code/{number}", sim.base_url()))
        .send()
        .unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn every_voice_vendor_records_the_code_it_would_speak() {
    let sim = start();
    let voice: Vec<Vendor> = Vendor::ALL
        .into_iter()
        .filter(|v| *v != Vendor::Oneaccess)
        .collect();
    assert_eq!(voice, VOICE_VENDORS, "a new vendor: does it place calls?");
    for (n, vendor) in voice.into_iter().enumerate() {
        let n = n as u32 + 1;
        let code = format!("48{n:02}");
        // Sent in E.164, looked up in national form: the same number.
        client(&sim, vendor)
            .send_code(&SendCode::new(format!("+86{}", mobile(n)), &code))
            .unwrap_or_else(|e| panic!("{vendor}: {e}"));
        assert_eq!(
            sim.last_code(&mobile(n)).as_deref(),
            Some(code.as_str()),
            "{vendor}"
        );
        assert_eq!(
            sim.last_code(&format!("+86{}", mobile(n))).as_deref(),
            Some(code.as_str()),
            "{vendor}"
        );
    }
}

#[test]
fn a_later_send_replaces_the_code() {
    let sim = start();
    let client = client(&sim, Vendor::Ytx);
    client.send_code(&SendCode::new(mobile(1), "1111")).unwrap();
    client.send_code(&SendCode::new(mobile(1), "2222")).unwrap();
    assert_eq!(sim.last_code(&mobile(1)).as_deref(), Some("2222"));
}

#[test]
fn an_unknown_number_has_no_code() {
    let sim = start();
    assert_eq!(sim.last_code(&mobile(9)), None);
    assert_eq!(sim.last_code("not a number"), None);
}

#[test]
fn refused_and_faulted_sends_record_nothing() {
    let sim = start();
    sim.set_balance(Vendor::Ihuyi, 0);
    assert!(client(&sim, Vendor::Ihuyi)
        .send_code(&SendCode::new(mobile(1), "4821"))
        .is_err());
    assert_eq!(sim.last_code(&mobile(1)), None);

    sim.inject(
        Vendor::Huawei,
        Fault::VendorCode {
            code: "1010009".into(),
            times: 1,
        },
    );
    assert!(client(&sim, Vendor::Huawei)
        .send_code(&SendCode::new(mobile(2), "4821"))
        .is_err());
    assert_eq!(sim.last_code(&mobile(2)), None);
}

#[test]
fn the_admin_api_answers_the_last_code_or_404() {
    let sim = start();
    client(&sim, Vendor::Tencent)
        .send_code(&SendCode::new(mobile(3), "734"))
        .unwrap();
    for number in [mobile(3), format!("%2B86{}", mobile(3))] {
        let (status, body) = get_last_code(&sim, &number);
        assert_eq!(status, 200, "{number}: {body}");
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["vendor"], "tencent");
        assert_eq!(body["code"], "734");
        assert!(body["at"].is_string(), "{body}");
    }
    let (status, body) = get_last_code(&sim, &mobile(4));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("error"), "{body}");
}
