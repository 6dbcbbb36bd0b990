//! The vendor simulator (`voicecode-sim`) in-process, for `voicecode.testing`.
//!
//! The simulator serves from its own thread and logs through the same bridge as the core, which
//! needs the interpreter; every call that takes the simulator's lock or waits for its thread
//! therefore releases the interpreter first, so the two can never wait for each other.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::json;
use voicecode::protocol::codes;
use voicecode::{Outcome, Product, Vendor};
use voicecode_sim::{demo, CallOutcome, FaultSpec, Operation, SimOptions};

use crate::convert::to_py;
use crate::errors::CoreResultExt as _;

fn vendor(name: &str) -> PyResult<Vendor> {
    Vendor::from_arg(name).py()
}

fn operation(name: &str) -> PyResult<Operation> {
    name.parse::<Operation>().map_err(PyValueError::new_err)
}

/// A running simulator of every vendor on 127.0.0.1.
#[pyclass(frozen, module = "voicecode.testing", name = "_Simulator")]
pub struct Simulator {
    running: Mutex<Option<voicecode_sim::Simulator>>,
    base_url: String,
    port: u16,
}

impl Simulator {
    /// Runs `f` on the running simulator with the interpreter released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&voicecode_sim::Simulator) -> T + Send,
    ) -> PyResult<T> {
        py.detach(|| self.lock().as_ref().map(f))
            .ok_or_else(|| PyRuntimeError::new_err("the simulator is closed"))
    }

    /// The simulator, `None` once closed. The only change made under this lock is taking it
    /// out, which a panic cannot leave half-done, so a poisoned lock is used as it is.
    fn lock(&self) -> MutexGuard<'_, Option<voicecode_sim::Simulator>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl Simulator {
    #[new]
    #[pyo3(signature = (
        *, port=0, balances=None, cloud10658_receipt_url=None, aliyun_report_url=None,
        tencent_callback_url=None
    ))]
    fn new(
        py: Python<'_>,
        port: u16,
        balances: Option<HashMap<String, u64>>,
        cloud10658_receipt_url: Option<String>,
        aliyun_report_url: Option<String>,
        tencent_callback_url: Option<String>,
    ) -> PyResult<Self> {
        let options = json!({
            "port": port,
            "balances": balances.unwrap_or_default(),
            "cloud10658_receipt_url": cloud10658_receipt_url,
            "aliyun_report_url": aliyun_report_url,
            "tencent_callback_url": tencent_callback_url,
        });
        let options: SimOptions = voicecode::model::from_value("options", options).py()?;
        let sim = py
            .detach(|| voicecode_sim::Simulator::start(options))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(Simulator {
            base_url: sim.base_url(),
            port: sim.port(),
            running: Mutex::new(Some(sim)),
        })
    }

    #[getter]
    fn base_url(&self) -> &str {
        &self.base_url
    }

    #[getter]
    fn port(&self) -> u16 {
        self.port
    }

    #[pyo3(signature = (vendor_name, product_name="voice"))]
    fn config<'py>(
        &self,
        py: Python<'py>,
        vendor_name: &str,
        product_name: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let vendor = vendor(vendor_name)?;
        let product = Product::from_arg(product_name).py()?;
        let config = self.with(py, |sim| sim.product_config_json(vendor, product))?;
        to_py(py, &config.py()?)
    }

    #[pyo3(signature = (vendor_name, fault_name, *, times=1, code=None, ms=None))]
    fn inject(
        &self,
        py: Python<'_>,
        vendor_name: &str,
        fault_name: &str,
        times: u32,
        code: Option<String>,
        ms: Option<u64>,
    ) -> PyResult<()> {
        let spec = FaultSpec {
            vendor: vendor(vendor_name)?,
            fault: fault_name.to_owned(),
            code,
            times: Some(times),
            ms,
        };
        let fault = spec.to_fault().map_err(PyValueError::new_err)?;
        self.with(py, |sim| sim.inject(spec.vendor, fault))
    }

    fn clear_faults(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |sim| sim.clear_faults())
    }

    fn set_call_outcome(&self, py: Python<'_>, outcome: &str) -> PyResult<()> {
        let outcome: CallOutcome = outcome.parse().map_err(PyValueError::new_err)?;
        self.with(py, |sim| sim.set_call_outcome(outcome))
    }

    fn set_balance(&self, py: Python<'_>, vendor_name: &str, units: u64) -> PyResult<()> {
        let vendor = vendor(vendor_name)?;
        self.with(py, |sim| sim.set_balance(vendor, units))
    }

    fn balance(&self, py: Python<'_>, vendor_name: &str) -> PyResult<Option<u64>> {
        let vendor = vendor(vendor_name)?;
        self.with(py, |sim| sim.balance(vendor))
    }

    fn journal<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let entries = self.with(py, |sim| sim.journal())?;
        to_py(py, &entries)
    }

    fn clear_journal(&self, py: Python<'_>) -> PyResult<()> {
        self.with(py, |sim| sim.clear_journal())
    }

    fn count(&self, py: Python<'_>, vendor_name: &str, operation_name: &str) -> PyResult<usize> {
        let vendor = vendor(vendor_name)?;
        let operation = operation(operation_name)?;
        self.with(py, |sim| sim.count(vendor, operation))
    }

    fn last_code(&self, py: Python<'_>, to: &str) -> PyResult<Option<String>> {
        self.with(py, |sim| sim.last_code(to))
    }

    /// Stops the server and closes its connections; later calls raise `RuntimeError`.
    fn close(&self, py: Python<'_>) {
        py.detach(|| {
            // Taken out first: the lock is released before the server thread is joined.
            let sim = self.lock().take();
            drop(sim);
        });
    }

    #[getter]
    fn closed(&self) -> bool {
        self.lock().is_none()
    }

    fn __repr__(&self) -> String {
        format!("Simulator(base_url='{}')", self.base_url)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        // Reached from garbage collection, with the interpreter attached: stop the server from
        // another thread, since joining it here could wait on a log record that needs the
        // interpreter.
        if let Some(sim) = self
            .running
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            std::thread::spawn(move || drop(sim));
        }
    }
}

/// The simulator's demo accounts and the captcha answer, and each vendor's documented result
/// codes that are refusals, with the error kind the core maps them to (to inject refusals of a
/// chosen kind).
#[pyfunction]
pub fn simulator_facts(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let facts = PyDict::new(py);
    facts.set_item("captcha_answer", demo::CAPTCHA_ANSWER)?;
    facts.set_item("captcha_tolerance", demo::CAPTCHA_TOLERANCE)?;
    facts.set_item("default_balance", demo::DEFAULT_BALANCE)?;
    facts.set_item("huawei_app_secret", demo::HUAWEI_APP_SECRET)?;
    // Rows of (what to inject, the vendor code answered, the kind the core maps it to), for the
    // codes that are refusals (the tables' `unknown` rows leave the call's fate open).
    // Huawei lists some codes under two HTTP statuses; the simulator takes "status:code".
    let refused = |outcome: &Outcome| *outcome == Outcome::Refused;
    let table = |rows: Vec<(String, &str, voicecode::ErrorKind)>| {
        PyList::new(
            py,
            rows.into_iter()
                .map(|(inject, code, kind)| (inject, code, kind.as_str())),
        )
    };
    let plain = |rows: &[(&'static str, voicecode::ErrorKind, Outcome)]| {
        rows.iter()
            .filter(|(_, _, outcome)| refused(outcome))
            .map(|(code, kind, _)| ((*code).to_owned(), *code, *kind))
            .collect::<Vec<_>>()
    };
    let huawei = codes::HUAWEI
        .iter()
        .filter(|(_, _, _, outcome)| refused(outcome))
        .map(|(status, code, kind, _)| (format!("{status}:{code}"), *code, *kind))
        .collect();
    let vendor_codes = PyDict::new(py);
    vendor_codes.set_item("ytx", table(plain(codes::YTX))?)?;
    vendor_codes.set_item("huawei", table(huawei)?)?;
    vendor_codes.set_item("ihuyi", table(plain(codes::IHUYI))?)?;
    vendor_codes.set_item("cloud10658", table(plain(codes::CLOUD10658))?)?;
    vendor_codes.set_item("oneaccess", table(plain(codes::ONEACCESS))?)?;
    vendor_codes.set_item("aliyun", table(plain(codes::ALIYUN))?)?;
    vendor_codes.set_item("tencent", table(plain(codes::TENCENT))?)?;
    facts.set_item("vendor_codes", vendor_codes)?;
    Ok(facts)
}
