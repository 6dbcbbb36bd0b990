//! TESTING FACILITY: the vendor simulator (`voicecode-sim`) through the C ABI, compiled only
//! with the `simulator` feature, so that the C, PHP and Java test suites run against real
//! vendor protocols on 127.0.0.1 and can count what reached the "vendor". Never ship it.

use std::ffi::{c_char, CString};
use std::sync::atomic::{AtomicU64, Ordering};

use voicecode::Error;
use voicecode_sim::{demo, FaultSpec, Operation, SimOptions, Simulator};

use crate::boundary::{
    arg_json, arg_opt_str, arg_out, arg_ref, arg_str, arg_vendor, free_raw, guard, into_raw, run,
    Failure, FfiResult,
};
use crate::error::{vc_error, vc_result};

/// TESTING FACILITY (only with `-DVC_SIMULATOR` and a library built with the `simulator`
/// feature): a running vendor simulator on 127.0.0.1, serving every vendor's real protocol
/// with demo accounts, injectable faults and a journal of the requests it received.
///
/// Create it with `vc_sim_start`, stop and free it with `vc_sim_free`.
///
/// Thread-safety: every `vc_sim_*` function taking a `const vc_sim *` may be called from any
/// thread at once.
pub struct vc_sim {
    sim: Simulator,
    base_url: CString,
}

fn operation_arg(ptr: *const c_char) -> FfiResult<Operation> {
    let name = arg_str(ptr, "operation")?;
    name.parse()
        .map_err(|rule| Error::invalid_input("operation", rule).into())
}

/// TESTING FACILITY. Starts a simulator on 127.0.0.1. `options_json` may be NULL (any free
/// port, default balances) or
/// `{"port":0,"balances":{"ytx":0},"cloud10658_receipt_url":"…","aliyun_report_url":"…",
/// "tencent_callback_url":"…"}`.
///
/// On success writes a running simulator to `*sim_out`; free it with `vc_sim_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for malformed options or a NULL `sim_out`;
/// `VC_RESULT_INTERNAL` when the port cannot be bound. `err_out` may be NULL; otherwise
/// `*err_out` receives an error object on failure only (free it with `vc_error_free`).
///
/// Thread-safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vc_sim_start(
    options_json: *const c_char,
    sim_out: *mut *mut vc_sim,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let options: SimOptions = match arg_opt_str(options_json, "options_json")? {
            None => SimOptions::default(),
            Some(_) => arg_json(options_json, "options_json")?,
        };
        let out = arg_out(sim_out, "sim_out")?;
        let sim = Simulator::start(options).map_err(|e| Failure::Internal(e.to_string()))?;
        let base_url = CString::new(sim.base_url())
            .map_err(|_| Failure::Internal("base URL with a NUL byte".into()))?;
        out.write(into_raw(vc_sim { sim, base_url }));
        Ok(())
    })
}

/// TESTING FACILITY. Stops the simulator (closing every connection) and frees it. Passing NULL
/// does nothing.
///
/// Ownership: takes back ownership; `sim` must not be used afterwards, nor freed twice.
#[no_mangle]
pub extern "C" fn vc_sim_free(sim: *mut vc_sim) {
    free_raw(sim)
}

/// TESTING FACILITY. `"http://127.0.0.1:PORT"`, the simulator's address; NULL when `sim` is
/// NULL.
///
/// Ownership: the string belongs to `sim` and lives until `vc_sim_free(sim)`; do not free it.
#[no_mangle]
pub extern "C" fn vc_sim_base_url(sim: *const vc_sim) -> *const c_char {
    guard(std::ptr::null(), || {
        arg_ref(sim, "sim").map_or(std::ptr::null(), |s| s.base_url.as_ptr())
    })
}

/// TESTING FACILITY. A ready channel configuration (JSON, the core's schema) for `vendor`'s
/// demo account, pointing at this simulator: pass it to `vc_client_new`.
///
/// On success writes it to `*config_json_out`; free it with `vc_string_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or an unknown vendor. `err_out` may be
/// NULL; otherwise `*err_out` receives an error object on failure only.
#[no_mangle]
pub extern "C" fn vc_sim_config_json(
    sim: *const vc_sim,
    vendor: *const c_char,
    config_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        let vendor = arg_vendor(vendor)?;
        let out = arg_out(config_json_out, "config_json_out")?;
        out.write_json(&sim.sim.config_json(vendor))
    })
}

/// TESTING FACILITY. As `vc_sim_config_json`, for the vendor's `product`: `voice` (what
/// `vc_sim_config_json` gives) or `sms`.
///
/// On success writes it to `*config_json_out`; free it with `vc_string_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument, an unknown vendor or product, or a
/// product the vendor lacks. `err_out` may be NULL; otherwise `*err_out` receives an error
/// object on failure only.
#[no_mangle]
pub extern "C" fn vc_sim_product_config_json(
    sim: *const vc_sim,
    vendor: *const c_char,
    product: *const c_char,
    config_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        let vendor = arg_vendor(vendor)?;
        let product = voicecode::Product::from_arg(arg_str(product, "product")?)?;
        let out = arg_out(config_json_out, "config_json_out")?;
        out.write_json(&sim.sim.product_config_json(vendor, product)?)
    })
}

/// TESTING FACILITY. Injects a fault for a vendor's next requests, in the simulator admin
/// API's shape: `{"vendor":"huawei","fault":"vendor_code","code":"1010009","times":1}`,
/// `{"vendor":"ytx","fault":"hang"}`, `{"vendor":"ytx","fault":"latency","ms":250}`. Faults:
/// `latency`, `vendor_code`, `http_5xx_html`, `http_500`, `reset_before_answer`, `hang`,
/// `truncated_body`, `truncated_json`, `truncated_xml`, `slow_drip`, `non_utf8_body`,
/// `oversized_body`, `huge_body`; `times` defaults to 1.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or a malformed fault. `err_out` may be
/// NULL; otherwise `*err_out` receives an error object on failure only.
#[no_mangle]
pub extern "C" fn vc_sim_inject_json(
    sim: *const vc_sim,
    fault_json: *const c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        let spec: FaultSpec = arg_json(fault_json, "fault_json")?;
        let fault = spec
            .to_fault()
            .map_err(|rule| Error::invalid_input("fault_json", rule))?;
        sim.sim.inject(spec.vendor, fault);
        Ok(())
    })
}

/// TESTING FACILITY. Removes every pending fault.
///
/// Errors: `VC_RESULT_INVALID_INPUT` when `sim` is NULL.
#[no_mangle]
pub extern "C" fn vc_sim_clear_faults(
    sim: *const vc_sim,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        arg_ref(sim, "sim")?.sim.clear_faults();
        Ok(())
    })
}

/// TESTING FACILITY. Sets a vendor account's balance in units (ytx, ihuyi, cloud10658, aliyun,
/// tencent; an accepted send costs 1; 0 makes sends fail with `VC_RESULT_INSUFFICIENT_BALANCE`).
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument or an unknown vendor.
#[no_mangle]
pub extern "C" fn vc_sim_set_balance(
    sim: *const vc_sim,
    vendor: *const c_char,
    units: u64,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        sim.sim.set_balance(arg_vendor(vendor)?, units);
        Ok(())
    })
}

/// TESTING FACILITY. How many requests of `operation` (`send_code`, `balance`, `captcha`,
/// `verify_captcha`, `send_sms_code`) reached `vendor`, whatever the simulator answered.
///
/// On success writes the count to `*count_out`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument, an unknown vendor or operation.
#[no_mangle]
pub extern "C" fn vc_sim_count(
    sim: *const vc_sim,
    vendor: *const c_char,
    operation: *const c_char,
    count_out: *mut usize,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        let vendor = arg_vendor(vendor)?;
        let operation = operation_arg(operation)?;
        let out = arg_out(count_out, "count_out")?;
        out.write(sim.sim.count(vendor, operation));
        Ok(())
    })
}

/// TESTING FACILITY. The code the last accepted send-code to `to` would have spoken, whichever
/// vendor took it, for end-to-end tests of a sign-up flow without a phone. `to` may be written
/// either way (`"13800138000"` or `"+8613800138000"`).
///
/// On success writes to `*code_out` a string the caller owns and frees with `vc_string_free`,
/// or NULL when no send to that number was accepted (refused and faulted sends record nothing,
/// nor does OneAccess, whose SMS code is its own); both answer `VC_RESULT_OK`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument; `*code_out` is then left untouched.
#[no_mangle]
pub extern "C" fn vc_sim_last_code(
    sim: *const vc_sim,
    to: *const c_char,
    code_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        let sim = arg_ref(sim, "sim")?;
        let to = arg_str(to, "to")?;
        let out = arg_out(code_out, "code_out")?;
        match sim.sim.last_code(to) {
            Some(code) => out.write_string(code),
            None => {
                out.write(std::ptr::null_mut());
                Ok(())
            }
        }
    })
}

/// TESTING FACILITY. Forgets every journaled request.
///
/// Errors: `VC_RESULT_INVALID_INPUT` when `sim` is NULL.
#[no_mangle]
pub extern "C" fn vc_sim_clear_journal(
    sim: *const vc_sim,
    err_out: *mut *mut vc_error,
) -> vc_result {
    run(err_out, || {
        arg_ref(sim, "sim")?.sim.clear_journal();
        Ok(())
    })
}

static NONCE: AtomicU64 = AtomicU64::new(1);

/// TESTING FACILITY. Headers of a genuine Huawei push to `url`, signed now with the demo
/// app's secret and a fresh nonce: `{"X-AKSK":"UsernameToken Username=…"}`, ready for
/// `vc_callback_verify_huawei` with a verifier built from the demo secret
/// (`"SimHuaweiAppSecret0000000001"`).
///
/// On success writes the headers JSON to `*headers_json_out`; free it with `vc_string_free`.
///
/// Errors: `VC_RESULT_INVALID_INPUT` for a NULL argument.
#[no_mangle]
pub extern "C" fn vc_sim_sign_huawei_push(
    url: *const c_char,
    headers_json_out: *mut *mut c_char,
    err_out: *mut *mut vc_error,
) -> vc_result {
    use voicecode::protocol::signing::{huawei_created, huawei_x_aksk, push_digest};
    run(err_out, || {
        let url = arg_str(url, "url")?;
        let out = arg_out(headers_json_out, "headers_json_out")?;
        let nonce = format!("vcffi{:016x}", NONCE.fetch_add(1, Ordering::Relaxed));
        let created = huawei_created(chrono::Utc::now());
        let digest = push_digest(demo::HUAWEI_APP_SECRET, url, &nonce, &created);
        let header = huawei_x_aksk(demo::HUAWEI_APP_KEY, &digest, &nonce, &created);
        out.write_json(&serde_json::json!({ "X-AKSK": header }))
    })
}

/// TESTING FACILITY. Panics inside the library, to check that no panic crosses the C
/// boundary: returns `VC_RESULT_INTERNAL` with an error object.
#[no_mangle]
pub extern "C" fn vc_sim_panic(err_out: *mut *mut vc_error) -> vc_result {
    run(err_out, || panic!("vc_sim_panic was called"))
}
