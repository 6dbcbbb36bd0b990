//! HTTP transports over the protocol layer: [`AsyncClient`], and [`Client`], the blocking face
//! of the same client.
//!
//! The [`Channel`] builds each request and reads each answer; the async client only moves
//! bytes and says, for every failure, whether the request may have reached the vendor. The
//! blocking client runs that same code on an I/O thread of its own and waits for it, so there
//! is one transport to get right and one connection pool per channel whichever face is used.
//! Nothing is ever retried here: after a timeout the call may already be ringing.

use std::future::Future;
use std::sync::Arc;

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::protocol::{Channel, PreparedSend};
use crate::{ChannelConfig, Error, ErrorKind, Outcome, Result, Vendor};

/// Vendor answers are a few hundred bytes; anything far larger is not a vendor answer.
const MAX_BODY: usize = 1 << 20;

const USER_AGENT: &str = concat!("voicecode/", env!("CARGO_PKG_VERSION"));

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

/// A blocking client for one channel. `Send + Sync`; clone it or share it behind an `Arc`:
/// clones share one connection pool and one I/O thread.
///
/// It waits on the [`AsyncClient`] it wraps ([`Client::as_async`]), so both faces of one
/// channel share a pool. Inside an async runtime, use that client: a blocking call there would
/// stall the runtime, and is refused with `invalid_config` before anything is sent.
#[derive(Clone, Debug)]
pub struct Client {
    asynch: AsyncClient,
    io: Arc<IoThread>,
}

impl AsyncClient {
    /// Validates `config` and opens a connection pool (no connection is made yet).
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let channel = Channel::new(config)?;
        let config = channel.config();
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout());
        // A local simulator or gateway is never reached through the environment's proxy.
        let builder = if is_loopback(channel.base_url()) {
            builder.no_proxy()
        } else {
            builder
        };
        let http = builder
            // A redirected POST could be sent twice; vendors do not redirect API calls.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
            .build()
            .map_err(|e| {
                Error::invalid_config("client", format!("cannot build the HTTP client: {e}"))
            })?;
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
        self.send_prepared(&self.channel().prepare_send_code(req)?)
            .await
    }

    /// Signs and sends a send this client's channel checked.
    pub(crate) async fn send_prepared(&self, prepared: &PreparedSend) -> Result<Receipt> {
        let channel = self.channel();
        let request = prepared.request(&Context::fresh());
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
        operation: &'static str,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse) -> Result<T>,
    ) -> Result<T> {
        self.round_trip(operation, request, parse)
            .await
            .map_err(|e| e.during(operation))
    }

    async fn round_trip<T>(
        &self,
        operation: &str,
        request: HttpRequest,
        parse: impl FnOnce(&HttpResponse) -> Result<T>,
    ) -> Result<T> {
        let vendor = self.vendor();
        // reqwest's errors quote the whole URL, and ytx signs in the query.
        let url = request.url_without_query().to_owned();
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
            .map_err(|e| transport_error(vendor, &url, e))?;
        let status = response.status().as_u16();
        let headers = headers(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(vendor, &url, e))?
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

impl Client {
    /// Validates `config`, opens a connection pool (no connection is made yet) and starts the
    /// client's I/O thread.
    pub fn new(config: ChannelConfig) -> Result<Self> {
        Self::from_async(AsyncClient::new(config)?)
    }

    /// The blocking face of `client`, sharing its connection pool.
    pub fn from_async(client: AsyncClient) -> Result<Self> {
        Ok(Client {
            asynch: client,
            io: Arc::new(IoThread::start()?),
        })
    }

    /// The async client this one waits on; use it inside an async runtime. That runtime should
    /// keep running: hyper returns a used connection to the shared pool from a task on it.
    pub fn as_async(&self) -> &AsyncClient {
        &self.asynch
    }

    /// The vendor behind this client.
    pub fn vendor(&self) -> Vendor {
        self.asynch.vendor()
    }

    /// The protocol layer this client drives.
    pub fn channel(&self) -> &Channel {
        self.asynch.channel()
    }

    /// Sends a voice verification code. Never retried: see [`Outcome`] on failure.
    pub fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        self.io.wait(self.asynch.send_code(req))
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    pub fn balance(&self) -> Result<Balance> {
        self.io.wait(self.asynch.balance())
    }

    /// OneAccess: a new slider captcha.
    pub fn captcha(&self) -> Result<Captcha> {
        self.io.wait(self.asynch.captcha())
    }

    /// OneAccess: checks the user's slider position; returns the `captcha_token` for one SMS.
    pub fn verify_captcha(&self, req: &VerifyCaptcha) -> Result<String> {
        self.io.wait(self.asynch.verify_captcha(req))
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    pub fn send_sms_code(&self, req: &SendSmsCode) -> Result<()> {
        self.io.wait(self.asynch.send_sms_code(req))
    }

    pub(crate) fn io(&self) -> &IoThread {
        &self.io
    }

    /// A blocking face of `client` on this client's I/O thread.
    pub(crate) fn with_async(&self, client: AsyncClient) -> Client {
        Client {
            asynch: client,
            io: Arc::clone(&self.io),
        }
    }
}

/// The tokio runtime behind blocking calls: one worker thread drives the sockets while each
/// caller's future runs on the caller's own thread, so any number of threads can wait at once.
#[derive(Debug)]
pub(crate) struct IoThread(Option<tokio::runtime::Runtime>);

impl IoThread {
    fn start() -> Result<Self> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("voicecode-io")
            .enable_all()
            .build()
            .map(|runtime| IoThread(Some(runtime)))
            .map_err(|e| {
                Error::invalid_config("client", format!("cannot start the I/O thread: {e}"))
            })
    }

    /// Runs `call` to completion on the calling thread.
    pub(crate) fn wait<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        refuse_inside_runtime("client")?;
        self.0
            .as_ref()
            .expect("the runtime lives until drop")
            .block_on(call)
    }
}

/// Refuses a blocking call made inside an async runtime: tokio would panic there, and blocking a
/// runtime thread would stall every task on it. `what` names the blocking object.
pub(crate) fn refuse_inside_runtime(what: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::invalid_config(
            what,
            format!(
                "the blocking {what} was called inside an async runtime; use its as_async() \
                 face (AsyncClient, AsyncRouter, AsyncVerifier) there"
            ),
        ));
    }
    Ok(())
}

impl Drop for IoThread {
    fn drop(&mut self) {
        let Some(runtime) = self.0.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Waiting for the threads here would panic (blocking inside a runtime).
            runtime.shutdown_background();
        } else {
            // Let the threads end, as a C host expects of a freed handle (and valgrind checks).
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        }
    }
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

/// What a reqwest failure of the request to `url` means for the request's fate.
fn transport_error(vendor: Vendor, url: &str, e: reqwest::Error) -> Error {
    let e = e.without_url();
    let detail = format!("{url}: {}", error_chain(&e));
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
