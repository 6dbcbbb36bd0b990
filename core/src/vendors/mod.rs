//! The vendors: one module each, and the registry that names them all.
//!
//! Each vendor module owns everything about its vendor: the config struct, the secret's key,
//! the validation rules, the code table, signing, request building, answer parsing and, where
//! the vendor pushes call status, push parsing. It implements the protocol layer's `Protocol`
//! trait, and the rest of the crate reaches a vendor only through that trait and the registry.

use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::protocol::vendor::{Protocol, PushAck, PushParser, VendorFacts, VendorOf};
use crate::{Error, Result};

/// The registry: every vendor once, in the order of the README's table, then the vendors' SMS
/// products. A new vendor is its module (declared below) plus one entry under `voice`
/// (`Variant = "id" => module::Config`), and the simulator's module; a vendor's SMS product is
/// a module inside the vendor's and one entry under `sms` (`Variant = Vendor => module::sms::Config`).
///
/// The list is handed to a macro, twice: `id` makes the public [`Vendor`] enum from the voice
/// ids alone (errors, results and events name vendors, so it sits below every module), and
/// `configs` below makes [`VendorConfig`] and the one `match` per enum that hands a product's
/// `Protocol` to the rest of the crate.
macro_rules! registry {
    ($then:ident) => {
        $then! {
            voice {
                /// ytx.net 云通信.
                Ytx = "ytx" => ytx::YtxConfig,
                /// Huawei Cloud VoiceCall (语音通话).
                Huawei = "huawei" => huawei::HuaweiConfig,
                /// ihuyi 互亿无线.
                Ihuyi = "ihuyi" => ihuyi::IhuyiConfig,
                /// cloud.10658.com.cn.
                Cloud10658 = "cloud10658" => cloud10658::Cloud10658Config,
                /// Huawei OneAccess (slider captcha + SMS code).
                Oneaccess = "oneaccess" => oneaccess::OneAccessConfig,
                /// Alibaba Cloud voice service (语音服务, dyvmsapi).
                Aliyun = "aliyun" => aliyun::AliyunConfig,
                /// Tencent Cloud VMS (语音消息).
                Tencent = "tencent" => tencent::TencentConfig,
            }
            sms {
                /// Alibaba Cloud SMS (短信服务, dysmsapi).
                AliyunSms = Aliyun => aliyun::sms::AliyunSmsConfig,
                /// Tencent Cloud SMS (短信).
                TencentSms = Tencent => tencent::sms::TencentSmsConfig,
                /// ihuyi 互亿无线 SMS (验证码短信).
                IhuyiSms = Ihuyi => ihuyi::sms::IhuyiSmsConfig,
                /// Huawei Cloud SMS (消息&短信, MSGSMS).
                HuaweiSms = Huawei => huawei::sms::HuaweiSmsConfig,
            }
        }
    };
}

mod id;
pub use self::id::{Product, Vendor};

// Declared here rather than by the registry macro, so that rustfmt and other tools see them.
pub mod aliyun;
pub mod cloud10658;
pub mod huawei;
pub mod ihuyi;
pub mod oneaccess;
pub mod tencent;
pub mod ytx;

/// Makes [`VendorConfig`] and the registry's dispatch from the list.
macro_rules! configs {
    (
        voice { $( $(#[$doc:meta])* $variant:ident = $id:literal => $module:ident::$config:ident, )* }
        sms { $(
            $(#[$sms_doc:meta])*
            $sms:ident = $sms_vendor:ident => $sms_module:ident::$sms_sub:ident::$sms_config:ident,
        )* }
    ) => {
        impl Vendor {
            /// The vendor's name in prose (package descriptions, the README): "Alibaba Cloud".
            pub fn display_name(self) -> &'static str {
                match self { $(Vendor::$variant => <$module::$config as VendorFacts>::DISPLAY_NAME,)* }
            }

            /// The config key holding this vendor's credential, if it has one: what must never
            /// be printed, and what the command line also reads from `VOICECODE_<KEY>`. Every
            /// product of a vendor names it alike.
            pub fn secret_key(self) -> Option<&'static str> {
                match self { $(Vendor::$variant => <$module::$config as VendorFacts>::SECRET_KEY,)* }
            }

            /// How this vendor's call-status pushes are read and acknowledged, if it sends any.
            pub(crate) fn push(self) -> Option<(PushParser, PushAck)> {
                match self { $(Vendor::$variant => <$module::$config as VendorFacts>::PUSH,)* }
            }

            /// What a channel of this vendor can send: voice for every vendor, SMS for those
            /// with an SMS product.
            pub fn products(self) -> &'static [Product] {
                match self {
                    $(Vendor::$sms_vendor => &[Product::Voice, Product::Sms],)*
                    _ => &[Product::Voice],
                }
            }
        }

        /// The vendor-specific part of a [`ChannelConfig`](crate::ChannelConfig), selected by
        /// the `vendor` and `product` keys.
        #[derive(Debug, Clone, PartialEq)]
        pub enum VendorConfig {
            $( $(#[$doc])* $variant($module::$config), )*
            $( $(#[$sms_doc])* $sms($sms_module::$sms_sub::$sms_config), )*
        }

        impl VendorConfig {
            /// The vendor this configuration is for.
            pub fn vendor(&self) -> Vendor {
                match self {
                    $(VendorConfig::$variant(_) => Vendor::$variant,)*
                    $(VendorConfig::$sms(_) => Vendor::$sms_vendor,)*
                }
            }

            /// What this configuration's channel sends.
            pub fn product(&self) -> Product {
                match self {
                    $(VendorConfig::$variant(_) => Product::Voice,)*
                    $(VendorConfig::$sms(_) => Product::Sms,)*
                }
            }

            pub(crate) fn protocol(&self) -> &dyn Protocol {
                match self {
                    $(VendorConfig::$variant(c) => c,)*
                    $(VendorConfig::$sms(c) => c,)*
                }
            }

            /// Reads the keys of `vendor`'s `product` (everything but the shared ones) from
            /// `value`.
            pub(crate) fn read(vendor: Vendor, product: Product, value: Value) -> Result<Self> {
                let config = match (vendor, product) {
                    $((Vendor::$variant, Product::Voice) => VendorConfig::$variant(read_keys(value)?),)*
                    $((Vendor::$sms_vendor, Product::Sms) => VendorConfig::$sms(read_keys(value)?),)*
                    (vendor, product) => return Err(no_such_product(vendor, product)),
                };
                Ok(config)
            }
        }

        $(impl VendorOf for $module::$config {
            fn vendor(&self) -> Vendor {
                Vendor::$variant
            }
        })*

        $(impl VendorOf for $sms_module::$sms_sub::$sms_config {
            fn vendor(&self) -> Vendor {
                Vendor::$sms_vendor
            }
        })*

        $(impl From<$module::$config> for VendorConfig {
            fn from(config: $module::$config) -> Self {
                VendorConfig::$variant(config)
            }
        })*

        $(impl From<$sms_module::$sms_sub::$sms_config> for VendorConfig {
            fn from(config: $sms_module::$sms_sub::$sms_config) -> Self {
                VendorConfig::$sms(config)
            }
        })*
    };
}

registry!(configs);

fn no_such_product(vendor: Vendor, product: Product) -> Error {
    let offered: Vec<&str> = Vendor::ALL
        .into_iter()
        .filter(|v| v.products().contains(&product))
        .map(Vendor::as_str)
        .collect();
    Error::invalid_config(
        "product",
        format!(
            "{vendor} has no {product} product in voicecode; {product} goes through {}",
            offered.join(", ")
        ),
    )
}

fn read_keys<T: DeserializeOwned>(value: Value) -> Result<T> {
    crate::model::deserialize_named(value, "config")
        .map_err(|(field, rule)| Error::invalid_config(&field, rule))
}

impl Vendor {
    /// The vendor a call's argument names (the sender of a push, a simulator's vendor): as
    /// [`FromStr`], but an unknown name is `invalid_input` rather than `invalid_config`.
    pub fn from_arg(name: &str) -> Result<Vendor> {
        Vendor::find(name).ok_or_else(|| Error::invalid_input("vendor", Vendor::unknown(name)))
    }

    fn find(name: &str) -> Option<Vendor> {
        Vendor::ALL.into_iter().find(|v| v.as_str() == name)
    }

    fn unknown(name: &str) -> String {
        let ids: Vec<&str> = Vendor::ALL.iter().map(|v| v.as_str()).collect();
        format!(
            "unknown vendor {name:?}; expected one of {}",
            ids.join(", ")
        )
    }
}

impl Product {
    /// The product a call's argument names (`voice` or `sms`); anything else is
    /// `invalid_input` on `product`.
    pub fn from_arg(name: &str) -> Result<Product> {
        Product::named("product", name, Error::invalid_input)
    }

    /// The channel a start's argument names (`sms` or `voice`): as [`Product::from_arg`], the
    /// error naming `channel`.
    pub fn from_channel_arg(name: &str) -> Result<Product> {
        Product::named("channel", name, Error::invalid_input)
    }

    fn named(field: &str, name: &str, error: fn(&str, String) -> Error) -> Result<Product> {
        Product::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| {
                error(
                    field,
                    format!("unknown {field} {name:?}; expected voice or sms"),
                )
            })
    }
}

/// A product named in a configuration; an unknown name is `invalid_config` on `product`.
impl FromStr for Product {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Product::named("product", s, Error::invalid_config)
    }
}

/// A vendor named in a configuration; an unknown name is `invalid_config` on `vendor`.
impl FromStr for Vendor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Vendor::find(s).ok_or_else(|| Error::invalid_config("vendor", Vendor::unknown(s)))
    }
}
