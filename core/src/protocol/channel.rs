//! [`Channel`]: a validated [`ChannelConfig`] that turns requests into [`HttpRequest`]s and
//! [`HttpResponse`]s into typed results, through the vendor's [`Protocol`]. The async client
//! drives it (the blocking one is a shell over that); anyone with their own HTTP stack can
//! drive it directly.

use super::checks::CodeRule;
use std::sync::Arc;

use super::vendor::{unsupported, CodeSender, ParsedSend, Protocol, Signer, SmsFlow};
use crate::config::ChannelConfig;
use crate::error::is_server_error;
use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::{Error, Product, Result, Vendor};

/// A validated channel configuration: builds requests and reads answers, without I/O.
#[derive(Clone)]
pub struct Channel {
    config: ChannelConfig,
    base_url: String,
    /// The vendor's sends, worked out once; or why the vendor has none.
    sender: Result<Arc<dyn CodeSender>>,
}

/// The config (its secret redacted) and the URL; the sender is derived from them and holds
/// keyed hash states.
impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Channel")
            .field("config", &self.config)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
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
        let sender = protocol
            .code_sender(&base_url)
            .map_err(|e| e.with_vendor(vendor));
        Ok(Channel {
            config,
            base_url,
            sender,
        })
    }

    fn protocol(&self) -> &dyn Protocol {
        self.config.vendor.protocol()
    }

    /// The vendor behind this channel.
    pub fn vendor(&self) -> Vendor {
        self.config.vendor.vendor()
    }

    /// What this channel sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.config.vendor.product()
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

    /// Checks a send against this vendor's rules, without building a request.
    pub fn check_send_code(&self, req: &SendCode) -> Result<()> {
        self.prepare_send_code(req).map(drop)
    }

    /// Checks a send against this vendor's rules, or says which field breaks which rule; the
    /// result signs the request as often as it is sent ([`PreparedSend::request`]), or once
    /// ([`PreparedSend::into_request`]).
    pub fn prepare_send_code(&self, req: &SendCode) -> Result<PreparedSend> {
        let send = ParsedSend::parse(req).map_err(|e| e.with_vendor(self.vendor()))?;
        self.prepare(&send)
    }

    /// As [`Channel::prepare_send_code`], for a number a router parsed once for every channel.
    pub(crate) fn prepare(&self, send: &ParsedSend) -> Result<PreparedSend> {
        let sender = self.sender.clone()?;
        let sign = sender
            .prepare(send)
            .map_err(|e| e.with_vendor(self.vendor()))?;
        Ok(PreparedSend { sign })
    }

    /// Checks, builds and signs the voice-code request.
    pub fn send_code_request(&self, req: &SendCode, ctx: &Context) -> Result<HttpRequest> {
        Ok(self.prepare_send_code(req)?.into_request(ctx))
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

/// A send checked against one channel's vendor: its number parsed, its code and options
/// accepted. Only the signature is left, which needs the time and a nonce.
pub struct PreparedSend {
    sign: Signer,
}

impl PreparedSend {
    /// The request, signed at `ctx`'s time with its nonce; the send can be signed again.
    pub fn request(&self, ctx: &Context) -> HttpRequest {
        self.sign.sign(ctx)
    }

    /// The request, signed at `ctx`'s time with its nonce, for a send signed only once: the
    /// body is moved into it where [`PreparedSend::request`] copies it.
    pub fn into_request(self, ctx: &Context) -> HttpRequest {
        self.sign.sign_last(ctx)
    }
}

impl std::fmt::Debug for PreparedSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreparedSend")
    }
}

#[cfg(test)]
impl Context {
    /// A fixed context for tests.
    pub(crate) fn fixed() -> Self {
        Context {
            now: chrono::DateTime::UNIX_EPOCH,
            nonce: "0".repeat(32).into(),
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
