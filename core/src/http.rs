//! The sans-IO boundary: plain HTTP values in and out of the protocol layer.
//!
//! Vendor modules build an [`HttpRequest`] from a request, the clock and a nonce, and read an
//! [`HttpResponse`] into a typed result. Nothing here touches the network or the system clock,
//! so every request is reproducible byte for byte in tests.

use chrono::{DateTime, Utc};

use crate::protocol::encode::hex_lower;

/// HTTP methods the vendors use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "UPPERCASE")]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A request ready to be sent.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Headers in sending order; the names are the vendor's own constants.
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for GET).
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, url: String) -> Self {
        HttpRequest {
            method,
            url,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first header of that name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The URL without its query string: what can be logged (ytx puts its signature in the query).
    pub fn url_without_query(&self) -> &str {
        self.url.split('?').next().unwrap_or(&self.url)
    }
}

/// Requests carry signatures and, for cloud10658, the app key in the body: `Debug` shows only
/// the method and the URL without its query.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url_without_query())
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// An answer as received.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Headers as received.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// An answer with a status and a body, no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// The first header of that name (case-insensitive).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

fn find_header<'a, K: AsRef<str>>(headers: &'a [(K, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The time and randomness a request is signed with: injected so that signing is deterministic
/// under test, and taken from the system clock and a CSPRNG seeded from the OS by the clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Now, in UTC; vendors that want another zone convert it themselves.
    pub now: DateTime<Utc>,
    /// 32 lowercase hex characters from a cryptographically secure generator.
    pub nonce: String,
}

impl Context {
    /// The current time and a fresh nonce.
    ///
    /// The nonce comes from `rand`'s `ThreadRng` (ChaCha12, seeded from the OS and reseeded
    /// every 64 KiB), not from a system call per request: asking the OS cost about as much as
    /// building and signing the rest of a request. `ThreadRng` is not reseeded when the process
    /// forks, and Huawei and Alibaba Cloud refuse a nonce they have seen, so a child process
    /// that inherited its parent's generator (PHP-FPM workers, Python's `fork`) must not replay
    /// the parent's nonces: the generator is reseeded from the OS whenever the process id
    /// differs from the one it was last seeded in.
    pub fn fresh() -> Self {
        Context {
            now: Utc::now(),
            nonce: hex_lower(&random_bytes::<16>()),
        }
    }
}

/// `N` bytes from a userspace CSPRNG seeded from the OS (rand's `ThreadRng`), reseeded in a
/// process forked since it was last used (see [`Context::fresh`]); nonces, verification codes
/// and verification ids come from here.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::Rng as _;
    thread_local! {
        /// The process this thread's generator was last seeded in (0: not yet checked).
        static SEEDED_IN: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    }
    let mut rng = rand::rng();
    let pid = std::process::id();
    if SEEDED_IN.with(|seeded| seeded.replace(pid)) != pid {
        // The OS generator failing means the platform cannot produce secure nonces at all.
        rng.reseed()
            .expect("the operating system's random generator failed");
    }
    let mut bytes = [0u8; N];
    rng.fill_bytes(&mut bytes);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_contexts_carry_distinct_128_bit_hex_nonces() {
        let nonces: std::collections::HashSet<String> =
            (0..1000).map(|_| Context::fresh().nonce).collect();
        assert_eq!(nonces.len(), 1000);
        assert!(nonces
            .iter()
            .all(|n| n.len() == 32 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))));
    }
}
