//! The SMS products end to end: the core's requests against the simulator's own checks, over
//! real HTTP on 127.0.0.1, and what the simulator answers when a request breaks a rule.

mod common;

use common::*;
use serde_json::{json, Value};
use voicecode::{ChannelConfig, Client, ErrorKind, Outcome, Product, SendCode, Vendor};
use voicecode_sim::{Fault, Operation, Verdict};

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
}

fn sms_vendors() -> Vec<Vendor> {
    Vendor::ALL
        .into_iter()
        .filter(|v| v.products().contains(&Product::Sms))
        .collect()
}

fn sms_config(sim: &voicecode_sim::Simulator, vendor: Vendor, changes: Value) -> ChannelConfig {
    let mut config = sim
        .product_config_json(vendor, Product::Sms)
        .expect("the vendor has an SMS product");
    if let (Value::Object(base), Value::Object(changes)) = (&mut config, changes) {
        base.extend(changes);
    }
    ChannelConfig::from_value(config).expect("the simulator's SMS config is valid")
}

fn sms_client(sim: &voicecode_sim::Simulator, vendor: Vendor) -> Client {
    Client::new(sms_config(sim, vendor, json!({}))).unwrap()
}

#[test]
fn every_sms_product_sends_a_code_the_simulator_records_as_an_sms() {
    let sim = start();
    for (n, vendor) in sms_vendors().into_iter().enumerate() {
        let to = mobile(n as u32);
        let client = sms_client(&sim, vendor);
        assert_eq!(client.product(), Product::Sms);
        let receipt = client.send_code(&SendCode::new(&to, "4821")).unwrap();
        assert_eq!(receipt.vendor, vendor);
        assert!(!receipt.message_id.is_empty());
        assert_eq!(sim.last_code(&to).as_deref(), Some("4821"), "{vendor}");
        assert_eq!(sim.count(vendor, Operation::SendSmsCode), 1, "{vendor}");
        assert_eq!(sim.count(vendor, Operation::SendCode), 0, "{vendor}");
    }
    let entries = sim.journal();
    assert!(
        entries.iter().all(|e| e.verdict == Verdict::Accepted),
        "{entries:?}"
    );
}

#[test]
fn the_async_client_sends_sms_the_same_way() {
    let sim = start();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (n, vendor) in sms_vendors().into_iter().enumerate() {
        let client = voicecode::AsyncClient::new(sms_config(&sim, vendor, json!({}))).unwrap();
        let to = mobile(100 + n as u32);
        runtime
            .block_on(client.send_code(&SendCode::new(&to, "123456")))
            .unwrap();
        assert_eq!(sim.last_code(&to).as_deref(), Some("123456"));
    }
}

#[test]
fn the_voice_and_sms_products_of_one_vendor_are_told_apart_at_the_root() {
    let sim = start();
    for (n, vendor) in sms_vendors().into_iter().enumerate() {
        let voice_to = mobile(200 + n as u32);
        let sms_to = mobile(210 + n as u32);
        client(&sim, vendor)
            .send_code(&SendCode::new(&voice_to, "4821"))
            .unwrap();
        sms_client(&sim, vendor)
            .send_code(&SendCode::new(&sms_to, "5931"))
            .unwrap();
        assert_eq!(sim.count(vendor, Operation::SendCode), 1, "{vendor}");
        assert_eq!(sim.count(vendor, Operation::SendSmsCode), 1, "{vendor}");
    }
}

#[test]
fn a_second_message_within_the_limit_is_refused_as_the_vendor_refuses_it() {
    let sim = start();
    for (n, (vendor, code)) in [
        (Vendor::Ihuyi, "4080"),
        (Vendor::Aliyun, "isv.BUSINESS_LIMIT_CONTROL"),
        (
            Vendor::Tencent,
            "LimitExceeded.PhoneNumberThirtySecondLimit",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let client = sms_client(&sim, vendor);
        let to = mobile(300 + n as u32);
        client.send_code(&SendCode::new(&to, "4821")).unwrap();
        let err = client.send_code(&SendCode::new(&to, "4821")).unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::RateLimited, Outcome::Refused)
        );
        assert_eq!(err.vendor_code(), Some(code));
        assert_eq!(
            sim.journal().last().unwrap().verdict,
            Verdict::Refused {
                code: code.to_owned(),
                http_status: 200
            }
        );
    }
}

#[test]
fn an_unapproved_signature_or_template_is_a_config_error() {
    let sim = start();
    let cases = [
        (
            Vendor::Ihuyi,
            json!({ "template": "您的注册码是：{code}。" }),
            "4072",
        ),
        (
            Vendor::Aliyun,
            json!({ "sign_name": "别的签名" }),
            "isv.SMS_SIGNATURE_ILLEGAL",
        ),
        (
            Vendor::Aliyun,
            json!({ "template_code": "SMS_1" }),
            "isv.SMS_TEMPLATE_ILLEGAL",
        ),
        (
            Vendor::Tencent,
            json!({ "sign_name": "别的签名" }),
            "FailedOperation.SignatureIncorrectOrUnapproved",
        ),
        (
            Vendor::Tencent,
            json!({ "template_id": "1" }),
            "FailedOperation.TemplateIncorrectOrUnapproved",
        ),
        (
            Vendor::Tencent,
            json!({ "extra_template_params": [] }),
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
        ),
        // Every number failed (E000510), the number's status saying why.
        (
            Vendor::Huawei,
            json!({ "sender": "csms00000000" }),
            "E200018",
        ),
    ];
    for (n, (vendor, change, code)) in cases.into_iter().enumerate() {
        let client = Client::new(sms_config(&sim, vendor, change)).unwrap();
        let err = client
            .send_code(&SendCode::new(mobile(400 + n as u32), "4821"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (ErrorKind::InvalidConfig, Outcome::Refused),
            "{code}"
        );
        assert_eq!(err.vendor_code(), Some(code));
    }
    assert_eq!(sim.last_code(&mobile(400)), None);
}

#[test]
fn a_signature_made_with_another_secret_is_refused() {
    let sim = start();
    for (n, (vendor, key, code)) in [
        (Vendor::Huawei, "app_secret", "E000101"),
        (Vendor::Ihuyi, "api_key", "405"),
        (Vendor::Aliyun, "access_key_secret", "SignatureDoesNotMatch"),
        (
            Vendor::Tencent,
            "secret_key",
            "AuthFailure.SignatureFailure",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let config = sms_config(&sim, vendor, json!({ key: "another-secret" }));
        let err = Client::new(config)
            .unwrap()
            .send_code(&SendCode::new(mobile(500 + n as u32), "4821"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.vendor_code()),
            (ErrorKind::AuthFailed, Some(code))
        );
    }
}

#[test]
fn an_empty_account_sends_nothing() {
    let sim = start();
    for (n, (vendor, code)) in [
        (Vendor::Ihuyi, "4051"),
        (Vendor::Aliyun, "isv.AMOUNT_NOT_ENOUGH"),
        (
            Vendor::Tencent,
            "FailedOperation.InsufficientBalanceInSmsPackage",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        sim.set_balance(vendor, 0);
        let to = mobile(600 + n as u32);
        let err = sms_client(&sim, vendor)
            .send_code(&SendCode::new(&to, "4821"))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InsufficientBalance);
        assert_eq!(err.vendor_code(), Some(code));
        assert_eq!(sim.last_code(&to), None);
    }
}

#[test]
fn injected_faults_reach_the_sms_products_in_their_vendors_shapes() {
    let sim = start();
    for (n, (vendor, code, kind)) in [
        (Vendor::Aliyun, "isp.SYSTEM_ERROR", ErrorKind::VendorError),
        // "System error" under HTTP 400: the platform does not say whether anything went out.
        (Vendor::Huawei, "E000000", ErrorKind::VendorError),
        (
            Vendor::Tencent,
            "InternalError.SendAndRecvFail",
            ErrorKind::VendorError,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        sim.inject(
            vendor,
            Fault::VendorCode {
                code: code.into(),
                times: 1,
            },
        );
        let err = sms_client(&sim, vendor)
            .send_code(&SendCode::new(mobile(700 + n as u32), "4821"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome()),
            (kind, Outcome::Unknown),
            "{code}"
        );
        assert_eq!(err.vendor_code(), Some(code));
    }
}

#[test]
fn the_admin_api_and_the_config_files_cover_the_sms_products() {
    let sim = start();
    for vendor in Vendor::ALL {
        let expected = vendor.products().contains(&Product::Sms);
        assert_eq!(
            sim.product_config_json(vendor, Product::Sms).is_ok(),
            expected,
            "{vendor}"
        );
    }
    let url = format!("{}/_sim/config/tencent/sms", sim.base_url());
    let fetched: Value = http().get(&url).send().unwrap().json().unwrap();
    assert_eq!(
        Some(fetched),
        sim.product_config_json(Vendor::Tencent, Product::Sms).ok()
    );
    let missing = http()
        .get(format!("{}/_sim/config/ytx/sms", sim.base_url()))
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);
    sms_client(&sim, Vendor::Aliyun)
        .send_code(&SendCode::new(mobile(800), "4821"))
        .unwrap();
    let last: Value = http()
        .get(format!("{}/_sim/last_code/{}", sim.base_url(), mobile(800)))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        (last["vendor"].as_str(), last["product"].as_str()),
        (Some("aliyun"), Some("sms"))
    );
}

/// Huawei's SMS takes X-WSSE (the default) and SDK-HMAC-SHA256 (`signing = "aksk"`); each
/// scheme's wrong secret is refused with that scheme's code.
#[test]
fn huawei_sms_signs_either_way_the_platform_takes() {
    let sim = start();
    for (n, (signing, wrong_secret_code)) in [("wsse", "E000101"), ("aksk", "E000045")]
        .into_iter()
        .enumerate()
    {
        let to = mobile(800 + n as u32);
        let config = sms_config(&sim, Vendor::Huawei, json!({ "signing": signing }));
        Client::new(config)
            .unwrap()
            .send_code(&SendCode::new(&to, "482156"))
            .unwrap();
        assert_eq!(sim.last_code(&to).as_deref(), Some("482156"), "{signing}");
        let config = sms_config(
            &sim,
            Vendor::Huawei,
            json!({ "signing": signing, "app_secret": "another-secret" }),
        );
        let err = Client::new(config)
            .unwrap()
            .send_code(&SendCode::new(mobile(810 + n as u32), "482156"))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.outcome(), err.vendor_code()),
            (
                ErrorKind::AuthFailed,
                Outcome::Refused,
                Some(wrong_secret_code)
            ),
            "{signing}"
        );
    }
    let err = ChannelConfig::from_value(json!({
        "vendor": "huawei", "product": "sms", "app_key": "k", "app_secret": "s",
        "sender": "csms12345678", "template_id": "t1", "signing": "hmac",
    }))
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        (ErrorKind::InvalidConfig, Some("signing"))
    );
}

/// The X-WSSE digest is Base64 of the *hex* SHA-256, as the API reference's example shows; the
/// simulator refuses the raw-digest form a Go sample sends, and a stale `Created`.
#[test]
fn huawei_sms_accepts_only_the_documented_wsse_digest() {
    use base64::Engine as _;
    use sha2::{Digest as _, Sha256};
    use voicecode_sim::demo::{
        HUAWEI_SMS_APP_KEY, HUAWEI_SMS_APP_SECRET, HUAWEI_SMS_SENDER, HUAWEI_SMS_TEMPLATE_ID,
    };
    let sim = start();
    let send = |created: &str, digest: fn(&[u8]) -> String| {
        let nonce = "ac1c911c4792492687f8f6b2264a491e";
        let hash = Sha256::digest(format!("{nonce}{created}{HUAWEI_SMS_APP_SECRET}"));
        let token = format!(
            r#"UsernameToken Username="{HUAWEI_SMS_APP_KEY}",PasswordDigest="{}",Nonce="{nonce}",Created="{created}""#,
            digest(&hash)
        );
        let form = [
            ("from", HUAWEI_SMS_SENDER),
            ("to", "+8613800138999"),
            ("templateId", HUAWEI_SMS_TEMPLATE_ID),
            ("templateParas", r#"["4821"]"#),
        ];
        let response = http()
            .post(format!("{}/sms/batchSendSms/v1", sim.base_url()))
            .header(
                "Authorization",
                r#"WSSE realm="SDP",profile="UsernameToken",type="Appkey""#,
            )
            .header("X-WSSE", token)
            .form(&form)
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().unwrap();
        (status, body["code"].as_str().unwrap_or_default().to_owned())
    };
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let hex_form =
        |hash: &[u8]| base64::engine::general_purpose::STANDARD.encode(hex::encode(hash));
    let raw_form = |hash: &[u8]| base64::engine::general_purpose::STANDARD.encode(hash);
    assert_eq!(send(&now, raw_form), (401, "E000101".to_owned()));
    assert_eq!(
        send("2018-05-26T00:35:30Z", hex_form),
        (401, "E000110".to_owned())
    );
    assert_eq!(sim.last_code("+8613800138999"), None);
    assert_eq!(send(&now, hex_form), (200, "000000".to_owned()));
    assert_eq!(sim.last_code("+8613800138999").as_deref(), Some("4821"));
}
