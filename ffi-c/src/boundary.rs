//! The one mechanism every export goes through: the panic boundary, argument checks and
//! out-parameter writes.
//!
//! Since Rust 1.81 an unwind out of an `extern "C"` function aborts the host process, so every
//! export runs its body inside [`run`] (fallible functions) or [`guard`] (accessors and free
//! functions), which catch panics. Arguments are read only through the `arg_*` helpers, which
//! turn NULL, invalid UTF-8 and malformed JSON into `invalid_input` errors naming the argument,
//! and outputs are written only through [`Out::write`] after the work succeeded.

use std::any::Any;
use std::ffi::{c_char, CStr, CString};
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};

use serde::de::DeserializeOwned;
use voicecode::Error;

use crate::error::{vc_error, vc_result};

/// Why an export failed, before it becomes a [`vc_error`].
pub(crate) enum Failure {
    /// A voicecode error, including the ones raised for bad arguments.
    Core(Error),
    /// A bug in this library (a caught panic, an impossible state).
    Internal(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

pub(crate) type FfiResult<T> = Result<T, Failure>;

/// Runs a fallible export's body: `VC_RESULT_OK`, or the failure's code with its detail in
/// `*err_out` (when `err_out` is not NULL). Panics become `VC_RESULT_INTERNAL`.
pub(crate) fn run(err_out: *mut *mut vc_error, body: impl FnOnce() -> FfiResult<()>) -> vc_result {
    // C has no logging the core could hand records to: VOICECODE_LOG turns on standard error.
    voicecode::stderr_log::init_from_env();
    ignore_sigpipe();
    let failure = match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return vc_result::Ok,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::Internal(panic_text(payload.as_ref())),
    };
    // Building the error object does not panic (see `vc_error::new`), but stay on the safe side.
    let error = panic::catch_unwind(AssertUnwindSafe(|| vc_error::new(failure)))
        .unwrap_or_else(|_| vc_error::new(Failure::Internal("cannot describe the error".into())));
    let code = error.code();
    if !err_out.is_null() {
        // SAFETY: a non-NULL `err_out` points to writable storage for one pointer (contract).
        unsafe { err_out.write(Box::into_raw(Box::new(error))) };
    }
    code
}

/// Sets SIGPIPE to "ignore" once, if it still has its default action.
///
/// A socket write to a peer that has closed the connection raises SIGPIPE, whose default action
/// ends the process; Rust programs ignore it from `main`, but a C, PHP or Java host may not, and
/// the HTTP stack writes with `writev`, which cannot ask for `MSG_NOSIGNAL`. With the signal
/// ignored the write fails with `EPIPE` and the call returns its error. A handler of the host's
/// own is left in place.
fn ignore_sigpipe() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: `sigaction` with a NULL new action only reads the current one into
            // `current`, a zeroed, valid `struct sigaction`.
            unsafe {
                let mut current: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut current) == 0
                    && current.sa_sigaction == libc::SIG_DFL
                {
                    libc::signal(libc::SIGPIPE, libc::SIG_IGN);
                }
            }
        });
    }
}

/// Runs an infallible export's body; a panic yields `fallback`.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    panic::catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    format!("internal error in libvoicecode (please report it): {text}")
}

fn null(name: &str) -> Error {
    Error::invalid_input(name, "must not be NULL")
}

/// A shared reference to an object this library handed out.
pub(crate) fn arg_ref<'a, T>(ptr: *const T, name: &str) -> FfiResult<&'a T> {
    // SAFETY: a non-NULL pointer of this type came from `into_raw` and is still alive
    // (contract: not used after its free function).
    unsafe { ptr.as_ref() }.ok_or_else(|| null(name).into())
}

/// A NUL-terminated UTF-8 string argument.
pub(crate) fn arg_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<&'a str> {
    if ptr.is_null() {
        return Err(null(name).into());
    }
    // SAFETY: a non-NULL `const char *` argument is NUL-terminated (contract).
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::invalid_input(
            name,
            format!("not valid UTF-8 (bad byte at offset {})", e.valid_up_to()),
        )
        .into()
    })
}

/// An optional string argument: NULL is `None`.
pub(crate) fn arg_opt_str<'a>(ptr: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        arg_str(ptr, name).map(Some)
    }
}

/// A vendor id argument (`"huawei"`): an unknown one is `invalid_input` naming `vendor`.
pub(crate) fn arg_vendor(ptr: *const c_char) -> FfiResult<voicecode::Vendor> {
    Ok(voicecode::Vendor::from_arg(arg_str(ptr, "vendor")?)?)
}

/// A JSON text argument, parsed as a JSON value: malformed JSON, or an object with a key given
/// twice, is `invalid_input` (naming the repeated key).
pub(crate) fn arg_json_value(ptr: *const c_char, name: &str) -> FfiResult<serde_json::Value> {
    let text = arg_str(ptr, name)?;
    voicecode::model::parse_json(text)
        .map_err(|(key, rule)| Error::invalid_input(key.as_deref().unwrap_or(name), rule).into())
}

/// A JSON argument in one of the core's request shapes, read by the core
/// (`voicecode::model::from_value`): a wrong, missing or unknown key is `invalid_input` naming
/// the key; a non-object names the argument.
pub(crate) fn arg_json<T: DeserializeOwned>(ptr: *const c_char, name: &str) -> FfiResult<T> {
    let value = arg_json_value(ptr, name)?;
    Ok(voicecode::model::from_value(name, value)?)
}

/// A byte buffer argument: NULL is allowed only with a length of 0.
pub(crate) fn arg_bytes<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Error::invalid_input(name, "must not be NULL when its length is not 0").into());
    }
    // SAFETY: `ptr` points to `len` readable bytes (contract).
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An array argument of `len` handles, each non-NULL: at least one, at most `max`.
pub(crate) fn arg_handles<'a, T>(
    ptr: *const *const T,
    len: usize,
    max: usize,
    name: &str,
) -> FfiResult<Vec<&'a T>> {
    if ptr.is_null() {
        return Err(null(name).into());
    }
    if !(1..=max).contains(&len) {
        let rule = format!("must count 1 to {max} handles, not {len}");
        return Err(Error::invalid_input(&format!("{name}_len"), rule).into());
    }
    // SAFETY: `ptr` points to `len` readable pointers (contract).
    let handles = unsafe { std::slice::from_raw_parts(ptr, len) };
    handles
        .iter()
        .enumerate()
        .map(|(i, &handle)| arg_ref(handle, &format!("{name}[{i}]")))
        .collect()
}

/// A checked, not yet written out-parameter.
pub(crate) struct Out<'a, T> {
    ptr: *mut T,
    _lifetime: PhantomData<&'a mut T>,
}

/// Checks an out-parameter for NULL. Check every out-parameter before doing any work, so that a
/// NULL one never loses a result (a placed call, an allocated object).
pub(crate) fn arg_out<'a, T>(ptr: *mut T, name: &str) -> FfiResult<Out<'a, T>> {
    if ptr.is_null() {
        return Err(null(name).into());
    }
    Ok(Out {
        ptr,
        _lifetime: PhantomData,
    })
}

/// An optional out-parameter: NULL means the caller does not want that value.
pub(crate) fn arg_opt_out<'a, T>(ptr: *mut T) -> Option<Out<'a, T>> {
    (!ptr.is_null()).then_some(Out {
        ptr,
        _lifetime: PhantomData,
    })
}

impl<T> Out<'_, T> {
    /// Writes the result; call it last, once nothing can fail any more.
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked non-NULL; points to writable storage for one `T` (contract).
        unsafe { self.ptr.write(value) }
    }
}

impl Out<'_, *mut c_char> {
    /// Hands out a string the caller frees with `vc_string_free`.
    pub(crate) fn write_string(self, text: String) -> FfiResult<()> {
        let c = CString::new(text)
            .map_err(|_| Failure::Internal("a result contains a NUL byte".into()))?;
        self.write(c.into_raw());
        Ok(())
    }

    /// Hands out a value serialised to JSON (the core's schema).
    pub(crate) fn write_json(self, value: &impl serde::Serialize) -> FfiResult<()> {
        let text = serde_json::to_string(value)
            .map_err(|e| Failure::Internal(format!("cannot serialise the result: {e}")))?;
        // JSON escapes control characters, so the text never contains a NUL byte.
        self.write_string(text)
    }
}

/// Moves an object to the heap and hands it out; the caller frees it with its free function.
pub(crate) fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back an object handed out by [`into_raw`] and drops it; NULL does nothing.
pub(crate) fn free_raw<T>(ptr: *mut T) {
    guard((), || {
        if !ptr.is_null() {
            // SAFETY: `ptr` came from `into_raw` and is freed once (contract).
            drop(unsafe { Box::from_raw(ptr) });
        }
    })
}

/// Takes back a string handed out by [`Out::write_string`] and drops it; NULL does nothing.
pub(crate) fn free_string(ptr: *mut c_char) {
    guard((), || {
        if !ptr.is_null() {
            // SAFETY: `ptr` came from `CString::into_raw` and is freed once (contract).
            drop(unsafe { CString::from_raw(ptr) });
        }
    })
}

/// A static NUL-terminated string for C.
pub(crate) fn static_str(text: &'static CStr) -> *const c_char {
    text.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{vc_error_free, vc_error_kind, vc_error_message};
    use std::ptr;

    #[test]
    fn a_panic_becomes_an_internal_error_instead_of_unwinding_into_c() {
        let mut err: *mut vc_error = ptr::null_mut();
        let code = run(&mut err, || panic!("boom"));
        assert_eq!(code, vc_result::Internal);
        assert!(!err.is_null());
        assert_eq!(vc_error_kind(err), vc_result::Internal);
        // SAFETY: the message is NUL-terminated and lives as long as `err`.
        let message = unsafe { CStr::from_ptr(vc_error_message(err)) };
        assert!(message.to_str().unwrap().contains("boom"));
        vc_error_free(err);
    }

    #[test]
    fn the_error_out_parameter_is_optional_and_untouched_on_success() {
        assert_eq!(
            run(ptr::null_mut(), || Err(null("x").into())),
            vc_result::InvalidInput
        );
        let mut err: *mut vc_error = ptr::null_mut();
        assert_eq!(run(&mut err, || Ok(())), vc_result::Ok);
        assert!(err.is_null());
    }

    #[test]
    fn request_json_errors_name_the_key_at_fault() {
        let bad = c"{\"to\":\"13800138000\"}";
        let Err(Failure::Core(e)) = arg_json::<voicecode::SendCode>(bad.as_ptr(), "request_json")
        else {
            panic!("a request without a code must fail");
        };
        assert_eq!(e.kind(), voicecode::ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("code"));

        let wrong = c"{\"to\":\"13800138000\",\"code\":\"1\",\"play_times\":\"2\"}";
        let Err(Failure::Core(e)) = arg_json::<voicecode::SendCode>(wrong.as_ptr(), "request_json")
        else {
            panic!("a wrongly typed key must fail");
        };
        assert_eq!(e.field(), Some("play_times"));

        let Err(Failure::Core(e)) = arg_json::<voicecode::SendCode>(c"{".as_ptr(), "request_json")
        else {
            panic!("malformed JSON must fail");
        };
        assert_eq!(e.field(), Some("request_json"));
        assert!(e.message().contains("not valid JSON"), "{}", e.message());
    }

    #[test]
    fn invalid_utf8_is_invalid_input_naming_the_argument() {
        let bytes = b"{\"to\":\"\xff\"}\0";
        let Err(Failure::Core(e)) = arg_str(bytes.as_ptr().cast(), "request_json") else {
            panic!("invalid UTF-8 must fail");
        };
        assert_eq!(e.kind(), voicecode::ErrorKind::InvalidInput);
        assert_eq!(e.field(), Some("request_json"));
        assert!(e.message().contains("UTF-8"));
    }
}
