//! What each fuzz target does with its input, shared by `fuzz/fuzz_targets/*.rs` (libFuzzer,
//! nightly features) and by the ordinary tests that replay `fuzz/corpus/<target>/`
//! (`core/tests/fuzz_replay.rs`), so that the replay calls exactly what the fuzzer called.
//!
//! Every function must return without panicking whatever the input; an `Err` is a fine answer.

use voicecode::callbacks::{self, HuaweiPushVerifier};
use voicecode::protocol::{Channel, HttpResponse};
use voicecode::{ChannelConfig, Vendor};

/// A valid config per vendor, so that each vendor's parsers can be reached.
fn channel(vendor: Vendor) -> Channel {
    let config = match vendor {
        Vendor::Ytx => {
            r#"{"vendor":"ytx","account_sid":"sid1","auth_token":"tok","app_id":"app1"}"#
        }
        Vendor::Huawei => {
            r#"{"vendor":"huawei","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav"}"#
        }
        Vendor::Ihuyi => r#"{"vendor":"ihuyi","account":"VM1","api_key":"k"}"#,
        Vendor::Cloud10658 => {
            r#"{"vendor":"cloud10658","app_id":"a","app_key":"k","template_id":"724"}"#
        }
        Vendor::Oneaccess => {
            r#"{"vendor":"oneaccess","base_url":"https://tenant.example.com","client_id":"c","device":{"os_version":"A","fingerprint":"f","agent":"a"}}"#
        }
        Vendor::Aliyun => {
            r#"{"vendor":"aliyun","access_key_id":"id","access_key_secret":"s","tts_code":"TTS_1"}"#
        }
        Vendor::Tencent => {
            r#"{"vendor":"tencent","secret_id":"AKID","secret_key":"k","voice_sdk_appid":"1400006666"}"#
        }
    };
    Channel::new(ChannelConfig::from_json(config).expect("a valid config"))
        .expect("a valid channel")
}

/// Splits off the first byte as a selector.
fn split(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((&first, rest)) => (first, rest),
        None => (0, &[]),
    }
}

/// Headers from text lines `name: value`, then the body after the first empty line.
fn headers_and_body(data: &[u8]) -> (Vec<(String, String)>, &[u8]) {
    let split_at = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split_at {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (&data[..0], data),
    };
    let headers = String::from_utf8_lossy(head)
        .lines()
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            Some((name.trim().to_owned(), value.trim().to_owned()))
        })
        .collect();
    (headers, body)
}

/// `responses`: byte 0 picks the vendor, byte 1 the operation and the HTTP status; then
/// headers and body as in [`headers_and_body`]. Every vendor's every answer parser.
pub fn responses(data: &[u8]) {
    let (selector, rest) = split(data);
    let (status_selector, rest) = split(rest);
    let vendor = Vendor::ALL[usize::from(selector) % Vendor::ALL.len()];
    let status = [
        200, 201, 400, 401, 403, 404, 429, 500, 502, 503, 302, 0, 999,
    ][usize::from(status_selector >> 3) % 13];
    let (headers, body) = headers_and_body(rest);
    let resp = HttpResponse {
        status,
        headers,
        body: body.to_vec(),
    };
    let channel = channel(vendor);
    // Error messages quote the answer: render them, as a caller logging them would.
    let shown = |r: Result<String, voicecode::Error>| match r {
        Ok(s) => s,
        Err(e) => format!("{e} {e:?} {}", e.message()),
    };
    let text = match status_selector % 5 {
        0 => shown(channel.parse_send_code(&resp).map(|r| format!("{r:?}"))),
        1 => shown(channel.parse_balance(&resp).map(|b| format!("{b:?}"))),
        2 => shown(channel.parse_captcha(&resp).map(|c| format!("{c:?}"))),
        3 => shown(channel.parse_verify_captcha(&resp)),
        _ => shown(channel.parse_send_sms_code(&resp).map(|()| String::new())),
    };
    std::hint::black_box(text);
}

/// `callbacks`: byte 0 picks the vendor; then headers and body. The push parsers.
pub fn callbacks(data: &[u8]) {
    let (selector, rest) = split(data);
    let vendor = Vendor::ALL[usize::from(selector) % Vendor::ALL.len()];
    let (headers, body) = headers_and_body(rest);
    if let Ok(events) = callbacks::parse(vendor, &headers, body) {
        for event in &events {
            std::hint::black_box(serde_json::to_string(event).ok());
        }
    }
}

/// `huawei_verifier`: the input as push headers, checked by a shared verifier (nonce replay
/// and `Created` window included).
pub fn huawei_verifier(data: &[u8]) {
    use std::sync::OnceLock;
    static VERIFIER: OnceLock<HuaweiPushVerifier> = OnceLock::new();
    let verifier = VERIFIER
        .get_or_init(|| HuaweiPushVerifier::new("fuzz-secret", "https://example.com/status"));
    let (headers, _) = headers_and_body(&[data, b"\n\n"].concat());
    std::hint::black_box(verifier.verify(&headers).err().map(|e| e.to_string()));
}

/// `config_json`: the input as JSON config text (`ChannelConfig::from_json`, then the
/// channel's validation).
pub fn config_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let result = ChannelConfig::from_json(text).and_then(Channel::new);
    std::hint::black_box(result.map_err(|e| e.to_string()).ok());
}

/// `config_value`: the input parsed by serde_json (duplicates kept, as a binding's dict
/// would be), then `ChannelConfig::from_value`.
pub fn config_value(data: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let result = ChannelConfig::from_value(value).and_then(Channel::new);
    std::hint::black_box(result.map_err(|e| e.to_string()).ok());
}

/// `config_file`: the input as a config file, TOML (byte 0 even) or JSON (odd), read by
/// `ChannelConfig::from_file`, the loader of the CLI and of every binding's `from_file`.
pub fn config_file(data: &[u8]) {
    use std::io::Write as _;
    let (selector, rest) = split(data);
    let suffix = if selector % 2 == 0 { ".toml" } else { ".json" };
    let Ok(mut file) = tempfile::Builder::new().suffix(suffix).tempfile() else {
        return;
    };
    if file.write_all(rest).is_err() {
        return;
    }
    let result = ChannelConfig::from_file(file.path()).and_then(Channel::new);
    std::hint::black_box(result.map_err(|e| e.to_string()).ok());
}

/// A fuzz target's body.
pub type Target = fn(&[u8]);

/// Every core target by name.
pub const CORE_TARGETS: [(&str, Target); 6] = [
    ("responses", responses),
    ("callbacks", callbacks),
    ("huawei_verifier", huawei_verifier),
    ("config_json", config_json),
    ("config_value", config_value),
    ("config_file", config_file),
];
