//! Reads channel configs from TOML or JSON files, with secrets optionally from the environment.

use std::path::Path;

use serde_json::Value;
use voicecode::{ChannelConfig, Error, Vendor};

/// Reads `path` (TOML unless it ends in `.json`) into a channel config. A vendor's secret
/// missing from the file is taken from `VOICECODE_<KEY>` (e.g. `VOICECODE_APP_SECRET`), so
/// that it can stay out of files.
pub fn load(path: &Path) -> voicecode::Result<ChannelConfig> {
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
    fill_secret_from_env(&mut value, |name| std::env::var(name).ok());
    ChannelConfig::from_value(value)
}

fn fill_secret_from_env(value: &mut Value, env: impl Fn(&str) -> Option<String>) {
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
mod tests {
    use super::*;

    #[test]
    fn a_missing_secret_comes_from_its_environment_variable() {
        let mut value = serde_json::json!({"vendor": "huawei", "app_key": "k"});
        fill_secret_from_env(&mut value, |name| {
            (name == "VOICECODE_APP_SECRET").then(|| "s3cret".to_owned())
        });
        assert_eq!(value["app_secret"], "s3cret");
        // app_key is huawei's username, not its secret: the cloud10658 variable does not apply.
        assert_eq!(value["app_key"], "k");
    }

    #[test]
    fn the_file_wins_over_the_environment() {
        let mut value = serde_json::json!({"vendor": "ihuyi", "api_key": "from-file"});
        fill_secret_from_env(&mut value, |_| Some("from-env".to_owned()));
        assert_eq!(value["api_key"], "from-file");
    }
}
