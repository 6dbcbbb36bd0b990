//! What the core returns, as immutable Python objects: attributes, `to_dict()` (the core's own
//! serde shape) and a repr that shows no secret (results hold none; captcha images are shown by
//! length only).

use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use voicecode::callbacks::CallEvent as CoreCallEvent;
use voicecode::{Balance as CoreBalance, Captcha as CoreCaptcha, Receipt as CoreReceipt};

use crate::convert::{repr_attrs, to_py};

pub(crate) fn to_dict<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyDict>> {
    Ok(to_py(py, value)?.cast_into::<PyDict>()?)
}

/// The vendor accepted the call.
#[pyclass(frozen, eq, module = "voicecode", name = "Receipt")]
#[derive(PartialEq)]
pub struct Receipt(pub CoreReceipt);

#[pymethods]
impl Receipt {
    /// Who accepted the call.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.0.vendor.as_str()
    }
    /// The vendor's id for the call; call-status events carry the same id.
    #[getter]
    fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// The vendor's success code, verbatim.
    #[getter]
    fn vendor_code(&self) -> &str {
        &self.0.vendor_code
    }
    /// The vendor's success message, verbatim.
    #[getter]
    fn vendor_message(&self) -> &str {
        &self.0.vendor_message
    }
    /// cloud10658: units left after this send.
    #[getter]
    fn remaining(&self) -> Option<u64> {
        self.0.remaining
    }
    /// huawei: idle call ports, when `return_idle_port` was asked.
    #[getter]
    fn idle_ports(&self) -> Option<u32> {
        self.0.idle_ports
    }
    /// The receipt in the core's JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_attrs(
            slf,
            "Receipt",
            &[
                "vendor",
                "message_id",
                "vendor_code",
                "vendor_message",
                "remaining",
                "idle_ports",
            ],
        )
    }
}

/// An account balance.
#[pyclass(frozen, eq, module = "voicecode", name = "Balance")]
#[derive(PartialEq)]
pub struct Balance(pub CoreBalance);

#[pymethods]
impl Balance {
    /// Whose account.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.0.vendor.as_str()
    }
    /// The amount as the vendor wrote it: a decimal string, never rounded to a float.
    #[getter]
    fn amount(&self) -> &str {
        &self.0.amount
    }
    /// `"yuan"` (money) or `"units"` (calls or points left).
    #[getter]
    fn unit(&self) -> &'static str {
        self.0.unit.as_str()
    }
    /// The balance in the core's JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_attrs(slf, "Balance", &["vendor", "amount", "unit"])
    }
}

/// A OneAccess slider captcha to show to the user.
#[pyclass(frozen, eq, module = "voicecode", name = "Captcha")]
#[derive(PartialEq)]
pub struct Captcha(pub CoreCaptcha);

#[pymethods]
impl Captcha {
    /// Identifies this captcha in `verify_captcha`.
    #[getter]
    fn token(&self) -> &str {
        &self.0.token
    }
    /// The background image (PNG, Base64).
    #[getter]
    fn original_image_base64(&self) -> &str {
        &self.0.original_image_base64
    }
    /// The slider piece (PNG, Base64).
    #[getter]
    fn jigsaw_image_base64(&self) -> &str {
        &self.0.jigsaw_image_base64
    }
    /// The captcha in the core's JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(&self) -> String {
        let c = &self.0;
        format!(
            "Captcha(token=<{} chars>, original_image_base64=<{} chars>, jigsaw_image_base64=<{} chars>)",
            c.token.len(),
            c.original_image_base64.len(),
            c.jigsaw_image_base64.len()
        )
    }
}

/// One call event from a vendor's push, whatever the vendor.
#[pyclass(frozen, eq, module = "voicecode.callbacks", name = "CallEvent")]
#[derive(PartialEq)]
pub struct CallEvent(pub CoreCallEvent);

#[pymethods]
impl CallEvent {
    /// Who sent it.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.0.vendor.as_str()
    }
    /// The receipt's `message_id`.
    #[getter]
    fn message_id(&self) -> &str {
        &self.0.message_id
    }
    /// The called number, as the vendor wrote it.
    #[getter]
    fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// What happened: dialing, ringing, answered, hangup, delivered, failed or fee.
    #[getter]
    fn event(&self) -> &'static str {
        self.0.event.as_str()
    }
    /// When, as an aware UTC datetime.
    #[getter]
    fn at(&self) -> Option<DateTime<Utc>> {
        self.0.at
    }
    /// Huawei hang-up cause, cloud10658 gateway code or aliyun status_code, kept as the vendor
    /// sent it.
    #[getter]
    fn state_code(&self) -> Option<i64> {
        self.0.state_code
    }
    /// The vendor's description of the state.
    #[getter]
    fn state_desc(&self) -> Option<&str> {
        self.0.state_desc.as_deref()
    }
    /// Seconds of conversation, where the vendor reports it.
    #[getter]
    fn talk_seconds(&self) -> Option<u64> {
        self.0.talk_seconds
    }
    /// The `user_data` given at send time (huawei).
    #[getter]
    fn user_data(&self) -> Option<&str> {
        self.0.user_data.as_deref()
    }
    /// Every field of the push as received (a new dict on each access).
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0.raw)
    }
    /// The event in the core's JSON shape (`at` as RFC 3339 text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_attrs(
            slf,
            "CallEvent",
            &["vendor", "message_id", "event", "phone", "at", "state_code"],
        )
    }
}
