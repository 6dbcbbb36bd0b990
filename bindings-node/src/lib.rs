//! voicecode for Node.js: a thin napi-rs layer over the `voicecode` core.
//!
//! Everything a caller can observe — the config and request schema, validation, the vendors'
//! protocols, failover, the error taxonomy — is the core's; this crate only moves values between
//! JavaScript and the core ([`convert`]), turns core errors into `VoiceCodeError`s ([`error`]),
//! and runs network calls on napi's tokio runtime ([`client`], [`verifier`]). `index.js` is the
//! package's entry point: it loads this addon and defines the `VoiceCodeError` class.

pub mod callbacks;
pub mod client;
pub mod convert;
pub mod error;
pub mod testing;
pub mod verifier;

/// JavaScript has no logging the core could hand records to: `VOICECODE_LOG=debug` (or `trace`,
/// `info`, …) in the environment writes them to standard error, as the C ABI does.
///
/// Network calls run on a runtime of one worker thread rather than napi's default of one per
/// core: a send's future and the connection it drives then share that worker, so a send wakes
/// two threads (the worker, then the JavaScript thread) instead of hopping between workers.
/// The work on the worker is I/O and microseconds of signing per send, which one thread
/// carries far past any vendor's rate limit; `…Sync` calls drive their own futures.
#[napi_derive::module_init]
fn init() {
    voicecode::stderr_log::init_from_env();
    // Without a runtime of its own the addon keeps napi's default one.
    if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("voicecode-io")
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}
