//! Credentials and verification codes never show up in Debug/Display output, error messages or
//! logs.

mod support;

use std::sync::Mutex;

use support::{Reply, TestServer};
use voicecode::{
    ChannelConfig, Client, Router, SendCode, StartOptions, Vendor, Verifier, VerifierConfig,
};
use voicecode_sim::{Fault, SimOptions, Simulator};

const SECRETS: [&str; 8] = [
    "ytx-auth-token-0000000000000001",
    "huawei-app-secret-000000000002",
    "ihuyi-api-key-0000000000000003",
    "cloud-app-key-0000000000000004",
    "aliyun-access-key-secret-00005",
    "tencent-secret-key-00000000006",
    "aliyun-sms-access-key-secret-7",
    "tencent-sms-secret-key-0000008",
];

fn configs(base_url: &str) -> Vec<String> {
    vec![
        format!(
            r#"{{"vendor":"ytx","base_url":"{base_url}","account_sid":"sid","auth_token":"{}","app_id":"app"}}"#,
            SECRETS[0]
        ),
        format!(
            r#"{{"vendor":"huawei","base_url":"{base_url}","app_key":"key","app_secret":"{}","display_number":"+8675528001288","pre_tone":"a.wav"}}"#,
            SECRETS[1]
        ),
        format!(
            r#"{{"vendor":"ihuyi","base_url":"{base_url}","account":"acct","api_key":"{}"}}"#,
            SECRETS[2]
        ),
        format!(
            r#"{{"vendor":"cloud10658","base_url":"{base_url}","app_id":"id","app_key":"{}","template_id":"724"}}"#,
            SECRETS[3]
        ),
        format!(
            r#"{{"vendor":"aliyun","base_url":"{base_url}","access_key_id":"LTAI5t000000","access_key_secret":"{}","tts_code":"TTS_100000000"}}"#,
            SECRETS[4]
        ),
        format!(
            r#"{{"vendor":"tencent","base_url":"{base_url}","secret_id":"AKIDsim","secret_key":"{}","voice_sdk_appid":"1400006666"}}"#,
            SECRETS[5]
        ),
        format!(
            r#"{{"vendor":"aliyun","product":"sms","base_url":"{base_url}","access_key_id":"LTAI5t000000","access_key_secret":"{}","sign_name":"阿里云短信测试","template_code":"SMS_154950909"}}"#,
            SECRETS[6]
        ),
        format!(
            r#"{{"vendor":"tencent","product":"sms","base_url":"{base_url}","secret_id":"AKIDsim","secret_key":"{}","sms_sdk_app_id":"1400006666","sign_name":"腾讯云","template_id":"449739"}}"#,
            SECRETS[7]
        ),
    ]
}

fn assert_clean(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "a secret leaked into: {text}");
    }
}

/// Collects every log line at every level.
struct Capture(Mutex<String>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let mut out = self.0.lock().unwrap();
        out.push_str(&format!("{} {}\n", record.level(), record.args()));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(String::new()));

/// Installs the capture once for the whole test binary (its tests share the process).
fn capture_logs() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&LOGS).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

#[test]
fn secrets_stay_out_of_debug_errors_and_logs() {
    capture_logs();

    // Every vendor answers with an error so that error paths are logged too.
    let server = TestServer::start(|_| Reply::Html(500, "<html>oops</html>".into()));
    for json in configs(&server.base_url) {
        let config = ChannelConfig::from_json(&json).unwrap();
        assert_clean(&format!("{config:?}"));
        let client = Client::new(config).unwrap();
        assert_clean(&format!("{client:?}"));

        let err = client
            .send_code(&SendCode::new("13800138000", "1234"))
            .unwrap_err();
        assert_clean(&format!("{err} {err:?}"));
        let request = client
            .channel()
            .send_code_request(
                &SendCode::new("13800138000", "1234"),
                &voicecode::protocol::Context::fresh(),
            )
            .unwrap();
        assert_clean(&format!("{request:?}"));

        // A config error caused by the secret field itself does not echo the value either.
        let broken = json.replace("\"vendor\"", "\"bogus\":1,\"vendor\"");
        let err = ChannelConfig::from_json(&broken).unwrap_err();
        assert_clean(&format!("{err} {err:?}"));
    }
    let logs = LOGS.0.lock().unwrap().clone();
    assert!(
        logs.contains("send_code"),
        "the test must see real log lines: {logs}"
    );
    assert!(logs.contains("WARN"), "{logs}");
    assert_clean(&logs);
}

#[test]
fn verification_codes_stay_out_of_debug_errors_and_logs() {
    capture_logs();
    const CODES: [&str; 3] = ["739164", "551022", "864209"];
    let sim = Simulator::start(SimOptions::default()).unwrap();
    let mut huawei = sim.config_json(Vendor::Huawei);
    huawei["timeout_ms"] = 300.into();
    let router = Router::new(vec![ChannelConfig::from_value(huawei).unwrap()]).unwrap();
    let verifier =
        Verifier::new(router, VerifierConfig::new("codes-test-secret-0123456789")).unwrap();
    let mut shown = Vec::new();
    // Sent, checked wrong, checked right; refused in the cooldown; then an unknown outcome.
    let started = verifier.start("+8613800138001", &StartOptions::new().code(CODES[0]));
    shown.push(format!("{started:?}"));
    shown.push(format!("{:?}", verifier.check("+8613800138001", CODES[1])));
    shown.push(format!("{:?}", verifier.check("+8613800138001", CODES[0])));
    let refused = verifier
        .start("+8613800138001", &StartOptions::new().code(CODES[2]))
        .unwrap_err();
    shown.push(format!("{refused} {refused:?}"));
    sim.inject(Vendor::Huawei, Fault::Hang { times: 1 });
    let unknown = verifier.start("+8613800138002", &StartOptions::new().code(CODES[2]));
    assert!(
        unknown.as_ref().unwrap().may_have_been_sent(),
        "{unknown:?}"
    );
    shown.push(format!("{unknown:?}"));
    let bad = verifier.check("+8613800138002", "12345678901").unwrap_err();
    shown.push(format!("{bad} {bad:?}"));
    shown.push(LOGS.0.lock().unwrap().clone());
    for text in shown {
        for code in CODES {
            assert!(!text.contains(code), "the code {code} leaked into: {text}");
        }
    }
}
