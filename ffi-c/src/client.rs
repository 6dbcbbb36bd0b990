//! `vc_client` (one channel) and `vc_router` (failover across channels): the blocking core
//! client and router behind opaque handles, with JSON in and out.

use std::ffi::{c_char, CString};

use voicecode::{ChannelConfig, Client, Router, SendCode, SendSmsCode, VerifyCaptcha};

use crate::boundary::{
    arg_json, arg_json_value, arg_out, arg_ref, free_raw, guard, into_raw, run, Failure,
};
use crate::error::{vc_error, vc_result};

/// A client for one vendor channel (the core's blocking `Client`): validated configuration
/// and a connection pool.
///
/// Create it with `vc_client_new`, free it with `vc_client_free`.
///
/// Thread-safety: every `vc_client_*` function taking a `const vc_client *` may be called
/// from any number of threads at once on the same client (they share its connection pool);
/// only `vc_client_free` must not race with them. Each call blocks its thread until the vendor
/// answers or the configured timeout passes.
pub struct vc_client {
    client: Client,
    /// The vendor's name for `vc_client_vendor`, NUL-terminated.
    vendor: CString,
}

/// A failover router over several channels (the core's blocking `Router`): it moves on to
/// the next channel only when the current one certainly placed no call.
///
/// Create it with `vc_router_new`, free it with `vc_router_free`.
///
/// Thread-safety: as `vc_client`: `vc_router_send` may run on many threads at once.
pub struct vc_router {
    pub(crate) router: Router,
}

/// Config JSON, refused unread when it is larger than a config file may be
/// (`voicecode::config::MAX_CONFIG_BYTES`): a channel config is a few hundred bytes.
pub(crate) fn arg_config_json(
    ptr: *const c_char,
    name: &str,
) -> crate::boundary::FfiResult<serde_json::Value> {
    let text = crate::boundary::arg_str(ptr, name)?;
    let max = voicecode::config::MAX_CONFIG_BYTES;
    if text.len() as u64 > max {
        return Err(voicecode::Error::invalid_config(
            name,
            format!("is larger than {max} bytes; is it a channel configuration?"),
        )
        .into());
    }
    arg_json_value(ptr, name)
}

/// Creates a client from a channel configuration in JSON, the core's schema, e.g.
/// `{"vendor":"ihuyi","account":"VM12345678","api_key":"…"}` (optional: `base_url`,
/// `timeout_ms`, `connect_timeout_ms`). No connection is made yet.
///
/// On success writes a new client to `*client_out`; free it with `vc_client_free`. The
/// library keeps no pointer to `config_json`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` when `config_json` is NULL, not UTF-8 or not JSON (field
/// `"config_json"`) or `client_out` is NULL; `VC_RESULT_INVALID_CONFIG` when the text is larger
/// than a config file may be (1 MiB, field `"config_json"`) or the JSON is not a valid
/// configuration (the error's field names the key). `err_out` may be NULL; otherwise
/// `*err_out` receives an error object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_client_new(
    config_json: *const c_char,
    client_out: *mut *mut vc_client,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let config = arg_config_json(config_json, "config_json")?;
        let out = arg_out(client_out, "client_out")?;
        let client = Client::new(ChannelConfig::from_value(config)?)?;
        let vendor = CString::new(client.vendor().as_str())
            .map_err(|_| Failure::Internal("a vendor name with a NUL byte".into()))?;
        out.write(into_raw(vc_client { client, vendor }));
        Ok(())
    })
}

/// Frees a client. Passing NULL does nothing. Calls still running on other threads must have
/// returned first.
///
/// Ownership: takes back ownership; `client` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_client_free(client: *mut vc_client) {
    free_raw(client)
}

/// The client's vendor: `"ytx"`, `"huawei"`, `"ihuyi"`, `"cloud10658"`, `"oneaccess"`,
/// `"aliyun"` or `"tencent"`; NULL when `client` is NULL.
///
/// Ownership: a static string; never free it. Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_client_vendor(client: *const vc_client) -> *const c_char {
    guard(std::ptr::null(), || match arg_ref(client, "client") {
        Ok(c) => c.vendor.as_ptr(),
        Err(_) => std::ptr::null(),
    })
}

/// Sends a voice verification code. `request_json` is a `SendCode` in the core's schema:
/// `{"to":"+8613800138000","code":"4821"}` plus optional `play_times`, `user_data`,
/// `status_url`, `fee_url`, `pre_tone`, `pos_tone`, `return_idle_port`.
///
/// On success writes the receipt as JSON to `*receipt_json_out`:
/// `{"vendor","message_id","vendor_code","vendor_message"}` (plus `remaining` for cloud10658,
/// `idle_ports` for huawei); free it with `vc_string_free`. Never retried: on failure read
/// `vc_error_outcome` before sending again (after `VC_OUTCOME_UNKNOWN` the call may be ringing).
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument, invalid UTF-8, malformed JSON, an
/// unknown key or a request the vendor's rules refuse (the error's field names it); any other
/// kind as the vendor or the network failed. `err_out` may be NULL; otherwise `*err_out`
/// receives an error object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe on one client from many threads at once. Blocks until the vendor answers
/// or the timeout passes.
#[no_mangle]
pub extern "C" fn vc_client_send(
    client: *const vc_client,
    request_json: *const c_char,
    receipt_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let client = arg_ref(client, "client")?;
        let request: SendCode = arg_json(request_json, "request_json")?;
        let out = arg_out(receipt_json_out, "receipt_json_out")?;
        let receipt = client.client.send_code(&request)?;
        out.write_json(&receipt)
    })
}

/// Reads the account balance (ytx, ihuyi, cloud10658; other vendors fail with
/// `VC_RESULT_INVALID_INPUT`).
///
/// On success writes `{"vendor","amount","unit"}` to `*balance_json_out`, where `amount` is a
/// decimal string as the vendor wrote it and `unit` is `"yuan"` or `"units"`; free it with
/// `vc_string_free`.
///
/// Errors: as `vc_client_send`. `err_out` may be NULL; otherwise `*err_out` receives an error
/// object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe on one client from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_client_balance(
    client: *const vc_client,
    balance_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let client = arg_ref(client, "client")?;
        let out = arg_out(balance_json_out, "balance_json_out")?;
        out.write_json(&client.client.balance()?)
    })
}

/// OneAccess: asks for a new slider captcha to show to the user.
///
/// On success writes `{"token","original_image_base64","jigsaw_image_base64"}` to
/// `*captcha_json_out` (PNG images in Base64); free it with `vc_string_free`.
///
/// Errors: as `vc_client_send`; other vendors fail with `VC_RESULT_INVALID_INPUT`. `err_out`
/// may be NULL; otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe on one client from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_client_captcha(
    client: *const vc_client,
    captcha_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let client = arg_ref(client, "client")?;
        let out = arg_out(captcha_json_out, "captcha_json_out")?;
        out.write_json(&client.client.captcha()?)
    })
}

/// OneAccess: checks where the user dropped the slider piece. `request_json` is
/// `{"token","x","y","mobile"}` (`token` from `vc_client_captcha`, `x`/`y` numbers).
///
/// On success writes the captcha token for one SMS (plain text, not JSON) to
/// `*captcha_token_out`; free it with `vc_string_free`.
///
/// Errors: as `vc_client_send`; a wrong position is `VC_RESULT_INVALID_INPUT` with the
/// vendor's code. `err_out` may be NULL; otherwise `*err_out` receives an error object on
/// failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe on one client from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_client_verify_captcha(
    client: *const vc_client,
    request_json: *const c_char,
    captcha_token_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let client = arg_ref(client, "client")?;
        let request: VerifyCaptcha = arg_json(request_json, "request_json")?;
        let out = arg_out(captcha_token_out, "captcha_token_out")?;
        out.write_string(client.client.verify_captcha(&request)?)
    })
}

/// OneAccess: sends an SMS code after a verified captcha. `request_json` is
/// `{"mobile","purpose","captcha_token"}`, where `purpose` is one of `register`, `login`,
/// `forget_password`, `bind_mobile`, `update_mobile`, `otp`.
///
/// Returns `VC_RESULT_OK` once the vendor accepted it; there is no other output.
///
/// Errors: as `vc_client_send`. `err_out` may be NULL; otherwise `*err_out` receives an error
/// object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe on one client from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_client_send_sms_code(
    client: *const vc_client,
    request_json: *const c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let client = arg_ref(client, "client")?;
        let request: SendSmsCode = arg_json(request_json, "request_json")?;
        client.client.send_sms_code(&request)?;
        Ok(())
    })
}

/// Creates a failover router from a JSON array of channel configurations in order of
/// preference, each in the schema of `vc_client_new`.
///
/// On success writes a new router to `*router_out`; free it with `vc_router_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` when `configs_json` is NULL, not UTF-8, not JSON or not
/// an array, or `router_out` is NULL; `VC_RESULT_INVALID_CONFIG` for a text larger than 1 MiB,
/// an empty array or an invalid configuration. `err_out` may be NULL; otherwise `*err_out`
/// receives an error object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_router_new(
    configs_json: *const c_char,
    router_out: *mut *mut vc_router,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let serde_json::Value::Array(values) = arg_config_json(configs_json, "configs_json")?
        else {
            return Err(voicecode::Error::invalid_input(
                "configs_json",
                "must be a JSON array of channel configurations",
            )
            .into());
        };
        let out = arg_out(router_out, "router_out")?;
        let configs = values
            .into_iter()
            .map(ChannelConfig::from_value)
            .collect::<Result<Vec<_>, _>>()?;
        out.write(into_raw(vc_router {
            router: Router::new(configs)?,
        }));
        Ok(())
    })
}

/// Sends a voice verification code through the first channel that accepts it. Arguments,
/// output and errors as `vc_client_send`; on failure the error is the last channel's, and
/// `vc_error_json` lists every channel tried or skipped under `"attempts"`.
///
/// Thread-safety: safe on one router from many threads at once. Blocks.
#[no_mangle]
pub extern "C" fn vc_router_send(
    router: *const vc_router,
    request_json: *const c_char,
    receipt_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let router = arg_ref(router, "router")?;
        let request: SendCode = arg_json(request_json, "request_json")?;
        let out = arg_out(receipt_json_out, "receipt_json_out")?;
        out.write_json(&router.router.send_code(&request)?)
    })
}

/// Frees a router. Passing NULL does nothing. Calls still running on other threads must have
/// returned first.
///
/// Ownership: takes back ownership; `router` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_router_free(router: *mut vc_router) {
    free_raw(router)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{vc_error_field, vc_error_free, vc_error_kind};
    use std::ffi::CStr;
    use std::ptr;

    #[test]
    fn a_null_out_parameter_is_refused_before_any_work() {
        let mut err: *mut vc_error = ptr::null_mut();
        let config = c"{\"vendor\":\"ihuyi\",\"account\":\"VM1\",\"api_key\":\"k\"}";
        let code = vc_client_new(config.as_ptr(), ptr::null_mut(), &mut err);
        assert_eq!(code, vc_result::InvalidInput);
        assert_eq!(vc_error_kind(err), vc_result::InvalidInput);
        // SAFETY: the field lives as long as `err`.
        let field = unsafe { CStr::from_ptr(vc_error_field(err)) };
        assert_eq!(field.to_str().unwrap(), "client_out");
        vc_error_free(err);
    }

    #[test]
    fn an_invalid_config_is_invalid_config_and_writes_no_client() {
        let mut client: *mut vc_client = ptr::null_mut();
        let code = vc_client_new(
            c"{\"vendor\":\"ihuyi\"}".as_ptr(),
            &mut client,
            ptr::null_mut(),
        );
        assert_eq!(code, vc_result::InvalidConfig);
        assert!(client.is_null());
    }
}
