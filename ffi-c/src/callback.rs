//! Call-status pushes from the vendors: parsing (`vc_callback_parse`), Huawei push
//! authentication (`vc_huawei_verifier`, `vc_callback_verify_huawei`), Huawei SMS status-report
//! authentication (`vc_callback_verify_huawei_report`) and de-duplication (`vc_deduplicator`).

use std::ffi::c_char;
use std::time::Duration;

use voicecode::callbacks::{
    self, CallEvent, Deduplicator, HuaweiPushVerifier, HuaweiReportVerifier,
};
use voicecode::Error;

use crate::boundary::{
    arg_bytes, arg_json, arg_json_value, arg_opt_str, arg_out, arg_ref, arg_str, arg_vendor,
    free_raw, into_raw, run, FfiResult,
};
use crate::error::{vc_error, vc_result};

/// Authenticates Huawei call-status (or fee) pushes for one URL: checks the `X-AKSK` digest
/// in constant time, the `Created` window and nonce replay.
///
/// Create it with `vc_huawei_verifier_new`, free it with `vc_huawei_verifier_free`. Keep one
/// per URL for the life of the receiver: it remembers the nonces it accepted.
///
/// Thread-safety: `vc_callback_verify_huawei` may run on many threads at once on one verifier.
pub struct vc_huawei_verifier {
    verifier: HuaweiPushVerifier,
}

/// Remembers which call events were already handled (vendors repeat pushes). Bounded: the
/// oldest are forgotten first.
///
/// Create it with `vc_deduplicator_new`, free it with `vc_deduplicator_free`.
///
/// Thread-safety: `vc_deduplicator_first_time` may run on many threads at once.
pub struct vc_deduplicator {
    seen: Deduplicator,
}

fn headers_arg(ptr: *const c_char) -> FfiResult<Vec<(String, String)>> {
    Ok(match arg_opt_str(ptr, "headers_json")? {
        None => Vec::new(),
        Some(_) => callbacks::header_pairs("headers_json", arg_json_value(ptr, "headers_json")?)?,
    })
}

/// Parses a call-status push (Huawei status or fee push, cloud10658 receipt, Alibaba Cloud
/// VoiceReport or VoiceCallReport, Tencent VMS callback) or SMS delivery report (Huawei status
/// report, ihuyi 发送回执, Alibaba Cloud SmsReport, Tencent SMS status callback) into events.
///
/// `vendor` is `"huawei"`, `"ihuyi"`, `"cloud10658"`, `"aliyun"` or `"tencent"`; `headers_json` holds the
/// request's headers as a
/// JSON object or an array of `[name, value]` pairs, or is NULL for none (cloud10658 needs
/// `Content-Type` to tell a form from JSON); `body` points to `body_len` bytes of the request
/// body (NULL is allowed when `body_len` is 0). Authenticate Huawei pushes with
/// `vc_callback_verify_huawei` first.
///
/// On success writes a JSON array of events to `*events_json_out`, each `{"vendor",
/// "message_id","phone","event","at","state_code","state_desc","talk_seconds","user_data",
/// "raw"}`; free it with `vc_string_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL or malformed argument, an unknown vendor, a
/// vendor that sends no pushes, or a body that is not such a push. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_callback_parse(
    vendor: *const c_char,
    headers_json: *const c_char,
    body: *const u8,
    body_len: usize,
    events_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let vendor = arg_vendor(vendor)?;
        let headers = headers_arg(headers_json)?;
        let body = arg_bytes(body, body_len, "body")?;
        let out = arg_out(events_json_out, "events_json_out")?;
        out.write_json(&callbacks::parse(vendor, &headers, body)?)
    })
}

/// How to answer a call-status push from `vendor` once it is taken: HTTP 200 with the body
/// written to `*body_out` and the `Content-Type` written to `*content_type_out` (Alibaba Cloud
/// and Tencent read the body and push again otherwise; Huawei and cloud10658 get an empty one).
/// For a vendor that sends no pushes both are set to NULL. Free each string with
/// `vc_string_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL or unknown vendor or a NULL out-parameter.
/// `err_out` may be NULL; otherwise `*err_out` receives an error object on failure only (free
/// it with `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_push_ack(
    vendor: *const c_char,
    body_out: *mut *mut c_char,
    content_type_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let vendor = arg_vendor(vendor)?;
        let body = arg_out(body_out, "body_out")?;
        let content_type = arg_out(content_type_out, "content_type_out")?;
        let Some(ack) = callbacks::push_ack(vendor) else {
            body.write(std::ptr::null_mut());
            content_type.write(std::ptr::null_mut());
            return Ok(());
        };
        // The acknowledgements are constants without NUL bytes: neither write can fail.
        body.write_string(ack.body.into())?;
        content_type.write_string(ack.content_type.into())
    })
}

/// Creates a verifier for Huawei pushes to `url` (the status or fee URL as configured, not
/// Base64), signed with the app's `app_secret`. `window_seconds` is how far `Created` may be
/// from now; 0 means the default, 300.
///
/// On success writes a new verifier to `*verifier_out`; free it with
/// `vc_huawei_verifier_free`. The library copies `app_secret` and `url`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL or non-UTF-8 argument. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_huawei_verifier_new(
    app_secret: *const c_char,
    url: *const c_char,
    window_seconds: u32,
    verifier_out: *mut *mut vc_huawei_verifier,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let app_secret = arg_str(app_secret, "app_secret")?;
        let url = arg_str(url, "url")?;
        let out = arg_out(verifier_out, "verifier_out")?;
        let mut verifier = HuaweiPushVerifier::new(app_secret, url);
        if window_seconds > 0 {
            verifier = verifier.with_window(Duration::from_secs(window_seconds.into()));
        }
        out.write(into_raw(vc_huawei_verifier { verifier }));
        Ok(())
    })
}

/// Authenticates one Huawei push from its headers (JSON object or array of `[name, value]`
/// pairs, as in `vc_callback_parse`): `VC_RESULT_OK` when it is genuine and new.
///
/// Errors: `VC_RESULT_AUTH_FAILED` when the `X-AKSK` header is missing or malformed, the
/// digest does not match (wrong secret or URL, forged push), `Created` is outside the window,
/// or the nonce was already used (replay); answer such a push with HTTP 401 and do not parse
/// it. `VC_RESULT_INVALID_INPUT` for a NULL or malformed argument. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe on one verifier from many threads at once.
#[no_mangle]
pub extern "C" fn vc_callback_verify_huawei(
    verifier: *const vc_huawei_verifier,
    headers_json: *const c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let verifier = arg_ref(verifier, "verifier")?;
        if headers_json.is_null() {
            return Err(Error::invalid_input("headers_json", "must not be NULL").into());
        }
        let headers = headers_arg(headers_json)?;
        verifier.verifier.verify(&headers)?;
        Ok(())
    })
}

/// Authenticates one Huawei SMS status report pushed to `url` (the `status_url` as configured)
/// with 推送AKSK鉴权 on: its SDK-HMAC-SHA256 signature under the SMS application's `app_key`
/// and `app_secret`, and `X-Sdk-Date` within `window_seconds` of now (0 means the default, 900:
/// the 15 minutes Huawei's gateway allows). `headers_json` is as in
/// `vc_callback_parse`; `body` points to `body_len` bytes of the request body. Reports carry no
/// nonce: de-duplicate their events.
///
/// Errors: `VC_RESULT_AUTH_FAILED` when the report is unsigned, signed for another application,
/// URL or body, or stale; answer it with HTTP 401 and do not parse it.
/// `VC_RESULT_INVALID_INPUT` for a NULL or malformed argument. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_callback_verify_huawei_report(
    url: *const c_char,
    app_key: *const c_char,
    app_secret: *const c_char,
    headers_json: *const c_char,
    body: *const u8,
    body_len: usize,
    window_seconds: u32,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let url = arg_str(url, "url")?;
        let app_key = arg_str(app_key, "app_key")?;
        let app_secret = arg_str(app_secret, "app_secret")?;
        let headers = headers_arg(headers_json)?;
        let body = arg_bytes(body, body_len, "body")?;
        let mut verifier = HuaweiReportVerifier::new(app_key, app_secret, url)?;
        if window_seconds > 0 {
            verifier = verifier.with_window(Duration::from_secs(window_seconds.into()));
        }
        verifier.verify(&headers, body)?;
        Ok(())
    })
}

/// Frees a verifier. Passing NULL does nothing.
///
/// Ownership: takes back ownership; `verifier` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_huawei_verifier_free(verifier: *mut vc_huawei_verifier) {
    free_raw(verifier)
}

/// Creates a de-duplicator remembering up to `capacity` events (0 means 1).
///
/// On success writes a new de-duplicator to `*dedup_out`; free it with
/// `vc_deduplicator_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` when `dedup_out` is NULL. `err_out` may be NULL;
/// otherwise `*err_out` receives an error object on failure only (free it with
/// `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_deduplicator_new(
    capacity: usize,
    dedup_out: *mut *mut vc_deduplicator,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let out = arg_out(dedup_out, "dedup_out")?;
        out.write(into_raw(vc_deduplicator {
            seen: Deduplicator::new(capacity),
        }));
        Ok(())
    })
}

/// Whether an event (one element of `vc_callback_parse`'s array, as JSON) is seen for the
/// first time: writes true to `*first_out` the first time, false for its repeats. Events are
/// the same when vendor, message id and event kind are.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or JSON that is not an event.
/// `err_out` may be NULL; otherwise `*err_out` receives an error object on failure only (free
/// it with `vc_error_free`).
///
/// Thread-safety: safe on one de-duplicator from many threads at once.
#[no_mangle]
pub extern "C" fn vc_deduplicator_first_time(
    dedup: *const vc_deduplicator,
    event_json: *const c_char,
    first_out: *mut bool,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let dedup = arg_ref(dedup, "dedup")?;
        let event: CallEvent = arg_json(event_json, "event_json")?;
        let out = arg_out(first_out, "first_out")?;
        out.write(dedup.seen.first_time(&event));
        Ok(())
    })
}

/// Frees a de-duplicator. Passing NULL does nothing.
///
/// Ownership: takes back ownership; `dedup` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_deduplicator_free(dedup: *mut vc_deduplicator) {
    free_raw(dedup)
}
