//! HTTP transports over the protocol layer: [`Client`] (blocking) and [`AsyncClient`].
//!
//! Both are thin shells: the [`Channel`] builds each request and reads each answer; the client
//! only moves bytes and says, for every failure, whether the request may have reached the vendor.
//! Nothing is ever retried here: after a timeout the call may already be ringing.

use std::io::Read as _;
use std::sync::Arc;

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::vendors::Channel;
use crate::{ChannelConfig, Error, ErrorKind, Outcome, Result, Vendor};

/// Vendor answers are a few hundred bytes; anything far larger is not a vendor answer.
const MAX_BODY: usize = 1 << 20;

const USER_AGENT: &str = concat!("voicecode/", env!("CARGO_PKG_VERSION"));

/// A blocking client for one channel. `Send + Sync`; clone it or share it behind an `Arc`:
/// clones share one connection pool.
///
/// Do not use it inside an async runtime (it blocks the thread); use [`AsyncClient`] there.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<BlockingInner>,
}

#[derive(Debug)]
struct BlockingInner {
    channel: Channel,
    http: reqwest::blocking::Client,
}

/// An async client for one channel, on tokio. `Send + Sync`; clones share one connection pool.
#[derive(Clone, Debug)]
pub struct AsyncClient {
    inner: Arc<AsyncInner>,
}

#[derive(Debug)]
struct AsyncInner {
    channel: Channel,
    http: reqwest::Client,
}

macro_rules! http_builder {
    ($builder:expr, $channel:expr) => {{
        let config = $channel.config();
        let builder = $builder
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout());
        // A local simulator or gateway is never reached through the environment's proxy.
        let builder = if is_loopback($channel.base_url()) {
            builder.no_proxy()
        } else {
            builder
        };
        builder
            // A redirected POST could be sent twice; vendors do not redirect API calls.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| {
                Error::invalid_config("client", format!("cannot build the HTTP client: {e}"))
            })
    }};
}

fn is_loopback(base_url: &str) -> bool {
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()));
    match host {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Client {
    /// Validates `config` and opens a connection pool (no connection is made yet).
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let channel = Channel::new(config)?;
        let http = http_builder!(reqwest::blocking::Client::builder(), channel)?;
        Ok(Client {
            inner: Arc::new(BlockingInner { channel, http }),
        })
    }

    /// The vendor behind this client.
    pub fn vendor(&self) -> Vendor {
        self.inner.channel.vendor()
    }

    /// The protocol layer this client drives.
    pub fn channel(&self) -> &Channel {
        &self.inner.channel
    }

    /// Sends a voice verification code. Never retried: see [`Outcome`] on failure.
    pub fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        let channel = self.channel();
        let request = channel.send_code_request(req, &Context::fresh())?;
        self.exchange("send_code", request, |r| channel.parse_send_code(r))
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    pub fn balance(&self) -> Result<Balance> {
        let channel = self.channel();
        let request = channel.balance_request(&Context::fresh())?;
        self.exchange("balance", request, |r| channel.parse_balance(r))
    }

    /// OneAccess: a new slider captcha.
    pub fn captcha(&self) -> Result<Captcha> {
        let channel = self.channel();
        let request = channel.captcha_request()?;
        self.exchange("captcha", request, |r| channel.parse_captcha(r))
    }

    /// OneAccess: checks the user's slider position; returns the `captcha_token` for one SMS.
    pub fn verify_captcha(&self, req: &VerifyCaptcha) -> Result<String> {
        let channel = self.channel();
        let request = channel.verify_captcha_request(req)?;
        self.exchange("verify_captcha", request, |r| {
            channel.parse_verify_captcha(r)
        })
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    pub fn send_sms_code(&self, req: &SendSmsCode) -> Result<()> {
        let channel = self.channel();
        let request = channel.send_sms_code_request(req)?;
        self.exchange("send_sms_code", request, |r| channel.parse_send_sms_code(r))
    }

    fn exchange<T>(
        &self,
        operation: &str,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse) -> Result<T>,
    ) -> Result<T> {
        let vendor = self.vendor();
        log_request(vendor, operation, &request);
        let mut builder = self
            .inner
            .http
            .request(method(request.method), &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let response = builder
            .body(request.body)
            .send()
            .map_err(|e| transport_error(vendor, &e))?;
        let status = response.status().as_u16();
        let headers = headers(response.headers());
        let mut body = Vec::new();
        response
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|e| read_error(vendor, &e))?;
        finish(
            vendor,
            operation,
            HttpResponse {
                status,
                headers,
                body,
            },
            parse,
        )
    }
}

impl AsyncClient {
    /// Validates `config` and opens a connection pool (no connection is made yet).
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let channel = Channel::new(config)?;
        let http = http_builder!(reqwest::Client::builder(), channel)?;
        Ok(AsyncClient {
            inner: Arc::new(AsyncInner { channel, http }),
        })
    }

    /// The vendor behind this client.
    pub fn vendor(&self) -> Vendor {
        self.inner.channel.vendor()
    }

    /// The protocol layer this client drives.
    pub fn channel(&self) -> &Channel {
        &self.inner.channel
    }

    /// Sends a voice verification code. Never retried: see [`Outcome`] on failure.
    pub async fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        let channel = self.channel();
        let request = channel.send_code_request(req, &Context::fresh())?;
        self.exchange("send_code", request, |r| channel.parse_send_code(r))
            .await
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    pub async fn balance(&self) -> Result<Balance> {
        let channel = self.channel();
        let request = channel.balance_request(&Context::fresh())?;
        self.exchange("balance", request, |r| channel.parse_balance(r))
            .await
    }

    /// OneAccess: a new slider captcha.
    pub async fn captcha(&self) -> Result<Captcha> {
        let channel = self.channel();
        let request = channel.captcha_request()?;
        self.exchange("captcha", request, |r| channel.parse_captcha(r))
            .await
    }

    /// OneAccess: checks the user's slider position; returns the `captcha_token` for one SMS.
    pub async fn verify_captcha(&self, req: &VerifyCaptcha) -> Result<String> {
        let channel = self.channel();
        let request = channel.verify_captcha_request(req)?;
        self.exchange("verify_captcha", request, |r| {
            channel.parse_verify_captcha(r)
        })
        .await
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    pub async fn send_sms_code(&self, req: &SendSmsCode) -> Result<()> {
        let channel = self.channel();
        let request = channel.send_sms_code_request(req)?;
        self.exchange("send_sms_code", request, |r| channel.parse_send_sms_code(r))
            .await
    }

    async fn exchange<T>(
        &self,
        operation: &str,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse) -> Result<T>,
    ) -> Result<T> {
        let vendor = self.vendor();
        log_request(vendor, operation, &request);
        let mut builder = self
            .inner
            .http
            .request(method(request.method), &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|e| transport_error(vendor, &e))?;
        let status = response.status().as_u16();
        let headers = headers(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(vendor, &e))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                break;
            }
        }
        finish(
            vendor,
            operation,
            HttpResponse {
                status,
                headers,
                body,
            },
            parse,
        )
    }
}

fn method(m: Method) -> reqwest::Method {
    match m {
        Method::Get => reqwest::Method::GET,
        Method::Post => reqwest::Method::POST,
    }
}

fn headers(map: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

fn log_request(vendor: Vendor, operation: &str, request: &HttpRequest) {
    // Never the query (ytx signs there) nor the body (cloud10658 sends its key there).
    log::debug!(
        "{vendor} {operation}: {} {}",
        request.method.as_str(),
        request.url_without_query()
    );
}

fn finish<T>(
    vendor: Vendor,
    operation: &str,
    response: HttpResponse,
    parse: impl FnOnce(&HttpResponse) -> Result<T>,
) -> Result<T> {
    if response.body.len() > MAX_BODY {
        return Err(Error::protocol(
            vendor,
            response.status,
            format!("the answer is larger than {MAX_BODY} bytes"),
        ));
    }
    if (300..400).contains(&response.status) {
        return Err(Error::protocol(
            vendor,
            response.status,
            "unexpected redirect; check base_url",
        ));
    }
    let result = parse(&response);
    match &result {
        Ok(_) => log::debug!("{vendor} {operation}: HTTP {} accepted", response.status),
        Err(e) => log::warn!("{vendor} {operation}: {e}"),
    }
    result
}

/// What a reqwest failure means for the request's fate.
fn transport_error(vendor: Vendor, e: &reqwest::Error) -> Error {
    let detail = error_chain(e);
    if e.is_builder() {
        return Error::transport(vendor, ErrorKind::InvalidConfig, Outcome::NotSent, detail);
    }
    if e.is_connect() {
        // No connection, so no byte of the request left this machine.
        let kind = if e.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Network
        };
        return Error::transport(
            vendor,
            kind,
            Outcome::NotSent,
            format!("cannot connect: {detail}"),
        );
    }
    if e.is_timeout() {
        return Error::transport(
            vendor,
            ErrorKind::Timeout,
            Outcome::Unknown,
            format!("no answer in time: {detail}"),
        );
    }
    Error::transport(
        vendor,
        ErrorKind::Network,
        Outcome::Unknown,
        format!("the connection failed mid-request: {detail}"),
    )
}

fn read_error(vendor: Vendor, e: &std::io::Error) -> Error {
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout);
    let kind = if timed_out {
        ErrorKind::Timeout
    } else {
        ErrorKind::Network
    };
    Error::transport(
        vendor,
        kind,
        Outcome::Unknown,
        format!("the answer broke off: {e}"),
    )
}

/// reqwest's top-level message is generic ("error sending request"); the cause is below it.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
