//! The fuzz targets' bodies; see `targets.rs` and `c_targets.rs`.

// Links the C ABI's symbols, which c_targets declares as a C caller does.
extern crate ffi;

pub mod c_targets;
pub mod targets;
