//! Ready-to-use channel configs (the core's schema) for the demo accounts.

use serde_json::{json, Value};
use voicecode::Vendor;

use crate::demo::*;

/// The channel config of `vendor`'s demo account, pointed at `base_url`.
pub(crate) fn channel_config(vendor: Vendor, base_url: &str) -> Value {
    let mut config = match vendor {
        Vendor::Ytx => json!({
            "account_sid": YTX_ACCOUNT_SID,
            "auth_token": YTX_AUTH_TOKEN,
            "app_id": YTX_APP_ID,
        }),
        Vendor::Huawei => json!({
            "app_key": HUAWEI_APP_KEY,
            "app_secret": HUAWEI_APP_SECRET,
            "display_number": HUAWEI_DISPLAY_NUMBER,
            "pre_tone": HUAWEI_PRE_TONE,
        }),
        Vendor::Ihuyi => json!({
            "account": IHUYI_ACCOUNT,
            "api_key": IHUYI_API_KEY,
        }),
        Vendor::Cloud10658 => json!({
            "app_id": CLOUD10658_APP_ID,
            "app_key": CLOUD10658_APP_KEY,
            "template_id": CLOUD10658_TEMPLATE_ID,
        }),
        Vendor::Aliyun => json!({
            "access_key_id": ALIYUN_ACCESS_KEY_ID,
            "access_key_secret": ALIYUN_ACCESS_KEY_SECRET,
            "called_show_number": ALIYUN_CALLED_SHOW_NUMBER,
            "tts_code": ALIYUN_TTS_CODE,
        }),
        Vendor::Tencent => json!({
            "secret_id": TENCENT_SECRET_ID,
            "secret_key": TENCENT_SECRET_KEY,
            "voice_sdk_appid": TENCENT_VOICE_SDK_APPID,
        }),
        Vendor::Oneaccess => json!({
            "client_id": ONEACCESS_CLIENT_ID,
            "device": {
                "os_version": ONEACCESS_OS_VERSION,
                "fingerprint": ONEACCESS_FINGERPRINT,
                "agent": ONEACCESS_AGENT,
            },
        }),
    };
    if let Value::Object(map) = &mut config {
        map.insert("vendor".into(), json!(vendor.as_str()));
        map.insert("base_url".into(), json!(base_url));
    }
    config
}
