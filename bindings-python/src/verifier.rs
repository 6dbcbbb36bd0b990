//! `Verifier`: the core's verification lifecycle (make a code, call the number with it, check
//! what the user typed) over a `Router`, with the interpreter released while it waits.
//!
//! A translation layer like `client.rs`: the config is read by `VerifierConfig::from_value`,
//! start options by `StartOptions::from_value`, and every rule (cooldowns, caps, quiet hours,
//! attempts, code format) is the core's. Blocking methods run inside `py.detach`; the
//! `*_async` methods run the same verifier's async face (`as_async`) on the tokio runtime and
//! return an `asyncio.Future`. Codes and the secret never reach a repr or an error message.

use chrono::{DateTime, Utc};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};
use serde_json::Value;
use voicecode::{Delivery, StartOptions, VerifierConfig};

use crate::client::{clients_from_list, detached, send_options, spawn, Client, Router};
use crate::convert::{py_to_json, repr_attrs, type_name};
use crate::errors::{to_exception, CoreResultExt as _};
use crate::results::{getters, to_dict, Receipt};

/// The channels argument as the core's routers, one per product: a `Router`, a `Client`, a list
/// of Routers (one per product), or a list of Clients and config dicts (grouped by product, in
/// order: SMS and voice channels together make an SMS router and a voice router).
fn routers_from_py(
    py: Python<'_>,
    channels: &Bound<'_, PyAny>,
) -> PyResult<Vec<voicecode::Router>> {
    if let Ok(router) = channels.cast::<Router>() {
        return Ok(vec![router.get().inner.clone()]);
    }
    if let Ok(client) = channels.cast::<Client>() {
        let router = voicecode::Router::from_clients(vec![client.get().inner.clone()]).py()?;
        return Ok(vec![router]);
    }
    let routers: Option<Vec<voicecode::Router>> = channels.try_iter().ok().and_then(|items| {
        items
            .map(|item| {
                item.ok()?
                    .cast::<Router>()
                    .ok()
                    .map(|r| r.get().inner.clone())
            })
            .collect()
    });
    match routers {
        Some(routers) if !routers.is_empty() => Ok(routers),
        _ => voicecode::Router::by_product(clients_from_list(py, channels)?).py(),
    }
}

/// The config dict, read by the core (a wrong or unknown key is `InvalidConfig` naming it).
fn verifier_config(config: &Bound<'_, PyAny>) -> PyResult<VerifierConfig> {
    if config.cast::<PyMapping>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "config must be a dict in the voicecode verifier schema, not {}",
            type_name(config)
        )));
    }
    VerifierConfig::from_value(py_to_json(config, "config")?).py()
}

/// `start(to, *, code=None, key=None, channel=None, **options)`'s options as the core's.
fn start_options(
    code: Option<String>,
    key: Option<String>,
    channel: Option<String>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<StartOptions> {
    let mut map = send_options("start", options)?;
    for (name, value) in [("code", code), ("key", key), ("channel", channel)] {
        if let Some(value) = value {
            map.insert(name.into(), Value::String(value));
        }
    }
    StartOptions::from_value(Value::Object(map)).py()
}

/// Makes codes, calls numbers with them and checks what users type back.
#[pyclass(frozen, module = "voicecode", name = "Verifier")]
pub struct Verifier {
    inner: voicecode::Verifier,
}

#[pymethods]
impl Verifier {
    #[new]
    fn new(
        py: Python<'_>,
        channels: &Bound<'_, PyAny>,
        config: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        crate::refresh_logging();
        let routers = routers_from_py(py, channels)?;
        let config = verifier_config(config)?;
        // Opening an SQLite file or connecting to Redis waits: release the interpreter.
        let inner = detached(py, || voicecode::Verifier::with_routers(routers, config))?;
        Ok(Verifier { inner })
    }

    #[pyo3(signature = (to, *, code=None, key=None, channel=None, **options))]
    fn start(
        &self,
        py: Python<'_>,
        to: String,
        code: Option<String>,
        key: Option<String>,
        channel: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Verification> {
        let options = start_options(code, key, channel, options)?;
        detached(py, || self.inner.start(&to, &options)).map(Verification)
    }

    #[pyo3(signature = (to, *, code=None, key=None, channel=None, **options))]
    fn start_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: Option<String>,
        key: Option<String>,
        channel: Option<String>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = start_options(code, key, channel, options)?;
        let verifier = self.inner.as_async().clone();
        spawn(py, async move {
            verifier.start(&to, &options).await.map(Verification)
        })
    }

    fn check(&self, py: Python<'_>, to: String, code: String) -> PyResult<Check> {
        detached(py, || self.inner.check(&to, &code)).map(Check)
    }

    fn check_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let verifier = self.inner.as_async().clone();
        spawn(
            py,
            async move { verifier.check(&to, &code).await.map(Check) },
        )
    }

    fn cancel(&self, py: Python<'_>, to: String) -> PyResult<()> {
        detached(py, || self.inner.cancel(&to))
    }

    fn cancel_async<'py>(&self, py: Python<'py>, to: String) -> PyResult<Bound<'py, PyAny>> {
        let verifier = self.inner.as_async().clone();
        spawn(py, async move { verifier.cancel(&to).await })
    }

    fn clear(&self, py: Python<'_>, to: String) -> PyResult<()> {
        detached(py, || self.inner.clear(&to))
    }

    fn clear_async<'py>(&self, py: Python<'py>, to: String) -> PyResult<Bound<'py, PyAny>> {
        let verifier = self.inner.as_async().clone();
        spawn(py, async move { verifier.clear(&to).await })
    }

    fn __repr__(&self) -> String {
        // Only the channels: the config holds the secret, and a Redis URL may hold a password.
        let verifier = self.inner.as_async();
        let vendors: Vec<String> = verifier
            .routers()
            .iter()
            .flat_map(|r| r.clients())
            .map(|c| format!("'{}'", c.vendor().as_str()))
            .collect();
        let workflow: Vec<String> = verifier
            .workflow()
            .iter()
            .map(|p| format!("'{p}'"))
            .collect();
        format!(
            "Verifier(vendors=[{}], workflow=[{}])",
            vendors.join(", "),
            workflow.join(", ")
        )
    }
}

/// What a check found.
#[pyclass(frozen, eq, hash, module = "voicecode", name = "Check")]
#[derive(PartialEq, Eq, Hash)]
pub struct Check(pub voicecode::Check);

getters! {
    Check {
        /// `approved`, `wrong_code`, `expired`, `too_many_attempts`, `not_found` or `canceled`.
        status: &'static str = |c| c.as_str(),
        /// True only when the code was right.
        approved: bool = |c| c.is_approved(),
        /// After a wrong code: how many more may be tried. `None` for every other status.
        attempts_left: Option<u32> = |c| match c {
            voicecode::Check::WrongCode { attempts_left } => Some(*attempts_left),
            _ => None,
        },
        /// After an approval: how the approved code was last sent (`sms` or `voice`). `None`
        /// for every other status.
        channel: Option<&'static str> = |c| match c {
            voicecode::Check::Approved { channel } => Some(channel.as_str()),
            _ => None,
        },
    }
    fn __bool__(&self) -> bool {
        self.0.is_approved()
    }
    /// The check in the core's JSON shape (`{"status": "wrong_code", "attempts_left": 2}`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_attrs(slf, "Check", &["status", "attempts_left?", "channel?"])
    }
}

/// A started verification. It never holds the code.
#[pyclass(frozen, module = "voicecode", name = "Verification")]
pub struct Verification(pub voicecode::Verification);

getters! {
    Verification {
        /// The number, in E.164.
        to: &str = |v| &v.to,
        /// How the code was sent: `sms` or `voice`.
        channel: &'static str = |v| v.channel.as_str(),
        /// When the code stops being accepted, as an aware UTC datetime.
        expires_at: DateTime<Utc> = |v| v.expires_at,
        /// Checks allowed.
        max_attempts: u32 = |v| v.max_attempts,
        /// Starts for this number since its last approved check, this one included.
        unverified_starts: u32 = |v| v.unverified_starts,
        /// `sent`, or `may_have_been_sent` when the send's outcome is unknown.
        status: &'static str = |v| match v.delivery {
            Delivery::Sent { .. } => "sent",
            Delivery::MayHaveBeenSent { .. } => "may_have_been_sent",
        },
        /// The vendor's receipt, when a vendor accepted the call.
        receipt: Option<Receipt> = |v| match &v.delivery {
            Delivery::Sent { receipt } => Some(Receipt(receipt.clone())),
            Delivery::MayHaveBeenSent { .. } => None,
        },
        /// True when the call may or may not have been placed: the code is valid all the same, so
        /// wait for the user rather than starting again.
        may_have_been_sent: bool = |v| v.may_have_been_sent(),
    }
    /// The send's error when its outcome is unknown (a new exception object on each access).
    #[getter]
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        match &self.0.delivery {
            Delivery::Sent { .. } => None,
            Delivery::MayHaveBeenSent { error } => {
                Some(to_exception(py, error).into_value(py).into_any())
            }
        }
    }
    /// The verification in the core's JSON shape (`expires_at` as RFC 3339 text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        to_dict(py, &self.0)
    }
    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_attrs(
            slf,
            "Verification",
            &[
                "to",
                "channel",
                "expires_at",
                "max_attempts",
                "unverified_starts",
                "status",
                "receipt?",
                "error?",
            ],
        )
    }
}
