//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. Every check is the simulator's own, written
//! from the vendor's rules in `docs/protocols/<vendor>.md` and never borrowed from the client
//! (`tests/independence.rs` keeps it so): a mistake in the client's signer or number rules
//! cannot pass its own check, and requests made by the vendors' official SDKs are checked as
//! the services check them.
//!
//! Each vendor module depends only on the layers below it (`exchange`, `state`, `push`,
//! `journal`, `wire`, `demo`), never on this module or on another vendor.

pub(crate) mod aliyun;
pub(crate) mod cloud10658;
pub(crate) mod huawei;
pub(crate) mod ihuyi;
pub(crate) mod oneaccess;
pub(crate) mod tencent;
pub(crate) mod ytx;
