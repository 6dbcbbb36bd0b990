//! The vendors' server sides: one module per vendor, each checking requests the way that vendor
//! does and answering in its own shapes and codes. Signatures are checked with the core's own
//! signing functions (`voicecode::protocol::signing`), except Alibaba Cloud's, which the
//! simulator checks with an implementation of its own written from the vendor's document, so
//! that the client's signer is tested against an independent reading of the spec.
//! does and answering in its own shapes and codes. The older vendors' signatures are checked
//! with the core's own signing functions (`voicecode::protocol::signing`); Tencent's
//! TC3-HMAC-SHA256 check is an independent implementation from the vendor's document, so that
//! a mistake in the client's signer cannot pass its own check.
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
