//! Call-status pushes: the core's parser, Huawei push verifier and de-duplicator. The Python
//! module `voicecode.callbacks` adapts framework header objects and bodies before calling these.

use std::time::Duration;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use voicecode::callbacks;
use voicecode::Vendor;

use crate::convert::py_to_json;
use crate::errors::CoreResultExt as _;
use crate::results::CallEvent;

/// Headers as pairs (`voicecode.callbacks` turns framework header objects into lists), in the
/// core's one header shape; a wrong type is a `TypeError`, as for a Python function.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    callbacks::header_pairs("headers", py_to_json(headers, "headers")?)
        .map_err(|e| PyTypeError::new_err(e.to_string()))
}

/// Parses a push body into events, in the vendor's order.
#[pyfunction]
pub fn parse_push(
    vendor: &str,
    headers: &Bound<'_, PyAny>,
    body: &[u8],
) -> PyResult<Vec<CallEvent>> {
    let vendor = Vendor::from_arg(vendor).py()?;
    let events = callbacks::parse(vendor, &header_pairs(headers)?, body).py()?;
    Ok(events.into_iter().map(CallEvent).collect())
}

/// How to acknowledge `vendor`'s pushes: `(body, content_type)` for HTTP 200, or `None` for a
/// vendor that sends none.
#[pyfunction]
pub fn push_ack(vendor: &str) -> PyResult<Option<(&'static str, &'static str)>> {
    let vendor = Vendor::from_arg(vendor).py()?;
    Ok(callbacks::push_ack(vendor).map(|ack| (ack.body, ack.content_type)))
}

/// Authenticates Huawei pushes to one status (or fee) URL; remembers accepted nonces, so share
/// one verifier between requests.
#[pyclass(frozen, module = "voicecode.callbacks", name = "HuaweiPushVerifier")]
pub struct HuaweiPushVerifier {
    inner: callbacks::HuaweiPushVerifier,
}

#[pymethods]
impl HuaweiPushVerifier {
    #[new]
    #[pyo3(signature = (app_secret, url, *, window_seconds=300.0))]
    fn new(app_secret: String, url: String, window_seconds: f64) -> PyResult<Self> {
        let window = Duration::try_from_secs_f64(window_seconds).map_err(|_| {
            PyValueError::new_err(format!(
                "window_seconds must be a non-negative number of seconds, not {window_seconds}"
            ))
        })?;
        Ok(HuaweiPushVerifier {
            inner: callbacks::HuaweiPushVerifier::new(app_secret, url).with_window(window),
        })
    }

    /// Checks a push's headers; raises `AuthFailed` when they are not genuine or are replayed.
    fn verify(&self, headers: &Bound<'_, PyAny>) -> PyResult<()> {
        self.inner.verify(&header_pairs(headers)?).py()
    }

    fn __repr__(&self) -> &'static str {
        "HuaweiPushVerifier(app_secret=***)"
    }
}

/// Checks a Huawei SMS status report's SDK-HMAC-SHA256 signature (推送AKSK鉴权 on); raises
/// `AuthFailed` when it is unsigned, forged or stale.
#[pyfunction]
#[pyo3(signature = (headers, body, *, url, app_key, app_secret, window_seconds=900.0))]
pub fn verify_huawei_report(
    headers: &Bound<'_, PyAny>,
    body: &[u8],
    url: &str,
    app_key: &str,
    app_secret: String,
    window_seconds: f64,
) -> PyResult<()> {
    let window = Duration::try_from_secs_f64(window_seconds).map_err(|_| {
        PyValueError::new_err(format!(
            "window_seconds must be a non-negative number of seconds, not {window_seconds}"
        ))
    })?;
    let verifier = callbacks::HuaweiReportVerifier::new(app_key, app_secret, url).py()?;
    verifier
        .with_window(window)
        .verify(&header_pairs(headers)?, body)
        .py()
}

/// Remembers which events were handled, so that repeated pushes are handled once.
#[pyclass(frozen, module = "voicecode.callbacks", name = "Deduplicator")]
pub struct Deduplicator {
    inner: callbacks::Deduplicator,
}

#[pymethods]
impl Deduplicator {
    #[new]
    #[pyo3(signature = (capacity=100_000))]
    fn new(capacity: usize) -> Self {
        Deduplicator {
            inner: callbacks::Deduplicator::new(capacity),
        }
    }

    /// True the first time an event (vendor, message id, kind) is seen, False for repeats.
    fn first_time(&self, event: PyRef<'_, CallEvent>) -> bool {
        self.inner.first_time(&event.0)
    }
}
