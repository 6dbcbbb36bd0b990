//! The configuration schema every language shares: what is accepted, and how mistakes are named.

use voicecode::{ChannelConfig, Client, ErrorKind, Outcome, VendorConfig};

fn err(json: &str) -> voicecode::Error {
    ChannelConfig::from_json(json)
        .and_then(Client::new)
        .unwrap_err()
}

const IHUYI: &str = r#"{"vendor":"ihuyi","account":"VM12345678","api_key":"k"}"#;

#[test]
fn a_full_config_of_each_vendor_is_accepted() {
    let configs = [
        r#"{"vendor":"ytx","account_sid":"sid","auth_token":"t","app_id":"app","sandbox":true,"timeout_ms":5000,"connect_timeout_ms":1000}"#,
        r#"{"vendor":"huawei","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav",
            "pos_tone":"b.wav","language_type":2,"status_url":"https://example.com/status","fee_url":"https://example.com/fee"}"#,
        IHUYI,
        r#"{"vendor":"cloud10658","app_id":"id","app_key":"k","template_id":"724","balance_path":"/voiceApi/group/getBalance"}"#,
        r#"{"vendor":"oneaccess","base_url":"https://tenant.example.com","client_id":"c","tenant_id":"t",
            "device":{"os_version":"Android 10","fingerprint":"f","agent":"UA","ip":"10.0.0.1","lang":"zh"}}"#,
        r#"{"vendor":"aliyun","access_key_id":"LTAI5t000000","access_key_secret":"s","called_show_number":"057112345678",
            "tts_code":"TTS_100000000","tts_param_name":"code","volume":100,"speed":0,"region_id":"cn-hangzhou"}"#,
        r#"{"vendor":"tencent","secret_id":"AKID","secret_key":"k","voice_sdk_appid":"1400006666","region":"ap-beijing"}"#,
    ];
    assert_eq!(configs.len(), voicecode::Vendor::ALL.len());
    for (json, vendor) in configs.iter().zip(voicecode::Vendor::ALL) {
        let config = ChannelConfig::from_json(json).unwrap();
        assert_eq!(config.vendor.vendor(), vendor);
        assert_eq!(Client::new(config).unwrap().vendor(), vendor);
    }
}

#[test]
fn defaults_are_documented_values() {
    let config = ChannelConfig::from_json(IHUYI).unwrap();
    assert_eq!(
        (config.timeout_ms, config.connect_timeout_ms),
        (10_000, 3_000)
    );
    let huawei = ChannelConfig::from_json(
        r#"{"vendor":"huawei","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav"}"#,
    )
    .unwrap();
    let VendorConfig::Huawei(h) = huawei.vendor else {
        panic!("huawei")
    };
    assert_eq!(h.language_type, 2);
}

#[test]
fn unknown_keys_are_refused_by_name() {
    for (json, key) in [
        (
            r#"{"vendor":"ihuyi","account":"a","api_key":"k","apikey":"k"}"#,
            "apikey",
        ),
        (
            r#"{"vendor":"huawei","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav","staus_url":"x"}"#,
            "staus_url",
        ),
        (
            r#"{"vendor":"oneaccess","base_url":"https://t.example.com","client_id":"c","device":{"os_version":"a","fingerprint":"f","agent":"u","os":"x"}}"#,
            "device.os",
        ),
    ] {
        let e = err(json);
        assert_eq!(
            (e.kind(), e.outcome()),
            (ErrorKind::InvalidConfig, Outcome::NotSent)
        );
        assert_eq!(e.field(), Some(key), "{e}");
        assert!(e.message().contains(key), "{e}");
    }
}

#[test]
fn missing_keys_and_wrong_types_are_named() {
    let e = err(r#"{"vendor":"ihuyi","account":"a"}"#);
    assert_eq!(e.field(), Some("api_key"), "{e}");
    let e = err(r#"{"account":"a","api_key":"k"}"#);
    assert_eq!(e.field(), Some("vendor"));
    let e = err(r#"{"vendor":"twilio"}"#);
    assert_eq!(e.field(), Some("vendor"));
    assert!(e.message().contains("ytx, huawei"), "{e}");
    let e = err(r#"{"vendor":"ihuyi","account":"a","api_key":"k","timeout_ms":"fast"}"#);
    assert_eq!(e.field(), Some("timeout_ms"));
    let e = err(r#"{"vendor":"ihuyi","account":"a","api_key":"k","timeout_ms":0}"#);
    assert_eq!(e.field(), Some("timeout_ms"));
    let e =
        err(r#"{"vendor":"ytx","account_sid":"s","auth_token":"t","app_id":"a","sandbox":"yes"}"#);
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    let e = err("not json");
    assert_eq!(e.field(), Some("config"));
    let e = err("[1]");
    assert_eq!(e.field(), Some("config"));
}

#[test]
fn a_value_of_the_wrong_type_is_named_by_its_key_and_never_echoed() {
    // A numeric API key must not come back in the message (serde quotes the value).
    let e = err(r#"{"vendor":"ihuyi","account":"a","api_key":987654321}"#);
    assert_eq!(e.field(), Some("api_key"), "{e}");
    assert!(!e.to_string().contains("987654321"), "{e}");
    assert!(e.message().contains("a string"), "{e}");
    let e = err(r#"{"vendor":"ihuyi","account":5,"api_key":"k"}"#);
    assert_eq!(e.field(), Some("account"), "{e}");
    let e =
        err(r#"{"vendor":"ytx","account_sid":"s","auth_token":"t","app_id":"a","sandbox":"yes"}"#);
    assert_eq!(e.field(), Some("sandbox"), "{e}");
    let e = err(
        r#"{"vendor":"oneaccess","base_url":"https://t.example.com","client_id":"c","device":{"os_version":7,"fingerprint":"f","agent":"a"}}"#,
    );
    assert_eq!(e.field(), Some("device.os_version"), "{e}");
}

#[test]
fn base_url_is_scheme_host_and_port_only() {
    for bad in [
        "127.0.0.1:8080",
        "ftp://example.com",
        "http://example.com/api",
        "http://example.com?x=1",
        "http://user:pw@example.com",
        "http://127.0.0.1:",
        "http://127.0.0.1:/",
        "https://[::1]:",
        "http://",
        "http://?x",
        "unix:///tmp/sock",
        "http://127.0.0.1:8080#frag",
    ] {
        let json =
            format!(r#"{{"vendor":"ihuyi","account":"a","api_key":"k","base_url":"{bad}"}}"#);
        let e = err(&json);
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidConfig, Some("base_url")),
            "{bad}"
        );
    }
    let json = r#"{"vendor":"ihuyi","account":"a","api_key":"k","base_url":"http://[::1]:8080/"}"#;
    assert!(Client::new(ChannelConfig::from_json(json).unwrap()).is_ok());
}

#[test]
fn a_base_url_with_credentials_is_refused_without_quoting_them() {
    for bad in [
        "http://user:hunter2@example.com",
        "https://hunter2@example.com",
        "http://user:hunter2@[bad",
    ] {
        let json =
            format!(r#"{{"vendor":"ihuyi","account":"a","api_key":"k","base_url":"{bad}"}}"#);
        let e = err(&json);
        assert_eq!(e.field(), Some("base_url"), "{bad}");
        assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    }
}

#[test]
fn oneaccess_needs_the_tenant_domain() {
    let e = err(
        r#"{"vendor":"oneaccess","client_id":"c","device":{"os_version":"a","fingerprint":"f","agent":"u"}}"#,
    );
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("base_url"))
    );
}

#[test]
fn header_values_with_control_characters_are_refused() {
    let e = err(
        r#"{"vendor":"oneaccess","base_url":"https://t.example.com","client_id":"c\r\nX-Evil: 1","device":{"os_version":"a","fingerprint":"f","agent":"u"}}"#,
    );
    assert_eq!(e.field(), Some("client_id"));
}

#[test]
fn operations_a_vendor_lacks_are_config_errors_sent_nowhere() {
    let huawei = Client::new(
        ChannelConfig::from_json(
            r#"{"vendor":"huawei","base_url":"http://127.0.0.1:9","app_key":"k","app_secret":"s","display_number":"+8675528001288","pre_tone":"a.wav"}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let e = huawei.balance().unwrap_err();
    assert_eq!(
        (e.kind(), e.outcome()),
        (ErrorKind::InvalidConfig, Outcome::NotSent)
    );
    let e = huawei.captcha().unwrap_err();
    assert!(e.message().contains("oneaccess"), "{e}");
}

#[test]
fn the_schema_is_readable_through_serde_too() {
    let config: ChannelConfig = serde_json::from_str(IHUYI).unwrap();
    assert_eq!(config.vendor.vendor(), voicecode::Vendor::Ihuyi);
    let bad = serde_json::from_str::<ChannelConfig>(
        r#"{"vendor":"ihuyi","account":"a","api_key":"k","x":1}"#,
    );
    assert!(bad.unwrap_err().to_string().contains('x'));
}

#[test]
fn errors_serialise_with_every_field_the_bindings_expose() {
    let e = err(r#"{"vendor":"ihuyi","account":"a"}"#);
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "invalid_config");
    assert_eq!(json["outcome"], "not_sent");
    assert_eq!(json["field"], "api_key");
    assert_eq!(json["retryable"], false);
    assert_eq!(json["message"], e.to_string());
    assert!(json["attempts"].as_array().unwrap().is_empty());
    for key in ["vendor", "vendor_code", "vendor_message", "http_status"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn config_files_are_read_as_toml_or_by_extension_as_json() {
    let dir = std::env::temp_dir().join(format!("voicecode-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml_path = dir.join("ihuyi.toml");
    std::fs::write(
        &toml_path,
        "vendor = \"ihuyi\"\naccount = \"VM12345678\"\napi_key = \"k\"\ntimeout_ms = 2500\n",
    )
    .unwrap();
    let json_path = dir.join("ihuyi.json");
    std::fs::write(&json_path, IHUYI).unwrap();

    let from_toml = ChannelConfig::from_file(&toml_path).unwrap();
    assert_eq!(from_toml.timeout_ms, 2500);
    assert_eq!(from_toml.vendor.vendor(), voicecode::Vendor::Ihuyi);
    assert_eq!(
        ChannelConfig::from_file(&json_path).unwrap(),
        ChannelConfig::from_json(IHUYI).unwrap()
    );

    // JSON text under a TOML name is a TOML error that names the file.
    let wrong = dir.join("ihuyi.conf");
    std::fs::write(&wrong, IHUYI).unwrap();
    let e = ChannelConfig::from_file(&wrong).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("config"))
    );
    assert!(
        e.message().contains("ihuyi.conf") && e.message().contains("TOML"),
        "{e}"
    );

    let e = ChannelConfig::from_file(dir.join("missing.toml")).unwrap_err();
    assert_eq!(
        (e.kind(), e.outcome()),
        (ErrorKind::InvalidConfig, Outcome::NotSent)
    );
    assert!(e.message().contains("missing.toml"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("voicecode-config-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

#[test]
fn a_broken_config_file_is_located_but_never_quoted() {
    let secret = "SECRETXYZ123";
    for (name, text) in [
        (
            "broken.toml",
            format!("vendor = \"ihuyi\"\napi_key = \"{secret}\n"),
        ),
        // JSON under a name that is not .json is read as TOML, and fails the same way.
        (
            "config.yaml",
            format!(r#"{{"vendor":"ihuyi","api_key":"{secret}",}}"#),
        ),
    ] {
        let e = ChannelConfig::from_file(temp_file(name, text.as_bytes())).unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            (ErrorKind::InvalidConfig, Some("config"))
        );
        assert!(e.message().contains("line "), "{e}");
        assert!(!e.message().contains(secret), "{e}");
        assert!(!serde_json::to_string(&e).unwrap().contains(secret));
    }
}

#[test]
fn a_config_file_larger_than_the_cap_is_refused_unread() {
    let mut text = IHUYI.as_bytes().to_vec();
    text.resize(voicecode::config::MAX_CONFIG_BYTES as usize + 1, b' ');
    let e = ChannelConfig::from_file(temp_file("big.json", &text)).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("config"))
    );
    assert!(e.message().contains("larger than"), "{e}");
    // Just under the cap is read.
    text.truncate(voicecode::config::MAX_CONFIG_BYTES as usize);
    ChannelConfig::from_file(temp_file("cap.json", &text)).unwrap();
}

#[test]
fn a_key_given_twice_is_refused_by_name() {
    let twice = r#"{"vendor":"ihuyi","account":"VM1","account":"VM2","api_key":"k"}"#;
    let e = ChannelConfig::from_json(twice).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("account"))
    );
    let e = ChannelConfig::from_file(temp_file("twice.json", twice.as_bytes())).unwrap_err();
    assert_eq!(e.field(), Some("account"));
    assert!(e.message().contains("twice.json"), "{e}");
    // TOML refuses repeated keys on its own.
    let toml = "vendor = \"ihuyi\"\naccount = \"VM1\"\naccount = \"VM2\"\napi_key = \"k\"\n";
    let e = ChannelConfig::from_file(temp_file("twice.toml", toml.as_bytes())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
}

#[test]
fn an_unknown_vendor_is_a_config_error_in_a_config_and_an_input_error_as_an_argument() {
    let in_config = err(r#"{"vendor":"acme"}"#);
    let as_argument = voicecode::Vendor::from_arg("acme").unwrap_err();
    for (e, kind) in [
        (&in_config, ErrorKind::InvalidConfig),
        (&as_argument, ErrorKind::InvalidInput),
    ] {
        assert_eq!((e.kind(), e.field()), (kind, Some("vendor")));
        assert!(e
            .message()
            .contains("unknown vendor \"acme\"; expected one of ytx, huawei"));
    }
    // One prefix, the argument's own: the config error's wording is not wrapped inside it.
    assert!(!as_argument.message().contains("config"), "{as_argument}");
    assert_eq!(
        voicecode::Vendor::from_arg("tencent").unwrap(),
        voicecode::Vendor::Tencent
    );
}

#[test]
fn a_channel_names_its_product_and_voice_is_the_default() {
    use voicecode::{Product, Vendor};
    let sms = [
        r#"{"vendor":"huawei","product":"sms","app_key":"k","app_secret":"s","sender":"csms12345678",
            "template_id":"8ff55eac1d0b478ab3c06c3c6a492300","signature":"华为云短信测试",
            "status_url":"https://example.com/report"}"#,
        r#"{"vendor":"ihuyi","product":"sms","account":"VM12345678","api_key":"k",
            "template":"您的验证码是：{code}。请不要把验证码泄露给其他人。"}"#,
        r#"{"vendor":"aliyun","product":"sms","access_key_id":"LTAI5t000000","access_key_secret":"s",
            "sign_name":"阿里云短信测试","template_code":"SMS_154950909","template_param_name":"code","region_id":"cn-hangzhou"}"#,
        r#"{"vendor":"tencent","product":"sms","secret_id":"AKID","secret_key":"k","sms_sdk_app_id":"1400006666",
            "sign_name":"腾讯云","template_id":"449739","extra_template_params":["5"],"region":"ap-guangzhou"}"#,
    ];
    let offering: Vec<Vendor> = Vendor::ALL
        .into_iter()
        .filter(|v| v.products().contains(&Product::Sms))
        .collect();
    assert_eq!(
        offering,
        [
            Vendor::Huawei,
            Vendor::Ihuyi,
            Vendor::Aliyun,
            Vendor::Tencent
        ]
    );
    for (json, vendor) in sms.iter().zip(offering) {
        let config = ChannelConfig::from_json(json).unwrap();
        assert_eq!(
            (config.vendor.vendor(), config.product()),
            (vendor, Product::Sms)
        );
        let client = Client::new(config).unwrap();
        assert_eq!((client.vendor(), client.product()), (vendor, Product::Sms));
    }
    let voice = ChannelConfig::from_json(IHUYI).unwrap();
    assert_eq!(voice.product(), Product::Voice);
    let said = IHUYI.replace(r#""vendor""#, r#""product":"voice","vendor""#);
    assert_eq!(ChannelConfig::from_json(&said).unwrap(), voice);
}

#[test]
fn a_product_the_vendor_lacks_or_an_unknown_one_is_named() {
    let ytx =
        r#"{"vendor":"ytx","product":"sms","account_sid":"sid","auth_token":"t","app_id":"app"}"#;
    let e = err(ytx);
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("product"))
    );
    assert!(e.to_string().contains("ihuyi, aliyun, tencent"), "{e}");
    let e = err(&IHUYI.replace(r#""vendor""#, r#""product":"fax","vendor""#));
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("product"))
    );
    // A voice key in an SMS config is a misspelt or misplaced key, named as any unknown key is.
    let e = err(
        r#"{"vendor":"tencent","product":"sms","secret_id":"AKID","secret_key":"k","voice_sdk_appid":"1400006666",
        "sms_sdk_app_id":"1400006666","sign_name":"腾讯云","template_id":"449739"}"#,
    );
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidConfig, Some("voice_sdk_appid"))
    );
}
