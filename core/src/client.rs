//! HTTP transports over the protocol layer: [`AsyncClient`], on tokio, and [`Client`], which
//! blocks the thread that calls it.
//!
//! The [`Channel`] builds each request and reads each answer ([`Call`]); a transport only moves
//! bytes and says, for every failure, whether the request may have reached the vendor. The
//! blocking client does its I/O on the caller's own thread (ureq): no hand-off to another
//! thread per send, no runtime and no thread of its own, and one connection pool shared by
//! every thread that calls it. Nothing is ever retried here: after a timeout the call may
//! already be ringing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ureq::config::Config as UreqConfig;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};

use crate::http::{Context, HttpRequest, HttpResponse, Method};
use crate::model::{Balance, Captcha, Receipt, SendCode, SendSmsCode, VerifyCaptcha};
use crate::protocol::{Channel, PreparedSend};
use crate::{ChannelConfig, Error, ErrorKind, Outcome, Product, Result, Vendor};

/// Vendor answers are a few hundred bytes; anything far larger is not a vendor answer.
const MAX_BODY: usize = 1 << 20;

/// Idle connections the blocking client keeps, at most: one per thread sending at once.
const MAX_IDLE: usize = 256;

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
    /// The channel's `base_url`, parsed once: reqwest parses a URL given as text on every
    /// request, its host included, while every request of a channel starts with this one.
    base: url::Url,
}

/// A blocking client for one channel. `Send + Sync`; clone it or share it behind an `Arc`:
/// clones share one connection pool.
///
/// Each call runs on the thread that makes it, so any number of threads can send at once.
/// Inside an async runtime, use its async face ([`Client::as_async`]): a blocking call there
/// would stall the runtime, and is refused with `invalid_config` before anything is sent. The
/// async face keeps a connection pool of its own.
#[derive(Clone, Debug)]
pub struct Client {
    asynch: AsyncClient,
    http: ureq::Agent,
}

/// One operation on a channel: its signed request and how its answer is read. Both clients
/// carry the same calls, so they agree on every request and every answer.
struct Call<T> {
    operation: &'static str,
    request: HttpRequest,
    parse: fn(&Channel, &HttpResponse) -> Result<T>,
}

impl Call<Receipt> {
    fn send_code(prepared: PreparedSend) -> Self {
        Call {
            operation: "send_code",
            request: prepared.into_request(&Context::fresh()),
            parse: Channel::parse_send_code,
        }
    }
}

impl Call<Balance> {
    fn balance(channel: &Channel) -> Result<Self> {
        Ok(Call {
            operation: "balance",
            request: channel.balance_request(&Context::fresh())?,
            parse: Channel::parse_balance,
        })
    }
}

impl Call<Captcha> {
    fn captcha(channel: &Channel) -> Result<Self> {
        Ok(Call {
            operation: "captcha",
            request: channel.captcha_request()?,
            parse: Channel::parse_captcha,
        })
    }
}

impl Call<String> {
    fn verify_captcha(channel: &Channel, req: &VerifyCaptcha) -> Result<Self> {
        Ok(Call {
            operation: "verify_captcha",
            request: channel.verify_captcha_request(req)?,
            parse: Channel::parse_verify_captcha,
        })
    }
}

impl Call<()> {
    fn send_sms_code(channel: &Channel, req: &SendSmsCode) -> Result<Self> {
        Ok(Call {
            operation: "send_sms_code",
            request: channel.send_sms_code_request(req)?,
            parse: Channel::parse_send_sms_code,
        })
    }
}

impl AsyncClient {
    /// Validates `config` and opens a connection pool (no connection is made yet).
    pub fn new(config: ChannelConfig) -> Result<Self> {
        let channel = Channel::new(config)?;
        let config = channel.config();
        // The channel checked its base_url with this same parser.
        let base = url::Url::parse(channel.base_url())
            .map_err(|e| Error::invalid_config("base_url", format!("not a URL: {e}")))?;
        let builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout())
            .timeout(config.timeout());
        // A local simulator or gateway is never reached through the environment's proxy.
        let builder = if is_loopback(&base) {
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
            inner: Arc::new(AsyncInner {
                channel,
                http,
                base,
            }),
        })
    }

    /// The vendor behind this client.
    pub fn vendor(&self) -> Vendor {
        self.inner.channel.vendor()
    }

    /// What this client sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.inner.channel.product()
    }

    /// The protocol layer this client drives.
    pub fn channel(&self) -> &Channel {
        &self.inner.channel
    }

    /// Sends a voice verification code. Never retried: see [`Outcome`] on failure.
    pub async fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        self.send_prepared(self.channel().prepare_send_code(req)?)
            .await
    }

    /// Signs and sends a send this client's channel checked.
    pub(crate) async fn send_prepared(&self, prepared: PreparedSend) -> Result<Receipt> {
        self.run(Call::send_code(prepared)).await
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    pub async fn balance(&self) -> Result<Balance> {
        self.run(Call::balance(self.channel())?).await
    }

    /// OneAccess: a new slider captcha.
    pub async fn captcha(&self) -> Result<Captcha> {
        self.run(Call::captcha(self.channel())?).await
    }

    /// OneAccess: checks the user's slider position; returns the `captcha_token` for one SMS.
    pub async fn verify_captcha(&self, req: &VerifyCaptcha) -> Result<String> {
        self.run(Call::verify_captcha(self.channel(), req)?).await
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    pub async fn send_sms_code(&self, req: &SendSmsCode) -> Result<()> {
        self.run(Call::send_sms_code(self.channel(), req)?).await
    }

    async fn run<T>(&self, call: Call<T>) -> Result<T> {
        let url = loggable_url(self.vendor(), &call);
        let answer = self.exchange(call.request, &url).await;
        finish(self.channel(), call.operation, answer, call.parse)
    }

    async fn exchange(&self, request: HttpRequest, url: &str) -> Result<HttpResponse> {
        let vendor = self.vendor();
        let http = &self.inner.http;
        let method = method(request.method);
        let mut builder = match self.inner.url(&request.url) {
            Some(url) => http.request(method, url),
            None => http.request(method, request.url.as_str()),
        };
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_ref());
        }
        let mut response = builder
            .body(request.body)
            .send()
            .await
            .map_err(|e| transport_error(vendor, url, e))?;
        let status = response.status().as_u16();
        let headers = headers(response.headers());
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(vendor, url, e))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(too_large(vendor, status));
            }
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

impl AsyncInner {
    /// `url` with only its path and query parsed, when it starts with the channel's
    /// `base_url` (every request a channel builds does); anything else reqwest parses whole.
    fn url(&self, url: &str) -> Option<url::Url> {
        let rest = url.strip_prefix(self.channel.base_url())?;
        // Joined, `//x` and `/\x` would name another host, where the whole URL has a path.
        let path_only = match rest.as_bytes() {
            [b'/', b'/' | b'\\', ..] => false,
            [b'/', ..] => true,
            _ => false,
        };
        path_only.then(|| self.base.join(rest).ok())?
    }
}

impl Client {
    /// Validates `config` and opens a connection pool (no connection is made yet).
    pub fn new(config: ChannelConfig) -> Result<Self> {
        Self::from_async(AsyncClient::new(config)?)
    }

    /// The blocking face of `client`, for the same channel.
    pub fn from_async(client: AsyncClient) -> Result<Self> {
        let channel = client.channel();
        let config = channel.config();
        let settings = ureq::Agent::config_builder()
            .timeout_connect(Some(config.connect_timeout()))
            .timeout_global(Some(config.timeout()))
            // A redirected POST could be sent twice; vendors do not redirect API calls.
            .max_redirects(0)
            .max_redirects_will_error(false)
            // A vendor's 4xx and 5xx answers carry its code: they are read, not raised.
            .http_status_as_error(false)
            // Every thread that sends at once keeps its connection for the next send, as
            // reqwest's pool does (ureq keeps 3 by default). One host per client.
            .max_idle_connections(MAX_IDLE)
            .max_idle_connections_per_host(MAX_IDLE)
            .user_agent(USER_AGENT);
        // A local simulator or gateway is never reached through the environment's proxy.
        let settings = if is_loopback(&client.inner.base) {
            settings.proxy(None)
        } else {
            settings
        };
        let http = ureq::Agent::with_parts(
            settings.build(),
            DefaultConnector::default().chain(OneWrite),
            HostCache::<DefaultResolver>::default(),
        );
        Ok(Client {
            http,
            asynch: client,
        })
    }

    /// The async face of this client, for use inside an async runtime. That runtime should
    /// keep running: hyper returns a used connection to the pool from a task on it.
    pub fn as_async(&self) -> &AsyncClient {
        &self.asynch
    }

    /// The vendor behind this client.
    pub fn vendor(&self) -> Vendor {
        self.asynch.vendor()
    }

    /// What this client sends: voice calls or SMS.
    pub fn product(&self) -> Product {
        self.asynch.product()
    }

    /// The protocol layer this client drives.
    pub fn channel(&self) -> &Channel {
        self.asynch.channel()
    }

    /// Sends a voice verification code. Never retried: see [`Outcome`] on failure.
    pub fn send_code(&self, req: &SendCode) -> Result<Receipt> {
        refuse_inside_runtime("client")?;
        self.send_prepared(self.channel().prepare_send_code(req)?)
    }

    /// Signs and sends a send this client's channel checked.
    pub(crate) fn send_prepared(&self, prepared: PreparedSend) -> Result<Receipt> {
        self.run(Call::send_code(prepared))
    }

    /// The account balance (ytx, ihuyi, cloud10658).
    pub fn balance(&self) -> Result<Balance> {
        self.run(Call::balance(self.channel())?)
    }

    /// OneAccess: a new slider captcha.
    pub fn captcha(&self) -> Result<Captcha> {
        self.run(Call::captcha(self.channel())?)
    }

    /// OneAccess: checks the user's slider position; returns the `captcha_token` for one SMS.
    pub fn verify_captcha(&self, req: &VerifyCaptcha) -> Result<String> {
        self.run(Call::verify_captcha(self.channel(), req)?)
    }

    /// OneAccess: sends an SMS code after a verified captcha.
    pub fn send_sms_code(&self, req: &SendSmsCode) -> Result<()> {
        self.run(Call::send_sms_code(self.channel(), req)?)
    }

    fn run<T>(&self, call: Call<T>) -> Result<T> {
        let answer = refuse_inside_runtime("client").and_then(|()| {
            let url = loggable_url(self.vendor(), &call);
            self.exchange(&call.request, &url)
        });
        finish(self.channel(), call.operation, answer, call.parse)
    }

    fn exchange(&self, request: &HttpRequest, url: &str) -> Result<HttpResponse> {
        let vendor = self.vendor();
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_ref());
        }
        let request = builder
            .body(request.body.as_slice())
            .map_err(|e| Error::transport(vendor, ErrorKind::InvalidConfig, Outcome::NotSent, e))?;
        let mut response = self
            .http
            .run(request)
            .map_err(|e| blocking_transport_error(vendor, url, e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        let body = match response
            .body_mut()
            .with_config()
            .limit(MAX_BODY as u64)
            .read_to_vec()
        {
            Ok(body) => body,
            Err(ureq::Error::BodyExceedsLimit(_)) => return Err(too_large(vendor, status)),
            Err(e) => return Err(blocking_transport_error(vendor, url, e)),
        };
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// How long the blocking client keeps a host's addresses: curl's default DNS cache timeout.
const HOST_CACHE_TTL: Duration = Duration::from_secs(60);

/// The blocking client's resolver. ureq resolves the host before every request, even one that
/// reuses a pooled connection, and on a new thread whenever a timeout applies: a thread started
/// per send. A client talks to one host, so its addresses are kept for a while, as curl does.
#[derive(Debug, Default)]
struct HostCache<R = DefaultResolver> {
    resolver: R,
    last: Mutex<Option<CachedHost>>,
}

struct CachedHost {
    /// The scheme and authority (`host:port`) the addresses are for.
    origin: (String, String),
    resolved_at: Instant,
    addrs: ResolvedSocketAddrs,
}

/// `ResolvedSocketAddrs` has no `Debug`; the host is what matters.
impl std::fmt::Debug for CachedHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedHost")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl<R: Resolver> Resolver for HostCache<R> {
    fn resolve(
        &self,
        uri: &Uri,
        config: &UreqConfig,
        timeout: NextTimeout,
    ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
        let scheme = uri.scheme_str().unwrap_or_default();
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        let lock = || {
            self.last
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        };
        if let Some(cached) = lock().as_ref() {
            if cached.origin.0 == scheme
                && cached.origin.1 == authority
                && cached.resolved_at.elapsed() < HOST_CACHE_TTL
            {
                return Ok(cached.addrs.clone());
            }
        }
        let addrs = self.resolver.resolve(uri, config, timeout)?;
        *lock() = Some(CachedHost {
            origin: (scheme.to_owned(), authority.to_owned()),
            resolved_at: Instant::now(),
            addrs: addrs.clone(),
        });
        Ok(addrs)
    }
}

/// Sends a request's head and body in one write. ureq writes them one after the other, so a
/// request left as two TCP segments and the server woke up twice for it (curl and reqwest
/// send one); the bytes are now held until the answer is awaited, then written at once.
#[derive(Debug)]
struct OneWrite;

impl<In: Transport> Connector<In> for OneWrite {
    type Out = HeldOutput<In>;

    fn connect(
        &self,
        _: &ConnectionDetails,
        chained: Option<In>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(HeldOutput::new))
    }
}

/// What a request holds back before it is written: more than this goes out at once.
const MAX_HELD: usize = 64 * 1024;

/// A connection whose output waits in `held` until the answer is awaited, and which spares its
/// socket a probe of ureq's pool that another one repeats (see its `is_open`).
#[derive(Debug)]
struct HeldOutput<T> {
    inner: T,
    held: Vec<u8>,
    /// Whether the connection has been asked if it is open since its last read or write.
    probed: bool,
}

impl<T: Transport> HeldOutput<T> {
    fn new(inner: T) -> Self {
        HeldOutput {
            inner,
            held: Vec::new(),
            probed: true,
        }
    }

    /// Writes what is held through the connection's own output buffer.
    fn flush(&mut self, timeout: NextTimeout) -> std::result::Result<(), ureq::Error> {
        let mut sent = 0;
        while sent < self.held.len() {
            let output = self.inner.buffers().output();
            let n = output.len().min(self.held.len() - sent);
            output[..n].copy_from_slice(&self.held[sent..sent + n]);
            self.inner.transmit_output(n, timeout)?;
            sent += n;
        }
        self.held.clear();
        self.probed = false;
        Ok(())
    }
}

/// The time left before a request's deadline, floored to whole milliseconds for the socket.
/// ureq sets a socket's read or write timeout again whenever the time it is given changes, and
/// the time left before one deadline changes between any two reads or writes: two system calls
/// on every send. Floored, it stays the same for a millisecond, so that a send answered within
/// one sets neither; a socket never waits past the deadline, and at most a millisecond less.
fn settled(mut timeout: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(left) = timeout.after {
        let floored = Duration::from_millis(left.as_millis().try_into().unwrap_or(u64::MAX));
        if !floored.is_zero() {
            timeout.after = UreqDuration::Exact(floored);
        }
    }
    timeout
}

impl<T: Transport> Transport for HeldOutput<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(
        &mut self,
        amount: usize,
        timeout: NextTimeout,
    ) -> std::result::Result<(), ureq::Error> {
        let output = &self.inner.buffers().output()[..amount];
        self.held.extend_from_slice(output);
        if self.held.len() >= MAX_HELD {
            self.flush(settled(timeout))?;
        }
        Ok(())
    }

    fn maybe_await_input(
        &mut self,
        timeout: NextTimeout,
    ) -> std::result::Result<bool, ureq::Error> {
        let timeout = settled(timeout);
        self.flush(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> std::result::Result<bool, ureq::Error> {
        let timeout = settled(timeout);
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    /// ureq probes a connection (three system calls: a read of one byte between two switches to
    /// non-blocking and back) when it goes back to the pool, right after its answer was read,
    /// and again when it is taken from the pool for the next request. The second probe is the
    /// one that can find it closed by the server while idle, and it finds anything the first
    /// would have: the first is answered without one.
    fn is_open(&mut self) -> bool {
        if !self.probed {
            self.probed = true;
            return true;
        }
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Refuses a blocking call made inside an async runtime: blocking a runtime thread would stall
/// every task on it. `what` names the blocking object.
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

fn is_loopback(base: &url::Url) -> bool {
    match base.host() {
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

fn too_large(vendor: Vendor, status: u16) -> Error {
    Error::protocol(
        vendor,
        status,
        format!("the answer is larger than {MAX_BODY} bytes"),
    )
}

/// Logs the call and gives the URL its errors may name: reqwest's and ureq's own errors would
/// quote the whole URL, and ytx signs in the query.
fn loggable_url<T>(vendor: Vendor, call: &Call<T>) -> String {
    log_request(vendor, call.operation, &call.request);
    call.request.url_without_query().to_owned()
}

/// Reads what a transport brought back, the same way for both clients.
fn finish<T>(
    channel: &Channel,
    operation: &'static str,
    answer: Result<HttpResponse>,
    parse: fn(&Channel, &HttpResponse) -> Result<T>,
) -> Result<T> {
    answer
        .and_then(|response| read(channel, operation, &response, parse))
        .map_err(|e| e.during(operation))
}

fn read<T>(
    channel: &Channel,
    operation: &str,
    response: &HttpResponse,
    parse: fn(&Channel, &HttpResponse) -> Result<T>,
) -> Result<T> {
    let vendor = channel.vendor();
    if (300..400).contains(&response.status) {
        return Err(Error::protocol(
            vendor,
            response.status,
            "unexpected redirect; check base_url",
        ));
    }
    let result = parse(channel, response);
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

/// What a ureq failure of the request to `url` means for the request's fate: the blocking
/// client's counterpart of [`transport_error`], with the same kinds and outcomes.
fn blocking_transport_error(vendor: Vendor, url: &str, e: ureq::Error) -> Error {
    use ureq::Timeout as Phase;
    let detail = format!("{url}: {}", error_chain(&e));
    let not_sent = |kind, what: &str| {
        Error::transport(vendor, kind, Outcome::NotSent, format!("{what}: {detail}"))
    };
    match &e {
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            Error::transport(vendor, ErrorKind::InvalidConfig, Outcome::NotSent, detail)
        }
        ureq::Error::Timeout(Phase::Resolve | Phase::Connect) => {
            not_sent(ErrorKind::Timeout, "cannot connect")
        }
        ureq::Error::Timeout(_) => Error::transport(
            vendor,
            ErrorKind::Timeout,
            Outcome::Unknown,
            format!("no answer in time: {detail}"),
        ),
        // The TLS handshake comes before any byte of the request.
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::ConnectProxyFailed(_) => not_sent(ErrorKind::Network, "cannot connect"),
        ureq::Error::Io(io) if refused_before_connecting(io) || untrusted_peer(io) => {
            not_sent(ErrorKind::Network, "cannot connect")
        }
        _ => Error::transport(
            vendor,
            ErrorKind::Network,
            Outcome::Unknown,
            format!("the connection failed mid-request: {detail}"),
        ),
    }
}

/// I/O errors that only a connect gives: no connection was made, so nothing was sent.
fn refused_before_connecting(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | HostUnreachable | NetworkUnreachable | NetworkDown | AddrNotAvailable
    )
}

/// The TLS handshake failures rustls reports through I/O: ureq completes the handshake while
/// connecting, before any byte of the request is written.
fn untrusted_peer(e: &std::io::Error) -> bool {
    use rustls::Error::*;
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    matches!(
        tls,
        Some(
            InvalidCertificate(_)
                | NoCertificatesPresented
                | PeerIncompatible(_)
                | UnsupportedNameType
                | InappropriateHandshakeMessage { .. }
        )
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn socket_timeouts_are_the_time_left_floored_to_whole_milliseconds() {
        let exact = |micros| UreqDuration::Exact(Duration::from_micros(micros));
        let settled_after = |micros| {
            let timeout = NextTimeout {
                after: exact(micros),
                ..NextTimeout::default()
            };
            settled(timeout).after
        };
        // Never longer than the time left, and the same all through one millisecond, so that
        // ureq sets a socket's timeout once for many sends.
        assert_eq!(settled_after(9_999_972), exact(9_999_000));
        assert_eq!(settled_after(9_999_001), exact(9_999_000));
        assert_eq!(settled_after(9_998_999), exact(9_998_000));
        // Less than a millisecond left stays as it is: floored, it would time out at once.
        assert_eq!(settled_after(400), exact(400));
        let unbounded = settled(NextTimeout::default());
        assert_eq!(unbounded.after, UreqDuration::NotHappening);
    }

    /// Counts lookups and answers each with 127.0.0.1.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Resolver for Counting {
        fn resolve(
            &self,
            _: &Uri,
            _: &UreqConfig,
            _: NextTimeout,
        ) -> std::result::Result<ResolvedSocketAddrs, ureq::Error> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let mut addrs = self.empty();
            addrs.push(([127, 0, 0, 1], 443).into());
            Ok(addrs)
        }
    }

    #[test]
    fn a_host_is_looked_up_once_per_origin_while_its_addresses_are_fresh() {
        let cache = HostCache::<Counting>::default();
        let config = UreqConfig::default();
        let resolve = |uri: &str| {
            let addrs = cache
                .resolve(&uri.parse().unwrap(), &config, NextTimeout::default())
                .unwrap();
            assert_eq!(addrs.len(), 1);
        };
        resolve("https://api.example.com/a");
        resolve("https://api.example.com/b?c=d");
        assert_eq!(cache.resolver.0.load(Ordering::SeqCst), 1);
        resolve("http://api.example.com/a");
        resolve("https://api.example.com:8443/a");
        assert_eq!(cache.resolver.0.load(Ordering::SeqCst), 3);
        // Stale addresses are looked up again.
        if let Some(cached) = cache.last.lock().unwrap().as_mut() {
            cached.resolved_at -= HOST_CACHE_TTL;
        }
        resolve("https://api.example.com:8443/a");
        assert_eq!(cache.resolver.0.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn the_async_client_sends_the_url_its_channel_built() {
        for base in [
            "http://127.0.0.1:8080",
            "https://[::1]:8443",
            "https://api.example.com:443",
            "http://LOCALHOST",
        ] {
            let config = format!(
                r#"{{"vendor":"ytx","base_url":"{base}","account_sid":"da5c0518f05c4f939de024e94c0adb6d",
                    "auth_token":"8da2aede2f51498dab04e20b1702d111","app_id":"ff8080813fc70a7b013fc72312324213"}}"#
            );
            let client = AsyncClient::new(ChannelConfig::from_json(&config).unwrap()).unwrap();
            let channel = client.channel();
            let send = channel
                .send_code_request(
                    &SendCode::new("+8613800138000", "1234"),
                    &crate::protocol::Context::fixed(),
                )
                .unwrap();
            let balance = channel
                .balance_request(&crate::protocol::Context::fixed())
                .unwrap();
            for url in [send.url.as_str(), balance.url.as_str()] {
                assert!(url.contains('?'), "ytx signs in the query: {url}");
                assert_eq!(client.inner.url(url), Some(url::Url::parse(url).unwrap()));
            }
        }
        let client = AsyncClient::new(
            ChannelConfig::from_json(
                r#"{"vendor":"ytx","base_url":"http://example.com","account_sid":"a","auth_token":"b","app_id":"c"}"#,
            )
            .unwrap(),
        )
        .unwrap();
        // Anything else is left to reqwest to parse whole.
        for path in ["//evil.example/a", "/\\evil.example/a"] {
            let url = format!("http://example.com{path}");
            assert_eq!(client.inner.url(&url), None, "{url}");
            assert_eq!(
                url::Url::parse(&url).unwrap().host_str(),
                Some("example.com")
            );
        }
        assert_eq!(client.inner.url("http://example.com.cn/a"), None);
        assert_eq!(client.inner.url("http://example.com:8080/a"), None);
        assert_eq!(client.inner.url("http://example.com"), None);
    }

    /// A connection that records each write it is asked for, and counts the probes it takes.
    #[derive(Debug)]
    struct Recording {
        buffers: ureq::unversioned::transport::LazyBuffers,
        writes: Vec<Vec<u8>>,
        probes: usize,
    }

    impl Transport for Recording {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }

        fn transmit_output(
            &mut self,
            amount: usize,
            _: NextTimeout,
        ) -> std::result::Result<(), ureq::Error> {
            let written = self.buffers.output()[..amount].to_vec();
            self.writes.push(written);
            Ok(())
        }

        fn await_input(&mut self, _: NextTimeout) -> std::result::Result<bool, ureq::Error> {
            Ok(false)
        }

        fn is_open(&mut self) -> bool {
            self.probes += 1;
            true
        }
    }

    /// Writes `bytes` the way ureq does: into the connection's output buffer, then transmit.
    fn write(connection: &mut impl Transport, bytes: &[u8]) {
        connection.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        connection
            .transmit_output(bytes.len(), NextTimeout::default())
            .unwrap();
    }

    fn held(output_size: usize) -> HeldOutput<Recording> {
        HeldOutput::new(Recording {
            buffers: ureq::unversioned::transport::LazyBuffers::new(1024, output_size),
            writes: Vec::new(),
            probes: 0,
        })
    }

    #[test]
    fn a_request_head_and_body_leave_in_one_write_when_the_answer_is_awaited() {
        let mut connection = held(4096);
        write(
            &mut connection,
            b"POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\n",
        );
        write(&mut connection, b"4821");
        assert!(
            connection.inner.writes.is_empty(),
            "nothing leaves before the answer is awaited"
        );
        connection.await_input(NextTimeout::default()).unwrap();
        assert_eq!(
            connection.inner.writes,
            [b"POST / HTTP/1.1\r\ncontent-length: 4\r\n\r\n4821".to_vec()]
        );
        // The next request on the pooled connection starts from nothing held.
        write(&mut connection, b"GET / HTTP/1.1\r\n\r\n");
        connection
            .maybe_await_input(NextTimeout::default())
            .unwrap();
        assert_eq!(connection.inner.writes.len(), 2);
        assert_eq!(connection.inner.writes[1], b"GET / HTTP/1.1\r\n\r\n");
    }

    #[test]
    fn a_pooled_connection_is_probed_once_between_requests() {
        let mut connection = held(4096);
        assert!(connection.is_open(), "a new connection is probed");
        assert_eq!(connection.inner.probes, 1);
        for request in 1..=3 {
            write(&mut connection, b"GET / HTTP/1.1\r\n\r\n");
            connection.await_input(NextTimeout::default()).unwrap();
            // Given back to the pool right after its answer, then taken for the next request:
            // only the second probe reaches the socket.
            assert!(connection.is_open());
            assert!(connection.is_open());
            assert_eq!(connection.inner.probes, 1 + request);
        }
        // Idle in the pool, it is probed each time the pool looks at it.
        assert!(connection.is_open());
        assert_eq!(connection.inner.probes, 5);
    }

    #[test]
    fn output_beyond_what_is_held_goes_out_whole_and_in_order() {
        // An output buffer smaller than what is held: the flush goes out in buffer-sized
        // pieces, and past MAX_HELD without waiting for the answer.
        let mut connection = held(1000);
        let body: Vec<u8> = (0..MAX_HELD + 1500).map(|i| (i % 251) as u8).collect();
        for piece in body.chunks(1000) {
            write(&mut connection, piece);
        }
        assert!(!connection.inner.writes.is_empty(), "MAX_HELD was passed");
        connection.await_input(NextTimeout::default()).unwrap();
        assert!(connection.inner.writes.iter().all(|w| w.len() <= 1000));
        assert_eq!(connection.inner.writes.concat(), body);
    }
}
