//! Every vendor through the real core clients, blocking and async: the happy paths.

mod common;

use common::*;
use serde_json::json;
use voicecode::protocol::{Channel, Context, HttpResponse};
use voicecode::{BalanceUnit, SendCode, SendSmsCode, SmsPurpose, Vendor, VerifyCaptcha};
use voicecode_sim::demo::{CAPTCHA_ANSWER, DEFAULT_BALANCE};
use voicecode_sim::{Operation, Verdict};

/// The journal holds exactly one accepted send, to `phone`.
fn assert_sent_once(sim: &voicecode_sim::Simulator, vendor: Vendor, phone: &str) {
    let sends: Vec<_> = sim
        .journal()
        .into_iter()
        .filter(|e| e.vendor == vendor && e.operation == Operation::SendCode)
        .collect();
    assert_eq!(sends.len(), 1, "{vendor}: {sends:?}");
    assert_eq!(sends[0].verdict, Verdict::Accepted, "{vendor}");
    assert_eq!(sends[0].phone.as_deref(), Some(phone), "{vendor}");
    assert_eq!(sends[0].method, "POST");
}

/// A prepared send can be signed again (`request`) or for the last time, its body moved
/// (`into_request`): both give the same request at the same time and nonce, and the simulator
/// accepts the moved one.
#[test]
fn a_prepared_send_signs_the_same_request_again_and_when_moved() {
    let sim = start();
    let targets = targets()
        .into_iter()
        .filter(|(v, _)| *v != Vendor::Oneaccess);
    for (n, target) in targets.enumerate() {
        let channel = Channel::new(product_config_with(&sim, target, json!({}))).unwrap();
        let request = SendCode::new(mobile(n as u32), "4821");
        let prepared = channel.prepare_send_code(&request).unwrap();
        let ctx = Context::fresh();
        let signed = prepared.request(&ctx);
        assert_eq!(prepared.request(&ctx), signed, "{target:?}");
        let moved = prepared.into_request(&ctx);
        assert_eq!(moved, signed, "{target:?}");
        let (status, body) = send_raw(&moved);
        let receipt = channel.parse_send_code(&HttpResponse::new(status, body));
        assert!(receipt.is_ok(), "{target:?}: {receipt:?}");
    }
}

#[test]
fn ytx_sends_a_code_and_charges_the_balance() {
    let sim = start();
    let client = client(&sim, Vendor::Ytx);
    let receipt = client
        .send_code(&SendCode::new("+8613800138000", "4821"))
        .unwrap();
    assert_eq!(
        (
            receipt.vendor_code.as_str(),
            receipt.vendor_message.as_str()
        ),
        ("0", "提交成功")
    );
    assert!(!receipt.message_id.is_empty());
    assert_sent_once(&sim, Vendor::Ytx, "13800138000");
    let balance = client.balance().unwrap();
    assert_eq!(
        (balance.amount.as_str(), balance.unit),
        ("99.0", BalanceUnit::Yuan)
    );
    assert_eq!(sim.count(Vendor::Ytx, Operation::Balance), 1);
}

#[test]
fn ytx_calls_landlines_with_their_area_code() {
    let sim = start();
    client(&sim, Vendor::Ytx)
        .send_code(&SendCode::new("+861088886666", "ab12").play_times(1))
        .unwrap();
    assert_sent_once(&sim, Vendor::Ytx, "01088886666");
}

#[test]
fn huawei_sends_a_code_and_reports_idle_ports_when_asked() {
    let sim = start();
    let client = client(&sim, Vendor::Huawei);
    let mut request = SendCode::new("13800138000", "12345678")
        .play_times(0)
        .user_data("order-42");
    request.options.return_idle_port = Some(true);
    let receipt = client.send_code(&request).unwrap();
    assert_eq!(receipt.vendor_code, "0");
    assert!(
        receipt.message_id.contains("@callenabler"),
        "{}",
        receipt.message_id
    );
    assert_eq!(receipt.idle_ports, Some(99));
    assert_sent_once(&sim, Vendor::Huawei, "+8613800138000");
    let plain = client
        .send_code(&SendCode::new("13800138001", "1234"))
        .unwrap();
    assert_eq!(plain.idle_ports, None);
    assert_ne!(plain.message_id, receipt.message_id);
}

#[test]
fn ihuyi_sends_a_code_and_charges_the_balance() {
    let sim = start();
    let client = client(&sim, Vendor::Ihuyi);
    let receipt = client
        .send_code(&SendCode::new("13800138000", "482193"))
        .unwrap();
    assert_eq!(
        (
            receipt.vendor_code.as_str(),
            receipt.vendor_message.as_str()
        ),
        ("2", "提交成功")
    );
    assert_sent_once(&sim, Vendor::Ihuyi, "13800138000");
    let balance = client.balance().unwrap();
    assert_eq!(
        (balance.amount, balance.unit),
        ((DEFAULT_BALANCE - 1).to_string(), BalanceUnit::Units)
    );
    assert_eq!(sim.balance(Vendor::Ihuyi), Some(DEFAULT_BALANCE - 1));
}

#[test]
fn cloud10658_sends_a_code_and_reports_what_remains() {
    let sim = start();
    let client = client(&sim, Vendor::Cloud10658);
    let receipt = client
        .send_code(&SendCode::new("15080929435", "12"))
        .unwrap();
    assert_eq!(receipt.remaining, Some(DEFAULT_BALANCE - 1));
    assert!(!receipt.message_id.is_empty());
    assert_sent_once(&sim, Vendor::Cloud10658, "15080929435");
    assert_eq!(
        client.balance().unwrap().amount,
        (DEFAULT_BALANCE - 1).to_string()
    );
}

#[test]
fn aliyun_sends_a_code_and_charges_the_account() {
    let sim = start();
    let client = client(&sim, Vendor::Aliyun);
    let receipt = client
        .send_code(
            &SendCode::new("+8613800138000", "4821")
                .play_times(2)
                .user_data("order-42"),
        )
        .unwrap();
    assert_eq!(
        (
            receipt.vendor_code.as_str(),
            receipt.vendor_message.as_str()
        ),
        ("OK", "OK")
    );
    assert!(receipt.message_id.contains('^'), "{}", receipt.message_id);
    assert_sent_once(&sim, Vendor::Aliyun, "13800138000");
    assert_eq!(sim.balance(Vendor::Aliyun), Some(DEFAULT_BALANCE - 1));
    // dyvmsapi has no balance operation: refused before anything is sent.
    let err = client.balance().unwrap_err();
    assert_eq!(
        (err.kind(), err.outcome()),
        (
            voicecode::ErrorKind::InvalidConfig,
            voicecode::Outcome::NotSent
        )
    );
    assert_eq!(sim.journal().len(), 1);
}

#[test]
fn aliyun_calls_landlines_through_the_public_pool() {
    let sim = start();
    let config = config_with(
        &sim,
        Vendor::Aliyun,
        serde_json::json!({ "called_show_number": null, "volume": 80, "speed": -100 }),
    );
    voicecode::Client::new(config)
        .unwrap()
        .send_code(&SendCode::new("+861088886666", "ab12"))
        .unwrap();
    assert_sent_once(&sim, Vendor::Aliyun, "01088886666");
}

#[test]
fn tencent_sends_a_code_and_draws_on_the_voice_package() {
    let sim = start();
    let client = client(&sim, Vendor::Tencent);
    let receipt = client
        .send_code(
            &SendCode::new("+8613788888888", "8253")
                .play_times(3)
                .user_data("sc-t"),
        )
        .unwrap();
    assert_eq!(receipt.vendor, Vendor::Tencent);
    assert_eq!(receipt.message_id.len(), 36, "{receipt:?}");
    assert_eq!(receipt.vendor_message.len(), 36, "RequestId: {receipt:?}");
    assert_sent_once(&sim, Vendor::Tencent, "+8613788888888");
    assert_eq!(sim.balance(Vendor::Tencent), Some(DEFAULT_BALANCE - 1));
}

#[test]
fn cloud10658_serves_the_vendor_examples_balance_path_too() {
    let sim = start();
    let config = config_with(
        &sim,
        Vendor::Cloud10658,
        serde_json::json!({ "balance_path": "/voiceApi/group/getBalance" }),
    );
    let balance = voicecode::Client::new(config).unwrap().balance().unwrap();
    assert_eq!(balance.amount, DEFAULT_BALANCE.to_string());
    assert_eq!(sim.journal()[0].path, "/voiceApi/group/getBalance");
}

#[test]
fn oneaccess_captcha_verify_then_sms() {
    let sim = start();
    let client = client(&sim, Vendor::Oneaccess);
    let captcha = client.captcha().unwrap();
    assert!(!captcha.token.is_empty());
    assert!(!captcha.original_image_base64.is_empty() && !captcha.jigsaw_image_base64.is_empty());
    let (x, y) = CAPTCHA_ANSWER;
    let verify = VerifyCaptcha {
        token: captcha.token.clone(),
        x,
        y,
        mobile: "+8613800138000".into(),
    };
    let captcha_token = client.verify_captcha(&verify).unwrap();
    assert_eq!(
        captcha_token,
        format!(r#"{}---{{"x":237.0,"y":5.0}}"#, captcha.token)
    );
    let sms = SendSmsCode {
        mobile: "13800138000".into(),
        purpose: SmsPurpose::Login,
        captcha_token,
    };
    client.send_sms_code(&sms).unwrap();
    for operation in [
        Operation::Captcha,
        Operation::VerifyCaptcha,
        Operation::SendSmsCode,
    ] {
        assert_eq!(sim.count(Vendor::Oneaccess, operation), 1, "{operation:?}");
    }
    assert!(sim.journal().iter().all(|e| e.verdict == Verdict::Accepted));
}

#[tokio::test]
async fn every_vendor_works_through_the_async_client() {
    let sim = start();
    for (n, vendor) in VOICE_VENDORS.into_iter().enumerate() {
        let client = async_client(&sim, vendor);
        let phone = mobile(n as u32);
        let receipt = client
            .send_code(&SendCode::new(phone.as_str(), "4821"))
            .await
            .unwrap();
        assert_eq!(receipt.vendor, vendor);
        assert_eq!(sim.count(vendor, Operation::SendCode), 1, "{vendor}");
    }
    for vendor in BALANCE_VENDORS {
        let balance = async_client(&sim, vendor).balance().await.unwrap();
        assert!(
            balance
                .amount
                .starts_with(&(DEFAULT_BALANCE - 1).to_string()),
            "{vendor}: {balance:?}"
        );
    }
    let client = async_client(&sim, Vendor::Oneaccess);
    let captcha = client.captcha().await.unwrap();
    let (x, y) = CAPTCHA_ANSWER;
    let verify = VerifyCaptcha {
        token: captcha.token,
        x: x + 2.5,
        y,
        mobile: "13800138000".into(),
    };
    let captcha_token = client.verify_captcha(&verify).await.unwrap();
    let sms = SendSmsCode {
        mobile: "13800138000".into(),
        purpose: SmsPurpose::Register,
        captcha_token,
    };
    client.send_sms_code(&sms).await.unwrap();
    assert_eq!(sim.count(Vendor::Oneaccess, Operation::SendSmsCode), 1);
}

#[test]
fn every_config_json_builds_a_client() {
    let sim = start();
    for vendor in Vendor::ALL {
        let config = voicecode::ChannelConfig::from_value(sim.config_json(vendor)).unwrap();
        assert_eq!(config.base_url.as_deref(), Some(sim.base_url().as_str()));
        assert_eq!(voicecode::Client::new(config).unwrap().vendor(), vendor);
    }
    assert!(sim.journal().is_empty(), "building clients sends nothing");
}
