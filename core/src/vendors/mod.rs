//! The protocol layer: one module per vendor, no I/O.
//!
//! [`Channel`] is a validated [`ChannelConfig`] that turns requests into [`HttpRequest`]s and
//! [`HttpResponse`]s into typed results. The blocking and async clients are thin shells around
//! it; anyone with their own HTTP stack can drive it directly.

pub mod cloud10658;
pub mod huawei;
pub mod ihuyi;
pub mod oneaccess;
pub mod ytx;

use serde::de::DeserializeOwned;

use crate::config::{ChannelConfig, VendorConfig};
use crate::http::{Context, HttpRequest, HttpResponse};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::{Error, ErrorKind, Result, Vendor};

/// A validated channel configuration: builds requests and reads answers, without I/O.
#[derive(Debug, Clone)]
pub struct Channel {
    config: ChannelConfig,
    base_url: String,
}

impl Channel {
    /// Validates `config`; every later request is checked against the vendor's rules too.
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let vendor = config.vendor.vendor();
        let base_url = match &config.base_url {
            Some(url) => parse_base_url(url)?,
            None => match &config.vendor {
                VendorConfig::Ytx(c) => ytx::default_base_url(c).to_owned(),
                VendorConfig::Huawei(_) => huawei::PRODUCTION.to_owned(),
                VendorConfig::Ihuyi(_) => ihuyi::PRODUCTION.to_owned(),
                VendorConfig::Cloud10658(_) => cloud10658::PRODUCTION.to_owned(),
                VendorConfig::Oneaccess(_) => {
                    return Err(Error::invalid_config(
                        "base_url",
                        "is required for oneaccess: the tenant's domain, e.g. https://example.huaweioneaccess.com",
                    )
                    .with_vendor(vendor))
                }
            },
        };
        match &config.vendor {
            VendorConfig::Ytx(c) => ytx::validate_config(c),
            VendorConfig::Huawei(c) => huawei::validate_config(c),
            VendorConfig::Ihuyi(c) => ihuyi::validate_config(c),
            VendorConfig::Cloud10658(c) => cloud10658::validate_config(c),
            VendorConfig::Oneaccess(c) => oneaccess::validate_config(c),
        }
        .map_err(|e| e.with_vendor(vendor))?;
        Ok(Channel { config, base_url })
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

    /// Checks a send against this vendor's rules without building a request.
    pub fn check_send_code(&self, req: &SendCode) -> Result<()> {
        self.send_code_request(req, &Context::fixed()).map(drop)
    }

    /// Builds the voice-code request, or says which field breaks which rule.
    pub fn send_code_request(&self, req: &SendCode, ctx: &Context) -> Result<HttpRequest> {
        let base = &self.base_url;
        match &self.config.vendor {
            VendorConfig::Ytx(c) => ytx::send_code(c, base, req, ctx),
            VendorConfig::Huawei(c) => huawei::send_code(c, base, req, ctx),
            VendorConfig::Ihuyi(c) => ihuyi::send_code(c, base, req, ctx),
            VendorConfig::Cloud10658(c) => cloud10658::send_code(c, base, req),
            VendorConfig::Oneaccess(_) => Err(self.unsupported(
                "send_code",
                "OneAccess sends SMS codes: captcha, then verify_captcha, then send_sms_code",
            )),
        }
        .map_err(|e| e.with_vendor(self.vendor()))
    }

    /// Reads the answer to [`Channel::send_code_request`].
    pub fn parse_send_code(&self, resp: &HttpResponse) -> Result<Receipt> {
        match self.vendor() {
            Vendor::Ytx => ytx::parse_send_code(resp),
            Vendor::Huawei => huawei::parse_send_code(resp),
            Vendor::Ihuyi => ihuyi::parse_send_code(resp),
            Vendor::Cloud10658 => cloud10658::parse_send_code(resp),
            Vendor::Oneaccess => Err(self.unsupported("send_code", "")),
        }
    }

    /// Builds the balance request, for vendors that have one.
    pub fn balance_request(&self, ctx: &Context) -> Result<HttpRequest> {
        let base = &self.base_url;
        match &self.config.vendor {
            VendorConfig::Ytx(c) => Ok(ytx::balance(c, base, ctx)),
            VendorConfig::Ihuyi(c) => Ok(ihuyi::balance(c, base, ctx)),
            VendorConfig::Cloud10658(c) => Ok(cloud10658::balance(c, base)),
            VendorConfig::Huawei(_) | VendorConfig::Oneaccess(_) => {
                Err(self.unsupported("balance", "the vendor publishes no balance API"))
            }
        }
    }

    /// Reads the answer to [`Channel::balance_request`].
    pub fn parse_balance(&self, resp: &HttpResponse) -> Result<Balance> {
        match self.vendor() {
            Vendor::Ytx => ytx::parse_balance(resp),
            Vendor::Ihuyi => ihuyi::parse_balance(resp),
            Vendor::Cloud10658 => cloud10658::parse_balance(resp),
            Vendor::Huawei | Vendor::Oneaccess => Err(self.unsupported("balance", "")),
        }
    }

    /// OneAccess: builds the request for a new slider captcha.
    pub fn captcha_request(&self) -> Result<HttpRequest> {
        Ok(oneaccess::captcha(
            self.oneaccess("captcha")?,
            &self.base_url,
        ))
    }

    /// OneAccess: reads a captcha.
    pub fn parse_captcha(&self, resp: &HttpResponse) -> Result<Captcha> {
        self.oneaccess("captcha")?;
        oneaccess::parse_captcha(resp)
    }

    /// OneAccess: builds the request that checks the user's slider position.
    pub fn verify_captcha_request(&self, req: &VerifyCaptcha) -> Result<HttpRequest> {
        oneaccess::verify_captcha(self.oneaccess("verify_captcha")?, &self.base_url, req)
            .map_err(|e| e.with_vendor(Vendor::Oneaccess))
    }

    /// OneAccess: reads the `captcha_token` that authorises one SMS.
    pub fn parse_verify_captcha(&self, resp: &HttpResponse) -> Result<String> {
        self.oneaccess("verify_captcha")?;
        oneaccess::parse_verify_captcha(resp)
    }

    /// OneAccess: builds the SMS code request.
    pub fn send_sms_code_request(&self, req: &SendSmsCode) -> Result<HttpRequest> {
        oneaccess::send_sms_code(self.oneaccess("send_sms_code")?, &self.base_url, req)
            .map_err(|e| e.with_vendor(Vendor::Oneaccess))
    }

    /// OneAccess: reads the (empty) answer to an SMS code request.
    pub fn parse_send_sms_code(&self, resp: &HttpResponse) -> Result<()> {
        self.oneaccess("send_sms_code")?;
        oneaccess::parse_send_sms_code(resp)
    }

    fn oneaccess(&self, operation: &str) -> Result<&crate::config::OneAccessConfig> {
        match &self.config.vendor {
            VendorConfig::Oneaccess(c) => Ok(c),
            _ => Err(self.unsupported(operation, "only the oneaccess vendor has it")),
        }
    }

    fn unsupported(&self, operation: &str, hint: &str) -> Error {
        let mut rule = format!("{} has no {operation} operation", self.vendor());
        if !hint.is_empty() {
            rule.push_str("; ");
            rule.push_str(hint);
        }
        Error::invalid_config("vendor", rule).with_vendor(self.vendor())
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
    let rule = "must be scheme://host[:port] with scheme http or https and no path, e.g. http://127.0.0.1:8080";
    let url = url::Url::parse(input)
        .map_err(|e| Error::invalid_config("base_url", format!("{input:?} {rule} ({e})")))?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(Error::invalid_config(
            "base_url",
            format!("{input:?} {rule}"),
        ));
    }
    Ok(input.trim_end_matches('/').to_owned())
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

/// Looks a vendor code up in a vendor's table; codes missing from the documents are
/// `vendor_error`.
pub(crate) fn classify(table: &[(&str, ErrorKind)], code: &str) -> ErrorKind {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(ErrorKind::VendorError, |(_, kind)| *kind)
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

/// A verification code of `min..=max` ASCII digits.
pub(crate) fn check_digit_code(code: &str, min: usize, max: usize) -> Result<()> {
    if code.len() < min || code.len() > max || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_input(
            "code",
            format!("{code:?} must be {min} to {max} digits"),
        ));
    }
    Ok(())
}
