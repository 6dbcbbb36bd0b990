//! `vc_verifier`: the core's blocking `Verifier` (make a code, call it out, check it) over a
//! `vc_router`, with its settings and start options as JSON in the core's schema.

use std::ffi::{c_char, CStr};

use strum::VariantArray as _;
use voicecode::{Check, StartOptions, Verifier, VerifierConfig};

use crate::boundary::{
    arg_handles, arg_json_value, arg_opt_out, arg_out, arg_ref, arg_str, free_raw, guard, into_raw,
    run, static_str,
};
use crate::client::{arg_config_json, vc_router};
use crate::error::{vc_error, vc_result};

/// The verification lifecycle over a router: `vc_verifier_start` makes a code, keeps only its
/// keyed hash in the store and calls the number; `vc_verifier_check` compares what the user
/// typed. Limits (cooldown, hourly and daily caps, quiet hours) are atomic in the store, so
/// many threads — or many processes sharing one SQLite file or Redis — may use it at once.
///
/// Create it with `vc_verifier_new`, free it with `vc_verifier_free`.
///
/// Thread-safety: every `vc_verifier_*` function taking a `const vc_verifier *` may be called
/// from any number of threads at once; only `vc_verifier_free` must not race with them.
pub struct vc_verifier {
    verifier: Verifier,
}

/// The answer of `vc_verifier_check`. Every case is distinct, so "expired" can be told from
/// "never started" and the user can be told what to do.
///
/// The numbers are stable: they are never changed or reused.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::VariantArray)]
pub enum vc_check {
    /// The code is right; the verification is used up (a second check finds nothing).
    Approved = 0,
    /// The code is wrong; `*attempts_left_out` more may be tried.
    WrongCode = 1,
    /// The code's time to live has passed; start again.
    Expired = 2,
    /// Too many wrong codes: the verification is locked, even for the right code.
    TooManyAttempts = 3,
    /// No verification is pending for this number (never started, approved, or given back).
    NotFound = 4,
    /// The verification was canceled.
    Canceled = 5,
}

impl vc_check {
    fn from_core(check: Check) -> (vc_check, u32) {
        match check {
            Check::Approved { .. } => (vc_check::Approved, 0),
            Check::WrongCode { attempts_left } => (vc_check::WrongCode, attempts_left),
            Check::Expired => (vc_check::Expired, 0),
            Check::TooManyAttempts => (vc_check::TooManyAttempts, 0),
            Check::NotFound => (vc_check::NotFound, 0),
            Check::Canceled => (vc_check::Canceled, 0),
        }
    }

    fn name(self) -> &'static CStr {
        match self {
            vc_check::Approved => c"approved",
            vc_check::WrongCode => c"wrong_code",
            vc_check::Expired => c"expired",
            vc_check::TooManyAttempts => c"too_many_attempts",
            vc_check::NotFound => c"not_found",
            vc_check::Canceled => c"canceled",
        }
    }
}

/// Creates a verifier over `router` (which it shares: the router may be freed before the
/// verifier, or go on sending on its own) with settings in JSON, the core's schema:
/// `{"secret":"…at least 16 bytes…"}` plus optional `store` (`"memory"`, the default,
/// `"sqlite:PATH"` or `"redis://host:port/db"`), `code_length`, `ttl_secs`, `max_attempts`,
/// `cooldown_secs`, `number_hourly_cap`, `number_daily_cap`, `key_hourly_cap`,
/// `key_daily_cap` and `quiet_hours` (`"22:00-08:00"`, Asia/Shanghai). Opens the store.
///
/// On success writes a new verifier to `*verifier_out`; free it with `vc_verifier_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument, invalid UTF-8 or malformed JSON;
/// `VC_RESULT_INVALID_CONFIG` for a wrong or unknown key (the error's field names it), a code
/// length some channel cannot send, or a channel that places no voice calls (oneaccess);
/// `VC_RESULT_STORE_UNAVAILABLE` when the store cannot be opened. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_verifier_new(
    router: *const vc_router,
    config_json: *const c_char,
    verifier_out: *mut *mut vc_verifier,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let router = arg_ref(router, "router")?;
        let config = VerifierConfig::from_value(arg_config_json(config_json, "config_json")?)?;
        let out = arg_out(verifier_out, "verifier_out")?;
        let verifier = Verifier::new(router.router.clone(), config)?;
        out.write(into_raw(vc_verifier { verifier }));
        Ok(())
    })
}

/// The most routers a verifier takes: one per channel (SMS and voice), with room to spare.
const MAX_ROUTERS: usize = 8;

/// Creates a verifier over one router per channel, e.g. an SMS router and a voice router (each
/// shared, as by `vc_verifier_new`), with settings in JSON as `vc_verifier_new` takes them plus
/// `workflow` (`["sms","voice"]`: a code goes by SMS first and, when started again within its
/// lifetime, by voice, the same code; by default the routers' order).
///
/// On success writes a new verifier to `*verifier_out`; free it with `vc_verifier_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL array or element, or a `routers_len` of 0 or
/// more than 8; `VC_RESULT_INVALID_CONFIG` as for `vc_verifier_new`, and for two routers of one
/// product or a `workflow` naming a channel no router sends by. `err_out` may be NULL.
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_verifier_new_routers(
    routers: *const *const vc_router,
    routers_len: usize,
    config_json: *const c_char,
    verifier_out: *mut *mut vc_verifier,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let routers = arg_handles(routers, routers_len, MAX_ROUTERS, "routers")?;
        let routers = routers.into_iter().map(|r| r.router.clone()).collect();
        let config = VerifierConfig::from_value(arg_config_json(config_json, "config_json")?)?;
        let out = arg_out(verifier_out, "verifier_out")?;
        let verifier = Verifier::with_routers(routers, config)?;
        out.write(into_raw(vc_verifier { verifier }));
        Ok(())
    })
}

/// Starts a verification of `to`: makes a code (or takes `options_json`'s `code`), reserves it
/// in the store and calls the number through the router. `options_json` may be NULL, or an
/// object with optional `code`, `key` (a caller key such as the client's IP, counted against
/// `key_hourly_cap`/`key_daily_cap`), `channel` (`"sms"` or `"voice"`, instead of the
/// workflow's step) and the send options of `vc_client_send` (`play_times`, `user_data`, …).
///
/// On success writes the verification as JSON to `*verification_json_out`:
/// `{"to","channel","expires_at","max_attempts","unverified_starts","status"}` with `status`
/// `"sent"` and
/// the `receipt`, or `"may_have_been_sent"` and the send's `error` (outcome unknown: the phone
/// may ring, nothing was resent, and the code stays valid). Free it with `vc_string_free`. It
/// never holds the code.
///
/// Errors, all with no call placed: `VC_RESULT_INVALID_INPUT` naming the field;
/// `VC_RESULT_RATE_LIMITED` (cooldown or cap) and `VC_RESULT_QUIET_HOURS`, with the seconds to
/// wait in `vc_error_retry_after`; `VC_RESULT_STORE_UNAVAILABLE`; any send error whose outcome
/// is `not_sent` or `refused` (the reservation is given back, so a start may follow at once).
///
/// Thread-safety: safe on one verifier from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_verifier_start(
    verifier: *const vc_verifier,
    to: *const c_char,
    options_json: *const c_char,
    verification_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        let to = arg_str(to, "to")?;
        let options = if options_json.is_null() {
            StartOptions::new()
        } else {
            StartOptions::from_value(arg_json_value(options_json, "options_json")?)?
        };
        let out = arg_out(verification_json_out, "verification_json_out")?;
        out.write_json(&verifier.verifier.start(to, &options)?)
    })
}

/// Checks the `code` the user typed for `to`. On success writes the answer to `*check_out` and,
/// when `attempts_left_out` is not NULL, the checks left to `*attempts_left_out` (non-zero only
/// for `VC_CHECK_WRONG_CODE`).
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument, a malformed number or a code that no
/// channel could have sent (empty, wrong length or alphabet; no attempt is used);
/// `VC_RESULT_STORE_UNAVAILABLE`.
///
/// Thread-safety: safe on one verifier from many threads at once; of many checks of the right
/// code, exactly one is `VC_CHECK_APPROVED`.
#[no_mangle]
pub extern "C" fn vc_verifier_check(
    verifier: *const vc_verifier,
    to: *const c_char,
    code: *const c_char,
    check_out: *mut vc_check,
    attempts_left_out: *mut u32,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        let (to, code) = (arg_str(to, "to")?, arg_str(code, "code")?);
        let out = arg_out(check_out, "check_out")?;
        let (check, attempts_left) = vc_check::from_core(verifier.verifier.check(to, code)?);
        out.write(check);
        if let Some(left) = arg_opt_out(attempts_left_out) {
            left.write(attempts_left);
        }
        Ok(())
    })
}

/// As `vc_verifier_check`, with the answer as JSON in `*check_json_out`: `{"status":…}`, plus
/// `attempts_left` after a wrong code and `channel` (`"sms"` or `"voice"`, how the approved code
/// was last sent) after an approval. Free it with `vc_string_free`.
///
/// Errors: as `vc_verifier_check`.
///
/// Thread-safety: as `vc_verifier_check`.
#[no_mangle]
pub extern "C" fn vc_verifier_check_json(
    verifier: *const vc_verifier,
    to: *const c_char,
    code: *const c_char,
    check_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        let (to, code) = (arg_str(to, "to")?, arg_str(code, "code")?);
        let out = arg_out(check_json_out, "check_json_out")?;
        out.write_json(&verifier.verifier.check(to, code)?)
    })
}

/// Cancels `to`'s pending verification, if any: later checks answer `VC_CHECK_CANCELED`. Its
/// start still counts against the cooldown and the caps.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or a malformed number;
/// `VC_RESULT_STORE_UNAVAILABLE`.
///
/// Thread-safety: safe on one verifier from many threads at once.
#[no_mangle]
pub extern "C" fn vc_verifier_cancel(
    verifier: *const vc_verifier,
    to: *const c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        Ok(verifier.verifier.cancel(arg_str(to, "to")?)?)
    })
}

/// Forgets everything stored about `to` (codes, cooldown, caps), even a record that cannot be
/// read, which `vc_verifier_start`, `vc_verifier_check` and `vc_verifier_cancel` refuse with
/// `VC_RESULT_STORE_UNAVAILABLE`. An operator's tool.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or a malformed number;
/// `VC_RESULT_STORE_UNAVAILABLE`.
///
/// Thread-safety: safe on one verifier from many threads at once.
#[no_mangle]
pub extern "C" fn vc_verifier_clear(
    verifier: *const vc_verifier,
    to: *const c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        Ok(verifier.verifier.clear(arg_str(to, "to")?)?)
    })
}

/// Frees a verifier. Passing NULL does nothing. Calls still running on other threads must have
/// returned first. What it stored in SQLite or Redis stays there.
///
/// Ownership: takes back ownership; `verifier` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_verifier_free(verifier: *mut vc_verifier) {
    free_raw(verifier)
}

/// The stable snake_case name of a check answer (`"approved"`, `"wrong_code"`, …), or NULL for
/// a number this library does not know.
///
/// Ownership: a static string; never free it. Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_check_name(check: u32) -> *const c_char {
    guard(std::ptr::null(), || {
        vc_check::VARIANTS
            .iter()
            .find(|c| **c as u32 == check)
            .map_or(std::ptr::null(), |c| static_str(c.name()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{vc_error_field, vc_error_free, vc_error_kind};
    use std::ptr;

    #[test]
    fn check_names_match_the_core() {
        for check in [
            Check::Approved {
                channel: voicecode::Product::Voice,
            },
            Check::WrongCode { attempts_left: 3 },
            Check::Expired,
            Check::TooManyAttempts,
            Check::NotFound,
            Check::Canceled,
        ] {
            let (c, _) = vc_check::from_core(check);
            // SAFETY: a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(vc_check_name(c as u32)) };
            assert_eq!(name.to_str().unwrap(), check.as_str());
        }
        assert!(vc_check_name(6).is_null());
    }

    #[test]
    fn a_null_router_is_refused_naming_it() {
        let mut err: *mut vc_error = ptr::null_mut();
        let mut verifier: *mut vc_verifier = ptr::null_mut();
        let code = vc_verifier_new(
            ptr::null(),
            c"{\"secret\":\"0123456789abcdef\"}".as_ptr(),
            &mut verifier,
            &mut err,
        );
        assert_eq!(code, vc_result::InvalidInput);
        assert_eq!(vc_error_kind(err), vc_result::InvalidInput);
        // SAFETY: the field lives as long as `err`.
        let field = unsafe { CStr::from_ptr(vc_error_field(err)) };
        assert_eq!(field.to_str().unwrap(), "router");
        assert!(verifier.is_null());
        vc_error_free(err);
    }
}
