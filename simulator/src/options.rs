//! How to start a simulator.

use std::collections::HashMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use voicecode::Vendor;

use crate::vendors;

/// How to start a [`Simulator`](crate::Simulator).
///
/// Deserialises from the shape every binding takes, with every key optional and unknown keys
/// refused: `{"port":0,"balances":{"ytx":0},"cloud10658_receipt_url":"http://…"}`, with one key
/// for each vendor whose pushes go to a URL set on the account
/// ([`SimOptions::push_url_keys`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimOptions {
    /// Port on 127.0.0.1; `0` picks any free port (see [`Simulator::port`](crate::Simulator::port)).
    pub port: u16,
    /// Starting balances in units, replacing [`crate::demo::DEFAULT_BALANCE`] for the vendors named.
    /// Only ytx, ihuyi, cloud10658, aliyun and tencent (its voice package) have a balance; an
    /// accepted send costs 1.
    pub balances: HashMap<Vendor, u64>,
    /// Where a vendor pushes after each accepted send when the URL is an account setting (the
    /// URL an account registers in the vendor's console): cloud10658 receipts, Alibaba Cloud
    /// `VoiceReport` records (HTTP 批量推送), Tencent VMS callbacks. No pushes for a vendor not
    /// named; Huawei's go where each request says.
    pub push_urls: HashMap<Vendor, String>,
}

impl SimOptions {
    /// Each vendor's key for [`SimOptions::push_urls`] in the JSON shape
    /// (`cloud10658_receipt_url`, …), with what is pushed there.
    pub fn push_url_keys() -> impl Iterator<Item = (Vendor, &'static str, &'static str)> {
        vendors::ALL.iter().filter_map(|side| {
            let (key, what) = side.push_url?;
            Some((side.vendor, key, what))
        })
    }
}

impl<'de> Deserialize<'de> for SimOptions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Default, Deserialize)]
        #[serde(default)]
        struct Keys {
            port: u16,
            balances: HashMap<Vendor, u64>,
            /// The push URL keys, checked against the registry's below.
            #[serde(flatten)]
            others: Map<String, Value>,
        }
        let keys = Keys::deserialize(deserializer)?;
        let mut push_urls = HashMap::new();
        for (key, url) in keys.others {
            let Some((vendor, ..)) = SimOptions::push_url_keys().find(|(_, k, _)| *k == key) else {
                let expected: Vec<String> = ["port", "balances"]
                    .into_iter()
                    .chain(SimOptions::push_url_keys().map(|(_, key, _)| key))
                    .map(|key| format!("`{key}`"))
                    .collect();
                let expected = expected.join(", ");
                let message = format!("unknown field `{key}`, expected one of {expected}");
                return Err(D::Error::custom(message));
            };
            let url: Option<String> =
                serde_json::from_value(url).map_err(|e| D::Error::custom(format!("{key}: {e}")))?;
            push_urls.extend(url.map(|url| (vendor, url)));
        }
        Ok(SimOptions {
            port: keys.port,
            balances: keys.balances,
            push_urls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<SimOptions, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_key_is_read_and_balances_are_keyed_by_vendor_name() {
        let options = parse(
            r#"{"port":8080,"balances":{"ytx":0,"cloud10658":7},"cloud10658_receipt_url":"http://127.0.0.1:9/r","aliyun_report_url":"http://127.0.0.1:9/a","tencent_callback_url":"http://127.0.0.1:9/t"}"#,
        )
        .unwrap();
        assert_eq!(
            options,
            SimOptions {
                port: 8080,
                balances: HashMap::from([(Vendor::Ytx, 0), (Vendor::Cloud10658, 7)]),
                push_urls: HashMap::from([
                    (Vendor::Cloud10658, "http://127.0.0.1:9/r".into()),
                    (Vendor::Aliyun, "http://127.0.0.1:9/a".into()),
                    (Vendor::Tencent, "http://127.0.0.1:9/t".into()),
                ]),
            }
        );
    }

    #[test]
    fn every_key_is_optional() {
        assert_eq!(parse("{}").unwrap(), SimOptions::default());
        let nulls = r#"{"cloud10658_receipt_url":null,"aliyun_report_url":null}"#;
        assert_eq!(parse(nulls).unwrap(), SimOptions::default());
        assert_eq!(parse(r#"{"port":1}"#).unwrap().port, 1);
    }

    #[test]
    fn unknown_keys_vendors_and_wrong_types_are_refused_by_name() {
        let e = parse(r#"{"prot":1}"#).unwrap_err();
        assert!(e.contains("unknown field `prot`"), "{e}");
        assert!(e.contains("`tencent_callback_url`"), "{e}");
        let e = parse(r#"{"aliyun_report_url":1}"#).unwrap_err();
        assert!(
            e.contains("aliyun_report_url") && e.contains("string"),
            "{e}"
        );
        let e = parse(r#"{"balances":{"acme":1}}"#).unwrap_err();
        assert!(e.contains("acme") && e.contains("ytx"), "{e}");
        let e = parse(r#"{"port":70000}"#).unwrap_err();
        assert!(e.contains("70000"), "{e}");
    }
}
