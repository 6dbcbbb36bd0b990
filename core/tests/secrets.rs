//! Credentials never show up in Debug/Display output, error messages or logs.

mod support;

use std::sync::Mutex;

use support::{Reply, TestServer};
use voicecode::{ChannelConfig, Client, SendCode};

const SECRETS: [&str; 6] = [
    "ytx-auth-token-0000000000000001",
    "huawei-app-secret-000000000002",
    "ihuyi-api-key-0000000000000003",
    "cloud-app-key-0000000000000004",
    "aliyun-access-key-secret-00005",
    "tencent-secret-key-00000000006",
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

#[test]
fn secrets_stay_out_of_debug_errors_and_logs() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

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
