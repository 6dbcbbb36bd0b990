//! `voicecode._voicecode`: the native half of the `voicecode` Python package.
//!
//! A translation layer only: every rule, vendor protocol, code table and failover decision is
//! the core's (`voicecode` crate). This crate converts arguments and results, releases the
//! interpreter around every network and store wait, runs the async client and verifier on tokio
//! for asyncio, turns core errors into the exceptions of `voicecode/errors.py`, and forwards the
//! core's `log` records to Python's `logging` (logger `voicecode`). The typed public API is the
//! Python package in `python/voicecode`, with stubs for this module in `_voicecode.pyi`.

mod aio;
mod callbacks;
mod client;
mod convert;
mod errors;
mod results;
mod testing;
mod verifier;

use std::sync::OnceLock;

use log::LevelFilter;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use voicecode::callbacks::{ALIYUN_REPORT_ACK, TENCENT_CALLBACK_ACK};

static LOG_CACHE: OnceLock<pyo3_log::ResetHandle> = OnceLock::new();

/// Forwards `log` records to Python's `logging`: the core's (`voicecode.*` loggers, from debug
/// up) and the simulator's warnings (`voicecode_sim.*`). Nothing else: a record logged from a
/// thread that Python may be waiting for (reqwest's, hyper's) would need the interpreter and
/// could deadlock.
fn install_logging(py: Python<'_>) -> PyResult<()> {
    let handle = pyo3_log::Logger::new(py, pyo3_log::Caching::LoggersAndLevels)?
        .filter(LevelFilter::Off)
        .filter_target("voicecode".to_owned(), LevelFilter::Debug)
        .filter_target("voicecode_sim".to_owned(), LevelFilter::Warn)
        .install();
    // Another extension in this process may own the `log` facade already; then the core's
    // records go there instead.
    if let Ok(handle) = handle {
        let _ = LOG_CACHE.set(handle);
    }
    Ok(())
}

/// Forgets the cached Python logger levels, so that a logging set-up made after import applies.
/// Done whenever a client is built (usually after the application configured logging).
pub fn refresh_logging() {
    if let Some(handle) = LOG_CACHE.get() {
        handle.reset();
    }
}

#[pymodule]
fn _voicecode(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install_logging(m.py())?;
    aio::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("ALIYUN_REPORT_ACK", ALIYUN_REPORT_ACK)?;
    m.add("TENCENT_CALLBACK_ACK", TENCENT_CALLBACK_ACK)?;
    let py = m.py();
    m.add(
        "VENDORS",
        PyTuple::new(py, voicecode::Vendor::ALL.map(voicecode::Vendor::as_str))?,
    )?;
    m.add(
        "ERROR_KINDS",
        PyTuple::new(py, voicecode::ErrorKind::ALL.iter().map(|k| k.as_str()))?,
    )?;
    m.add(
        "_SEND_CODE_OPTIONS",
        PyTuple::new(
            py,
            voicecode::SendOptions::FIELDS.iter().map(|(name, _)| *name),
        )?,
    )?;
    m.add_class::<client::Client>()?;
    m.add_class::<client::Router>()?;
    m.add_class::<verifier::Verifier>()?;
    m.add_class::<verifier::Verification>()?;
    m.add_class::<verifier::Check>()?;
    m.add_class::<results::Receipt>()?;
    m.add_class::<results::Balance>()?;
    m.add_class::<results::Captcha>()?;
    m.add_class::<results::CallEvent>()?;
    m.add_class::<callbacks::HuaweiPushVerifier>()?;
    m.add_class::<callbacks::Deduplicator>()?;
    m.add_function(wrap_pyfunction!(callbacks::parse_push, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::push_ack, m)?)?;
    m.add_function(wrap_pyfunction!(callbacks::verify_huawei_report, m)?)?;
    m.add_class::<testing::Simulator>()?;
    m.add_function(wrap_pyfunction!(testing::simulator_facts, m)?)?;
    m.add_function(wrap_pyfunction!(refresh_logging_py, m)?)?;
    Ok(())
}

/// Forgets cached logger levels (see `voicecode.refresh_logging`).
#[pyfunction(name = "refresh_logging")]
fn refresh_logging_py() {
    refresh_logging();
}
