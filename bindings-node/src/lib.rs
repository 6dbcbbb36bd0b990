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
#[napi_derive::module_init]
fn init() {
    voicecode::stderr_log::init_from_env();
}
