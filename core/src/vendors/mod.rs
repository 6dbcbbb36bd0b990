//! The protocol layer: one module per vendor, no I/O.
//!
//! Each vendor module owns everything about its vendor: the config struct, the secret's key,
//! the validation rules, the code table, signing, request building, answer parsing and, where
//! the vendor pushes call status, push parsing. The rest of the crate reaches a vendor only
//! through [`Protocol`] and the registry below.
//!
//! [`Channel`] is a validated [`ChannelConfig`] that turns requests into [`HttpRequest`]s and
//! [`HttpResponse`]s into typed results. The async client drives it (the blocking one is a shell
//! over that); anyone with their own HTTP stack can drive it directly.

use std::fmt;
use std::str::FromStr;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::callbacks::{CallEvent, PushAck};
use crate::config::ChannelConfig;
use crate::error::is_server_error;
use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::{Error, ErrorKind, Outcome, Result};

// Declared here rather than by the registry macro, so that rustfmt and other tools see them.
pub mod aliyun;
pub mod cloud10658;
pub mod huawei;
pub mod ihuyi;
pub mod oneaccess;
pub mod tencent;
pub mod ytx;

/// The registry: every vendor once, in the order of the README's table. A new vendor is its
/// module (declared above) plus one entry here (`Variant = "id" => module::Config`), and the
/// simulator's module.
///
/// From the list this generates the public [`Vendor`] and [`VendorConfig`] enums and the one
/// `match` per enum that hands a vendor's [`Protocol`] to the rest of the crate.
macro_rules! registry {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal => $module:ident::$config:ident, )*) => {
        /// The vendors voicecode speaks to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum Vendor {
            $( $(#[$doc])* #[serde(rename = $id)] $variant, )*
        }

        impl Vendor {
            /// Every vendor, in the order of the README's table.
            pub const ALL: [Vendor; [$($id),*].len()] = [$(Vendor::$variant),*];

            /// The id used in configs and by every binding.
            pub fn as_str(self) -> &'static str {
                match self { $(Vendor::$variant => $id,)* }
            }

            /// The vendor's name in prose (package descriptions, the README): "Alibaba Cloud".
            pub fn display_name(self) -> &'static str {
                match self { $(Vendor::$variant => <$module::$config as Protocol>::display_name(),)* }
            }

            /// The config key holding this vendor's credential, if it has one: what must never
            /// be printed, and what the command line also reads from `VOICECODE_<KEY>`.
            pub fn secret_key(self) -> Option<&'static str> {
                match self { $(Vendor::$variant => <$module::$config as Protocol>::secret_key(),)* }
            }

            /// How this vendor's call-status pushes are read, if it sends any.
            pub(crate) fn push_parser(self) -> Option<PushParser> {
                match self { $(Vendor::$variant => <$module::$config as Protocol>::push_parser(),)* }
            }

            /// How this vendor's pushes are acknowledged (meaningful where it sends any).
            pub(crate) fn push_ack(self) -> PushAck {
                match self { $(Vendor::$variant => <$module::$config as Protocol>::push_ack(),)* }
            }
        }

        /// The vendor-specific part of a [`ChannelConfig`], selected by the `vendor` key.
        #[derive(Debug, Clone, PartialEq)]
        pub enum VendorConfig {
            $( $(#[$doc])* $variant($module::$config), )*
        }

        impl VendorConfig {
            /// The vendor this configuration is for.
            pub fn vendor(&self) -> Vendor {
                match self { $(VendorConfig::$variant(_) => Vendor::$variant,)* }
            }

            pub(crate) fn protocol(&self) -> &dyn Protocol {
                match self { $(VendorConfig::$variant(c) => c,)* }
            }

            /// Reads `vendor`'s keys (everything but the shared ones) from `value`.
            pub(crate) fn read(vendor: Vendor, value: Value) -> Result<Self> {
                let config = match vendor {
                    $(Vendor::$variant => VendorConfig::$variant(read_keys(value)?),)*
                };
                Ok(config)
            }
        }

        $(impl VendorOf for $module::$config {
            fn vendor(&self) -> Vendor {
                Vendor::$variant
            }
        })*

        $(impl From<$module::$config> for VendorConfig {
            fn from(config: $module::$config) -> Self {
                VendorConfig::$variant(config)
            }
        })*
    };
}

registry! {
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

/// Reads a call-status push: its headers (for the body's format) and its body.
pub(crate) type PushParser = fn(&[(String, String)], &[u8]) -> Result<Vec<CallEvent>>;

/// Which vendor a config struct is for; the registry implements it.
pub(crate) trait VendorOf {
    fn vendor(&self) -> Vendor;
}

/// What a vendor module implements on its config struct. Operations a vendor lacks keep the
/// default, which refuses them as `invalid_config` before anything is sent.
pub(crate) trait Protocol: VendorOf + fmt::Debug + Send + Sync {
    /// The vendor's name in prose.
    fn display_name() -> &'static str
    where
        Self: Sized;

    /// The config key of the vendor's credential.
    fn secret_key() -> Option<&'static str>
    where
        Self: Sized;

    /// The vendor's push reader, if it pushes call status.
    fn push_parser() -> Option<PushParser>
    where
        Self: Sized,
    {
        None
    }

    /// What a receiver answers to the vendor's pushes: an empty HTTP 200 unless it asks more.
    fn push_ack() -> PushAck
    where
        Self: Sized,
    {
        PushAck::EMPTY
    }

    /// The vendor's own `scheme://host[:port]`, used when the config gives no `base_url`.
    fn default_base_url(&self) -> Result<&'static str>;

    /// Checks the vendor's keys beyond their types.
    fn validate(&self) -> Result<()>;

    /// Builds the voice-code request, or says which field breaks which rule.
    fn send_code(&self, _base: &str, _req: &SendCode, _ctx: &Context) -> Result<HttpRequest> {
        Err(unsupported(self.vendor(), "send_code", ""))
    }

    /// Reads the answer to [`Protocol::send_code`].
    fn parse_send_code(&self, _resp: &HttpResponse) -> Result<Receipt> {
        Err(unsupported(self.vendor(), "send_code", ""))
    }

    /// Builds the balance request.
    fn balance(&self, _base: &str, _ctx: &Context) -> Result<HttpRequest> {
        Err(unsupported(
            self.vendor(),
            "balance",
            "the vendor publishes no balance API",
        ))
    }

    /// Reads the answer to [`Protocol::balance`].
    fn parse_balance(&self, _resp: &HttpResponse) -> Result<Balance> {
        Err(unsupported(self.vendor(), "balance", ""))
    }

    /// OneAccess's captcha and SMS operations, for the vendor that has them.
    fn sms_flow(&self) -> Option<&dyn SmsFlow> {
        None
    }

    /// The codes this vendor can speak, or `None` when it places no voice-code calls. No
    /// default: a new vendor must say, because the verifier generates codes that every channel
    /// of a router accepts.
    fn code_rule(&self) -> Option<CodeRule>;
}

/// Which characters a verification code may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CodeAlphabet {
    /// ASCII digits only.
    Digits,
    /// ASCII letters and digits.
    Alphanumeric,
}

/// The codes a vendor accepts: `min_len..=max_len` characters of `alphabet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeRule {
    pub(crate) min_len: usize,
    pub(crate) max_len: usize,
    pub(crate) alphabet: CodeAlphabet,
}

impl CodeRule {
    /// `min..=max` ASCII digits.
    pub(crate) const fn digits(min_len: usize, max_len: usize) -> Self {
        CodeRule {
            min_len,
            max_len,
            alphabet: CodeAlphabet::Digits,
        }
    }

    /// The codes both rules accept, or `None` when no code satisfies both.
    pub(crate) fn intersect(self, other: CodeRule) -> Option<CodeRule> {
        let alphabet =
            if self.alphabet == CodeAlphabet::Digits || other.alphabet == CodeAlphabet::Digits {
                CodeAlphabet::Digits
            } else {
                CodeAlphabet::Alphanumeric
            };
        let rule = CodeRule {
            min_len: self.min_len.max(other.min_len),
            max_len: self.max_len.min(other.max_len),
            alphabet,
        };
        (rule.min_len <= rule.max_len).then_some(rule)
    }

    /// The rule in words, for error messages: "2 to 8 digits".
    pub(crate) fn describe(&self) -> String {
        let what = match self.alphabet {
            CodeAlphabet::Digits => "digits",
            CodeAlphabet::Alphanumeric => "letters or digits",
        };
        format!("{} to {} {what}", self.min_len, self.max_len)
    }

    /// Whether `code` follows the rule.
    pub(crate) fn accepts(&self, code: &str) -> bool {
        let alphabet_ok = match self.alphabet {
            CodeAlphabet::Digits => code.bytes().all(|b| b.is_ascii_digit()),
            CodeAlphabet::Alphanumeric => code.bytes().all(|b| b.is_ascii_alphanumeric()),
        };
        (self.min_len..=self.max_len).contains(&code.len()) && alphabet_ok
    }

    /// Checks the `code` field of a request. The message quotes the code: this runs before a
    /// send, on the caller's own input (the verifier checks its codes without quoting them).
    pub(crate) fn check(&self, code: &str) -> Result<()> {
        if !self.accepts(code) {
            return Err(Error::invalid_input(
                "code",
                format!("{code:?} must be {}", self.describe()),
            ));
        }
        Ok(())
    }
}

/// Captcha, then verified captcha, then SMS code: the OneAccess flow.
pub(crate) trait SmsFlow {
    fn captcha(&self, base: &str) -> HttpRequest;
    fn parse_captcha(&self, resp: &HttpResponse) -> Result<Captcha>;
    fn verify_captcha(&self, base: &str, req: &VerifyCaptcha) -> Result<HttpRequest>;
    fn parse_verify_captcha(&self, resp: &HttpResponse) -> Result<String>;
    fn send_sms_code(&self, base: &str, req: &SendSmsCode) -> Result<HttpRequest>;
    fn parse_send_sms_code(&self, resp: &HttpResponse) -> Result<()>;
}

fn unsupported(vendor: Vendor, operation: &str, hint: &str) -> Error {
    let mut rule = format!("{vendor} has no {operation} operation");
    if !hint.is_empty() {
        rule.push_str("; ");
        rule.push_str(hint);
    }
    Error::invalid_config("vendor", rule).with_vendor(vendor)
}

fn read_keys<T: DeserializeOwned>(value: Value) -> Result<T> {
    crate::model::deserialize_named(value, "config")
        .map_err(|(field, rule)| Error::invalid_config(&field, rule))
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
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

/// A vendor named in a configuration; an unknown name is `invalid_config` on `vendor`.
impl FromStr for Vendor {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Vendor::find(s).ok_or_else(|| Error::invalid_config("vendor", Vendor::unknown(s)))
    }
}

/// A validated channel configuration: builds requests and reads answers, without I/O.
#[derive(Debug, Clone)]
pub struct Channel {
    config: ChannelConfig,
    base_url: String,
}

impl Channel {
    /// Validates `config`; every later request is checked against the vendor's rules too.
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let protocol = config.vendor.protocol();
        let vendor = protocol.vendor();
        let base_url = match &config.base_url {
            Some(url) => parse_base_url(url)?,
            None => protocol
                .default_base_url()
                .map_err(|e| e.with_vendor(vendor))?
                .to_owned(),
        };
        protocol.validate().map_err(|e| e.with_vendor(vendor))?;
        Ok(Channel { config, base_url })
    }

    fn protocol(&self) -> &dyn Protocol {
        self.config.vendor.protocol()
    }

    /// The vendor behind this channel.
    pub fn vendor(&self) -> Vendor {
        self.config.vendor.vendor()
    }

    /// `scheme://host[:port]` that requests go to: the vendor's host or the configured `base_url`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The configuration this channel was built from.
    pub fn config(&self) -> &ChannelConfig {
        &self.config
    }

    /// The codes this vendor speaks, or `None` when it places no voice-code calls.
    pub(crate) fn code_rule(&self) -> Option<CodeRule> {
        self.protocol().code_rule()
    }

    /// Checks a send against this vendor's rules without building a request.
    pub fn check_send_code(&self, req: &SendCode) -> Result<()> {
        self.send_code_request(req, &Context::fixed()).map(drop)
    }

    /// Builds the voice-code request, or says which field breaks which rule.
    pub fn send_code_request(&self, req: &SendCode, ctx: &Context) -> Result<HttpRequest> {
        self.protocol()
            .send_code(&self.base_url, req, ctx)
            .map_err(|e| e.with_vendor(self.vendor()))
    }

    /// Reads the answer to [`Channel::send_code_request`].
    pub fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        self.read(resp, self.protocol().parse_send_code(resp))
    }

    /// Builds the balance request, for vendors that have one.
    pub fn balance_request(&self, ctx: &Context) -> Result<HttpRequest> {
        self.protocol().balance(&self.base_url, ctx)
    }

    /// Reads the answer to [`Channel::balance_request`].
    pub fn parse_balance(&self, resp: &HttpResponse) -> Result<Balance> {
        self.read(resp, self.protocol().parse_balance(resp))
    }

    /// OneAccess: builds the request for a new slider captcha.
    pub fn captcha_request(&self) -> Result<HttpRequest> {
        Ok(self.sms_flow("captcha")?.captcha(&self.base_url))
    }

    /// OneAccess: reads a captcha.
    pub fn parse_captcha(&self, resp: &HttpResponse) -> Result<Captcha> {
        self.read(resp, self.sms_flow("captcha")?.parse_captcha(resp))
    }

    /// OneAccess: builds the request that checks the user's slider position.
    pub fn verify_captcha_request(&self, req: &VerifyCaptcha) -> Result<HttpRequest> {
        self.sms_flow("verify_captcha")?
            .verify_captcha(&self.base_url, req)
            .map_err(|e| e.with_vendor(self.vendor()))
    }

    /// OneAccess: reads the `captcha_token` that authorises one SMS.
    pub fn parse_verify_captcha(&self, resp: &HttpResponse) -> Result<String> {
        self.read(
            resp,
            self.sms_flow("verify_captcha")?.parse_verify_captcha(resp),
        )
    }

    /// OneAccess: builds the SMS code request.
    pub fn send_sms_code_request(&self, req: &SendSmsCode) -> Result<HttpRequest> {
        self.sms_flow("send_sms_code")?
            .send_sms_code(&self.base_url, req)
            .map_err(|e| e.with_vendor(self.vendor()))
    }

    /// OneAccess: reads the (empty) answer to an SMS code request.
    pub fn parse_send_sms_code(&self, resp: &HttpResponse) -> Result<()> {
        self.read(
            resp,
            self.sms_flow("send_sms_code")?.parse_send_sms_code(resp),
        )
    }

    /// What every vendor's answer means under an HTTP 5xx, whatever the vendor module read in
    /// it: never a success (ytx, ihuyi and cloud10658 read only their body), and never a
    /// refusal (`Error::answered` makes their codes `Unknown`).
    fn read<T>(&self, resp: &HttpResponse, parsed: Result<T>) -> Result<T> {
        match parsed {
            Ok(_) if is_server_error(resp.status) => Err(Error::protocol(
                self.vendor(),
                resp.status,
                "a success answer with a server error status",
            )),
            other => other,
        }
    }

    fn sms_flow(&self, operation: &str) -> Result<&dyn SmsFlow> {
        self.protocol().sms_flow().ok_or_else(|| {
            unsupported(self.vendor(), operation, "only the oneaccess vendor has it")
        })
    }
}

impl Context {
    /// A fixed context for checks that build a request only to validate it.
    fn fixed() -> Self {
        Context {
            now: chrono::DateTime::UNIX_EPOCH,
            nonce: "0".repeat(32),
        }
    }
}

/// `scheme://host[:port]`, nothing else: the vendor's paths are appended to it.
fn parse_base_url(input: &str) -> Result<String> {
    const FORM: &str = "scheme://host[:port] with scheme http or https, e.g. http://127.0.0.1:8080";
    let url = url::Url::parse(input);
    // A URL with user info may carry a password: it is never quoted back.
    let has_userinfo = url.as_ref().map_or(input.contains('@'), |u| {
        !u.username().is_empty() || u.password().is_some()
    });
    let shown = if has_userinfo {
        "the URL".to_owned()
    } else {
        format!("{input:?}")
    };
    let refuse = |problem: &str| {
        Error::invalid_config("base_url", format!("{shown} {problem}: must be {FORM}"))
    };
    let url = url.map_err(|e| refuse(&format!("is not a URL ({e})")))?;
    // The url crate reads `http://host:` as the scheme's default port; a port left empty is
    // more likely a template that was not filled in, so it is refused rather than dialled on 80.
    let authority = input.split_once("://").map_or("", |(_, rest)| {
        rest.split(['/', '?', '#']).next().unwrap_or_default()
    });
    let problem = if !matches!(url.scheme(), "http" | "https") {
        Some("has a scheme other than http or https")
    } else if url.host_str().is_none_or(str::is_empty) {
        Some("has no host")
    } else if authority.ends_with(':') {
        Some("has an empty port")
    } else if has_userinfo {
        Some("carries a user name or password")
    } else if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        Some("has a path, query or fragment")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(refuse(problem)),
        None => Ok(input.trim_end_matches('/').to_owned()),
    }
}

/// Reads a JSON body; anything else means the answer cannot be trusted either way.
pub(crate) fn json_body<T: DeserializeOwned>(vendor: Vendor, resp: &HttpResponse) -> Result<T> {
    let text = utf8_body(vendor, resp)?;
    serde_json::from_str(text).map_err(|e| {
        Error::protocol(
            vendor,
            resp.status,
            format!("expected JSON ({e}), got {}", preview(text)),
        )
    })
}

pub(crate) fn utf8_body(vendor: Vendor, resp: &HttpResponse) -> Result<&str> {
    std::str::from_utf8(&resp.body)
        .map_err(|_| Error::protocol(vendor, resp.status, "the body is not UTF-8"))
}

/// The start of an unexpected body, for error messages.
pub(crate) fn preview(text: &str) -> String {
    const MAX: usize = 80;
    let mut end = text.len().min(MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let ellipsis = if end < text.len() { "…" } else { "" };
    format!("{:?}{ellipsis}", &text[..end])
}

/// What a vendor's code means: what went wrong, and whether the vendor's words say that no call
/// was placed (`Refused`) or leave it open (`Unknown`: a server-side error, an upstream timeout,
/// "try again later"). Every code table carries both, one row per code, so that each row can be
/// read against the vendor's document; `Error::answered` adds the rule that holds whatever the
/// table says: an HTTP 5xx is `Unknown`.
pub type Meaning = (ErrorKind, Outcome);

/// A code missing from the vendor's documents: the vendor answered with an error of its own.
pub(crate) const UNDOCUMENTED: Meaning = (ErrorKind::VendorError, Outcome::Refused);

/// Looks a vendor code up in a vendor's table; codes missing from the documents are
/// [`UNDOCUMENTED`].
pub(crate) fn classify(table: &[(&str, ErrorKind, Outcome)], code: &str) -> Meaning {
    table
        .iter()
        .find(|(c, ..)| *c == code)
        .map_or(UNDOCUMENTED, |&(_, kind, outcome)| (kind, outcome))
}

/// A JSON value the vendors send as a string or a number, as text.
pub(crate) fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Checks a config string that is sent in a URL or header: visible ASCII only.
pub(crate) fn check_header_safe(field: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid_config(field, "is required"));
    }
    if !value
        .bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"')
    {
        return Err(Error::invalid_config(
            field,
            "must be printable ASCII without quotes (it is sent in an HTTP header)",
        ));
    }
    Ok(())
}

/// Refuses request fields a vendor has no place for, instead of silently dropping them.
pub(crate) fn refuse_unsupported(vendor: &str, req: &SendCode, supported: &[&str]) -> Result<()> {
    let given = [
        ("play_times", req.play_times.is_some()),
        ("user_data", req.user_data.is_some()),
        ("status_url", req.status_url.is_some()),
        ("fee_url", req.fee_url.is_some()),
        ("pre_tone", req.pre_tone.is_some()),
        ("pos_tone", req.pos_tone.is_some()),
        ("return_idle_port", req.return_idle_port.is_some()),
    ];
    for (field, present) in given {
        if present && !supported.contains(&field) {
            return Err(Error::invalid_input(
                field,
                format!("{vendor} has no such option; leave it unset for this vendor"),
            ));
        }
    }
    Ok(())
}
