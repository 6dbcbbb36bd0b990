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

/// A result class's `#[pymethods]`: one getter per row (`name: type = |r| value`, `r` being the
/// core's struct, the row's doc comment the Python help text), then its other methods as written.
macro_rules! getters {
    ($class:ident {
        $($(#[doc = $doc:literal])* $name:ident: $ty:ty = |$r:ident| $value:expr,)*
    } $($methods:tt)*) => {
        #[pymethods]
        impl $class {
            $(
                $(#[doc = $doc])*
                #[getter]
                fn $name(&self) -> $ty {
                    let $r = &self.0;
                    $value
                }
            )*
            $($methods)*
        }
    };
}
pub(crate) use getters;

/// The vendor accepted the call.
#[pyclass(frozen, eq, module = "voicecode", name = "Receipt")]
#[derive(PartialEq)]
pub struct Receipt(pub CoreReceipt);

getters! {
    Receipt {
        /// Who accepted the call.
        vendor: &'static str = |r| r.vendor.as_str(),
        /// The vendor's id for the call; call-status events carry the same id.
        message_id: &str = |r| &r.message_id,
        /// The vendor's success code, verbatim.
        vendor_code: &str = |r| &r.vendor_code,
        /// The vendor's success message, verbatim.
        vendor_message: &str = |r| &r.vendor_message,
        /// cloud10658: units left after this send.
        remaining: Option<u64> = |r| r.remaining,
        /// huawei: idle call ports, when `return_idle_port` was asked.
        idle_ports: Option<u32> = |r| r.idle_ports,
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

getters! {
    Balance {
        /// Whose account.
        vendor: &'static str = |r| r.vendor.as_str(),
        /// The amount as the vendor wrote it: a decimal string, never rounded to a float.
        amount: &str = |r| &r.amount,
        /// `"yuan"` (money) or `"units"` (calls or points left).
        unit: &'static str = |r| r.unit.as_str(),
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

getters! {
    Captcha {
        /// Identifies this captcha in `verify_captcha`.
        token: &str = |r| &r.token,
        /// The background image (PNG, Base64).
        original_image_base64: &str = |r| &r.original_image_base64,
        /// The slider piece (PNG, Base64).
        jigsaw_image_base64: &str = |r| &r.jigsaw_image_base64,
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

getters! {
    CallEvent {
        /// Who sent it.
        vendor: &'static str = |r| r.vendor.as_str(),
        /// The receipt's `message_id`.
        message_id: &str = |r| &r.message_id,
        /// The called number, as the vendor wrote it.
        phone: Option<&str> = |r| r.phone.as_deref(),
        /// What happened: dialing, ringing, answered, hangup, delivered, failed or fee.
        event: &'static str = |r| r.event.as_str(),
        /// When, as an aware UTC datetime.
        at: Option<DateTime<Utc>> = |r| r.at,
        /// Huawei hang-up cause, cloud10658 gateway code or aliyun status_code, kept as the vendor
        /// sent it.
        state_code: Option<i64> = |r| r.state_code,
        /// The vendor's description of the state.
        state_desc: Option<&str> = |r| r.state_desc.as_deref(),
        /// Seconds of conversation, where the vendor reports it.
        talk_seconds: Option<u64> = |r| r.talk_seconds,
        /// The `user_data` given at send time (huawei).
        user_data: Option<&str> = |r| r.user_data.as_deref(),
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
