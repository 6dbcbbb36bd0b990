//! `Client` and `Router`: the core's clients with the interpreter released while they wait.
//!
//! Every blocking call runs inside `py.detach`, so other Python threads run meanwhile; the
//! `*_async` methods run the core's `AsyncClient` on the tokio runtime of `pyo3-async-runtimes`
//! and hand back an `asyncio.Future`, so an event loop is never blocked. The blocking client is
//! never used from that runtime (reqwest forbids it).

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyMapping, PyString};
use serde_json::Value;
use voicecode::{
    AsyncClient, ChannelConfig, SendCode, SendSmsCode, SmsPurpose, Vendor, VerifyCaptcha,
};

use crate::convert::{py_to_json, type_name};
use crate::errors::{to_exception, CoreResultExt as _};
use crate::results::{Balance, Captcha, Receipt};

/// One channel as both transports. The async client is built at once (cheap, and it checks the
/// config); the blocking one, which owns a background thread, on its first use.
pub struct Channel {
    config: ChannelConfig,
    asynch: AsyncClient,
    blocking: OnceLock<voicecode::Result<voicecode::Client>>,
}

impl Channel {
    fn new(config: ChannelConfig) -> voicecode::Result<Self> {
        let asynch = AsyncClient::new(config.clone())?;
        Ok(Channel {
            config,
            asynch,
            blocking: OnceLock::new(),
        })
    }

    /// Builds the channel with the interpreter released (loading TLS roots takes a moment).
    fn open(py: Python<'_>, config: ChannelConfig) -> PyResult<Arc<Self>> {
        py.detach(|| Channel::new(config)).map(Arc::new).py()
    }

    fn vendor(&self) -> Vendor {
        self.asynch.vendor()
    }

    /// The blocking client; call with the interpreter detached (building it starts a thread).
    fn blocking(&self) -> voicecode::Result<voicecode::Client> {
        self.blocking
            .get_or_init(|| voicecode::Client::new(self.config.clone()))
            .clone()
    }
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

/// The keyword-only options of `send_code`: the core's optional `SendCode` fields. Exported
/// (`_SEND_CODE_OPTIONS`) so that a test can hold the stub to the same list.
pub const SEND_CODE_OPTIONS: [&str; 7] = [
    "play_times",
    "user_data",
    "status_url",
    "fee_url",
    "pre_tone",
    "pos_tone",
    "return_idle_port",
];

/// `send_code(to, code, **options)` as the core's request. The options are the core's optional
/// `SendCode` fields, keyword-only; a wrong type or an unknown name is a `TypeError`, as for a
/// Python function, and nothing is sent.
fn send_code_request(
    to: String,
    code: String,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<SendCode> {
    let mut req = SendCode::new(to, code);
    for (name, value) in options.into_iter().flat_map(|o| o.iter()) {
        let name: String = name.extract()?;
        if value.is_none() {
            continue;
        }
        let text = || text_option(&name, &value);
        match name.as_str() {
            "play_times" => req.play_times = Some(play_times(&value)?),
            "user_data" => req.user_data = Some(text()?),
            "status_url" => req.status_url = Some(text()?),
            "fee_url" => req.fee_url = Some(text()?),
            "pre_tone" => req.pre_tone = Some(text()?),
            "pos_tone" => req.pos_tone = Some(text()?),
            "return_idle_port" => {
                let flag = value
                    .cast::<PyBool>()
                    .map_err(|_| wrong_type(&name, "bool", &value))?;
                req.return_idle_port = Some(flag.is_true());
            }
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "send_code() got an unexpected keyword argument '{name}'"
                )))
            }
        }
    }
    Ok(req)
}

fn wrong_type(name: &str, expected: &str, value: &Bound<'_, PyAny>) -> PyErr {
    PyTypeError::new_err(format!(
        "send_code() argument '{name}' must be {expected}, not {}",
        type_name(value)
    ))
}

fn text_option(name: &str, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let text = value
        .cast::<PyString>()
        .map_err(|_| wrong_type(name, "str", value))?;
    Ok(text.to_cow()?.into_owned())
}

fn play_times(value: &Bound<'_, PyAny>) -> PyResult<u8> {
    let n = value
        .cast::<PyInt>()
        .map_err(|_| wrong_type("play_times", "int", value))?;
    // The core's type is u8; each vendor's own range is checked by the core.
    n.extract::<u8>()
        .map_err(|_| {
            voicecode::Error::invalid_input("play_times", format!("{n} is not in 0..=255"))
        })
        .py()
}

fn sms_purpose(purpose: &str) -> voicecode::Result<SmsPurpose> {
    serde_json::from_value(Value::String(purpose.to_owned())).map_err(|_| {
        voicecode::Error::invalid_input(
            "purpose",
            format!(
                "{purpose:?} is not one of register, login, forget_password, bind_mobile, \
                 update_mobile, otp"
            ),
        )
    })
}

/// Runs a blocking core call with the interpreter released.
fn detached<T: Send>(
    py: Python<'_>,
    channel: &Channel,
    call: impl FnOnce(&voicecode::Client) -> voicecode::Result<T> + Send,
) -> PyResult<T> {
    py.detach(|| channel.blocking().and_then(|client| call(&client)))
        .py()
}

/// Runs an async core call on the tokio runtime and returns an `asyncio.Future` for it.
fn spawn<'py, T, F>(py: Python<'py>, call: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = voicecode::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        match call.await {
            Ok(value) => Ok(value),
            // Building the exception needs the interpreter: do it on a blocking thread, never
            // on a runtime worker that other calls are waiting for.
            Err(e) => {
                Err(
                    tokio::task::spawn_blocking(move || Python::attach(|py| to_exception(py, &e)))
                        .await
                        .unwrap_or_else(|e| PyRuntimeError::new_err(e.to_string())),
                )
            }
        }
    })
}

/// A client for one vendor account.
#[pyclass(frozen, module = "voicecode", name = "Client")]
pub struct Client {
    channel: Arc<Channel>,
}

#[pymethods]
impl Client {
    #[new]
    fn new(py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::refresh_logging();
        let config = config_from_py(config, "config")?;
        Ok(Client {
            channel: Channel::open(py, config)?,
        })
    }

    /// A client from a JSON (`*.json`) or TOML config file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        crate::refresh_logging();
        let config = py.detach(|| ChannelConfig::from_file(path)).py()?;
        Ok(Client {
            channel: Channel::open(py, config)?,
        })
    }

    /// The vendor behind this client.
    #[getter]
    fn vendor(&self) -> &'static str {
        self.channel.vendor().as_str()
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code(
        &self,
        py: Python<'_>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Receipt> {
        let req = send_code_request(to, code, options)?;
        detached(py, &self.channel, |c| c.send_code(&req)).map(Receipt)
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = send_code_request(to, code, options)?;
        let client = self.channel.asynch.clone();
        spawn(py, async move { client.send_code(&req).await.map(Receipt) })
    }

    fn balance(&self, py: Python<'_>) -> PyResult<Balance> {
        detached(py, &self.channel, |c| c.balance()).map(Balance)
    }

    fn balance_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.channel.asynch.clone();
        spawn(py, async move { client.balance().await.map(Balance) })
    }

    fn captcha(&self, py: Python<'_>) -> PyResult<Captcha> {
        detached(py, &self.channel, |c| c.captcha()).map(Captcha)
    }

    fn captcha_async<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.channel.asynch.clone();
        spawn(py, async move { client.captcha().await.map(Captcha) })
    }

    #[pyo3(signature = (token, x, y, mobile))]
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
        detached(py, &self.channel, |c| c.verify_captcha(&req))
    }

    #[pyo3(signature = (token, x, y, mobile))]
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
        let client = self.channel.asynch.clone();
        spawn(py, async move { client.verify_captcha(&req).await })
    }

    #[pyo3(signature = (mobile, purpose, captcha_token))]
    fn send_sms_code(
        &self,
        py: Python<'_>,
        mobile: String,
        purpose: &str,
        captcha_token: String,
    ) -> PyResult<()> {
        let req = SendSmsCode {
            mobile,
            purpose: sms_purpose(purpose).py()?,
            captcha_token,
        };
        detached(py, &self.channel, |c| c.send_sms_code(&req))
    }

    #[pyo3(signature = (mobile, purpose, captcha_token))]
    fn send_sms_code_async<'py>(
        &self,
        py: Python<'py>,
        mobile: String,
        purpose: &str,
        captcha_token: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = SendSmsCode {
            mobile,
            purpose: sms_purpose(purpose).py()?,
            captcha_token,
        };
        let client = self.channel.asynch.clone();
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
    channels: Vec<Arc<Channel>>,
    asynch: voicecode::AsyncRouter,
    blocking: OnceLock<voicecode::Result<voicecode::Router>>,
}

impl Router {
    fn blocking(&self) -> voicecode::Result<voicecode::Router> {
        self.blocking
            .get_or_init(|| {
                let clients = self
                    .channels
                    .iter()
                    .map(|c| c.blocking())
                    .collect::<voicecode::Result<Vec<_>>>()?;
                voicecode::Router::from_clients(clients)
            })
            .clone()
    }
}

#[pymethods]
impl Router {
    #[new]
    fn new(py: Python<'_>, channels: &Bound<'_, PyAny>) -> PyResult<Self> {
        crate::refresh_logging();
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
                Ok(client) => Arc::clone(&client.get().channel),
                Err(_) => {
                    let path = format!("channels[{i}]");
                    if item.cast::<PyMapping>().is_err() {
                        return Err(PyTypeError::new_err(format!(
                            "{path}: expected a Client or a config dict, not {}",
                            type_name(&item)
                        )));
                    }
                    Channel::open(py, config_from_py(&item, &path)?)?
                }
            };
            list.push(channel);
        }
        let asynch =
            voicecode::AsyncRouter::from_clients(list.iter().map(|c| c.asynch.clone()).collect())
                .py()?;
        Ok(Router {
            channels: list,
            asynch,
            blocking: OnceLock::new(),
        })
    }

    /// The vendors of the channels, in order.
    #[getter]
    fn vendors(&self) -> Vec<&'static str> {
        self.channels.iter().map(|c| c.vendor().as_str()).collect()
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code(
        &self,
        py: Python<'_>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Receipt> {
        let req = send_code_request(to, code, options)?;
        py.detach(|| self.blocking().and_then(|router| router.send_code(&req)))
            .py()
            .map(Receipt)
    }

    #[pyo3(signature = (to, code, **options))]
    fn send_code_async<'py>(
        &self,
        py: Python<'py>,
        to: String,
        code: String,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let req = send_code_request(to, code, options)?;
        let router = self.asynch.clone();
        spawn(py, async move { router.send_code(&req).await.map(Receipt) })
    }

    fn __repr__(&self) -> String {
        let vendors: Vec<String> = self.vendors().iter().map(|v| format!("'{v}'")).collect();
        format!("Router(vendors=[{}])", vendors.join(", "))
    }
}
