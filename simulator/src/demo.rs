//! The demo accounts built into the simulator.
//!
//! Public so that tests in every language can build requests by hand (a wrong signature, a
//! stale timestamp) without copying the values; [`crate::Simulator::config_json`] gives the
//! same values as ready-to-use channel configs.

/// Units every account with a balance starts with, unless `SimOptions::balances` says otherwise.
pub const DEFAULT_BALANCE: u64 = 100;

/// ytx ACCOUNT SID.
pub const YTX_ACCOUNT_SID: &str = "5100000000000000000000000000ytx1";
/// ytx AUTH TOKEN.
pub const YTX_AUTH_TOKEN: &str = "51a0000000000000000000000token01";
/// ytx application id.
pub const YTX_APP_ID: &str = "5100000000000000000000000000app1";

/// Huawei APP_Key.
pub const HUAWEI_APP_KEY: &str = "SimHuaweiAppKey000000000001";
/// Huawei APP_Secret.
pub const HUAWEI_APP_SECRET: &str = "SimHuaweiAppSecret0000000001";
/// The caller ID registered for the Huawei app (`displayNbr`).
pub const HUAWEI_DISPLAY_NUMBER: &str = "+8675528001288";
/// An approved tone file name (`preTone`); the simulator accepts any `.wav` name.
pub const HUAWEI_PRE_TONE: &str = "welcome.wav";

/// ihuyi APIID.
pub const IHUYI_ACCOUNT: &str = "VM00000001";
/// ihuyi APIKEY.
pub const IHUYI_API_KEY: &str = "51a00000000000000000000000ihuyi1";

/// cloud10658 appId.
pub const CLOUD10658_APP_ID: &str = "SIM10658APP00001";
/// cloud10658 appKey.
pub const CLOUD10658_APP_KEY: &str = "SIMKEY000001";
/// cloud10658 approved voice-code template.
pub const CLOUD10658_TEMPLATE_ID: &str = "724";

/// Alibaba Cloud AccessKey ID.
pub const ALIYUN_ACCESS_KEY_ID: &str = "LTAI5tSimAliyun000000001";
/// Alibaba Cloud AccessKey secret.
pub const ALIYUN_ACCESS_KEY_SECRET: &str = "SimAliyunAccessKeySecret000001";
/// The number the demo account bought for 专属模式 (`CalledShowNumber`).
pub const ALIYUN_CALLED_SHOW_NUMBER: &str = "057112345678";
/// The demo account's approved voice-code template (`TtsCode`), whose variable is `${code}`.
pub const ALIYUN_TTS_CODE: &str = "TTS_100000001";
/// Tencent Cloud API SecretId.
pub const TENCENT_SECRET_ID: &str = "AKIDSimTencent000000000000000000001";
/// Tencent Cloud API SecretKey.
pub const TENCENT_SECRET_KEY: &str = "SimTencentSecretKey0000000000001";
/// `VoiceSdkAppid` of the demo VMS application.
pub const TENCENT_VOICE_SDK_APPID: &str = "1400000001";

/// OneAccess ClientId of the demo application.
pub const ONEACCESS_CLIENT_ID: &str = "SimOneAccessClient0000000000001";
/// OneAccess device headers of the demo config.
pub const ONEACCESS_OS_VERSION: &str = "Android 14";
/// `X-device-fingerprint` of the demo config.
pub const ONEACCESS_FINGERPRINT: &str = "voicecode-sim-device";
/// `X-agent` of the demo config.
pub const ONEACCESS_AGENT: &str = "voicecode-sim";

/// Where the slider piece of every simulated captcha fits: verify with this point (within
/// [`CAPTCHA_TOLERANCE`] on each axis) to pass, with any other point to fail.
pub const CAPTCHA_ANSWER: (f64, f64) = (237.0, 5.0);
/// How far from [`CAPTCHA_ANSWER`] a dropped piece may land and still pass.
pub const CAPTCHA_TOLERANCE: f64 = 5.0;
