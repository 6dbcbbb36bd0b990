//! The channel configuration: one schema shared by every language.
//!
//! The same snake_case keys are read from JSON or TOML files, from the C API's JSON and from
//! Python dicts (Node uses their camelCase form). Unknown keys are refused with the key's name,
//! because a misspelt optional key (`staus_url`) would otherwise be silently ignored.

use std::io::Read as _;
use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

pub use crate::vendors::VendorConfig;
use crate::{Error, Product, Result, Vendor};

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

impl ChannelConfig {
    /// A configuration with default timeouts and the vendor's own host.
    pub fn new(vendor: impl Into<VendorConfig>) -> Self {
        ChannelConfig {
            vendor: vendor.into(),
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

    /// Reads a configuration from JSON text of at most [`MAX_CONFIG_BYTES`], as a config file
    /// is; a key given twice is refused, naming it.
    pub fn from_json(text: &str) -> Result<Self> {
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(Error::invalid_config(
                "config",
                format!(
                    "the JSON is larger than {MAX_CONFIG_BYTES} bytes; is it a channel config?"
                ),
            ));
        }
        Self::from_value(json_config(text, "")?)
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
        let product = match take_string(&mut map, "product")? {
            None => Product::Voice,
            Some(name) => name.parse()?,
        };
        let base_url = take_string(&mut map, "base_url")?;
        let timeout_ms = take_millis(&mut map, "timeout_ms")?.unwrap_or(DEFAULT_TIMEOUT_MS);
        let connect_timeout_ms =
            take_millis(&mut map, "connect_timeout_ms")?.unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS);
        let vendor = VendorConfig::read(vendor.parse()?, product, Value::Object(map))?;
        Ok(ChannelConfig {
            vendor,
            base_url,
            timeout_ms,
            connect_timeout_ms,
        })
    }

    /// What the channel sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.vendor.product()
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

impl ChannelConfig {
    /// Reads a channel config file in this schema: JSON when the name ends in `.json`, TOML
    /// otherwise, at most [`MAX_CONFIG_BYTES`]. A vendor's secret missing from the file is read
    /// from `VOICECODE_<KEY>` (e.g. `VOICECODE_APP_SECRET`; see [`Vendor::secret_key`]), so that
    /// it can stay out of files; when both have it, the file wins. Errors never quote the file's
    /// text, which holds credentials.
    ///
    /// This is the one loader behind the command line's `--config` and every binding's
    /// "from file" constructor.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display();
        let unreadable = |e: &dyn std::fmt::Display| {
            Error::invalid_config("config", format!("cannot read {shown}: {e}"))
        };
        let mut bytes = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| unreadable(&e))?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            return Err(Error::invalid_config(
                "config",
                format!("{shown} is larger than {MAX_CONFIG_BYTES} bytes; is it a channel config?"),
            ));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::invalid_config("config", format!("{shown} is not UTF-8 text")))?;
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        let mut value: Value = if is_json {
            json_config(&text, &format!("{shown} "))?
        } else {
            toml::from_str(&text).map_err(|e| {
                // toml's own message quotes the offending line, which may hold a secret.
                let at = e.span().map_or(String::new(), |span| {
                    let before = &text[..span.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!(" at line {line}, column {column}")
                });
                Error::invalid_config(
                    "config",
                    format!("{shown} is not valid TOML{at}: {}", e.message()),
                )
            })?
        };
        fill_secret(&mut value, |name| match std::env::var(name) {
            Ok(secret) => Ok(Some(secret)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::invalid_config(
                "config",
                format!("{name} is set but is not valid UTF-8"),
            )),
        })?;
        Self::from_value(value)
    }
}

/// The most a config file may hold: a channel config is a few hundred bytes.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// JSON config text as a value, refusing a key given twice; `shown` prefixes messages.
fn json_config(text: &str, shown: &str) -> Result<Value> {
    crate::model::parse_json(text).map_err(|(key, rule)| match key {
        Some(key) => Error::invalid_config(&key, format!("{shown}{rule}")),
        None => Error::invalid_config("config", format!("{shown}{rule}")),
    })
}

/// The environment variable a config file's missing secret is read from, `VOICECODE_<KEY>`
/// (e.g. `VOICECODE_APP_SECRET` for huawei), or `None` for a vendor without a secret.
pub fn secret_env_var(vendor: Vendor) -> Option<String> {
    let key = vendor.secret_key()?;
    Some(format!("VOICECODE_{}", key.to_ascii_uppercase()))
}

/// Every vendor's [`secret_env_var`], once each, in the registry's order: the list the command
/// line's help and every binding's docs give.
pub fn secret_env_vars() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in Vendor::ALL.into_iter().filter_map(secret_env_var) {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Puts the vendor's secret into `value` from `env("VOICECODE_<KEY>")` when the file has none.
fn fill_secret(value: &mut Value, env: impl Fn(&str) -> Result<Option<String>>) -> Result<()> {
    let Some(map) = value.as_object_mut() else {
        return Ok(());
    };
    let vendor = map
        .get("vendor")
        .and_then(Value::as_str)
        .and_then(|v| v.parse::<Vendor>().ok());
    let (Some(key), Some(var)) = (
        vendor.and_then(Vendor::secret_key),
        vendor.and_then(secret_env_var),
    ) else {
        return Ok(());
    };
    if !map.contains_key(key) {
        if let Some(secret) = env(&var)? {
            map.insert(key.to_owned(), Value::String(secret));
        }
    }
    Ok(())
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn a_missing_secret_comes_from_its_environment_variable() {
        let mut value = serde_json::json!({"vendor": "huawei", "app_key": "k"});
        fill_secret(&mut value, |name| {
            Ok((name == "VOICECODE_APP_SECRET").then(|| "s3cret".to_owned()))
        })
        .unwrap();
        assert_eq!(value["app_secret"], "s3cret");
        // app_key is huawei's username, not its secret: cloud10658's variable does not apply.
        assert_eq!(value["app_key"], "k");
    }

    #[test]
    fn json_text_larger_than_a_config_file_may_be_is_refused() {
        let padding = "x".repeat(MAX_CONFIG_BYTES as usize);
        let text = format!(r#"{{"vendor":"ihuyi","account":"VM1","api_key":"{padding}"}}"#);
        let err = ChannelConfig::from_json(&text).unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            (crate::ErrorKind::InvalidConfig, Some("config"))
        );
        assert!(!err.to_string().contains("xxxx"), "{err}");
    }

    #[test]
    fn the_file_wins_over_the_environment() {
        let mut value = serde_json::json!({"vendor": "ihuyi", "api_key": "from-file"});
        fill_secret(&mut value, |_| Ok(Some("from-env".to_owned()))).unwrap();
        assert_eq!(value["api_key"], "from-file");
    }
}
