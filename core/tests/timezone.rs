//! Signing uses China time (ytx) and UTC (Huawei, Alibaba Cloud) whatever the host's timezone: the same
//! Signing uses China time (ytx) and UTC (Huawei, Tencent's credential scope) whatever the
//! host's timezone: the same
//! requests are built under several `TZ` values, each in a child process.

use std::process::Command;

use chrono::{TimeZone, Utc};
use voicecode::protocol::{Channel, Context};
use voicecode::{ChannelConfig, SendCode};

const CHILD: &str = "VOICECODE_TZ_CHILD";

fn signed_requests() -> String {
    let ctx = Context {
        now: Utc.with_ymd_and_hms(2024, 2, 29, 23, 30, 0).unwrap(),
        nonce: "ac1c911c4792492687f8f6b2264a491e".into(),
    };
    let ytx = r#"{"vendor":"ytx","account_sid":"sid","auth_token":"token","app_id":"app"}"#;
    let huawei = r#"{"vendor":"huawei","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav"}"#;
    let ihuyi = r#"{"vendor":"ihuyi","account":"a","api_key":"k"}"#;
    let aliyun =
        r#"{"vendor":"aliyun","access_key_id":"id","access_key_secret":"s","tts_code":"TTS_1"}"#;
    let tencent = r#"{"vendor":"tencent","secret_id":"AKID","secret_key":"k","voice_sdk_appid":"1400006666"}"#;
    let mut out = String::new();
    for json in [ytx, huawei, ihuyi, aliyun, tencent] {
        let channel = Channel::new(ChannelConfig::from_json(json).unwrap()).unwrap();
        let req = channel
            .send_code_request(&SendCode::new("13800138000", "1234"), &ctx)
            .unwrap();
        out.push_str(&format!(
            "{} {:?} {}\n",
            req.url,
            req.headers,
            String::from_utf8(req.body).unwrap()
        ));
    }
    // And with the real clock: the ytx timestamp must be China time now.
    let now = Context::fresh().now;
    let china = chrono_tz::Asia::Shanghai;
    out.push_str(&format!(
        "fresh ytx ts matches Shanghai: {}\n",
        voicecode::protocol::signing::ytx_timestamp(now)
            == now.with_timezone(&china).format("%Y%m%d%H%M%S").to_string()
    ));
    out
}

#[test]
fn print_signed_requests_in_child() {
    if std::env::var_os(CHILD).is_some() {
        println!("BEGIN\n{}END", signed_requests());
    }
}

#[test]
fn signing_ignores_the_host_timezone() {
    let expected = signed_requests();
    // 23:30 UTC on 29 February is already 1 March in China.
    assert!(
        expected.contains("Created=\\\"2024-02-29T23:30:00Z\\\""),
        "{expected}"
    );
    assert!(expected.contains("time=1709249400"), "{expected}");
    // Alibaba Cloud's Timestamp is UTC too (form-encoded in the body).
    assert!(
        expected.contains("Timestamp=2024-02-29T23%3A30%3A00Z"),
        "{expected}"
    );
    // Tencent: Unix seconds, and the credential scope's date is the UTC one (29 February).
    assert!(
        expected.contains("(\"X-TC-Timestamp\", \"1709249400\")"),
        "{expected}"
    );
    assert!(
        expected.contains("Credential=AKID/2024-02-29/vms/tc3_request"),
        "{expected}"
    );
    assert!(
        expected.contains("fresh ytx ts matches Shanghai: true"),
        "{expected}"
    );
    let exe = std::env::current_exe().unwrap();
    for tz in [
        "UTC",
        "America/New_York",
        "Asia/Kolkata",
        "Pacific/Chatham",
        "Asia/Shanghai",
    ] {
        let output = Command::new(&exe)
            .args([
                "--exact",
                "print_signed_requests_in_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .env("TZ", tz)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let printed = stdout
            .split_once("BEGIN\n")
            .and_then(|(_, rest)| rest.split_once("END"))
            .map(|(body, _)| body)
            .unwrap_or_else(|| panic!("child under TZ={tz} printed nothing: {stdout}"));
        assert_eq!(printed, expected, "TZ={tz}");
    }
}
