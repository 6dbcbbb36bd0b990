//! The core's async calls as `asyncio` futures, safe when the interpreter exits.
//!
//! Each call runs on one tokio runtime; its result is handed to the caller's event loop with
//! `call_soon_threadsafe`. Handing it over needs the interpreter, and a thread that takes the
//! interpreter while Python is finalizing aborts the process ("PyGILState_Release: thread state
//! must be current", pyo3-async-runtimes issue #40): a script that exits just after its last
//! `await` could crash. So an `atexit` hook, which Python runs before finalizing, stops any
//! further hand-over and waits for those already under way.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use pyo3::IntoPyObjectExt as _;

use crate::errors::to_exception;

/// Set by the exit hook: from then on no result is handed to Python.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Hand-overs in progress.
static HANDING_OVER: AtomicUsize = AtomicUsize::new(0);

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .thread_name("voicecode-asyncio")
            .enable_all()
            .build()
            .expect("the OS can start the async runtime's threads")
    })
}

/// Runs `call` on the runtime and returns an `asyncio.Future` of its result, on the running
/// event loop. Cancelling that future drops the call.
pub(crate) fn spawn<'py, T, F>(py: Python<'py>, call: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = voicecode::Result<T>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    let event_loop = py
        .import(pyo3::intern!(py, "asyncio"))?
        .call_method0(pyo3::intern!(py, "get_running_loop"))?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    let task = runtime().spawn(async move {
        let result = call.await;
        // The interpreter is taken on a blocking thread, never on a runtime worker that other
        // calls are waiting for.
        tokio::task::spawn_blocking(move || hand_over(loop_ref, future_ref, result));
    });
    let abort = task.abort_handle();
    let on_done = PyCFunction::new_closure(
        py,
        None,
        None,
        move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
            if args.get_item(0)?.call_method0("cancelled")?.is_truthy()? {
                abort.abort();
            }
            Ok(())
        },
    )?;
    future.call_method1(pyo3::intern!(py, "add_done_callback"), (on_done,))?;
    Ok(future)
}

/// Schedules `future`'s result on its event loop, unless Python is exiting.
fn hand_over<T>(event_loop: Py<PyAny>, future: Py<PyAny>, result: voicecode::Result<T>)
where
    T: for<'a> IntoPyObject<'a>,
{
    let Some(_guard) = HandOver::begin() else {
        return;
    };
    Python::attach(|py| {
        let outcome = match result {
            Ok(value) => value.into_py_any(py),
            Err(e) => Err(to_exception(py, &e)),
        };
        let outcome = Mutex::new(Some(outcome));
        let settle = PyCFunction::new_closure(
            py,
            None,
            None,
            move |args: &Bound<'_, PyTuple>, _: Option<&Bound<'_, PyDict>>| -> PyResult<()> {
                let py = args.py();
                let future = future.bind(py);
                let taken = outcome.lock().ok().and_then(|mut o| o.take());
                // A future cancelled meanwhile takes no result.
                if future.call_method0("done")?.is_truthy()? {
                    return Ok(());
                }
                match taken {
                    Some(Ok(value)) => future.call_method1("set_result", (value,))?,
                    Some(Err(e)) => future.call_method1("set_exception", (e.into_value(py),))?,
                    None => return Ok(()),
                };
                Ok(())
            },
        );
        // A loop closed meanwhile has nobody waiting for the result.
        if let Ok(settle) = settle {
            let _ = event_loop
                .bind(py)
                .call_method1(pyo3::intern!(py, "call_soon_threadsafe"), (settle,));
        }
    });
}

/// One hand-over in progress; none begins once the exit hook has run.
struct HandOver;

impl HandOver {
    fn begin() -> Option<Self> {
        // Counted before the flag is read, so the exit hook either sees this one or this one
        // sees the flag.
        HANDING_OVER.fetch_add(1, SeqCst);
        if EXITING.load(SeqCst) {
            HANDING_OVER.fetch_sub(1, SeqCst);
            return None;
        }
        Some(HandOver)
    }
}

impl Drop for HandOver {
    fn drop(&mut self) {
        HANDING_OVER.fetch_sub(1, SeqCst);
    }
}

/// Registered with `atexit`: no hand-over after this, and those under way finish first. Log
/// records stop too, as forwarding them to `logging` takes the interpreter.
#[pyfunction]
pub(crate) fn _before_exit(py: Python<'_>) {
    EXITING.store(true, SeqCst);
    log::set_max_level(log::LevelFilter::Off);
    py.detach(|| {
        let deadline = Instant::now() + Duration::from_secs(2);
        while HANDING_OVER.load(SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}

/// Registers [`_before_exit`] with `atexit`.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let hook = wrap_pyfunction!(_before_exit, m)?;
    py.import("atexit")?.call_method1("register", (hook,))?;
    Ok(())
}
