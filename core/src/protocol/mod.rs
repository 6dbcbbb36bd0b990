//! The sans-IO protocol layer, for callers that bring their own HTTP stack.
//!
//! [`Channel`] turns requests into [`HttpRequest`]s and [`HttpResponse`]s into typed results,
//! with the clock and nonce injected ([`Context`]), through the vendor's `Protocol`. Below the
//! vendor modules sit the pieces they share: the trait they implement (`vendor`), checks of what
//! goes out (`checks`), the text they sign and send (`encode`) and readers of what comes back
//! (`wire`). Vendor modules depend on those, never the reverse; only [`Channel`] and the public
//! tables ([`signing`], [`codes`]) sit above the vendors (`core/tests/module_graph.rs` keeps the
//! modules free of import circles).

mod channel;
pub(crate) mod checks;
pub mod codes;
pub(crate) mod encode;
pub mod signing;
pub(crate) mod vendor;
pub(crate) mod wire;

pub use self::channel::{Channel, PreparedSend};
pub use crate::http::{Context, HttpRequest, HttpResponse, Method, Nonce};
