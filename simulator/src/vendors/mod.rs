//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. The older vendors' signatures are checked
//! with the core's own signing functions (`voicecode::protocol::signing`); Alibaba Cloud's (the
//! RPC signature and V3 `ACS3-HMAC-SHA256`) and Tencent's TC3-HMAC-SHA256 are checked by
//! implementations of the simulator's own, written from the vendors' documents, so that a
//! mistake in the client's signer cannot pass its own check, and requests made by the vendors'
//! official SDKs are checked as the services check them.
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
