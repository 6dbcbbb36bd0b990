//! The channel configuration: one schema shared by every language.
//!
//! The same snake_case keys are read from JSON or TOML files, from the C API's JSON and from
//! Python dicts (Node uses their camelCase form). Unknown keys are refused with the key's name,
//! because a misspelt optional key (`staus_url`) would otherwise be silently ignored.

use std::time::Duration;

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::{Error, Result, Secret, Vendor};

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 3_000;
/// Default time allowed for a whole request, answer included.
pub const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// One vendor account and how to reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelConfig {
    /// The vendor and its credentials.
    pub vendor: VendorConfig,
    /// `scheme://host[:port]` replacing the vendor's host (its paths are kept), e.g. a local
    /// simulator. Required for `oneaccess`, where it is the tenant's domain.
    pub base_url: Option<String>,
    /// Time allowed for a whole request, in milliseconds.
    pub timeout_ms: u64,
    /// Time allowed to open a connection, in milliseconds.
    pub connect_timeout_ms: u64,
}

/// The vendor-specific part of a [`ChannelConfig`], selected by the `vendor` key.
#[derive(Debug, Clone, PartialEq)]
pub enum VendorConfig {
    /// ytx.net.
    Ytx(YtxConfig),
    /// Huawei Cloud VoiceCall.
    Huawei(HuaweiConfig),
    /// ihuyi.
    Ihuyi(IhuyiConfig),
    /// cloud.10658.com.cn.
    Cloud10658(Cloud10658Config),
    /// Huawei OneAccess user SDK API.
    Oneaccess(OneAccessConfig),
}

/// ytx.net account (`vendor = "ytx"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YtxConfig {
    /// ACCOUNT SID from the console.
    pub account_sid: String,
    /// AUTH TOKEN from the console; used only inside the MD5 signature.
    pub auth_token: Secret,
    /// The application's id; sandbox and production ids differ (code `-205` otherwise).
    pub app_id: String,
    /// Use `http://sandbox.ytx.net` instead of `http://api.ytx.net`.
    #[serde(default)]
    pub sandbox: bool,
}

/// Huawei Cloud VoiceCall application (`vendor = "huawei"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuaweiConfig {
    /// APP_Key.
    pub app_key: String,
    /// APP_Secret; used only as the HMAC key.
    pub app_secret: Secret,
    /// Caller ID shown to the user, E.164 as registered (`+8675528001234`).
    pub display_number: String,
    /// Approved `.wav` file played before the code.
    pub pre_tone: String,
    /// Approved `.wav` file played after the code.
    #[serde(default)]
    pub pos_tone: Option<String>,
    /// Language of the spoken code; `2` is Chinese.
    #[serde(default = "default_language_type")]
    pub language_type: u8,
    /// Where the platform pushes call status events (plain URL; voicecode Base64-encodes it).
    #[serde(default)]
    pub status_url: Option<String>,
    /// Where the platform pushes call detail records.
    #[serde(default)]
    pub fee_url: Option<String>,
}

fn default_language_type() -> u8 {
    2
}

/// ihuyi account (`vendor = "ihuyi"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IhuyiConfig {
    /// APIID.
    pub account: String,
    /// APIKEY; only its MD5 digest (the dynamic password) is ever sent.
    pub api_key: Secret,
}

/// cloud.10658.com.cn account (`vendor = "cloud10658"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cloud10658Config {
    /// appId.
    pub app_id: String,
    /// appKey; the vendor requires it in every form, so only HTTPS protects it.
    pub app_key: Secret,
    /// The approved voice-code template.
    pub template_id: String,
    /// Balance path; the vendor documents `/voiceApi/getBalance` and its own sample uses
    /// `/voiceApi/group/getBalance`.
    #[serde(default)]
    pub balance_path: Option<String>,
}

/// Huawei OneAccess tenant application (`vendor = "oneaccess"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneAccessConfig {
    /// ClientId of the registered application.
    pub client_id: String,
    /// Tenant id, for ISV applications only.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The end user's device, reported in the `X-…` headers.
    pub device: Device,
}

/// Device description sent by OneAccess calls.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Device {
    /// `X-operating-sys-version`, e.g. `Android 10`.
    pub os_version: String,
    /// `X-device-fingerprint`.
    pub fingerprint: String,
    /// `X-agent`, the user agent.
    pub agent: String,
    /// `X-device-ip`.
    #[serde(default)]
    pub ip: Option<String>,
    /// `X-L`: `zh` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

impl VendorConfig {
    /// The vendor this configuration is for.
    pub fn vendor(&self) -> Vendor {
        match self {
            VendorConfig::Ytx(_) => Vendor::Ytx,
            VendorConfig::Huawei(_) => Vendor::Huawei,
            VendorConfig::Ihuyi(_) => Vendor::Ihuyi,
            VendorConfig::Cloud10658(_) => Vendor::Cloud10658,
            VendorConfig::Oneaccess(_) => Vendor::Oneaccess,
        }
    }
}

impl ChannelConfig {
    /// A configuration with default timeouts and the vendor's own host.
    pub fn new(vendor: VendorConfig) -> Self {
        ChannelConfig {
            vendor,
            base_url: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            connect_timeout_ms: DEFAULT_CONNECT_TIMEOUT_MS,
        }
    }

    /// Points the channel at another host, keeping the vendor's paths.
    pub fn with_base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Reads a configuration from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid_config("config", format!("not valid JSON: {e}")))?;
        Self::from_value(value)
    }

    /// Reads a configuration from a JSON value (also what TOML files are converted to).
    pub fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut map) = value else {
            return Err(Error::invalid_config("config", "must be an object"));
        };
        let vendor = match map.remove("vendor") {
            Some(Value::String(v)) => v,
            Some(_) => return Err(Error::invalid_config("vendor", "must be a string")),
            None => return Err(Error::invalid_config("vendor", "is required")),
        };
        let base_url = take_string(&mut map, "base_url")?;
        let timeout_ms = take_millis(&mut map, "timeout_ms")?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let connect_timeout_ms =
            take_millis(&mut map, "connect_timeout_ms")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS);
        let vendor = match vendor.parse::<Vendor>()? {
            Vendor::Ytx => VendorConfig::Ytx(vendor_part(map)?),
            Vendor::Huawei => VendorConfig::Huawei(vendor_part(map)?),
            Vendor::Ihuyi => VendorConfig::Ihuyi(vendor_part(map)?),
            Vendor::Cloud10658 => VendorConfig::Cloud10658(vendor_part(map)?),
            Vendor::Oneaccess => VendorConfig::Oneaccess(vendor_part(map)?),
        };
        Ok(ChannelConfig {
            vendor,
            base_url,
            timeout_ms,
            connect_timeout_ms,
        })
    }

    /// The total request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
}

impl<'de> Deserialize<'de> for ChannelConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ChannelConfig::from_value(value).map_err(D::Error::custom)
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> Result<Option<String>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Error::invalid_config(key, "must be a string")),
    }
}

fn take_millis(map: &mut Map<String, Value>, key: &str) -> Result<Option<u64>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(ms) if ms > 0 => Ok(Some(ms)),
            _ => Err(Error::invalid_config(
                key,
                "must be a positive whole number of milliseconds",
            )),
        },
    }
}

fn vendor_part<T: DeserializeOwned>(map: Map<String, Value>) -> Result<T> {
    crate::model::deserialize_named(Value::Object(map), "config")
        .map_err(|(field, rule)| Error::invalid_config(&field, rule))
}

impl ChannelConfig {
    /// Reads a channel config file in this schema: JSON when the name ends in `.json`, TOML
    /// otherwise. A vendor's secret missing from the file is read from `VOICECODE_<KEY>` (e.g.
    /// `VOICECODE_APP_SECRET`; see [`Vendor::secret_key`]), so that it can stay out of files.
    ///
    /// This is the one loader behind the command line's `--config` and every binding's
    /// "from file" constructor.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid_config("config", format!("cannot read {shown}: {e}")))?;
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        let mut value: Value = if is_json {
            serde_json::from_str(&text).map_err(|e| {
                Error::invalid_config("config", format!("{shown} is not valid JSON: {e}"))
            })?
        } else {
            toml::from_str(&text).map_err(|e| {
                Error::invalid_config("config", format!("{shown} is not valid TOML: {e}"))
            })?
        };
        fill_secret(&mut value, |name| std::env::var(name).ok());
        Self::from_value(value)
    }
}

/// Puts the vendor's secret into `value` from `env("VOICECODE_<KEY>")` when the file has none.
fn fill_secret(value: &mut Value, env: impl Fn(&str) -> Option<String>) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let vendor = map
        .get("vendor")
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<Vendor>().ok());
    let Some(key) = vendor.and_then(Vendor::secret_key) else {
        return;
    };
    if !map.contains_key(key) {
        if let Some(secret) = env(&format!("VOICECODE_{}", key.to_ascii_uppercase())) {
            map.insert(key.to_owned(), Value::String(secret));
        }
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_missing_secret_comes_from_its_environment_variable() {
        let mut value = serde_json::json!({"vendor": "huawei", "app_key": "k"});
        fill_secret(&mut value, |name| {
            (name == "VOICECODE_APP_SECRET").then(|| "s3cret".to_owned())
        });
        assert_eq!(value["app_secret"], "s3cret");
        // app_key is huawei's username, not its secret: cloud10658's variable does not apply.
        assert_eq!(value["app_key"], "k");
    }

    #[test]
    fn the_file_wins_over_the_environment() {
        let mut value = serde_json::json!({"vendor": "ihuyi", "api_key": "from-file"});
        fill_secret(&mut value, |_| Some("from-env".to_owned()));
        assert_eq!(value["api_key"], "from-file");
    }
}
