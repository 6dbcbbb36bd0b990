//! How to start a simulator.

use std::collections::HashMap;

use serde::Deserialize;
use voicecode::Vendor;

/// How to start a [`Simulator`](crate::Simulator).
///
/// Deserialises from the shape every binding takes, with every key optional and unknown keys
/// refused: `{"port":0,"balances":{"ytx":0},"cloud10658_receipt_url":"http://…",
/// "aliyun_report_url":"http://…","tencent_callback_url":"http://…"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimOptions {
    /// Port on 127.0.0.1; `0` picks any free port (see [`Simulator::port`](crate::Simulator::port)).
    pub port: u16,
    /// Starting balances in units, replacing [`crate::demo::DEFAULT_BALANCE`] for the vendors named.
    /// Only ytx, ihuyi, cloud10658, aliyun and tencent (its voice package) have a balance; an
    /// accepted send costs 1.
    pub balances: HashMap<Vendor, u64>,
    /// Where cloud10658 receipts are pushed after each accepted send (the URL a cloud10658
    /// account registers in the vendor's console). No receipts when unset.
    pub cloud10658_receipt_url: Option<String>,
    /// Where Alibaba Cloud `VoiceReport` records are pushed (HTTP 批量推送) after each accepted
    /// send (the callback URL an account sets in the voice service console). None when unset.
    pub aliyun_report_url: Option<String>,
    /// Where Tencent VMS callbacks are pushed after each accepted send (the callback URL a VMS
    /// application registers in the console). No callbacks when unset.
    pub tencent_callback_url: Option<String>,
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
                cloud10658_receipt_url: Some("http://127.0.0.1:9/r".into()),
                aliyun_report_url: Some("http://127.0.0.1:9/a".into()),
                tencent_callback_url: Some("http://127.0.0.1:9/t".into()),
            }
        );
    }

    #[test]
    fn every_key_is_optional() {
        assert_eq!(parse("{}").unwrap(), SimOptions::default());
        assert_eq!(parse(r#"{"port":1}"#).unwrap().port, 1);
    }

    #[test]
    fn unknown_keys_vendors_and_wrong_types_are_refused_by_name() {
        let e = parse(r#"{"prot":1}"#).unwrap_err();
        assert!(e.contains("unknown field `prot`"), "{e}");
        let e = parse(r#"{"balances":{"acme":1}}"#).unwrap_err();
        assert!(e.contains("acme") && e.contains("ytx"), "{e}");
        let e = parse(r#"{"port":70000}"#).unwrap_err();
        assert!(e.contains("70000"), "{e}");
    }
}
