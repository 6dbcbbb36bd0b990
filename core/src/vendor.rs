use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The vendors voicecode speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vendor {
    /// ytx.net 云通信.
    Ytx,
    /// Huawei Cloud VoiceCall (语音通话).
    Huawei,
    /// ihuyi 互亿无线.
    Ihuyi,
    /// cloud.10658.com.cn.
    Cloud10658,
    /// Huawei OneAccess (slider captcha + SMS code).
    Oneaccess,
}

impl Vendor {
    /// Every vendor, in the order of the README's table.
    pub const ALL: [Vendor; 5] = [
        Vendor::Ytx,
        Vendor::Huawei,
        Vendor::Ihuyi,
        Vendor::Cloud10658,
        Vendor::Oneaccess,
    ];

    /// The config key holding this vendor's credential, if it has one: what must never be
    /// printed, and what the command line also reads from `VOICECODE_<KEY>`.
    pub fn secret_key(self) -> Option<&'static str> {
        match self {
            Vendor::Ytx => Some("auth_token"),
            Vendor::Huawei => Some("app_secret"),
            Vendor::Ihuyi => Some("api_key"),
            Vendor::Cloud10658 => Some("app_key"),
            Vendor::Oneaccess => None,
        }
    }

    /// The id used in configs and by every binding.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Ytx => "ytx",
            Vendor::Huawei => "huawei",
            Vendor::Ihuyi => "ihuyi",
            Vendor::Cloud10658 => "cloud10658",
            Vendor::Oneaccess => "oneaccess",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Vendor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                Error::invalid_config(
                    "vendor",
                    format!("unknown vendor {s:?}; expected one of ytx, huawei, ihuyi, cloud10658, oneaccess"),
                )
            })
    }
}
