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

use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{Function, FunctionRef, ToNapiValue, Unknown};
use napi::{sys, Env, JsValue};
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
    // SAFETY (of the contract): napi calls this on the JavaScript thread that owns `env`.
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        match val.0 {
            // SAFETY: `env` is napi's own, on its thread, as `T`'s conversion needs.
            Ok(value) => unsafe { T::to_napi_value(env, value) },
            Err(failure) => Err(failure.into_napi(&Env::from_raw(env))),
        }
    }
}

/// For constructors and factories, which napi lets return only `napi::Result<Self>`.
pub fn settle<T>(env: &Env, result: Result<T, Failure>) -> napi::Result<T> {
    result.map_err(|failure| failure.into_napi(env))
}

/// The `VoiceCodeError` class, held as instance data of each Node environment (the main thread
/// and every worker has its own), registered once by `index.js`. The reference is released
/// with the environment.
type ErrorClass = FunctionRef<Value, Unknown<'static>>;

/// Registers the class that core errors are thrown as. Called once by `index.js`.
#[napi_derive::napi(js_name = "__registerErrorClass", skip_typescript)]
pub fn register_error_class(
    env: Env,
    class: Function<Value, Unknown<'static>>,
) -> napi::Result<()> {
    env.set_instance_data::<ErrorClass, _, _>(class.create_ref()?, (), |_| {})
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

impl Failure {
    /// The JavaScript error object, wrapped so that napi throws that very object.
    fn into_napi(self, env: &Env) -> napi::Error {
        let message = match &self {
            Failure::Core(e) => e.to_string(),
            Failure::Type(message) | Failure::State(message) => message.clone(),
        };
        match self.into_js(env) {
            Ok(object) => napi::Error::from(object),
            // Only when the environment cannot build objects any more (tearing down).
            Err(_) => napi::Error::new(napi::Status::GenericFailure, message),
        }
    }

    /// The JavaScript error object: a `TypeError` (`ERR_INVALID_ARG_TYPE`), an `Error`
    /// (`ERR_INVALID_STATE`), or a `VoiceCodeError` built from the core error's serialisation.
    pub(crate) fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        match self {
            Failure::Type(message) => node_error(env, "TypeError", "ERR_INVALID_ARG_TYPE", message),
            Failure::State(message) => node_error(env, "Error", "ERR_INVALID_STATE", message),
            Failure::Core(e) => {
                let mut detail = camel(&e);
                // `field` names a key of the request or config: say it as the caller wrote it.
                if let Some(Value::String(field)) = detail.get_mut("field") {
                    *field = camel_case(field);
                }
                let class = env
                    .get_instance_data::<ErrorClass>()?
                    // Only if the addon was loaded without index.js.
                    .ok_or_else(|| napi::Error::from_reason("VoiceCodeError is not registered"))?;
                class.borrow_back(env)?.new_instance(detail)
            }
        }
    }
}

/// `new globalThis[class](message)` with Node's own `code`, as Node's errors carry.
fn node_error<'e>(
    env: &'e Env,
    class: &str,
    code: &str,
    message: String,
) -> napi::Result<Unknown<'e>> {
    let constructor: Function<String, Unknown> = env.get_global()?.get_named_property(class)?;
    let error = constructor.new_instance(message)?;
    error.coerce_to_object()?.set_named_property("code", code)?;
    Ok(error)
}
