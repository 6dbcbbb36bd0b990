//! `Client` and `Router`: the core's clients with the interpreter released while they wait.
//!
//! Every blocking call runs inside `py.detach`, so other Python threads run meanwhile; the
//! `*_async` methods run the same client's async face (`as_async`) on a tokio runtime and hand
//! back an `asyncio.Future` (`crate::aio`), so an event loop is never blocked. Each face keeps
//! one connection pool per channel.

use std::future::Future;
use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyMapping, PyString};
use serde_json::{json, Map, Value};
use voicecode::model::OptionType;
use voicecode::{ChannelConfig, SendCode, SendOptions, SendSmsCode, VerifyCaptcha};

pub(crate) use crate::aio::spawn;
use crate::convert::{py_to_json, type_name};
use crate::errors::CoreResultExt as _;
use crate::results::{Balance, Captcha, Receipt};

/// Builds a client with the interpreter released (loading TLS roots takes a moment).
fn open(py: Python<'_>, config: ChannelConfig) -> PyResult<voicecode::Client> {
    py.detach(|| voicecode::Client::new(config)).py()
}

/// A config dict in the core's schema as a validated channel config.
fn config_from_py(config: &Bound<'_, PyAny>, path: &str) -> PyResult<ChannelConfig> {
    if config.cast::<PyMapping>().is_err() {
        return Err(PyTypeError::new_err(format!(
            "{path} must be a dict in the voicecode config schema (or use Client.from_file), not {}",
            type_name(config)
        )));
    }
    ChannelConfig::from_value(py_to_json(config, path)?).py()
}

/// `send_code(to, code, **options)` as the core's request. The options are the core's
/// [`SendOptions::FIELDS`], keyword-only; the core reads the rest.
fn send_code_request(
    to: String,
    code: String,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<SendCode> {
    let mut request = send_options("send_code", options)?;
    request.insert("to".into(), Value::String(to));
    request.insert("code".into(), Value::String(code));
    voicecode::model::from_value("request", Value::Object(request)).py()
}

/// `send_code(to, code, **options)` of a `Client` or `Router`: `send` on the blocking face,
/// with the interpreter released.
fn send_now(
    py: Python<'_>,
    to: String,
    code: String,
    options: Option<&Bound<'_, PyDict>>,
    send: impl FnOnce(&SendCode) -> voicecode::Result<voicecode::Receipt> + Send,
) -> PyResult<Receipt> {
    let req = send_code_request(to, code, options)?;
    detached(py, || send(&req)).map(Receipt)
}

/// `send_code_async(to, code, **options)` of a `Client` or `Router`: the future `send` makes on
/// the async face, as an `asyncio.Future`.
fn send_later<'py, F>(
    py: Python<'py>,
    to: String,
    code: String,
    options: Option<&Bound<'_, PyDict>>,
    send: impl FnOnce(SendCode) -> F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = voicecode::Result<voicecode::Receipt>> + Send + 'static,
{
    let sending = send(send_code_request(to, code, options)?);
    spawn(py, async move { sending.await.map(Receipt) })
}

/// The keyword-only send options of `function` (`send_code`, `start`: the core's
/// [`SendOptions::FIELDS`]) as a JSON object, leaving out those given as `None`. A wrong Python
/// type or an unknown name is a `TypeError`, as for a Python function, and nothing is sent;
/// the core then checks the values.
pub(crate) fn send_options(
    function: &str,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Map<String, Value>> {
    let mut map = Map::new();
    for (name, value) in options.into_iter().flat_map(|o| o.iter()) {
        let name: String = name.extract()?;
        if value.is_none() {
            continue;
        }
        let Some(&(_, ty)) = SendOptions::FIELDS.iter().find(|(n, _)| *n == name) else {
            return Err(PyTypeError::new_err(format!(
                "{function}() got an unexpected keyword argument '{name}'"
            )));
        };
        let json = option_value(function, &name, ty, &value)?;
        map.insert(name, json);
    }
    Ok(map)
}

/// One option of `function` as JSON, once its Python type is the one the core's type needs.
fn option_value(
    function: &str,
    name: &str,
    ty: OptionType,
    value: &Bound<'_, PyAny>,
) -> PyResult<Value> {
    let (expected, fits) = match ty {
        OptionType::Text => ("str", value.is_instance_of::<PyString>()),
        // bool is a subclass of int in Python, but no count.
        OptionType::Count => (
            "int",
            value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>(),
        ),
        OptionType::Flag => ("bool", value.is_instance_of::<PyBool>()),
    };
    if !fits {
        return Err(PyTypeError::new_err(format!(
            "{function}() argument '{name}' must be {expected}, not {}",
            type_name(value)
        )));
    }
    match py_to_json(value, name) {
        Ok(json) => Ok(json),
        // An integer past 64 bits is out of every count's range: the core's error, not Python's.
        Err(_) => Err(voicecode::Error::invalid_input(
            name,
            format!("{value} is out of range"),
        ))
        .py(),
    }
}

/// Runs a blocking core call with the interpreter released.
pub(crate) fn detached<T: Send>(
    py: Python<'_>,
    call: impl FnOnce() -> voicecode::Result<T> + Send,
) -> PyResult<T> {
    py.detach(call).py()
}

/// A client for one vendor account.
#[pyclass(frozen, module = "voicecode", name = "Client")]
pub struct Client {
    pub(crate) inner: voicecode::Client,
}

#[pymethods]
impl Client {
    #[new]
    fn new(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::refresh_logging();
        let config = config_from_py(config, "config")?;
        Ok(Client {
            inner: open(py, config)?,
        })
    }

    /// A client from a JSON (`*.json`) or TOML config file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        crate::refresh_logging();
        let config = py.detach(|| ChannelConfig::from_file(path)).py()?;
        Ok(Client {
            inner: open(py, config)?,
        })
    }

    /// The vendor behind this client.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.inner.vendor().as_str()
    }

    /// What this client sends: `voice` or `sms`.
    #[getter]
    fn product(&self) -> &'static str {
        self.inner.product().as_str()
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code(
        &self,
        py: Python<'_>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Receipt> {
        send_now(py, to, code, options, |req| self.inner.send_code(req))
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.as_async().clone();
        send_later(py, to, code, options, |req| async move {
            client.send_code(&req).await
        })
    }

    fn balance(&self, py: Python<'_>) -> PyResult<Balance> {
        detached(py, || self.inner.balance()).map(Balance)
    }

    fn balance_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.as_async().clone();
        spawn(py, async move { client.balance().await.map(Balance) })
    }

    fn captcha(&self, py: Python<'_>) -> PyResult<Captcha> {
        detached(py, || self.inner.captcha()).map(Captcha)
    }

    fn captcha_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.as_async().clone();
        spawn(py, async move { client.captcha().await.map(Captcha) })
    }

    fn verify_captcha(
        &self,
        py: Python<'_>,
        token: String,
        x: f64,
        y: f64,
        mobile: String,
    ) -> PyResult<String> {
        let req = VerifyCaptcha {
            token,
            x,
            y,
            mobile,
        };
        detached(py, || self.inner.verify_captcha(&req))
    }

    fn verify_captcha_async<'py>(
        &self,
        py: Python<'py>,
        token: String,
        x: f64,
        y: f64,
        mobile: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = VerifyCaptcha {
            token,
            x,
            y,
            mobile,
        };
        let client = self.inner.as_async().clone();
        spawn(py, async move { client.verify_captcha(&req).await })
    }

    fn send_sms_code(
        &self,
        py: Python<'_>,
        mobile: String,
        purpose: String,
        captcha_token: String,
    ) -> PyResult<()> {
        let req = sms_request(mobile, purpose, captcha_token)?;
        detached(py, || self.inner.send_sms_code(&req))
    }

    fn send_sms_code_async<'py>(
        &self,
        py: Python<'py>,
        mobile: String,
        purpose: String,
        captcha_token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = sms_request(mobile, purpose, captcha_token)?;
        let client = self.inner.as_async().clone();
        spawn(py, async move { client.send_sms_code(&req).await })
    }

    fn __repr__(&self) -> String {
        // Only the vendor: the config holds the credentials.
        format!("Client(vendor='{}')", self.vendor())
    }
}

/// Channels in order of preference, with the core's failover rules.
#[pyclass(frozen, module = "voicecode", name = "Router")]
pub struct Router {
    pub(crate) inner: voicecode::Router,
}

#[pymethods]
impl Router {
    #[new]
    fn new(py: Python<'_>, channels: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::refresh_logging();
        Ok(Router {
            inner: router_from_list(py, channels)?,
        })
    }

    /// The vendors of the channels, in order.
    #[getter]
    fn vendors(&self) -> Vec<&'static str> {
        self.inner
            .clients()
            .iter()
            .map(|c| c.vendor().as_str())
            .collect()
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code(
        &self,
        py: Python<'_>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Receipt> {
        send_now(py, to, code, options, |req| self.inner.send_code(req))
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let router = self.inner.as_async().clone();
        send_later(py, to, code, options, |req| async move {
            router.send_code(&req).await
        })
    }

    fn __repr__(&self) -> String {
        let vendors: Vec<String> = self.vendors().iter().map(|v| format!("'{v}'")).collect();
        format!("Router(vendors=[{}])", vendors.join(", "))
    }
}

/// A list of `Client`s and config dicts as the core's router, in order.
pub(crate) fn router_from_list(
    py: Python<'_>,
    channels: &Bound<'_, PyAny>,
) -> PyResult<voicecode::Router> {
    voicecode::Router::from_clients(clients_from_list(py, channels)?).py()
}

/// A list of Clients and config dicts as the core's clients, in order.
pub(crate) fn clients_from_list(
    py: Python<'_>,
    channels: &Bound<'_, PyAny>,
) -> PyResult<Vec<voicecode::Client>> {
    if channels.is_instance_of::<PyString>() || channels.cast::<PyMapping>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "channels must be a list of Clients or config dicts, not {}",
            type_name(channels)
        )));
    }
    let mut list = Vec::new();
    for (i, item) in channels.try_iter()?.enumerate() {
        let item = item?;
        let channel = match item.cast::<Client>() {
            Ok(client) => client.get().inner.clone(),
            Err(_) => {
                let path = format!("channels[{i}]");
                if item.cast::<PyMapping>().is_err() {
                    return Err(PyTypeError::new_err(format!(
                        "{path}: expected a Client or a config dict, not {}",
                        type_name(&item)
                    )));
                }
                open(py, config_from_py(&item, &path)?)?
            }
        };
        list.push(channel);
    }
    Ok(list)
}

/// `send_sms_code`'s arguments as the core's request; the core reads `purpose`.
fn sms_request(mobile: String, purpose: String, captcha_token: String) -> PyResult<SendSmsCode> {
    let request = json!({"mobile": mobile, "purpose": purpose, "captcha_token": captcha_token});
    voicecode::model::from_value("request", request).py()
}
