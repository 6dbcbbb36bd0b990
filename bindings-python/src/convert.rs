//! JSON values to and from Python objects: the bridge for configs going in (a dict in the core's
//! schema) and for results going out (`to_dict()`, the journal), using the core's serde shapes.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Anything serde can serialise (the core's results, errors, configs and the journal) as the
/// matching Python object: `dict`, `list`, `str`, `int`, `float`, `bool` or `None`.
pub fn to_py<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    Ok(pythonize::pythonize(py, value)?)
}

/// A Python object as a JSON value, for the core to read. `path` names the object in error
/// messages (`config["device"]["ip"]`), so a wrong type says where it is.
///
/// Only what JSON can hold is accepted; the core then checks keys and value types against its
/// schema and names the key at fault.
pub fn py_to_json(obj: &Bound<'_, PyAny>, path: &str) -> PyResult<Value> {
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(PyTypeError::new_err(format!(
            "{path}: the integer is too large"
        )));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err(format!("{path}: must be a finite number")));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(mapping) = obj.cast::<PyMapping>() {
        let mut map = Map::new();
        for item in mapping.items()?.iter() {
            let (key, value) = item.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>()?;
            let key = key.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!("{path}: keys must be str, not {}", type_name(&key)))
            })?;
            let key = key.to_cow()?.into_owned();
            let value = py_to_json(&value, &format!("{path}[{key:?}]"))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let seq = obj.cast::<PySequence>()?;
        let items = (0..seq.len()?)
            .map(|i| py_to_json(&seq.get_item(i)?, &format!("{path}[{i}]")))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{path}: {} is not a config value; use str, int, float, bool, None, dict or list",
        type_name(obj)
    )))
}

/// The name of an object's type, for error messages.
pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// `Class(name=value, ...)` from the object's own attributes, in the order given, so that the
/// repr shows exactly what the getters return. A name ending in `?` is left out when `None`.
pub fn repr_attrs(obj: &Bound<'_, PyAny>, class: &str, names: &[&str]) -> PyResult<String> {
    let mut parts = Vec::new();
    for name in names {
        let (name, optional) = match name.strip_suffix('?') {
            Some(name) => (name, true),
            None => (*name, false),
        };
        let value = obj.getattr(name)?;
        if !(optional && value.is_none()) {
            parts.push(format!("{name}={}", value.repr()?));
        }
    }
    Ok(format!("{class}({})", parts.join(", ")))
}
