//! The core's errors as Python exceptions.
//!
//! The exception classes live in Python (`voicecode/errors.py`): several must subclass two bases
//! (`InvalidInput(VoiceCodeError, ValueError)`, `Timeout(VoiceCodeError, TimeoutError)`, …),
//! which a native class cannot. This side only hands over the core's own serialised error
//! (`{"kind","outcome","vendor","field","vendor_code",…}`); `errors._from_core` picks the class
//! by `kind`. The core keeps secrets out of that text, so nothing here needs redacting.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::convert::to_py;

/// A core error on its way to Python. Binding code uses `?` on core results through
/// `.map_err(CoreError)` or the `From` impl below.
pub struct CoreError(pub voicecode::Error);

impl From<voicecode::Error> for CoreError {
    fn from(e: voicecode::Error) -> Self {
        CoreError(e)
    }
}

impl From<CoreError> for PyErr {
    fn from(e: CoreError) -> PyErr {
        // Called with the interpreter attached (method bodies) or from a blocking thread of the
        // async runtime; attaching again is cheap in the first case.
        Python::attach(|py| to_exception(py, &e.0))
    }
}

/// The `voicecode.errors` exception for `error`.
pub fn to_exception(py: Python<'_>, error: &voicecode::Error) -> PyErr {
    static FROM_CORE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let built = (|| {
        let from_core = FROM_CORE.import(py, "voicecode.errors", "_from_core")?;
        let info = to_py(py, error)?;
        from_core.call1((info,))
    })();
    match built {
        Ok(exception) => PyErr::from_value(exception),
        Err(failed) => failed,
    }
}

/// Shorthand for results of core calls made from binding code.
pub trait CoreResultExt<T> {
    /// The core error as its Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> CoreResultExt<T> for voicecode::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| CoreError(e).into())
    }
}
