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
    Balance, BalanceUnit, Captcha, Receipt, SendCode, SendSmsCode, SmsPurpose, VerifyCaptcha,
};
pub use router::{should_fail_over, AsyncRouter, Router};
pub use secret::Secret;
pub use vendors::Vendor;
pub use verify::{
    AsyncVerifier, Check, Clock, Delivery, StartOptions, SystemClock, Verification, Verifier,
    VerifierConfig,
};

/// The sans-IO protocol layer, for callers that bring their own HTTP stack.
pub mod protocol {
    pub use crate::http::{Context, HttpRequest, HttpResponse, Method};
    pub use crate::vendors::Channel;

    /// Signing primitives, exposed for servers that check them (the simulator) and for
    /// cross-checks against other implementations.
    pub mod signing {
        pub use crate::vendors::aliyun::{
            canonicalized_query as aliyun_canonicalized_query,
            percent_encode as aliyun_percent_encode, signature as aliyun_signature,
            string_to_sign as aliyun_string_to_sign, timestamp as aliyun_timestamp,
        };
        pub use crate::vendors::huawei::{
            created as huawei_created, password_digest, push_digest, x_aksk as huawei_x_aksk,
        };
        pub use crate::vendors::ihuyi::{
            balance_password as ihuyi_balance_password, submit_password as ihuyi_submit_password,
        };
        pub use crate::vendors::tencent::Tc3Request;
        pub use crate::vendors::ytx::{
            authorization as ytx_authorization, sign as ytx_sign, timestamp as ytx_timestamp,
        };
    }

    /// Each vendor's documented result codes with the [`ErrorKind`](crate::ErrorKind) and the
    /// [`Outcome`](crate::Outcome) they map to (`Unknown` where the code leaves the call's fate
    /// open; an HTTP 5xx is `Unknown` under any code).
    pub mod codes {
        pub use crate::vendors::aliyun::CODES as ALIYUN;
        pub use crate::vendors::cloud10658::MESSAGES as CLOUD10658;
        pub use crate::vendors::huawei::CODES as HUAWEI;
        pub use crate::vendors::ihuyi::CODES as IHUYI;
        pub use crate::vendors::oneaccess::CODES as ONEACCESS;
        pub use crate::vendors::tencent::CODES as TENCENT;
        pub use crate::vendors::ytx::CODES as YTX;
    }
}
