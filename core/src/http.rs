//! The sans-IO boundary: plain HTTP values in and out of the protocol layer.
//!
//! Vendor modules build an [`HttpRequest`] from a request, the clock and a nonce, and read an
//! [`HttpResponse`] into a typed result. Nothing here touches the network or the system clock,
//! so every request is reproducible byte for byte in tests.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Utc};

use crate::protocol::encode::hex_lower_into;

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
    pub url: Text,
    /// Headers in sending order; the names are the vendor's own constants.
    pub headers: Vec<(&'static str, Text)>,
    /// The body (empty for GET).
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, url: impl Into<Text>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            // Room for every vendor's headers (Tencent sends seven): one allocation.
            headers: Vec::with_capacity(8),
            body: Vec::new(),
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: impl Into<Text>) -> Self {
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

/// `Deref` to `str`, `AsRef<str>`, comparison, `Display` and `Debug`, all through the type's
/// `as_str`: for the types that hold their text in more than one way but read as one `str`.
macro_rules! reads_as_str {
    ($type:ty) => {
        impl std::ops::Deref for $type {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq for $type {
            fn eq(&self, other: &Self) -> bool {
                self.as_str() == other.as_str()
            }
        }

        impl Eq for $type {}

        impl PartialEq<str> for $type {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $type {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(self.as_str(), f)
            }
        }
    };
}

/// The text of a request's URL or of a header value, by where it comes from: borrowed when it is
/// the same for every request (content types, API versions), shared when a channel fixes it
/// (its URL, host, region: a copy counts a reference instead of copying the text), owned when
/// the request works it out (signatures, timestamps). It reads as a `str` whichever it is.
#[derive(Clone)]
pub enum Text {
    /// The same for every request.
    Static(&'static str),
    /// Fixed by a channel.
    Shared(Arc<str>),
    /// Worked out for this request.
    Owned(String),
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Text::Static(text) => text,
            Text::Shared(text) => text,
            Text::Owned(text) => text,
        }
    }
}

reads_as_str!(Text);

impl From<&'static str> for Text {
    fn from(text: &'static str) -> Self {
        Text::Static(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        Text::Owned(text)
    }
}

impl From<Arc<str>> for Text {
    fn from(text: Arc<str>) -> Self {
        Text::Shared(text)
    }
}

impl From<&Arc<str>> for Text {
    fn from(text: &Arc<str>) -> Self {
        Text::Shared(Arc::clone(text))
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

fn find_header<'a, K: AsRef<str>, V: AsRef<str>>(
    headers: &'a [(K, V)],
    name: &str,
) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// The time and randomness a request is signed with: injected so that signing is deterministic
/// under test, and taken from the system clock and a CSPRNG seeded from the OS by the clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Now, in UTC; vendors that want another zone convert it themselves.
    pub now: DateTime<Utc>,
    /// The request's nonce: [`Nonce::fresh`], or any text for a test (`"…".into()`).
    pub nonce: Nonce,
}

impl Context {
    /// The current time and a fresh nonce ([`Nonce::fresh`]).
    pub fn fresh() -> Self {
        Context {
            now: Utc::now(),
            nonce: Nonce::fresh(),
        }
    }
}

/// A request's nonce, read as a `str`: 32 lowercase hex characters from a CSPRNG, or the text
/// a test gave.
///
/// A fresh nonce is drawn the first time it is read, and kept: Tencent's, ytx's, ihuyi's and
/// cloud10658's signatures take none, and drawing one was 3 to 8 % of their build, sign and
/// parse (the micro benchmark). A clone reads what the original reads.
///
/// The bytes come from `rand`'s `ThreadRng` (ChaCha12, seeded from the OS and reseeded every
/// 64 KiB), not from a system call per request: asking the OS cost about as much as building
/// and signing the rest of a request. `ThreadRng` is not reseeded when the process forks, and
/// Huawei and Alibaba Cloud refuse a nonce they have seen, so a child process that inherited
/// its parent's generator (PHP-FPM workers, Python's `fork`) must not replay the parent's
/// nonces: the generator is reseeded from the OS in a process forked since it was last used.
pub struct Nonce(NonceText);

enum NonceText {
    /// Drawn on first read, on the stack.
    Fresh(OnceLock<[u8; 32]>),
    /// Given.
    Given(String),
}

impl Nonce {
    /// A nonce drawn from the CSPRNG when it is first read.
    pub fn fresh() -> Self {
        Nonce(NonceText::Fresh(OnceLock::new()))
    }

    /// The nonce's text, drawn now if it is fresh and was not read before.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            NonceText::Fresh(cell) => {
                let hex = cell.get_or_init(|| {
                    let mut hex = [0u8; 32];
                    hex_lower_into(&random_bytes::<16>(), &mut hex);
                    hex
                });
                std::str::from_utf8(hex).expect("hex digits are ASCII")
            }
            NonceText::Given(text) => text,
        }
    }
}

impl Clone for Nonce {
    fn clone(&self) -> Self {
        // Drawn before it is copied, so that both read the same nonce.
        self.as_str();
        Nonce(match &self.0 {
            NonceText::Fresh(cell) => NonceText::Fresh(cell.clone()),
            NonceText::Given(text) => NonceText::Given(text.clone()),
        })
    }
}

reads_as_str!(Nonce);

impl From<String> for Nonce {
    fn from(text: String) -> Self {
        Nonce(NonceText::Given(text))
    }
}

impl From<&str> for Nonce {
    fn from(text: &str) -> Self {
        Nonce(NonceText::Given(text.to_owned()))
    }
}

/// `N` bytes from a userspace CSPRNG seeded from the OS (rand's `ThreadRng`), reseeded in a
/// process forked since it was last used (see [`Context::fresh`]); nonces, verification codes
/// and verification ids come from here.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    use rand::Rng as _;
    thread_local! {
        /// The fork generation this thread's generator was last seeded in (`u32::MAX`: never).
        static SEEDED_IN: std::cell::Cell<u32> = const { std::cell::Cell::new(u32::MAX) };
    }
    let mut rng = rand::rng();
    let generation = forks::generation();
    if SEEDED_IN.with(|seeded| seeded.replace(generation)) != generation {
        // The OS generator failing means the platform cannot produce secure nonces at all.
        rng.reseed()
            .expect("the operating system's random generator failed");
    }
    let mut bytes = [0u8; N];
    rng.fill_bytes(&mut bytes);
    bytes
}

/// How many times this process's ancestry has forked since the generator was first used: a
/// counter that a `pthread_atfork` child handler bumps. Reading it is one atomic load, where
/// comparing process ids cost a `getpid` system call (about 100 ns, a tenth of a signed send).
#[cfg(unix)]
mod forks {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Once;

    static GENERATION: AtomicU32 = AtomicU32::new(0);
    static REGISTER: Once = Once::new();

    extern "C" fn in_child() {
        // Runs in the child, in the only thread fork leaves, before fork returns: nothing can
        // read the counter concurrently, and an atomic add is async-signal-safe.
        GENERATION.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn generation() -> u32 {
        REGISTER.call_once(|| {
            // SAFETY: `in_child` is an `extern "C" fn()` that lives as long as the process and
            // only touches an atomic; pthread_atfork keeps the pointer and calls it after fork.
            let status = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
            // ENOMEM only: without the handler a forked child could replay nonces.
            assert_eq!(status, 0, "pthread_atfork failed");
        });
        GENERATION.load(Ordering::Relaxed)
    }
}

/// No `fork` without unix: one generation for the process's life.
#[cfg(not(unix))]
mod forks {
    pub(super) fn generation() -> u32 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_the_same_wherever_it_comes_from() {
        let shared: Arc<str> = Arc::from("vms.tencentcloudapi.com");
        let texts = [
            Text::from("vms.tencentcloudapi.com"),
            Text::from(&shared),
            Text::from(String::from("vms.tencentcloudapi.com")),
        ];
        for text in &texts {
            assert_eq!(text, &texts[0]);
            assert_eq!(*text, "vms.tencentcloudapi.com");
            assert_eq!(text.len(), 23);
            assert_eq!(
                format!("{text} {text:?}"),
                r#"vms.tencentcloudapi.com "vms.tencentcloudapi.com""#
            );
        }
        assert_ne!(texts[0], Text::from("sms.tencentcloudapi.com"));
        // A request's copy shares the channel's text.
        assert_eq!(Arc::strong_count(&shared), 2);
    }

    #[test]
    fn fresh_contexts_carry_distinct_128_bit_hex_nonces() {
        let nonces: std::collections::HashSet<String> = (0..1000)
            .map(|_| Context::fresh().nonce.to_string())
            .collect();
        assert_eq!(nonces.len(), 1000);
        assert!(nonces
            .iter()
            .all(|n| n.len() == 32 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))));
    }

    #[test]
    fn a_fresh_nonce_is_drawn_once_and_every_clone_reads_it() {
        let nonce = Nonce::fresh();
        assert_eq!(nonce.as_str(), nonce.as_str());
        // A clone taken before the first read reads what the original then reads.
        let unread = Nonce::fresh();
        let clone = unread.clone();
        assert_eq!(clone.as_str(), unread.as_str());
        assert_ne!(Nonce::fresh(), Nonce::fresh());
        assert_eq!(Nonce::from("unused").as_str(), "unused");
        assert_eq!(format!("{:?}", Nonce::from("n1")), r#""n1""#);
    }

    #[cfg(unix)]
    #[test]
    fn a_forked_child_draws_other_bytes_than_its_parent() {
        // The parent's generator is in use before the fork, so the child inherits its state.
        let _ = random_bytes::<16>();
        let mut fds = [0; 2];
        // SAFETY: plain POSIX calls; the child only draws bytes, writes them and exits.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let pid = libc::fork();
            assert!(pid >= 0, "fork failed");
            if pid == 0 {
                let bytes = random_bytes::<16>();
                libc::write(fds[1], bytes.as_ptr().cast(), bytes.len());
                libc::_exit(0);
            }
            let parent = random_bytes::<16>();
            let mut child = [0u8; 16];
            let read = libc::read(fds[0], child.as_mut_ptr().cast(), child.len());
            libc::waitpid(pid, std::ptr::null_mut(), 0);
            assert_eq!(read, 16);
            assert_ne!(parent, child, "the child replayed its parent's bytes");
        }
    }
}
