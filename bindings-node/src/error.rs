//! Errors as JavaScript sees them.
//!
//! Every core error becomes a `VoiceCodeError` (defined in `index.js`, registered here at load
//! time) built from the core's own serialisation, so its fields are the core's in camelCase:
//! `code` (the kind), `outcome`, `vendor`, `field`, `vendorCode`, `vendorMessage`, `httpStatus`,
//! `retryable`, `retryAfter`, `attempts`. An argument of the wrong JavaScript type is a `TypeError` with the
//! Node code `ERR_INVALID_ARG_TYPE`; it is raised before anything is sent.
//!
//! napi turns a plain `napi::Error` into a generic `Error`. To throw (or reject with) our own
//! object instead, a [`Failure`] is turned into the JavaScript error object on the JavaScript
//! thread and handed to napi as an error that *references* that object: napi throws, or rejects
//! the promise with, the referenced object itself.

use std::cell::Cell;
use std::ptr;

use napi::bindgen_prelude::{ToNapiValue, Unknown};
use napi::JsValue as _;
use napi::{sys, Env};
use serde_json::Value;

use crate::convert::{camel, camel_case};

/// Why a call failed, before it is turned into a JavaScript error.
#[derive(Debug)]
pub enum Failure {
    /// The core refused or failed the operation.
    Core(voicecode::Error),
    /// An argument had the wrong JavaScript type; nothing was sent.
    Type(String),
    /// The object cannot do this any more (a closed simulator).
    State(String),
}

impl From<voicecode::Error> for Failure {
    fn from(e: voicecode::Error) -> Self {
        Failure::Core(e)
    }
}

/// A method's result on its way to JavaScript: the value, or a thrown (rejected) error.
pub struct Reply<T>(pub Result<T, Failure>);

impl<T> From<Result<T, Failure>> for Reply<T> {
    fn from(result: Result<T, Failure>) -> Self {
        Reply(result)
    }
}

impl<T: ToNapiValue> ToNapiValue for Reply<T> {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            Err(failure) => Err(failure.into_napi(env)),
        }
    }
}

/// For constructors and factories, which napi lets return only `napi::Result<Self>`.
pub fn settle<T>(env: &Env, result: Result<T, Failure>) -> napi::Result<T> {
    result.map_err(|failure| failure.into_napi(env.raw()))
}

thread_local! {
    /// The `VoiceCodeError` class of this thread's Node environment (one per thread: the main
    /// thread or a worker). Registered once by `index.js`; the reference is never released, as
    /// the class lives as long as the module.
    static ERROR_CLASS: Cell<sys::napi_ref> = const { Cell::new(ptr::null_mut()) };
}

/// Registers the class that core errors are thrown as. Called once by `index.js`.
#[napi_derive::napi(js_name = "__registerErrorClass", skip_typescript)]
pub fn register_error_class(env: Env, class: Unknown) -> napi::Result<()> {
    if class.get_type()? != napi::ValueType::Function {
        return Err(napi::Error::new(
            napi::Status::FunctionExpected,
            "the error class must be a constructor",
        ));
    }
    let mut reference = ptr::null_mut();
    // SAFETY: `class` is a live value of `env`, on this thread.
    let status = unsafe { sys::napi_create_reference(env.raw(), class.raw(), 1, &mut reference) };
    if status != sys::Status::napi_ok {
        return Err(napi::Error::from_status(napi::Status::from(status)));
    }
    ERROR_CLASS.with(|c| c.set(reference));
    Ok(())
}

/// The core's error kinds, in its order. Not part of the API: the test holding index.d.ts's
/// `ErrorCode` (written by hand in src/api.d.ts) to the core reads it.
#[napi_derive::napi(js_name = "__errorKinds", skip_typescript)]
pub fn error_kinds() -> Vec<&'static str> {
    voicecode::ErrorKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect()
}

/// The `VoiceCodeError` of a core error as a plain value, not thrown: the `error` of a
/// verification whose call may have been placed has the same shape as every thrown error.
///
/// # Safety
/// On the JavaScript thread that owns `env`.
pub(crate) unsafe fn error_value(
    env: sys::napi_env,
    error: voicecode::Error,
) -> napi::Result<sys::napi_value> {
    unsafe { Failure::Core(error).into_js(env) }
}

impl Failure {
    /// The JavaScript error object, wrapped so that napi throws that very object.
    fn into_napi(self, env: sys::napi_env) -> napi::Error {
        let message = match &self {
            Failure::Core(e) => e.to_string(),
            Failure::Type(message) | Failure::State(message) => message.clone(),
        };
        // SAFETY: called by napi on the JavaScript thread that owns `env`.
        match unsafe { self.into_js(env) } {
            Ok(object) => napi::Error::from(unsafe { Unknown::from_raw_unchecked(env, object) }),
            // Only when the environment cannot build objects any more (tearing down).
            Err(_) => napi::Error::new(napi::Status::GenericFailure, message),
        }
    }

    unsafe fn into_js(self, env: sys::napi_env) -> napi::Result<sys::napi_value> {
        match self {
            Failure::Type(message) => unsafe {
                let code = String::to_napi_value(env, "ERR_INVALID_ARG_TYPE".to_owned())?;
                let message = String::to_napi_value(env, message)?;
                let mut error = ptr::null_mut();
                check(sys::napi_create_type_error(env, code, message, &mut error))?;
                Ok(error)
            },
            Failure::State(message) => unsafe {
                let code = String::to_napi_value(env, "ERR_INVALID_STATE".to_owned())?;
                let message = String::to_napi_value(env, message)?;
                let mut error = ptr::null_mut();
                check(sys::napi_create_error(env, code, message, &mut error))?;
                Ok(error)
            },
            Failure::Core(e) => {
                let mut detail = camel(&e).0;
                // `field` names a key of the request or config: say it as the caller wrote it.
                if let Some(Value::String(field)) = detail.get_mut("field") {
                    *field = camel_case(field);
                }
                let detail = unsafe { Value::to_napi_value(env, detail) }?;
                let class = ERROR_CLASS.with(Cell::get);
                if class.is_null() {
                    // Only if the addon was loaded without index.js.
                    return Err(napi::Error::from_reason("VoiceCodeError is not registered"));
                }
                let mut constructor = ptr::null_mut();
                let mut error = ptr::null_mut();
                unsafe {
                    check(sys::napi_get_reference_value(env, class, &mut constructor))?;
                    check(sys::napi_new_instance(
                        env,
                        constructor,
                        1,
                        [detail].as_ptr(),
                        &mut error,
                    ))?;
                }
                Ok(error)
            }
        }
    }
}

fn check(status: sys::napi_status) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_status(napi::Status::from(status)))
    }
}
