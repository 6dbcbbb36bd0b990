//! voicecode: voice verification codes (语音验证码) through ytx.net, Huawei Cloud VoiceCall,
//! ihuyi, cloud.10658.com.cn, Alibaba Cloud and Tencent Cloud VMS, and SMS codes through Huawei
//! OneAccess — one implementation of each vendor's protocol, with one configuration schema and
//! one error taxonomy.
//!
//! ```no_run
//! use voicecode::{ChannelConfig, Client, SendCode};
//!
//! let client = Client::new(ChannelConfig::from_file("ihuyi.toml")?)?;
//! let receipt = client.send_code(&SendCode::new("+8613800138000", "4821"))?;
//! println!("{} accepted call {}", receipt.vendor, receipt.message_id);
//! # Ok::<(), voicecode::Error>(())
//! ```
//!
//! Layers: [`protocol::Channel`] is the sans-IO protocol layer (requests and answers as plain
//! values, clock and nonce injected); [`Client`] and [`AsyncClient`] send them over HTTP.

pub mod callbacks;
mod client;
pub mod config;
mod error;
pub mod http;
pub mod model;
pub mod phone;
pub mod protocol;
mod recent;
mod router;
mod secret;
pub mod stderr_log;
pub mod vendors;
pub mod verify;

pub use client::{AsyncClient, Client};
pub use config::{ChannelConfig, VendorConfig};
pub use error::{Attempt, Error, ErrorKind, Outcome, Result};
pub use model::{
    Balance, BalanceUnit, Captcha, Receipt, SendCode, SendOptions, SendSmsCode, SmsPurpose,
    VerifyCaptcha,
};
pub use router::{should_fail_over, AsyncRouter, Router};
pub use secret::Secret;
pub use vendors::{Product, Vendor};
pub use verify::{
    AsyncVerifier, Check, Clock, Delivery, StartOptions, SystemClock, Verification, Verifier,
    VerifierConfig,
};
