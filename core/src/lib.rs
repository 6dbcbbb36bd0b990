//! voicecode: voice verification codes (语音验证码) through ytx.net, Huawei Cloud VoiceCall,
//! ihuyi and cloud.10658.com.cn, and SMS codes through Huawei OneAccess — one implementation of
//! each vendor's protocol, with one configuration schema and one error taxonomy.
//!
//! ```no_run
//! use voicecode::{Client, ChannelConfig, SendCode};
//!
//! let config = ChannelConfig::from_json(r#"{
//!     "vendor": "ihuyi", "account": "VM12345678", "api_key": "0123456789abcdef"
//! }"#)?;
//! let client = Client::new(config)?;
//! let receipt = client.send_code(&SendCode::new("+8613800138000", "4821"))?;
//! println!("call {} accepted by {}", receipt.message_id, receipt.vendor);
//! # Ok::<(), voicecode::Error>(())
//! ```
//!
//! Layers: [`protocol::Channel`] is the sans-IO protocol layer (requests and answers as plain
//! values, clock and nonce injected); [`Client`] and [`AsyncClient`] send them over HTTP.

mod client;
pub mod config;
mod error;
pub mod http;
pub mod model;
pub mod phone;
mod secret;
mod vendor;
mod vendors;

pub use client::{AsyncClient, Client};
pub use config::{ChannelConfig, VendorConfig};
pub use error::{Error, ErrorKind, Outcome, Result};
pub use model::{Balance, BalanceUnit, Captcha, Receipt, SendCode, SendSmsCode, SmsPurpose, VerifyCaptcha};
pub use secret::Secret;
pub use vendor::Vendor;

/// The sans-IO protocol layer, for callers that bring their own HTTP stack.
pub mod protocol {
    pub use crate::http::{Context, HttpRequest, HttpResponse, Method};
    pub use crate::vendors::Channel;

    /// Signing primitives, exposed for call-status verification and for cross-checks.
    pub mod signing {
        pub use crate::vendors::huawei::{password_digest, push_digest};
    }
}
