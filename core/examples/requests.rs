//! Offline tour of the protocol layer: builds the signed request each vendor expects, and shows
//! the typed errors a bad request gets, without sending anything.
//!
//! Run: `cargo run -p voicecode --example requests`

use voicecode::protocol::{Channel, Context};
use voicecode::{ChannelConfig, SendCode};

const CONFIGS: [&str; 6] = [
    r#"{"vendor":"ytx","account_sid":"da5c0518f05c4f939de024e94c0adb6d","auth_token":"8da2aede2f51498dab04e20b1702d111","app_id":"ff8080813fc70a7b013fc72312324213"}"#,
    r#"{"vendor":"huawei","app_key":"ZRBRz4bAXoFgEH7o4Ew308eXc1RA","app_secret":"appSecretExample","display_number":"+8675528001288","pre_tone":"welcome.wav"}"#,
    r#"{"vendor":"ihuyi","account":"VM12345678","api_key":"0123456789abcdef0123456789abcdef"}"#,
    r#"{"vendor":"cloud10658","app_id":"2RYN7CQHL1M00000","app_key":"WVNA4A000000","template_id":"724"}"#,
    r#"{"vendor":"aliyun","access_key_id":"testId","access_key_secret":"testSecret","called_show_number":"057112345678","tts_code":"TTS_0000000"}"#,
    r#"{"vendor":"tencent","secret_id":"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE","secret_key":"Gu5t9xGARNpq86cd98joQYCN3EXAMPLE","voice_sdk_appid":"1400006666"}"#,
];

fn main() -> Result<(), voicecode::Error> {
    let request = SendCode::new("+8613800138000", "4821");
    for json in CONFIGS {
        let channel = Channel::new(ChannelConfig::from_json(json)?)?;
        let http = channel.send_code_request(&request, &Context::fresh())?;
        println!("== {} ==", channel.vendor());
        println!("{} {}", http.method.as_str(), http.url_without_query());
        for (name, value) in &http.headers {
            println!("{name}: {value}");
        }
        println!("{}\n", String::from_utf8_lossy(&http.body));
    }

    println!("== what a bad request gets (nothing is sent) ==");
    let huawei = Channel::new(ChannelConfig::from_json(CONFIGS[1])?)?;
    for bad in [
        SendCode::new("+8613800138000", "12a4"),
        SendCode::new("138-0013", "1234"),
        SendCode::new("+8613800138000", "1234").play_times(12),
    ] {
        let err = huawei.check_send_code(&bad).unwrap_err();
        println!(
            "{} / {} / field {:?}: {err}",
            err.kind(),
            err.outcome(),
            err.field().unwrap_or("")
        );
    }
    Ok(())
}
