//! The voicecode C ABI: `libvoicecode.so` / `libvoicecode.a` and `include/voicecode.h`.
//!
//! A thin layer over the `voicecode` crate for PHP, Java and C/C++ programs: requests and
//! results cross the boundary as JSON in the core's own schema (`SendCode`, `ChannelConfig`,
//! `Receipt`, `Balance`, the error object), so no vendor logic or validation lives here.
//!
//! Conventions (the same for every export, enforced by `boundary`):
//! - Every fallible function returns a [`vc_result`]; its outputs go through out-parameters
//!   placed last, written only on success. The optional last parameter `vc_error **err_out`
//!   receives a detail object only on failure.
//! - Every object handed out has exactly one free function: `vc_client_free`,
//!   `vc_router_free`, `vc_verifier_free`, `vc_error_free`, `vc_string_free`, ….
//! - `const` pointers are never mutated; objects documented as thread-safe may be shared by
//!   any number of threads through a `const` pointer.
//! - No panic crosses the boundary: one is reported as `VC_RESULT_INTERNAL`.
//! - On Unix the first fallible call sets SIGPIPE to ignored when it still has its default
//!   action (ending the process when a peer closes a connection during a write); a handler of
//!   the program's own is left alone. `VOICECODE_LOG=debug` (or `trace`, `info`, `warn`,
//!   `error`) writes the library's log records to standard error.

// The exported names are C names (`vc_client`, `vc_result`), not Rust ones.
#![allow(non_camel_case_types)]

mod boundary;
mod callback;
mod client;
mod error;
#[cfg(feature = "simulator")]
mod sim;
mod verifier;

use std::ffi::c_char;

pub use callback::{vc_deduplicator, vc_huawei_verifier};
pub use client::{vc_client, vc_router};
pub use error::{vc_error, vc_outcome, vc_result};
pub use verifier::{vc_check, vc_verifier};

// The header's `VC_VERSION` string ("MAJOR.MINOR.PATCH") is written by `cbindgen.toml`
// (`after_includes`); ffi-c/test.sh checks it and these against Cargo.toml.

/// The major version: the C ABI changes incompatibly only when it does.
pub const VC_VERSION_MAJOR: u32 = 0;
/// The minor version.
pub const VC_VERSION_MINOR: u32 = 1;
/// The patch version.
pub const VC_VERSION_PATCH: u32 = 0;

/// The version of the library that is actually loaded, e.g. `"0.1.0"`; compare it with
/// `VC_VERSION` (the header's version) to detect a mismatched library.
///
/// Ownership: a static string; never free it. Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_version() -> *const c_char {
    boundary::guard(std::ptr::null(), || {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// Frees a string returned by this library through a `char **` out-parameter (receipts,
/// balances, events, …). Passing NULL does nothing.
///
/// Ownership: takes back ownership; `s` must not be used afterwards, nor freed twice. Never
/// pass a string this library did not allocate, nor one from `vc_error_message` and the other
/// accessors (those belong to their object). Thread-safety: any thread may free a string.
#[no_mangle]
pub extern "C" fn vc_string_free(s: *mut c_char) {
    boundary::free_string(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn header_version_defines_match_the_crate_version() {
        assert_eq!(
            VC_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            VC_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            VC_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        // SAFETY: `vc_version` returns a static NUL-terminated string.
        let loaded = unsafe { CStr::from_ptr(vc_version()) };
        assert_eq!(loaded.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}

/// The `c_json` fuzz target (fuzz/src/c_targets.rs), compiled here to replay its committed
/// corpus (fuzz/corpus/c_json/) as an ordinary test.
#[cfg(test)]
#[path = "../../fuzz/src/c_targets.rs"]
mod fuzz_c_targets;

#[cfg(test)]
mod fuzz_replay {
    #[test]
    fn the_c_json_fuzz_corpus_replays_without_a_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/c_json");
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a corpus entry").path())
            .collect();
        assert!(!files.is_empty());
        for file in &files {
            let input = std::fs::read(file).expect("a corpus file");
            let outcome = std::panic::catch_unwind(|| super::fuzz_c_targets::c_json(&input));
            assert!(outcome.is_ok(), "c_json panics on {}", file.display());
        }
        println!("fuzz corpus c_json: {} inputs replayed", files.len());
    }
}
