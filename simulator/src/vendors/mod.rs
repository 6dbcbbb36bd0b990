//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. Signatures are checked with the core's own
//! signing functions (`voicecode::protocol::signing`), never a second implementation.
//!
//! Each vendor module depends only on the layers below it (`exchange`, `state`, `push`,
//! `journal`, `wire`, `demo`), never on this module or on another vendor.

pub(crate) mod cloud10658;
pub(crate) mod huawei;
pub(crate) mod ihuyi;
pub(crate) mod oneaccess;
pub(crate) mod ytx;
