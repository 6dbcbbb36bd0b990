//! The fuzz targets' bodies; see `targets.rs`. `c_targets.rs` (the C ABI's JSON entry points) is
//! replayed by ffi-c's own unit tests: an rlib of the ABI would share the core's library name.

pub mod targets;
