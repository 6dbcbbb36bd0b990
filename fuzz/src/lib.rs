//! The fuzz targets' bodies: `targets.rs` for the core, `c_targets.rs` for the C ABI's JSON
//! entry points (linked from ffi-c's sources through the `voicecode_ffi` shim in `ffi/`).

pub mod c_targets;
pub mod targets;

// The C ABI's exports, which `c_targets` declares `extern "C"` as a C caller does.
extern crate voicecode_ffi;
